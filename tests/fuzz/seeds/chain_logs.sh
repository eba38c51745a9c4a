#!/usr/bin/env bash
# Seeds for fuzz-chain_logs: a receipt carrying NewRound, DepositFunded and
# WinningTicketRedeemed logs as a node returns them, a log array, and binary logs.
set -euo pipefail
out=$1
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]

def word(v):
    return v.to_bytes(32, "big")

def addr_topic(a):
    return "0x" + "00" * 12 + a

sender = "f39fd6e51aad88f6f4ce6ab8827279cfffb92266"
recipient = "70997970c51812dc3a010c7d01b50e0d17dc79c8"
new_round = "0x22f2fc17c5daf07db2379b3a03a8ef20a183f761097a58fce219c8a14619e786"
deposit_funded = "0x5159e237d952190e68d5215430f305831be7c9c8776d1377c76679ae4773413f"
redeemed = "0xc389eb51ed006dbf2528507f010efdf5225ea596e1e1741d74f550dab1925ee7"
aux = word(7) + bytes(range(32))
redeemed_data = (word(10**16) + word(2**256 - 1) + word(3) + word(12345) + word(6 * 32)
                 + word(len(aux)) + aux)
def log(topics, data, index):
    return {"address": "0x" + "11" * 20, "topics": topics, "data": "0x" + data.hex(),
            "blockNumber": "0x10", "blockHash": "0x" + "22" * 32,
            "transactionHash": "0x" + "33" * 32, "logIndex": hex(index), "removed": False}
logs = [
    log([new_round, "0x" + word(7).hex()], bytes(range(32)), 0),
    log([deposit_funded, addr_topic(sender)], word(10**18), 1),
    log([redeemed, addr_topic(sender), addr_topic(recipient)], redeemed_data, 2),
]
receipt = {"transactionHash": "0x" + "33" * 32, "blockNumber": "0x10", "blockHash": "0x" + "22" * 32,
           "status": "0x1", "gasUsed": "0x5208", "effectiveGasPrice": "0x3b9aca00",
           "from": "0x" + sender, "to": "0x" + "11" * 20, "contractAddress": None, "logs": logs}
with open(os.path.join(out, "receipt.json"), "w") as f:
    json.dump(receipt, f)
with open(os.path.join(out, "logs.json"), "w") as f:
    json.dump(logs, f)
# Binary: event index 0 (NewRound) with its round topic; 1 (DepositFunded) with an address.
with open(os.path.join(out, "new_round.bin"), "wb") as f:
    f.write(bytes([0, 1]) + word(7) + bytes(range(32)))
with open(os.path.join(out, "deposit.bin"), "wb") as f:
    f.write(bytes([1, 1]) + bytes.fromhex(addr_topic(sender)[2:]) + word(10**18))
with open(os.path.join(out, "redeemed.bin"), "wb") as f:
    f.write(bytes([7, 2]) + bytes.fromhex(addr_topic(sender)[2:])
            + bytes.fromhex(addr_topic(recipient)[2:]) + redeemed_data)
PY
# Nesting around the parser's depth limit, so the fuzzer starts next to the guard.
python3 -c "print(\"[\" * 129 + \"]\" * 129)" > "$out/deep"
