#!/usr/bin/env bash
# The whole default test suite (labels smoke and oracle), from a fresh Debian 12 machine. The
# hours-long label `exhaustive` is left out: run it with `ctest --preset default -L exhaustive`.
# Extra arguments go to ctest, e.g. `-L smoke` or `-R Identities`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
ctest --preset default -j "$(nproc)" --timeout 900 -LE exhaustive "$@"
