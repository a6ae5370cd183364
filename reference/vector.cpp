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

// The elements of a row to compute. The Ziv loop asks again, at a higher precision, only for those
// whose rounding is still open: the sums over the row are redone, the per-element work is not.
// The others are left as +0.
class Wanted {
 public:
  Wanted() = default;  // every element
  explicit Wanted(const std::vector<bool>& open) : open_(&open) {}
  bool operator()(Eigen::Index i) const {
    return open_ == nullptr || (*open_)[static_cast<std::size_t>(i)];
  }

 private:
  const std::vector<bool>* open_ = nullptr;
};

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
std::optional<Row> softmax(const Eigen::VectorXd& x, Wanted want = {}) {
  ShiftedExponentials e(x);
  if (e.limit == ShiftedExponentials::Limit::kNone) return std::nullopt;
  Row s(static_cast<std::size_t>(x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (!want(i)) continue;
    s[i] = e.limit == ShiftedExponentials::Limit::kOneHot ? R(x[i] == INFINITY ? 1.0 : 0.0)
                                                          : e.terms[i] / e.sum;
  }
  return s;
}

std::optional<Row> log_softmax(const Eigen::VectorXd& x, Wanted want) {
  ShiftedExponentials e(x);
  if (e.limit == ShiftedExponentials::Limit::kNone) return std::nullopt;
  const bool one_hot = e.limit == ShiftedExponentials::Limit::kOneHot;
  const R log_sum = one_hot ? R(0.0) : log(e.sum);  // in [0, log n]
  // With two or more finite entries the sum exceeds 1 and every output is < 0, even where
  // e^(xᵢ − m) fell below MPFR's range (log_softmax([1e30, 0])₀ = −log1p(e^-1e30)).
  const bool negative = (x.array() > -INFINITY).count() > 1;
  Row y(static_cast<std::size_t>(x.size()));
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (!want(i)) continue;
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

// The softmax-family VJPs. Write a₀ > a₁ > … for the distinct values among the finite entries of
// the row, nₖ for how many entries equal aₖ, Vₖ for the sum of their vⱼ, and S = Σⱼ e^(xⱼ − a₀).
// As written, the VJPs subtract numbers that agree to about e^(a₁ − a₀) (e^(−1e30) for the row
// [1e30, 0], far below MPFR's exponent range), so their enclosures straddled 0, or a rounding tie,
// at every precision. Regrouped, every cancellation happens between exact rationals:
//  - Exact zeros. (vᵢ − ⟨s, v⟩)·S = Σₖ cₖ·e^(aₖ − a₀) with cₖ = nₖ·vᵢ − Vₖ (softmax), and
//    (vᵢ − sᵢ·Σv)·S likewise with cₖ = nₖ·vᵢ − [aₖ = xᵢ]·Σv (log_softmax). By
//    Lindemann–Weierstrass, e^a for distinct algebraic a are linearly independent over the
//    algebraic numbers, so such a sum is 0 iff every cₖ is 0. No enclosure can prove a 0: these are
//    decided exactly, here.
//  - Results that tend to 0 (softmax below the maximum). With K the first group with c_K ≠ 0 (the
//    groups above it add exactly nothing), gᵢ = sᵢ·e^(a_K − a₀)·U/S, U = Σ_{k≥K} cₖ·e^(aₖ − a_K)
//    = c_K + smaller terms. The positive factors may underflow MPFR, but their enclosures then
//    start at +0, so the product keeps U's sign: a result below every format still rounds to the
//    right signed zero. (Not rational, gᵢ can be no tie.)
//  - Results that tend to a rational L as the lower groups' weights vanish: softmax at the maximum
//    (L = c₀/n₀², (v₀ − v₁)/4 for two equal maxima) and log_softmax (L = vᵢ − Σv/n₀ at the
//    maximum, vᵢ below it). L can be exactly a rounding tie, which only the sign of gᵢ − L decides.
//    So gᵢ = L + δ, with L exact (a point whenever it is dyadic) and δ in a form whose enclosure
//    has the right sign: an end of the sum then lies on the tie, and rounds inward
//    (decide_rounding). When L is exactly 0, δ alone: MPFR's +0 + (−0) = +0 would turn the end −0
//    of a negative δ below MPFR's range into +0.
class ExactSums {
 public:
  // Wide enough to add up to 2^20 doubles of any exponent without rounding.
  static constexpr mpfr_prec_t kBits = 2 * 1100 + 21;

  // Groups the finite entries of x by value, largest first; v must be finite.
  ExactSums(const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
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
    }
    for (double vj : v) total_ += vj;
  }

  std::size_t size() const { return groups_.size(); }
  double value(std::size_t k) const { return groups_[k].value; }  // aₖ
  long count(std::size_t k) const { return groups_[k].count; }    // nₖ

  // softmax: the first group k with nₖ·vᵢ ≠ Vₖ; none when vᵢ − ⟨s, v⟩ = 0 exactly.
  std::optional<std::size_t> softmax_leading_group(double vi) {
    Exact w(vi);
    return first_unlike(0, w, 1, leading_);
  }

  // softmax at the maximum: is c₀ = n₀·vᵢ − V₀ zero?
  bool top_coefficient_is_zero(double vi) const {
    return groups_[0].sum.equals_scaled(groups_[0].count, vi);
  }

  // softmax at the maximum: the first group k ≥ 1 with nₖ·μ ≠ Vₖ, where μ = (2V₀ − n₀·vᵢ)/n₀
  // (see softmax_vjp), tested as nₖ·(2V₀ − n₀·vᵢ) ≠ n₀·Vₖ.
  std::optional<std::size_t> top_tail_leading_group(double vi) {
    Exact w(groups_[0].sum);
    mpfr_mul_2ui(w.v, w.v, 1, MPFR_RNDN);
    Exact nv(vi);
    mpfr_mul_si(nv.v, nv.v, groups_[0].count, MPFR_RNDN);
    mpfr_sub(w.v, w.v, nv.v, MPFR_RNDN);
    return first_unlike(1, w, groups_[0].count, top_tail_);
  }

  // log_softmax at the maximum: is Σv = n₀·vᵢ (so that L = vᵢ − Σv/n₀ is 0)?
  bool total_is_top_count_times(double vi) const {
    return total_.equals_scaled(groups_[0].count, vi);
  }

  // Is vᵢ − softmax(x)ᵢ·Σv exactly 0? Σⱼ e^(xⱼ)·vᵢ − e^(xᵢ)·Σv: the group of xᵢ needs
  // |G|·vᵢ = Σv, every other group |G|·vᵢ = 0.
  bool log_softmax_term_is_zero(double xi, double vi) const {
    return std::all_of(groups_.begin(), groups_.end(), [&](const Group& g) {
      return g.value == xi ? total_.equals_scaled(g.count, vi) : vi == 0;
    });
  }
  // The same in the limit of a row with one +inf entry, which the groups (finite entries) leave
  // out: softmax is 1 there and 0 elsewhere, so the term is vᵢ − Σv at it, vᵢ elsewhere.
  bool one_hot_log_softmax_term_is_zero(bool at_infinity, double vi) const {
    return at_infinity ? total_.equals_scaled(1, vi) : vi == 0;
  }

 private:
  // A number at kWide bits: room for a group sum times a count (< 2^21) without rounding.
  static constexpr mpfr_prec_t kWide = kBits + 64;
  struct Exact {
    mpfr_t v;
    explicit Exact(double d) {
      mpfr_init2(v, kWide);
      mpfr_set_d(v, d, MPFR_RNDN);
    }
    explicit Exact(mpfr_srcptr x) {
      mpfr_init2(v, kWide);
      mpfr_set(v, x, MPFR_RNDN);
    }
    Exact(const Exact&) = delete;
    Exact& operator=(const Exact&) = delete;
    ~Exact() { mpfr_clear(v); }
  };

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
    operator mpfr_srcptr() const { return s_; }
    Sum& operator+=(double v) {
      mpfr_add_d(s_, s_, v, MPFR_RNDN);
      return *this;
    }
    // Is this sum exactly count·v?
    bool equals_scaled(long count, double v) const {
      Exact t(v);
      mpfr_mul_si(t.v, t.v, count, MPFR_RNDN);
      return mpfr_equal_p(t.v, s_);
    }

   private:
    mpfr_t s_;
  };
  struct Group {
    double value;
    long count = 0;
    Sum sum;
  };

  // The result of a scan past its first group, which only one w can need (see first_unlike).
  struct Memo {
    bool known = false;
    std::optional<std::size_t> k;
  };

  // Is nₖ·w ≠ d·Vₖ?
  bool unlike(std::size_t k, const Exact& w, long d) const {
    Exact lhs(w.v), rhs(groups_[k].sum);
    mpfr_mul_si(lhs.v, lhs.v, groups_[k].count, MPFR_RNDN);
    mpfr_mul_si(rhs.v, rhs.v, d, MPFR_RNDN);
    return !mpfr_equal_p(lhs.v, rhs.v);
  }

  // The first group k ≥ from with nₖ·w ≠ d·Vₖ. Past group `from` only w = d·V_from/n_from is left,
  // a single value: its scan is done once per row and kept, which keeps the cost linear when many
  // entries share it (v = ones).
  std::optional<std::size_t> first_unlike(std::size_t from, const Exact& w, long d,
                                          Memo& memo) const {
    if (from >= groups_.size()) return std::nullopt;
    if (unlike(from, w, d)) return from;
    if (!memo.known) {
      for (std::size_t k = from + 1; k < groups_.size() && !memo.k; ++k) {
        if (unlike(k, w, d)) memo.k = k;
      }
      memo.known = true;
    }
    return memo.k;
  }

  std::vector<Group> groups_;
  Sum total_;  // Σv
  Memo leading_, top_tail_;
};

