// The exponential linear units: elu, selu and celu.
//
// Algorithm: x for x > 0 (times λ for selu), a·(e^(x/s) − 1) otherwise, with math.hpp's expm1
// (k·ln 2 reduction, degree-12 Taylor polynomial), which keeps −0 and has no cancellation near 0.
// The derivative is a·e^(x/s)/s for x ≤ 0 (PyTorch's side at 0). Error of the double result
// below 2^-49 relative.
#pragma once

#include "impl/kernels/kernel.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

// elu(x; α); elu′ = α·e^x for x ≤ 0. PyTorch's backward from the output: y + α for y ≤ 0.
// Measured: correctly rounded (α = 1).
template <>
struct Kernel<Fn::elu> {
  double alpha;
  explicit Kernel(const Params& p) : alpha(p[0]) {}
  double value(double x) const { return x > 0 ? x : alpha * expm1(x); }
  double derivative(double x) const { return x > 0 ? 1.0 : alpha * exp(x); }
  double derivative_from_output(double y) const { return y > 0 ? 1.0 : y + alpha; }
};

// selu(x) = λ·elu(x; α) with λα as one constant (the double nearest the product of the SELU
// paper's constants). Measured: correctly rounded (float32 too, on all 2^32 inputs).
template <>
struct Kernel<Fn::selu> {
  static constexpr double kLambda = 1.0507009873554804934193349852946;
  static constexpr double kLambdaAlpha = 1.7580993408473768;
  explicit Kernel(const Params&) {}
  double value(double x) const {
    return x > 0 ? product_to_odd(kLambda, x) : kLambdaAlpha * expm1(x);
  }
  double derivative(double x) const { return x > 0 ? kLambda : kLambdaAlpha * exp(x); }
};

// celu(x; α) = α·(e^(x/α) − 1) for x ≤ 0; celu′ = e^(x/α) there. Measured: correctly rounded
// at α = 1 (float32 too, on all 2^32 inputs).
template <>
struct Kernel<Fn::celu> {
  double alpha;
  explicit Kernel(const Params& p) : alpha(p[0]) {}
  double value(double x) const { return x > 0 ? x : alpha * expm1(x / alpha); }
  double derivative(double x) const { return x > 0 ? 1.0 : exp(x / alpha); }
};

}  // namespace actcheck::impl::ACTCHECK_ISA
