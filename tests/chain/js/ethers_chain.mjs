// An independent view of the contracts for the chain tests: ethers 6 with the ABIs solc wrote
// (contracts.json). Reads {artifacts, url, requests: [...]} on stdin, answers each request:
//   {op: "encode", contract, fn, args}        -> {data}   calldata as ethers encodes it
//   {op: "read", contract, address, fn, args} -> {value}  a view call on the chain, via ethers
//   {op: "topics", contract}                  -> {topics: {signature: topic0}}
// Integers travel as decimal strings both ways.
import { readFileSync } from "node:fs";
import { Contract, Interface, JsonRpcProvider } from "ethers";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const artifacts = JSON.parse(readFileSync(input.artifacts, "utf8"));
const provider = input.url ? new JsonRpcProvider(input.url, undefined, { cacheTimeout: -1, staticNetwork: true }) : null;

const plain = (v) => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === "bigint" ? x.toString() : x)));
const deep = (r) => (r && typeof r.toArray === "function" ? r.toArray(true).map(deep) : r);

async function answer(req) {
  const abi = artifacts[req.contract].abi;
  switch (req.op) {
    case "encode":
      return { data: new Interface(abi).encodeFunctionData(req.fn, req.args) };
    case "read": {
      const c = new Contract(req.address, abi, provider);
      return { value: plain(deep(await c.getFunction(req.fn).staticCall(...req.args))) };
    }
    case "topics": {
      const topics = {};
      new Interface(abi).forEachEvent((e) => { topics[e.format("sighash")] = e.topicHash; });
      return { topics };
    }
    default:
      throw new Error(`unknown op ${req.op}`);
  }
}

const results = [];
for (const req of input.requests) {
  try {
    results.push(await answer(req));
  } catch (e) {
    results.push({ error: String(e.shortMessage || e.message || e) });
  }
}
process.stdout.write(JSON.stringify(results));
if (provider) provider.destroy();
