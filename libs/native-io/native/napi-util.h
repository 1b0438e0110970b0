// Small N-API helpers shared by the addon's functions.
#pragma once

#include <node_api.h>

#include <functional>
#include <string>
#include <thread>

inline napi_value ThrowType(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return nullptr;
}

// An Error with `code`, and `bytes` (how far the operation got) when given.
inline napi_value MakeError(napi_env env, const std::string& message, const char* code, double bytes, const char* bytesName) {
  napi_value msg, err, code_value, bytes_value;
  napi_create_string_utf8(env, message.c_str(), message.size(), &msg);
  napi_create_error(env, nullptr, msg, &err);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value);
  napi_set_named_property(env, err, "code", code_value);
  napi_create_double(env, bytes, &bytes_value);
  napi_set_named_property(env, err, bytesName, bytes_value);
  return err;
}

// A duplicate of `fd` (close-on-exec) this addon owns, or -1 when `fd` is not open.
int DuplicateFd(int fd);

// Runs `work` on a thread of its own and returns the promise `*deferred` belongs to; the thread reports back on
// the JavaScript thread through `*events` (created here, calling `call_js` with `js_fn`, which may be null).
inline napi_value StartThread(napi_env env, const char* name, napi_value js_fn, napi_threadsafe_function_call_js call_js,
                              napi_deferred* deferred, napi_threadsafe_function* events, std::function<void()> work) {
  napi_value promise, resource;
  napi_create_promise(env, deferred, &promise);
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource);
  napi_create_threadsafe_function(env, js_fn, nullptr, resource, 0, 1, nullptr, nullptr, nullptr, call_js, events);
  std::thread(std::move(work)).detach();
  return promise;
}
