// The engine's work on lanes of doubles: measure_plain and Metrics::summarize_plain, compiled once
// per instruction set (in_lanes.cpp, each in its own namespace, with its registers' width: 8
// doubles for AVX-512, 4 for AVX2, 2 for the baseline) for the reason reference/in_lanes.hpp gives.
// The callers (ulp.cpp, metrics.cpp) take the one this CPU runs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/metrics.hpp"
#include "engine/ulp.hpp"

namespace actcheck::engine {

#define ACTCHECK_ENGINE_LANES(isa)                                                     \
  namespace isa {                                                                      \
  void measure_plain(const double* y, const reference::Exact* exact, std::size_t n,    \
                     const FormatSpec& f, double* ulps, std::uint8_t* plain);          \
  Metrics::PlainSummary summarize_plain(const double* ulps, const std::uint8_t* plain, \
                                        std::size_t n);                                \
  }
ACTCHECK_ENGINE_LANES(avx512)
ACTCHECK_ENGINE_LANES(avx2)
ACTCHECK_ENGINE_LANES(portable)
#undef ACTCHECK_ENGINE_LANES

}  // namespace actcheck::engine
