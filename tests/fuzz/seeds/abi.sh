#!/usr/bin/env bash
# Seeds for fuzz-abi: a redeemWinningTicket argument tuple, dynamic arrays, and a type string.
set -euo pipefail
out=$1
python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
w = lambda v: v.to_bytes(32, "big")
pad = lambda b: b + bytes(-len(b) % 32)
# (ticket tuple, bytes sig, uint256 rand): head = 3 words.
aux = w(7) + bytes(range(32))
ticket = (bytes(12) + bytes(range(1, 21)) + bytes(12) + bytes(range(21, 41)) + w(10**18) +
          w(2**255) + w(1) + bytes(range(32)) + w(7 * 32) + w(len(aux)) + aux)
sig = bytes(range(65))
head = w(3 * 32) + w(3 * 32 + len(ticket)) + w(42)
tail = ticket + w(len(sig)) + pad(sig)
open(f"{out}/redeem", "wb").write(bytes([0]) + head + tail)
# (uint256[], string, (address, bytes)[])
arr = w(2) + w(1) + w(2)
s = w(5) + pad(b"hello")
pairs = w(1) + w(32) + bytes(12) + bytes(range(20)) + w(64) + w(3) + pad(b"abc")
head = w(96) + w(96 + len(arr)) + w(96 + len(arr) + len(s))
open(f"{out}/mixed", "wb").write(bytes([2]) + head + arr + s + pairs)
open(f"{out}/typed", "wb").write(b"\xff(uint8,bytes)[]\n" + w(32) + w(1) + w(32) + w(5) + w(64) + w(2) + pad(b"hi"))
PY
