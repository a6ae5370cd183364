// The `naive` backend: the textbook formulas of the seed articles, each evaluated exactly as the
// article writes it, with every operation's result rounded to the target format (Emulated<F>).
// It is the baseline that shows what goes wrong: exp overflows inside sigmoid, tanh, softplus and
// softmax (tanh(100) = inf/inf = NaN; softplus(100) = log(inf); float16's exp overflows beyond
// x = ln 65504 ≈ 11.09), and 1 − σ or f + α cancel.
//
// The seeds (the tutorials DESIGN.md names) are cited by number: 000 = 000_91329a8bedba7bd6
// ("linear models and activation functions"), 001 = 001_75aeb8c8b7bbc77b ("Introduction to
// Activation Function"; § numbers are its sections), 002 = 002_323a320c0dea685c ("activation
// functions", notes with PyTorch code), 003 = 003_d9d18c387b3ce9b4 ("PyTorch basics (3)").
// Entries the seeds do not give (PyTorch's extras, some derivatives) take the obvious textbook
// form. Derivatives follow the catalog's convention at kinks (each row's `derivative`); parameters
// are rounded to the format like any other constant.
#include <cmath>
#include <concepts>
#include <cstddef>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/catalog_backend.hpp"
#include "backends/emulated_float.hpp"
#include "backends/float_rows.hpp"
#include "backends/registry.hpp"

