// The loops over the elementwise kernels, one per (entry, storage format, pass): widen the
// element to double, evaluate, round once into the storage format. NaN passes through (a NaN x
// gives NaN; a NaN dy gives NaN by the product). A kernel with a float path for the pass
// (value_f32, backward_f32 or backward_from_output_f32, on float_math.hpp's vectors) runs that
// instead, where its parameters allow (float_path_applies): on float32 as it is, on float16 and
// bfloat16 widened to float and narrowed back where that rounding is certain (storage_lanes.hpp).
// The double loops have no branches and no calls, so GCC vectorises them for the instruction set
// they are compiled for.
#pragma once

#include <cstddef>
#include <cstring>
#include <type_traits>

#include "impl/kernels/exponential.hpp"
#include "impl/kernels/gaussian.hpp"
#include "impl/kernels/hyperbolic.hpp"
#include "impl/kernels/logistic.hpp"
#include "impl/kernels/piecewise.hpp"
#include "impl/kernels/storage.hpp"
#include "impl/kernels/storage_lanes.hpp"
#include "impl/kernels/table.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

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

// One element by the double path: widen, evaluate, round once. dx = dy·f′(x) has its product
// rounded to odd, so that an exact f′ (1, a slope) gives the correctly rounded dx. From the output
// (PyTorch's sigmoid, tanh and elu backward), dx = dy·f′ is exact for the y given, but y's own
// rounding is not undone.
template <Fn fn, class T>
ACTCHECK_ALWAYS_INLINE T forward_element(const Kernel<fn>& kernel, T x) {
  const double v = widen(x);
  return narrow<T>(nan_where_nan(v, kernel.value(v)));
}
template <Fn fn, class T>
ACTCHECK_ALWAYS_INLINE T backward_element(const Kernel<fn>& kernel, T x, T dy) {
  const double v = widen(x);
  return narrow<T>(nan_where_nan(v, product_to_odd(widen(dy), kernel.derivative(v))));
}
template <Fn fn, class T>
ACTCHECK_ALWAYS_INLINE T backward_from_output_element(const Kernel<fn>& kernel, T y, T dy) {
  const double v = widen(y);
  return narrow<T>(nan_where_nan(v, widen(dy) * kernel.derivative_from_output(v)));
}

template <Fn fn>
concept HasFloatForward = requires(const Kernel<fn>& k, Floats x) {
  k.value_f32(x);
};
template <Fn fn>
concept HasFloatBackward = requires(const Kernel<fn>& k, Floats x) {
  k.backward_f32(x, x);
};
template <Fn fn>
concept HasFloatBackwardFromOutput = requires(const Kernel<fn>& k, Floats y) {
  k.backward_from_output_f32(y, y);
  k.backward_from_output_domain(y, y);
};

// Whether float32 takes the kernel's float path: a kernel with parameters says whether they allow
// it (a slope the float path would have to round, say, does not).
template <Fn fn>
bool takes_float_path(const Kernel<fn>& kernel) {
  if constexpr (requires { kernel.float_path_applies(); }) {
    return kernel.float_path_applies();
  } else {
    return true;
  }
}

// Whether a kernel's float path for a pass gives, on elements of any storage format, values of that
// format or NaN (a selection among x, dy, 0 and 1, say): `kForwardInStorage` or
// `kBackwardInStorage` in the kernel. Narrowing those is exact, so the float16 and bfloat16 loops
// skip the test of certainty and send only NaN to the double path.
template <Fn fn>
inline constexpr bool kForwardInStorage = requires {
  requires Kernel<fn>::kForwardInStorage;
};
template <Fn fn>
inline constexpr bool kBackwardInStorage = requires {
  requires Kernel<fn>::kBackwardInStorage;
};

