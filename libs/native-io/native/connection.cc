// The I/O of a Connection (connection.h): reading and writing plain or TLS, the response head, and the
// body's framing (Content-Length, chunked, or until the connection closes).
#include "connection.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cctype>

namespace {

constexpr size_t kMaxHead = 64 * 1024;
constexpr size_t kMaxLine = 8 * 1024;
constexpr size_t kMinRead = 16 * 1024;

// Node's names for certificate verification failures (so callers tell TLS trouble from other trouble).
const char* VerifyCode(long result) {
  switch (result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: return "UNABLE_TO_GET_ISSUER_CERT";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: return "UNABLE_TO_GET_ISSUER_CERT_LOCALLY";
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: return "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: return "DEPTH_ZERO_SELF_SIGNED_CERT";
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return "SELF_SIGNED_CERT_IN_CHAIN";
    case X509_V_ERR_CERT_HAS_EXPIRED: return "CERT_HAS_EXPIRED";
    case X509_V_ERR_CERT_NOT_YET_VALID: return "CERT_NOT_YET_VALID";
    case X509_V_ERR_CERT_REVOKED: return "CERT_REVOKED";
    case X509_V_ERR_INVALID_CA: return "INVALID_CA";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return "ERR_TLS_CERT_ALTNAME_INVALID";
    default: return "CERT_VERIFY_FAILED";
  }
}

// An OpenSSL failure named as Node names it ("wrong version number" -> ERR_SSL_WRONG_VERSION_NUMBER).
bool SslFailure(Failure* f, const char* what) {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
  if (reason == nullptr) return f->Set("ECONNRESET", std::string(what) + ": the connection closed");
  static thread_local std::string code;
  code = "ERR_SSL_";
  for (const char* p = reason; *p != '\0'; p++) code.push_back(*p == ' ' ? '_' : static_cast<char>(toupper(*p)));
  ERR_clear_error();
  return f->Set(code.c_str(), std::string(what) + ": " + reason);
}

bool IsIpLiteral(const std::string& host) {
  unsigned char addr[16];
  return inet_pton(AF_INET, host.c_str(), addr) == 1 || inet_pton(AF_INET6, host.c_str(), addr) == 1;
}

const char* ErrnoCode(int e) {
  switch (e) {
    case ECONNRESET: return "ECONNRESET";
    case EPIPE: return "EPIPE";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ECONNABORTED: return "ECONNABORTED";
    default: return "EREAD";
  }
}

}  // namespace

Connection::~Connection() { ReleaseLocked(); }

void Connection::ReleaseLocked() {
  if (ssl != nullptr) SSL_free(ssl);
  ssl = nullptr;
  if (fd >= 0) close(fd);
  fd = -1;
}

bool Connection::WaitFor(short events, int timeout_ms, Failure* f) {
  for (;;) {
    if (aborted.load()) return f->Set("ECONNABORTED", "the connection was closed");
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r > 0) return true;
    if (r == 0) {
      return f->Set("ETIMEDOUT", events == POLLIN ? "no data arrived for " + std::to_string(timeout_ms) + " ms"
                                                  : "could not send for " + std::to_string(timeout_ms) + " ms");
    }
    if (errno != EINTR) return f->Set("EREAD", std::string("waiting for the socket: ") + strerror(errno));
  }
}

// timeout_ms < 0: do not wait; returns -2 when nothing can be read right now.
ssize_t Connection::ReadOnce(char* dst, size_t n, int timeout_ms, Failure* f) {
  for (;;) {
    if (aborted.load()) return f->Set("ECONNABORTED", "the connection was closed"), -1;
    short want = POLLIN;
    if (ssl != nullptr) {
      ERR_clear_error();
      size_t got = 0;
      if (SSL_read_ex(ssl, dst, n, &got) == 1) return static_cast<ssize_t>(got);
      int e = SSL_get_error(ssl, 0);
      if (e == SSL_ERROR_ZERO_RETURN) return 0;
      if (e == SSL_ERROR_WANT_WRITE) {
        want = POLLOUT;
      } else if (e != SSL_ERROR_WANT_READ) {
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
          if (errno == 0) return 0;  // closed without close_notify: framing tells whether that is too early
          return f->Set(ErrnoCode(errno), std::string("reading: ") + strerror(errno)), -1;
        }
        return SslFailure(f, "reading"), -1;
      }
    } else {
      ssize_t r = read(fd, dst, n);
      if (r >= 0) return r;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return f->Set(ErrnoCode(errno), std::string("reading: ") + strerror(errno)), -1;
    }
    if (timeout_ms < 0) return -2;
    if (!WaitFor(want, timeout_ms, f)) return -1;
  }
}

