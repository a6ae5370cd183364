// The fast tier's work on lanes of doubles: the enclosures of the entries whose formulas are
// written for lanes (formulas.hpp's HasLaneFormulas), and the roundings of every entry's
// enclosures. in_lanes.cpp is compiled once per instruction set, each in its own namespace and
// with its registers' width (8 doubles for AVX-512, 4 for AVX2, 2 for the baseline), as impl/'s
// kernels are; exact_block takes the one this CPU runs.
//
// Whole files rather than functions with a target attribute: GCC lowers a template's vector
// operations for the file's instruction set before inlining it into a function of another, and
// for the baseline it splits 8-lane masks combined with & into 8 scalar operations (a third of
// the AVX-512 roundings' instructions).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "catalog/catalog.hpp"
#include "reference/quantity.hpp"
#include "reference/rounding.hpp"

namespace actcheck::reference {

// The enclosures [lo[i], hi[i]] of q (value or derivative) at x[i], i < n, written in whole lanes
// (n rounded up to the width: lo and hi hold that many). Infinite and NaN inputs get NaN ends,
// which leave them to the scalar tiers.
using LaneEnclosure = void (*)(Quantity q, const double* x, std::size_t n, const Params& p,
                               double* lo, double* hi);

// The roundings of the enclosures [lo[i], hi[i]], i < n, in whole lanes (lo and hi hold them; those
// from n on are not read back). Ends that round alike on the grid decide it (NaN ends never do:
// their bits are no value's); the grid value then rounds into the target unless it is one of the
// target's ties. The decided go to out; the others' indices to `open`, and their count is
// returned. Every instruction set gives the same values: the roundings are exact bit arithmetic.
using RoundEnclosures = std::size_t (*)(const NearestRounding& to_target,
                                        const NearestRounding& to_grid, const double* lo,
                                        const double* hi, std::size_t n, Exact* out,
                                        std::uint16_t* open);

struct FastTierLanes {
  // Per entry, its lanes' enclosure, or nullptr where its formulas are not written for lanes.
  std::array<LaneEnclosure, kNumActivations> enclose;
  RoundEnclosures round_enclosures;
};

namespace avx512 {
const FastTierLanes& fast_tier_lanes();
}
namespace avx2 {
const FastTierLanes& fast_tier_lanes();
}
namespace portable {
const FastTierLanes& fast_tier_lanes();
}

}  // namespace actcheck::reference
