// One instruction set's lanes of the fast tier (in_lanes.hpp). CMake compiles this file once per
// set, with that set's flags and ACTCHECK_ISA naming it (portable, avx2, avx512).
#include "reference/in_lanes.hpp"

#include <algorithm>
#include <array>
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

// (rounded, approx) pairs as an array of Exact lays them out: the lanes interleaved, in two
// vectors.
template <class D>
std::array<D, 2> as_pairs(D rounded, D approx) {
  if constexpr (sizeof(D) == 8 * sizeof(double)) {
    return {__builtin_shufflevector(rounded, approx, 0, 8, 1, 9, 2, 10, 3, 11),
            __builtin_shufflevector(rounded, approx, 4, 12, 5, 13, 6, 14, 7, 15)};
  } else if constexpr (sizeof(D) == 4 * sizeof(double)) {
    return {__builtin_shufflevector(rounded, approx, 0, 4, 1, 5),
            __builtin_shufflevector(rounded, approx, 2, 6, 3, 7)};
  } else {
    return {__builtin_shufflevector(rounded, approx, 0, 2),
            __builtin_shufflevector(rounded, approx, 1, 3)};
  }
}

std::size_t round_enclosures(const NearestRounding& target, const NearestRounding& grid,
                             const double* lo, const double* hi, std::size_t n, Exact* out,
                             std::uint16_t* open) {
  using Bits = lanes::BitsOf<Doubles>;
  // Copies, which the stores to out cannot change: their constants then stay in registers.
  const NearestRounding to_target = target, to_grid = grid;
  std::size_t open_count = 0;
  for (std::size_t first = 0; first < n; first += kWidth) {
    Doubles low, high;
    std::memcpy(&low, lo + first, sizeof low);
    std::memcpy(&high, hi + first, sizeof high);
    const Doubles approx = to_grid(low);
    const auto decided = (std::bit_cast<Bits>(approx) == std::bit_cast<Bits>(to_grid(high))) &
                         (approx == approx) & ~to_target.is_midpoint(approx);
    const Doubles rounded = to_target(approx);
    bool all_decided = first + kWidth <= n;
    for (std::size_t lane = 0; lane < kWidth; ++lane) all_decided &= decided[lane] != 0;
    if (all_decided) {  // nearly always: two stores
      std::memcpy(&out[first], as_pairs(rounded, approx).data(), 2 * sizeof(Doubles));
      continue;
    }
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