bool Connection::WriteAll(const char* data, size_t n, int timeout_ms, Failure* f) {
  while (n > 0) {
    short want = POLLOUT;
    if (ssl != nullptr) {
      ERR_clear_error();
      size_t done = 0;
      if (SSL_write_ex(ssl, data, n, &done) == 1) {
        data += done;
        n -= done;
        continue;
      }
      int e = SSL_get_error(ssl, 0);
      if (e == SSL_ERROR_WANT_READ) {
        want = POLLIN;
      } else if (e != SSL_ERROR_WANT_WRITE) {
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return f->Set(ErrnoCode(errno == 0 ? EPIPE : errno), "sending the request failed");
        return SslFailure(f, "sending the request");
      }
    } else {
      ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
      if (w >= 0) {
        data += w;
        n -= static_cast<size_t>(w);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return f->Set(ErrnoCode(errno), std::string("sending the request: ") + strerror(errno));
    }
    if (!WaitFor(want, timeout_ms, f)) return false;
  }
  return true;
}

bool Connection::Handshake(const std::string& host, int timeout_ms, Failure* f) {
  ssl = SSL_new(tls->ctx);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) return SslFailure(f, "starting TLS");
  bool ip = IsIpLiteral(host);
  if (!ip) SSL_set_tlsext_host_name(ssl, host.c_str());
  if (SSL_CTX_get_verify_mode(tls->ctx) != SSL_VERIFY_NONE) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      SSL_set1_host(ssl, host.c_str());
    }
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    ERR_clear_error();
    int r = SSL_connect(ssl);
    if (r == 1) return true;
    int e = SSL_get_error(ssl, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      long verified = SSL_get_verify_result(ssl);
      if (verified != X509_V_OK) {
        return f->Set(VerifyCode(verified), std::string("the certificate of ") + host + " is not trusted: " + X509_verify_cert_error_string(verified));
      }
      return SslFailure(f, "the TLS handshake failed");
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0 || !WaitFor(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, static_cast<int>(left), f)) {
      if (f->code != nullptr && strcmp(f->code, "ETIMEDOUT") == 0) f->message = "the TLS handshake did not finish within " + std::to_string(timeout_ms) + " ms";
      if (f->code == nullptr) f->Set("ETIMEDOUT", "the TLS handshake did not finish within " + std::to_string(timeout_ms) + " ms");
      return false;
    }
  }
}

bool Connection::Fill(int timeout_ms, Failure* f) {
  if (pos == lim) {
    pos = lim = 0;
  } else if (lim == buf.size()) {
    memmove(buf.data(), buf.data() + pos, lim - pos);
    lim -= pos;
    pos = 0;
  }
  if (lim == buf.size()) return f->Set("EPROTO", "the read buffer is full");
  ssize_t n = ReadOnce(buf.data() + lim, buf.size() - lim, timeout_ms, f);
  if (n < 0) return false;
  if (n == 0) {
    eof = true;
    return true;
  }
  lim += static_cast<size_t>(n);
  response_bytes += static_cast<uint64_t>(n);
  // Take what else is there already (TLS hands out one record at a time), without waiting.
  while (buf.size() - lim >= kMinRead) {
    n = ReadOnce(buf.data() + lim, buf.size() - lim, -1, f);
    if (n == -2) break;
    if (n < 0) return false;
    if (n == 0) {
      eof = true;
      break;
    }
    lim += static_cast<size_t>(n);
    response_bytes += static_cast<uint64_t>(n);
  }
  return true;
}

