// hasher(algorithm) / hasherUpdate(hasher, buffer) / hasherDigest(hasher): the JavaScript side of hasher.h.
#include "hasher.h"

#include <string.h>

#include "napi-util.h"

// Marks the externals made here, so that a gate or a connection passed by mistake is refused.
static const napi_type_tag kHasherTag = {0x7768617266686173ULL, 0x6865723a73686132ULL};

std::string Hasher::HexDigestLocked() const {
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX_copy_ex(copy, ctx);
  EVP_DigestFinal_ex(copy, md, &len);
  EVP_MD_CTX_free(copy);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; i++) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

HasherRef* HasherOf(napi_env env, napi_value value) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok || type != napi_external) return nullptr;
  void* data = nullptr;
  napi_get_value_external(env, value, &data);
  // Externals of other kinds (gates, connections) are told apart by a tag.
  bool tagged = false;
  napi_check_object_type_tag(env, value, &kHasherTag, &tagged);
  return tagged ? static_cast<HasherRef*>(data) : nullptr;
}

namespace {

// Reads up to `max` arguments into argv (their count into *argc); the first one's hasher, or null.
HasherRef* HasherArgs(napi_env env, napi_callback_info info, napi_value* argv, size_t max, size_t* argc) {
  *argc = max;
  napi_get_cb_info(env, info, argc, argv, nullptr, nullptr);
  return *argc >= 1 ? HasherOf(env, argv[0]) : nullptr;
}

}  // namespace

// hasher("sha256" | "sha512") -> a new running hash, no bytes yet.
napi_value HasherNew(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  char algorithm[16] = {0};
  size_t len = 0;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], algorithm, sizeof algorithm, &len) != napi_ok) {
    return ThrowType(env, "hasher(algorithm)");
  }
  const EVP_MD* md = strcmp(algorithm, "sha256") == 0 ? EVP_sha256() : strcmp(algorithm, "sha512") == 0 ? EVP_sha512() : nullptr;
  if (md == nullptr) return ThrowType(env, "hasher: algorithm must be sha256 or sha512");
  auto* ref = new HasherRef(std::make_shared<Hasher>());
  (*ref)->md = md;
  (*ref)->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex((*ref)->ctx, md, nullptr);
  napi_value external;
  napi_create_external(env, ref, [](napi_env, void* data, void*) { delete static_cast<HasherRef*>(data); }, nullptr, &external);
  napi_type_tag_object(env, external, &kHasherTag);
  return external;
}

// hasherUpdate(hasher, buffer): adds the bytes.
napi_value HasherUpdate(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 0;
  HasherRef* hasher = HasherArgs(env, info, argv, 2, &argc);
  bool is_buffer = false;
  if (argc >= 2) napi_is_buffer(env, argv[1], &is_buffer);
  if (hasher == nullptr || !is_buffer) return ThrowType(env, "hasherUpdate(hasher, buffer)");
  void* data = nullptr;
  size_t len = 0;
  napi_get_buffer_info(env, argv[1], &data, &len);
  std::lock_guard<std::mutex> lock((*hasher)->mu);
  EVP_DigestUpdate((*hasher)->ctx, data, len);
  return nullptr;
}

// hasherDigest(hasher) -> lowercase hex digest of the bytes so far (the hash goes on).
napi_value HasherDigest(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 0;
  HasherRef* hasher = HasherArgs(env, info, argv, 1, &argc);
  if (hasher == nullptr) return ThrowType(env, "hasherDigest(hasher)");
  std::string hex;
  {
    std::lock_guard<std::mutex> lock((*hasher)->mu);
    hex = (*hasher)->HexDigestLocked();
  }
  napi_value result;
  napi_create_string_utf8(env, hex.data(), hex.size(), &result);
  return result;
}
