// lp-cli run as a program: good input gives the documented output, bad input a message on stderr
// naming the field and a non-zero exit (never a crash), and keys never appear in any output.
#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "crypto/keystore.h"
#include "pm/params.h"
#include "pm/ticket.h"
#include "support.h"

namespace lp {
namespace {

using test::ProcessResult;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    gchar *p = g_dir_make_tmp("lp-cli-XXXXXX", nullptr);
    dir_ = p;
    g_free(p);
    write("pw", "s3cret password\n");
    write("badpw", "not it\n");
  }
  void TearDown() override {
    for (const std::string &f : files_) {
      g_unlink(f.c_str());
    }
    g_rmdir(dir_.c_str());
  }
  std::string path(const std::string &name) {
    std::string p = dir_ + "/" + name;
    files_.push_back(p);
    return p;
  }
  void write(const std::string &name, const std::string &content) {
    std::ofstream(path(name)) << content;
  }
  ProcessResult cli(std::vector<std::string> args, const std::string &input = "") {
    const char *exe = g_getenv("LP_CLI");
    args.insert(args.begin(), exe ? exe : "lp-cli");
    return test::run_process(args, input);
  }
  // A fresh keystore (cheap scrypt) and its address.
  std::string new_keystore(const std::string &name) {
    ProcessResult r = cli({"keystore", "new", "--password-file", path("pw"), "--out", path(name),
                           "--scrypt-n", "1024"});
    EXPECT_EQ(r.exit_status, 0) << r.err;
    JsonNodePtr n = json::parse(r.out);
    return json::ObjectReader(n.get(), "").string("address");
  }
  // The failure a bad input must produce: exit 1 and a message naming `needle`.
  void expect_failure(const ProcessResult &r, const std::string &needle) {
    EXPECT_EQ(r.exit_status, 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err << " should mention " << needle;
  }

  std::string dir_;
  std::vector<std::string> files_;
};

constexpr const char *kZeroHash =
    "0x0000000000000000000000000000000000000000000000000000000000000000";
constexpr const char *kZeroAddr = "0x0000000000000000000000000000000000000000";

std::string ticket_json(const std::string &sender = kZeroAddr, const std::string &face = "500",
                        const std::string &round = "0", const std::string &hash = kZeroHash) {
  return std::string(R"({"recipient":")") + kZeroAddr + R"(","sender":")" + sender +
         R"(","faceValue":")" + face +
         R"(","winProb":"1","senderNonce":"0","recipientRandHash":")" + kZeroHash +
         R"(","creationRound":)" + round + R"(,"creationRoundBlockHash":")" + hash + R"("})";
}

