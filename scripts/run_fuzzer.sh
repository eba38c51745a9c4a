#!/usr/bin/env bash
# Runs one libFuzzer target from the clang build (build-fuzz) for a while.
#   scripts/run_fuzzer.sh NAME SECONDS      (the suite uses a short run; run longer by hand)
# Seeds come from tests/fuzz/seeds/NAME.sh when it exists (it writes files into $1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
name=$1
seconds=${2:-20}
bin="$root/build-fuzz/tests/fuzz/fuzz-$name"
if [ ! -x "$bin" ]; then
  echo "fuzzer $bin is missing: scripts/test.sh builds it (or scripts/build_fuzz.sh)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/seeds"
if [ -x "$root/tests/fuzz/seeds/$name.sh" ]; then
  "$root/tests/fuzz/seeds/$name.sh" "$work/seeds"
fi
cd "$work"
# -timeout: a single input may not take more than 10 s; -rss_limit_mb bounds memory.
exec "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "$work/corpus" "$work/seeds"
