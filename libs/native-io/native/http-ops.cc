// The JavaScript side of connection.h: trust contexts, and the operations on a connection, each on a thread
// of its own, settling a promise on the JavaScript thread (and reporting a body's progress, coalesced).
//
//   tlsContext(caPem | null, verify) -> context
//   connOpen(fd, context | undefined, host, head) -> connection      (takes ownership of fd; head = bytes
//                                                                      already read off the socket)
//   connExchange(conn, request, timeoutMs, handshakeTimeoutMs) -> Promise<Buffer head>
//   connBeginBody(conn, mode, length)        mode: 0 none, 1 Content-Length, 2 chunked, 3 until close
//   connReceive(conn, fileFd, algorithm, maxBytes, timeoutMs, onProgress, position, hasher | undefined)
//       -> Promise<{ bytes, hex }>          (written from file offset `position`; continuing `hasher`, hasher.h)
//   connRead(conn, limit, timeoutMs) -> Promise<Buffer>       (the rest of the body, at most `limit`)
//   connReadChunk(conn, max, timeoutMs) -> Promise<Buffer>    (the next piece; empty at the end)
//   connRelay(conn, socketFd, timeoutMs) -> Promise<number>   (the whole body written to a connected socket,
//                                                               e.g. a server response's: bytes sent)
//   connBuffered(conn) -> bytes read past the body; connTakeBuffered(conn) -> those bytes; connClose(conn)
#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "connection.h"
#include "hasher.h"
#include "napi-util.h"