TEST_F(Cli, Keccak256) {
  ProcessResult r = cli({"keccak256", "0x616263"});
  EXPECT_EQ(r.exit_status, 0);
  EXPECT_EQ(r.out, "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45\n");
  EXPECT_EQ(cli({"keccak256", "0x"}).out,
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470\n");
  expect_failure(cli({"keccak256", "0xabc"}), "data: odd number of hex digits");
  expect_failure(cli({"keccak256", "abc"}), "data: expected 0x-prefixed hex");
}

TEST_F(Cli, KeystoreAddressSignRecover) {
  std::string address = new_keystore("k.json");
  struct stat st {};
  ASSERT_EQ(g_stat(path("k.json").c_str(), reinterpret_cast<GStatBuf *>(&st)), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the keystore is readable by its owner only";
  std::ifstream f(path("k.json"));
  std::string doc((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  crypto::PrivateKey key = crypto::decrypt_keystore(doc, "s3cret password");
  EXPECT_EQ(key.address().checksummed(), address);

  ProcessResult a = cli({"address", "--keystore", path("k.json"), "--password-file", path("pw")});
  EXPECT_EQ(a.exit_status, 0) << a.err;
  EXPECT_EQ(a.out, address + "\n");

  std::string digest = "0xb7da355477356fc4c47fcabcf232dc77a6db9b07b7e48b76261cc55cc8fbabb3";
  ProcessResult s =
      cli({"sign", "--keystore", path("k.json"), "--password-file", path("pw"), digest});
  EXPECT_EQ(s.exit_status, 0) << s.err;
  ASSERT_EQ(s.out.size(), 2 + 130 + 1u);
  ProcessResult r = cli({"recover", digest, s.out.substr(0, s.out.size() - 1)});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out, address + "\n");

  std::string key_hex = to_hex_bare(key.secret().view());
  for (const ProcessResult *p : {&a, &s, &r}) {
    EXPECT_EQ(p->out.find(key_hex), std::string::npos);
    EXPECT_EQ(p->err.find(key_hex), std::string::npos);
  }

  expect_failure(cli({"address", "--keystore", path("k.json"), "--password-file", path("badpw")}),
                 "wrong password");
  expect_failure(cli({"keystore", "new", "--password-file", path("pw"), "--out", path("k.json"),
                      "--scrypt-n", "1024"}),
                 "--out: cannot create");
  expect_failure(
      cli({"address", "--keystore", path("missing.json"), "--password-file", path("pw")}),
      "keystore: cannot read");
}

TEST_F(Cli, KeystoreToStdout) {
  ProcessResult r = cli({"keystore", "new", "--password-file", path("pw"), "--scrypt-n", "1024"});
  EXPECT_EQ(r.exit_status, 0) << r.err;
  crypto::PrivateKey key = crypto::decrypt_keystore(r.out, "s3cret password");
  EXPECT_EQ(r.out.find(to_hex_bare(key.secret().view())), std::string::npos);
}

TEST_F(Cli, RecoverRejectsHighSAndBadV) {
  std::string digest = "0xb7da355477356fc4c47fcabcf232dc77a6db9b07b7e48b76261cc55cc8fbabb3";
  std::string good =
      "0x206443228e8f784bc3a122de0d85eb3ebff82d6a79cca26c7eeb907099a6404f6dff57bc6828f28bd6cd073c8"
      "9d94cf3364204679ed8365fa45b5ee6af19a9841c";
  EXPECT_EQ(cli({"recover", digest, good}).out, "0x3BadDb1eeE2105893136A3F96c8a963E9C6309d6\n");
  expect_failure(cli({"recover", digest,
                      "0xe742ff452d41413616a5bf43fe15dd88294e983d3d36206c2712f39083d638bde0a0fc89be"
                      "718fbc1033e1"
                      "d30d78be1c68081562ed2e97af876f286f3453231d1b"}),
                 "upper half");
  std::string bad_v = good.substr(0, good.size() - 2) + "1d";
  expect_failure(cli({"recover", digest, bad_v}), "v must be 27 or 28");
  expect_failure(cli({"recover", digest, good.substr(0, good.size() - 2)}),
                 "invalid signature length");
  expect_failure(cli({"recover", "0x1234", good}), "digest: expected 32 bytes");
}

TEST_F(Cli, TicketHashMatchesUpstreamVectors) {
  ProcessResult r = cli({"ticket", "hash"}, ticket_json());
  EXPECT_EQ(r.exit_status, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"hash\":\"0xaa4b35071043587992ac8b9dd1b2cf1d8311130e6458cf0b2342484e21af5f5b\"}\n");
  // The 232-byte layout: creation round 10 and a block hash; the row's other fields are zero.
  std::string t = ticket_json(kZeroAddr, "0", "10",
                              "0x41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d");
  t.replace(t.find("\"winProb\":\"1\""), 13, "\"winProb\":\"0\"");
  EXPECT_EQ(cli({"ticket", "hash"}, t).out,
            "{\"hash\":\"0xe502907c16036ab3d11b78c5a2e93c20f3d6415c67f91de4ed01348182b3b2e2\"}\n");
  // Without expiration params at all the ticket is the 168-byte one, as with explicit zeros; the
  // integers may also come as 0x-hex.
  std::string bare = ticket_json(kZeroAddr, "0x1f4");
  bare.erase(bare.find(",\"creationRound\""));
  bare += "}";
  EXPECT_EQ(cli({"ticket", "hash"}, bare).out,
            "{\"hash\":\"0xaa4b35071043587992ac8b9dd1b2cf1d8311130e6458cf0b2342484e21af5f5b\"}\n");
}

TEST_F(Cli, TicketSignProducesTheSendersSignature) {
  std::string address = new_keystore("k.json");
  std::string t = ticket_json(address, "1000000");
  ProcessResult r =
      cli({"ticket", "sign", "--keystore", path("k.json"), "--password-file", path("pw")}, t);
  ASSERT_EQ(r.exit_status, 0) << r.err;
  JsonNodePtr n = json::parse(r.out);
  Bytes sig = from_hex(json::ObjectReader(n.get(), "").string("sig"), "sig");
  JsonNodePtr tn = json::parse(t);
  pm::Ticket ticket = pm::ticket_from_json(json::ObjectReader(tn.get(), ""));
  EXPECT_EQ(crypto::recover_personal(ticket.hash(), sig).checksummed(), address);
  expect_failure(
      cli({"ticket", "sign", "--keystore", path("k.json"), "--password-file", path("pw")},
          ticket_json(kZeroAddr)),
      "sender");
}

TEST_F(Cli, TicketWin) {
  // go-livepeer validator_test.go: sig "foo", recipientRand 10.
  std::string lose = R"({"sig":"0x666f6f","recipientRand":"10","winProb":"0"})";
  EXPECT_EQ(cli({"ticket", "win"}, lose).out, "{\"win\":false}\n");
  std::string win = R"({"sig":"0x666f6f","recipientRand":"0x0a","winProb":")" +
                    eth::U256::max().to_dec() + R"("})";
  EXPECT_EQ(cli({"ticket", "win"}, win).out, "{\"win\":true}\n");
  expect_failure(cli({"ticket", "win"}, R"({"sig":"0x666f6f","winProb":"0"})"),
                 "recipientRand: missing field");
}

