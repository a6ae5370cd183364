// SLEEF's vector double functions for IntervalLanes (interval_lanes.hpp), each width in a function
// compiled for its instruction set, with the vector passed in memory.
#include <immintrin.h>

#include "reference/interval_lanes.hpp"

// Declared here: sleef.h declares a width only where the whole file is compiled for its instruction
// set, and this file holds all three.
#define ACTCHECK_SLEEF_FUNCTION(name, accuracy)       \
  __m128d Sleef_##name##d2_##accuracy##sse2(__m128d); \
  __m256d Sleef_##name##d4_##accuracy##avx2(__m256d); \
  __m512d Sleef_##name##d8_##accuracy##avx512f(__m512d);
extern "C" {
ACTCHECK_SLEEF_FUNCTION(exp, u10)
ACTCHECK_SLEEF_FUNCTION(expm1, u10)
ACTCHECK_SLEEF_FUNCTION(log, u10)
ACTCHECK_SLEEF_FUNCTION(log1p, u10)
ACTCHECK_SLEEF_FUNCTION(tanh, u35)
ACTCHECK_SLEEF_FUNCTION(erf, u10)
ACTCHECK_SLEEF_FUNCTION(erfc, u15)
}
#undef ACTCHECK_SLEEF_FUNCTION

namespace actcheck::reference::sleef_lanes {

#define ACTCHECK_SLEEF_LANES(name, accuracy)                                       \
  [[gnu::target("arch=x86-64-v4")]] void name(const lanes::Lanes<8>::Doubles& v,   \
                                              lanes::Lanes<8>::Doubles& result) {  \
    result = std::bit_cast<lanes::Lanes<8>::Doubles>(                              \
        Sleef_##name##d8_##accuracy##avx512f(std::bit_cast<__m512d>(v)));          \
  }                                                                                \
  [[gnu::target("arch=x86-64-v3")]] void name(const lanes::Lanes<4>::Doubles& v,   \
                                              lanes::Lanes<4>::Doubles& result) {  \
    result = std::bit_cast<lanes::Lanes<4>::Doubles>(                              \
        Sleef_##name##d4_##accuracy##avx2(std::bit_cast<__m256d>(v)));             \
  }                                                                                \
  void name(const lanes::Lanes<2>::Doubles& v, lanes::Lanes<2>::Doubles& result) { \
    result = std::bit_cast<lanes::Lanes<2>::Doubles>(                              \
        Sleef_##name##d2_##accuracy##sse2(std::bit_cast<__m128d>(v)));             \
  }
ACTCHECK_SLEEF_LANES(exp, u10)
ACTCHECK_SLEEF_LANES(expm1, u10)
ACTCHECK_SLEEF_LANES(log, u10)
ACTCHECK_SLEEF_LANES(log1p, u10)
ACTCHECK_SLEEF_LANES(tanh, u35)
ACTCHECK_SLEEF_LANES(erf, u10)
ACTCHECK_SLEEF_LANES(erfc, u15)
#undef ACTCHECK_SLEEF_LANES

}  // namespace actcheck::reference::sleef_lanes
