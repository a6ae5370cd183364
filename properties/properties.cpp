#include "properties/properties.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "engine/ulp.hpp"
#include "properties/case_outcome.hpp"
#include "properties/inputs.hpp"
#include "reference/rounding.hpp"

namespace actcheck::properties {
namespace {

// A derived input (2x, βx) must be a value of the format for a backend to take it: cases where it
// is not are discarded rather than rounded, so that no rounding enters the identity.
template <class E>
double derived_input(const E& e, double v) {
  const double r = reference::round_to_format(v, e.format());
  RC_PRE(reference::same_bits(r, v));
  return r;
}

template <class E>
double draw(const E& e) {
  const double x = *format_values(e.format());
  RC_PRE(!std::isnan(x));  // nan_propagates checks NaN; identities are about numbers
  return x;
}
template <class E>
double draw_finite(const E& e) {
  return *finite_format_values(e.format());
}

// f at an argument known only approximately (â ± a.error), where f takes values of the format:
// f(r) + (â − r)·f′(r) with r = â rounded into the format. Taylor's remainder adds
// curvature·(â − r)²/2 (curvature ≥ |f″|), and the argument's error adds lipschitz·a.error
// (lipschitz ≥ |f′|).
template <class E>
A<E> value_near(const E& e, Fn fn, const A<E>& a, double lipschitz, double curvature) {
  using C = Carrier<typename E::Number>;
  const double r = reference::round_to_format(C::to_double(a.value), e.format());
  const typename E::Number d = C::sub(a.value, C::from(r));
  const A<E> step{d, C::rounding(d)};
  A<E> out = e.value(fn, r) + step * e.derivative(fn, r);
  const double dd = std::fabs(C::to_double(d)) * (1 + 0x1p-50);
  out.error = C::add_up(out.error, C::from(curvature * dd * dd / 2 * (1 + 0x1p-50)));
  out.error = C::add_up(out.error, C::mul_up(C::from(lipschitz), a.error));
  return out;
}

double param_or(Fn fn, std::string_view name, double fallback) {
  const std::optional<std::size_t> i = find_param(fn, name);
  return i ? default_params(fn)[*i] : fallback;
}

bool elementwise_with(const Activation& a, IdentitySet flag) {
  return is_elementwise(a.kind) && (a.identities & flag) != 0;
}

// ---- Scalar identities ------------------------------------------------------------------------

// tanh(x) = 2σ(2x) − 1. 2x is exact (or overflows to ±inf, where both sides are ±1); the
// tolerance is tanh's bound plus twice σ's: the subtraction of 1 is where the conditioning lies
// (near 0, where σ(2x) ≈ 1/2 and the difference is small).
struct TanhFromSigmoid {
  static constexpr std::string_view kName = "tanh_from_sigmoid";
  static constexpr std::string_view kStatement = "tanh(x) = 2*sigmoid(2x) - 1";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kTanhFromSigmoid); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    const double twice = reference::round_to_format(2 * x, e.format());
    require_agree(agrees(e.value(fn, x), 2.0 * e.value(Fn::sigmoid, twice) - 1.0), "x=" + hex(x));
  }
};

// σ(−x) = 1 − σ(x): −x is exact.
struct SigmoidReflection {
  static constexpr std::string_view kName = "sigmoid_reflection";
  static constexpr std::string_view kStatement = "sigmoid(-x) = 1 - sigmoid(x)";
  static bool applies(const Activation& a, Format) {
    return elementwise_with(a, kSigmoidReflection);
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    require_agree(agrees(e.value(fn, -x), 1.0 - e.value(fn, x)), "x=" + hex(x));
  }
};

// f(−x) = −f(x): both sides are results of f, so the tolerance is twice its bound.
struct Odd {
  static constexpr std::string_view kName = "odd";
  static constexpr std::string_view kStatement = "f(-x) = -f(x)";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kOdd); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    require_agree(agrees(e.value(fn, -x), -e.value(fn, x)), "x=" + hex(x));
  }
};

