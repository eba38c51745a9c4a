// lp-cli's chain commands run as a program against the test chain: deploy prints the
// Controller last, an orchestrator registers and earns, stakes are unbonded, rebonded and
// withdrawn, a broadcaster funds, unlocks and withdraws; failures exit 1 with the reason in
// words ("unbonding lock 0 is withdrawable from round N; current round is M"), --json prints
// JSON, a config file replaces the flags, and no output ever contains the private key.
#include <glib.h>
#include <glib/gstdio.h>

#include <fstream>

#include "chain_fixture.h"
#include "crypto/keystore.h"
#include "util/json.h"

namespace lp {
namespace {

using eth::U256;
using test::ether_milli;
using test::lpt;
using test::ProcessResult;

class Cli : public test::ChainTest {
 protected:
  void SetUp() override {
    ChainTest::SetUp();
    gchar *d = g_dir_make_tmp("lp-chain-cli-XXXXXX", nullptr);
    dir_ = d;
    g_free(d);
    key_hex_ = to_hex_bare(key_.secret().view());
    write("pw", "correct horse\n");
    crypto::ScryptParams cheap;
    cheap.n = 1024;
    write("key.json", crypto::encrypt_keystore(key_, "correct horse", cheap));
    raw("anvil_setBalance", {key_.address().lower_hex(), ether_milli(100000).to_hex()});
    write("config.json", "{\"rpc\":\"" + url() + "\",\"controller\":\"" +
                             contracts().controller.checksummed() +
                             "\",\"keystore\":\"key.json\",\"passwordFile\":\"pw\"}");
  }
  void TearDown() override {
    for (const std::string &f : files_) {
      g_unlink(f.c_str());
    }
    g_rmdir(dir_.c_str());
    ChainTest::TearDown();
  }
  std::string path(const std::string &name) { return dir_ + "/" + name; }
  void write(const std::string &name, const std::string &content) {
    std::ofstream(path(name)) << content;
    files_.push_back(path(name));
  }
  // lp-cli with the config file, checking that the key never shows.
  ProcessResult cli(std::vector<std::string> args, bool with_config = true) {
    if (with_config) {
      args.push_back("--config");
      args.push_back(path("config.json"));
    }
    const char *exe = g_getenv("LP_CLI");
    args.insert(args.begin(), exe ? exe : "lp-cli");
    ProcessResult r = test::run_process(args);
    EXPECT_EQ(r.out.find(key_hex_), std::string::npos) << "private key on stdout";
    EXPECT_EQ(r.err.find(key_hex_), std::string::npos) << "private key on stderr";
    return r;
  }
  JsonNodePtr ok_json(std::vector<std::string> args) {
    args.push_back("--json");
    ProcessResult r = cli(args);
    EXPECT_EQ(r.exit_status, 0) << r.err;
    return json::parse(r.out);
  }
  static std::string field(const JsonNodePtr &n, const char *key) {
    return json::ObjectReader(n.get(), "").string(key);
  }
  void expect_failure(const ProcessResult &r, const std::string &needle) {
    EXPECT_EQ(r.exit_status, 1) << r.out << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err << "\nshould mention: " << needle;
  }

