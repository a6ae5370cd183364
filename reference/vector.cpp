#include "reference/vector.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
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

// The softmax-family VJPs, grouped by value. Write a₀ > a₁ > … for the distinct values among the
// finite entries of the row (a₀ its maximum), nₖ for how many entries equal aₖ and Vₖ for the sum
// of their vⱼ. Multiplied by Σⱼ e^(xⱼ), the factors that cancel become sums with rational cₖ:
//   softmax:      (vᵢ − ⟨s, v⟩)·Σⱼ e^(xⱼ)  = Σₖ cₖ·e^(aₖ),  cₖ = nₖ·vᵢ − Vₖ;
//   log_softmax:  (vᵢ − sᵢ·Σv)·Σⱼ e^(xⱼ) = Σₖ cₖ·e^(aₖ),  cₖ = nₖ·vᵢ − [aₖ = xᵢ]·Σv.
// By Lindemann–Weierstrass, e^a for distinct algebraic a are linearly independent over the
// algebraic numbers, so such a sum is exactly 0 iff every cₖ is 0. Those exact zeros are decided
// here (with exact sums of doubles in MPFR): no enclosure can prove a result is 0, so the Ziv loop
// would never end on them. Otherwise let K be the first group with c_K ≠ 0 (the leading group):
// the groups above it add exactly nothing, and the sum is e^(a_K)·U with
//   U = Σ_{k≥K} cₖ·e^(aₖ − a_K) = c_K + (terms that shrink with a_K − aₖ),
// whose sign a modest precision decides. Subtracting vᵢ − ⟨s, v⟩ as written instead cancels
// everything down to e^(a_K − a₀), which for the row [1e30, 0] is e^(−1e30), below MPFR's range:
// its enclosure straddled 0 at every precision.
class ExactSums {
 public:
  // Wide enough to add up to 2^20 doubles of any exponent without rounding.
  static constexpr mpfr_prec_t kBits = 2 * 1100 + 21;

  // Groups the finite entries of x by value, largest first; v must be finite.
  ExactSums(const Eigen::VectorXd& x, const Eigen::VectorXd& v)
      : group_of_(static_cast<std::size_t>(x.size()), -1) {
    std::vector<Eigen::Index> order;
    for (Eigen::Index j = 0; j < x.size(); ++j) {
      if (std::isfinite(x[j])) order.push_back(j);
    }
    std::sort(order.begin(), order.end(),
              [&](Eigen::Index a, Eigen::Index b) { return x[a] > x[b]; });
    for (Eigen::Index j : order) {
      if (groups_.empty() || groups_.back().value != x[j]) groups_.push_back(Group{x[j], 0, Sum()});
      groups_.back().count += 1;
      groups_.back().sum += v[j];
      group_of_[static_cast<std::size_t>(j)] = static_cast<std::ptrdiff_t>(groups_.size()) - 1;
    }
    for (double vj : v) total_ += vj;
  }

  // aₖ.
  double value(std::size_t k) const { return groups_[k].value; }
  // The group of entry j, or −1 for a non-finite xⱼ.
  std::ptrdiff_t group_of(Eigen::Index j) const { return group_of_[static_cast<std::size_t>(j)]; }

  // softmax's leading group for vᵢ: the first k with nₖ·vᵢ ≠ Vₖ; none when vᵢ − ⟨s, v⟩ = 0.
  std::optional<std::size_t> softmax_leading_group(double vi) {
    if (groups_.empty()) return std::nullopt;
    if (!groups_[0].sum.equals_scaled(groups_[0].count, vi)) return 0;
    // Past group 0 only vᵢ = V₀/n₀ is left, one value: its scan is done once per row, which keeps
    // the cost linear when many vᵢ share it (v = ones).
    if (!past_first_known_) {
      past_first_ = std::nullopt;
      for (std::size_t k = 1; k < groups_.size() && !past_first_; ++k) {
        if (!groups_[k].sum.equals_scaled(groups_[k].count, vi)) past_first_ = k;
      }
      past_first_known_ = true;
    }
    return past_first_;
  }

