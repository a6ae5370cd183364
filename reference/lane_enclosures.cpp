// One instruction set's lane enclosures (lane_enclosures.hpp). CMake compiles this file once per
// set, with that set's flags and ACTCHECK_REFERENCE_ISA naming it (portable, avx2, avx512).
#include "reference/lane_enclosures.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "reference/formulas.hpp"

namespace actcheck::reference::ACTCHECK_REFERENCE_ISA {
namespace {

#if defined(__AVX512F__)
constexpr std::size_t kWidth = 8;
#elif defined(__AVX2__)
constexpr std::size_t kWidth = 4;
#else
constexpr std::size_t kWidth = 2;
#endif
// Lanes of this file's own type: every function the formulas instantiate on them is this file's
// alone, compiled for its instruction set and for no other (a second copy, compiled for another,
// could be the one the linker keeps).
struct ThisInstructionSet {};
using R = IntervalLanes<kWidth, ThisInstructionSet>;
using Doubles = R::Doubles;

template <Fn F>
void enclose(Quantity q, const double* x, std::size_t n, const Params& p, double* lo, double* hi) {
  const auto enclose_each = [&](auto formula) {
    for (std::size_t first = 0; first < n; first += kWidth) {
      Doubles v{};
      std::memcpy(&v, x + first, std::min(kWidth, n - first) * sizeof(double));
      const R e = formula(v).undecided_where(~(lanes::magnitude(v) < INFINITY));
      const Doubles low = e.lo(), high = e.hi();
      std::memcpy(lo + first, &low, sizeof low);
      std::memcpy(hi + first, &high, sizeof high);
    }
  };
  if (q == Quantity::kValue) {
    enclose_each([&](const Doubles& v) { return Formula<F>::template value<R>(v, p); });
  } else {
    enclose_each([&](const Doubles& v) { return Formula<F>::template derivative<R>(v, p); });
  }
}

template <Fn F>
constexpr LaneEnclosure entry() {
  if constexpr (HasLaneFormulas<F>) {
    return &enclose<F>;
  } else {
    return nullptr;
  }
}

}  // namespace

const LaneEnclosures& lane_enclosures() {
  static constexpr LaneEnclosures table = {
#define ACTCHECK_ACTIVATION(id, ...) entry<Fn::id>(),
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  };
  return table;
}

}  // namespace actcheck::reference::ACTCHECK_REFERENCE_ISA
