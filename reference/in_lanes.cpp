// One instruction set's lanes of the fast tier (in_lanes.hpp). CMake compiles this file once per
// set, with that set's flags and ACTCHECK_ISA naming it (portable, avx2, avx512).
#include "reference/in_lanes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "reference/formulas.hpp"

namespace actcheck::reference::ACTCHECK_ISA {
namespace {

constexpr std::size_t kWidth = lanes::kCompiledWidth;
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

std::size_t round_enclosures(const NearestRounding& to_target, const NearestRounding& to_grid,
                             const double* lo, const double* hi, std::size_t n, Exact* out,
                             std::uint16_t* open) {
  using Bits = lanes::BitsOf<Doubles>;
  std::size_t open_count = 0;
  for (std::size_t first = 0; first < n; first += kWidth) {
    Doubles low, high;
    std::memcpy(&low, lo + first, sizeof low);
    std::memcpy(&high, hi + first, sizeof high);
    const Doubles approx = to_grid(low);
    const auto decided = (std::bit_cast<Bits>(approx) == std::bit_cast<Bits>(to_grid(high))) &
                         (approx == approx) & ~to_target.is_midpoint(approx);
    const Doubles rounded = to_target(approx);
    for (std::size_t lane = 0; lane < kWidth && first + lane < n; ++lane) {
      out[first + lane] = {rounded[lane], approx[lane]};
      if (!decided[lane]) open[open_count++] = static_cast<std::uint16_t>(first + lane);
    }
  }
  return open_count;
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

const FastTierLanes& fast_tier_lanes() {
  static constexpr FastTierLanes table = {
      .enclose =
          {
#define ACTCHECK_ACTIVATION(id, ...) entry<Fn::id>(),
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
          },
      .round_enclosures = &round_enclosures,
  };
  return table;
}

}  // namespace actcheck::reference::ACTCHECK_ISA
