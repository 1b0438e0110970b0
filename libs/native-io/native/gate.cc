// gate() / gateSet(gate, readable) / gateFail(gate): the JavaScript side of gate.h.
#include "gate.h"

#include "napi-util.h"

GateRef* GateOf(napi_env env, napi_value value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return nullptr;
  void* data = nullptr;
  napi_get_value_external(env, value, &data);
  return static_cast<GateRef*>(data);
}

// gate() -> a new gate, nothing readable yet.
napi_value GateNew(napi_env env, napi_callback_info /*info*/) {
  napi_value external;
  napi_create_external(
      env, new GateRef(std::make_shared<Gate>()), [](napi_env, void* data, void*) { delete static_cast<GateRef*>(data); }, nullptr,
      &external);
  return external;
}

// gateSet(gate, readable): readers may now send the first `readable` bytes.
// gateFail(gate): the write failed; readers waiting on it stop with ESOURCE.
napi_value GateUpdate(napi_env env, napi_callback_info info, bool fail) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  GateRef* gate = argc >= 1 ? GateOf(env, argv[0]) : nullptr;
  int64_t readable = 0;
  if (gate == nullptr || (!fail && (argc < 2 || napi_get_value_int64(env, argv[1], &readable) != napi_ok || readable < 0))) {
    return ThrowType(env, fail ? "gateFail(gate)" : "gateSet(gate, readable)");
  }
  if (fail) (*gate)->Fail();
  else (*gate)->Set(static_cast<uint64_t>(readable));
  return nullptr;
}

napi_value GateSet(napi_env env, napi_callback_info info) { return GateUpdate(env, info, false); }
napi_value GateFail(napi_env env, napi_callback_info info) { return GateUpdate(env, info, true); }
