#include "contracts/artifacts.h"

#include <string>

namespace lp::contracts {

Bytes Artifact::bytecode() const {
  std::string hex;
  for (const char *const *chunk = bytecode_hex; *chunk; ++chunk) {
    hex += *chunk;
  }
  return from_hex(hex, name, HexPrefix::kForbidden);
}

bool available() {
  return !all().empty();
}

const Artifact &get(std::string_view name) {
  if (!available()) {
    throw Error(
        "this build has no contract bytecode: node and node_modules/solc were missing when it "
        "was configured (run scripts/deps.sh, then reconfigure)");
  }
  for (const Artifact &a : all()) {
    if (name == a.name) {
      return a;
    }
  }
  throw Error("no contract named " + std::string(name));
}

}  // namespace lp::contracts