bool Connection::ReadHead(std::string* head, int timeout_ms, Failure* f) {
  for (;;) {
    void* end = memmem(buf.data() + pos, lim - pos, "\r\n\r\n", 4);
    if (end != nullptr) {
      size_t stop = static_cast<size_t>(static_cast<char*>(end) - buf.data()) + 4;
      head->assign(buf.data() + pos, stop - pos);
      pos = stop;
      return true;
    }
    if (lim - pos >= kMaxHead) return f->Set("EPROTO", "the response head is larger than 64 KiB");
    if (!Fill(timeout_ms, f)) return false;
    if (eof) {
      return f->Set(response_bytes == 0 ? "ECONNRESET" : "EOF",
                    response_bytes == 0 ? "the connection closed before a response" : "the connection closed in the middle of the response head");
    }
  }
}

bool Connection::ReadLine(std::string* line, int timeout_ms, Failure* f) {
  for (;;) {
    void* nl = memchr(buf.data() + pos, '\n', lim - pos);
    if (nl != nullptr) {
      size_t stop = static_cast<size_t>(static_cast<char*>(nl) - buf.data());
      line->assign(buf.data() + pos, stop - pos);
      if (!line->empty() && line->back() == '\r') line->pop_back();
      pos = stop + 1;
      return true;
    }
    if (lim - pos >= kMaxLine) return f->Set("EPROTO", "a chunk line is longer than 8 KiB");
    if (!Fill(timeout_ms, f)) return false;
    if (eof) return f->Set("EOF", "the connection closed in the middle of a chunked body, after " + std::to_string(body_bytes) + " bytes");
  }
}

int Connection::NextPiece(const char** data, size_t* n, size_t max, int timeout_ms, Failure* f) {
  for (;;) {
    if (mode == Mode::kNone) return 0;
    if (mode == Mode::kChunked && phase != Phase::kData) {
      std::string line;
      if (!ReadLine(&line, timeout_ms, f)) return -1;
      if (phase == Phase::kDataEnd) {
        if (!line.empty()) return f->Set("EPROTO", "a chunk is longer than its size line said"), -1;
        phase = Phase::kSize;
      } else if (phase == Phase::kTrailers) {
        if (line.empty()) mode = Mode::kNone;
      } else {
        uint64_t size = 0;
        size_t i = 0;
        for (; i < line.size() && isxdigit(static_cast<unsigned char>(line[i])); i++) {
          if (size > (1ULL << 52)) return f->Set("EPROTO", "a chunk size is too large"), -1;
          size = size * 16 + static_cast<uint64_t>(isdigit(static_cast<unsigned char>(line[i])) ? line[i] - '0' : (tolower(line[i]) - 'a' + 10));
        }
        if (i == 0 || (i < line.size() && line[i] != ';' && line[i] != ' ' && line[i] != '\t')) {
          return f->Set("EPROTO", "a chunk size line is malformed"), -1;
        }
        remaining = size;
        phase = size == 0 ? Phase::kTrailers : Phase::kData;
      }
      continue;
    }
    if (mode != Mode::kUntilClose && remaining == 0) {
      if (mode == Mode::kLength) {
        mode = Mode::kNone;
      } else {
        phase = Phase::kDataEnd;
      }
      continue;
    }
    if (pos == lim) {
      if (!Fill(timeout_ms, f)) return -1;
      if (eof && pos == lim) {
        if (mode == Mode::kUntilClose) {
          mode = Mode::kNone;
          return 0;
        }
        std::string of = mode == Mode::kLength ? " of " + std::to_string(body_bytes + remaining) : "";
        return f->Set("EOF", "the connection closed after " + std::to_string(body_bytes) + of + " bytes of the body"), -1;
      }
      continue;
    }
    size_t take = std::min(lim - pos, max);
    if (mode != Mode::kUntilClose) take = static_cast<size_t>(std::min<uint64_t>(take, remaining));
    *data = buf.data() + pos;
    *n = take;
    pos += take;
    if (mode != Mode::kUntilClose) remaining -= take;
    body_bytes += take;
    return 1;
  }
}
