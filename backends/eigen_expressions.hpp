// The `eigen` backend's formulas (backends/eigen_backend.cpp): every activation written the way
// an Eigen 3.4 user writes it, as array expressions with Eigen's own functions. They live in a
// header because Eigen fixes its packet width at compile time: the backend compiles them as the
// project does (baseline x86-64, SSE2), and bench/kernel_bench compiles them once more for
// AVX-512 (bench/eigen_avx512_peer.cpp, in a shared library of its own so that the two builds of
// the same inline functions never meet in one link).
//
// The design notes (softplus, softmax, Φ, the derivatives written as frameworks built on Eigen
// write them) are at the top of eigen_backend.cpp.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unsupported/Eigen/SpecialFunctions>

#include "backends/emulated_float.hpp"
#include "catalog/catalog.hpp"
#include "impl/kernels.hpp"

namespace actcheck::backends::eigen_exprs {

template <class T>
using Array = Eigen::Array<T, Eigen::Dynamic, 1>;

// What an elementwise formula reads: an Array, or a Map of the caller's memory, without a copy.
// An expression given instead is evaluated into a temporary first, as `const Array<T>&` would be.
template <class T>
using ArrayRef = Eigen::Ref<const Array<T>>;

template <class T>
constexpr Format kFormat = std::is_same_v<T, float>         ? Format::kF32
                           : std::is_same_v<T, Eigen::half> ? Format::kF16
                                                            : Format::kBF16;

// A constant or parameter of the computation, rounded once to T.
template <class T>
T constant(double v) {
  return T(round_once(v, kFormat<T>));
}

// 1 where `condition` holds, 0 elsewhere (NaN compares false: 0).
template <class T, class Condition>
auto indicator(const Eigen::ArrayBase<Condition>& condition) {
  return condition.template cast<T>();
}

template <class T>
Array<T> softplus_of(const ArrayRef<T>& t) {
  return t.max(T(0)) + (-t.abs()).exp().log1p();
}

template <class T>
auto elu_of(const ArrayRef<T>& x, T alpha) {
  return (x > T(0)).select(x, alpha * x.expm1());
}

template <class T>
auto elu_derivative(const ArrayRef<T>& x, T alpha) {
  return (x > T(0)).select(Array<T>::Ones(x.size()), alpha * x.exp());
}

template <class T>
Array<T> swish_derivative(const ArrayRef<T>& x, T beta) {
  const Array<T> s = (beta * x).logistic();
  const Array<T> bf = beta * x * s;
  return bf + s * (T(1) - bf);
}

// ---- One specialisation per catalog entry -----------------------------------------------------
// Elementwise entries have value<T>(x, p) and derivative<T>(x, p) over a whole batch. Where the
// formula reads only x and constants, they return it as an expression, which the caller evaluates
// straight into its destination (it refers to x: evaluate it within the statement that passes x);
// where it holds a temporary array (s in σ(1 − σ)), they return the evaluated array. Vector and
// gated entries have forward(row, p) and backward(row, v, p). An entry without a specialisation
// is unsupported (see Elementwise and RowWise below).

template <Fn F>
struct Expr;

template <>
struct Expr<Fn::step> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return indicator<T>(x > T(0));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return Array<T>::Zero(x.size());
  }
};

template <>
struct Expr<Fn::linear> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return constant<T>(p[0]) * x;
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return Array<T>::Constant(x.size(), constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::sigmoid> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x.logistic();
  }
  template <class T>
  static Array<T> derivative(const ArrayRef<T>& x, const Params&) {
    const Array<T> s = x.logistic();
    return s * (T(1) - s);
  }
};

template <>
struct Expr<Fn::tanh> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x.tanh();
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return T(1) - x.tanh().square();
  }
};

template <>
struct Expr<Fn::relu> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x.max(T(0));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return indicator<T>(x > T(0));
  }
};

template <>
struct Expr<Fn::leaky_relu> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return (x > T(0)).select(x, constant<T>(p[0]) * x);
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return (x > T(0)).select(Array<T>::Ones(x.size()), constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::prelu> : Expr<Fn::leaky_relu> {};

template <>
struct Expr<Fn::elu> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return elu_of<T>(x, constant<T>(p[0]));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return elu_derivative<T>(x, constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::selu> {
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return constant<T>(kLambda) * elu_of<T>(x, constant<T>(kAlpha));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return constant<T>(kLambda) * elu_derivative<T>(x, constant<T>(kAlpha));
  }
};

template <>
struct Expr<Fn::silu> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x * x.logistic();
  }
  template <class T>
  static Array<T> derivative(const ArrayRef<T>& x, const Params&) {
    return swish_derivative<T>(x, T(1));
  }
};

