// The exact reference for the vector entries of the catalog (softmax, log_softmax, softmin,
// maxout, glu, swiglu): a row in, a row out, and the vector-Jacobian product Jᵀv for the backward
// pass. Rows with special values give the limit where it exists and NaN where it does not:
//  - a NaN anywhere makes the whole output row NaN (as PyTorch does);
//  - softmax family: −inf entries weigh exactly 0; one +inf entry takes all the weight (one-hot);
//    two or more +inf entries, or a row of only −inf, have no limit: NaN;
//  - glu/swiglu are elementwise in the pairs (aᵢ, bᵢ); ∞·0 there is NaN.
#pragma once

#include <Eigen/Core>
#include <boost/multiprecision/eigen.hpp>
#include <boost/multiprecision/mpfr.hpp>
#include <vector>

#include "catalog/catalog.hpp"
#include "catalog/format.hpp"
#include "reference/mpfr_interval.hpp"
#include "reference/reference.hpp"

namespace actcheck::reference {

using RealVector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;

// The length of fn's output row for an input row of length n; throws std::invalid_argument when
// n does not suit fn (odd n for glu, n not a multiple of maxout's k, n = 0).
Eigen::Index output_length(Fn fn, Eigen::Index n, const Params& p);

// Enclosures of the output row (q = kValue) or of Jᵀv (q = kDerivative; v has the output length,
// the result the input length), at `bits` of working precision.
std::vector<MpfrInterval> enclose_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                      const Eigen::VectorXd& v, const Params& p, mpfr_prec_t bits);

// The same at `bits` of precision, as mpfr_float values.
RealVector evaluate_row(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                        const Params& p, unsigned bits);

// Every element correctly rounded into `format` (Ziv's strategy over the row), by MPFR alone.
Eigen::VectorXd correctly_rounded_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                      const Eigen::VectorXd& v, const Params& p, Format format);

// Every element's Exact (see reference.hpp): correctly rounded into `format`, and on the measuring
// grid. kFastThenMpfr decides what it can in double-interval arithmetic (softmax, log_softmax,
// softmin, glu, swiglu on rows of finite values) and asks MPFR for the rest; identical to
// kMpfrOnly (tested). Throws std::logic_error when an element stays undecided at kMaxWorkingBits.
std::vector<Exact> exact_row(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                             const Params& p, Format format, Tier tier = Tier::kFastThenMpfr);

}  // namespace actcheck::reference
