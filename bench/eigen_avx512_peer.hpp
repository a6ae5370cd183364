// The eigen peer of bench/kernel_bench.cpp compiled for AVX-512: Eigen picks its packet width at
// compile time, so the backend's expressions (backends/eigen_expressions.hpp), compiled as the
// project compiles them, use SSE2's 4 floats, and this build uses 16. It lives in a shared library
// of its own with hidden symbols (bench/CMakeLists.txt): linked into one program with the SSE2
// build, the two builds of the same inline Eigen functions would be merged, and both peers would
// run one of them. Its results are not the backend's: Eigen's AVX-512 functions round
// differently, and differ in the tails (σ(−∞) = 0, so silu(−∞) = NaN).
#pragma once

#include <cstddef>
#include <span>

#include "catalog/catalog.hpp"
#include "impl/kernels.hpp"

namespace actcheck::bench {

// backends::eigen_rows_f32 for the elementwise entries (it throws std::invalid_argument for the
// others), with the same caveats on alignment. Call it only where the CPU has AVX-512 F, DQ, VL
// and BW, AVX2 and FMA.
[[gnu::visibility("default")]] void eigen_avx512_rows(
    Fn fn, const Params& params, impl::Direction direction, std::size_t row_length,
    std::span<const float> x, std::span<const float> dy, std::span<float> out);

// Floats per packet in this build (16 when the AVX-512 flags took effect).
[[gnu::visibility("default")]] int eigen_avx512_packet_floats();

}  // namespace actcheck::bench
