#include "reference/vector.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include "reference/formulas.hpp"
#include "reference/rounding.hpp"

namespace actcheck::reference {
namespace {

using R = MpfrInterval;
using Row = std::vector<R>;

Row nan_row(Eigen::Index n) { return Row(static_cast<std::size_t>(n), R(NAN)); }

bool has_nan(const Eigen::VectorXd& x) { return x.array().isNaN().any(); }

// The terms e^(xᵢ − m) of a row shifted by its maximum m, which softmax and log_softmax share.
// Shifting makes every exponent ≤ 0 and the largest term exactly 1; −inf entries weigh exactly 0.
struct ShiftedExponentials {
  enum class Limit { kNone, kOneHot, kFinite };
  Limit limit = Limit::kNone;  // kNone: NaN, two or more +inf, or only −inf; kOneHot: one +inf
  double max = 0;
  Row terms;
  R sum;

  explicit ShiftedExponentials(const Eigen::VectorXd& x) {
    if (has_nan(x)) return;
    const auto plus_inf = (x.array() == INFINITY).count();
    max = x.maxCoeff();
    if (plus_inf > 1 || max == -INFINITY) return;
    if (plus_inf == 1) {
      limit = Limit::kOneHot;
      return;
    }
    limit = Limit::kFinite;
    terms.resize(static_cast<std::size_t>(x.size()));
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      terms[i] = x[i] == -INFINITY ? R(0.0) : exp(R(x[i]) - R(max));
      sum = sum + terms[i];
    }
  }
};

// softmax(x) as enclosures, or nothing when the row has no limit (NaN row).
std::optional<Row> softmax(const Eigen::VectorXd& x) {
  ShiftedExponentials e(x);
  if (e.limit == ShiftedExponentials::Limit::kNone) return std::nullopt;
  Row s(static_cast<std::size_t>(x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    s[i] = e.limit == ShiftedExponentials::Limit::kOneHot ? R(x[i] == INFINITY ? 1.0 : 0.0)
                                                          : e.terms[i] / e.sum;
  }
  return s;
}

std::optional<Row> log_softmax(const Eigen::VectorXd& x) {
  ShiftedExponentials e(x);
  if (e.limit == ShiftedExponentials::Limit::kNone) return std::nullopt;
  const bool one_hot = e.limit == ShiftedExponentials::Limit::kOneHot;
  const R log_sum = one_hot ? R(0.0) : log(e.sum);  // in [0, log n]
  // With two or more finite entries the sum exceeds 1 and every output is < 0, even where
  // e^(xᵢ − m) fell below MPFR's range (log_softmax([1e30, 0])₀ = −log1p(e^-1e30)).
  const bool negative = (x.array() > -INFINITY).count() > 1;
  Row y(static_cast<std::size_t>(x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (one_hot) {
      y[i] = R(x[i] == INFINITY ? 0.0 : -INFINITY);
    } else if (x[i] == -INFINITY) {
      y[i] = R(-INFINITY);
    } else {
      y[i] = (R(x[i]) - R(e.max)) - log_sum;
      if (negative) y[i] = y[i].known_negative();
    }
  }
  return y;
}

// Exact zeros of the softmax-family VJPs. No enclosure can prove a result is exactly 0, so the
// Ziv loop would never end on them; they are decided here instead. By Lindemann–Weierstrass,
// e^a for distinct algebraic a are linearly independent over the algebraic numbers, so a sum
// Σⱼ cⱼ·e^(xⱼ) with rational cⱼ is 0 iff, for every distinct value a among the xⱼ, the cⱼ with
// xⱼ = a sum to 0. Those sums are of doubles, done exactly in MPFR.
class ExactSums {
 public:
  // Wide enough to add up to 2^20 doubles of any exponent without rounding.
  static constexpr mpfr_prec_t kBits = 2 * 1100 + 21;

  // Groups the finite entries of x by value; v must be finite.
  ExactSums(const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
    for (Eigen::Index j = 0; j < x.size(); ++j) {
      if (!std::isfinite(x[j])) continue;
      auto it = std::find_if(groups_.begin(), groups_.end(),
                             [&](const Group& g) { return g.value == x[j]; });
      if (it == groups_.end()) it = groups_.insert(groups_.end(), Group{x[j], 0, Sum()});
      it->count += 1;
      it->sum += v[j];
    }
    for (double vj : v) total_ += vj;
  }

  // Is vᵢ − ⟨softmax(x), v⟩ exactly 0? Multiplied by Σe^(xⱼ) it is Σⱼ e^(xⱼ)(vᵢ − vⱼ): every
  // group G needs |G|·vᵢ = Σ_G v.
  bool softmax_term_is_zero(double vi) const {
    return std::all_of(groups_.begin(), groups_.end(),
                       [&](const Group& g) { return g.sum.equals_scaled(g.count, vi); });
  }

  // Is vᵢ − softmax(x)ᵢ·Σv exactly 0? Σⱼ e^(xⱼ)·vᵢ − e^(xᵢ)·Σv: the group of xᵢ needs
  // |G|·vᵢ = Σv, every other group |G|·vᵢ = 0.
  bool log_softmax_term_is_zero(double xi, double vi) const {
    return std::all_of(groups_.begin(), groups_.end(), [&](const Group& g) {
      return g.value == xi ? total_.equals_scaled(g.count, vi) : vi == 0;
    });
  }

 private:
  class Sum {
   public:
    Sum() {
      mpfr_init2(s_, kBits);
      mpfr_set_zero(s_, 1);
    }
    Sum(const Sum& o) : Sum() { mpfr_set(s_, o.s_, MPFR_RNDN); }
    Sum& operator=(const Sum& o) {
      mpfr_set(s_, o.s_, MPFR_RNDN);
      return *this;
    }
    ~Sum() { mpfr_clear(s_); }
    Sum& operator+=(double v) {
      mpfr_add_d(s_, s_, v, MPFR_RNDN);
      return *this;
    }
    // Is this sum exactly count·v?
    bool equals_scaled(long count, double v) const {
      mpfr_t t;
      mpfr_init2(t, kBits);
      mpfr_set_d(t, v, MPFR_RNDN);
      mpfr_mul_si(t, t, count, MPFR_RNDN);
      const bool equal = mpfr_equal_p(t, s_);
      mpfr_clear(t);
      return equal;
    }

   private:
    mpfr_t s_;
  };
  struct Group {
    double value;
    long count = 0;
    Sum sum;
  };
  std::vector<Group> groups_;
  Sum total_;  // Σv
};

// Jᵀv of softmax at s: sᵢ(vᵢ − ⟨s, v⟩), with its exact zeros (+0) found by ExactSums.
Row softmax_vjp(const Eigen::VectorXd& x, const Row& s, const Eigen::VectorXd& v, double sign) {
  R dot(0.0);
  for (std::size_t i = 0; i < s.size(); ++i) dot = dot + s[i] * R(v[i]);
  const bool finite = v.allFinite();
  const ExactSums sums(sign * x, finite ? v : Eigen::VectorXd::Zero(v.size()).eval());
  Row g(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool zero = finite && sums.softmax_term_is_zero(v[i]);
    g[i] = zero ? R(0.0) : R(sign) * s[i] * (R(v[i]) - dot);
  }
  return g;
}

// Index of the first maximum of x[begin, begin + k) (a NaN counts as the maximum, as in torch).
Eigen::Index first_argmax(const Eigen::VectorXd& x, Eigen::Index begin, Eigen::Index k) {
  Eigen::Index best = begin;
  for (Eigen::Index i = begin; i < begin + k; ++i) {
    if (std::isnan(x[i])) return i;
    if (x[i] > x[best]) best = i;
  }
  return best;
}

Row gated(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v, const Params& p) {
  const Eigen::Index h = x.size() / 2;
  Row y(q == Quantity::kValue ? h : 2 * h);
  for (Eigen::Index i = 0; i < h; ++i) {
    const double a = x[i], b = x[h + i];
    // σ(b) (glu) or silu(a) (swiglu) with their derivatives, from the elementwise reference.
    const Fn inner = fn == Fn::glu ? Fn::sigmoid : Fn::silu;
    const double u = fn == Fn::glu ? b : a;  // the argument of the inner function
    const mpfr_prec_t bits = WorkingPrecision::current();
    const R g = enclose(inner, Quantity::kValue, u, p, bits);
    const R other = R(fn == Fn::glu ? a : b);  // the factor the inner function multiplies
    if (q == Quantity::kValue) {
      y[i] = other * g;
      continue;
    }
    const R dg = enclose(inner, Quantity::kDerivative, u, p, bits);
    const R d_other = R(v[i]) * g;           // ∂/∂other
    const R d_inner = R(v[i]) * other * dg;  // ∂/∂u
    y[i] = fn == Fn::glu ? d_other : d_inner;
    y[h + i] = fn == Fn::glu ? d_inner : d_other;
  }
  return y;
}

Row compute(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
            const Params& p) {
  const Eigen::Index out = output_length(fn, x.size(), p);
  const Eigen::Index result_length = q == Quantity::kValue ? out : x.size();
  if (q == Quantity::kDerivative && v.size() != out) {
    throw std::invalid_argument("upstream gradient has length " + std::to_string(v.size()) +
                                ", the output has " + std::to_string(out));
  }
  if (q == Quantity::kParamDerivative) {
    throw Unsupported(std::string(activation(fn).name) + " has no parameter gradient");
  }
  if (has_nan(x) || (q == Quantity::kDerivative && has_nan(v))) return nan_row(result_length);
  switch (fn) {
    case Fn::softmax:
    case Fn::softmin: {
      const double sign = fn == Fn::softmin ? -1.0 : 1.0;
      std::optional<Row> s = softmax(sign * x);
      if (!s) return nan_row(result_length);
      return q == Quantity::kValue ? *s : softmax_vjp(x, *s, v, sign);
    }
    case Fn::log_softmax: {
      if (q == Quantity::kValue) {
        std::optional<Row> y = log_softmax(x);
        return y ? *y : nan_row(result_length);
      }
      // Jᵀv = v − softmax(x)·Σv.
      std::optional<Row> s = softmax(x);
      if (!s) return nan_row(result_length);
      R total(0.0);
      for (double vi : v) total = total + R(vi);
      const bool finite = v.allFinite();
      const ExactSums sums(x, finite ? v : Eigen::VectorXd::Zero(v.size()).eval());
      Row g(s->size());
      for (std::size_t i = 0; i < g.size(); ++i) {
        const bool zero = finite && sums.log_softmax_term_is_zero(x[i], v[i]);
        g[i] = zero ? R(0.0) : R(v[i]) - (*s)[i] * total;
      }
      return g;
    }
    case Fn::maxout: {
      const auto k = static_cast<Eigen::Index>(p[0]);
      Row y(result_length, R(0.0));
      for (Eigen::Index g = 0; g < out; ++g) {
        const Eigen::Index i = first_argmax(x, g * k, k);
        if (q == Quantity::kValue) {
          y[g] = R(x[i]);
        } else {
          y[i] = R(v[g]);
        }
      }
      return y;
    }
    case Fn::glu:
    case Fn::swiglu:
      return gated(fn, q, x, v, p);
    default:
      throw Unsupported(std::string(activation(fn).name) + " is not a vector entry");
  }
}

}  // namespace

Eigen::Index output_length(Fn fn, Eigen::Index n, const Params& p) {
  const Activation& a = activation(fn);
  if (is_elementwise(a.kind)) throw Unsupported(std::string(a.name) + " is not a vector entry");
  if (n <= 0) throw std::invalid_argument(std::string(a.name) + ": the row is empty");
  if (a.kind == Kind::kGated) {
    if (n % 2 != 0) {
      throw std::invalid_argument(std::string(a.name) + ": the row length " + std::to_string(n) +
                                  " is odd; it must split into halves [a, b]");
    }
    return n / 2;
  }
  if (fn == Fn::maxout) {
    const double k = p[0];
    if (!(k >= 1) || k != std::floor(k) || n % static_cast<Eigen::Index>(k) != 0) {
      throw std::invalid_argument("maxout: the row length " + std::to_string(n) +
                                  " is not a multiple of k = " + std::to_string(k));
    }
    return n / static_cast<Eigen::Index>(k);
  }
  return n;
}

std::vector<MpfrInterval> enclose_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                      const Eigen::VectorXd& v, const Params& p, mpfr_prec_t bits) {
  WorkingPrecision scope(bits);
  return compute(fn, q, x, v, p);
}

RealVector evaluate_row(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                        const Params& p, unsigned bits) {
  const Row row = enclose_row(fn, q, x, v, p, bits);
  RealVector r(static_cast<Eigen::Index>(row.size()));
  for (std::size_t i = 0; i < row.size(); ++i) r[i] = midpoint(row[i], bits);
  return r;
}

namespace {

// Ziv's strategy over a whole row: raise the working precision until every element's rounding
// to every grid is decided. Returns the roundings grid by grid.
template <std::size_t N>
std::array<Eigen::VectorXd, N> ziv_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                       const Eigen::VectorXd& v, const Params& p,
                                       const std::array<const FormatSpec*, N>& grids) {
  int precision = 0;
  for (const FormatSpec* g : grids) precision = std::max(precision, g->precision);
  for (mpfr_prec_t bits = 2 * precision + 64; bits <= kMaxWorkingBits; bits *= 2) {
    const Row row = enclose_row(fn, q, x, v, p, bits);
    std::array<Eigen::VectorXd, N> r;
    for (auto& grid_row : r) grid_row.resize(static_cast<Eigen::Index>(row.size()));
    bool decided = true;
    for (std::size_t i = 0; i < row.size() && decided; ++i) {
      if (row[i].has_nan() && !row[i].is_point()) {
        throw std::logic_error(std::string(activation(fn).name) + ": NaN enclosure");
      }
      for (std::size_t g = 0; g < N && decided; ++g) {
        std::optional<double> d = decide_rounding(row[i], *grids[g]);
        decided = d.has_value();
        if (decided) r[g][static_cast<Eigen::Index>(i)] = *d;
      }
    }
    if (decided) return r;
  }
  throw std::logic_error(std::string(activation(fn).name) + ": row rounding undecided at " +
                         std::to_string(kMaxWorkingBits) + " bits");
}

}  // namespace

Eigen::VectorXd correctly_rounded_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                      const Eigen::VectorXd& v, const Params& p, Format format) {
  return ziv_row<1>(fn, q, x, v, p, {&spec(format)})[0];
}

std::vector<Exact> exact_row(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                             const Params& p, Format format) {
  const auto [rounded, approx] = ziv_row<2>(fn, q, x, v, p, {&spec(format), &kMeasuringGrid});
  std::vector<Exact> r(static_cast<std::size_t>(rounded.size()));
  for (std::size_t i = 0; i < r.size(); ++i) {
    r[i] = {rounded[static_cast<Eigen::Index>(i)], approx[static_cast<Eigen::Index>(i)]};
  }
  return r;
}

}  // namespace actcheck::reference
