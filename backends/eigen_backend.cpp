// The `eigen` backend: every activation written the way an Eigen 3.4 user writes it, as array
// expressions over the whole batch (a row at a time for vector and gated entries), with Eigen's
// own functions: .logistic(), .tanh(), .exp(), .expm1(), .log1p(), .erfc() (unsupported/
// SpecialFunctions), .max()/.min(), select(). Softplus is max(t, 0) + log1p(exp(−|t|)), softmax
// subtracts the row's maximum, Φ(x) is erfc(−x/√2)/2. Derivatives are written from the forward's
// pieces as frameworks built on Eigen write them (σ(1 − σ), 1 − tanh²), so they cancel in the
// tails as those do.
//
// float16 and bfloat16 compute in Eigen::half and Eigen::bfloat16 arrays: Eigen 3.4 has every
// operation used here for both types (each one computes in float and rounds to the type, per
// operation), so no entry falls back to float arrays. Constants and parameters are rounded to the
// computing type, as `T(alpha)` would.
#include <Eigen/Core>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unsupported/Eigen/SpecialFunctions>

#include "backends/catalog_backend.hpp"
#include "backends/emulated_float.hpp"
#include "backends/registry.hpp"

namespace actcheck::backends {
namespace {

template <class T>
using Array = Eigen::Array<T, Eigen::Dynamic, 1>;

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
Array<T> indicator(const Eigen::ArrayBase<Condition>& condition) {
  return condition.template cast<T>();
}

template <class T>
Array<T> softplus_of(const Array<T>& t) {
  return t.max(T(0)) + (-t.abs()).exp().log1p();
}

template <class T>
Array<T> elu_of(const Array<T>& x, T alpha) {
  return (x > T(0)).select(x, alpha * x.expm1());
}

template <class T>
Array<T> elu_derivative(const Array<T>& x, T alpha) {
  return (x > T(0)).select(Array<T>::Ones(x.size()), alpha * x.exp());
}

template <class T>
Array<T> swish_derivative(const Array<T>& x, T beta) {
  const Array<T> s = (beta * x).logistic();
  const Array<T> bf = beta * x * s;
  return bf + s * (T(1) - bf);
}

// ---- One specialisation per catalog entry -----------------------------------------------------
// Elementwise entries have value(x, p) and derivative(x, p) over a whole batch; vector and gated
// entries have forward(row, p) and backward(row, v, p). An entry without a specialisation is
// unsupported (see kImplemented below).

template <Fn F>
struct Expr;

template <>
struct Expr<Fn::step> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return indicator<T>(x > T(0));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return Array<T>::Zero(x.size());
  }
};

template <>
struct Expr<Fn::linear> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return constant<T>(p[0]) * x;
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return Array<T>::Constant(x.size(), constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::sigmoid> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x.logistic();
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    const Array<T> s = x.logistic();
    return s * (T(1) - s);
  }
};

template <>
struct Expr<Fn::tanh> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x.tanh();
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return T(1) - x.tanh().square();
  }
};

template <>
struct Expr<Fn::relu> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x.max(T(0));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return indicator<T>(x > T(0));
  }
};

template <>
struct Expr<Fn::leaky_relu> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return (x > T(0)).select(x, constant<T>(p[0]) * x);
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return (x > T(0)).select(Array<T>::Ones(x.size()), constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::prelu> : Expr<Fn::leaky_relu> {};

template <>
struct Expr<Fn::elu> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return elu_of(x, constant<T>(p[0]));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return elu_derivative(x, constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::selu> {
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return constant<T>(kLambda) * elu_of(x, constant<T>(kAlpha));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return constant<T>(kLambda) * elu_derivative(x, constant<T>(kAlpha));
  }
};

template <>
struct Expr<Fn::silu> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x * x.logistic();
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return swish_derivative(x, T(1));
  }
};

template <>
struct Expr<Fn::swish> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return x * (constant<T>(p[0]) * x).logistic();
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return swish_derivative(x, constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::softplus> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    const T beta = constant<T>(p[0]);
    return softplus_of<T>(beta * x) / beta;
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return (constant<T>(p[0]) * x).logistic();
  }
};

template <>
struct Expr<Fn::softsign> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x / (T(1) + x.abs());
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return (T(1) + x.abs()).square().inverse();
  }
};

template <>
struct Expr<Fn::threshold> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return (x > constant<T>(p[0])).select(x, constant<T>(p[1]));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return indicator<T>(x > constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::thresholded_relu> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return (x > constant<T>(p[0])).select(x, T(0));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return indicator<T>(x > constant<T>(p[0]));
  }
};

