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
//
// The formulas themselves are in eigen_expressions.hpp (compiled a second time, for AVX-512, by
// bench/kernel_bench); this file evaluates them on the engine's batches and on float32 spans.
#include <span>
#include <stdexcept>
#include <string>

#include "backends/catalog_backend.hpp"
#include "backends/eigen_expressions.hpp"
#include "backends/float_rows.hpp"
#include "backends/registry.hpp"

namespace actcheck::backends {
namespace {

using eigen_exprs::Array;
using eigen_exprs::Elementwise;
using eigen_exprs::Expr;
using eigen_exprs::RowWise;

template <class S>
Eigen::Index ssize(std::span<S> s) {
  return static_cast<Eigen::Index>(s.size());
}

// `values` (doubles carrying values of the format, or floats) as an array of T of
// `size` ≥ values.size() elements, the rest zero.
template <class T, class S>
Array<T> load(std::span<const S> values, Eigen::Index size) {
  Array<T> a(size);
  a.tail(size - ssize(values)).setZero();
  a.head(ssize(values)) = Eigen::Map<const Array<S>>(values.data(), ssize(values))
                              .template cast<float>()
                              .template cast<T>();
  return a;
}

template <class T, class S>
void store(const Array<T>& y, std::span<S> out) {
  const auto n = static_cast<Eigen::Index>(out.size());
  Eigen::Map<Array<S>>(out.data(), n) = y.head(n).template cast<float>().template cast<S>();
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
    store<T>(Expr<Id>::template value<T>(xs, problem.params), out);
  } else {
    store<T>(load<T>(dy, padded) * Expr<Id>::template derivative<T>(xs, problem.params), out);
  }
}

// Row by row, from doubles (the engine's batches) or floats (eigen_rows_f32).
template <Fn Id, class T, class S>
void evaluate_rows(const Problem& problem, std::span<const S> x, std::span<const S> dy,
                   std::span<S> out) {
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

// One entry of eigen_rows_f32: straight from the spans for an elementwise entry, through a float
// array per row for the others.
template <Fn Id>
void rows_f32(const Params& params, impl::Direction direction, std::size_t row_length,
              std::span<const float> x, std::span<const float> dy, std::span<float> out) {
  if constexpr (RowWise<Id>) {
    const Problem problem{Id, params, Format::kF32,
                          direction == impl::Direction::kForward ? Pass::kForward : Pass::kBackward,
                          row_length};
    evaluate_rows<Id, float>(problem, x, dy, out);
  } else {
    eigen_exprs::evaluate_elementwise_f32<Id>(params, direction, x, dy, out);
  }
}

}  // namespace

const Backend& eigen_backend() {
  static const CatalogBackend<EigenImpl> backend;
  return backend;
}

void eigen_rows_f32(Fn fn, const Params& params, impl::Direction direction, std::size_t row_length,
                    std::span<const float> x, std::span<const float> dy, std::span<float> out) {
  switch (fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return rows_f32<Fn::id>(params, direction, row_length, x, dy, out);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  }
  throw std::invalid_argument("eigen: unknown activation id");
}

}  // namespace actcheck::backends
