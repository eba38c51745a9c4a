// The directory backend of ObjectStore.
#pragma once

#include "storage/objectstore.h"

namespace lp {

class LocalStore final : public ObjectStore {
 public:
  // The directory is created (with parents) if missing.
  static std::unique_ptr<LocalStore> open(const std::string &dir, GError **error);

  bool put(const std::string &key, GBytes *data, const ObjectAttrs &attrs, GError **error) override;
  bool remove(const std::string &key, GError **error) override;
  std::string url(const std::string &key) const override;
  std::string describe() const override { return root_; }
  std::string local_path(const std::string &key) const override;

 private:
  explicit LocalStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace lp
