// actcheck's kernels: every catalog entry, forward and backward, on float32, float16 and bfloat16
// spans. Every entry computes each element in double and rounds once into the storage format (see
// kernels/math.hpp for why and how accurately; kernels/rows.hpp for the vector and gated
// entries); the loops are vectorised for AVX-512, AVX2 with FMA, and a portable fallback, chosen
// at run time, and every path gives the same bits. No call allocates; all are safe to call from
// several threads.
//
//   actcheck::impl::sigmoid(x, y);                       // y = σ(x), float, Float16 or BFloat16
//   actcheck::impl::sigmoid_backward(x, dy, dx);         // dx = dy·σ′(x)
//   actcheck::impl::forward(Fn::softmax, params, 128, x, y);  // rows of 128
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "catalog/catalog.hpp"
#include "impl/storage.hpp"

namespace actcheck::impl {

// ---- Instruction sets ---------------------------------------------------------------------------

enum class Isa : std::uint8_t { kPortable, kAvx2, kAvx512 };
inline constexpr Isa kIsas[] = {Isa::kPortable, Isa::kAvx2, Isa::kAvx512};

std::string_view to_string(Isa isa);
bool is_supported(Isa isa);  // by this CPU (AVX-512: F, DQ, VL, BW; AVX2: AVX2, FMA, F16C)
Isa active_isa();            // the best supported, unless use_isa() chose another
// Makes every later call in the process use `isa` (tests and benchmarks compare them).
// Throws std::invalid_argument when this CPU does not support it.
void use_isa(Isa isa);

// ---- Any entry ----------------------------------------------------------------------------------

template <class T>
concept StorageType =
    std::same_as<T, float> || std::same_as<T, Float16> || std::same_as<T, BFloat16>;

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
// Elementwise entries treat every element alike, whatever row_length is. NaN gives NaN (a vector
// row with a NaN anywhere, in x or dy, is all NaN), ±inf give the limits where they exist.
// For the vector and gated entries out must not overlap x or dy (a row is read more than once).
// Throws std::invalid_argument when the span sizes do not fit the rows.
template <StorageType T>
void evaluate(Fn fn, const Params& params, Direction direction, std::size_t row_length,
              std::span<const T> x, std::span<const T> dy, std::span<T> out);

// Does fn offer its backward from the output y = f(x), as PyTorch's sigmoid, tanh and elu do?
bool has_backward_from_output(Fn fn);
// dx = dy·f′ computed from y (exact for the y given; y's own rounding is not undone). Throws
// std::invalid_argument when fn has no such form or the sizes differ.
template <StorageType T>
void backward_from_output(Fn fn, const Params& params, std::span<const T> y, std::span<const T> dy,
                          std::span<T> dx);

// ---- One function per entry ---------------------------------------------------------------------
// id(x, y[, params]) and id_backward(x, dy, dx[, params]) for every catalog entry and storage
// type; the vector and gated entries take the whole span as one row (evaluate() takes batches).

#define ACTCHECK_NAMED_KERNELS(id, T)                                                     \
  inline void id(std::span<const T> x, std::span<T> y,                                    \
                 const Params& params = default_params(Fn::id)) {                         \
    evaluate<T>(Fn::id, params, Direction::kForward, x.size(), x, {}, y);                 \
  }                                                                                       \
  inline void id##_backward(std::span<const T> x, std::span<const T> dy, std::span<T> dx, \
                            const Params& params = default_params(Fn::id)) {              \
    evaluate<T>(Fn::id, params, Direction::kBackward, x.size(), x, dy, dx);               \
  }
#define ACTCHECK_ACTIVATION(id, ...)  \
  ACTCHECK_NAMED_KERNELS(id, float)   \
  ACTCHECK_NAMED_KERNELS(id, Float16) \
  ACTCHECK_NAMED_KERNELS(id, BFloat16)
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
#undef ACTCHECK_NAMED_KERNELS

}  // namespace actcheck::impl