// A_K = Σ_{k≥K} nₖ·e^(aₖ − a_K) and B_K = Σ_{k≥K} Vₖ·e^(aₖ − a_K), which softmax's U is made of.
// A_K ≥ n_K ≥ 1: its leading term cannot underflow. Each K costs O(n) and is kept; a row asks for
// few: K = 0, 1, and at most one more for the entries below the maximum (K > 0 needs vᵢ = V₀/n₀)
// and one for those at it (see ExactSums::top_tail_leading_group).
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
      // e^(xⱼ − a₀) is already known: K = 0 costs no new exponential.
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

// softmax's VJP gᵢ = sᵢ(vᵢ − ⟨s, v⟩), entry by entry, for a row with a finite maximum and finite v
// (see ExactSums). Each returns none when gᵢ is exactly 0.
class SoftmaxVjp {
 public:
  SoftmaxVjp(const Eigen::VectorXd& y, const Eigen::VectorXd& v, const ShiftedExponentials& e,
             ExactSums& groups)
      : v_(v),
        e_(e),
        groups_(groups),
        tails_(y, v, e, groups),
        a0_(e.max),
        n0_(static_cast<double>(groups.count(0))),
        s2_(e.sum * e.sum) {
    for (Eigen::Index j = 0; j < y.size(); ++j) {
      if (y[j] == e.max) v0_ = v0_ + R(v[j]);
    }
  }

