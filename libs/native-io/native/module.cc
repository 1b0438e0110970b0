// The addon's entry: sendfile (sendfile.cc), gates (gate.cc), ingest (ingest.cc) and dup.
#include <unistd.h>

#include "napi-util.h"

napi_value Send(napi_env env, napi_callback_info info);
napi_value IngestFn(napi_env env, napi_callback_info info);
napi_value GateNew(napi_env env, napi_callback_info info);
napi_value GateSet(napi_env env, napi_callback_info info);
napi_value GateFail(napi_env env, napi_callback_info info);

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

void Export(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value value;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &value);
  napi_set_named_property(env, exports, name, value);
}

napi_value Init(napi_env env, napi_value exports) {
  Export(env, exports, "send", Send);
  Export(env, exports, "ingest", IngestFn);
  Export(env, exports, "dup", Dup);
  Export(env, exports, "gate", GateNew);
  Export(env, exports, "gateSet", GateSet);
  Export(env, exports, "gateFail", GateFail);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
