// One instruction set's table of loops. CMake compiles this file once per instruction set, with
// that set's flags and ACTCHECK_ISA naming it (portable, avx2, avx512).
#include "impl/kernels/loops.hpp"
#include "impl/kernels/rows.hpp"
#include "impl/kernels/table.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

namespace {

template <Fn fn>
kernels::EntryLoops entry() {
  kernels::EntryLoops e;
  if constexpr (is_elementwise(activation(fn).kind)) {
    e.f32 = loops_of<fn, float>();
    e.f16 = loops_of<fn, Float16>();
    e.bf16 = loops_of<fn, BFloat16>();
  } else {
    e.rows_f32 = row_loops_of<fn, float>();
    e.rows_f16 = row_loops_of<fn, Float16>();
    e.rows_bf16 = row_loops_of<fn, BFloat16>();
  }
  return e;
}

}  // namespace

const kernels::IsaLoops& loops() {
  static const kernels::IsaLoops table = {
#define ACTCHECK_ACTIVATION(id, ...) entry<Fn::id>(),
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  };
  return table;
}

}  // namespace actcheck::impl::ACTCHECK_ISA