  // gᵢ = sᵢ·e^(a_K − a₀)·(vᵢ·A_K − B_K)/S.
  std::optional<R> below_maximum(Eigen::Index i) {
    const std::optional<std::size_t> k = groups_.softmax_leading_group(v_[i]);
    if (!k) return std::nullopt;
    const TailSums::Sums& t = tails_.at(*k);
    return e_.terms[i] / e_.sum * exp(R(groups_.value(*k)) - a0_) * (R(v_[i]) * t.a - t.b) / e_.sum;
  }

  // Here sᵢ = 1/S. With ε_A = Σ_{k≥1} nₖ·e^(aₖ − a₀) = S − n₀, ε_B likewise with Vₖ, and
  // c₀ = n₀·vᵢ − V₀: gᵢ = (c₀ + vᵢ·ε_A − ε_B)/S², which tends to L = c₀/n₀², and
  //   δ = gᵢ − L = [μ·ε_A − ε_B − (c₀/n₀²)·ε_A²]/S²,  μ = (2V₀ − n₀·vᵢ)/n₀.
  // The first part is Σ_{k≥1} (nₖ·μ − Vₖ)·e^(aₖ − a₀) = e^(E₁)·(μ·A_K − B_K), E₁ = a_K − a₀, for
  // the first K whose coefficient is not 0; the second is −(c₀/n₀²)·A₁²·e^(E₂), E₂ = 2(a₁ − a₀).
  // Both may be far below MPFR's range, with opposite signs: factored by the larger e^E, their sum
  // is led by a coefficient that is not 0. Only if E₁ = E₂ and the two leading coefficients cancel
  // exactly (coincidences of the exponents and of the rationals at once) is the sign left to
  // smaller terms, which may straddle 0 below MPFR's range: the Ziv loop then gives up with an
  // error, never a wrong result.
  std::optional<R> at_maximum(Eigen::Index i) {
    const double vi = v_[i];
    const bool c0_zero = groups_.top_coefficient_is_zero(vi);
    const std::optional<std::size_t> k = groups_.top_tail_leading_group(vi);
    const R c0 = n0_ * R(vi) - v0_;
    std::optional<R> first, second;  // the bracketed parts, without their e^E
    if (k) {
      const TailSums::Sums& t = tails_.at(*k);
      first = (R(2.0) * v0_ - n0_ * R(vi)) / n0_ * t.a - t.b;
    }
    if (!c0_zero && groups_.size() > 1) {
      const R a1 = tails_.at(1).a;
      second = -(c0 / (n0_ * n0_)) * a1 * a1;
    }
    std::optional<R> delta;
    const auto e2 = [&] { return R(2.0) * (R(groups_.value(1)) - a0_); };
    if (first) {
      const R e1 = R(groups_.value(*k)) - a0_;
      if (!second) {
        delta = exp(e1) * *first;
      } else {
        const R e2_minus_e1 = e2() - e1;
        delta = mpfr_sgn(e2_minus_e1.lo()) > 0 ? exp(e2()) * (*second + *first * exp(-e2_minus_e1))
                                               : exp(e1) * (*first + *second * exp(e2_minus_e1));
      }
    } else if (second) {
      delta = exp(e2()) * *second;
    }
    if (delta) *delta = *delta / s2_;
    if (c0_zero) return delta;  // L = 0 (none: an exact zero)
    const R l = c0 / (n0_ * n0_);
    return delta ? l + *delta : l;
  }

