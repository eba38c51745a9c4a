#include "pm/queue.h"

#include <glib.h>
#include <sqlite3.h>

#include <cstring>
#include <mutex>
#include <set>
#include <unordered_set>

namespace lp::pm {

namespace {

struct DbClose {
  void operator()(sqlite3 *db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt *s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

constexpr const char *kSchema = R"sql(
CREATE TABLE IF NOT EXISTS ticketQueue (
  sig BLOB PRIMARY KEY,
  sender BLOB NOT NULL,
  recipient BLOB NOT NULL,
  faceValue BLOB NOT NULL,
  winProb BLOB NOT NULL,
  senderNonce INTEGER NOT NULL,
  recipientRand BLOB NOT NULL,
  recipientRandHash BLOB NOT NULL,
  creationRound INTEGER NOT NULL,
  creationRoundBlockHash BLOB NOT NULL,
  paramsExpirationBlock BLOB NOT NULL,
  redeemedAt INTEGER,
  txHash BLOB,
  lastError TEXT
);
CREATE INDEX IF NOT EXISTS ticketQueue_pending ON ticketQueue(redeemedAt, sender);
)sql";

constexpr const char *kColumns =
    "sig, sender, recipient, faceValue, winProb, senderNonce, recipientRand, recipientRandHash, "
    "creationRound, creationRoundBlockHash, paramsExpirationBlock, redeemedAt, txHash, lastError";

bool matches(const std::string &error, const char *needle) {
  return error.find(needle) != std::string::npos;
}

}  // namespace

RedeemOutcome RedeemOutcome::failed(const std::string &error, const Hash32 &tx) {
  bool final = error == "ticket already used" || matches(error, "ticket already used") ||
               matches(error, "transaction failed") ||
               matches(error, "ticket creationRound does not have a block hash");
  return RedeemOutcome{final ? Kind::kFinal : Kind::kRetry, tx, error};
}

struct RedemptionQueue::Impl {
  std::unique_ptr<sqlite3, DbClose> db;
  mutable std::mutex mu;
  std::set<crypto::Signature> in_flight;
  SenderMonitor *monitor = nullptr;

  [[noreturn]] void fail(const std::string &what) const {
    throw Error("ticket queue: " + what + ": " + sqlite3_errmsg(db.get()));
  }

  StmtPtr prepare(const char *sql) const {
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &s, nullptr) != SQLITE_OK) {
      fail("prepare");
    }
    return StmtPtr(s);
  }

