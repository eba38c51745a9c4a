// The creation bytecode of the protocol contracts in protocol/contracts/, compiled at build time
// by the pinned solc (compile.mjs). A build configured without node or node_modules/solc has an
// empty table: deployment then fails with a message saying so.
#pragma once

#include <string_view>
#include <vector>

#include "util/bytes.h"

namespace lp::contracts {

struct Artifact {
  const char *name;
  // Hex of the creation bytecode (no 0x), split in chunks; ends with nullptr.
  const char *const *bytecode_hex;

  Bytes bytecode() const;
};

// Every deployable contract, by name; empty when the contracts were not built.
const std::vector<Artifact> &all();

bool available();
// Throws lp::Error when the contract is unknown or the contracts were not built.
const Artifact &get(std::string_view name);

}  // namespace lp::contracts
