// The loops one instruction set provides: for every elementwise catalog entry and storage format,
// forward, backward (from x and dy) and, where PyTorch offers it, backward from the output y.
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

struct ElementwiseLoops {
  Loops<float> f32;
  Loops<Float16> f16;
  Loops<BFloat16> bf16;

  template <class T>
  const Loops<T>& of() const {
    if constexpr (std::is_same_v<T, float>) return f32;
    if constexpr (std::is_same_v<T, Float16>) return f16;
    if constexpr (std::is_same_v<T, BFloat16>) return bf16;
  }
};

// Indexed by Fn; the vector and gated entries' rows are empty (their kernels are not per element).
using IsaLoops = std::array<ElementwiseLoops, kNumActivations>;

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