TEST_F(Cli, TicketRecipientRandMatchesTheLibrary) {
  Hash32 secret = crypto::keccak256(ByteView(std::string_view("secret")));
  crypto::Address sender = crypto::Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed");
  pm::ExpirationParams exp{7, crypto::keccak256(ByteView(std::string_view("round")))};
  std::string in =
      std::string(R"({"secret":")") + to_hex(secret) + R"(","seed":"0x1234","sender":")" +
      sender.checksummed() + R"(","faceValue":"1000000","winProb":"4242","expirationBlock":140,)" +
      R"("priceNum":"4","priceDen":"6","creationRound":"7","creationRoundBlockHash":")" +
      to_hex(exp.creation_round_block_hash) + R"("})";
  ProcessResult r = cli({"ticket", "recipient-rand"}, in);
  ASSERT_EQ(r.exit_status, 0) << r.err;
  eth::U256 rand = pm::recipient_rand(ByteView(secret), 0x1234, sender, 1000000, 4242, 140,
                                      mpq_class(2, 3), exp);
  JsonNodePtr n = json::parse(r.out);
  json::ObjectReader out(n.get(), "");
  EXPECT_EQ(out.string("recipientRand"), to_hex(rand.to_be32()));
  EXPECT_EQ(out.string("recipientRandHash"), to_hex(pm::recipient_rand_hash(rand)));
  std::string short_secret = in;
  short_secret.replace(short_secret.find(to_hex(secret)), 66, "0x1234");
  expect_failure(cli({"ticket", "recipient-rand"}, short_secret), "secret: expected 32 bytes");
}