// softplus(x) − softplus(−x) = x (any β). The difference of two results: where both are large
// (x ≫ 0, softplus(x) ≈ x), the bound of softplus(x) is the whole tolerance; at ±inf both sides
// are the same infinity.
struct SoftplusReflection {
  static constexpr std::string_view kName = "softplus_reflection";
  static constexpr std::string_view kStatement = "softplus(x) - softplus(-x) = x";
  static bool applies(const Activation& a, Format) {
    return elementwise_with(a, kSoftplusReflection);
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    require_agree(agrees(e.value(fn, x) - e.value(fn, -x), A<E>::exact(x)), "x=" + hex(x));
  }
};

// logsigmoid(x) = −softplus(−x), softplus at β = 1.
struct LogsigmoidSoftplus {
  static constexpr std::string_view kName = "logsigmoid_softplus";
  static constexpr std::string_view kStatement = "logsigmoid(x) = -softplus(-x)";
  static bool applies(const Activation& a, Format) {
    return elementwise_with(a, kLogsigmoidSoftplus);
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    require_agree(agrees(e.value(fn, x), -e.value(Fn::softplus, -x, Params{{1.0}})), "x=" + hex(x));
  }
};

// silu(x) = x·σ(x), for finite x (x·σ(x) is ∞·0 at −inf; the tails property has the limits).
// The product's bound is |x|·(σ's bound) plus its rounding.
struct SiluIsXSigmoid {
  static constexpr std::string_view kName = "silu_is_x_sigmoid";
  static constexpr std::string_view kStatement = "silu(x) = x*sigmoid(x)";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kSiluIsSwish); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw_finite(e);
    require_agree(agrees(e.value(fn, x), A<E>::exact(x) * e.value(Fn::sigmoid, x)), "x=" + hex(x));
  }
};

// mish(x) = x·tanh(softplus(x)), finite x. softplus(x) is not a value of the format, so tanh is
// taken at its rounding r and corrected to first order (value_near): |tanh′| ≤ 1 carries
// softplus's bound, and |tanh″| = 2|tanh|sech² ≤ 4/(3√3) < 0.7699 bounds the remainder.
struct MishComposition {
  static constexpr std::string_view kName = "mish_composition";
  static constexpr std::string_view kStatement = "mish(x) = x*tanh(softplus(x))";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kMishComposition); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw_finite(e);
    const A<E> sp = e.value(Fn::softplus, x, Params{{1.0}});
    const A<E> t = value_near(e, Fn::tanh, sp, 1.0, 0.7699);
    require_agree(agrees(e.value(fn, x), A<E>::exact(x) * t), "x=" + hex(x));
  }
};

// selu(x) = λ·elu(x, α) with PyTorch's λ and α, finite x (at ±inf the reference gives the
// catalog's tail constants, which are doubles; the tails property checks those). elu takes α as the
// nearest double α̂; for x ≤ 0, elu is linear in α with |∂elu/∂α| = |eˣ − 1| ≤ 1, so the slack λ·|α
// − α̂| covers it (≈ 1e-16).
struct SeluScaledElu {
  static constexpr std::string_view kName = "selu_scaled_elu";
  static constexpr std::string_view kStatement = "selu(x) = lambda*elu(x, alpha)";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kSeluIsScaledElu); }
  template <class E>
  static void check(const E& e, Fn fn) {
    using C = Carrier<typename E::Number>;
    const double x = draw_finite(e);
    const A<E> lambda = A<E>::decimal("1.0507009873554804934193349852946");
    const A<E> alpha = A<E>::decimal("1.6732632423543772848170429916717");
    const double alpha_double = C::to_double(alpha.value);
    const A<E> missed = alpha - alpha_double;
    const double slack =
        1.06 * (std::fabs(C::to_double(missed.value)) + C::to_double(missed.error)) * (1 + 0x1p-40);
    // Where λx overflows the format, selu(x) is ±inf (correctly so) while the carrier's λ·elu(x)
    // is finite: those cases say nothing about the identity.
    RC_PRE(std::isfinite(reference::round_to_format(1.0507009873554805 * x, e.format())));
    const A<E> rhs = lambda * e.value(Fn::elu, x, Params{{alpha_double}});
    require_agree(agrees(e.value(fn, x), rhs, slack), "x=" + hex(x));
  }
};

