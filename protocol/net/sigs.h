// The digests Livepeer's broadcaster and orchestrator sign for each other (go-livepeer §2.4 of
// the reference): every signature is a personal_sign over one of these 32-byte keccak digests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/address.h"
#include "util/bytes.h"

namespace lp::net {

// Discovery: keccak256 of the broadcaster's EIP-55 address string ("0x" + 40 hex digits).
Hash32 orchestrator_request_digest(const crypto::Address &broadcaster);

// The 8 lowercase hex characters of a profile name's ID: the first 4 bytes of keccak256(name).
std::string profile_id(std::string_view profile_name);

// SegData: keccak256(manifestID || uint256(seq) || segmentHash || ASCII-hex profile IDs).
Hash32 segment_digest(std::string_view manifest_id, int64_t seq, const Hash32 &segment_hash,
                      const std::vector<std::string> &profile_names);

// TranscodeData: keccak256(keccak256(rendition_1) || ... || keccak256(rendition_n)), given the
// per-rendition hashes in profile order.
Hash32 transcode_digest(const std::vector<Hash32> &rendition_hashes);

}  // namespace lp::net
