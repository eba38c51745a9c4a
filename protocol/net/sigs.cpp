#include "net/sigs.h"

#include "crypto/keccak.h"
#include "eth/uint256.h"

namespace lp::net {

Hash32 orchestrator_request_digest(const crypto::Address &broadcaster) {
  return crypto::keccak256(ByteView(std::string_view(broadcaster.checksummed())));
}

std::string profile_id(std::string_view profile_name) {
  Hash32 h = crypto::keccak256(ByteView(profile_name));
  return to_hex_bare(ByteView(h.data(), 4));
}

Hash32 segment_digest(std::string_view manifest_id, int64_t seq, const Hash32 &segment_hash,
                      const std::vector<std::string> &profile_names) {
  if (seq < 0) {
    throw Error("segment seq: must not be negative");
  }
  std::string ids;
  for (const std::string &name : profile_names) {
    ids += profile_id(name);
  }
  Hash32 seq_word = eth::U256(static_cast<uint64_t>(seq)).to_be32();
  return crypto::Keccak256()
      .update(ByteView(manifest_id))
      .update(ByteView(seq_word))
      .update(ByteView(segment_hash))
      .update(ByteView(std::string_view(ids)))
      .finish();
}

Hash32 transcode_digest(const std::vector<Hash32> &rendition_hashes) {
  crypto::Keccak256 k;
  for (const Hash32 &h : rendition_hashes) {
    k.update(ByteView(h));
  }
  return k.finish();
}

}  // namespace lp::net
