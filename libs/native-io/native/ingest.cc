// Receives a blob body from a connected socket into a file on a thread of its own, hashing it as the
// bytes arrive: a proxy's cold fill with no byte passing through JavaScript, whose buffers and
// collections made the JavaScript path several times slower than the network. JavaScript is told the
// progress and, at the end, the digest; it decides what followers may read (gate.h) and whether the
// digest is the expected one.
#include <errno.h>
#include <openssl/evp.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "napi-util.h"

namespace {

constexpr size_t kBufferBytes = 1 << 20;

struct Ingest {
  int socket_fd = -1;
  int file_fd = -1;
  std::vector<char> head;  // bytes JavaScript already read off the socket; they come first
  uint64_t total = 0;
  const EVP_MD* md = nullptr;
  int idle_timeout_ms = 0;
  std::atomic<uint64_t> written{0};
  std::atomic<bool> progress_queued{false};
  std::string digest;      // hex digest of the whole body, once complete
  std::string failure;     // why it stopped, when it did
  const char* code = nullptr;
  napi_deferred deferred = nullptr;
  napi_threadsafe_function events = nullptr;  // progress calls, then one final settle call
};

struct Event {
  Ingest* job;
  bool final;
};

void Queue(Ingest* job, bool final) {
  napi_call_threadsafe_function(job->events, new Event{job, final}, final ? napi_tsfn_blocking : napi_tsfn_nonblocking);
}

void Fail(Ingest* job, const char* code, const std::string& message) {
  job->code = code;
  job->failure = message;
}

// Hashes and writes one piece at the current end of the file; false (with the failure set) on a write error.
bool Store(Ingest* job, EVP_MD_CTX* hash, const char* data, size_t n) {
  EVP_DigestUpdate(hash, data, n);
  uint64_t at = job->written.load();
  while (n > 0) {
    ssize_t w = pwrite(job->file_fd, data, n, static_cast<off_t>(at));
    if (w < 0) {
      if (errno == EINTR) continue;
      Fail(job, "EWRITE", std::string("writing the blob file: ") + strerror(errno));
      return false;
    }
    data += w;
    n -= static_cast<size_t>(w);
    at += static_cast<uint64_t>(w);
  }
  job->written.store(at);
  if (!job->progress_queued.exchange(true)) Queue(job, false);
  return true;
}

// Reads exactly the missing bytes off the socket; false (with the failure set) when it cannot.
bool Receive(Ingest* job, EVP_MD_CTX* hash) {
  std::vector<char> buffer(kBufferBytes);
  while (job->written.load() < job->total) {
    uint64_t missing = job->total - job->written.load();
    ssize_t n = read(job->socket_fd, buffer.data(), static_cast<size_t>(std::min<uint64_t>(missing, buffer.size())));
    if (n > 0) {
      if (!Store(job, hash, buffer.data(), static_cast<size_t>(n))) return false;
      continue;
    }
    if (n == 0) {
      Fail(job, "EOF", "the connection closed after " + std::to_string(job->written.load()) + " of " +
                           std::to_string(job->total) + " bytes");
      return false;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      Fail(job, "EREAD", std::string("reading the socket: ") + strerror(errno));
      return false;
    }
    struct pollfd p = {job->socket_fd, POLLIN, 0};
    int r = poll(&p, 1, job->idle_timeout_ms);
    if (r == 0) {
      Fail(job, "ETIMEDOUT", "no data arrived for " + std::to_string(job->idle_timeout_ms) + " ms");
      return false;
    }
    if (r < 0 && errno != EINTR) {
      Fail(job, "EREAD", std::string("waiting for the socket: ") + strerror(errno));
      return false;
    }
  }
  return true;
}

void Run(Ingest* job) {
  EVP_MD_CTX* hash = EVP_MD_CTX_new();
  EVP_DigestInit_ex(hash, job->md, nullptr);
  bool ok = job->head.empty() || Store(job, hash, job->head.data(), job->head.size());
  std::vector<char>().swap(job->head);
  ok = ok && Receive(job, hash);
  if (ok) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(hash, md, &len);
    static const char* hex = "0123456789abcdef";
    for (unsigned int i = 0; i < len; i++) {
      job->digest.push_back(hex[md[i] >> 4]);
      job->digest.push_back(hex[md[i] & 15]);
    }
  }
  EVP_MD_CTX_free(hash);
  close(job->socket_fd);
  close(job->file_fd);
  Queue(job, true);
}

