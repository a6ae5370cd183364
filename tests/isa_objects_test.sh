#!/usr/bin/env bash
# The files compiled once per instruction set (impl/kernels/isa_loops.cpp, reference/in_lanes.cpp,
# engine/in_lanes.cpp) must define nothing that another file could define too, outside their own
# namespace: of two definitions of an inline function the linker keeps one, and one compiled for
# AVX-512 would then run, for every caller, on CPUs without it. Arguments: the object files.
set -euo pipefail
checked=0 status=0
for object in "$@"; do
  isa=$(sed -E 's/.*_(avx512|avx2|portable)\.dir\/.*/\1/' <<<"$object")
  shared=$(nm -C --defined-only "$object" | awk '$2 ~ /^[WVu]$/' |
    grep -v -e "DW.ref.__gxx_personality_v0" -e "::${isa}::" || true)
  if [[ -n "$shared" ]]; then
    echo "$object defines, outside namespace ${isa}:"
    echo "$shared"
    status=1
  fi
  checked=$((checked + 1))
done
echo "$checked objects checked"
[[ $checked -eq 9 ]] || { echo "expected 9 objects (3 files × 3 instruction sets)"; exit 1; }
exit $status
