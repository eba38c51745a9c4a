#!/usr/bin/env bash
# Seeds for fuzz-presignedpost: a policy as an orchestrator hands it out.
set -euo pipefail
out=$1
printf '{"url":"http://127.0.0.1:9000/hls","keyPrefix":"s/o/","policy":"eyJleHBpcmF0aW9uIjoiMjAyNCJ9","signature":"00","credential":"AK/20240610/us-east-1/s3/aws4_request","date":"20240610T000000Z","acl":"public-read","sessionToken":"","expires":1718003600}' > "$out/post"
# Nesting around the parser's depth limit, so the fuzzer starts next to the guard.
python3 -c "print(\"[\" * 129 + \"]\" * 129)" > "$out/deep"
