// The loops one instruction set provides: for every elementwise catalog entry and storage format,
// forward, backward (from x and dy) and, where PyTorch offers it, backward from the output y; for
// every vector and gated entry, forward and backward over a batch of rows.
// isa_loops.cpp fills one table per instruction set; kernels.cpp picks the table at run time.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>

#include "catalog/catalog.hpp"
#include "impl/storage.hpp"

namespace actcheck::impl::kernels {

template <class T>
using ForwardLoop = void (*)(const Params& params, const T* x, T* y, std::size_t n);
template <class T>
using BackwardLoop = void (*)(const Params& params, const T* x_or_y, const T* dy, T* dx,
                              std::size_t n);

template <class T>
struct Loops {
  ForwardLoop<T> forward = nullptr;
  BackwardLoop<T> backward = nullptr;
  BackwardLoop<T> backward_from_output = nullptr;  // null where the entry has no such form
};

// `rows` rows of `row_length` elements (a length impl::output_length accepts): x holds the input
// rows, dy (backward only) the upstream gradient in output-shaped rows, out the output-shaped
// (forward) or input-shaped (backward) rows.
template <class T>
using RowLoop = void (*)(const Params& params, std::size_t row_length, std::size_t rows, const T* x,
                         const T* dy, T* out);

template <class T>
struct RowLoops {
  RowLoop<T> forward = nullptr;
  RowLoop<T> backward = nullptr;
};

// One catalog entry's loops: `f32`, `f16`, `bf16` for an elementwise entry, `rows_*` for a vector
// or gated one; the others are null.
struct EntryLoops {
  Loops<float> f32;
  Loops<Float16> f16;
  Loops<BFloat16> bf16;
  RowLoops<float> rows_f32;
  RowLoops<Float16> rows_f16;
  RowLoops<BFloat16> rows_bf16;

  template <class T>
  const Loops<T>& of() const {
    if constexpr (std::is_same_v<T, float>) return f32;
    if constexpr (std::is_same_v<T, Float16>) return f16;
    if constexpr (std::is_same_v<T, BFloat16>) return bf16;
  }
  template <class T>
  const RowLoops<T>& rows_of() const {
    if constexpr (std::is_same_v<T, float>) return rows_f32;
    if constexpr (std::is_same_v<T, Float16>) return rows_f16;
    if constexpr (std::is_same_v<T, BFloat16>) return rows_bf16;
  }
};

// Indexed by Fn.
using IsaLoops = std::array<EntryLoops, kNumActivations>;

}  // namespace actcheck::impl::kernels

// One table per instruction set, each compiled from isa_loops.cpp with that set's flags.
namespace actcheck::impl::portable {
const kernels::IsaLoops& loops();
}
namespace actcheck::impl::avx2 {
const kernels::IsaLoops& loops();
}
namespace actcheck::impl::avx512 {
const kernels::IsaLoops& loops();
}
