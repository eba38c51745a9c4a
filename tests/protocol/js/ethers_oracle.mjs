// An independent implementation for the protocol tests: reads a JSON array of requests on stdin,
// answers each with ethers 6, and writes a JSON array of results (same order) on stdout. A
// request that ethers rejects yields {"error": message} in its slot.
import {
  AbiCoder, Interface, Transaction, Wallet, decryptKeystoreJsonSync, encodeRlp,
  encryptKeystoreJsonSync, getAddress, getBytes, hashMessage, keccak256, computeAddress,
} from "ethers";

async function answer(req) {
  switch (req.op) {
    case "keccak":
      return { hash: keccak256(req.data) };
    case "address":
      return { address: computeAddress(req.key), checksummed: getAddress(req.lower) };
    case "personal_sign": {
      const w = new Wallet(req.key);
      return { sig: w.signMessageSync(getBytes(req.message)), digest: hashMessage(getBytes(req.message)) };
    }
    case "keystore_encrypt": {
      const w = new Wallet(req.key);
      const json = encryptKeystoreJsonSync({ address: w.address, privateKey: req.key }, req.password,
                                           { scrypt: { N: req.n, r: 8, p: 1 } });
      return { json };
    }
    case "keystore_decrypt": {
      const account = decryptKeystoreJsonSync(req.json, req.password);
      return { key: account.privateKey, address: account.address };
    }
    case "abi_encode":
      return { data: AbiCoder.defaultAbiCoder().encode(req.types, req.values) };
    case "abi_decode": {
      const values = AbiCoder.defaultAbiCoder().decode(req.types, req.data);
      return { values: JSON.parse(JSON.stringify(values.toArray(true), (_, v) => typeof v === "bigint" ? v.toString() : v)) };
    }
    case "encode_call": {
      const iface = new Interface([`function ${req.signature}`]);
      return { data: iface.encodeFunctionData(iface.fragments[0].name, req.args) };
    }
    case "rlp":
      return { data: encodeRlp(req.item) };
    case "sign_tx": {
      const w = new Wallet(req.key);
      const raw = await w.signTransaction(req.tx);
      const parsed = Transaction.from(raw);
      return { raw, hash: parsed.hash, from: parsed.from };
    }
    case "parse_tx": {
      const t = Transaction.from(req.raw);
      return { hash: t.hash, from: t.from, type: t.type, nonce: t.nonce, chainId: t.chainId.toString(),
               to: t.to, value: t.value.toString(), data: t.data };
    }
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const requests = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = [];
for (const req of requests) {
  try {
    results.push(await answer(req));
  } catch (e) {
    results.push({ error: String(e.shortMessage || e.message || e) });
  }
}
process.stdout.write(JSON.stringify(results));
