#include "eth/transaction.h"

#include <algorithm>

#include "crypto/keccak.h"
#include "eth/rlp.h"

namespace lp::eth {

namespace {

using rlp::Item;

Item to_item(const std::optional<crypto::Address> &to) {
  return to ? Item::str(to->view()) : Item::str(Bytes{});
}

Item access_list_item(const std::vector<AccessListEntry> &list) {
  std::vector<Item> entries;
  for (const AccessListEntry &e : list) {
    std::vector<Item> keys;
    for (const Hash32 &k : e.storage_keys) {
      keys.push_back(Item::str(ByteView(k)));
    }
    entries.push_back(Item::list({Item::str(e.address.view()), Item::list(std::move(keys))}));
  }
  return Item::list(std::move(entries));
}

std::vector<Item> unsigned_fields(const Eip1559Tx &tx) {
  return {Item::uint(tx.chain_id),
          Item::uint(tx.nonce),
          Item::uint(tx.max_priority_fee_per_gas),
          Item::uint(tx.max_fee_per_gas),
          Item::uint(tx.gas_limit),
          to_item(tx.to),
          Item::uint(tx.value),
          Item::str(tx.data),
          access_list_item(tx.access_list)};
}

std::vector<Item> unsigned_fields(const LegacyTx &tx) {
  return {Item::uint(tx.nonce), Item::uint(tx.gas_price), Item::uint(tx.gas_limit),
          to_item(tx.to),       Item::uint(tx.value),     Item::str(tx.data)};
}

Bytes typed(uint8_t type, const Item &payload) {
  Bytes out{type};
  append(out, rlp::encode(payload));
  return out;
}

// r and s as RLP integers (minimal big-endian).
std::pair<Item, Item> r_s(const crypto::Signature &sig) {
  return {Item::uint(U256::from_be(ByteView(sig.data(), 32))),
          Item::uint(U256::from_be(ByteView(sig.data() + 32, 32)))};
}

std::optional<crypto::Address> read_to(const Item &item) {
  const Bytes &b = item.as_bytes("to");
  if (b.empty()) {
    return std::nullopt;
  }
  return crypto::Address::from_bytes(b, "to");
}

uint64_t read_u64(const Item &item, const char *what) {
  return item.as_uint(what).to_u64(what);
}

// Rebuilds r || s || v (v = 27 + recovery id) for recovery.
crypto::Signature make_sig(const Item &r, const Item &s, unsigned recid) {
  if (recid > 1) {
    throw Error("transaction: invalid signature recovery id");
  }
  crypto::Signature sig{};
  r.as_uint("r").write_be32(sig.data());
  s.as_uint("s").write_be32(sig.data() + 32);
  sig[64] = static_cast<uint8_t>(27 + recid);
  return sig;
}

}  // namespace

Hash32 signing_hash(const Eip1559Tx &tx) {
  return crypto::keccak256(typed(0x02, Item::list(unsigned_fields(tx))));
}

Hash32 signing_hash(const LegacyTx &tx) {
  std::vector<Item> fields = unsigned_fields(tx);
  fields.push_back(Item::uint(tx.chain_id));
  fields.push_back(Item::uint(0));
  fields.push_back(Item::uint(0));
  return crypto::keccak256(rlp::encode(Item::list(std::move(fields))));
}

SignedTx sign(const Eip1559Tx &tx, const crypto::PrivateKey &key) {
  // Nodes reject such a transaction; better to say so before signing.
  if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas) {
    throw Error("transaction: maxPriorityFeePerGas exceeds maxFeePerGas");
  }
  crypto::Signature sig = key.sign_digest(signing_hash(tx));
  std::vector<Item> fields = unsigned_fields(tx);
  auto [r, s] = r_s(sig);
  fields.push_back(Item::uint(crypto::recovery_id(sig)));
  fields.push_back(std::move(r));
  fields.push_back(std::move(s));
  SignedTx out;
  out.raw = typed(0x02, Item::list(std::move(fields)));
  out.hash = crypto::keccak256(out.raw);
  return out;
}