// Φ(x) = erfc(−x/√2)/2 keeps its relative accuracy for x < 0, where 1 + erf(x/√2) cancels.
template <>
struct Expr<Fn::gelu> {
  template <class T>
  static Array<T> cdf(const Array<T>& x) {
    return T(0.5) * (x * constant<T>(-std::numbers::sqrt2 / 2)).erfc();
  }
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x * cdf(x);
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    const T inv_sqrt_2pi = constant<T>(std::numbers::inv_sqrtpi / std::numbers::sqrt2);
    return cdf(x) + x * (T(-0.5) * x.square()).exp() * inv_sqrt_2pi;
  }
};

template <>
struct Expr<Fn::gelu_tanh> {
  static constexpr double kCubic = 0.044715;
  static constexpr double kScale = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // √(2/π)
  template <class T>
  static Array<T> inner_tanh(const Array<T>& x) {
    return (constant<T>(kScale) * (x + constant<T>(kCubic) * x.cube())).tanh();
  }
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return T(0.5) * x * (T(1) + inner_tanh(x));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    const Array<T> t = inner_tanh(x);
    const Array<T> du = constant<T>(kScale) * (T(1) + constant<T>(3 * kCubic) * x.square());
    return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t.square()) * du;
  }
};

template <>
struct Expr<Fn::mish> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x * softplus_of(x).tanh();
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    const Array<T> t = softplus_of(x).tanh();
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
Eigen::Index group_size(Eigen::Index n, const Params& p) {
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
    dx << v * x.tail(h) * swish_derivative(a, T(1)), v * (a * s);
    return dx;
  }
};

template <>
struct Expr<Fn::hardtanh> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return x.max(constant<T>(p[0])).min(constant<T>(p[1]));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return indicator<T>(x > constant<T>(p[0]) && x < constant<T>(p[1]));
  }
};

template <>
struct Expr<Fn::relu6> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x.max(T(0)).min(T(6));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return indicator<T>(x > T(0) && x < T(6));
  }
};

template <>
struct Expr<Fn::hardsigmoid> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return (x + T(3)).max(T(0)).min(T(6)) / T(6);
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return indicator<T>(x > T(-3) && x < T(3)) / T(6);
  }
};

template <>
struct Expr<Fn::hardswish> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x * (x + T(3)).max(T(0)).min(T(6)) / T(6);
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return (x < T(-3)).select(T(0), (x > T(3)).select(Array<T>::Ones(x.size()), x / T(3) + T(0.5)));
  }
};

// −softplus(−x) = min(x, 0) − log1p(exp(−|x|)).
template <>
struct Expr<Fn::logsigmoid> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x.min(T(0)) - (-x.abs()).exp().log1p();
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return (-x).logistic();
  }
};

template <>
struct Expr<Fn::celu> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    const T alpha = constant<T>(p[0]);
    return (x > T(0)).select(x, alpha * (x / alpha).expm1());
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return (x > T(0)).select(Array<T>::Ones(x.size()), (x / constant<T>(p[0])).exp());
  }
};

template <>
struct Expr<Fn::softshrink> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    const T lambda = constant<T>(p[0]);
    return (x > lambda).select(x - lambda, (x < -lambda).select(x + lambda, T(0)));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return indicator<T>(x.abs() > constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::hardshrink> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params& p) {
    return (x.abs() > constant<T>(p[0])).select(x, T(0));
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params& p) {
    return indicator<T>(x.abs() > constant<T>(p[0]));
  }
};

template <>
struct Expr<Fn::tanhshrink> {
  template <class T>
  static Array<T> value(const Array<T>& x, const Params&) {
    return x - x.tanh();
  }
  template <class T>
  static Array<T> derivative(const Array<T>& x, const Params&) {
    return x.tanh().square();
  }
};

// ---- Dispatch, generated from the catalog -----------------------------------------------------