 private:
  const Eigen::VectorXd& v_;
  const ShiftedExponentials& e_;
  ExactSums& groups_;
  TailSums tails_;
  R a0_, n0_, s2_;
  R v0_;  // V₀
};

// Jᵀv of softmax at y: sᵢ(vᵢ − ⟨s, v⟩), times `sign` (softmin is softmax of y = −x).
Row softmax_vjp(const Eigen::VectorXd& y, const Eigen::VectorXd& v, double sign, Wanted want) {
  const ShiftedExponentials e(y);
  if (e.limit == ShiftedExponentials::Limit::kNone) return nan_row(y.size());
  const bool finite = v.allFinite();
  ExactSums groups(y, finite ? v : Eigen::VectorXd::Zero(v.size()).eval());
  Row g(static_cast<std::size_t>(y.size()));
  if (e.limit == ShiftedExponentials::Limit::kOneHot || !finite) {
    // As written: exact for a one-hot row (every sᵢ is 0 or 1), and infinite v have no
    // cancellation to avoid (they give ±inf or NaN).
    const std::optional<Row> s = softmax(y);
    R dot(0.0);
    for (std::size_t i = 0; i < s->size(); ++i) dot = dot + (*s)[i] * R(v[i]);
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (!want(static_cast<Eigen::Index>(i))) continue;
      const bool zero = finite && !groups.softmax_leading_group(v[i]);
      g[i] = zero ? R(0.0) : R(sign) * (*s)[i] * (R(v[i]) - dot);
    }
    return g;
  }
  SoftmaxVjp vjp(y, v, e, groups);
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (!want(i)) continue;
    const std::optional<R> gi = y[i] == e.max ? vjp.at_maximum(i) : vjp.below_maximum(i);
    // An exact zero is +0 whatever the sign, as x − x is.
    g[static_cast<std::size_t>(i)] = !gi ? R(0.0) : sign < 0 ? -*gi : *gi;
  }
  return g;
}

