#!/usr/bin/env bash
# Seeds for fuzz-rlp: nested lists, long strings and a signed EIP-1559 transaction.
set -euo pipefail
out=$1
printf '\xc7\xc0\xc1\xc0\xc3\xc0\xc1\xc0' > "$out/set"
printf '\xc8\x83cat\x83dog' > "$out/list"
python3 -c "import sys; sys.stdout.buffer.write(b'\xb8\x38' + b'L' * 56)" > "$out/long"
python3 -c "
import sys
sys.stdout.buffer.write(bytes.fromhex('02f864827a698001028252089400000000000000000000000000000000000000010580c080a0550bba44d59203ba902e095125c92dcba67666f80ac9f3b35ee5ad3e6f887ecca01a7e607382232d21d31a6f6a234771b93186e15caab5541a93611718d96fa18a'))
" > "$out/tx1559"
