// An HTTP/1.1 client connection driven from JavaScript, whose bytes never enter JavaScript: plain TCP or
// TLS (OpenSSL, the copy inside the Node binary), on a socket JavaScript connected and handed over. Each
// operation (send a request and read the response head; receive the body into a file while hashing it;
// read a small body) runs on a thread of its own, so the JavaScript thread only parses heads and decides.
#pragma once

#include <openssl/ssl.h>
#include <poll.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// A trust configuration: OpenSSL's client context with its CA store (tls-context.cc).
struct TlsContext {
  SSL_CTX* ctx = nullptr;
  ~TlsContext() {
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
};
using TlsContextRef = std::shared_ptr<TlsContext>;

// Why an operation stopped. `code` names it the way Node would (ECONNRESET, ETIMEDOUT, TLS verification
// codes...) or is one of ours: EOF (closed too early), EPROTO (not HTTP/1.1 framing), ETOOBIG, EWRITE (file).
struct Failure {
  const char* code = nullptr;
  std::string message;
  bool client = false;  // a relay's failure on the side of the socket it writes to (its peer went away...)
  bool Set(const char* c, std::string m) {
    code = c;
    message = std::move(m);
    return false;
  }
};

struct Connection {
  int fd = -1;
  SSL* ssl = nullptr;  // created by the handshake; null for plain TCP
  TlsContextRef tls;   // null for plain TCP
  std::string host;    // for SNI and the certificate check
  bool handshaken = false;
  // One operation at a time; JavaScript may close the connection meanwhile (which aborts the operation).
  std::mutex mu;
  bool busy = false;
  bool closed = false;
  std::atomic<bool> aborted{false};

  // Bytes read but not consumed yet: [pos, lim) of buf.
  std::vector<char> buf;
  size_t pos = 0;
  size_t lim = 0;
  bool eof = false;
  // Bytes of the current response received so far (a request that failed before any may be retried).
  uint64_t response_bytes = 0;

  // Body framing of the current response.
  enum class Mode { kNone, kLength, kChunked, kUntilClose } mode = Mode::kNone;
  enum class Phase { kSize, kData, kDataEnd, kTrailers } phase = Phase::kSize;
  uint64_t remaining = 0;  // of the whole body (kLength) or of the current chunk (kChunked, kData)
  uint64_t body_bytes = 0;

  ~Connection();
  // Frees the TLS state and closes the socket (under `mu`, once no operation runs).
  void ReleaseLocked();

  bool WaitFor(short events, int timeout_ms, Failure* f);
  // One read into dst: > 0 bytes, 0 at end of stream, -1 on failure. Waits up to timeout_ms for data.
  ssize_t ReadOnce(char* dst, size_t n, int timeout_ms, Failure* f);
  bool WriteAll(const char* data, size_t n, int timeout_ms, Failure* f);
  bool Handshake(const std::string& host, int timeout_ms, Failure* f);
  // Reads more into buf (whatever is available once something is); false on failure, `eof` at the end.
  bool Fill(int timeout_ms, Failure* f);
  bool ReadHead(std::string* head, int timeout_ms, Failure* f);
  bool ReadLine(std::string* line, int timeout_ms, Failure* f);
  // The next piece of body data (at most `max` bytes) in buf: 1 with *data/*n set, 0 when the body is
  // complete, -1 on failure.
  int NextPiece(const char** data, size_t* n, size_t max, int timeout_ms, Failure* f);
};
using ConnectionRef = std::shared_ptr<Connection>;
