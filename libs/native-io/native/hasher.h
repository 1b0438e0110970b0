// A running hash that lives between operations: an upload's SHA-256, continued by every append whether its
// bytes pass through JavaScript (hasherUpdate) or through a receive thread of the addon (connection.h), so
// that completing the upload needs no second read of its file. One user at a time: JavaScript serialises the
// appends of a session; a thread using it holds `mu`.
#pragma once

#include <node_api.h>
#include <openssl/evp.h>

#include <memory>
#include <mutex>
#include <string>

struct Hasher {
  std::mutex mu;
  const EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
  ~Hasher() {
    if (ctx != nullptr) EVP_MD_CTX_free(ctx);
  }
  // Lowercase hex digest of the bytes so far; the state goes on (the digest is taken from a copy).
  std::string HexDigestLocked() const;
};
using HasherRef = std::shared_ptr<Hasher>;

// The HasherRef inside a value made by `hasher` (hasher.cc), or null.
HasherRef* HasherOf(napi_env env, napi_value value);
