#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing, builds, and writes the
# accuracy report (every catalog function × every built-in backend × f16/bf16 exhaustive and an
# f32 stratified sample, forward and backward) to build/report/report.{json,md}. Extra arguments go
# to `actcheck report` (see `build/default/actcheck report --help`). An interrupted run resumes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
build/default/actcheck report --out build/report "$@"
