// actcheck's own kernels, float32 in and out (float16 and bfloat16 are computed by them in float32
// and rounded once by the caller, see storage.hpp), forward and backward, for every catalog entry.
//
// For now these are the plain float32 compositions of compositions.hpp instantiated with glibc's
// float functions: the same code the libm backend runs, so the two columns agree. The fast SIMD
// kernels, each with its doc block and measured ULP bound, come with the kernels issue and replace
// the definitions behind this interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "catalog/catalog.hpp"

namespace actcheck::impl {

enum class Direction : std::uint8_t {
  kForward,  // y = f(x)
  kBackward,  // dx = Jᵀ·dy: dy·f′(x) for elementwise entries, the vector-Jacobian product for rows
};

// The length of fn's output row for an input row of `row_length` elements: row_length for the
// elementwise and softmax-like entries, half of it for glu and swiglu, row_length/k for maxout.
// Throws std::invalid_argument when the row does not suit fn (empty, odd for a gated entry, not a
// multiple of maxout's k).
std::size_t output_length(Fn fn, std::size_t row_length, const Params& params);

// Evaluates whole rows of `row_length` elements; parameters in the catalog's order.
//  - forward:  x holds the input rows, out receives rows of output_length() elements; dy is unused.
//  - backward: x holds the input rows, dy the upstream gradient in output-shaped rows, out
//    receives the gradient with respect to x in input-shaped rows.
// Elementwise entries treat every element alike, whatever row_length is. A NaN gives NaN (a vector
// row with a NaN anywhere, in x or dy, is all NaN), ±inf give the limits where they exist.
// Allocates nothing; safe to call from several threads; throws std::invalid_argument when the
// span sizes do not fit the rows.
void evaluate_rows(Fn fn, const Params& params, Direction direction, std::size_t row_length,
                   std::span<const float> x, std::span<const float> dy, std::span<float> out);

}  // namespace actcheck::impl