  // log_softmax's leading group for entry i (in group gi, −1 if xᵢ = ±inf); none when
  // vᵢ − sᵢ·Σv = 0. Every group but gi has cₖ = nₖ·vᵢ, so the first one already decides.
  std::optional<std::size_t> log_softmax_leading_group(std::ptrdiff_t gi, double vi) const {
    if (vi == 0) {  // only c_gi = −Σv is left
      if (gi < 0 || total_.equals_scaled(1, 0)) return std::nullopt;
      return static_cast<std::size_t>(gi);
    }
    if (groups_.empty()) return std::nullopt;
    if (gi != 0 || !total_.equals_scaled(groups_[0].count, vi)) return 0;
    if (groups_.size() > 1) return 1;
    return std::nullopt;
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
  std::vector<std::ptrdiff_t> group_of_;
  Sum total_;  // Σv
  bool past_first_known_ = false;
  std::optional<std::size_t> past_first_;
};

// A_K = Σ_{k≥K} nₖ·e^(aₖ − a_K) and B_K = Σ_{k≥K} Vₖ·e^(aₖ − a_K), the sums U is made of
// (U = vᵢ·A_K − B_K for softmax). A_K ≥ n_K ≥ 1: its leading term cannot underflow. Each K costs
// O(n) and is kept; a row asks for few: K = 0 and, for softmax, the one K of vᵢ = V₀/n₀; for
// log_softmax K = 1 (and K = xᵢ's group for vᵢ = 0, where A_K is not needed).
class TailSums {
 public:
  struct Sums {
    R a;
    R b;
  };

  TailSums(const Eigen::VectorXd& x, const Eigen::VectorXd& v, const ShiftedExponentials& e,
           const ExactSums& groups)
      : x_(x), v_(v), e_(e), groups_(groups) {}

  const Sums& at(std::size_t k) {
    auto it = cache_.find(k);
    if (it != cache_.end()) return it->second;
    Sums r;
    const double ak = groups_.value(k);
    for (Eigen::Index j = 0; j < x_.size(); ++j) {
      if (x_[j] > ak || x_[j] == -INFINITY) continue;  // above group k, or weighing 0
      // e^(xⱼ − a₀) is already known: K = 0, the common case, costs no new exponential.
      const R t = k == 0 ? e_.terms[j] : exp(R(x_[j]) - R(ak));
      r.a = r.a + t;
      r.b = r.b + R(v_[j]) * t;
    }
    return cache_.emplace(k, std::move(r)).first->second;
  }

