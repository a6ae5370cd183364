// See eigen_avx512_peer.hpp. Compiled with -mavx512f -mavx512dq -mavx512vl -mavx512bw -mavx2 -mfma.
#include "bench/eigen_avx512_peer.hpp"

// GCC 12's AVX-512 intrinsics fill their unused merge operands with self-initialised variables,
// which its own -Wuninitialized then reports wherever Eigen calls them (GCC bug 105593). The
// warnings point at those lines of avx512fintrin.h, which are included here with them off.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#include "backends/eigen_expressions.hpp"

#if !defined(__AVX512F__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__) || \
    !defined(__AVX512BW__) || !defined(__FMA__)
#error "eigen_avx512_peer.cpp needs the AVX-512 flags that bench/CMakeLists.txt gives it"
#endif

namespace actcheck::bench {

void eigen_avx512_rows(Fn fn, const Params& params, impl::Direction direction, std::size_t,
                       std::span<const float> x, std::span<const float> dy, std::span<float> out) {
  backends::eigen_exprs::evaluate_elementwise_f32(fn, params, direction, x, dy, out);
}

int eigen_avx512_packet_floats() { return Eigen::internal::packet_traits<float>::size; }

}  // namespace actcheck::bench
