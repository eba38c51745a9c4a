// Micropayment throughput against the raw crypto it is built on, measured in one run:
//   sender path    tickets signed per second (Sender::create_ticket_batch: params validation,
//                  ticket hash, EIP-191 digest, recoverable signature) vs raw
//                  secp256k1_ecdsa_sign_recoverable;
//   recipient path tickets validated per second (Recipient::receive_ticket on non-winning
//                  tickets: recipientRand HMAC, checks, signature recovery, win check, nonce
//                  bookkeeping) vs raw secp256k1_ecdsa_recover.
// Prints rates and the ratios (target: at least 0.8x). Not a test: nothing here asserts a time.
//   build/bench/bench-pm [tickets]      (or: meson test -C build --benchmark pm)
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "crypto/keccak.h"
#include "pm/queue.h"
#include "pm/recipient.h"
#include "pm/sender.h"

namespace {

using lp::eth::U256;
using Clock = std::chrono::steady_clock;

// Chain state as a block watcher would report it; fixed for the run.
class StaticChain : public lp::pm::ChainTime,
                    public lp::pm::GasPriceSource,
                    public lp::pm::BrokerReader {
 public:
  U256 last_seen_block() const override { return 100; }
  U256 last_initialized_round() const override { return 5; }
  lp::Hash32 last_initialized_block_hash() const override { return lp::Hash32{0x11}; }
  U256 gas_price() const override { return 100; }
  lp::pm::SenderInfo sender_info(const lp::crypto::Address &) override {
    return {U256(1'000'000'000'000), U256(), {U256(1'000'000'000'000), 0}};
  }
  U256 claimed_reserve(const lp::crypto::Address &, const lp::crypto::Address &) override {
    return 0;
  }
  uint64_t transcoder_pool_size() override { return 1; }
};

// Operations per second of one run of `fn`, which performs `ops` operations.
double rate(size_t ops, const std::function<void()> &fn) {
  auto start = Clock::now();
  fn();
  return static_cast<double>(ops) / std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

lp::Hash32 digest_of(size_t i) {
  uint64_t v = i;
  return lp::crypto::keccak256(lp::ByteView(reinterpret_cast<const uint8_t *>(&v), sizeof(v)));
}

}  // namespace

int main(int argc, char **argv) {
  size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 3000;
  n = std::max<size_t>(n, 600);
  const int rounds = 7;

  secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  lp::crypto::PrivateKey sender_key = lp::crypto::PrivateKey::generate();
  std::vector<lp::Hash32> digests(n);
  for (size_t i = 0; i < n; ++i) {
    digests[i] = digest_of(i);
  }
  std::vector<std::array<uint8_t, 65>> raw_sigs(n);

  StaticChain chain;
  lp::crypto::Address self = lp::crypto::PrivateKey::generate().address();
  lp::pm::SenderMonitor monitor(self, chain, chain);
  auto queue = lp::pm::RedemptionQueue::open(":memory:");
  lp::pm::Recipient recipient(self, lp::pm::RecipientConfig{U256(1'000'000), 350000, 100, U256()},
                              monitor, chain, chain, *queue);
  lp::pm::Sender sender(lp::crypto::PrivateKey::from_bytes(sender_key.secret().view()), chain,
                        chain);

  // A params set takes at most 600 nonces at the recipient: fresh params every 500 tickets, paid
  // in batches of 10 as a broadcaster pays per segment.
  const size_t per_params = 500;
  const size_t batch = 10;
  auto sign_all = [&](std::vector<lp::pm::TicketBatch> &out) {
    out.clear();
    for (size_t first = 0; first < n; first += per_params) {
      lp::pm::TicketParams p = recipient.ticket_params(sender.address(), mpq_class(1, 1000));
      std::string session = sender.start_session(p);
      size_t todo = std::min(per_params, n - first);
      for (size_t done = 0; done < todo; done += batch) {
        out.push_back(sender.create_ticket_batch(session, std::min(batch, todo - done)));
      }
    }
  };
  // Tickets for the recipient runs, signed beforehand (each run needs unseen nonces).
  std::vector<std::vector<lp::pm::TicketBatch>> to_validate(rounds);
  for (auto &set : to_validate) {
    sign_all(set);
  }

  // The four measurements alternate within each round, so a slower or busier moment on the
  // machine affects a path and its raw baseline alike; ratios are taken per round.
  std::vector<double> raw_sign, sender_path, raw_recover, recipient_path, sign_ratio,
      validate_ratio;
  size_t refused = 0;
  size_t won = 0;
  std::vector<lp::pm::TicketBatch> signed_batches;
  for (int r = 0; r < rounds; ++r) {
    raw_sign.push_back(rate(n, [&] {
      for (size_t i = 0; i < n; ++i) {
        secp256k1_ecdsa_recoverable_signature s;
        secp256k1_ecdsa_sign_recoverable(ctx, &s, digests[i].data(), sender_key.secret().data(),
                                         nullptr, nullptr);
        int recid = 0;
        secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, raw_sigs[i].data(), &recid,
                                                                &s);
        raw_sigs[i][64] = static_cast<uint8_t>(recid);
      }
    }));
    sender_path.push_back(rate(n, [&] { sign_all(signed_batches); }));
    raw_recover.push_back(rate(n, [&] {
      for (size_t i = 0; i < n; ++i) {
        secp256k1_ecdsa_recoverable_signature s;
        secp256k1_pubkey pub;
        secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &s, raw_sigs[i].data(),
                                                            raw_sigs[i][64]);
        if (!secp256k1_ecdsa_recover(ctx, &pub, &s, digests[i].data())) {
          std::abort();
        }
      }
    }));
    recipient_path.push_back(rate(n, [&] {
      for (const lp::pm::TicketBatch &b : to_validate[r]) {
        for (size_t i = 0; i < b.sender_params.size(); ++i) {
          lp::pm::ReceiveResult res =
              recipient.receive_ticket(b.ticket(i), b.sender_params[i].sig, b.params.seed);
          refused += res.error.has_value();
          won += res.won;
        }
      }
    }));
    sign_ratio.push_back(sender_path.back() / raw_sign.back());
    validate_ratio.push_back(recipient_path.back() / raw_recover.back());
  }

  auto range = [](const std::vector<double> &v) {
    auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return std::make_pair(*lo, *hi);
  };
  std::printf("%zu tickets per measurement, %d rounds; medians (ratio range over rounds)\n", n,
              rounds);
  std::printf("raw secp256k1 sign:        %8.0f /s\n", median(raw_sign));
  std::printf("sender path (sign ticket): %8.0f /s   ratio %.2fx (%.2f-%.2f)\n",
              median(sender_path), median(sign_ratio), range(sign_ratio).first,
              range(sign_ratio).second);
  std::printf("raw secp256k1 recover:     %8.0f /s\n", median(raw_recover));
  std::printf("recipient path (validate): %8.0f /s   ratio %.2fx (%.2f-%.2f)\n",
              median(recipient_path), median(validate_ratio), range(validate_ratio).first,
              range(validate_ratio).second);
  // Winning tickets (about 1 in 3500 here) take the SQLite path; none may be refused.
  std::printf("tickets refused: %zu, winners stored: %zu\n", refused, won);
  secp256k1_context_destroy(ctx);
  return refused == 0 ? 0 : 1;
}