  void exec(const char *sql) const {
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      fail("exec");
    }
  }

  static void bind_blob(sqlite3_stmt *s, int i, ByteView b) {
    sqlite3_bind_blob(s, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
  }

  static ByteView column_blob(sqlite3_stmt *s, int i) {
    const void *p = sqlite3_column_blob(s, i);
    int n = sqlite3_column_bytes(s, i);
    return ByteView(static_cast<const uint8_t *>(p), static_cast<size_t>(n));
  }

  static QueuedTicket read_row(sqlite3_stmt *s) {
    QueuedTicket q;
    Ticket &t = q.ticket.ticket;
    std::memcpy(q.ticket.sig.data(), column_blob(s, 0).data(), 65);
    t.sender = Address::from_bytes(column_blob(s, 1), "sender");
    t.recipient = Address::from_bytes(column_blob(s, 2), "recipient");
    t.face_value = U256::from_be(column_blob(s, 3));
    t.win_prob = U256::from_be(column_blob(s, 4));
    t.sender_nonce = static_cast<uint32_t>(sqlite3_column_int64(s, 5));
    q.ticket.recipient_rand = U256::from_be(column_blob(s, 6));
    std::memcpy(t.recipient_rand_hash.data(), column_blob(s, 7).data(), 32);
    t.expiration.creation_round = sqlite3_column_int64(s, 8);
    std::memcpy(t.expiration.creation_round_block_hash.data(), column_blob(s, 9).data(), 32);
    t.params_expiration_block = U256::from_be(column_blob(s, 10));
    q.redeemed = sqlite3_column_type(s, 11) != SQLITE_NULL;
    ByteView tx = column_blob(s, 12);
    if (tx.size() == 32) {
      std::memcpy(q.tx_hash.data(), tx.data(), 32);
    }
    if (const unsigned char *e = sqlite3_column_text(s, 13)) {
      q.last_error = reinterpret_cast<const char *>(e);
    }
    return q;
  }

  std::vector<QueuedTicket> select(const std::string &where) const {
    StmtPtr s = prepare(
        ("SELECT " + std::string(kColumns) + " FROM ticketQueue " + where + " ORDER BY rowid")
            .c_str());
    std::vector<QueuedTicket> out;
    int rc;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
      // Rows this code did not write (a damaged file) are skipped rather than trusted.
      if (column_blob(s.get(), 0).size() != 65 || column_blob(s.get(), 7).size() != 32 ||
          column_blob(s.get(), 9).size() != 32) {
        continue;
      }
      try {
        out.push_back(read_row(s.get()));
      } catch (const Error &) {
        continue;
      }
    }
    if (rc != SQLITE_DONE) {
      fail("select");
    }
    return out;
  }

  // With `mu` held.
  void close_expired(const SignedTicket &st, const U256 &round) const {
    StmtPtr s = prepare(
        "UPDATE ticketQueue SET redeemedAt = ?1, lastError = ?2 WHERE sig = ?3 AND redeemedAt IS "
        "NULL");
    sqlite3_bind_int64(s.get(), 1, g_get_real_time() / G_USEC_PER_SEC);
    std::string why = "ticket expired: created in round " +
                      std::to_string(st.ticket.expiration.creation_round) +
                      ", last initialized round " + round.to_dec();
    sqlite3_bind_text(s.get(), 2, why.c_str(), -1, SQLITE_TRANSIENT);
    bind_blob(s.get(), 3, ByteView(st.sig));
    if (sqlite3_step(s.get()) != SQLITE_DONE) {
      g_warning("ticket queue: cannot close an expired ticket: %s", sqlite3_errmsg(db.get()));
    }
  }

  void finish(const SignedTicket &st, const RedeemOutcome &outcome) {
    {
      std::lock_guard<std::mutex> lock(mu);
      StmtPtr s;
      if (outcome.kind == RedeemOutcome::Kind::kRetry) {
        // txHash of an unredeemed ticket: what the redeemer sent and may still be mined; it
        // survives a restart so that the next attempt looks for its receipt first.
        s = prepare("UPDATE ticketQueue SET lastError = ?1, txHash = ?3 WHERE sig = ?2");
        sqlite3_bind_text(s.get(), 1, outcome.error.c_str(), -1, SQLITE_TRANSIENT);
        if (is_all_zero(outcome.tx_hash)) {
          sqlite3_bind_null(s.get(), 3);
        } else {
          bind_blob(s.get(), 3, ByteView(outcome.tx_hash));
        }
      } else {
        s = prepare(
            "UPDATE ticketQueue SET redeemedAt = ?1, txHash = ?2, lastError = ?3 WHERE sig = ?4");
        sqlite3_bind_int64(s.get(), 1, g_get_real_time() / G_USEC_PER_SEC);
        bind_blob(s.get(), 2, ByteView(outcome.tx_hash));
        if (outcome.error.empty()) {
          sqlite3_bind_null(s.get(), 3);
        } else {
          sqlite3_bind_text(s.get(), 3, outcome.error.c_str(), -1, SQLITE_TRANSIENT);
        }
      }
      bind_blob(s.get(), outcome.kind == RedeemOutcome::Kind::kRetry ? 2 : 4, ByteView(st.sig));
      int rc = sqlite3_step(s.get());
      in_flight.erase(st.sig);
      if (rc != SQLITE_DONE) {
        // The ticket stays unredeemed in the table; the next block retries it and the chain
        // answers "ticket already used" if it had gone through.
        g_warning("ticket queue: cannot record a redemption outcome: %s", sqlite3_errmsg(db.get()));
      }
    }
    if (monitor) {
      monitor->sub_pending(st.ticket.sender, st.ticket.face_value);
      if (outcome.kind == RedeemOutcome::Kind::kRedeemed) {
        monitor->on_sender_changed(st.ticket.sender);
      }
    }
  }
};