namespace {

constexpr size_t kSmallBuffer = 80 * 1024;
constexpr size_t kBodyBuffer = 1 << 20;

template <typename T>
T* ExternalOf(napi_env env, napi_value value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return nullptr;
  void* data = nullptr;
  napi_get_value_external(env, value, &data);
  return static_cast<T*>(data);
}

template <typename T>
napi_value MakeExternal(napi_env env, T* value) {
  napi_value external;
  napi_create_external(env, value, [](napi_env, void* data, void*) { delete static_cast<T*>(data); }, nullptr, &external);
  return external;
}

std::string StringArg(napi_env env, napi_value value) {
  size_t len = 0;
  napi_get_value_string_utf8(env, value, nullptr, 0, &len);
  std::string out(len, '\0');
  napi_get_value_string_utf8(env, value, out.data(), len + 1, &len);
  return out;
}

enum class Kind { kExchange, kReceive, kRead, kReadChunk, kRelay };

struct Op {
  Kind kind;
  ConnectionRef conn;
  int timeout_ms = 0;
  int handshake_timeout_ms = 0;
  std::string request;
  // receive (a file), relay (a socket)
  int file_fd = -1;
  uint64_t position = 0;  // file offset of the body's first byte (an upload's append)
  const EVP_MD* md = nullptr;
  HasherRef hasher;       // a running hash to continue (an upload's); a fresh one of `md` when null
  int64_t max_bytes = -1;
  std::atomic<uint64_t> written{0};
  std::atomic<bool> progress_queued{false};
  // read
  size_t limit = 0;
  // results
  std::string out;  // head, body, or hex digest
  Failure failure;
  napi_deferred deferred = nullptr;
  napi_threadsafe_function events = nullptr;
};

struct Event {
  Op* op;
  bool final;
};

void Queue(Op* op, bool final) {
  napi_call_threadsafe_function(op->events, new Event{op, final}, final ? napi_tsfn_blocking : napi_tsfn_nonblocking);
}

bool Exchange(Op* op) {
  Connection* c = op->conn.get();
  if (c->tls && !c->handshaken) {
    if (!c->Handshake(c->host, op->handshake_timeout_ms, &op->failure)) return false;
    c->handshaken = true;
  }
  c->mode = Connection::Mode::kNone;
  c->response_bytes = 0;
  if (!op->request.empty() && !c->WriteAll(op->request.data(), op->request.size(), op->timeout_ms, &op->failure)) return false;
  return c->ReadHead(&op->out, op->timeout_ms, &op->failure);
}

// Hands every piece of the body to `sink` (false: stop, the failure set) as it arrives; true once all came.
template <typename Sink>
bool EachPiece(Op* op, Sink sink) {
  Connection* c = op->conn.get();
  if (c->buf.size() < kBodyBuffer) c->buf.resize(kBodyBuffer);
  bool ok = true;
  for (;;) {
    const char* data = nullptr;
    size_t n = 0;
    int r = c->NextPiece(&data, &n, SIZE_MAX, op->timeout_ms, &op->failure);
    if (r <= 0) {
      ok = r == 0;
      break;
    }
    if (!sink(data, n)) {
      ok = false;
      break;
    }
  }
  // A pooled connection keeps a small buffer only.
  if (c->pos == c->lim) std::vector<char>(kSmallBuffer).swap(c->buf), c->pos = c->lim = 0;
  return ok;
}

bool Receive(Op* op) {
  // A running hash is this operation's until it ends (JavaScript waits for it before using the hash again).
  std::unique_lock<std::mutex> held;
  EVP_MD_CTX* own = nullptr;
  EVP_MD_CTX* hash = nullptr;
  if (op->hasher) {
    held = std::unique_lock<std::mutex>(op->hasher->mu);
    hash = op->hasher->ctx;
  } else {
    hash = own = EVP_MD_CTX_new();
    EVP_DigestInit_ex(hash, op->md, nullptr);
  }
  bool ok = EachPiece(op, [op, hash](const char* data, size_t n) {
    uint64_t at = op->written.load();
    if (op->max_bytes >= 0 && at + n > static_cast<uint64_t>(op->max_bytes)) {
      return op->failure.Set("ETOOBIG", "the body is larger than the expected " + std::to_string(op->max_bytes) + " bytes");
    }
    EVP_DigestUpdate(hash, data, n);
    while (n > 0) {
      ssize_t w = pwrite(op->file_fd, data, n, static_cast<off_t>(op->position + at));
      if (w < 0) {
        if (errno == EINTR) continue;
        return op->failure.Set("EWRITE", std::string("writing the blob file: ") + strerror(errno));
      }
      data += w;
      n -= static_cast<size_t>(w);
      at += static_cast<uint64_t>(w);
    }
    op->written.store(at);
    if (!op->progress_queued.exchange(true)) Queue(op, false);
    return true;
  });
  if (ok && op->hasher) {
    op->out = op->hasher->HexDigestLocked();
  } else if (ok) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(hash, md, &len);
    static const char* hex = "0123456789abcdef";
    for (unsigned int i = 0; i < len; i++) {
      op->out.push_back(hex[md[i] >> 4]);
      op->out.push_back(hex[md[i] & 15]);
    }
  }
  if (own != nullptr) EVP_MD_CTX_free(own);
  return ok;
}

// Writes all of `n` bytes to a non-blocking socket (Node's), waiting while its buffer is full. The peer going
// away is EPIPE/ECONNRESET (named as Node names them), a peer taking nothing for timeout_ms ETIMEDOUT.
bool SendAll(int fd, const char* data, size_t n, int timeout_ms, const std::atomic<bool>& aborted, Failure* f) {
  while (n > 0) {
    if (aborted.load()) return f->Set("ECONNABORTED", "the connection was closed");
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w > 0) {
      data += w;
      n -= static_cast<size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      const char* code = errno == EPIPE ? "EPIPE" : errno == ECONNRESET ? "ECONNRESET" : "EWRITE";
      return f->Set(code, std::string("sending to the client: ") + strerror(errno));
    }
    // Waits in slices, so that closing the connection (aborted) stops a relay to a client that takes nothing.
    int waited = 0;
    for (;;) {
      struct pollfd p = {fd, POLLOUT, 0};
      int slice = std::min(timeout_ms - waited, 500);
      int r = poll(&p, 1, slice);
      if (r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(p.revents & POLLOUT)) return f->Set("EPIPE", "the client went away");
      if (r > 0) break;
      if (r < 0 && errno != EINTR) return f->Set("EWRITE", std::string("poll: ") + strerror(errno));
      if (r == 0) waited += slice;
      if (aborted.load()) return f->Set("ECONNABORTED", "the connection was closed");
      if (waited >= timeout_ms) return f->Set("ETIMEDOUT", "the client took no bytes for " + std::to_string(timeout_ms) + " ms");
    }
  }
  return true;
}

