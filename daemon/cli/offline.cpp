// lp-cli's offline commands: hashing, keys and keystores, signatures, and ticket computations.
// Keys are read from keystore files only and never printed; passwords are read from files and
// wiped after use.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <openssl/crypto.h>

#include "cli/command.h"
#include "cli/keys.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "crypto/keystore.h"
#include "pm/params.h"
#include "pm/ticket.h"
#include "util/json.h"
#include "util/secret.h"

namespace lp::cli {

namespace {

constexpr size_t kMaxInput = 1 << 20;

// The password is the file's content without one trailing newline (as geth reads it).
std::string read_password(const Args &args) {
  return read_password_file(args.require("password-file"));
}

crypto::PrivateKey unlock(const Args &args) {
  return unlock_keystore(args.require("keystore"), args.require("password-file"));
}

std::string read_stdin(Io &io) {
  std::string data;
  char buf[4096];
  while (io.in.read(buf, sizeof(buf)) || io.in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(io.in.gcount()));
    if (data.size() > kMaxInput) {
      throw Error("stdin: input too large");
    }
  }
  return data;
}

// The one JSON object on stdin; errors say "stdin: ...".
JsonNodePtr read_json_object(Io &io) {
  std::string text = read_stdin(io);
  JsonNodePtr root;
  try {
    root = json::parse(text);
  } catch (const Error &e) {
    throw Error(std::string("stdin: ") + e.what());
  }
  if (!JSON_NODE_HOLDS_OBJECT(root.get())) {
    throw Error("stdin: expected one JSON object");
  }
  return root;
}

Hash32 digest_arg(const std::string &text) {
  return from_hex_fixed<32>(text, "digest");
}

void print_json(Io &io, const json::ObjectWriter &w) {
  io.out << w.to_string() << "\n";
}

int cmd_keccak(const Args &args, Io &io) {
  Bytes data = from_hex(args.positional[0], "data");
  io.out << to_hex(crypto::keccak256(data)) << "\n";
  return 0;
}

// Creates the file only if it does not exist, readable by its owner only.
void write_private_file(const std::string &path, const std::string &content) {
  FILE *f = nullptr;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    f = fdopen(fd, "w");
  }
  if (!f) {
    int err = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    throw Error("--out: cannot create " + path + ": " + std::strerror(err));
  }
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = (std::fflush(f) == 0) && ok;
  ok = (fsync(fileno(f)) == 0) && ok;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    throw Error("--out: cannot write " + path);
  }
}

int cmd_keystore_new(const Args &args, Io &io) {
  crypto::ScryptParams params;
  if (auto n = args.get("scrypt-n")) {
    params.n = eth::U256::parse(*n, "--scrypt-n").to_u64("--scrypt-n");
    if (params.n < 2 || (params.n & (params.n - 1)) != 0) {
      throw Error("--scrypt-n: must be a power of two greater than 1");
    }
  }
  std::string password = read_password(args);
  crypto::PrivateKey key = crypto::PrivateKey::generate();
  std::string doc = crypto::encrypt_keystore(key, password, params);
  wipe_string(password);
  if (auto out = args.get("out")) {
    write_private_file(*out, doc + "\n");
    json::ObjectWriter w;
    w.set("address", key.address().checksummed()).set("path", *out);
    print_json(io, w);
  } else {
    io.out << doc << "\n";
  }
  return 0;
}

int cmd_address(const Args &args, Io &io) {
  io.out << unlock(args).address().checksummed() << "\n";
  return 0;
}

int cmd_sign(const Args &args, Io &io) {
  Hash32 digest = digest_arg(args.positional[0]);
  crypto::PrivateKey key = unlock(args);
  io.out << to_hex(key.personal_sign(digest)) << "\n";
  return 0;
}

int cmd_recover(const Args &args, Io &io) {
  Hash32 digest = digest_arg(args.positional[0]);
  Bytes sig = from_hex(args.positional[1], "signature");
  io.out << crypto::recover_personal(digest, sig).checksummed() << "\n";
  return 0;
}

int cmd_ticket_hash(const Args &, Io &io) {
  JsonNodePtr root = read_json_object(io);
  pm::Ticket t = pm::ticket_from_json(json::ObjectReader(root.get(), ""));
  json::ObjectWriter w;
  w.set("hash", to_hex(t.hash()));
  print_json(io, w);
  return 0;
}

