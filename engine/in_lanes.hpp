// The engine's work on lanes: measure_plain, Metrics::summarize_plain and the float32 inputs
// (out[i] = the float32 of pattern prefix | map(k + i), map the sample's permutation or none),
// compiled once per instruction set (in_lanes.cpp, each in its own namespace, with its registers'
// width: 8 doubles for AVX-512, 4 for AVX2, 2 for the baseline) for the reason
// reference/in_lanes.hpp gives. The callers (ulp.cpp, metrics.cpp, input_set.cpp) take the one this
// CPU runs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/metrics.hpp"
#include "engine/permutation.hpp"
#include "engine/ulp.hpp"

namespace actcheck::engine {

#define ACTCHECK_ENGINE_LANES(isa)                                                            \
  namespace isa {                                                                             \
  void measure_plain(const double* y, const reference::Exact* exact, std::size_t n,           \
                     const FormatSpec& f, double* ulps, std::uint8_t* plain);                 \
  Metrics::PlainSummary summarize_plain(const double* ulps, const std::uint8_t* plain,        \
                                        std::size_t n);                                       \
  void permuted_floats(const Permutation& within, std::uint32_t prefix, std::uint32_t k,      \
                       std::size_t n, double* out);                                           \
  void consecutive_floats(std::uint32_t prefix, std::uint32_t k, std::size_t n, double* out); \
  }
ACTCHECK_ENGINE_LANES(avx512)
ACTCHECK_ENGINE_LANES(avx2)
ACTCHECK_ENGINE_LANES(portable)
#undef ACTCHECK_ENGINE_LANES

}  // namespace actcheck::engine