// The body, as it arrives, to the socket in file_fd: nothing enters JavaScript.
bool Relay(Op* op) {
  Connection* c = op->conn.get();
  return EachPiece(op, [op, c](const char* data, size_t n) {
    if (!SendAll(op->file_fd, data, n, op->timeout_ms, c->aborted, &op->failure)) {
      op->failure.client = op->failure.code != nullptr && strcmp(op->failure.code, "ECONNABORTED") != 0;
      return false;
    }
    op->written.fetch_add(n);
    return true;
  });
}

bool Read(Op* op, bool one_piece) {
  Connection* c = op->conn.get();
  for (;;) {
    const char* data = nullptr;
    size_t n = 0;
    int r = c->NextPiece(&data, &n, one_piece ? op->limit : SIZE_MAX, op->timeout_ms, &op->failure);
    if (r < 0) return false;
    if (r == 0) return true;
    if (op->out.size() + n > op->limit) return op->failure.Set("ETOOBIG", "the body is larger than " + std::to_string(op->limit) + " bytes");
    op->out.append(data, n);
    if (one_piece) return true;
  }
}

void Run(Op* op) {
  bool ok = false;
  switch (op->kind) {
    case Kind::kExchange: ok = Exchange(op); break;
    case Kind::kReceive: ok = Receive(op); break;
    case Kind::kRead: ok = Read(op, false); break;
    case Kind::kReadChunk: ok = Read(op, true); break;
    case Kind::kRelay: ok = Relay(op); break;
  }
  if (!ok && op->failure.code == nullptr) op->failure.Set("EREAD", "the operation failed");
  if (op->file_fd >= 0) close(op->file_fd);
  {
    std::lock_guard<std::mutex> lock(op->conn->mu);
    op->conn->busy = false;
    if (op->conn->closed) op->conn->ReleaseLocked();
  }
  Queue(op, true);
}

void OnEvent(napi_env env, napi_value on_progress, void* /*context*/, void* data) {
  Event* event = static_cast<Event*>(data);
  Op* op = event->op;
  bool final = event->final;
  delete event;
  if (!final) {
    op->progress_queued.store(false);
    napi_valuetype type = napi_undefined;
    if (env != nullptr && on_progress != nullptr) napi_typeof(env, on_progress, &type);
    if (type == napi_function) {
      napi_value bytes, undefined;
      napi_create_double(env, static_cast<double>(op->written.load()), &bytes);
      napi_get_undefined(env, &undefined);
      napi_call_function(env, undefined, on_progress, 1, &bytes, nullptr);
    }
    return;
  }
  if (env != nullptr) {
    if (op->failure.code != nullptr) {
      double bytes = static_cast<double>(op->kind == Kind::kExchange ? op->conn->response_bytes : op->conn->body_bytes);
      napi_value error = MakeError(env, op->failure.message, op->failure.code, bytes, "bytesRead");
      if (op->failure.client) {
        napi_value side;
        napi_create_string_utf8(env, "client", NAPI_AUTO_LENGTH, &side);
        napi_set_named_property(env, error, "side", side);
      }
      napi_reject_deferred(env, op->deferred, error);
    } else if (op->kind == Kind::kReceive) {
      napi_value result, bytes, hex;
      napi_create_object(env, &result);
      napi_create_double(env, static_cast<double>(op->written.load()), &bytes);
      napi_create_string_utf8(env, op->out.data(), op->out.size(), &hex);
      napi_set_named_property(env, result, "bytes", bytes);
      napi_set_named_property(env, result, "hex", hex);
      napi_resolve_deferred(env, op->deferred, result);
    } else if (op->kind == Kind::kRelay) {
      napi_value bytes;
      napi_create_double(env, static_cast<double>(op->written.load()), &bytes);
      napi_resolve_deferred(env, op->deferred, bytes);
    } else {
      napi_value buffer;
      napi_create_buffer_copy(env, op->out.size(), op->out.data(), nullptr, &buffer);
      napi_resolve_deferred(env, op->deferred, buffer);
    }
  }
  napi_release_threadsafe_function(op->events, napi_tsfn_release);
  delete op;
}

