// keccak-256 against the Keccak team's known-answer tests, EIP-55, secp256k1 signing and
// recovery (with go-livepeer's vectors), and keystore v3 against geth's published test vectors.
#include <gtest/gtest.h>

#include <string>

#include "crypto/address.h"
#include "crypto/ecdsa.h"
#include "crypto/keccak.h"
#include "crypto/keystore.h"

namespace lp::crypto {
namespace {

std::string keccak_hex(const std::string &hex_input) {
  return to_hex_bare(keccak256(from_hex(hex_input, "input", HexPrefix::kOptional)));
}

// ShortMsgKAT_256.txt from the Keccak submission (messages of whole bytes), including lengths
// around the 136-byte rate where padding crosses a block boundary.
TEST(Keccak, KnownAnswerTests) {
  struct Kat {
    const char *msg;
    const char *md;
  } kats[] = {
      {"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
      {"6b", "f3d0adcb6a1c70832365e9da0a6b2f5199422f6a53c67cfad171114e3442aa0f"},
      {"8fab", "cfa23daaffd3966973461c1a50d47d2fa73e4f77df6538c5e2938149d63d2dc3"},
      {"77e7c9e159123bb53f72288f9dadca5c69644b9c73eba932ceb9ed8544ed4bbc",
       "eadd507f941fdbffee2beeb9d2435e9f494c5f2d1c334390fcbec838e34cd97f"},
      {"2f3fb9e6321405869ff0e6271369357ee08c9c27837fe300adf3766a61979591d64e7809627e8f026e762982df5"
       "f00bfeb9ce76f1ccb70c9bee6331f7dc8b15417295d7aa7ec7c1662a69842059901f136e96052b4d01b72b64f92"
       "331744872f6de4a915d0262b33ccc375d25d77c3936023e514f30187a9501adc685e6497cc4841e119670d4d",
       "0484f02cc16415e7e9f28f95b6bb77209e1b25ec35015de84facbc8f9605b39e"},
      {"33d0c3052e3ac8c19beca6b0dfa73888f753655fb2c9f77e1238602c9f6d7ad33e3dd96c78a22e148ed4c46d7cf"
       "df674505bd40325cb813804e264a450de778f1c50fc94f32aa881fe6def7b6ae6efbb42c3be678f40a093220537"
       "73e3af020000fe94f3283c7527aa64a2144b92cf8d568df4e6cd957af09ab1637e61667e616412558d4fcab4f9",
       "b30ad6fc320c0d70309dc39953895cb7cf3fbedec7d86a5f7aa9f2bb760f6dba"},
      {"2f570e7aeadd07406bfc263992a0292c528daab4f32816573b6be58a36998465f192e0db70e81cdbe5431477e43"
       "ea437cb4eebbe760116b26dfb3ca395c1098753e962c3d27f9fb8c2b32fa6f1d3debd22c97b99cb924b388d87db"
       "2348e5aa9ccf0d60a18cff594eb389f5a55dd362809dde19687064a0feec7c213561cbd130d832d264312cb3e4b"
       "6",
       "6cf9e0e9008f6b5b2d28fb38c47a0212e7b28f6a7f44815f10c53141c2f1c84d"},
  };
  for (const Kat &k : kats) {
    EXPECT_EQ(keccak_hex(k.msg), k.md) << "message length " << std::string(k.msg).size() / 2;
  }
}

TEST(Keccak, AsciiVectorsDifferFromSha3) {
  EXPECT_EQ(to_hex(keccak256(ByteView(std::string_view("abc")))),
            "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
  EXPECT_EQ(
      to_hex(keccak256(ByteView(std::string_view("The quick brown fox jumps over the lazy dog")))),
      "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

TEST(Keccak, IncrementalUpdatesMatchOneShot) {
  Bytes data(1000);
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<uint8_t>(i * 7 + 3);
  }
  for (size_t len : {0, 1, 135, 136, 137, 271, 272, 273, 1000}) {
    Hash32 one = keccak256(ByteView(data.data(), len));
    for (size_t step : {1, 5, 64, 136, 200}) {
      Keccak256 k;
      for (size_t at = 0; at < len; at += step) {
        k.update(ByteView(data.data() + at, std::min(step, len - at)));
      }
      EXPECT_EQ(k.finish(), one) << "len " << len << " step " << step;
    }
  }
}

TEST(Address, Eip55SpecExamples) {
  for (const char *a :
       {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"}) {
    Address parsed = Address::parse(a);
    EXPECT_EQ(parsed.checksummed(), a);
    std::string lower = parsed.lower_hex();
    EXPECT_EQ(Address::parse(lower), parsed);
  }
}

TEST(Address, RejectsBadChecksumAndLength) {
  EXPECT_THROW(Address::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"), Error);
  EXPECT_THROW(Address::parse("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed00"), Error);
  EXPECT_THROW(Address::parse("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"), Error);
  try {
    Address::parse("0x12", "recipient");
    FAIL() << "no exception";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("recipient"), std::string::npos);
  }
  // All-upper-case digits carry no checksum and are accepted.
  EXPECT_NO_THROW(Address::parse("0x52908400098527886E0F7030069857D2E4169EE7"));
}

TEST(Ecdsa, AddressOfPrivateKeyOne) {
  Bytes one(32, 0);
  one[31] = 1;
  EXPECT_EQ(PrivateKey::from_bytes(one).address().checksummed(),
            "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
}

TEST(Ecdsa, RejectsInvalidPrivateKeys) {
  EXPECT_THROW(PrivateKey::from_bytes(Bytes(32, 0)), Error);
  EXPECT_THROW(PrivateKey::from_bytes(Bytes(31, 1)), Error);
  // The group order n itself is out of range.
  EXPECT_THROW(PrivateKey::from_bytes(from_hex(
                   "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", "n")),
               Error);
}

// go-livepeer crypto/verify_test.go (reference appendix A.5).
TEST(Ecdsa, UpstreamRecoveryVectors) {
  Hash32 msg = from_hex_fixed<32>(
      "0xb7da355477356fc4c47fcabcf232dc77a6db9b07b7e48b76261cc55cc8fbabb3", "msg");
  Bytes sig = from_hex(
      "0x206443228e8f784bc3a122de0d85eb3ebff82d6a79cca26c7eeb907099a6404f6dff57bc6828f28bd6cd073c"
      "89d94cf3364204679ed8365fa45b5ee6af19a9841c",
      "sig");
  Address signer = Address::parse("0x3BadDb1eeE2105893136A3F96c8a963E9C6309d6");
  EXPECT_EQ(to_hex(personal_digest(msg)),
            "0x1288735ecfc69223aebf1e4550f8b609241a2a5097d9b34ca50f929e1b8acb6c");
  EXPECT_EQ(recover_personal(msg, sig), signer);
  EXPECT_TRUE(verify_personal(signer, msg, sig));

  Bytes high_s = from_hex(
      "0xe742ff452d41413616a5bf43fe15dd88294e983d3d36206c2712f39083d638bde0a0fc89be718fbc1033e1d3"
      "0d78be1c68081562ed2e97af876f286f3453231d1b",
      "sig");
  EXPECT_THROW(recover_personal(msg, high_s), Error);
  EXPECT_FALSE(verify_personal(signer, msg, high_s));

  Bytes short_sig(sig.begin(), sig.begin() + 64);
  try {
    recover_personal(msg, short_sig);
    FAIL() << "64-byte signature accepted";
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "invalid signature length");
  }
  for (uint8_t v : {0, 1, 26, 29}) {
    Bytes bad_v = sig;
    bad_v[64] = v;
    EXPECT_THROW(recover_personal(msg, bad_v), Error) << "v=" << int(v);
  }
}

TEST(Ecdsa, SignaturesAreLowSDeterministicAndRecoverable) {
  PrivateKey key = PrivateKey::generate();
  for (int i = 0; i < 50; ++i) {
    Hash32 msg = keccak256(ByteView(std::string_view(std::to_string(i))));
    Signature sig = key.personal_sign(msg);
    EXPECT_TRUE(sig[64] == 27 || sig[64] == 28);
    EXPECT_LT(sig[32], 0x80) << "s must be in the lower half";
    EXPECT_EQ(recover_personal(msg, sig), key.address());
    EXPECT_EQ(key.personal_sign(msg), sig) << "RFC 6979 nonces are deterministic";
    Signature tampered = sig;
    tampered[10] ^= 1;
    EXPECT_FALSE(verify_personal(key.address(), msg, tampered));
  }
}

// geth accounts/keystore/testdata/v3_test_vector.json (the Web3 Secret Storage wiki vectors).
TEST(Keystore, GethScryptVector) {
  std::string json =
      R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
    "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
    "kdfparams":{"dklen":32,"n":262144,"r":1,"p":8,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
    "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},
    "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
  PrivateKey key = decrypt_keystore(json, "testpassword");
  EXPECT_EQ(to_hex_bare(key.secret().view()),
            "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
  try {
    decrypt_keystore(json, "wrongpassword");
    FAIL() << "wrong password accepted";
  } catch (const KeystoreError &e) {
    EXPECT_EQ(e.kind(), KeystoreError::Kind::kWrongPassword);
    EXPECT_NE(std::string(e.what()).find("wrong password"), std::string::npos);
  }
}

// A keystore file may come from anywhere; json-glib recurses per nesting level, so a deeply
// nested one must be refused as malformed rather than overflow the stack.
TEST(Keystore, DeepNestingIsMalformedNotACrash) {
  EXPECT_THROW(decrypt_keystore(std::string(200000, '['), "pw"), KeystoreError);
  EXPECT_THROW(decrypt_keystore("{\"crypto\":" + std::string(200000, '{'), "pw"), KeystoreError);
}

TEST(Keystore, GethPbkdf2Vector) {
  std::string json =
      R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
    "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
    "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
    "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
    "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
  EXPECT_EQ(to_hex_bare(decrypt_keystore(json, "testpassword").secret().view()),
            "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
}

TEST(Keystore, GethShortKeysAreLeftPadded) {
  std::string k31 =
      R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"e0c41130a323adc1446fc82f724bca2f"},
    "ciphertext":"9517cd5bdbe69076f9bf5057248c6c050141e970efa36ce53692d5d59a3984","kdf":"scrypt",
    "kdfparams":{"dklen":32,"n":2,"r":8,"p":1,"salt":"711f816911c92d649fb4c84b047915679933555030b3552c1212609b38208c63"},
    "mac":"d5e116151c6aa71470e67a7d42c9620c75c4d23229847dcc127794f0732b0db5"},
    "id":"fecfc4ce-e956-48fd-953b-30f8b52ed66c","version":3})";
  EXPECT_EQ(to_hex_bare(decrypt_keystore(k31, "foo").secret().view()),
            "00fa7b3db73dc7dfdf8c5fbdb796d741e4488628c41fc4febd9160a866ba0f35");
  std::string k30 =
      R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"3ca92af36ad7c2cd92454c59cea5ef00"},
    "ciphertext":"108b7d34f3442fc26ab1ab90ca91476ba6bfa8c00975a49ef9051dc675aa","kdf":"scrypt",
    "kdfparams":{"dklen":32,"n":2,"r":8,"p":1,"salt":"d0769e608fb86cda848065642a9c6fa046845c928175662b8e356c77f914cd3b"},
    "mac":"75d0e6759f7b3cefa319c3be41680ab6beea7d8328653474bd06706d4cc67420"},
    "id":"a37e1559-5955-450d-8075-7b8931b392b2","version":3})";
  EXPECT_EQ(to_hex_bare(decrypt_keystore(k30, "foo").secret().view()),
            "000081c29e8142bb6a81bef5a92bda7a8328a5c85bb2f9542e76f9b0f94fc018");
}

TEST(Keystore, RoundTripAndAddressField) {
  PrivateKey key = PrivateKey::generate();
  std::string json = encrypt_keystore(key, "pässword", ScryptParams{1024, 8, 1});
  Keystore parsed = parse_keystore(json);
  ASSERT_TRUE(parsed.address);
  EXPECT_EQ(*parsed.address, key.address());
  EXPECT_EQ(parsed.scrypt.n, 1024u);
  EXPECT_EQ(parsed.id.size(), 36u);
  EXPECT_EQ(decrypt_keystore(json, "pässword").address(), key.address());
  EXPECT_EQ(json.find(to_hex_bare(key.secret().view())), std::string::npos)
      << "the key must not appear in the keystore";
  // Two encryptions of one key differ (fresh salt and IV).
  EXPECT_NE(encrypt_keystore(key, "x", ScryptParams{1024, 8, 1}),
            encrypt_keystore(key, "x", ScryptParams{1024, 8, 1}));
}

TEST(Keystore, AddressMismatchIsReported) {
  PrivateKey key = PrivateKey::generate();
  std::string json = encrypt_keystore(key, "pw", ScryptParams{1024, 8, 1});
  std::string addr = to_hex_bare(key.address().view());
  std::string other = to_hex_bare(PrivateKey::generate().address().view());
  json.replace(json.find(addr), addr.size(), other);
  try {
    decrypt_keystore(json, "pw");
    FAIL() << "mismatched address accepted";
  } catch (const KeystoreError &e) {
    EXPECT_EQ(e.kind(), KeystoreError::Kind::kAddressMismatch);
  }
}

TEST(Keystore, MalformedFilesNameTheField) {
  struct Case {
    std::string json;
    std::string field;
  } cases[] = {
      {"not json", "invalid JSON"},
      {R"({"version":3})", "crypto"},
      {R"({"version":2,"crypto":{}})", "version"},
      {R"({"version":3,"crypto":{"cipher":"aes-128-cbc"}})", "crypto.cipher"},
      {R"({"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"zz"}}})",
       "crypto.cipherparams.iv"},
      {R"({"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"00000000000000000000000000000000"},
         "ciphertext":"00","mac":"00","kdf":"scrypt","kdfparams":{}}})",
       "crypto.mac"},
      {R"({"version":3,"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"00000000000000000000000000000000"},
         "ciphertext":"00","mac":"0000000000000000000000000000000000000000000000000000000000000000",
         "kdf":"scrypt","kdfparams":{"dklen":32,"n":3,"r":8,"p":1,"salt":"00"}}})",
       "crypto.kdfparams.n"},
  };
  for (const Case &c : cases) {
    try {
      parse_keystore(c.json);
      FAIL() << c.json;
    } catch (const KeystoreError &e) {
      EXPECT_NE(std::string(e.what()).find(c.field), std::string::npos)
          << e.what() << " should name " << c.field;
    }
  }
}

