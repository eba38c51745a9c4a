#!/usr/bin/env bash
# Every tracked C++ file matches the checked-in .clang-format (Debian clang-format 14).
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.h' 2>/dev/null || find gst protocol daemon tests examples bench -name '*.cpp' -o -name '*.h')
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
echo "$(echo "$files" | wc -w) files formatted"