// Claims the connection for one operation; null (with a JavaScript error thrown) when it is busy or closed.
ConnectionRef* Claim(napi_env env, napi_value value) {
  ConnectionRef* conn = ExternalOf<ConnectionRef>(env, value);
  if (conn == nullptr) return ThrowType(env, "not a connection"), nullptr;
  std::lock_guard<std::mutex> lock((*conn)->mu);
  if ((*conn)->closed) return ThrowType(env, "the connection is closed"), nullptr;
  if ((*conn)->busy) return ThrowType(env, "the connection is busy"), nullptr;
  (*conn)->busy = true;
  return conn;
}

// An operation of `kind` on the connection writing to (a duplicate of) the descriptor `fd`; null (with a
// JavaScript error thrown) when the descriptor is not open or the connection cannot be claimed.
Op* OpWritingTo(napi_env env, napi_value connection, napi_value fd, Kind kind, const char* not_open) {
  int32_t given = -1;
  napi_get_value_int32(env, fd, &given);
  int own = given < 0 ? -1 : DuplicateFd(given);
  if (own < 0) return ThrowType(env, not_open), nullptr;
  ConnectionRef* conn = Claim(env, connection);
  if (conn == nullptr) {
    close(own);
    return nullptr;
  }
  Op* op = new Op();
  op->kind = kind;
  op->conn = *conn;
  op->file_fd = own;
  return op;
}

napi_value Start(napi_env env, Op* op, napi_value on_progress) {
  return StartThread(env, "wharf_http", on_progress, OnEvent, &op->deferred, &op->events, [op] { Run(op); });
}

// Reads argc arguments; false (with a TypeError thrown) when fewer came.
bool Args(napi_env env, napi_callback_info info, size_t argc, napi_value* argv, const char* usage) {
  size_t got = argc;
  napi_get_cb_info(env, info, &got, argv, nullptr, nullptr);
  if (got < argc) return ThrowType(env, usage), false;
  return true;
}

int32_t Int(napi_env env, napi_value value) {
  int32_t v = 0;
  napi_get_value_int32(env, value, &v);
  return v;
}

}  // namespace

napi_value TlsContextNew(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!Args(env, info, 2, argv, "tlsContext(caPem, verify)")) return nullptr;
  bool verify = true;
  napi_get_value_bool(env, argv[1], &verify);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return ThrowType(env, "tlsContext: OpenSSL could not make a context");
  auto* ref = new TlsContextRef(std::make_shared<TlsContext>());
  (*ref)->ctx = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_read_ahead(ctx, 1);
  static const unsigned char alpn[] = "\x08http/1.1";
  SSL_CTX_set_alpn_protos(ctx, alpn, sizeof alpn - 1);
  if (!verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return MakeExternal(env, ref);
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  std::string pem = StringArg(env, argv[0]);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    if (X509_STORE_add_cert(store, cert) == 1) added++;
    X509_free(cert);
  }
  BIO_free(bio);
  ERR_clear_error();  // the end of the PEM text leaves an error behind
  if (added == 0) {
    delete ref;
    return ThrowType(env, "tlsContext: no trusted certificate in caPem");
  }
  return MakeExternal(env, ref);
}

