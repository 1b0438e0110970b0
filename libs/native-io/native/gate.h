// How far readers may read a file that is still being written (a proxy's cold fill): a bound that
// JavaScript sets (libs/blobstore's ReceivingFile decides it, holding the last byte back until the digest
// matched) and that the sendfile threads (sendfile.cc) wait on. Shared by threads, so reference-counted and locked.
#pragma once

#include <node_api.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

struct Gate {
  std::mutex mutex;
  std::condition_variable changed;
  uint64_t readable = 0;  // bytes from offset 0 a reader may send
  bool failed = false;

  void Set(uint64_t bytes) {
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

using GateRef = std::shared_ptr<Gate>;

// The GateRef inside a value made by the `gate` function (gate.cc), or null.
GateRef* GateOf(napi_env env, napi_value value);
