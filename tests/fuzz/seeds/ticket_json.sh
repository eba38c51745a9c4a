#!/usr/bin/env bash
# Seeds for fuzz-ticket_json: a flat ticket and a payment batch.
set -euo pipefail
out=$1
z20=0x0000000000000000000000000000000000000000
z32=0x0000000000000000000000000000000000000000000000000000000000000000
cat > "$out/ticket" <<JSON
{"recipient":"$z20","sender":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","faceValue":"1000","winProb":"0xff","senderNonce":3,"recipientRandHash":"$z32","creationRound":"7","creationRoundBlockHash":"$z32","expirationBlock":"140","priceNum":"1","priceDen":"3"}
JSON
cat > "$out/batch" <<JSON
{"ticketParams":{"recipient":"$z20","faceValue":"100000000","winProb":"5789604461865809771178549250434395392663499233282028201972879200395660","recipientRandHash":"$z32","seed":"12345","expirationBlock":"140","priceNum":"1","priceDen":"1","expirationParams":{"creationRound":"5","creationRoundBlockHash":"$z32"}},"sender":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","ticketSenderParams":[{"senderNonce":"1","sig":"0x$(printf '11%.0s' $(seq 65))"}]}
JSON
# Nesting around the parser's depth limit, so the fuzzer starts next to the guard.
python3 -c "print(\"[\" * 129 + \"]\" * 129)" > "$out/deep"