napi_value ConnOpen(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, 4, argv, "connOpen(fd, tlsContext, host, head)")) return nullptr;
  int32_t fd = Int(env, argv[0]);
  TlsContextRef* tls = ExternalOf<TlsContextRef>(env, argv[1]);
  void* head = nullptr;
  size_t head_len = 0;
  bool is_buffer = false;
  napi_is_buffer(env, argv[3], &is_buffer);
  if (fd < 0 || !is_buffer) return ThrowType(env, "connOpen: fd must be a descriptor, head a Buffer");
  napi_get_buffer_info(env, argv[3], &head, &head_len);
  auto* conn = new ConnectionRef(std::make_shared<Connection>());
  Connection* c = conn->get();
  c->fd = fd;
  if (tls != nullptr) c->tls = *tls;
  c->host = StringArg(env, argv[2]);
  c->buf.resize(std::max(kSmallBuffer, head_len + kSmallBuffer));
  memcpy(c->buf.data(), head, head_len);
  c->lim = head_len;
  return MakeExternal(env, conn);
}

napi_value ConnExchange(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!Args(env, info, 4, argv, "connExchange(conn, request, timeoutMs, handshakeTimeoutMs)")) return nullptr;
  void* data = nullptr;
  size_t len = 0;
  bool is_buffer = false;
  napi_is_buffer(env, argv[1], &is_buffer);
  if (!is_buffer) return ThrowType(env, "connExchange: request must be a Buffer");
  ConnectionRef* conn = Claim(env, argv[0]);
  if (conn == nullptr) return nullptr;
  napi_get_buffer_info(env, argv[1], &data, &len);
  Op* op = new Op();
  op->kind = Kind::kExchange;
  op->conn = *conn;
  op->request.assign(static_cast<char*>(data), len);
  op->timeout_ms = Int(env, argv[2]);
  op->handshake_timeout_ms = Int(env, argv[3]);
  return Start(env, op, nullptr);
}

napi_value ConnBeginBody(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, 3, argv, "connBeginBody(conn, mode, length)")) return nullptr;
  ConnectionRef* conn = ExternalOf<ConnectionRef>(env, argv[0]);
  int64_t length = 0;
  napi_get_value_int64(env, argv[2], &length);
  int32_t mode = Int(env, argv[1]);
  if (conn == nullptr || mode < 0 || mode > 3 || length < 0) return ThrowType(env, "connBeginBody(conn, mode 0-3, length >= 0)");
  Connection* c = conn->get();
  c->mode = static_cast<Connection::Mode>(mode);
  c->phase = Connection::Phase::kSize;
  c->remaining = static_cast<uint64_t>(length);
  c->body_bytes = 0;
  return nullptr;
}

napi_value ConnReceive(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!Args(env, info, 8, argv, "connReceive(conn, fileFd, algorithm, maxBytes, timeoutMs, onProgress, position, hasher)")) return nullptr;
  std::string algorithm = StringArg(env, argv[2]);
  const EVP_MD* md = algorithm == "sha256" ? EVP_sha256() : algorithm == "sha512" ? EVP_sha512() : nullptr;
  if (md == nullptr) return ThrowType(env, "connReceive: algorithm must be sha256 or sha512");
  int64_t position = 0;
  napi_get_value_int64(env, argv[6], &position);
  napi_valuetype hasher_type;
  napi_typeof(env, argv[7], &hasher_type);
  HasherRef* hasher = hasher_type == napi_undefined ? nullptr : HasherOf(env, argv[7]);
  if (position < 0 || (hasher_type != napi_undefined && hasher == nullptr)) {
    return ThrowType(env, "connReceive: position must be >= 0, hasher undefined or from hasher()");
  }
  if (hasher != nullptr && (*hasher)->md != md) {
    return ThrowType(env, "connReceive: the hasher's algorithm is not `algorithm`");
  }
  Op* op = OpWritingTo(env, argv[0], argv[1], Kind::kReceive, "connReceive: the file descriptor is not open");
  if (op == nullptr) return nullptr;
  op->md = md;
  op->position = static_cast<uint64_t>(position);
  if (hasher != nullptr) op->hasher = *hasher;
  napi_get_value_int64(env, argv[3], &op->max_bytes);
  op->timeout_ms = Int(env, argv[4]);
  return Start(env, op, argv[5]);
}