template <>
struct Expr<Fn::swish> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return x * (constant<T>(p[0]) * x).logistic();
  }
  template <class T>
  static Array<T> derivative(const ArrayRef<T>& x, const Params& p) {
    return swish_derivative<T>(x, constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::softplus> {
  template <class T>
  static Array<T> value(const ArrayRef<T>& x, const Params& p) {
    const T beta = constant<T>(p[0]);
    return softplus_of<T>(beta * x) / beta;
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return (constant<T>(p[0]) * x).logistic();
  }
};

template <>
struct Expr<Fn::softsign> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x / (T(1) + x.abs());
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return (T(1) + x.abs()).square().inverse();
  }
};

template <>
struct Expr<Fn::threshold> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return (x > constant<T>(p[0])).select(x, constant<T>(p[1]));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return indicator<T>(x > constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::thresholded_relu> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return (x > constant<T>(p[0])).select(x, T(0));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return indicator<T>(x > constant<T>(p[0]));
  }
};

// Φ(x) = erfc(−x/√2)/2 keeps its relative accuracy for x < 0, where 1 + erf(x/√2) cancels.
template <>
struct Expr<Fn::gelu> {
  template <class T>
  static Array<T> cdf(const ArrayRef<T>& x) {
    return T(0.5) * (x * constant<T>(-std::numbers::sqrt2 / 2)).erfc();
  }
  template <class T>
  static Array<T> value(const ArrayRef<T>& x, const Params&) {
    return x * cdf<T>(x);
  }
  template <class T>
  static Array<T> derivative(const ArrayRef<T>& x, const Params&) {
    const T inv_sqrt_2pi = constant<T>(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
    return cdf<T>(x) + x * (T(-0.5) * x.square()).exp() * inv_sqrt_2pi;
  }
};

template <>
struct Expr<Fn::gelu_tanh> {
  static constexpr double kCubic = 0.044715;
  static constexpr double kScale = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // √(2/π)
  template <class T>
  static Array<T> inner_tanh(const ArrayRef<T>& x) {
    return (constant<T>(kScale) * (x + constant<T>(kCubic) * x.cube())).tanh();
  }
  template <class T>
  static Array<T> value(const ArrayRef<T>& x, const Params&) {
    return T(0.5) * x * (T(1) + inner_tanh<T>(x));
  }
  template <class T>
  static Array<T> derivative(const ArrayRef<T>& x, const Params&) {
    const Array<T> t = inner_tanh<T>(x);
    const Array<T> du = constant<T>(kScale) * (T(1) + constant<T>(3 * kCubic) * x.square());
    return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t.square()) * du;
  }
};

template <>
struct Expr<Fn::mish> {
  template <class T>
  static Array<T> value(const ArrayRef<T>& x, const Params&) {
    return x * softplus_of<T>(x).tanh();
  }
  template <class T>
  static Array<T> derivative(const ArrayRef<T>& x, const Params&) {
    const Array<T> t = softplus_of<T>(x).tanh();
    return t + x * (T(1) - t.square()) * x.logistic();
  }
};

template <class T>
Array<T> softmax_of(const Array<T>& x) {
  const Array<T> e = (x - x.maxCoeff()).exp();
  return e / e.sum();
}

// Jᵀv = s ⊙ (v − Σ s·v).
template <class T>
Array<T> softmax_vjp(const Array<T>& s, const Array<T>& v) {
  return s * (v - (s * v).sum());
}

template <>
struct Expr<Fn::softmax> {
  template <class T>
  static Array<T> forward(const Array<T>& x, const Params&) {
    return softmax_of(x);
  }
  template <class T>
  static Array<T> backward(const Array<T>& x, const Array<T>& v, const Params&) {
    return softmax_vjp(softmax_of(x), v);
  }
};

template <>
struct Expr<Fn::log_softmax> {
  template <class T>
  static Array<T> forward(const Array<T>& x, const Params&) {
    const Array<T> shifted = x - x.maxCoeff();
    return shifted - Eigen::numext::log(shifted.exp().sum());
  }
  template <class T>
  static Array<T> backward(const Array<T>& x, const Array<T>& v, const Params&) {
    return v - softmax_of(x) * v.sum();
  }
};