// |gelu(x) − gelu_tanh(x)| ≤ 4.74e-4 (the largest gap, near |x| ≈ 2.4; the reference checks the
// constant): the slack is that gap, the tolerance both results' bounds.
struct GeluTanhClose {
  static constexpr std::string_view kName = "gelu_tanh_close";
  static constexpr std::string_view kStatement = "|gelu(x) - gelu_tanh(x)| <= 4.74e-4";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kGeluTanhClose); }
  template <class E>
  static void check(const E& e, Fn) {
    const double x = draw(e);
    require_agree(agrees(e.value(Fn::gelu, x), e.value(Fn::gelu_tanh, x), 4.74e-4), "x=" + hex(x));
  }
};

// ---- Derivative identities --------------------------------------------------------------------

// softplus′(x) = σ(βx); βx must be a value of the format (it is for the default β = 1).
struct SoftplusDerivative {
  static constexpr std::string_view kName = "softplus_derivative";
  static constexpr std::string_view kStatement = "softplus'(x) = sigmoid(beta*x)";
  static bool applies(const Activation& a, Format) {
    return elementwise_with(a, kSoftplusDerivative);
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    const double t = derived_input(e, param_or(fn, "beta", 1.0) * x);
    require_agree(agrees(e.derivative(fn, x), e.value(Fn::sigmoid, t)), "x=" + hex(x));
  }
};

// σ′ = σ(1 − σ), and 0 ≤ σ′ ≤ 1/4 within σ′'s bound.
struct SigmoidDerivative {
  static constexpr std::string_view kName = "sigmoid_derivative";
  static constexpr std::string_view kStatement =
      "sigmoid'(x) = sigmoid(x)*(1 - sigmoid(x)), 0 <= sigmoid' <= 1/4";
  static bool applies(const Activation& a, Format) {
    return elementwise_with(a, kSigmoidDerivative);
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    const A<E> d = e.derivative(fn, x);
    const A<E> s = e.value(fn, x);
    const std::string where = "x=" + hex(x);
    require_agree(agrees(d, s * (1.0 - s)), where);
    require(at_most(d, A<E>::exact(0.25)), where, "sigmoid' - 1/4");
    require(at_most(A<E>::exact(0), d), where, "-sigmoid'");
  }
};

// tanh′ = 1 − tanh², and 0 ≤ tanh′ ≤ 1.
struct TanhDerivative {
  static constexpr std::string_view kName = "tanh_derivative";
  static constexpr std::string_view kStatement = "tanh'(x) = 1 - tanh(x)^2, 0 <= tanh' <= 1";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kTanhDerivative); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    const A<E> d = e.derivative(fn, x);
    const A<E> t = e.value(fn, x);
    const std::string where = "x=" + hex(x);
    require_agree(agrees(d, 1.0 - t * t), where);
    require(at_most(d, A<E>::exact(1)), where, "tanh' - 1");
    require(at_most(A<E>::exact(0), d), where, "-tanh'");
  }
};

// elu′(x) = elu(x) + α for x ≤ 0 (at 0 autograd takes the left side, α).
struct EluDerivative {
  static constexpr std::string_view kName = "elu_derivative";
  static constexpr std::string_view kStatement = "elu'(x) = elu(x) + alpha for x <= 0";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kEluDerivative); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = -std::fabs(draw(e));
    const double alpha = param_or(fn, "alpha", 1.0);
    require_agree(agrees(e.derivative(fn, x), e.value(fn, x) + alpha), "x=" + hex(x));
  }
};

