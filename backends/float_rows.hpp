// The float32 row functions behind the built-in backends, for callers that hold float spans
// already and time them (bench/kernel_bench.cpp), where Backend::evaluate would convert every
// batch from and to the engine's doubles in buffers of its own. Each has impl::evaluate<float>'s
// contract (FloatRows) and gives the bits its backend gives in float32 (the sign of a NaN aside).
// glibc's is impl::evaluate_composed<impl::StdMath> itself, as in libm_backend.cpp.
#pragma once

#include <cstddef>
#include <span>

#include "backends/float_adapter.hpp"
#include "catalog/catalog.hpp"
#include "impl/kernels.hpp"

namespace actcheck::backends {

// The seeds' textbook formulas, every operation rounded to float32 (naive_backend.cpp).
void naive_rows_f32(Fn fn, const Params& params, impl::Direction direction, std::size_t row_length,
                    std::span<const float> x, std::span<const float> dy, std::span<float> out);

// Eigen's array expressions (eigen_expressions.hpp) as the project compiles them. Elementwise
// entries are read from and written to the spans in place, in blocks of 4096; the elements before
// the first 64-byte boundary of `out`, and the last size % 16 of each block, take Eigen's scalar
// path (see eigen_exprs::evaluate_elementwise_f32), which the backend pads away.
void eigen_rows_f32(Fn fn, const Params& params, impl::Direction direction, std::size_t row_length,
                    std::span<const float> x, std::span<const float> dy, std::span<float> out);

// SLEEF's u10 functions in the compositions of impl/compositions.hpp (sleef_backend.cpp).
void sleef_rows_f32(Fn fn, const Params& params, impl::Direction direction, std::size_t row_length,
                    std::span<const float> x, std::span<const float> dy, std::span<float> out);

}  // namespace actcheck::backends