template <>
struct Expr<Fn::softmin> {
  template <class T>
  static Array<T> forward(const Array<T>& x, const Params&) {
    return softmax_of<T>(-x);
  }
  template <class T>
  static Array<T> backward(const Array<T>& x, const Array<T>& v, const Params&) {
    return -softmax_vjp(softmax_of<T>(-x), v);
  }
};

// maxout's group size k: a positive integer dividing the row length.
inline Eigen::Index group_size(Eigen::Index n, const Params& p) {
  const double k = p[0];
  if (!(k >= 1) || k != std::floor(k) || n % static_cast<Eigen::Index>(k) != 0) {
    throw std::invalid_argument("maxout: the row length " + std::to_string(n) +
                                " is not a multiple of k = " + std::to_string(k));
  }
  return static_cast<Eigen::Index>(k);
}

// The row seen as a k × (n/k) array: one group per column.
template <>
struct Expr<Fn::maxout> {
  template <class T>
  static auto groups(const Array<T>& x, const Params& p) {
    const Eigen::Index k = group_size(x.size(), p);
    return Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>>(x.data(), k,
                                                                             x.size() / k);
  }
  template <class T>
  static Array<T> forward(const Array<T>& x, const Params& p) {
    return groups(x, p).colwise().maxCoeff().transpose();
  }
  // maxCoeff(&index) reports the first maximum, as autograd's max(dim) does.
  template <class T>
  static Array<T> backward(const Array<T>& x, const Array<T>& v, const Params& p) {
    const auto g = groups(x, p);
    Array<T> dx = Array<T>::Zero(x.size());
    for (Eigen::Index j = 0; j < g.cols(); ++j) {
      Eigen::Index i = 0;
      g.col(j).maxCoeff(&i);
      dx(j * g.rows() + i) = v(j);
    }
    return dx;
  }
};

template <>
struct Expr<Fn::glu> {
  template <class T>
  static Array<T> forward(const Array<T>& x, const Params&) {
    const Eigen::Index h = x.size() / 2;
    return x.head(h) * x.tail(h).logistic();
  }
  template <class T>
  static Array<T> backward(const Array<T>& x, const Array<T>& v, const Params&) {
    const Eigen::Index h = x.size() / 2;
    const Array<T> s = x.tail(h).logistic();
    Array<T> dx(x.size());
    dx << v * s, v * x.head(h) * (s * (T(1) - s));
    return dx;
  }
};

template <>
struct Expr<Fn::swiglu> {
  template <class T>
  static Array<T> forward(const Array<T>& x, const Params&) {
    const Eigen::Index h = x.size() / 2;
    return x.head(h) * x.head(h).logistic() * x.tail(h);
  }
  template <class T>
  static Array<T> backward(const Array<T>& x, const Array<T>& v, const Params&) {
    const Eigen::Index h = x.size() / 2;
    const Array<T> a = x.head(h);
    const Array<T> s = a.logistic();
    Array<T> dx(x.size());
    dx << v * x.tail(h) * swish_derivative<T>(a, T(1)), v * (a * s);
    return dx;
  }
};

template <>
struct Expr<Fn::hardtanh> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return x.max(constant<T>(p[0])).min(constant<T>(p[1]));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return indicator<T>(x > constant<T>(p[0]) && x < constant<T>(p[1]));
  }
};

template <>
struct Expr<Fn::relu6> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x.max(T(0)).min(T(6));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return indicator<T>(x > T(0) && x < T(6));
  }
};

template <>
struct Expr<Fn::hardsigmoid> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return (x + T(3)).max(T(0)).min(T(6)) / T(6);
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return indicator<T>(x > T(-3) && x < T(3)) / T(6);
  }
};

template <>
struct Expr<Fn::hardswish> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x * (x + T(3)).max(T(0)).min(T(6)) / T(6);
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return (x < T(-3)).select(T(0), (x > T(3)).select(Array<T>::Ones(x.size()), x / T(3) + T(0.5)));
  }
};

// −softplus(−x) = min(x, 0) − log1p(exp(−|x|)).
template <>
struct Expr<Fn::logsigmoid> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x.min(T(0)) - (-x.abs()).exp().log1p();
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return (-x).logistic();
  }
};