int cmd_ticket_sign(const Args &args, Io &io) {
  JsonNodePtr root = read_json_object(io);
  pm::Ticket t = pm::ticket_from_json(json::ObjectReader(root.get(), ""));
  crypto::PrivateKey key = unlock(args);
  if (key.address() != t.sender) {
    throw Error("sender: " + t.sender.checksummed() + " is not the keystore's address " +
                key.address().checksummed());
  }
  json::ObjectWriter w;
  w.set("sig", to_hex(pm::sign_ticket(t, key)));
  print_json(io, w);
  return 0;
}

int cmd_ticket_win(const Args &, Io &io) {
  JsonNodePtr root = read_json_object(io);
  json::ObjectReader r(root.get(), "");
  Bytes sig = pm::read_bytes(r, "sig");
  eth::U256 rand = pm::read_u256(r, "recipientRand");
  eth::U256 win_prob = pm::read_u256(r, "winProb");
  json::ObjectWriter w;
  w.set("win", pm::is_winning_ticket(sig, rand, win_prob));
  print_json(io, w);
  return 0;
}

int cmd_ticket_recipient_rand(const Args &, Io &io) {
  JsonNodePtr root = read_json_object(io);
  json::ObjectReader r(root.get(), "");
  Bytes secret_bytes = pm::read_bytes(r, "secret");
  SecretBytes secret(secret_bytes.data(), secret_bytes.size());
  OPENSSL_cleanse(secret_bytes.data(), secret_bytes.size());
  if (secret.size() != 32) {
    throw Error("secret: expected 32 bytes");
  }
  eth::U256 seed = pm::read_u256(r, "seed");
  crypto::Address sender = pm::read_address(r, "sender");
  eth::U256 face_value = pm::read_u256(r, "faceValue");
  eth::U256 win_prob = pm::read_u256(r, "winProb");
  eth::U256 expiration_block = pm::read_u256(r, "expirationBlock");
  mpq_class price = pm::read_price(r);
  pm::ExpirationParams exp;
  exp.creation_round = r.int64("creationRound");
  if (exp.creation_round < 0) {
    throw Error("creationRound: must not be negative");
  }
  exp.creation_round_block_hash = pm::read_hash(r, "creationRoundBlockHash");
  eth::U256 rand = pm::recipient_rand(secret.view(), seed, sender, face_value, win_prob,
                                      expiration_block, price, exp);
  json::ObjectWriter w;
  w.set("recipientRand", to_hex(rand.to_be32()))
      .set("recipientRandHash", to_hex(pm::recipient_rand_hash(rand)));
  print_json(io, w);
  return 0;
}

OptionSpec keystore_opt() {
  return {"keystore", "FILE", true, "keystore v3 JSON file"};
}
OptionSpec password_opt() {
  return {"password-file", "FILE", true, "file holding the keystore password"};
}

}  // namespace

std::vector<Command> offline_commands() {
  return {
      {{"keccak256"}, "0xHEX", 1, {}, "prints keccak256 of the bytes", cmd_keccak},
      {{"keystore", "new"},
       "",
       0,
       {password_opt(),
        {"out", "FILE", false, "write the keystore here (created, mode 0600)"},
        {"scrypt-n", "N", false, "scrypt cost (default 262144)"}},
       "creates a key in a new keystore v3 file (or prints the keystore JSON)",
       cmd_keystore_new},
      {{"address"},
       "",
       0,
       {keystore_opt(), password_opt()},
       "prints the keystore's EIP-55 address",
       cmd_address},
      {{"sign"},
       "0xDIGEST32",
       1,
       {keystore_opt(), password_opt()},
       "prints the 65-byte personal_sign signature of a 32-byte digest",
       cmd_sign},
      {{"recover"},
       "0xDIGEST32 0xSIG",
       2,
       {},
       "prints the address that personal_signed the digest",
       cmd_recover},
      {{"ticket", "hash"}, "", 0, {}, "stdin: a ticket; prints {\"hash\"}", cmd_ticket_hash},
      {{"ticket", "sign"},
       "",
       0,
       {keystore_opt(), password_opt()},
       "stdin: a ticket from the keystore's address; prints {\"sig\"}",
       cmd_ticket_sign},
      {{"ticket", "win"},
       "",
       0,
       {},
       "stdin: sig, recipientRand, winProb; prints {\"win\"}",
       cmd_ticket_win},
      {{"ticket", "recipient-rand"},
       "",
       0,
       {},
       "stdin: secret, seed, sender, faceValue, winProb, expirationBlock, priceNum, priceDen, "
       "creationRound, creationRoundBlockHash; prints {\"recipientRand\", \"recipientRandHash\"}",
       cmd_ticket_recipient_rand},
  };
}

}  // namespace lp::cli
