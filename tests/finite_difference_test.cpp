// Every reference derivative (and parameter gradient) against a Richardson-extrapolated central
// difference of the reference value, away from kinks.
//
// Inputs are x = k/2^10 with |x| ≤ 6 (at most 13 fraction bits), so x ± h with h = 2^-24 is exact
// in a double. With D(h) = (f(x+h) − f(x−h))/2h, R = (4·D(h/2) − D(h))/3 has error
// |f⁽⁵⁾|·h⁴/480 ≈ 2^-105·|f⁽⁵⁾|; values at 400 bits lose 25 bits in the division. The bound
// below, 2^-70 relative to max(1, |f′|), leaves room for |f⁽⁵⁾| up to 2^30 on [−6, 6].
#include <gtest/gtest.h>

#include <cmath>

#include "test_support.hpp"

namespace actcheck::testing {
namespace {

constexpr unsigned kBits = 400;
constexpr double kStep = 0x1p-24;

bool near_kink(Fn fn, double x, const Params& p) {
  for (const Kink& k : activation(fn).kinks) {
    if (std::fabs(x - k.at.eval(p)) <= 2 * kStep) return true;
  }
  return false;
}

// Richardson-extrapolated central difference of g at x.
template <class G>
Real richardson(G g, double x) {
  auto central = [&](double h) { return (g(x + h) - g(x - h)) / (2 * h); };
  return (4 * central(kStep / 2) - central(kStep)) / 3;
}

void expect_close(const Real& fd, const Real& exact, const std::string& what) {
  using boost::multiprecision::abs;
  const Real scale = std::max(Real(1), Real(abs(exact)));
  EXPECT_LE(abs(fd - exact), ldexp(scale, -70)) << what << " fd=" << fd << " exact=" << exact;
}

TEST(FiniteDifference, DerivativesAgreeWithRichardson) {
  for (Fn fn : elementwise_entries()) {
    const Params p = default_params(fn);
    for (int k = -6 * 1024; k <= 6 * 1024; k += 97) {
      const double x = k / 1024.0;
      if (near_kink(fn, x, p)) continue;
      auto f = [&](double t) { return reference::evaluate(fn, Quantity::kValue, t, p, kBits); };
      const Real exact = reference::evaluate(fn, Quantity::kDerivative, x, p, kBits);
      expect_close(richardson(f, x), exact,
                   std::string(activation(fn).name) + " x=" + std::to_string(x));
    }
  }
}

// ∂f/∂α of prelu and ∂f/∂β of swish, differencing in the parameter.
TEST(FiniteDifference, ParameterGradientsAgreeWithRichardson) {
  for (Fn fn : elementwise_entries()) {
    const int index = activation(fn).learnable_param;
    if (index < 0) continue;
    const Params p = default_params(fn);
    for (int k = -6 * 1024; k <= 6 * 1024; k += 211) {
      const double x = k / 1024.0;
      auto f = [&](double param) {
        Params q = p;
        q.values[index] = param;
        return reference::evaluate(fn, Quantity::kValue, x, q, kBits);
      };
      const Real exact = reference::evaluate(fn, Quantity::kParamDerivative, x, p, kBits);
      expect_close(richardson(f, p[index]), exact,
                   std::string(activation(fn).name) + " x=" + std::to_string(x));
    }
  }
}

}  // namespace
}  // namespace actcheck::testing