// swish′ = βf + σ(βx)(1 − βf) (silu: β = 1), finite x; βx must be a value of the format.
struct SwishDerivative {
  static constexpr std::string_view kName = "swish_derivative";
  static constexpr std::string_view kStatement =
      "swish'(x) = beta*f + sigmoid(beta*x)*(1 - beta*f)";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kSwishDerivative); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw_finite(e);
    const double beta = param_or(fn, "beta", 1.0);
    const A<E> bf = beta * e.value(fn, x);
    const A<E> s = e.value(Fn::sigmoid, derived_input(e, beta * x));
    require_agree(agrees(e.derivative(fn, x), bf + s * (1.0 - bf)), "x=" + hex(x));
  }
};

// At each kink the derivative is the one-sided derivative the catalog names (PyTorch autograd's):
// f′(k) agrees with f′ at the nearest value of the format strictly on that side, h away. The
// slack 2h covers f′'s change over h: |f″| ≤ 2 on the smooth side next to every kink of the
// catalog (elu: αeˣ ≤ 1, selu: λαeˣ < 1.76, hardswish: 1/3, the rest 0); checking the reference
// tests that bound. Both ±0 are tried at a kink at 0. Kinks that are not values of the format
// (threshold's 0.1 in binary formats) are left out.
struct KinkConvention {
  static constexpr std::string_view kName = "kink_convention";
  static constexpr std::string_view kStatement =
      "f'(kink) = the one-sided derivative autograd takes there";
  static bool applies(const Activation& a, Format format) { return has_kink_in_format(a, format); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const Activation& a = activation(fn);
    const double at = *rc::gen::elementOf(kinks_in_format(a, e.format()));
    Side side = Side::kLeft;
    for (const Kink& k : a.kinks) {
      if (k.at.eval(default_params(fn)) == at) side = k.autograd_takes;
    }
    const double n = neighbour(at, side, e.format());
    const double slack = 2 * std::fabs(n - at) * (1 + 0x1p-50);
    require_agree(agrees(e.derivative(fn, at), e.derivative(fn, n), slack),
                  fmt::format("x={} ({} side, at {})", hex(at),
                              side == Side::kLeft ? "left" : "right", hex(n)));
  }
};

// ---- Bounds, shape, limits --------------------------------------------------------------------

// f ∈ [0, 1]: a result within its budget may exceed a bound by that budget, no more.
struct BoundedUnit {
  static constexpr std::string_view kName = "bounded_unit";
  static constexpr std::string_view kStatement = "0 <= f(x) <= 1";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kBoundedUnit); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    const A<E> y = e.value(fn, x);
    require(at_most(y, A<E>::exact(1)), "x=" + hex(x), "f - 1");
    require(at_most(A<E>::exact(0), y), "x=" + hex(x), "-f");
  }
};

struct BoundedSymmetric {
  static constexpr std::string_view kName = "bounded_symmetric";
  static constexpr std::string_view kStatement = "-1 <= f(x) <= 1";
  static bool applies(const Activation& a, Format) {
    return elementwise_with(a, kBoundedSymmetric);
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double x = draw(e);
    const A<E> y = e.value(fn, x);
    require(at_most(y, A<E>::exact(1)), "x=" + hex(x), "f - 1");
    require(at_most(A<E>::exact(-1), y), "x=" + hex(x), "-1 - f");
  }
};

// x1 < x2 ⇒ f(x1) ≤ f(x2), within both results' bounds (a correctly rounded f is monotone too).
struct Monotone {
  static constexpr std::string_view kName = "monotone";
  static constexpr std::string_view kStatement = "x1 < x2 implies f(x1) <= f(x2)";
  static bool applies(const Activation& a, Format) { return elementwise_with(a, kMonotone); }
  template <class E>
  static void check(const E& e, Fn fn) {
    double x1 = draw(e), x2 = draw(e);
    if (x2 < x1) std::swap(x1, x2);
    RC_PRE(x1 < x2);
    require(at_most(e.value(fn, x1), e.value(fn, x2)), fmt::format("x1={} x2={}", hex(x1), hex(x2)),
            "f(x1) - f(x2)");
  }
};

