#include "util/secret.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <utility>

namespace lp {

SecretBytes::SecretBytes(size_t size) : data_(size ? new uint8_t[size]() : nullptr), size_(size) {}

SecretBytes::SecretBytes(const uint8_t *data, size_t size) : SecretBytes(size) {
  if (size) {
    std::memcpy(data_, data, size);
  }
}

SecretBytes::~SecretBytes() {
  release();
}

SecretBytes::SecretBytes(SecretBytes &&other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes &SecretBytes::operator=(SecretBytes &&other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SecretBytes::release() {
  if (data_) {
    OPENSSL_cleanse(data_, size_);
    delete[] data_;
  }
  data_ = nullptr;
  size_ = 0;
}

void wipe_string(std::string &s) {
  if (!s.empty()) {
    OPENSSL_cleanse(&s[0], s.size());
  }
  s.clear();
}

void random_bytes(uint8_t *out, size_t len) {
  while (len > 0) {
    int chunk = len > INT_MAX ? INT_MAX : static_cast<int>(len);
    if (RAND_bytes(out, chunk) != 1) {
      throw Error("random number generator failed");
    }
    out += chunk;
    len -= static_cast<size_t>(chunk);
  }
}

}  // namespace lp