// Jᵀv of log_softmax: vᵢ − sᵢ·Σv.
Row log_softmax_vjp(const Eigen::VectorXd& x, const Eigen::VectorXd& v, Wanted want) {
  const ShiftedExponentials e(x);
  if (e.limit == ShiftedExponentials::Limit::kNone) return nan_row(x.size());
  R total(0.0);
  for (double vi : v) total = total + R(vi);
  const bool finite = v.allFinite();
  const ExactSums groups(x, finite ? v : Eigen::VectorXd::Zero(v.size()).eval());
  Row g(static_cast<std::size_t>(x.size()));
  if (e.limit == ShiftedExponentials::Limit::kOneHot || !finite) {
    const std::optional<Row> s = softmax(x);  // as written, as in softmax_vjp
    for (std::size_t i = 0; i < g.size(); ++i) {
      if (!want(static_cast<Eigen::Index>(i))) continue;
      const bool zero =
          finite && (e.limit == ShiftedExponentials::Limit::kOneHot
                         ? groups.one_hot_log_softmax_term_is_zero(x[i] == INFINITY, v[i])
                         : groups.log_softmax_term_is_zero(x[i], v[i]));
      g[i] = zero ? R(0.0) : R(v[i]) - (*s)[i] * total;
    }
    return g;
  }
  // Below the maximum, L = vᵢ and δ = −sᵢ·Σv, with sᵢ ≥ +0. At it, sᵢ = 1/S with S = n₀ + ε_A, so
  // L = vᵢ − Σv/n₀ and δ = Σv·ε_A/(n₀·S) (ε_A = Σ_{xⱼ < a₀} e^(xⱼ − a₀) summed apart, as S − n₀
  // would cancel).
  const R n0(static_cast<double>(groups.count(0)));
  R eps;
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    if (x[j] < e.max) eps = eps + e.terms[j];
  }
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (!want(i)) continue;
    if (groups.log_softmax_term_is_zero(x[i], v[i])) {
      g[i] = R(0.0);
    } else if (x[i] == e.max) {
      const R delta = total * eps / (n0 * e.sum);
      g[i] = groups.total_is_top_count_times(v[i]) ? delta : (R(v[i]) - total / n0) + delta;
    } else {
      const R delta = -(e.terms[i] / e.sum * total);
      g[i] = v[i] == 0 ? delta : R(v[i]) + delta;
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

// swiglu's ∂/∂a, v·b·silu′(a), for a finite a > 0 and finite b, v. silu′(a) tends to 1 from above
// as a grows, so v·b·silu′(a) tends to v·b, a product of two values of the format that is often
// exactly a rounding tie (9 significant bits in bfloat16, 41 on the measuring grid). Which way it
// rounds then depends on the sign of silu′(a) − 1 ≈ (a − 1)·e^(−a), which for a ≳ 45,000 is
// beyond kMaxWorkingBits and for a ≳ 3·10^18 below MPFR's exponent range: the enclosure of silu′(a)
// as σ(a)·(1 + a·σ(−a)) straddles 1 at every precision, and the row stays undecided. Written as
//   v·b·silu′(a) = v·b + v·b·δ,  δ = silu′(a) − 1 = σ(−a)·(a·σ(a) − 1),
// v·b is an exact point and δ's enclosure has its sign (σ(−a) ≥ +0 even when it underflows), so an
// end of the sum lies on the tie and rounds inward (decide_rounding). For a in (0, 1.28) δ < 0,
// with no cancellation either: |δ| ≤ 1/2. (The other products, v·silu(a) and b·silu(a), tend to
// their limit from one side only: σ(a)'s enclosure then ends exactly at 1, on the tie.)
R swiglu_d_inner(double a, double b, double v) {
  const Logistic<R> s = logistic(R(a), false);
  const R delta = s.q() * (R(a) * s.p() - R(1.0));
  const R vb = R(v) * R(b);
  return vb + vb * delta;
}

Row gated(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v, const Params& p,
          Wanted want) {
  const Eigen::Index h = x.size() / 2;
  Row y(q == Quantity::kValue ? h : 2 * h);
  for (Eigen::Index i = 0; i < h; ++i) {
    if (!want(i) && (q == Quantity::kValue || !want(h + i))) continue;
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
    const R d_other = R(v[i]) * g;  // ∂/∂other
    // v·b = 0 stays a product, which gives the zero IEEE's sign (vb + vb·δ could make it the
    // enclosure [−0, +0], which rounds to neither zero).
    const bool tie_prone = fn == Fn::swiglu && a > 0 && std::isfinite(a) && std::isfinite(b) &&
                           std::isfinite(v[i]) && b != 0 && v[i] != 0;
    const R d_inner = tie_prone
                          ? swiglu_d_inner(a, b, v[i])
                          : R(v[i]) * other * enclose(inner, Quantity::kDerivative, u, p, bits);
    y[i] = fn == Fn::glu ? d_other : d_inner;
    y[h + i] = fn == Fn::glu ? d_inner : d_other;
  }
  return y;
}

Row compute(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v, const Params& p,
            Wanted want) {
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
      if (q == Quantity::kDerivative) return softmax_vjp(sign * x, v, sign, want);
      std::optional<Row> s = softmax(sign * x, want);
      return s ? *s : nan_row(result_length);
    }
    case Fn::log_softmax: {
      if (q == Quantity::kDerivative) return log_softmax_vjp(x, v, want);
      std::optional<Row> y = log_softmax(x, want);
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
      return gated(fn, q, x, v, p, want);
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
  return compute(fn, q, x, v, p, Wanted());
}

RealVector evaluate_row(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                        const Params& p, unsigned bits) {
  const Row row = enclose_row(fn, q, x, v, p, bits);
  RealVector r(static_cast<Eigen::Index>(row.size()));
  for (std::size_t i = 0; i < row.size(); ++i) r[i] = midpoint(row[i], bits);
  return r;
}

namespace {

// ---- The fast tier: the rows' formulas in DoubleInterval arithmetic, as written (no exact limits,
// no exact zeros), for rows whose entries and upstream gradients are all finite. An element it
// decides has the rounding of its exact value, which is what the MPFR tier gives; the others, and
// every element that may be exactly 0 (whose sign is a convention there: +0 for the softmax
// family's exact zeros, IEEE's product sign for glu and swiglu), are left to MPFR.

using D = DoubleInterval;

struct FastElement {
  D e;
  bool nonzero = false;  // the exact value is known not to be 0, so a bound at ±0 gives its sign
};

// Σ t[begin, end) pairwise: each addition widens by about two ulps of its partial sum, so the
// relative width of the sum grows with log₂ n rather than n (a 4096-term sum widened one addition
// at a time would be as wide as the measuring grid's spacing).
D pairwise_sum(const std::vector<D>& t, std::size_t begin, std::size_t end) {
  if (end - begin == 1) return t[begin];
  if (end == begin) return D(0.0);
  const std::size_t mid = begin + (end - begin) / 2;
  return pairwise_sum(t, begin, mid) + pairwise_sum(t, mid, end);
}
D pairwise_sum(const std::vector<D>& t) { return pairwise_sum(t, 0, t.size()); }

bool strictly_signed(const D& e) { return e.lo() > 0 || e.hi() < 0; }

// The rounding of a fast enclosure into `grid`, when its sign is certain and its ends round alike.
std::optional<double> fast_decide(const FastElement& f, const FormatSpec& grid) {
  const D& e = f.e;
  if (e.has_nan()) return std::nullopt;
  const bool nonnegative = e.lo() >= 0 && !std::signbit(e.lo());
  const bool nonpositive = e.hi() <= 0 && std::signbit(e.hi());
  if (!strictly_signed(e) && !(f.nonzero && (nonnegative || nonpositive))) return std::nullopt;
  return decide_rounding(e, grid);
}

// softmax of y: e^(yᵢ − max y)/Σⱼ e^(yⱼ − max y).
std::vector<D> fast_softmax(const Eigen::VectorXd& y, D* sum = nullptr) {
  const D max(y.maxCoeff());
  std::vector<D> t(static_cast<std::size_t>(y.size()));
  for (Eigen::Index j = 0; j < y.size(); ++j) t[j] = exp(D(y[j]) - max);
  const D s = pairwise_sum(t);
  for (D& tj : t) tj = tj / s;
  if (sum) *sum = s;
  return t;
}

std::optional<std::vector<FastElement>> fast_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                                 const Eigen::VectorXd& v, const Params& p) {
  if (!x.allFinite() || (q == Quantity::kDerivative && !v.allFinite())) return std::nullopt;
  const bool backward = q == Quantity::kDerivative;
  std::vector<FastElement> out;
  switch (fn) {
    case Fn::softmax:
    case Fn::softmin: {
      const double sign = fn == Fn::softmin ? -1.0 : 1.0;
      const std::vector<D> s = fast_softmax(sign * x);
      if (!backward) {
        for (const D& si : s) out.push_back({si, true});  // e^t/S > 0
        return out;
      }
      std::vector<D> sv(s.size());
      for (std::size_t j = 0; j < s.size(); ++j) sv[j] = s[j] * D(v[static_cast<Eigen::Index>(j)]);
      const D dot = pairwise_sum(sv);
      for (std::size_t i = 0; i < s.size(); ++i) {
        const D d = D(v[static_cast<Eigen::Index>(i)]) - dot;
        const D g = s[i] * d;
        out.push_back({sign < 0 ? -g : g, strictly_signed(d)});
      }
      return out;
    }
    case Fn::log_softmax: {
      D sum;
      const std::vector<D> s = fast_softmax(x, &sum);
      if (!backward) {
        const D max(x.maxCoeff()), log_sum = log(sum);
        for (Eigen::Index i = 0; i < x.size(); ++i) {
          out.push_back({(D(x[i]) - max) - log_sum, false});
        }
        return out;
      }
      std::vector<D> vs(static_cast<std::size_t>(v.size()));
      for (Eigen::Index j = 0; j < v.size(); ++j) vs[j] = D(v[j]);
      const D total = pairwise_sum(vs);
      for (std::size_t i = 0; i < s.size(); ++i) {
        const D delta = -(s[i] * total);
        // With vᵢ = 0 the result is −sᵢ·Σv, which Σv ≠ 0 keeps from 0 even where sᵢ underflows.
        out.push_back(v[static_cast<Eigen::Index>(i)] == 0
                          ? FastElement{delta, strictly_signed(total)}
                          : FastElement{vs[i] + delta, false});
      }
      return out;
    }
    case Fn::glu:
    case Fn::swiglu: {
      const Eigen::Index h = x.size() / 2;
      const bool glu = fn == Fn::glu;
      const Fn inner = glu ? Fn::sigmoid : Fn::silu;
      out.resize(static_cast<std::size_t>(backward ? 2 * h : h));
      for (Eigen::Index i = 0; i < h; ++i) {
        const double a = x[i], b = x[h + i];
        const double u = glu ? b : a, other = glu ? a : b;
        // σ(b) > 0 and σ′(b) > 0; silu(a) is 0 only at a = 0 (silu′(a) is never 0 at a double,
        // but its enclosure may straddle 0: no claim).
        const bool g_nonzero = glu || a != 0;
        const D g = fast_enclose(inner, Quantity::kValue, u, p);
        if (!backward) {
          out[i] = {D(other) * g, g_nonzero && other != 0};
          continue;
        }
        const FastElement d_other{D(v[i]) * g, g_nonzero && v[i] != 0};
        const FastElement d_inner{D(v[i]) * D(other) * fast_enclose(inner, q, u, p),
                                  glu && v[i] != 0 && other != 0};
        out[i] = glu ? d_other : d_inner;
        out[h + i] = glu ? d_inner : d_other;
      }
      return out;
    }
    default:
      return std::nullopt;  // maxout: exact, points only in MPFR too
  }
}

// Ziv's strategy over a row: the fast tier first (kFastThenMpfr), then the working precision
// rises until every element's rounding to every grid is decided; each round computes only the
// elements still open. Returns the roundings grid by grid.
template <std::size_t N>
std::array<Eigen::VectorXd, N> ziv_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                       const Eigen::VectorXd& v, const Params& p,
                                       const std::array<const FormatSpec*, N>& grids, Tier tier) {
  const auto length =
      static_cast<std::size_t>(q == Quantity::kValue ? output_length(fn, x.size(), p) : x.size());
  std::array<Eigen::VectorXd, N> r;
  for (auto& grid_row : r) grid_row.resize(static_cast<Eigen::Index>(length));
  std::vector<bool> open(length, true);
  std::size_t left = length;
  // Closes element i when `decide` rounds it on every grid; leaves it open otherwise.
  const auto settle = [&](std::size_t i, const auto& decide) {
    std::array<double, N> d;
    for (std::size_t g = 0; g < N; ++g) {
      const std::optional<double> di = decide(*grids[g]);
      if (!di) return;
      d[g] = *di;
    }
    for (std::size_t g = 0; g < N; ++g) r[g][static_cast<Eigen::Index>(i)] = d[g];
    open[i] = false;
    --left;
  };
  if (tier == Tier::kFastThenMpfr) {
    if (const std::optional<std::vector<FastElement>> fast = fast_row(fn, q, x, v, p)) {
      for (std::size_t i = 0; i < length; ++i) {
        settle(i, [&](const FormatSpec& grid) { return fast_decide((*fast)[i], grid); });
      }
    }
  }
  int precision = 0;
  for (const FormatSpec* g : grids) precision = std::max(precision, g->precision);
  for (mpfr_prec_t bits = 2 * precision + 64; left > 0 && bits <= kMaxWorkingBits; bits *= 2) {
    WorkingPrecision scope(bits);
    const Row row = compute(fn, q, x, v, p, Wanted(open));
    for (std::size_t i = 0; i < length; ++i) {
      if (!open[i]) continue;
      if (row[i].has_nan() && !row[i].is_point()) {
        throw std::logic_error(std::string(activation(fn).name) + ": NaN enclosure");
      }
      settle(i, [&](const FormatSpec& grid) { return decide_rounding(row[i], grid); });
    }
  }
  if (left == 0) return r;
  throw std::logic_error(std::string(activation(fn).name) + ": row rounding undecided at " +
                         std::to_string(kMaxWorkingBits) + " bits");
}

}  // namespace

Eigen::VectorXd correctly_rounded_row(Fn fn, Quantity q, const Eigen::VectorXd& x,
                                      const Eigen::VectorXd& v, const Params& p, Format format) {
  return ziv_row<1>(fn, q, x, v, p, {&spec(format)}, Tier::kMpfrOnly)[0];
}

std::vector<Exact> exact_row(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                             const Params& p, Format format, Tier tier) {
  const auto [rounded, approx] =
      ziv_row<2>(fn, q, x, v, p, {&spec(format), &measuring_grid(format)}, tier);
  std::vector<Exact> r(static_cast<std::size_t>(rounded.size()));
  for (std::size_t i = 0; i < r.size(); ++i) {
    r[i] = {rounded[static_cast<Eigen::Index>(i)], approx[static_cast<Eigen::Index>(i)]};
  }
  return r;
}

}  // namespace actcheck::reference