namespace actcheck::backends {
namespace {

// ---- The pieces every seed repeats ------------------------------------------------------------

// Seeds 000, 001 §3.1, 002, 003: 1/(1+exp(−x)).
template <class E>
E sigmoid(E x) {
  return E(1) / (E(1) + exp(-x));
}

// Seeds 000, 001 §3.2, 002, 003: (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ). Every tanh below (mish, gelu_tanh,
// tanhshrink) is this one.
template <class E>
E tanh_of(E x) {
  const E ex = exp(x);
  const E emx = exp(-x);
  return (ex - emx) / (ex + emx);
}

// Seed 001 §3.9: ln(1 + eˣ).
template <class E>
E softplus_of(E x) {
  return log(E(1) + exp(x));
}

// Seeds 001 §3.7, 002, 003: α(eˣ − 1) for x ≤ 0, x for x > 0.
template <class E>
E elu_of(E x, E alpha) {
  return x > E(0) ? x : alpha * (exp(x) - E(1));
}

// Seed 001 §3.8 (for β = 1: f + σ(1 − f)), with β: βf + σ(βx)(1 − βf).
template <class E>
E swish_derivative(E x, E beta) {
  const E s = sigmoid(beta * x);
  const E bf = beta * (x * s);
  return bf + s * (E(1) - bf);
}

// ---- One specialisation per catalog entry -----------------------------------------------------
// Elementwise entries have value(x, p) and derivative(x, p); vector and gated entries have
// forward(row, p) and backward(row, v, p) returning whole rows. An entry without a specialisation
// is unsupported (see kImplemented below).

template <Fn F>
struct Textbook;

// Seed 001 §2.1: 0 for x ≤ 0, 1 for x > 0 (seed 003's x ≥ 0 disagrees with the catalog).
template <>
struct Textbook<Fn::step> {
  template <class E>
  static E value(E x, const Params&) {
    return x > E(0) ? E(1) : E(0);
  }
  template <class E>
  static E derivative(E, const Params&) {
    return E(0);
  }
};

// Seed 001 §2.2: h(x) = cx.
template <>
struct Textbook<Fn::linear> {
  template <class E>
  static E value(E x, const Params& p) {
    return E(p[0]) * x;
  }
  template <class E>
  static E derivative(E, const Params& p) {
    return E(p[0]);
  }
};

// Seeds 001 §3.1, 002: σ′ = σ(1 − σ).
template <>
struct Textbook<Fn::sigmoid> {
  template <class E>
  static E value(E x, const Params&) {
    return sigmoid(x);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E s = sigmoid(x);
    return s * (E(1) - s);
  }
};

// Seeds 001 §3.2, 002: tanh′ = 1 − tanh².
template <>
struct Textbook<Fn::tanh> {
  template <class E>
  static E value(E x, const Params&) {
    return tanh_of(x);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E t = tanh_of(x);
    return E(1) - t * t;
  }
};

// Seeds 002, 003: x if x > 0 else 0; seed 001 §3.3: f′ = 0 for x ≤ 0, 1 for x > 0.
template <>
struct Textbook<Fn::relu> {
  template <class E>
  static E value(E x, const Params&) {
    return x > E(0) ? x : E(0);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    return x > E(0) ? E(1) : E(0);
  }
};

// Seeds 002, 003: x if x > 0 else αx (seed 001's max(αx, x) is wrong for α > 1);
// seed 001 §3.5: f′ = α for x ≤ 0, 1 for x > 0.
template <>
struct Textbook<Fn::leaky_relu> {
  template <class E>
  static E value(E x, const Params& p) {
    return x > E(0) ? x : E(p[0]) * x;
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return x > E(0) ? E(1) : E(p[0]);
  }
};

// Seed 002's PReLU module: torch.where(x > 0, x, alpha * x); seed 001 §3.6 for f′.
template <>
struct Textbook<Fn::prelu> : Textbook<Fn::leaky_relu> {};

// Seed 001 §3.7: f′ = f + α for x ≤ 0.
template <>
struct Textbook<Fn::elu> {
  template <class E>
  static E value(E x, const Params& p) {
    return elu_of(x, E(p[0]));
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    const E alpha(p[0]);
    return x > E(0) ? E(1) : elu_of(x, alpha) + alpha;
  }
};

// Seed 002: λ·elu(x, α); seed 001 §3.7 ("multiply by λ"): f′ = λ·elu′.
template <>
struct Textbook<Fn::selu> {
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  template <class E>
  static E value(E x, const Params&) {
    return E(kLambda) * elu_of(x, E(kAlpha));
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E alpha(kAlpha);
    return E(kLambda) * (x > E(0) ? E(1) : elu_of(x, alpha) + alpha);
  }
};

// Seed 001 §3.8: f = x·σ(x), f′ = f + σ(1 − f).
template <>
struct Textbook<Fn::silu> {
  template <class E>
  static E value(E x, const Params&) {
    return x * sigmoid(x);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    return swish_derivative(x, E(1));
  }
};

// Seed 002: x·sigmoid(βx).
template <>
struct Textbook<Fn::swish> {
  template <class E>
  static E value(E x, const Params& p) {
    return x * sigmoid(E(p[0]) * x);
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return swish_derivative(x, E(p[0]));
  }
};

// Seed 001 §3.9: ln(1 + eˣ), f′ = σ(x); with β: ln(1 + e^(βx))/β and σ(βx).
template <>
struct Textbook<Fn::softplus> {
  template <class E>
  static E value(E x, const Params& p) {
    const E beta(p[0]);
    return softplus_of(beta * x) / beta;
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return sigmoid(E(p[0]) * x);
  }
};

// Seed 001 §3.10: x/(1 + |x|), f′ = 1/(1 + |x|)².
template <>
struct Textbook<Fn::softsign> {
  template <class E>
  static E value(E x, const Params&) {
    return x / (E(1) + abs(x));
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E d = E(1) + abs(x);
    return E(1) / (d * d);
  }
};

// Seed 003: x if x > threshold else value.
template <>
struct Textbook<Fn::threshold> {
  template <class E>
  static E value(E x, const Params& p) {
    return x > E(p[0]) ? x : E(p[1]);
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return x > E(p[0]) ? E(1) : E(0);
  }
};

// Seed 001 §3.11: 0 for x ≤ θ, x for x > θ.
template <>
struct Textbook<Fn::thresholded_relu> {
  template <class E>
  static E value(E x, const Params& p) {
    return x > E(p[0]) ? x : E(0);
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return x > E(p[0]) ? E(1) : E(0);
  }
};

// Seed 002: x * 0.5 * (1 + erf(x / sqrt(2))); f′ = Φ(x) + x·φ(x) with Φ(x) = 0.5(1 + erf(x/√2))
// and φ(x) = exp(−x²/2)/√(2π).
template <>
struct Textbook<Fn::gelu> {
  template <class E>
  static E one_plus_erf(E x) {
    return E(1) + erf(x / E(std::numbers::sqrt2));
  }
  template <class E>
  static E value(E x, const Params&) {
    return x * E(0.5) * one_plus_erf(x);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E pdf = exp(-(x * x) / E(2)) / E(std::numbers::sqrt2 / std::numbers::inv_sqrtpi);
    return E(0.5) * one_plus_erf(x) + x * pdf;
  }
};

// Seed 002: 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x**3))), and its derivative
// 0.5(1 + t) + 0.5x(1 − t²)·c(1 + 3·0.044715·x²).
template <>
struct Textbook<Fn::gelu_tanh> {
  static constexpr double kCubic = 0.044715;
  static constexpr double kScale = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // √(2/π)
  template <class E>
  static E inner(E x) {
    return E(kScale) * (x + E(kCubic) * (x * x * x));
  }
  template <class E>
  static E value(E x, const Params&) {
    return E(0.5) * x * (E(1) + tanh_of(inner(x)));
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E t = tanh_of(inner(x));
    const E du = E(kScale) * (E(1) + E(3 * kCubic) * (x * x));
    return E(0.5) * (E(1) + t) + E(0.5) * x * (E(1) - t * t) * du;
  }
};

// Seed 002: x·tanh(ln(1 + eˣ)); its MishFunction.backward: tanh(sp) + x(1 − tanh(sp)²)σ(x).
template <>
struct Textbook<Fn::mish> {
  template <class E>
  static E value(E x, const Params&) {
    return x * tanh_of(softplus_of(x));
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E t = tanh_of(softplus_of(x));
    return t + x * (E(1) - t * t) * sigmoid(x);
  }
};

// Seeds 001 §3.4, 003: exp(zᵢ)/Σⱼ exp(zⱼ), the maximum not subtracted; summed left to right.
template <class E>
std::vector<E> softmax_of(std::span<const E> x, E sign) {
  std::vector<E> e(x.size());
  E sum(0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    e[i] = exp(sign * x[i]);
    sum = sum + e[i];
  }
  for (E& ei : e) ei = ei / sum;
  return e;
}

// Jᵀv = s ⊙ (v − Σ s·v), times `sign` (−1 for softmin).
template <class E>
std::vector<E> softmax_vjp(const std::vector<E>& s, std::span<const E> v, E sign) {
  E dot(0);
  for (std::size_t i = 0; i < s.size(); ++i) dot = dot + s[i] * v[i];
  std::vector<E> g(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) g[i] = sign * (s[i] * (v[i] - dot));
  return g;
}

template <>
struct Textbook<Fn::softmax> {
  template <class E>
  static std::vector<E> forward(std::span<const E> x, const Params&) {
    return softmax_of(x, E(1));
  }
  template <class E>
  static std::vector<E> backward(std::span<const E> x, std::span<const E> v, const Params&) {
    return softmax_vjp(softmax_of(x, E(1)), v, E(1));
  }
};

// Seed 003 names it; the textbook form is log(softmax(x)), and its VJP v − s·Σv.
template <>
struct Textbook<Fn::log_softmax> {
  template <class E>
  static std::vector<E> forward(std::span<const E> x, const Params&) {
    std::vector<E> y = softmax_of(x, E(1));
    for (E& yi : y) yi = log(yi);
    return y;
  }
  template <class E>
  static std::vector<E> backward(std::span<const E> x, std::span<const E> v, const Params&) {
    const std::vector<E> s = softmax_of(x, E(1));
    E sum(0);
    for (E vi : v) sum = sum + vi;
    std::vector<E> g(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) g[i] = v[i] - s[i] * sum;
    return g;
  }
};

// Seed 003 names it: softmax(−x).
template <>
struct Textbook<Fn::softmin> {
  template <class E>
  static std::vector<E> forward(std::span<const E> x, const Params&) {
    return softmax_of(x, E(-1));
  }
  template <class E>
  static std::vector<E> backward(std::span<const E> x, std::span<const E> v, const Params&) {
    return softmax_vjp(softmax_of(x, E(-1)), v, E(-1));
  }
};

// maxout's group size k: a positive integer dividing the row length.
std::size_t group_size(std::size_t n, const Params& p) {
  const double k = p[0];
  if (!(k >= 1) || k != std::floor(k) || n % static_cast<std::size_t>(k) != 0) {
    throw std::invalid_argument("maxout: the row length " + std::to_string(n) +
                                " is not a multiple of k = " + std::to_string(k));
  }
  return static_cast<std::size_t>(k);
}

// The index of the first maximum of x[begin, begin + k), scanning left to right as a textbook
// loop does (a NaN after the first element is never greater, so it is skipped).
template <class E>
std::size_t first_argmax(std::span<const E> x, std::size_t begin, std::size_t k) {
  std::size_t best = begin;
  for (std::size_t j = begin + 1; j < begin + k; ++j) {
    if (x[j] > x[best]) best = j;
  }
  return best;
}

// Seed 001 §3.12: the maximum over each group of k; the gradient goes to the first argmax.
template <>
struct Textbook<Fn::maxout> {
  template <class E>
  static std::vector<E> forward(std::span<const E> x, const Params& p) {
    const std::size_t k = group_size(x.size(), p);
    std::vector<E> y(x.size() / k);
    for (std::size_t g = 0; g < y.size(); ++g) y[g] = x[first_argmax(x, g * k, k)];
    return y;
  }
  template <class E>
  static std::vector<E> backward(std::span<const E> x, std::span<const E> v, const Params& p) {
    const std::size_t k = group_size(x.size(), p);
    std::vector<E> g(x.size(), E(0));
    for (std::size_t i = 0; i < v.size(); ++i) g[first_argmax(x, i * k, k)] = v[i];
    return g;
  }
};

// Seed 002's GLU module: x * torch.sigmoid(gate).
template <>
struct Textbook<Fn::glu> {
  template <class E>
  static std::vector<E> forward(std::span<const E> x, const Params&) {
    const std::size_t h = x.size() / 2;
    std::vector<E> y(h);
    for (std::size_t i = 0; i < h; ++i) y[i] = x[i] * sigmoid(x[h + i]);
    return y;
  }
  template <class E>
  static std::vector<E> backward(std::span<const E> x, std::span<const E> v, const Params&) {
    const std::size_t h = x.size() / 2;
    std::vector<E> g(x.size());
    for (std::size_t i = 0; i < h; ++i) {
      const E s = sigmoid(x[h + i]);
      g[i] = v[i] * s;
      g[h + i] = v[i] * (x[i] * (s * (E(1) - s)));
    }
    return g;
  }
};

// Seed 002's SwiGLU module: F.silu(a) * b, silu as in seed 001 §3.8.
template <>
struct Textbook<Fn::swiglu> {
  template <class E>
  static std::vector<E> forward(std::span<const E> x, const Params&) {
    const std::size_t h = x.size() / 2;
    std::vector<E> y(h);
    for (std::size_t i = 0; i < h; ++i) y[i] = x[i] * sigmoid(x[i]) * x[h + i];
    return y;
  }
  template <class E>
  static std::vector<E> backward(std::span<const E> x, std::span<const E> v, const Params&) {
    const std::size_t h = x.size() / 2;
    std::vector<E> g(x.size());
    for (std::size_t i = 0; i < h; ++i) {
      g[i] = v[i] * (x[h + i] * swish_derivative(x[i], E(1)));
      g[h + i] = v[i] * (x[i] * sigmoid(x[i]));
    }
    return g;
  }
};

// ---- PyTorch's further entries: the obvious textbook forms ------------------------------------

template <>
struct Textbook<Fn::hardtanh> {
  template <class E>
  static E value(E x, const Params& p) {
    const E lo(p[0]);
    const E hi(p[1]);
    return x < lo ? lo : x > hi ? hi : x;
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return x > E(p[0]) && x < E(p[1]) ? E(1) : E(0);
  }
};

template <>
struct Textbook<Fn::relu6> {
  template <class E>
  static E value(E x, const Params&) {
    return x < E(0) ? E(0) : x > E(6) ? E(6) : x;
  }
  template <class E>
  static E derivative(E x, const Params&) {
    return x > E(0) && x < E(6) ? E(1) : E(0);
  }
};

template <>
struct Textbook<Fn::hardsigmoid> {
  template <class E>
  static E value(E x, const Params&) {
    return x <= E(-3) ? E(0) : x >= E(3) ? E(1) : x / E(6) + E(0.5);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    return x > E(-3) && x < E(3) ? E(1) / E(6) : E(0);
  }
};

template <>
struct Textbook<Fn::hardswish> {
  template <class E>
  static E value(E x, const Params&) {
    return x <= E(-3) ? E(0) : x >= E(3) ? x : x * (x + E(3)) / E(6);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    return x < E(-3) ? E(0) : x > E(3) ? E(1) : x / E(3) + E(0.5);
  }
};

// log(1/(1 + exp(−x))); f′ = 1 − σ(x), as d/dx log σ = σ′/σ gives it.
template <>
struct Textbook<Fn::logsigmoid> {
  template <class E>
  static E value(E x, const Params&) {
    return log(sigmoid(x));
  }
  template <class E>
  static E derivative(E x, const Params&) {
    return E(1) - sigmoid(x);
  }
};

template <>
struct Textbook<Fn::celu> {
  template <class E>
  static E value(E x, const Params& p) {
    const E alpha(p[0]);
    return x > E(0) ? x : alpha * (exp(x / alpha) - E(1));
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return x > E(0) ? E(1) : exp(x / E(p[0]));
  }
};

template <>
struct Textbook<Fn::softshrink> {
  template <class E>
  static E value(E x, const Params& p) {
    const E lambda(p[0]);
    return x > lambda ? x - lambda : x < -lambda ? x + lambda : E(0);
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return abs(x) > E(p[0]) ? E(1) : E(0);
  }
};

template <>
struct Textbook<Fn::hardshrink> {
  template <class E>
  static E value(E x, const Params& p) {
    return abs(x) > E(p[0]) ? x : E(0);
  }
  template <class E>
  static E derivative(E x, const Params& p) {
    return abs(x) > E(p[0]) ? E(1) : E(0);
  }
};

// x − tanh x with the textbook tanh; f′ = 1 − tanh′ = tanh².
template <>
struct Textbook<Fn::tanhshrink> {
  template <class E>
  static E value(E x, const Params&) {
    return x - tanh_of(x);
  }
  template <class E>
  static E derivative(E x, const Params&) {
    const E t = tanh_of(x);
    return t * t;
  }
};

// ---- Dispatch, generated from the catalog -----------------------------------------------------

using Probe = Emulated<Format::kF32>;

template <Fn F>
concept Elementwise = requires(Probe x, const Params& p) {
  { Textbook<F>::value(x, p) } -> std::same_as<Probe>;
  { Textbook<F>::derivative(x, p) } -> std::same_as<Probe>;
};

template <Fn F>
concept RowWise = requires(std::span<const Probe> x, const Params& p) {
  { Textbook<F>::forward(x, p) } -> std::same_as<std::vector<Probe>>;
  { Textbook<F>::backward(x, x, p) } -> std::same_as<std::vector<Probe>>;
};

#define ACTCHECK_ACTIVATION(id, ...)                                                       \
  static_assert(!Elementwise<Fn::id> || is_elementwise(activation(Fn::id).kind),           \
                "naive: " #id " is a vector entry: it needs forward/backward, not value"); \
  static_assert(!RowWise<Fn::id> || !is_elementwise(activation(Fn::id).kind),              \
                "naive: " #id " is elementwise: it needs value/derivative, not forward");
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION

// The batch functions read and write S: doubles carrying values of F (the engine's batches) or
// floats (naive_rows_f32).
template <Fn Id, Format F, class S>
void evaluate_elementwise(const Problem& problem, std::span<const S> x, std::span<const S> dy,
                          std::span<S> out) {
  using E = Emulated<F>;
  check_elementwise_shape("naive", problem, x, dy, out);
  const bool forward = problem.pass == Pass::kForward;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const E xi(x[i]);
    const E yi = forward ? Textbook<Id>::value(xi, problem.params)
                         : E(dy[i]) * Textbook<Id>::derivative(xi, problem.params);
    out[i] = static_cast<S>(yi);
  }
}

template <class E, class S>
std::vector<E> to_row(std::span<const S> values) {
  std::vector<E> row;
  row.reserve(values.size());
  for (S v : values) row.push_back(E(v));
  return row;
}

template <Fn Id, Format F, class S>
void evaluate_rows(const Problem& problem, std::span<const S> x, std::span<const S> dy,
                   std::span<S> out) {
  using E = Emulated<F>;
  const bool forward = problem.pass == Pass::kForward;
  const auto [n, m, rows] = row_shape("naive", problem, x, dy, out);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::vector<E> xr = to_row<E>(x.subspan(r * n, n));
    if (forward) {
      const std::vector<E> y = Textbook<Id>::forward(std::span<const E>(xr), problem.params);
      for (std::size_t i = 0; i < m; ++i) out[r * m + i] = static_cast<S>(y[i]);
    } else {
      const std::vector<E> vr = to_row<E>(dy.subspan(r * m, m));
      const std::vector<E> g =
          Textbook<Id>::backward(std::span<const E>(xr), std::span<const E>(vr), problem.params);
      for (std::size_t i = 0; i < n; ++i) out[r * n + i] = static_cast<S>(g[i]);
    }
  }
}

template <Fn Id, Format F, class S>
void evaluate_in(const Problem& problem, std::span<const S> x, std::span<const S> dy,
                 std::span<S> out) {
  if constexpr (Elementwise<Id>) {
    evaluate_elementwise<Id, F>(problem, x, dy, out);
  } else if constexpr (RowWise<Id>) {
    evaluate_rows<Id, F>(problem, x, dy, out);
  } else {
    throw std::invalid_argument("naive: " + std::string(activation(Id).name) + " is unsupported");
  }
}

template <Fn Id>
void evaluate_fn(const Problem& problem, std::span<const double> x, std::span<const double> dy,
                 std::span<double> out) {
  switch (problem.format) {
    case Format::kF32:
      return evaluate_in<Id, Format::kF32>(problem, x, dy, out);
    case Format::kF16:
      return evaluate_in<Id, Format::kF16>(problem, x, dy, out);
    case Format::kBF16:
      return evaluate_in<Id, Format::kBF16>(problem, x, dy, out);
    case Format::kF64:
      break;
  }
  throw std::invalid_argument("naive: unsupported format");
}

struct NaiveImpl {
  static constexpr std::string_view kName = "naive";
  static constexpr std::string_view kDescription =
      "textbook formulas of the seed articles, every operation rounded to the format";
  template <Fn F>
  static constexpr bool kImplemented = Elementwise<F> || RowWise<F>;
  template <Fn F>
  static void evaluate(const Problem& problem, std::span<const double> x,
                       std::span<const double> dy, std::span<double> out) {
    evaluate_fn<F>(problem, x, dy, out);
  }
};

}  // namespace

const Backend& naive_backend() {
  static const CatalogBackend<NaiveImpl> backend;
  return backend;
}

void naive_rows_f32(Fn fn, const Params& params, impl::Direction direction, std::size_t row_length,
                    std::span<const float> x, std::span<const float> dy, std::span<float> out) {
  const Problem problem{fn, params, Format::kF32,
                        direction == impl::Direction::kForward ? Pass::kForward : Pass::kBackward,
                        row_length};
  switch (fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return evaluate_in<Fn::id, Format::kF32>(problem, x, dy, out);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  }
  throw std::invalid_argument("naive: unknown activation id");
}

}  // namespace actcheck::backends
