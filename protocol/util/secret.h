// Memory for key material: wiped (OPENSSL_cleanse) when released, never copied implicitly, and
// with no way to print it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/bytes.h"

namespace lp {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size);
  SecretBytes(const uint8_t *data, size_t size);
  ~SecretBytes();
  SecretBytes(SecretBytes &&other) noexcept;
  SecretBytes &operator=(SecretBytes &&other) noexcept;
  SecretBytes(const SecretBytes &) = delete;
  SecretBytes &operator=(const SecretBytes &) = delete;

  // An explicit copy, so every duplication of a secret is visible at the call site.
  SecretBytes clone() const { return SecretBytes(data_, size_); }

  uint8_t *data() { return data_; }
  const uint8_t *data() const { return data_; }
  size_t size() const { return size_; }
  ByteView view() const { return ByteView(data_, size_); }

 private:
  void release();
  uint8_t *data_ = nullptr;
  size_t size_ = 0;
};

// Wipes a std::string that held a password or key text.
void wipe_string(std::string &s);

// Fills the buffer from OpenSSL's CSPRNG; throws lp::Error if it fails.
void random_bytes(uint8_t *out, size_t len);

}  // namespace lp