void OnEvent(napi_env env, napi_value on_progress, void* /*context*/, void* data) {
  Event* event = static_cast<Event*>(data);
  Ingest* job = event->job;
  bool final = event->final;
  delete event;
  if (!final) {
    job->progress_queued.store(false);
    if (env != nullptr) {
      napi_value bytes, undefined;
      napi_create_double(env, static_cast<double>(job->written.load()), &bytes);
      napi_get_undefined(env, &undefined);
      napi_call_function(env, undefined, on_progress, 1, &bytes, nullptr);
    }
    return;
  }
  if (env != nullptr) {
    if (job->code == nullptr) {
      napi_value digest;
      napi_create_string_utf8(env, job->digest.c_str(), job->digest.size(), &digest);
      napi_resolve_deferred(env, job->deferred, digest);
    } else {
      napi_reject_deferred(env, job->deferred, MakeError(env, job->failure, job->code, static_cast<double>(job->written.load()), "bytesWritten"));
    }
  }
  napi_release_threadsafe_function(job->events, napi_tsfn_release);
  delete job;
}

}  // namespace

// ingest(socketFd, fileFd, head, total, algorithm, idleTimeoutMs, onProgress) -> Promise<hex digest>
// Takes ownership of socketFd (a descriptor of its own, e.g. from dup); fileFd is duplicated. Writes `head`
// then exactly total - head.length bytes read off the socket into the file from offset 0, hashing them with
// `algorithm` ("sha256" or "sha512"), and calls onProgress(bytesWritten) now and then (coalesced).
napi_value IngestFn(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 7) return ThrowType(env, "ingest(socketFd, fileFd, head, total, algorithm, idleTimeoutMs, onProgress)");
  int32_t socket_fd, file_fd, timeout;
  int64_t total;
  bool is_buffer = false;
  napi_valuetype fn_type;
  napi_is_buffer(env, argv[2], &is_buffer);
  napi_typeof(env, argv[6], &fn_type);
  if (napi_get_value_int32(env, argv[0], &socket_fd) != napi_ok || napi_get_value_int32(env, argv[1], &file_fd) != napi_ok ||
      napi_get_value_int64(env, argv[3], &total) != napi_ok || napi_get_value_int32(env, argv[5], &timeout) != napi_ok ||
      socket_fd < 0 || file_fd < 0 || total < 0 || timeout <= 0 || !is_buffer || fn_type != napi_function) {
    return ThrowType(env, "ingest: descriptors and total must be non-negative integers, head a Buffer, the timeout positive");
  }
  void* head_data = nullptr;
  size_t head_len = 0;
  napi_get_buffer_info(env, argv[2], &head_data, &head_len);
  if (head_len > static_cast<uint64_t>(total)) return ThrowType(env, "ingest: head is longer than total");
  char algorithm[16] = {0};
  size_t algorithm_len = 0;
  napi_get_value_string_utf8(env, argv[4], algorithm, sizeof algorithm, &algorithm_len);
  const EVP_MD* md = strcmp(algorithm, "sha256") == 0 ? EVP_sha256() : strcmp(algorithm, "sha512") == 0 ? EVP_sha512() : nullptr;
  if (md == nullptr) return ThrowType(env, "ingest: algorithm must be sha256 or sha512");
  int f = DuplicateFd(file_fd);
  if (f < 0) return ThrowType(env, "ingest: the file descriptor is not open");
  Ingest* job = new Ingest();
  job->socket_fd = socket_fd;
  job->file_fd = f;
  job->head.assign(static_cast<char*>(head_data), static_cast<char*>(head_data) + head_len);
  job->total = static_cast<uint64_t>(total);
  job->md = md;
  job->idle_timeout_ms = timeout;
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "wharf_ingest", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[6], nullptr, name, 0, 1, nullptr, nullptr, nullptr, OnEvent, &job->events);
  std::thread(Run, job).detach();
  return promise;
}