// f(±inf) is the catalog's limit: the tail's constant (a double in the catalog, so within its
// rounding), or for a linear tail of slope s, s·(±inf) (0 for s = 0).
struct Tails {
  static constexpr std::string_view kName = "tails";
  static constexpr std::string_view kStatement = "f(+-inf) = the catalog's limits";
  static bool applies(const Activation& a, Format) { return is_elementwise(a.kind); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const Activation& a = activation(fn);
    const bool plus = *rc::gen::arbitrary<bool>();
    const double x = plus ? INFINITY : -INFINITY;
    const Tail& tail = plus ? a.plus_inf : a.minus_inf;
    const double v = tail.value.eval(default_params(fn));
    const A<E> limit = tail.kind == TailKind::kConstant ? A<E>::constant(v, std::fabs(v) * 0x1p-52)
                       : v == 0                         ? A<E>::exact(0)
                                                        : A<E>::exact(v * x);
    require_agree(agrees(e.value(fn, x), limit), "x=" + hex(x));
  }
};

// NaN in, NaN out.
struct NanPropagates {
  static constexpr std::string_view kName = "nan_propagates";
  static constexpr std::string_view kStatement = "f(NaN) is NaN";
  static bool applies(const Activation& a, Format) { return is_elementwise(a.kind); }
  template <class E>
  static void check(const E& e, Fn fn) {
    using C = Carrier<typename E::Number>;
    const double y = C::to_double(e.value(fn, NAN).value);
    if (!std::isnan(y)) fail(fmt::format("x=nan: f(x) = {} is not NaN", hex(y)));
  }
};

// ---- Rows (softmax family) --------------------------------------------------------------------

std::string show_row(const std::vector<double>& x) {
  std::string s;
  for (double v : x) s += (s.empty() ? "" : ", ") + hex(v);
  return "row=[" + s + "]";
}

template <class E>
std::vector<double> draw_finite_row(const E& e) {
  const int n = *rc::gen::inRange(1, 17);
  return *rc::gen::container<std::vector<double>>(static_cast<std::size_t>(n),
                                                  finite_format_values(e.format()));
}

// Σᵢ f(x)ᵢ = 1 on finite rows: the tolerance is the sum of every element's bound (so it grows
// with the length) plus the sum's own roundings. A NaN or ∞ element fails it.
struct SumsToOne {
  static constexpr std::string_view kName = "sums_to_one";
  static constexpr std::string_view kStatement = "sum of f(x) over a finite row = 1";
  static bool applies(const Activation& a, Format) { return (a.identities & kSumsToOne) != 0; }
  template <class E>
  static void check(const E& e, Fn fn) {
    const std::vector<double> x = draw_finite_row(e);
    A<E> sum = A<E>::exact(0);
    for (const A<E>& s : e.row(fn, x)) sum = sum + s;
    require_agree(agrees(sum, A<E>::exact(1)), show_row(x));
  }
};

// A row of finite numbers gives no NaN (infinities may be right: log_softmax of a row spanning
// ±FLT_MAX is −inf in float32). Exact: NaN is never within a budget.
struct FiniteRowsGiveNoNan {
  static constexpr std::string_view kName = "finite_rows_give_no_nan";
  static constexpr std::string_view kStatement = "no NaN in f(x) for a finite row x";
  static bool applies(const Activation& a, Format) {
    return (a.identities & (kSumsToOne | kShiftInvariant)) != 0;
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    using C = Carrier<typename E::Number>;
    const std::vector<double> x = draw_finite_row(e);
    const auto y = e.row(fn, x);
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (std::isnan(C::to_double(y[i].value))) {
        fail(fmt::format("{}: element {} is NaN", show_row(x), i));
      }
    }
  }
};

