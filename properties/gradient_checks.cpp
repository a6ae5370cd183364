#include "properties/gradient_checks.hpp"

#include <fmt/format.h>
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

bool is_format_value(double v, Format format) {
  return reference::same_bits(reference::round_to_format(v, format), v);
}

// (f(x + h) − f(x − h))/2h against f′(x), with x ± h values of the format and h a power of two
// about 2^(-p/3)·max(|x|, 1), where rounding and truncation errors are of a size (see step()).
// Write D = (f(x+h) − f(x−h))/2h for the exact f. Then
//   |FD − f̂′(x)| ≤ |FD − D| + |D − f′(x)| + |f′(x) − f̂′(x)|
//              ≤ (E_f(x+h) + E_f(x−h))/2h + T + E_f′(x),
// the first term what approx.hpp carries through the difference and the exact scaling by 1/2h,
// the last the backward's bound, and T = |D − f′(x)| the truncation error. T ≤ h²·max|f‴|/6;
// rather than bound f‴, T itself is computed from the reference (MPFR, 128 bits), exactly but
// for its enclosures' widths, which are added. Intervals holding a kink are skipped (the
// kink_convention property checks kinks), as are x where f or f′ is not finite.
// The step: 2^(-p/3)·max(|x|, 1) rounded down to a power of two when x ± h are then values of the
// format (x a multiple of ulp(x ± h)); else 2^(2p/3)·ulp(x) ≈ 2^(-p/3)·|x|, for which they are
// unless x + h crosses a binade. Below |x| = 1 the first keeps h from shrinking with x, which
// would let the forward's rounding errors, divided by 2h, swamp the check.
double step(double x, Format format) {
  const int third = spec(format).precision / 3;
  const double wide = std::ldexp(1.0, std::ilogb(std::max(std::fabs(x), 1.0)) - third);
  if (is_format_value(x - wide, format) && is_format_value(x + wide, format)) return wide;
  return std::ldexp(engine::ulp(x, format), 2 * third);
}

struct CentralDifference {
  static constexpr std::string_view kName = "central_difference";
  static constexpr std::string_view kStatement =
      "backward = (f(x+h) - f(x-h))/2h of the same backend's forward, within the derived bound";
  static bool applies(const Activation& a, Format) { return is_elementwise(a.kind); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const Format format = e.format();
    const double x = *finite_format_values(format);
    const double h = step(x, format);
    const double lo = x - h, hi = x + h;
    RC_PRE(is_format_value(lo, format) && is_format_value(hi, format));
    RC_PRE(std::isfinite(lo) && std::isfinite(hi));
    for (const Kink& k : activation(fn).kinks) {
      const double at = k.at.eval(default_params(fn));
      RC_PRE(!(lo <= at && at <= hi));
    }
    const A<E> g = e.derivative(fn, x);
    const A<E> fd = (0.5 / h) * (e.value(fn, hi) - e.value(fn, lo));
    using C = Carrier<typename E::Number>;
    RC_PRE(std::isfinite(C::to_double(fd.value)) && std::isfinite(C::to_double(g.value)));

    using RC = Carrier<Real>;
    const ReferenceEvaluator exact(format);
    const Approx<Real> d = (0.5 / h) * (exact.value(fn, hi) - exact.value(fn, lo));
    const Approx<Real> truncation = d - exact.derivative(fn, x);
    const double t = RC::to_double_up(RC::add_up(RC::abs(truncation.value), truncation.error));
    require_agree(agrees(fd, g, t),
                  fmt::format("x={} h={} (truncation {:.3g})", hex(x), hex(h), t));
  }
};

