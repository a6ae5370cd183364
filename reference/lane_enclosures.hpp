// The fast tier's enclosures for the entries whose formulas are written for lanes
// (formulas.hpp's HasLaneFormulas): kWidth inputs at a time. lane_enclosures.cpp is compiled once
// per instruction set, each in its own namespace and with its own width (8 for AVX-512, 4 for
// AVX2, 2 for the baseline), as impl/'s kernels are; exact_block picks the table this CPU runs.
// Compiled whole for its set rather than through target attributes: GCC lowers a template's
// vector operations for the baseline before inlining it into a function of another target, and
// the lanes' masks and selects then ran one lane at a time.
#pragma once

#include <array>
#include <cstddef>

#include "catalog/catalog.hpp"
#include "reference/quantity.hpp"

namespace actcheck::reference {

// The enclosures [lo[i], hi[i]] of q (value or derivative) at x[i], i < n, written in whole lanes
// (n rounded up to the width: lo and hi hold that many). Infinite and NaN inputs get NaN ends,
// which leave them to the scalar tiers.
using LaneEnclosure = void (*)(Quantity q, const double* x, std::size_t n, const Params& p,
                               double* lo, double* hi);
// Per entry, its lanes' enclosure, or nullptr where its formulas are not written for lanes.
using LaneEnclosures = std::array<LaneEnclosure, kNumActivations>;

namespace avx512 {
const LaneEnclosures& lane_enclosures();
}
namespace avx2 {
const LaneEnclosures& lane_enclosures();
}
namespace portable {
const LaneEnclosures& lane_enclosures();
}

}  // namespace actcheck::reference