// Entries of −inf weigh exactly 0, whatever the budget: the row gets a −inf in place of some of
// its entries (never all).
struct NegativeInfinityWeighsZero {
  static constexpr std::string_view kName = "minus_inf_weighs_zero";
  static constexpr std::string_view kStatement = "f(x)_i = 0 exactly where x_i = -inf";
  static bool applies(const Activation& a, Format) {
    return (a.identities & kSumsToOne) != 0 && (a.identities & kSoftminIsSoftmaxOfNeg) == 0;
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    using C = Carrier<typename E::Number>;
    std::vector<double> x = draw_finite_row(e);
    const std::size_t keep = *rc::gen::inRange<std::size_t>(0, x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (i != keep && *rc::gen::arbitrary<bool>()) x[i] = -INFINITY;
    }
    const auto s = e.row(fn, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double y = C::to_double(s[i].value);
      if (x[i] == -INFINITY && y != 0) {
        fail(fmt::format("{}: element {} = {} is not 0", show_row(x), i, hex(y)));
      }
    }
  }
};

// log_softmax(x) = x − logsumexp(x): every xᵢ − log_softmax(x)ᵢ is the same number, logsumexp(x).
// xᵢ is exact, so each difference carries its element's bound (and the carrier's rounding), and two
// of them agree within the sum of theirs. Rows spanning 2^emax or more are discarded: there the
// exact log_softmax of the smallest entry may lie beyond the format, where −inf is its rounding.
struct LogSoftmaxIsXMinusLogSumExp {
  static constexpr std::string_view kName = "log_softmax_is_x_minus_logsumexp";
  static constexpr std::string_view kStatement = "x_i - log_softmax(x)_i is the same for every i";
  static bool applies(const Activation& a, Format) { return (a.identities & kLogOfSoftmax) != 0; }
  template <class E>
  static void check(const E& e, Fn fn) {
    const std::vector<double> x = draw_finite_row(e);
    const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
    RC_PRE(*hi - *lo < std::ldexp(1.0, spec(e.format()).emax));
    const auto y = e.row(fn, x);
    const auto logsumexp = [&](std::size_t i) { return A<E>::exact(x[i]) - y[i]; };
    for (std::size_t i = 1; i < x.size(); ++i) {
      require_agree(agrees(logsumexp(i), logsumexp(0)),
                    fmt::format("{} elements 0 and {}", show_row(x), i));
    }
  }
};

// softmin(x) = softmax(−x), element by element.
struct SoftminIsSoftmaxOfNeg {
  static constexpr std::string_view kName = "softmin_is_softmax_of_neg";
  static constexpr std::string_view kStatement = "softmin(x) = softmax(-x)";
  static bool applies(const Activation& a, Format) {
    return (a.identities & kSoftminIsSoftmaxOfNeg) != 0;
  }
  template <class E>
  static void check(const E& e, Fn fn) {
    const std::vector<double> x = draw_finite_row(e);
    std::vector<double> neg;
    for (double v : x) neg.push_back(-v);
    const auto lhs = e.row(fn, x);
    const auto rhs = e.row(Fn::softmax, neg);
    for (std::size_t i = 0; i < x.size(); ++i) {
      require_agree(agrees(lhs[i], rhs[i]), fmt::format("{} element {}", show_row(x), i));
    }
  }
};

// f(x + c) = f(x) on rows where every xᵢ + c is exact: small integers shifted by an integer, or
// (where the format holds it) rows R + kᵢ·ulp(R) around R = 1e30 rounded, shifted back by −R.
// Both sides are results of f: the tolerance is their bounds.
struct ShiftInvariant {
  static constexpr std::string_view kName = "shift_invariant";
  static constexpr std::string_view kStatement =
      "f(x + c) = f(x), c an integer or the shift of a row around 1e30";
  static bool applies(const Activation& a, Format) { return (a.identities & kShiftInvariant) != 0; }
  template <class E>
  static void check(const E& e, Fn fn) {
    const double big = reference::round_to_format(1e30, e.format());
    const bool around_big = std::isfinite(big) && *rc::gen::arbitrary<bool>();
    const double unit = around_big ? engine::ulp(big, e.format()) : 1.0;
    const double c = around_big ? -big : *rc::gen::inRange(-200, 201);
    const int n = *rc::gen::inRange(1, 17);
    std::vector<double> x, shifted;
    for (int i = 0; i < n; ++i) {
      const double k = *rc::gen::inRange(-30, 31);
      x.push_back(around_big ? big + k * unit : k);
      shifted.push_back(derived_input(e, x.back() + c));
      RC_PRE(reference::same_bits(reference::round_to_format(x.back(), e.format()), x.back()));
    }
    const auto lhs = e.row(fn, shifted);
    const auto rhs = e.row(fn, x);
    for (std::size_t i = 0; i < x.size(); ++i) {
      require_agree(agrees(lhs[i], rhs[i]),
                    fmt::format("{} shifted by {} element {}", show_row(x), hex(c), i));
    }
  }
};

