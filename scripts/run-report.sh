#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine. Until the accuracy report lands (engine issue),
# it shows the catalog and exact evaluations at a few inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
bin=build/default/actcheck
"$bin" list
echo
"$bin" eval --function gelu --format f16 --x 0x1.8p+1
echo
"$bin" eval --function sigmoid --format f32 --x -100
echo
"$bin" eval --function softmax --format f32 --x 1e30,0,-inf
