// How far a file being written by an ingest (ingest.cc) may be read by the senders that follow it
// (sendfile.cc). Shared by the threads of both, so it is reference-counted and locked.
#pragma once

#include <node_api.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

struct GrowingFile {
  std::mutex mutex;
  std::condition_variable changed;
  // Bytes from offset 0 a follower may send. The writer keeps the last byte back until the digest is
  // verified, so no client ever receives a complete response of a blob that then fails verification.
  uint64_t readable = 0;
  bool failed = false;

  void Advance(uint64_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      readable = bytes;
    }
    changed.notify_all();
  }

  void Fail() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      failed = true;
    }
    changed.notify_all();
  }

  // Blocks until more than `offset` bytes are readable (returns how many) or the write failed (returns 0).
  uint64_t WaitPast(uint64_t offset) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return failed || readable > offset; });
    return failed ? 0 : readable;
  }
};

using GrowingFileRef = std::shared_ptr<GrowingFile>;

// The GrowingFileRef inside a value made by WrapGrowingFile (ingest's `growing`), or null.
GrowingFileRef* GrowingFileOf(napi_env env, napi_value value);
napi_value WrapGrowingFile(napi_env env, const GrowingFileRef& file);
