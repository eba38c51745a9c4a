// Values the JSON-RPC client returns and takes, with their JSON conversions (quantities as
// 0x-hex, data as 0x-hex, as the Ethereum JSON-RPC spec writes them).
#pragma once

#include <json-glib/json-glib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/address.h"
#include "eth/uint256.h"
#include "util/bytes.h"
#include "util/glib_ptr.h"

namespace lp::eth {

// "latest", "pending", "earliest", "safe", "finalized" or a block number.
struct BlockTag {
  std::string tag = "latest";
  static BlockTag latest() { return {}; }
  static BlockTag pending() { return {"pending"}; }
  static BlockTag number(uint64_t n);
};

struct CallRequest {
  std::optional<crypto::Address> from;
  std::optional<crypto::Address> to;  // none: contract creation
  Bytes data;
  std::optional<U256> value;
  std::optional<uint64_t> gas;
};

struct Block {
  uint64_t number = 0;
  Hash32 hash{};
  Hash32 parent_hash{};
  uint64_t timestamp = 0;
  std::optional<U256> base_fee_per_gas;
  // Arbitrum's L2 headers carry the L1 block number Livepeer's rounds are counted in.
  std::optional<uint64_t> l1_block_number;
};

struct FeeHistory {
  uint64_t oldest_block = 0;
  std::vector<U256> base_fee_per_gas;
  std::vector<double> gas_used_ratio;
  std::vector<std::vector<U256>> reward;
};

struct Log {
  crypto::Address address;
  std::vector<Hash32> topics;
  Bytes data;
  uint64_t block_number = 0;
  Hash32 block_hash{};
  Hash32 transaction_hash{};
  uint64_t log_index = 0;
  bool removed = false;
};

struct Receipt {
  Hash32 transaction_hash{};
  uint64_t block_number = 0;
  Hash32 block_hash{};
  bool status = false;
  uint64_t gas_used = 0;
  std::optional<U256> effective_gas_price;
  crypto::Address from;
  std::optional<crypto::Address> to;
  std::optional<crypto::Address> contract_address;
  std::vector<Log> logs;
};

struct LogFilter {
  std::optional<BlockTag> from_block;
  std::optional<BlockTag> to_block;
  std::vector<crypto::Address> addresses;
  // Position i: nullopt matches anything, else any of the listed topics.
  std::vector<std::optional<std::vector<Hash32>>> topics;
};

// Conversions; parsers throw lp::Error naming the field.
JsonNodePtr to_json(const CallRequest &call);
JsonNodePtr to_json(const LogFilter &filter);
Block block_from_json(JsonNode *node);
FeeHistory fee_history_from_json(JsonNode *node);
Log log_from_json(JsonNode *node);
Receipt receipt_from_json(JsonNode *node);
U256 quantity_from_json(JsonNode *node, const std::string &what);
Bytes data_from_json(JsonNode *node, const std::string &what);
Hash32 hash_from_json(JsonNode *node, const std::string &what);

}  // namespace lp::eth