TEST_F(Cli, BadTicketInputNamesTheField) {
  std::string t = ticket_json();
  auto with = [&](const std::string &from, const std::string &to) {
    std::string copy = t;
    size_t at = copy.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    copy.replace(at, from.size(), to);
    return copy;
  };
  expect_failure(cli({"ticket", "hash"}, "{\"recipient\": "), "stdin: invalid JSON");
  expect_failure(cli({"ticket", "hash"}, ""), "stdin: invalid JSON");
  expect_failure(cli({"ticket", "hash"}, "[1,2]"), "stdin: expected one JSON object");
  expect_failure(cli({"ticket", "hash"}, with("\"faceValue\":\"500\",", "")),
                 "faceValue: missing field");
  expect_failure(cli({"ticket", "hash"}, with("\"faceValue\":\"500\"", "\"faceValue\":\"5x0\"")),
                 "faceValue");
  expect_failure(cli({"ticket", "hash"}, with("\"faceValue\":\"500\"", "\"faceValue\":true")),
                 "faceValue");
  expect_failure(
      cli({"ticket", "hash"}, with("\"senderNonce\":\"0\"", "\"senderNonce\":\"4294967296\"")),
      "senderNonce");
  expect_failure(cli({"ticket", "hash"}, with(kZeroHash, "0x00zz")), "recipientRandHash");
  expect_failure(cli({"ticket", "hash"}, with(kZeroAddr, "0x1234")), "recipient");
  expect_failure(cli({"ticket", "hash"}, with("\"creationRound\":0", "\"creationRound\":-1")),
                 "creationRound");
  expect_failure(cli({"ticket", "hash"}, with("\"faceValue\":\"500\"",
                                              "\"faceValue\":\"0x1" + std::string(64, '0') + "\"")),
                 "faceValue: does not fit in 256 bits");
  expect_failure(cli({"ticket", "hash"}, with(kZeroHash, "0x123")),
                 "recipientRandHash: odd number of hex digits");
  expect_failure(cli({"ticket", "hash"},
                     with(std::string(",\"creationRoundBlockHash\":\"") + kZeroHash + "\"", "")),
                 "creationRoundBlockHash: missing field");
  expect_failure(cli({"ticket", "hash"},
                     with("\"creationRound\":0", "\"creationRound\":4294967296000000000000")),
                 "creationRound");
  // A second ticket after the first is not silently ignored.
  expect_failure(cli({"ticket", "win"}, t + " " + t), "unexpected content after the end");
  // json-glib recurses per level: deep nesting must be refused before it overflows the stack.
  expect_failure(cli({"ticket", "win"}, std::string(100000, '[')), "nested deeper than");
  std::string deep_object;
  for (int i = 0; i < 60000; ++i)
    deep_object += "{\"a\":";
  expect_failure(cli({"ticket", "hash"}, deep_object + "1" + std::string(60000, '}')),
                 "nested deeper than");
}

TEST_F(Cli, UsageErrors) {
  ProcessResult help = cli({"help"});
  EXPECT_EQ(help.exit_status, 0);
  for (const char *cmd : {"keccak256", "keystore new", "address", "sign", "recover", "ticket hash",
                          "ticket sign", "ticket win", "ticket recipient-rand"}) {
    EXPECT_NE(help.out.find(std::string("lp-cli ") + cmd), std::string::npos) << cmd;
  }
  EXPECT_EQ(cli({}).exit_status, 2);
  EXPECT_EQ(cli({"frobnicate"}).exit_status, 2);
  ProcessResult sub = cli({"ticket"});
  EXPECT_EQ(sub.exit_status, 2);
  EXPECT_NE(sub.err.find("ticket recipient-rand"), std::string::npos);
  ProcessResult missing = cli({"address", "--keystore", "x"});
  EXPECT_EQ(missing.exit_status, 2);
  EXPECT_NE(missing.err.find("missing --password-file"), std::string::npos);
  EXPECT_EQ(cli({"keccak256"}).exit_status, 2);
  EXPECT_EQ(cli({"keccak256", "0x00", "--bogus"}).exit_status, 2);
}

}  // namespace
}  // namespace lp
