// The loops over the elementwise kernels, one per (entry, storage format, pass): widen the
// element to double, evaluate, round once into the storage format. NaN passes through (a NaN x
// gives NaN; a NaN dy gives NaN by the product). The loops have no branches and no calls, so GCC
// vectorises them for the instruction set they are compiled for.
#pragma once

#include <cstddef>

#include "impl/kernels/exponential.hpp"
#include "impl/kernels/gaussian.hpp"
#include "impl/kernels/hyperbolic.hpp"
#include "impl/kernels/logistic.hpp"
#include "impl/kernels/piecewise.hpp"
#include "impl/kernels/storage.hpp"
#include "impl/kernels/table.hpp"

namespace actcheck::impl::ACTCHECK_KERNEL_ISA {

// `result`, or a quiet NaN where the input v is NaN (whatever the kernel's selects made of it). The
// flag is OR-ed into the bits, not selected by a branch, which would keep GCC from vectorising
// the larger loops.
ACTCHECK_ALWAYS_INLINE double nan_where_nan(double v, double result) {
  return from_bits(bits(result) | std::uint64_t{v != v} * 0x7ff8000000000000);
}

template <Fn fn>
concept HasDerivativeFromOutput = requires(const Kernel<fn>& k, double y) {
  k.derivative_from_output(y);
};

template <Fn fn, class T>
[[gnu::flatten]] void forward_loop(const Params& params, const T* x, T* y, std::size_t n) {
  const Kernel<fn> kernel(params);
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const double v = widen(x[i]);
    y[i] = narrow<T>(nan_where_nan(v, kernel.value(v)));
  }
}

// dx = dy·f′(x), the product rounded to odd so that an exact f′ (1, a slope) gives the correctly
// rounded dx.
template <Fn fn, class T>
[[gnu::flatten]] void backward_loop(const Params& params, const T* x, const T* dy, T* dx,
                                    std::size_t n) {
  const Kernel<fn> kernel(params);
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const double v = widen(x[i]);
    dx[i] = narrow<T>(nan_where_nan(v, product_to_odd(widen(dy[i]), kernel.derivative(v))));
  }
}

// dx = dy·f′ computed from the output y = f(x), as PyTorch's sigmoid, tanh and elu backward do:
// exact for the y given, but y's own rounding is not undone.
template <Fn fn, class T>
[[gnu::flatten]] void backward_from_output_loop(const Params& params, const T* y, const T* dy,
                                                T* dx, std::size_t n) {
  const Kernel<fn> kernel(params);
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const double v = widen(y[i]);
    dx[i] = narrow<T>(nan_where_nan(v, widen(dy[i]) * kernel.derivative_from_output(v)));
  }
}

template <Fn fn, class T>
kernels::Loops<T> loops_of() {
  kernels::Loops<T> loops{&forward_loop<fn, T>, &backward_loop<fn, T>, nullptr};
  if constexpr (HasDerivativeFromOutput<fn>) {
    loops.backward_from_output = &backward_from_output_loop<fn, T>;
  }
  return loops;
}

}  // namespace actcheck::impl::ACTCHECK_KERNEL_ISA