napi_value ConnReadBody(napi_env env, napi_callback_info info, bool one_piece) {
  napi_value argv[3];
  if (!Args(env, info, 3, argv, one_piece ? "connReadChunk(conn, max, timeoutMs)" : "connRead(conn, limit, timeoutMs)")) return nullptr;
  int64_t limit = 0;
  napi_get_value_int64(env, argv[1], &limit);
  if (limit <= 0) return ThrowType(env, "connRead: the limit must be positive");
  ConnectionRef* conn = Claim(env, argv[0]);
  if (conn == nullptr) return nullptr;
  Op* op = new Op();
  op->kind = one_piece ? Kind::kReadChunk : Kind::kRead;
  op->conn = *conn;
  op->limit = static_cast<size_t>(limit);
  op->timeout_ms = Int(env, argv[2]);
  return Start(env, op, nullptr);
}

napi_value ConnRead(napi_env env, napi_callback_info info) { return ConnReadBody(env, info, false); }

napi_value ConnRelay(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!Args(env, info, 3, argv, "connRelay(conn, socketFd, timeoutMs)")) return nullptr;
  Op* op = OpWritingTo(env, argv[0], argv[1], Kind::kRelay, "connRelay: the socket descriptor is not open");
  if (op == nullptr) return nullptr;
  op->timeout_ms = Int(env, argv[2]);
  return Start(env, op, nullptr);
}
napi_value ConnReadChunk(napi_env env, napi_callback_info info) { return ConnReadBody(env, info, true); }

// The connection of a function whose one argument is a connection; null (with a TypeError thrown) otherwise.
ConnectionRef* ConnectionArg(napi_env env, napi_callback_info info, const char* usage) {
  napi_value argv[1];
  if (!Args(env, info, 1, argv, usage)) return nullptr;
  ConnectionRef* conn = ExternalOf<ConnectionRef>(env, argv[0]);
  if (conn == nullptr) ThrowType(env, usage);
  return conn;
}

napi_value ConnBuffered(napi_env env, napi_callback_info info) {
  ConnectionRef* conn = ConnectionArg(env, info, "connBuffered(conn)");
  if (conn == nullptr) return nullptr;
  napi_value result;
  napi_create_double(env, static_cast<double>((*conn)->lim - (*conn)->pos), &result);
  return result;
}

// connTakeBuffered(conn) -> the bytes read past the body (the next request of a server connection, which goes
// back to Node's parser); the connection holds none afterwards.
napi_value ConnTakeBuffered(napi_env env, napi_callback_info info) {
  ConnectionRef* conn = ConnectionArg(env, info, "connTakeBuffered(conn)");
  if (conn == nullptr) return nullptr;
  Connection* c = conn->get();
  std::lock_guard<std::mutex> lock(c->mu);
  if (c->busy) return ThrowType(env, "connTakeBuffered: the connection is busy");
  napi_value result;
  napi_create_buffer_copy(env, c->lim - c->pos, c->buf.data() + c->pos, nullptr, &result);
  c->pos = c->lim;
  return result;
}

napi_value ConnClose(napi_env env, napi_callback_info info) {
  ConnectionRef* conn = ConnectionArg(env, info, "connClose(conn)");
  if (conn == nullptr) return nullptr;
  Connection* c = conn->get();
  std::lock_guard<std::mutex> lock(c->mu);
  if (c->closed) return nullptr;
  c->closed = true;
  if (c->busy) {
    // Wake the operation (it fails with ECONNABORTED); it releases the connection when it ends.
    c->aborted.store(true);
    if (c->fd >= 0) shutdown(c->fd, SHUT_RDWR);
  } else {
    c->ReleaseLocked();
  }
  return nullptr;
}