TEST(Keystore, RefusesExpensiveParametersBeforeDeriving) {
  std::string json = R"({"version":3,"crypto":{"cipher":"aes-128-ctr",
    "cipherparams":{"iv":"00000000000000000000000000000000"},"ciphertext":"00",
    "mac":"0000000000000000000000000000000000000000000000000000000000000000","kdf":"scrypt",
    "kdfparams":{"dklen":32,"n":1073741824,"r":8,"p":1,"salt":"00"}}})";
  try {
    decrypt_keystore(json, "pw");
    FAIL() << "accepted a 1 TiB scrypt";
  } catch (const KeystoreError &e) {
    EXPECT_EQ(e.kind(), KeystoreError::Kind::kTooExpensive);
  }
  // Little memory but hours of work: n = 2^16, r = 8, p = 4096.
  std::string slow = json;
  slow.replace(slow.find("\"n\":1073741824"), 14, "\"n\":65536");
  slow.replace(slow.find("\"p\":1"), 5, "\"p\":4096");
  try {
    decrypt_keystore(slow, "pw");
    FAIL() << "accepted an hours-long scrypt";
  } catch (const KeystoreError &e) {
    EXPECT_EQ(e.kind(), KeystoreError::Kind::kTooExpensive);
  }
}

}  // namespace
}  // namespace lp::crypto
