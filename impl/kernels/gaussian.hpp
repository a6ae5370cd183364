// gelu, from the normal distribution.
//
// Algorithm: gelu(x) = x·Φ(x), gelu′ = Φ(x) + x·φ(x). Φ from math.hpp's normal_cdf: erfc(|x|/√2)
// = e^(−x²/2)·erfcx(|x|/√2), erfcx a degree-18 polynomial in t = (z − 4)/(z + 4) fitted by
// tools/kernel_coefficients.py (mpmath.chebyfit) on z ∈ [0, 10.6], relative error below 2^-48;
// e^(−x²/2) with x² split exactly by an fma, so the exponent carries no rounding error. Φ(−|x|)
// is never 1 − Φ(|x|). Within 2^-9 of the negative root of gelu′ (x ≈ −0.7518), where
// Φ + x·φ cancels, the Taylor expansion about the root. Error of the double result below 2^-45.
#pragma once

#include "impl/kernels/kernel.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

// Measured: correctly rounded.
template <>
struct Kernel<Fn::gelu> {
  explicit Kernel(const Params&) {}
  double value(double x) const {
    return half_x_near_zero(x, kInvSqrt2Pi, times_decaying(x, normal_cdf(x).p));
  }
  double derivative(double x) const {
    const double formula =
        negative_zero_tail(normal_cdf(x).p + times_decaying(x, normal_pdf(x)), x);
    return with_root(kGeluDerivativeRoot, root_delta(kGeluDerivativeRoot, x), formula);
  }
};

}  // namespace actcheck::impl::ACTCHECK_ISA