// The one-sided limits of f′ at each kink, from both sides: f′ at the format's value n nearest
// the kink on one side against the reference's f′ at the double nearest the kink on that side,
// which is the one-sided limit to within |f″|·ulp. The slack 2·(|n − k| + |d − k|) covers f′'s
// change over those distances: |f″| ≤ 2 on the smooth side next to every kink of the catalog (see
// kink_convention). A backward that is right at the kink (the convention) but wrong on one side
// of it, or the reverse, fails here.
struct OneSidedLimits {
  static constexpr std::string_view kName = "one_sided_limits";
  static constexpr std::string_view kStatement =
      "f'(x) tends to the reference's one-sided limit as x tends to each kink from either side";
  static bool applies(const Activation& a, Format format) { return has_kink_in_format(a, format); }
  template <class E>
  static void check(const E& e, Fn fn) {
    const Format format = e.format();
    const double at = *rc::gen::elementOf(kinks_in_format(activation(fn), format));
    const Side side = *rc::gen::elementOf(std::vector<Side>{Side::kLeft, Side::kRight});
    const double n = neighbour(at, side, format);
    const double d = neighbour(at, side, Format::kF64);
    const double slack = 2 * (std::fabs(n - at) + std::fabs(d - at)) * (1 + 0x1p-50);
    using RC = Carrier<Real>;
    const Approx<Real> limit = ReferenceEvaluator(format).derivative(fn, d);
    const double limit_value = RC::to_double(limit.value);  // and its rounding, in the slack
    const double limit_error =
        RC::to_double_up(RC::add_up(limit.error, RC::from(std::fabs(limit_value) * 0x1p-52)));
    require_agree(agrees(e.derivative(fn, n), A<E>::exact(limit_value), slack + limit_error),
                  fmt::format("x={} (the kink {}'s nearest {} neighbour) against the limit", hex(n),
                              hex(at), side == Side::kLeft ? "left" : "right"));
  }
};

// ∂f/∂p(x) of the reference against (f(x; p + h) − f(x; p − h))/2h of the reference, h = 2^-20.
// The truncation error is h²·max|∂³f/∂p³|/6: 0 for prelu (linear in α), and for swish
// x·σ(βx), ∂³/∂β³ = x⁴σ‴(βx) with |σ‴| ≤ 1/8, so h²x⁴/48. Only the reference has parameter
// gradients (backends compute forward and backward in x): on a backend it is reported
// UNSUPPORTED, never as a pass.
struct ParamGradient {
  static constexpr std::string_view kName = "param_gradient";
  static constexpr std::string_view kStatement =
      "df/dparam = (f(x; p+h) - f(x; p-h))/2h in the reference";
  static bool applies(const Activation& a, Format) { return a.learnable_param >= 0; }
  template <class E>
  static void check(const E& e, Fn fn) {
    constexpr double h = 0x1p-20;
    const double x = *finite_format_values(e.format());
    RC_PRE(std::fabs(x) < 0x1p20);  // beyond, h²x⁴ swamps the check
    const auto i = static_cast<std::size_t>(activation(fn).learnable_param);
    Params up = default_params(fn), down = up;
    up.values[i] += h;
    down.values[i] -= h;
    const ReferenceEvaluator exact(e.format());
    const Approx<Real> fd = (0.5 / h) * (exact.value(fn, x, up) - exact.value(fn, x, down));
    const Approx<Real> grad = exact.param_gradient(fn, x, default_params(fn));
    const double third = fn == Fn::swish ? std::pow(x, 4) / 8 : 0;
    require_agree(agrees(fd, grad, h * h * third / 6 * (1 + 0x1p-40)), "x=" + hex(x));
  }
};

template <class P>
constexpr Property make() {
  return {P::kName, P::kStatement, &P::applies, &P::template check<ReferenceEvaluator>,
          &P::template check<BackendEvaluator>};
}

template <class P>
constexpr Property make_reference_only() {
  return {P::kName, P::kStatement, &P::applies, &P::template check<ReferenceEvaluator>, nullptr};
}

constexpr Property kGradientChecks[] = {make<CentralDifference>(), make<OneSidedLimits>(),
                                        make_reference_only<ParamGradient>()};

}  // namespace

std::span<const Property> gradient_checks() { return kGradientChecks; }

}  // namespace actcheck::properties