// The backward pass of softmax is Jᵀv = (diag(s) − ssᵀ)v = s ⊙ (v − ⟨s, v⟩), with s the forward
// row; softmin = softmax(−x) negates it. The right side is computed from the evaluator's own
// forward row, so its tolerance is what every sⱼ's bound becomes through ⟨s, v⟩ and the product
// (absolute: where sᵢ(vᵢ − ⟨s, v⟩) cancels, a tiny exact value may be off by ulp(1)-sized amounts).
struct SoftmaxBackward {
  static constexpr std::string_view kName = "softmax_backward";
  static constexpr std::string_view kStatement = "softmax VJP = (diag(s) - s s^T) v";
  static bool applies(const Activation& a, Format) { return (a.identities & kSumsToOne) != 0; }
  template <class E>
  static void check(const E& e, Fn fn) {
    const std::vector<double> x = draw_finite_row(e);
    const std::vector<double> v = *rc::gen::container<std::vector<double>>(
        x.size(), rc::gen::map(rc::gen::inRange(-64, 65), [](int k) { return k / 8.0; }));
    const double sign = (activation(fn).identities & kSoftminIsSoftmaxOfNeg) ? -1.0 : 1.0;
    const auto s = e.row(fn, x);
    A<E> dot = A<E>::exact(0);
    for (std::size_t j = 0; j < x.size(); ++j) dot = dot + v[j] * s[j];
    const auto g = e.row(fn, x, v);
    for (std::size_t i = 0; i < x.size(); ++i) {
      require_agree(agrees(g[i], sign * (s[i] * (v[i] - dot))),
                    fmt::format("{} v=[{}] element {}", show_row(x), fmt::join(v, ", "), i));
    }
  }
};

template <class P>
constexpr Property make() {
  return {P::kName, P::kStatement, &P::applies, &P::template check<ReferenceEvaluator>,
          &P::template check<BackendEvaluator>};
}

constexpr Property kProperties[] = {
    make<TanhFromSigmoid>(),
    make<SigmoidReflection>(),
    make<Odd>(),
    make<SoftplusReflection>(),
    make<LogsigmoidSoftplus>(),
    make<SiluIsXSigmoid>(),
    make<MishComposition>(),
    make<SeluScaledElu>(),
    make<GeluTanhClose>(),
    make<SoftplusDerivative>(),
    make<SigmoidDerivative>(),
    make<TanhDerivative>(),
    make<EluDerivative>(),
    make<SwishDerivative>(),
    make<KinkConvention>(),
    make<BoundedUnit>(),
    make<BoundedSymmetric>(),
    make<Monotone>(),
    make<Tails>(),
    make<NanPropagates>(),
    make<SumsToOne>(),
    make<FiniteRowsGiveNoNan>(),
    make<NegativeInfinityWeighsZero>(),
    make<SoftminIsSoftmaxOfNeg>(),
    make<LogSoftmaxIsXMinusLogSumExp>(),
    make<ShiftInvariant>(),
    make<SoftmaxBackward>(),
};

}  // namespace

std::span<const Property> all_properties() { return kProperties; }

}  // namespace actcheck::properties
