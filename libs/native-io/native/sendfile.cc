// sendfile(2) from a blob file to a client socket, on a thread of its own, for Node.
//
// Node copies every byte of a download twice (file -> buffer, buffer -> socket) on its one JavaScript
// thread; sendfile moves page-cache pages to the socket inside the kernel, off that thread. The socket is
// libuv's (non-blocking) and JavaScript must not write to it meanwhile: the caller waits for the promise.
// Both descriptors are dup()ed, so a socket or file JavaScript closes meanwhile cannot be replaced by a
// new one under the same number while this thread still writes. A file still being written is followed
// through its gate (gate.h): the thread sends what the gate allows and waits for more.
#include "gate.h"
#include "napi-util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>

int DuplicateFd(int fd) { return fcntl(fd, F_DUPFD_CLOEXEC, 0); }

namespace {

struct Job {
  int socket_fd = -1;
  int file_fd = -1;
  off_t offset = 0;
  uint64_t count = 0;
  int idle_timeout_ms = 0;
  uint64_t sent = 0;
  int error = 0;          // errno of the failure, 0 when every byte went out
  bool file_ended = false; // the file was shorter than offset + count
  bool source_failed = false; // the followed write failed
  GateRef gate;               // set when following a file being written
  napi_deferred deferred = nullptr;
  napi_threadsafe_function done = nullptr;
};

void Transfer(Job* job) {
  const uint64_t end = static_cast<uint64_t>(job->offset) + job->count;
  while (job->sent < job->count) {
    uint64_t left = job->count - job->sent;
    if (job->gate) {
      uint64_t readable = job->gate->WaitPast(static_cast<uint64_t>(job->offset));
      if (readable == 0) {
        job->source_failed = true;
        break;
      }
      left = std::min(readable, end) - static_cast<uint64_t>(job->offset);
    }
    size_t chunk = left > (1u << 30) ? (1u << 30) : static_cast<size_t>(left);
    ssize_t n = sendfile(job->socket_fd, job->file_fd, &job->offset, chunk);
    if (n > 0) {
      job->sent += static_cast<uint64_t>(n);
      continue;
    }
    if (n == 0) {
      job->file_ended = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      job->error = errno;
      break;
    }
    // The socket buffer is full: wait until the client takes bytes (or goes away, or idles too long).
    struct pollfd p = {job->socket_fd, POLLOUT, 0};
    int r = poll(&p, 1, job->idle_timeout_ms);
    if (r == 0) {
      job->error = ETIMEDOUT;
      break;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      job->error = errno;
      break;
    }
    if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(p.revents & POLLOUT)) {
      job->error = EPIPE;
      break;
    }
  }
  close(job->socket_fd);
  close(job->file_fd);
  napi_call_threadsafe_function(job->done, job, napi_tsfn_blocking);
}

void Settle(napi_env env, napi_value /*js_callback*/, void* /*context*/, void* data) {
  Job* job = static_cast<Job*>(data);
  if (env != nullptr) {
    if (job->error == 0 && !job->file_ended && !job->source_failed) {
      napi_value sent;
      napi_create_double(env, static_cast<double>(job->sent), &sent);
      napi_resolve_deferred(env, job->deferred, sent);
    } else {
      std::string message = job->source_failed ? "the blob being written failed"
                            : job->file_ended  ? "the file ended before the requested bytes"
                                               : std::string("sendfile: ") + strerror(job->error);
      // A client that went away is named as Node names it, so the server treats it as normal traffic.
      const char* code = job->source_failed                                   ? "ESOURCE"
                         : job->file_ended                                    ? "EOF"
                         : job->error == ETIMEDOUT                            ? "ETIMEDOUT"
                         : job->error == EPIPE                                ? "EPIPE"
                         : job->error == ECONNRESET                           ? "ECONNRESET"
                                                                              : "ESENDFILE";
      napi_reject_deferred(env, job->deferred, MakeError(env, message, code, static_cast<double>(job->sent), "bytesSent"));
    }
  }
  napi_release_threadsafe_function(job->done, napi_tsfn_release);
  delete job;
}

}  // namespace

// send(socketFd, fileFd, offset, count, idleTimeoutMs[, gate]) -> Promise<number of bytes sent>
// `gate` (from gate()) makes it follow a file still being written.
napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 5) return ThrowType(env, "send(socketFd, fileFd, offset, count, idleTimeoutMs[, gate])");
  GateRef* gate = nullptr;
  if (argc == 6) {
    napi_valuetype type;
    napi_typeof(env, argv[5], &type);
    if (type != napi_undefined && (gate = GateOf(env, argv[5])) == nullptr) return ThrowType(env, "send: gate must come from gate()");
  }
  int32_t socket_fd, file_fd, timeout;
  int64_t offset, count;
  if (napi_get_value_int32(env, argv[0], &socket_fd) != napi_ok || napi_get_value_int32(env, argv[1], &file_fd) != napi_ok ||
      napi_get_value_int64(env, argv[2], &offset) != napi_ok || napi_get_value_int64(env, argv[3], &count) != napi_ok ||
      napi_get_value_int32(env, argv[4], &timeout) != napi_ok || socket_fd < 0 || file_fd < 0 || offset < 0 || count < 0 ||
      timeout <= 0) {
    return ThrowType(env, "send: descriptors, offset and count must be non-negative integers, the timeout positive");
  }
  int s = DuplicateFd(socket_fd);
  if (s < 0) return ThrowType(env, "send: the socket descriptor is not open");
  int f = DuplicateFd(file_fd);
  if (f < 0) {
    close(s);
    return ThrowType(env, "send: the file descriptor is not open");
  }
  Job* job = new Job();
  job->socket_fd = s;
  job->file_fd = f;
  job->offset = static_cast<off_t>(offset);
  job->count = static_cast<uint64_t>(count);
  job->idle_timeout_ms = timeout;
  if (gate) job->gate = *gate;
  return StartThread(env, "wharf_sendfile", nullptr, Settle, &job->deferred, &job->done, [job] { Transfer(job); });
}

