// Ethereum transactions: EIP-1559 (type 2) and legacy with EIP-155 replay protection. Signing
// produces the raw bytes eth_sendRawTransaction takes and the transaction hash; decoding a raw
// transaction recovers its sender.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "crypto/address.h"
#include "crypto/ecdsa.h"
#include "eth/uint256.h"
#include "util/bytes.h"

namespace lp::eth {

struct AccessListEntry {
  crypto::Address address;
  std::vector<Hash32> storage_keys;
  friend bool operator==(const AccessListEntry &a, const AccessListEntry &b) {
    return a.address == b.address && a.storage_keys == b.storage_keys;
  }
};

struct Eip1559Tx {
  U256 chain_id;
  uint64_t nonce = 0;
  U256 max_priority_fee_per_gas;
  U256 max_fee_per_gas;
  uint64_t gas_limit = 0;
  std::optional<crypto::Address> to;  // none: contract creation
  U256 value;
  Bytes data;
  std::vector<AccessListEntry> access_list;
};

struct LegacyTx {
  uint64_t nonce = 0;
  U256 gas_price;
  uint64_t gas_limit = 0;
  std::optional<crypto::Address> to;
  U256 value;
  Bytes data;
  U256 chain_id;  // EIP-155: folded into v and the signing hash
};

struct SignedTx {
  Bytes raw;    // what eth_sendRawTransaction takes
  Hash32 hash;  // keccak256(raw)
};

// The digest the sender signs.
Hash32 signing_hash(const Eip1559Tx &tx);
Hash32 signing_hash(const LegacyTx &tx);

SignedTx sign(const Eip1559Tx &tx, const crypto::PrivateKey &key);
SignedTx sign(const LegacyTx &tx, const crypto::PrivateKey &key);

// A decoded signed transaction (either kind) with its recovered sender.
struct DecodedTx {
  uint8_t type = 0;  // 0 legacy, 2 EIP-1559
  std::optional<Eip1559Tx> eip1559;
  std::optional<LegacyTx> legacy;
  crypto::Address from;
  Hash32 hash{};
};

// Throws lp::Error for malformed input, unsupported types or invalid signatures.
DecodedTx decode_signed(ByteView raw);

}  // namespace lp::eth
