#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what it needs, builds, runs every
# test (unit, element, integration, fuzz smoke runs) and ends with the line "N passed, N failed".
# Arguments are passed to `meson test` (e.g. a suite name).
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1
scripts/build.sh || exit 1
scripts/build_fuzz.sh || exit 1
rm -f build/*.xml  # stale per-test XML must not count
meson test -C build --print-errorlogs --num-processes "${LP_TEST_JOBS:-2}" "$@"
rc=$?
python3 scripts/test_summary.py build || rc=1
exit $rc
