// The addon's entry: sendfile (sendfile.cc), gates (gate.cc), the HTTP connection (http-ops.cc), running
// hashes (hasher.cc), dup, releaseFreeMemory and mallocStats.
#include <malloc.h>
#include <unistd.h>

#include <utility>

#include "napi-util.h"

// Every function of the addon: its JavaScript name and its C++ implementation (in the files named above).
#define WHARF_FUNCTIONS(X)                                                                                   \
  X("send", Send) X("tlsContext", TlsContextNew) X("connOpen", ConnOpen) X("connExchange", ConnExchange)    \
  X("connBeginBody", ConnBeginBody) X("connReceive", ConnReceive) X("connRead", ConnRead)                   \
  X("connReadChunk", ConnReadChunk) X("connRelay", ConnRelay) X("connBuffered", ConnBuffered) X("connTakeBuffered", ConnTakeBuffered)  \
  X("connClose", ConnClose) X("gate", GateNew) X("gateSet", GateSet) X("gateFail", GateFail)                 \
  X("hasher", HasherNew) X("hasherUpdate", HasherUpdate) X("hasherDigest", HasherDigest)

#define WHARF_DECLARE(name, fn) napi_value fn(napi_env env, napi_callback_info info);
WHARF_FUNCTIONS(WHARF_DECLARE)

namespace {

// dup(fd) -> a new descriptor (close-on-exec) of the same open socket or file, owned by the caller.
napi_value Dup(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return ThrowType(env, "dup(fd)");
  int copy = DuplicateFd(fd);
  if (copy < 0) return ThrowType(env, "dup: the descriptor is not open");
  napi_value result;
  napi_create_int32(env, copy, &result);
  return result;
}

// releaseFreeMemory(): gives the pages malloc holds free back to the system (malloc_trim). glibc returns only
// the top of its heap by itself; what start-up and compilations freed in the middle stays resident otherwise.
napi_value ReleaseFreeMemory(napi_env /*env*/, napi_callback_info /*info*/) {
  malloc_trim(0);
  return nullptr;
}

// mallocStats(): what glibc's malloc holds (mallinfo2), in bytes: `arena` (heap obtained with brk/mmap'd arenas),
// `mmapped` (large blocks in their own mappings), `inUse` (allocated), `free` (free inside the arenas),
// `releasable` (free at the top of the main heap). Tells native allocations from allocator keep (memory probes).
napi_value MallocStats(napi_env env, napi_callback_info /*info*/) {
  struct mallinfo2 info = mallinfo2();
  napi_value result;
  napi_create_object(env, &result);
  const std::pair<const char*, size_t> fields[] = {
      {"arena", info.arena}, {"mmapped", info.hblkhd}, {"inUse", info.uordblks}, {"free", info.fordblks}, {"releasable", info.keepcost}};
  for (const auto& [name, bytes] : fields) {
    napi_value value;
    napi_create_double(env, static_cast<double>(bytes), &value);
    napi_set_named_property(env, result, name, value);
  }
  return result;
}

void Export(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value value;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &value);
  napi_set_named_property(env, exports, name, value);
}

napi_value Init(napi_env env, napi_value exports) {
#define WHARF_EXPORT(name, fn) Export(env, exports, name, fn);
  WHARF_FUNCTIONS(WHARF_EXPORT)
  Export(env, exports, "dup", Dup);
  Export(env, exports, "releaseFreeMemory", ReleaseFreeMemory);
  Export(env, exports, "mallocStats", MallocStats);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
