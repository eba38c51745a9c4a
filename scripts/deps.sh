#!/usr/bin/env bash
# Installs what the build, the main job and the tests need on Debian 12 (bookworm).
# Idempotent: packages already present are not touched, npm installs from the lock file.
# Versions are pinned to the upstream release Debian 12 ships; the Debian revision is left
# open so security updates (1.22.0-4+deb12uN) still install.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  'meson=1.0.1*' 'ninja-build=1.11.1*' 'pkg-config=1.8.1*' 'g++=4:12.2*' 'python3=3.11.2*'
  'clang=1:14.0*' 'libclang-rt-14-dev=1:14.0.6*' 'clang-format=1:14.0*'
  'libglib2.0-dev=2.74.6*' 'libjson-glib-dev=1.6.6*' 'libsoup-3.0-dev=3.2.3*'
  'libssl-dev=3.0.*' 'libsecp256k1-dev=0.2.0*' 'libsqlite3-dev=3.40.1*' 'libgmp-dev=2:6.2.1*'
  'libsodium-dev=1.0.18*'
  'libgtest-dev=1.12.1*' 'libgmock-dev=1.12.1*'
  'libgstreamer1.0-dev=1.22.0*' 'libgstreamer-plugins-base1.0-dev=1.22.0*'
  'libgstreamer-plugins-bad1.0-dev=1.22.0*' 'gstreamer1.0-tools=1.22.0*'
  'gstreamer1.0-plugins-base=1.22.0*' 'gstreamer1.0-plugins-good=1.22.0*'
  'gstreamer1.0-plugins-bad=1.22.0*' 'gstreamer1.0-plugins-ugly=1.22.0*'
  'gstreamer1.0-libav=1.22.0*' 'gstreamer1.0-x=1.22.0*'
  'libavformat-dev=7:5.1*' 'libavcodec-dev=7:5.1*' 'libavutil-dev=7:5.1*' 'ffmpeg=7:5.1*' 'awscli=2.9.19*' 'python3-botocore=1.29.*' 'ca-certificates' 'curl=7.88*'
  # An RTMP server for the rtmp2src example's test (until lp-daemon ingests RTMP itself).
  'nginx=1.22.1*' 'libnginx-mod-rtmp=1:1.2.2*'
)

missing=()
for spec in "${APT_PACKAGES[@]}"; do
  pkg=${spec%%=*}
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$spec")
  fi
done
# Node.js runs the npm-provided peers (anvil, solc, s3rver, ethers). Any Node >= 18 will do;
# Debian 12's own is 18.
if ! command -v node >/dev/null 2>&1; then
  missing+=('nodejs=18.*' 'npm=9.*')
fi

if ((${#missing[@]})); then
  SUDO=
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
  echo "deps: installing ${#missing[@]} Debian packages" >&2
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages: exact versions from package-lock.json; skipped when node_modules matches the lock.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lp-installed-lock; then
  echo "deps: installing npm packages from package-lock.json" >&2
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.lp-installed-lock
fi
