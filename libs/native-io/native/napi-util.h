// Small N-API helpers shared by the addon's functions.
#pragma once

#include <node_api.h>

#include <string>

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
