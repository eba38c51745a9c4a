#!/usr/bin/env bash
# Seeds for fuzz-profiles: the two syntaxes users write.
set -euo pipefail
out=$1
printf 'P720p30fps16x9,P360p30fps16x9' > "$out/names"
printf '[{"name":"720p","width":1280,"height":720,"bitrate":"3000k","fps":30,"fpsDen":1,"gop":"2.0","profile":"H264High"}]' > "$out/json"
printf '{"profiles":[{"width":640,"height":360,"bitrate":800000,"gop":"intra"}]}' > "$out/wrapped"
# Nesting around the parser's depth limit, so the fuzzer starts next to the guard.
python3 -c "print(\"[\" * 129 + \"]\" * 129)" > "$out/deep"
