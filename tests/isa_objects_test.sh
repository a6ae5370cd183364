#!/usr/bin/env bash
# The files compiled once per instruction set (impl/kernels/isa_loops.cpp, reference/in_lanes.cpp,
# engine/in_lanes.cpp) must define no code that another file could define too (a weak function,
# nm's W), outside their own namespace: of two definitions of an inline function the linker keeps
# one, and one compiled for AVX-512 would then run, for every caller, on CPUs without it. Weak
# data (constants, statics) holds no instructions. Arguments: the object files.
set -euo pipefail
checked=0 status=0
for object in "$@"; do
  isa=$(sed -E 's/.*_(avx512|avx2|portable)\.dir\/.*/\1/' <<<"$object")
  shared=$(nm -C --defined-only "$object" | awk '$2 == "W"' | grep -v -e "::${isa}::" || true)
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