RedemptionQueue::RedemptionQueue(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
RedemptionQueue::~RedemptionQueue() = default;

std::unique_ptr<RedemptionQueue> RedemptionQueue::open(const std::string &path) {
  auto impl = std::make_shared<Impl>();
  sqlite3 *db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  impl->db.reset(db);
  if (rc != SQLITE_OK) {
    throw Error("ticket queue: cannot open " + path + ": " +
                (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  sqlite3_busy_timeout(db, 5000);
  // A ticket must be on disk before the payment carrying it is acknowledged.
  impl->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  impl->exec(kSchema);
  return std::unique_ptr<RedemptionQueue>(new RedemptionQueue(std::move(impl)));
}

void RedemptionQueue::store_winning_ticket(const SignedTicket &st) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  StmtPtr s = impl_->prepare(
      "INSERT OR IGNORE INTO ticketQueue (sig, sender, recipient, faceValue, winProb, "
      "senderNonce, recipientRand, recipientRandHash, creationRound, creationRoundBlockHash, "
      "paramsExpirationBlock) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  const Ticket &t = st.ticket;
  Impl::bind_blob(s.get(), 1, ByteView(st.sig));
  Impl::bind_blob(s.get(), 2, t.sender.view());
  Impl::bind_blob(s.get(), 3, t.recipient.view());
  Impl::bind_blob(s.get(), 4, ByteView(t.face_value.to_be32()));
  Impl::bind_blob(s.get(), 5, ByteView(t.win_prob.to_be32()));
  sqlite3_bind_int64(s.get(), 6, t.sender_nonce);
  Impl::bind_blob(s.get(), 7, ByteView(st.recipient_rand.to_be32()));
  Impl::bind_blob(s.get(), 8, ByteView(t.recipient_rand_hash));
  sqlite3_bind_int64(s.get(), 9, t.expiration.creation_round);
  Impl::bind_blob(s.get(), 10, ByteView(t.expiration.creation_round_block_hash));
  Impl::bind_blob(s.get(), 11, ByteView(t.params_expiration_block.to_be32()));
  if (sqlite3_step(s.get()) != SQLITE_DONE) {
    impl_->fail("insert");
  }
}

void RedemptionQueue::set_sender_monitor(SenderMonitor *monitor) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->monitor = monitor;
}

size_t RedemptionQueue::on_new_block(const U256 &latest_l1_block,
                                     const U256 &last_initialized_round, TicketRedeemer &redeemer) {
  std::vector<QueuedTicket> due;
  SenderMonitor *monitor = nullptr;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    monitor = impl_->monitor;
    std::unordered_set<Address> busy;
    std::vector<QueuedTicket> pending = impl_->select("WHERE redeemedAt IS NULL");
    for (const QueuedTicket &q : pending) {
      if (impl_->in_flight.count(q.ticket.sig)) {
        busy.insert(q.ticket.ticket.sender);
      }
    }
    mpz_class oldest_valid = last_initialized_round.mpz() - kTicketValidityPeriod;
    for (const QueuedTicket &q : pending) {
      const Ticket &t = q.ticket.ticket;
      if (busy.count(t.sender)) {
        continue;
      }
      if (mpz_class(static_cast<long>(t.expiration.creation_round)) < oldest_valid) {
        // Expired on chain: redeeming would only burn gas, and no later round brings it back.
        // Closed, so that it is not read again on every block.
        impl_->close_expired(q.ticket, last_initialized_round);
        continue;
      }
      if (t.params_expiration_block > latest_l1_block) {
        continue;  // revealing recipientRand before the params expire would let the sender
                   // pick only losing tickets for the rest of the session
      }
      busy.insert(t.sender);
      impl_->in_flight.insert(q.ticket.sig);
      due.push_back(q);
    }
  }
  std::weak_ptr<Impl> weak = impl_;
  for (const QueuedTicket &q : due) {
    const SignedTicket &st = q.ticket;
    if (monitor) {
      monitor->add_pending(st.ticket.sender, st.ticket.face_value);
    }
    redeemer.redeem(st, q.tx_hash, [weak, st](RedeemOutcome outcome) {
      if (auto impl = weak.lock()) {
        impl->finish(st, outcome);
      }
    });
  }
  return due.size();
}

std::vector<QueuedTicket> RedemptionQueue::unredeemed() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->select("WHERE redeemedAt IS NULL");
}

std::optional<QueuedTicket> RedemptionQueue::find(const crypto::Signature &sig) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<QueuedTicket> rows =
      impl_->select("WHERE sig = x'" + to_hex_bare(ByteView(sig)) + "'");
  if (rows.empty()) {
    return std::nullopt;
  }
  return rows.front();
}

size_t RedemptionQueue::in_flight() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->in_flight.size();
}

}  // namespace lp::pm
