#!/usr/bin/env bash
# Installs the Debian 12 packages actcheck builds and tests with. Idempotent: asks apt only when a
# package is missing, and runs `apt-get update` only then. Nothing else is ever downloaded.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libmpfr-dev libgmp-dev        # exact reference
  libboost-dev                  # Boost.Multiprecision (header-only)
  libeigen3-dev                 # vector entries, eigen backend
  libgtest-dev librapidcheck-dev
  libbenchmark-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev libsleef-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