SignedTx sign(const LegacyTx &tx, const crypto::PrivateKey &key) {
  crypto::Signature sig = key.sign_digest(signing_hash(tx));
  std::vector<Item> fields = unsigned_fields(tx);
  auto [r, s] = r_s(sig);
  fields.push_back(Item::uint(tx.chain_id * 2 + 35 + crypto::recovery_id(sig)));
  fields.push_back(std::move(r));
  fields.push_back(std::move(s));
  SignedTx out;
  out.raw = rlp::encode(Item::list(std::move(fields)));
  out.hash = crypto::keccak256(out.raw);
  return out;
}

DecodedTx decode_signed(ByteView raw) {
  if (raw.empty()) {
    throw Error("transaction: empty input");
  }
  DecodedTx out;
  out.hash = crypto::keccak256(raw);
  if (raw[0] == 0x02) {
    Item root = rlp::decode(raw.sub(1, raw.size() - 1));
    const std::vector<Item> &f = root.as_list("transaction");
    if (f.size() != 12) {
      throw Error("transaction: an EIP-1559 transaction has 12 fields");
    }
    Eip1559Tx tx;
    tx.chain_id = f[0].as_uint("chainId");
    tx.nonce = read_u64(f[1], "nonce");
    tx.max_priority_fee_per_gas = f[2].as_uint("maxPriorityFeePerGas");
    tx.max_fee_per_gas = f[3].as_uint("maxFeePerGas");
    tx.gas_limit = read_u64(f[4], "gasLimit");
    tx.to = read_to(f[5]);
    tx.value = f[6].as_uint("value");
    tx.data = f[7].as_bytes("data");
    for (const Item &e : f[8].as_list("accessList")) {
      const std::vector<Item> &pair = e.as_list("accessList entry");
      if (pair.size() != 2) {
        throw Error("accessList entry: expected [address, storageKeys]");
      }
      AccessListEntry entry;
      entry.address = crypto::Address::from_bytes(pair[0].as_bytes("accessList address"));
      for (const Item &k : pair[1].as_list("storageKeys")) {
        const Bytes &key = k.as_bytes("storage key");
        if (key.size() != 32) {
          throw Error("storage key: expected 32 bytes");
        }
        Hash32 h{};
        std::copy(key.begin(), key.end(), h.begin());
        entry.storage_keys.push_back(h);
      }
      tx.access_list.push_back(std::move(entry));
    }
    U256 y = f[9].as_uint("yParity");
    crypto::Signature sig = make_sig(f[10], f[11], static_cast<unsigned>(y.to_u64("yParity")));
    out.type = 2;
    out.from = crypto::recover_digest(signing_hash(tx), sig);
    out.eip1559 = std::move(tx);
    return out;
  }
  if (raw[0] < 0xc0) {
    throw Error("transaction: unsupported transaction type " + std::to_string(raw[0]));
  }
  Item root = rlp::decode(raw);
  const std::vector<Item> &f = root.as_list("transaction");
  if (f.size() != 9) {
    throw Error("transaction: a legacy transaction has 9 fields");
  }
  LegacyTx tx;
  tx.nonce = read_u64(f[0], "nonce");
  tx.gas_price = f[1].as_uint("gasPrice");
  tx.gas_limit = read_u64(f[2], "gasLimit");
  tx.to = read_to(f[3]);
  tx.value = f[4].as_uint("value");
  tx.data = f[5].as_bytes("data");
  U256 v = f[6].as_uint("v");
  if (v < 35) {
    throw Error("transaction: only EIP-155 legacy transactions are supported");
  }
  mpz_class rest = v.mpz() - 35;
  unsigned recid = static_cast<unsigned>(mpz_class(rest % 2).get_ui());
  tx.chain_id = U256::from_mpz(rest / 2, "chainId");
  crypto::Signature sig = make_sig(f[7], f[8], recid);
  out.type = 0;
  out.from = crypto::recover_digest(signing_hash(tx), sig);
  out.legacy = std::move(tx);
  return out;
}

}  // namespace lp::eth