template <Fn F>
concept Elementwise = requires(const Array<float>& x, const Params& p) {
  { Expr<F>::value(x, p) } -> std::same_as<Array<float>>;
  { Expr<F>::derivative(x, p) } -> std::same_as<Array<float>>;
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

Eigen::Index ssize(std::span<const double> s) { return static_cast<Eigen::Index>(s.size()); }

// `values` as an array of T of `size` ≥ values.size() elements, the rest zero.
template <class T>
Array<T> load(std::span<const double> values, Eigen::Index size) {
  Array<T> a(size);
  a.tail(size - ssize(values)).setZero();
  a.head(ssize(values)) = Eigen::Map<const Eigen::ArrayXd>(values.data(), ssize(values))
                              .template cast<float>()
                              .template cast<T>();
  return a;
}

template <class T>
void store(const Array<T>& y, std::span<double> out) {
  const auto n = static_cast<Eigen::Index>(out.size());
  Eigen::Map<Eigen::ArrayXd>(out.data(), n) =
      y.head(n).template cast<float>().template cast<double>();
}

// Eigen computes the last size % packet elements of an array with its scalar functions
// (std::exp, not its own pexp), so a result would depend on its place in the batch. Padding the
// batch to a multiple of the widest packet (16 floats, AVX-512) sends every element down the same
// vectorised path.
constexpr Eigen::Index kPadding = 16;

template <Fn Id, class T>
void evaluate_elementwise(const Problem& problem, std::span<const double> x,
                          std::span<const double> dy, std::span<double> out) {
  check_elementwise_shape("eigen", problem, x, dy, out);
  const bool forward = problem.pass == Pass::kForward;
  const Eigen::Index padded = (ssize(x) + kPadding - 1) / kPadding * kPadding;
  const Array<T> xs = load<T>(x, padded);
  if (forward) {
    store<T>(Expr<Id>::value(xs, problem.params), out);
  } else {
    store<T>(load<T>(dy, padded) * Expr<Id>::derivative(xs, problem.params), out);
  }
}

template <Fn Id, class T>
void evaluate_rows(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                   std::span<double> out) {
  const bool forward = problem.pass == Pass::kForward;
  const auto [n, m, rows] = row_shape("eigen", problem, x, dy, out);
  for (std::size_t r = 0; r < rows; ++r) {
    const Array<T> xr = load<T>(x.subspan(r * n, n), static_cast<Eigen::Index>(n));
    if (forward) {
      store<T>(Expr<Id>::forward(xr, problem.params), out.subspan(r * m, m));
    } else {
      const Array<T> vr = load<T>(dy.subspan(r * m, m), static_cast<Eigen::Index>(m));
      store<T>(Expr<Id>::backward(xr, vr, problem.params), out.subspan(r * n, n));
    }
  }
}

template <Fn Id, class T>
void evaluate_in(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                 std::span<double> out) {
  if constexpr (Elementwise<Id>) {
    evaluate_elementwise<Id, T>(problem, x, dy, out);
  } else if constexpr (RowWise<Id>) {
    evaluate_rows<Id, T>(problem, x, dy, out);
  }
}

template <Fn Id>
void evaluate_fn(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                 std::span<double> out) {
  switch (problem.format) {
    case Format::kF32:
      return evaluate_in<Id, float>(problem, x, dy, out);
    case Format::kF16:
      return evaluate_in<Id, Eigen::half>(problem, x, dy, out);
    case Format::kBF16:
      return evaluate_in<Id, Eigen::bfloat16>(problem, x, dy, out);
    case Format::kF64:
      break;
  }
  throw std::invalid_argument("eigen: unsupported format");
}

// "3.4.0": the version of the headers this backend was compiled with.
#define ACTCHECK_STR(x) #x
#define ACTCHECK_XSTR(x) ACTCHECK_STR(x)
#define ACTCHECK_EIGEN_VERSION       \
  ACTCHECK_XSTR(EIGEN_WORLD_VERSION) \
  "." ACTCHECK_XSTR(EIGEN_MAJOR_VERSION) "." ACTCHECK_XSTR(EIGEN_MINOR_VERSION)

constexpr char kDescriptionText[] =
    "Eigen " ACTCHECK_EIGEN_VERSION
    " array expressions (Eigen::half and Eigen::bfloat16 arrays for "
    "float16 and bfloat16)";

struct EigenImpl {
  static constexpr std::string_view kName = "eigen";
  static constexpr std::string_view kDescription = kDescriptionText;
  template <Fn F>
  static constexpr bool kImplemented = Elementwise<F> || RowWise<F>;
  template <Fn F>
  static void evaluate(const Problem& problem, std::span<const double> x,
                       std::span<const double> dy, std::span<double> out) {
    evaluate_fn<F>(problem, x, dy, out);
  }
};

}  // namespace

const Backend& eigen_backend() {
  static const CatalogBackend<EigenImpl> backend;
  return backend;
}

}  // namespace actcheck::backends