  crypto::PrivateKey key_ = crypto::PrivateKey::generate();
  std::string key_hex_;
  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(Cli, DeployPrintsTheControllerLast) {
  ProcessResult r = cli({"deploy", "--rpc", url(), "--keystore", path("key.json"),
                         "--password-file", path("pw"), "--round-length", "50"},
                        false);
  ASSERT_EQ(r.exit_status, 0) << r.err;
  std::string last = r.out.substr(r.out.find_last_of('\n', r.out.size() - 2) + 1);
  last.pop_back();
  crypto::Address controller = crypto::Address::parse(last);
  auto resolved = test::await_chain<chain::ContractAddresses>(
      [&](chain::Callback<chain::ContractAddresses> cb) {
        chain::resolve_contracts(reader(), controller, cb);
      });
  ASSERT_TRUE(resolved.ok()) << resolved.error().message;
  EXPECT_EQ(read(chain::RoundsManager(resolved.value().rounds_manager).round_length()), U256(50));
  EXPECT_EQ(read(chain::LivepeerToken(resolved.value().token).balance_of(key_.address())),
            chain::DeployConfig().initial_supply);
  ProcessResult round =
      cli({"current-round", "--rpc", url(), "--controller", last, "--json"}, false);
  ASSERT_EQ(round.exit_status, 0) << round.err;
  JsonNodePtr n = json::parse(round.out);
  EXPECT_TRUE(json::ObjectReader(n.get(), "").boolean("initialized"));
}

TEST_F(Cli, AnOrchestratorRegistersEarnsUnbondsAndWithdraws) {
  send(deployer(), token().transfer(key_.address(), lpt(100)));
  ProcessResult r = cli({"activate-orchestrator", "--amount", "100LPT", "--reward-cut", "10",
                         "--fee-share", "50", "--service-uri", "https://o.example:8935"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("registered as an orchestrator, active from round"), std::string::npos)
      << r.out;
  JsonNodePtr t = ok_json({"transcoder"});
  EXPECT_TRUE(json::ObjectReader(t.get(), "").boolean("registered"));
  EXPECT_EQ(field(t, "serviceURI"), "https://o.example:8935");
  EXPECT_EQ(field(t, "rewardCut"), "100000");
  EXPECT_EQ(field(t, "feeShare"), "500000");
  EXPECT_EQ(field(t, "totalStake"), lpt(100).to_dec());

  // Not active before the next round: the failure says when it will be.
  expect_failure(cli({"reward"}), "becomes active in round");
  next_round();
  r = cli({"reward"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("reward: minted 1000 LPT"), std::string::npos) << r.out;
  JsonNodePtr pool = ok_json({"orchestrators"});
  EXPECT_EQ(field(pool, "poolSize"), "1");

  JsonNodePtr ub = ok_json({"unbond", "--amount", "10LPT"});
  EXPECT_EQ(field(ub, "unbondingLockId"), "0");
  std::string withdraw_round = field(ub, "withdrawRound");
  std::string now = current_round().to_dec();
  expect_failure(cli({"withdraw-stake", "--lock-id", "0"}),
                 "unbonding lock 0 is withdrawable from round " + withdraw_round +
                     "; current round is " + now);
  expect_failure(cli({"withdraw-stake", "--lock-id", "5"}), "has no unbonding lock 5");

  // A second lock, rebonded straight away.
  ok_json({"unbond", "--amount", "5LPT"});
  r = cli({"rebond", "--lock-id", "1"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  JsonNodePtr d = ok_json({"delegator"});
  JsonArray *locks = json::ObjectReader(d.get(), "").array("unbondingLocks");
  ASSERT_EQ(json_array_get_length(locks), 1u);

  next_round(deploy_config().unbonding_period);
  U256 before = read(token().balance_of(key_.address()));
  r = cli({"withdraw-stake", "--lock-id", "0"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("withdrew 10 LPT of unbonding lock 0"), std::string::npos) << r.out;
  EXPECT_EQ(read(token().balance_of(key_.address())), before + lpt(10));

  // Claiming earnings folds the reward into the bond; the status shows all roles.
  r = cli({"claim-earnings"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  JsonNodePtr st = ok_json({"status"});
  json::ObjectReader sr(st.get(), "");
  EXPECT_EQ(sr.string("address"), key_.address().checksummed());
  EXPECT_EQ(sr.object("delegator").string("status"), "Bonded");
  EXPECT_EQ(sr.object("delegator").string("bondedAmount"), lpt(100 - 10 + 1000).to_dec());
  EXPECT_TRUE(sr.object("orchestrator").boolean("active"));
}

TEST_F(Cli, ABroadcasterFundsUnlocksAndWithdraws) {
  ProcessResult r = cli({"fund-deposit-and-reserve", "--deposit", "1ETH", "--reserve", "0.5ETH"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("deposit: 1 ETH"), std::string::npos) << r.out;
  JsonNodePtr s = ok_json({"sender-info"});
  EXPECT_EQ(field(s, "deposit"), ether_milli(1000).to_dec());
  EXPECT_EQ(json::ObjectReader(s.get(), "").object("reserve").string("fundsRemaining"),
            ether_milli(500).to_dec());

  expect_failure(cli({"withdraw"}), "no unlock is in progress");
  ASSERT_EQ(cli({"unlock"}).exit_status, 0);
  std::string withdraw_round = (current_round() + U256(deploy_config().unlock_period)).to_dec();
  expect_failure(cli({"withdraw"}), "withdrawable from round " + withdraw_round);
  expect_failure(cli({"unlock"}), "an unlock is already in progress");
  ASSERT_EQ(cli({"cancel-unlock"}).exit_status, 0);
  ASSERT_EQ(cli({"unlock"}).exit_status, 0);
  next_round(deploy_config().unlock_period);
  U256 before = eth_balance(key_.address());
  r = cli({"withdraw"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_NE(r.out.find("withdrew deposit 1 ETH and reserve 0.5 ETH"), std::string::npos) << r.out;
  EXPECT_GT(eth_balance(key_.address()), before + ether_milli(1499));
  expect_failure(cli({"withdraw"}), "has no deposit and no reserve");
}

TEST_F(Cli, MistakesAreExplained) {
  expect_failure(cli({"current-round"}, false), "no JSON-RPC endpoint");
  expect_failure(cli({"current-round", "--rpc", url()}, false), "no Controller address");
  expect_failure(
      cli({"unlock", "--rpc", url(), "--controller", contracts().controller.checksummed()}, false),
      "--keystore");
  expect_failure(cli({"bond", "--amount", "1.5"}), "more decimals than the unit has");
  expect_failure(cli({"bond", "--amount", "3 apples"}), "unknown unit");
  expect_failure(cli({"bond", "--amount", "1LPT"}), "bond to whom");
  expect_failure(cli({"withdraw-fees", "--amount", "1ETH"}), "cannot withdraw 1 ETH of fees");
  expect_failure(cli({"reward"}), "is not an active orchestrator");
  ProcessResult usage = cli({"bond", "--nope"});
  EXPECT_EQ(usage.exit_status, 2);
  ProcessResult wrong_pw = cli({"unlock", "--password-file", path("config.json")});
  EXPECT_EQ(wrong_pw.exit_status, 1);
  // A chain that is not there.
  expect_failure(cli({"current-round", "--rpc", "http://127.0.0.1:1", "--controller",
                      contracts().controller.checksummed(), "--timeout", "5"},
                     false),
                 "127.0.0.1:1");
}

TEST_F(Cli, TokensAreHandedOut) {
  crypto::Address to = crypto::PrivateKey::generate().address();
  ProcessResult r = cli({"transfer-tokens", "--keystore", path("key.json"), "--to",
                         to.checksummed(), "--amount", "1LPT"});
  expect_failure(r, "holds 0 LPT");
  send(deployer(), token().transfer(key_.address(), lpt(5)));
  r = cli({"transfer-tokens", "--to", to.checksummed(), "--amount", "2.5LPT"});
  ASSERT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(read(token().balance_of(to)), lpt(5) / U256(2));
}

}  // namespace
}  // namespace lp