// The float path's loop: `fast` on simd::kLanes elements at a time (the last few zero-padded),
// then, where `domain` (if the kernel has one) leaves a lane out, or where narrowing to float16 or
// bfloat16 is not certain (storage_lanes.hpp; for a path kInStorage, where the result is NaN),
// `exact`, the double path, on that element alone. Which path an element takes depends on it
// alone, so every instruction set gives the same bits whatever its width.
struct EveryLane {};
template <bool kInStorage, class T, class Fast, class Domain, class Exact>
ACTCHECK_ALWAYS_INLINE void float_loop(std::size_t n, const T* a, const T* b, T* out, Fast fast,
                                       Domain domain, Exact exact) {
  const auto step = [&](std::size_t i, std::size_t count) {
    const Floats va = load_lanes(a + i, count), vb = load_lanes(b + i, count);
    const Floats v = fast(va, vb);
    const NarrowedLanes<T> result = narrow_lanes(v, T{});
    constexpr bool kEveryLane = std::is_same_v<Domain, EveryLane>;
    if constexpr (kEveryLane && std::is_same_v<T, float>) {
      // float32 results are always certain: a float32 loop without a domain has nothing to check.
      store_lanes(out + i, result.codes, count);
    } else {
      Ints inside = kInStorage && !std::is_same_v<T, float> ? v == v : result.certain;
      if constexpr (!kEveryLane) inside &= domain(va, vb);
      const std::uint32_t fast_lanes = simd::lane_bits(inside);
      if (fast_lanes == simd::kEveryLaneBits) [[likely]] {
        store_lanes(out + i, result.codes, count);
        return;
      }
      // The elements are read before the results are stored: out may be a or b (in place).
      T elements_a[simd::kLanes], elements_b[simd::kLanes];
      std::memcpy(static_cast<void*>(elements_a), a + i, count * sizeof(T));
      std::memcpy(static_cast<void*>(elements_b), b + i, count * sizeof(T));
      store_lanes(out + i, result.codes, count);
      for (std::size_t lane = 0; lane < count; ++lane) {
        if (!(fast_lanes >> lane & 1)) out[i + lane] = exact(elements_a[lane], elements_b[lane]);
      }
    }
  };
  std::size_t i = 0;
  for (; i + 2 * simd::kLanes <= n; i += 2 * simd::kLanes) {
    step(i, simd::kLanes);
    step(i + simd::kLanes, simd::kLanes);
  }
  for (; i + simd::kLanes <= n; i += simd::kLanes) step(i, simd::kLanes);
  if (i < n) step(i, n - i);
}

template <Fn fn, class T>
[[gnu::flatten]] void forward_loop(const Params& params, const T* x, T* y, std::size_t n) {
  const Kernel<fn> kernel(params);
  if constexpr (HasFloatForward<fn> && (std::is_same_v<T, float> || kStorageTakesFloatPaths)) {
    if (takes_float_path(kernel)) {
      const auto fast = [&](Floats v, Floats) { return kernel.value_f32(v); };
      const auto exact = [&](T v, T) { return forward_element(kernel, v); };
      if constexpr (requires(Floats v) { kernel.forward_domain(v); }) {
        const auto domain = [&](Floats v, Floats) { return kernel.forward_domain(v); };
        return float_loop<kForwardInStorage<fn>>(n, x, x, y, fast, domain, exact);
      } else {
        return float_loop<kForwardInStorage<fn>>(n, x, x, y, fast, EveryLane{}, exact);
      }
    }
  }
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = forward_element(kernel, x[i]);
}

template <Fn fn, class T>
[[gnu::flatten]] void backward_loop(const Params& params, const T* x, const T* dy, T* dx,
                                    std::size_t n) {
  const Kernel<fn> kernel(params);
  if constexpr (HasFloatBackward<fn> && (std::is_same_v<T, float> || kStorageTakesFloatPaths)) {
    if (takes_float_path(kernel)) {
      const auto fast = [&](Floats v, Floats g) { return kernel.backward_f32(v, g); };
      const auto exact = [&](T v, T g) { return backward_element(kernel, v, g); };
      if constexpr (requires(Floats v) { kernel.backward_domain(v, v); }) {
        const auto domain = [&](Floats v, Floats g) { return kernel.backward_domain(v, g); };
        return float_loop<kBackwardInStorage<fn>>(n, x, dy, dx, fast, domain, exact);
      } else {
        return float_loop<kBackwardInStorage<fn>>(n, x, dy, dx, fast, EveryLane{}, exact);
      }
    }
  }
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] = backward_element(kernel, x[i], dy[i]);
}

template <Fn fn, class T>
[[gnu::flatten]] void backward_from_output_loop(const Params& params, const T* y, const T* dy,
                                                T* dx, std::size_t n) {
  const Kernel<fn> kernel(params);
  if constexpr (HasFloatBackwardFromOutput<fn> &&
                (std::is_same_v<T, float> || kStorageTakesFloatPaths)) {
    if (takes_float_path(kernel)) {
      const auto fast = [&](Floats v, Floats g) { return kernel.backward_from_output_f32(v, g); };
      const auto domain = [&](Floats v, Floats g) {
        return kernel.backward_from_output_domain(v, g);
      };
      const auto exact = [&](T v, T g) { return backward_from_output_element(kernel, v, g); };
      return float_loop<false>(n, y, dy, dx, fast, domain, exact);
    }
  }
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] = backward_from_output_element(kernel, y[i], dy[i]);
}

template <Fn fn, class T>
kernels::Loops<T> loops_of() {
  kernels::Loops<T> loops{&forward_loop<fn, T>, &backward_loop<fn, T>, nullptr};
  if constexpr (HasDerivativeFromOutput<fn>) {
    loops.backward_from_output = &backward_from_output_loop<fn, T>;
  }
  return loops;
}

}  // namespace actcheck::impl::ACTCHECK_ISA