template <>
struct Expr<Fn::celu> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    const T alpha = constant<T>(p[0]);
    return (x > T(0)).select(x, alpha * (x / alpha).expm1());
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return (x > T(0)).select(Array<T>::Ones(x.size()), (x / constant<T>(p[0])).exp());
  }
};

template <>
struct Expr<Fn::softshrink> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    const T lambda = constant<T>(p[0]);
    return (x > lambda).select(x - lambda, (x < -lambda).select(x + lambda, T(0)));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return indicator<T>(x.abs() > constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::hardshrink> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params& p) {
    return (x.abs() > constant<T>(p[0])).select(x, T(0));
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params& p) {
    return indicator<T>(x.abs() > constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::tanhshrink> {
  template <class T>
  static auto value(const ArrayRef<T>& x, const Params&) {
    return x - x.tanh();
  }
  template <class T>
  static auto derivative(const ArrayRef<T>& x, const Params&) {
    return x.tanh().square();
  }
};

// ---- Every entry of one kind or the other, checked against the catalog ------------------------

template <Fn F>
concept Elementwise = requires(const Array<float>& x, const Params& p) {
  { Expr<F>::template value<float>(x, p) } -> std::convertible_to<Array<float>>;
  { Expr<F>::template derivative<float>(x, p) } -> std::convertible_to<Array<float>>;
};

template <Fn F>
concept RowWise = requires(const Array<float>& x, const Params& p) {
  { Expr<F>::forward(x, p) } -> std::same_as<Array<float>>;
  { Expr<F>::backward(x, x, p) } -> std::same_as<Array<float>>;
};

#define ACTCHECK_ACTIVATION(id, ...)                                                       \
  static_assert(!Elementwise<Fn::id> || is_elementwise(activation(Fn::id).kind),           \
                "eigen: " #id " is a vector entry: it needs forward/backward, not value"); \
  static_assert(!RowWise<Fn::id> || !is_elementwise(activation(Fn::id).kind),              \
                "eigen: " #id " is elementwise: it needs value/derivative, not forward");
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION

// ---- Float spans, straight from and into the caller's memory ---------------------------------

// Blocks of this many elements: the temporaries some formulas hold (σ in σ(1 − σ)) stay in cache
// however long the span, as in a framework's blocked evaluator.
inline constexpr std::size_t kBlock = 4096;

// out = f(x) (forward) or dy·f′(x) (backward) for an elementwise entry, on float32 spans of one
// length, reading and writing them in place through Maps (no copy). As everywhere in Eigen, the
// elements before the first 64-byte boundary of `out`, and the last size % 16 of each block, are
// computed with Eigen's scalar functions (std::exp, not its own pexp), whose results may differ:
// the backend pads its batches for that reason (see kPadding in eigen_backend.cpp). Throws
// std::invalid_argument for a vector or gated entry and for spans of different lengths.
template <Fn Id>
void evaluate_elementwise_f32(const Params& p, impl::Direction direction, std::span<const float> x,
                              std::span<const float> dy, std::span<float> out) {
  if constexpr (!Elementwise<Id>) {
    throw std::invalid_argument("eigen: " + std::string(activation(Id).name) +
                                " is not elementwise");
  } else {
    const bool forward = direction == impl::Direction::kForward;
    if (out.size() != x.size() || (!forward && dy.size() != x.size())) {
      throw std::invalid_argument("eigen: x, dy and out must have the same length");
    }
    using In = Eigen::Map<const Array<float>>;
    using Out = Eigen::Map<Array<float>>;
    for (std::size_t i = 0; i < x.size(); i += kBlock) {
      const auto n = static_cast<Eigen::Index>(std::min(kBlock, x.size() - i));
      const In xb(x.data() + i, n);
      Out ob(out.data() + i, n);
      if (forward) {
        ob = Expr<Id>::template value<float>(xb, p);
      } else {
        ob = In(dy.data() + i, n) * Expr<Id>::template derivative<float>(xb, p);
      }
    }
  }
}

// The same with the entry chosen at run time.
inline void evaluate_elementwise_f32(Fn fn, const Params& p, impl::Direction direction,
                                     std::span<const float> x, std::span<const float> dy,
                                     std::span<float> out) {
  switch (fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return evaluate_elementwise_f32<Fn::id>(p, direction, x, dy, out);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  }
  throw std::invalid_argument("eigen: unknown activation id");
}

}  // namespace actcheck::backends::eigen_exprs