 private:
  const Eigen::VectorXd& x_;
  const Eigen::VectorXd& v_;
  const ShiftedExponentials& e_;
  const ExactSums& groups_;
  std::map<std::size_t, Sums> cache_;
};

// Jᵀv of softmax at y: sᵢ(vᵢ − ⟨s, v⟩), times `sign` (softmin is softmax of y = −x).
Row softmax_vjp(const Eigen::VectorXd& y, const Eigen::VectorXd& v, double sign) {
  const ShiftedExponentials e(y);
  if (e.limit == ShiftedExponentials::Limit::kNone) return nan_row(y.size());
  const bool finite = v.allFinite();
  ExactSums groups(y, finite ? v : Eigen::VectorXd::Zero(v.size()).eval());
  Row g(static_cast<std::size_t>(y.size()));
  if (e.limit == ShiftedExponentials::Limit::kOneHot || !finite) {
    // As written: exact for a one-hot row (every sᵢ is 0 or 1), and infinite v have no cancellation
    // to avoid (they give ±inf or NaN).
    const std::optional<Row> s = softmax(y);
    R dot(0.0);
    for (std::size_t i = 0; i < s->size(); ++i) dot = dot + (*s)[i] * R(v[i]);
    for (std::size_t i = 0; i < g.size(); ++i) {
      const bool zero = finite && !groups.softmax_leading_group(v[i]);
      g[i] = zero ? R(0.0) : R(sign) * (*s)[i] * (R(v[i]) - dot);
    }
    return g;
  }
  // sᵢ(vᵢ − ⟨s, v⟩) = sᵢ·e^(a_K)·U / Σⱼ e^(yⱼ) = sᵢ·e^(a_K − a₀)·U / S, with S = Σⱼ e^(yⱼ − a₀).
  // The positive factors may underflow MPFR, but their enclosures then start at +0, so the ends of
  // the product keep U's sign: a result below every format still rounds to the right signed zero.
  // A −inf entry (sᵢ = +0) gets +0·(vᵢ − ⟨s, v⟩), the sign of the limit as yᵢ → −inf.
  TailSums tails(y, v, e, groups);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    const std::optional<std::size_t> k = groups.softmax_leading_group(v[i]);
    if (!k) {
      g[i] = R(0.0);
      continue;
    }
    const TailSums::Sums& t = tails.at(*k);
    const R u = R(v[i]) * t.a - t.b;
    const R s = e.terms[i] / e.sum;
    g[i] = R(sign) * (s * exp(R(groups.value(*k)) - R(e.max)) * u / e.sum);
  }
  return g;
}

// Jᵀv of log_softmax: vᵢ − sᵢ·Σv.
Row log_softmax_vjp(const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  const ShiftedExponentials e(x);
  if (e.limit == ShiftedExponentials::Limit::kNone) return nan_row(x.size());
  R total(0.0);
  for (double vi : v) total = total + R(vi);
  const bool finite = v.allFinite();
  const ExactSums groups(x, finite ? v : Eigen::VectorXd::Zero(v.size()).eval());
  Row g(static_cast<std::size_t>(x.size()));
  if (e.limit == ShiftedExponentials::Limit::kOneHot || !finite) {
    const std::optional<Row> s = softmax(x);  // as written, as for softmax_vjp
    for (std::size_t i = 0; i < g.size(); ++i) {
      const auto gi = groups.group_of(static_cast<Eigen::Index>(i));
      const bool zero = finite && !groups.log_softmax_leading_group(gi, v[i]);
      g[i] = zero ? R(0.0) : R(v[i]) - (*s)[i] * total;
    }
    return g;
  }
  // vᵢ − sᵢ·Σv = e^(a_K − a₀)·U / S (as in softmax_vjp), with
  //   U = vᵢ·A_K − [xᵢ in a group ≥ K]·Σv·e^(xᵢ − a_K).
  TailSums tails(x, v, e, groups);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const std::ptrdiff_t gi = groups.group_of(i);
    const std::optional<std::size_t> k = groups.log_softmax_leading_group(gi, v[i]);
    if (!k) {
      g[i] = R(0.0);
    } else if (gi < 0) {
      g[i] = R(v[i]);  // xᵢ = −inf weighs exactly 0
    } else {
      // vᵢ = 0 drops the first term, and K is then xᵢ's own group, one per distinct xᵢ: A_K is not
      // computed for it, which would cost O(n) each.
      R u = v[i] == 0 ? R(0.0) : R(v[i]) * tails.at(*k).a;
      if (static_cast<std::size_t>(gi) >= *k) {
        u = u - total * (*k == 0 ? e.terms[i] : exp(R(x[i]) - R(groups.value(*k))));
      }
      g[i] = exp(R(groups.value(*k)) - R(e.max)) * u / e.sum;
    }
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
      if (q == Quantity::kDerivative) return softmax_vjp(sign * x, v, sign);
      std::optional<Row> s = softmax(sign * x);
      return s ? *s : nan_row(result_length);
    }
    case Fn::log_softmax: {
      if (q == Quantity::kDerivative) return log_softmax_vjp(x, v);
      std::optional<Row> y = log_softmax(x);
      return y ? *y : nan_row(result_length);
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
