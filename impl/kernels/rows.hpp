// The row kernels: softmax, log_softmax and softmin (forward and vector-Jacobian product), maxout,
// glu and swiglu, on float32, float16 and bfloat16 rows.
//
// Like the elementwise kernels, every result is computed in double from math.hpp's building
// blocks and rounded once into the storage format (narrow<T>); a row's sums and maximum are
// scalars, and a pass that needs a term again recomputes it from x, so no call allocates. Sums run
// in kLanes interleaved double-double accumulators combined in a fixed order: every instruction
// set adds the same numbers in the same order and gives the same bits.
//
// Row conventions (reference/vector.hpp): a NaN anywhere in the row, in x or in dy, makes the
// whole output row NaN. Softmax family: −inf entries weigh exactly 0; one +inf takes all the
// weight (one-hot); two or more +inf, or only −inf, have no limit: NaN. An exactly zero VJP
// element is +0 (as x − x is), whatever softmin's sign. glu and swiglu are elementwise in the
// pairs (aᵢ, bᵢ) of the halves x = [a, b]; ∞·0 there is NaN. maxout copies the first maximum of
// each group of k and sends the gradient to it.
//
// Measured with
//   actcheck sweep --backend actcheck --function F --format f32|f16|bf16 --pass both
//     --inputs sample:2000   (the 14 adversarial rows, then 2000 random rows of lengths 1 to 4096
//                             and scales 2^-10 to the format's largest: about 10^6 elements)
//   actcheck sweep ... --inputs special   (the adversarial rows alone)
// and the same over --seed 1, 2, 3 with sample:3000. "≤ a / b ULP" below is the maximum over all
// of them (forward / backward); "correctly rounded" means every element, signed zeros included.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "impl/kernels/hyperbolic.hpp"
#include "impl/kernels/logistic.hpp"
#include "impl/kernels/storage.hpp"
#include "impl/kernels/table.hpp"

namespace actcheck::impl::ACTCHECK_ISA {

// ---- Sums over a row, the same bits on every instruction set ------------------------------------

inline constexpr std::size_t kLanes = 8;

// Calls f(lane, i) for i = 0 … n − 1, element i in lane i mod kLanes: whole blocks of kLanes
// elements as one vectorisable loop, then the tail, each element in the lane a whole block would
// have given it. What each lane computes, and in which order, depends on n alone.
template <class F>
ACTCHECK_ALWAYS_INLINE void for_lanes(std::size_t n, F f) {
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
#pragma omp simd
    for (std::size_t lane = 0; lane < kLanes; ++lane) f(lane, i + lane);
  }
  for (std::size_t lane = 0; i + lane < n; ++lane) f(lane, i + lane);
}

// A sum of double-double terms in kLanes accumulators: hi by TwoSum, its errors and the terms' lo
// parts added into lo. For n terms of one sign the relative error of the total is below about
// (n/kLanes)²·2^-106 (2^-88 for n = 4096); with both signs, relative to Σ|terms|.
struct LaneSum {
  double hi[kLanes] = {};
  double lo[kLanes] = {};

  ACTCHECK_ALWAYS_INLINE void add(std::size_t lane, double term_hi, double term_lo = 0.0) {
    const DoubleDouble s = two_sum(hi[lane], term_hi);
    hi[lane] = s.hi;
    lo[lane] += s.lo + term_lo;
  }
  // The lanes added in lane order; hi is the sum rounded to double, lo what it leaves.
  ACTCHECK_ALWAYS_INLINE DoubleDouble total() const {
    double h = 0, l = 0;
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      const DoubleDouble s = two_sum(h, hi[lane]);
      h = s.hi;
      l += s.lo + lo[lane];
    }
    return two_sum(h, l);
  }
};

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <class T>
ACTCHECK_ALWAYS_INLINE void fill(T* out, std::size_t n, double value) {
  const T v = narrow<T>(value);
  for (std::size_t i = 0; i < n; ++i) out[i] = v;
}

template <class T>
ACTCHECK_ALWAYS_INLINE bool has_nan(const T* x, std::size_t n) {
  std::uint64_t nan[kLanes] = {};
  for_lanes(n, [&](std::size_t lane, std::size_t i) {
    const double v = widen(x[i]);
    nan[lane] += v != v;
  });
  std::uint64_t total = 0;
  for (std::uint64_t c : nan) total += c;
  return total != 0;
}

// ---- The softmax family -------------------------------------------------------------------------

// What a first pass finds in a row y = sign·x: its largest value m₁ and the largest value m₂ below
// it, the entries at +inf and above −inf, and NaN; whether dy (backward) has NaN or ±inf.
struct RowScan {
  enum class Limit { kNan, kOneHot, kFinite };
  Limit limit = Limit::kNan;  // kNan: NaN in x or dy, two or more +inf, or only −inf
  double max = -HUGE_VAL;     // m₁, finite for kFinite
  double second = -HUGE_VAL;  // m₂ < m₁, −inf when no finite entry is below m₁
  bool dy_finite = true;
};

template <int kSign>
ACTCHECK_ALWAYS_INLINE double signed_value(double x) {
  return kSign > 0 ? x : -x;
}

// The two largest distinct values seen, y entering them (NaN changes nothing; −0 and +0 are one
// value): the same pair whatever the order.
ACTCHECK_ALWAYS_INLINE void keep_two_largest(double y, double& first, double& second) {
  const bool above = y > first;
  second = above ? first : (y < first && y > second ? y : second);
  first = above ? y : first;
}

template <int kSign, class T>
ACTCHECK_ALWAYS_INLINE RowScan scan_row(const T* x, const T* dy, std::size_t n) {
  double first[kLanes], second[kLanes];
  std::uint64_t plus_inf[kLanes] = {}, above_minus_inf[kLanes] = {}, nan[kLanes] = {};
  std::uint64_t dy_nan[kLanes] = {}, dy_inf[kLanes] = {};
  for (std::size_t lane = 0; lane < kLanes; ++lane) first[lane] = second[lane] = -HUGE_VAL;
  for_lanes(n, [&](std::size_t lane, std::size_t i) {
    const double y = signed_value<kSign>(widen(x[i]));
    keep_two_largest(y, first[lane], second[lane]);
    plus_inf[lane] += y == HUGE_VAL;
    above_minus_inf[lane] += y > -HUGE_VAL;
    nan[lane] += y != y;
    if (dy != nullptr) {
      const double v = widen(dy[i]);
      dy_nan[lane] += v != v;
      dy_inf[lane] += abs(v) == HUGE_VAL;
    }
  });
  RowScan s;
  std::uint64_t plus = 0, above = 0, nans = 0, infs = 0;
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    keep_two_largest(first[lane], s.max, s.second);
    keep_two_largest(second[lane], s.max, s.second);
    plus += plus_inf[lane];
    above += above_minus_inf[lane];
    nans += nan[lane] + dy_nan[lane];
    infs += dy_inf[lane];
  }
  s.dy_finite = infs == 0;
  if (nans == 0 && plus <= 1 && above > 0) {
    s.limit = plus == 1 ? RowScan::Limit::kOneHot : RowScan::Limit::kFinite;
  }
  return s;
}

// Stands in for e^(y − m) where that is below e^-708 ≈ 2^-1021.4, the exp's range: positive, as
// the exact term is, and below every term the exp gives, so that the sums keep their order and
// the results that round to zero keep their sign (log_softmax's −0 at the maximum of [1e30, 0]).
inline constexpr double kTinyTerm = 0x1p-1022;

// e^(y − m) for y ≤ m, m finite: y − m = d + d_lo exactly (TwoSum; y − m is inexact only when x
// spans more than 29 binades), e^d·(1 + d_lo) with math.hpp's exp (relative error below 2^-50);
// 1 at y = m; exactly 0 at y = −inf; kTinyTerm below e^-708.
ACTCHECK_ALWAYS_INLINE double shifted_exp(double y, double m) {
  const DoubleDouble d = two_sum(y, -m);
  const double e = exp(d.hi);
  const double term = std::fma(e, d.lo, e);
  return d.hi >= -708 ? term : (y > -HUGE_VAL ? kTinyTerm : 0.0);
}

// softmax(sign·x): sᵢ = eᵢ/Z, eᵢ = e^(yᵢ − m₁), Z = Σ eⱼ ∈ [1, n] summed as a double-double.
// Relative error of sᵢ below 2^-49 (eᵢ, Z and the division).
template <int kSign, class T>
[[gnu::flatten]] void softmax_forward(std::size_t n, const T* x, T* y) {
  const RowScan s = scan_row<kSign>(x, static_cast<const T*>(nullptr), n);
  if (s.limit == RowScan::Limit::kNan) return fill(y, n, kNaN);
  if (s.limit == RowScan::Limit::kOneHot) {
    for (std::size_t i = 0; i < n; ++i) {
      y[i] = narrow<T>(signed_value<kSign>(widen(x[i])) == HUGE_VAL ? 1.0 : 0.0);
    }
    return;
  }
  LaneSum z;
  for_lanes(n, [&](std::size_t lane, std::size_t i) {
    z.add(lane, shifted_exp(signed_value<kSign>(widen(x[i])), s.max));
  });
  const double sum = z.total().hi;
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = narrow<T>(shifted_exp(signed_value<kSign>(widen(x[i])), s.max) / sum);
  }
}

// The backward passes split a finite row in two: the top group, the n₀ entries at m₁, each of
// weight 1, and the rest, weighted relative to m₂: Z = n₀ + f·Z₂ with f = e^(m₂ − m₁) and
// Z₂ = Σ_{yⱼ < m₁} e^(yⱼ − m₂) ∈ [1, n) (0 with nothing below m₁). What the rest contributes keeps
// its relative size and its sign even where f underflows (a row spread over more than 708), and
// where the top group dominates (f·Z₂ < 2^-20·n₀) a result at the top is written L + δ with L its
// exact limit as f → 0 (a rational, possibly a midpoint of the storage format: (v₀ − v₁)/4 for two
// equal maxima) and δ the small rest, summed to odd (kernel.hpp) so that δ decides the rounding of
// a tie even where it is far below L's ulp or underflows (then as ±2^-1074, the sign is all it
// carries).
struct SplitRow {
  double n0 = 0;  // entries at m₁
  double f = 0;   // e^(m₂ − m₁), kTinyTerm below e^-708, 0 with no finite entry below m₁
  DoubleDouble z2{};      // Z₂
  DoubleDouble z{};       // Z = n₀ + f·Z₂
  bool dominant = false;  // f·Z₂ < 2^-20·n₀
};

ACTCHECK_ALWAYS_INLINE SplitRow split_row(const RowScan& s, double n0, DoubleDouble z2) {
  SplitRow r;
  r.n0 = n0;
  r.f = s.second > -HUGE_VAL ? shifted_exp(s.second, s.max) : 0.0;
  r.z2 = z2;
  const DoubleDouble fz = two_product(r.f, z2.hi);
  const DoubleDouble t = two_sum(n0, fz.hi);
  r.z = two_sum(t.hi, t.lo + (fz.lo + r.f * z2.lo));
  r.dominant = fz.hi < 0x1p-20 * n0;
  return r;
}

// The sign a result carries into δ where it underflows: ±2^-1074, or δ itself.
ACTCHECK_ALWAYS_INLINE double keep_sign(double delta, double sign_source) {
  return delta == 0 && sign_source != 0 ? copysign(0x1p-1074, sign_source) : delta;
}

// a·b − c for double-doubles a, b, c, as one double-double: the exact parts of a·b and c cancel
// exactly where they agree, and the rest is kept.
ACTCHECK_ALWAYS_INLINE DoubleDouble product_minus(DoubleDouble a, DoubleDouble b, DoubleDouble c) {
  const DoubleDouble q = two_product(a.hi, b.hi);
  const DoubleDouble t = two_sum(q.hi, -c.hi);
  const double rest = (((q.lo + a.hi * b.lo) + a.lo * b.hi) - c.lo) + t.lo;
  return two_sum(t.hi, rest);
}

// The VJP of softmax(sign·x): gᵢ = sign·sᵢ·(vᵢ − ⟨s, v⟩) = sign·eᵢ·Dᵢ/Z², Dᵢ = vᵢ·Z − Σ eⱼvⱼ.
// Written so, Dᵢ cancels catastrophically where one element dominates (sᵢ ≈ 1, vᵢ·Z ≈ Σ eⱼvⱼ).
// Instead, with c = v at the row's first maximum and the split above,
//   Dᵢ = Aᵢ + f·Bᵢ,  Aᵢ = (vᵢ − c)·n₀ − Σ_top (vⱼ − c),  Bᵢ = (vᵢ − c)·Z₂ − W₂,
//   W₂ = Σ_{yⱼ < m₁} e^(yⱼ − m₂)·(vⱼ − c),
// every sum a double-double (vⱼ − c by TwoSum, products by TwoProduct), Aᵢ and Bᵢ formed as
// double-doubles before they are rounded. At a single maximum Aᵢ = 0 and Dᵢ = f·Bᵢ has no
// cancellation left; elsewhere what remains is the problem's own condition,
// κᵢ = Σ eⱼ|vᵢ − vⱼ| / |Σ eⱼ(vᵢ − vⱼ)|: relative error below 2^-49·κᵢ. At the top group, when it
// dominates, gᵢ = Aᵢ/n₀² + δ, δ = f·[n₀²Bᵢ − Aᵢ·Z₂(2n₀ + f·Z₂)]/(n₀²Z²). Below it, a result that
// underflows keeps the sign of Dᵢ, of Bᵢ where Aᵢ = 0. Exact zeros (Aᵢ = Bᵢ = 0: a row whose
// finite entries all have the same v, or the v's of each tie of x cancel) are +0. One-hot rows
// and rows with ±inf in v: as written.
template <int kSign, class T>
[[gnu::flatten]] void softmax_backward(std::size_t n, const T* x, const T* dy, T* dx) {
  const RowScan s = scan_row<kSign>(x, dy, n);
  if (s.limit == RowScan::Limit::kNan) return fill(dx, n, kNaN);
  const auto y = [&](std::size_t i) { return signed_value<kSign>(widen(x[i])); };
  if (s.limit == RowScan::Limit::kOneHot) {
    // s is one-hot at h: gₕ = sign·(vₕ − vₕ), gᵢ = sign·0·(vᵢ − vₕ), as written; exact zeros
    // (the finite entries' v all equal to vᵢ, as reference/vector.hpp decides them) are +0.
    if (!s.dy_finite) return fill(dx, n, kNaN);  // 0·±inf in ⟨s, v⟩
    std::size_t h = 0;
    while (y(h) != HUGE_VAL) ++h;
    const double vh = widen(dy[h]);
    bool any_finite = false, common = true;
    double first_v = 0;
    for (std::size_t j = 0; j < n; ++j) {
      if (abs(y(j)) == HUGE_VAL) continue;
      const double v = widen(dy[j]);
      common = common && (!any_finite || v == first_v);
      first_v = any_finite ? first_v : v;
      any_finite = true;
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double v = widen(dy[i]);
      const bool zero = !any_finite || (common && v == first_v);
      const double g = signed_value<kSign>(i == h ? v - vh : 0.0 * (v - vh));
      dx[i] = narrow<T>(zero ? 0.0 : g);
    }
    return;
  }
  if (!s.dy_finite) {
    LaneSum z;
    for_lanes(n, [&](std::size_t lane, std::size_t i) { z.add(lane, shifted_exp(y(i), s.max)); });
    const double sum = z.total().hi;
    double dot = 0;
    for (std::size_t j = 0; j < n; ++j) dot += shifted_exp(y(j), s.max) / sum * widen(dy[j]);
    for (std::size_t i = 0; i < n; ++i) {
      const double si = shifted_exp(y(i), s.max) / sum;
      dx[i] = narrow<T>(signed_value<kSign>(si * (widen(dy[i]) - dot)));
    }
    return;
  }
  std::size_t first = 0;
  while (y(first) != s.max) ++first;
  const double c = widen(dy[first]);
  // Entries more than 708 below m₂ weigh less than 2^-1021 relative to it and are left out of
  // Z₂ and W₂ (they change neither beyond 2^-1000); `deeper` counts them.
  LaneSum z2, w_top, w2;
  std::uint64_t top_count[kLanes] = {}, deeper_count[kLanes] = {};
  for_lanes(n, [&](std::size_t lane, std::size_t i) {
    const double yi = y(i);
    const bool top = yi == s.max;
    const double e2 = shifted_exp(yi, s.second);
    const double e = top || e2 == kTinyTerm ? 0.0 : e2;
    const DoubleDouble a = two_sum(widen(dy[i]), -c);
    const DoubleDouble p = two_product(e, a.hi);
    z2.add(lane, e);
    w2.add(lane, p.hi, p.lo + e * a.lo);
    w_top.add(lane, top ? a.hi : 0.0, top ? a.lo : 0.0);
    top_count[lane] += top;
    deeper_count[lane] += !top && e2 == kTinyTerm;
  });
  std::uint64_t n0 = 0, deeper = 0;
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    n0 += top_count[lane];
    deeper += deeper_count[lane];
  }
  const SplitRow r = split_row(s, static_cast<double>(n0), z2.total());
  const DoubleDouble wt = w_top.total(), ww = w2.total();
  const DoubleDouble n0_dd{r.n0, 0.0};
  const double n2 = r.n0 * r.n0;
  const double zz = r.z.hi * r.z.hi;
  struct Element {
    double g;   // the result, without sign·
    bool zero;  // exactly 0
    bool open;  // its sign rests on the entries left out (`deeper`)
    double mu;  // then it is the sign of Σ_deeper e^(yⱼ)·(μ − vⱼ)
  };
  // Element i, with `deeper_sign` the sign of that sum where it is known (0 otherwise).
  const auto element = [&](std::size_t i, double deeper_sign) {
    const double yi = y(i), v = widen(dy[i]);
    const DoubleDouble a = two_sum(v, -c);
    const DoubleDouble big_a = product_minus(a, n0_dd, wt);
    const double b = product_minus(a, r.z2, ww).hi;
    const bool at_top = yi == s.max && r.dominant;
    // Below the top group (and at it when it does not dominate): eᵢ·Dᵢ/Z².
    const double d = big_a.hi + (big_a.lo + r.f * b);
    const double plain = shifted_exp(yi, s.max) * d / zz;
    const double sign_source = d != 0 ? d : (big_a.hi != 0 ? big_a.hi : (b != 0 ? b : deeper_sign));
    const double below = plain == 0 ? copysign(0.0, sign_source) : plain;
    // At a dominating top group: Aᵢ/n₀² + δ.
    const double l = big_a.hi / n2;
    const double l_lo = (std::fma(-l, n2, big_a.hi) + big_a.lo) / n2;
    const double numerator = n2 * b - big_a.hi * r.z2.hi * (2.0 * r.n0 + r.f * r.z2.hi);
    const double delta = keep_sign(r.f * numerator / (n2 * zz),
                                   r.f > 0 ? (numerator != 0 ? numerator : deeper_sign) : 0.0);
    const DoubleDouble sum = two_sum(l, delta);
    const double top = round_to_odd(sum.hi, sum.lo + l_lo);
    const bool undecided = big_a.hi == 0 && b == 0;
    return Element{at_top ? top : below, undecided && deeper_sign == 0,
                   deeper != 0 && (at_top ? numerator == 0 : undecided),
                   at_top ? v - 2.0 * big_a.hi / r.n0 : v};
  };
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const Element el = element(i, 0.0);
    dx[i] = narrow<T>(el.zero ? 0.0 : signed_value<kSign>(el.g));
  }
  if (deeper == 0) return;
  // The sign of Σ_{yⱼ < m₂ − 708} e^(yⱼ)·(μ − vⱼ), level by level: the largest a of what is left,
  // then Σ e^(yⱼ − a)·(μ − vⱼ) over yⱼ ∈ [a − 708, a]; the first that is not 0 decides (Lindemann–
  // Weierstrass: a sum of e^(yⱼ) with algebraic coefficients, not all 0, is not 0). Only elements
  // whose every other part is exactly 0 ask, in rows spread over more than twice 708. Each pass
  // over the levels is O(n·levels), n² at worst (4096 distinct values 708 apart); but Aᵢ and the
  // top's numerator are linear in vᵢ, so the elements that ask share at most two values of μ (one
  // below the top, one at it), and each is asked once.
  const auto levels_sign = [&](double mu) {
    for (double level = s.second;;) {
      double a = -HUGE_VAL;
      for (std::size_t j = 0; j < n; ++j) {
        const double yj = y(j);
        a = yj - level < -708 && yj > a ? yj : a;
      }
      if (a == -HUGE_VAL) return 0.0;
      DoubleDouble sum{0.0, 0.0};
      for (std::size_t j = 0; j < n; ++j) {
        const double yj = y(j);
        if (yj > a || yj - a < -708) continue;
        const DoubleDouble t = two_sum(sum.hi, shifted_exp(yj, a) * (mu - widen(dy[j])));
        sum = {t.hi, sum.lo + t.lo};
      }
      const double total = sum.hi + sum.lo;
      if (total != 0) return total;
      level = a;
    }
  };
  double known_mu[2] = {}, known_sign[2] = {};
  int known = 0;
  const auto deeper_sign = [&](double mu) {
    for (int k = 0; k < known; ++k) {
      if (known_mu[k] == mu) return known_sign[k];
    }
    const double sign = levels_sign(mu);
    if (known < 2) {
      known_mu[known] = mu;
      known_sign[known++] = sign;
    }
    return sign;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const Element el = element(i, 0.0);
    if (!el.open) continue;
    const Element fixed = element(i, deeper_sign(el.mu));
    dx[i] = narrow<T>(fixed.zero ? 0.0 : signed_value<kSign>(fixed.g));
  }
}

// log_softmax: yᵢ = (xᵢ − m) − log Z, L = log Z ∈ [0, log n] by math.hpp's log_dd of the
// double-double Z. Both terms are ≤ 0, so nothing cancels; the sum is rounded to odd from its
// exact TwoSum error, so that where xᵢ − m is a midpoint of the storage format (2^24 + 1 in
// float32) and L is far below its ulp, L still decides the rounding (kTinyTerm keeps L > 0
// whenever two entries are above −inf). Relative error below 2^-49. −inf entries give −inf; a
// row with one entry above −inf gives +0 there.
template <class T>
[[gnu::flatten]] void log_softmax_forward(std::size_t n, const T* x, T* y) {
  const RowScan s = scan_row<1>(x, static_cast<const T*>(nullptr), n);
  if (s.limit == RowScan::Limit::kNan) return fill(y, n, kNaN);
  if (s.limit == RowScan::Limit::kOneHot) {
    for (std::size_t i = 0; i < n; ++i) y[i] = narrow<T>(widen(x[i]) == HUGE_VAL ? 0.0 : -HUGE_VAL);
    return;
  }
  LaneSum z;
  for_lanes(n,
            [&](std::size_t lane, std::size_t i) { z.add(lane, shifted_exp(widen(x[i]), s.max)); });
  const DoubleDouble zt = z.total();
  const double log_sum = log_dd(zt.hi, zt.lo);
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const double v = widen(x[i]);
    const DoubleDouble d = two_sum(v, -s.max);
    const DoubleDouble r = two_sum(d.hi, -log_sum);
    const double value = round_to_odd(r.hi, r.lo + d.lo);
    y[i] = narrow<T>(v > -HUGE_VAL ? value : -HUGE_VAL);
  }
}

// The VJP of log_softmax: gᵢ = vᵢ − sᵢ·T, T = Σ vⱼ, as (vᵢ·Z − eᵢ·T)/Z with T and the split Z
// (above) double-doubles and the numerator formed as a double-double before its one rounding: at
// the top (eᵢ = 1, vᵢ·n₀ ≈ T) the products' exact parts cancel exactly and the rest is kept.
// Relative error below 2^-49·κᵢ, κᵢ = |sᵢ·T|/|gᵢ| (the problem's condition). At a dominating top
// group, gᵢ = L + δ with L = vᵢ − T/n₀ (exact: Σ of values of the format, often a midpoint of it)
// and δ = T·f·Z₂/(n₀·Z), summed to odd. Exact zeros and signs as reference/vector.hpp gives them:
// +0 where the numerator is exactly 0, and where vᵢ = T = 0; −sᵢ·T (its sign even where it
// underflows) where vᵢ = 0 below the top; vᵢ (+0 for ±0) at −inf entries. One-hot rows and rows
// with ±inf in v: as written, gᵢ = vᵢ − sᵢ·T, 0 made +0.
template <class T>
[[gnu::flatten]] void log_softmax_backward(std::size_t n, const T* x, const T* dy, T* dx) {
  const RowScan s = scan_row<1>(x, dy, n);
  if (s.limit == RowScan::Limit::kNan) return fill(dx, n, kNaN);
  LaneSum total, z2;
  std::uint64_t top_count[kLanes] = {};
  for_lanes(n, [&](std::size_t lane, std::size_t i) {
    const double xi = widen(x[i]);
    const bool top = xi == s.max;
    total.add(lane, widen(dy[i]));
    z2.add(lane, top ? 0.0 : shifted_exp(xi, s.second));
    top_count[lane] += top;
  });
  const DoubleDouble tt = total.total();
  if (s.limit == RowScan::Limit::kOneHot || !s.dy_finite) {
    LaneSum z;
    if (s.limit == RowScan::Limit::kFinite) {
      for_lanes(n, [&](std::size_t lane, std::size_t i) {
        z.add(lane, shifted_exp(widen(x[i]), s.max));
      });
    }
    const double sum = z.total().hi;
    for (std::size_t i = 0; i < n; ++i) {
      const double xi = widen(x[i]), v = widen(dy[i]);
      const double si = s.limit == RowScan::Limit::kFinite ? shifted_exp(xi, s.max) / sum
                                                           : (xi == HUGE_VAL ? 1.0 : 0.0);
      // si = 1 (the +inf of a one-hot row): v − T as a double-double difference.
      const DoubleDouble d = two_sum(v, -tt.hi);
      const double g = si == 1 ? d.hi + (d.lo - tt.lo) : v - si * tt.hi;
      dx[i] = narrow<T>(g == 0 ? 0.0 : g);
    }
    return;
  }
  std::uint64_t n0 = 0;
  for (std::uint64_t count : top_count) n0 += count;
  const SplitRow r = split_row(s, static_cast<double>(n0), z2.total());
  // T/n₀ as a double-double (the remainder of the division by the fma).
  const double t_n0 = tt.hi / r.n0;
  const double t_n0_lo = (std::fma(-t_n0, r.n0, tt.hi) + tt.lo) / r.n0;
  const double delta_top =
      keep_sign(tt.hi * (r.f * r.z2.hi) / (r.n0 * r.z.hi), r.f > 0 ? tt.hi : 0);
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = widen(x[i]), v = widen(dy[i]);
    const double e = shifted_exp(xi, s.max);
    const DoubleDouble q = two_product(v, r.z.hi);
    const DoubleDouble p = two_product(e, tt.hi);
    const DoubleDouble t = two_sum(q.hi, -p.hi);
    const double rest = ((q.lo - p.lo) + (v * r.z.lo - e * tt.lo)) + t.lo;
    const double num = t.hi + rest;
    const double general = num == 0 ? 0.0 : num / r.z.hi;
    const double at_zero_v = tt.hi == 0 ? 0.0 : -(e * tt.hi) / r.z.hi;
    const double below = xi == -HUGE_VAL ? v + 0.0 : (v == 0 ? at_zero_v : general);
    // At a dominating top group: (vᵢ − T/n₀) + δ.
    const DoubleDouble l = two_sum(v, -t_n0);
    const DoubleDouble sum = two_sum(l.hi, delta_top);
    const double at_top = round_to_odd(sum.hi, sum.lo + (l.lo - t_n0_lo));
    const double g = xi == s.max && r.dominant ? (at_top == 0 ? 0.0 : at_top) : below;
    dx[i] = narrow<T>(g);
  }
}

// ---- maxout -------------------------------------------------------------------------------------

// The first maximum of x[0, k) (a later element replaces it only if strictly greater, so −0
// before +0 stays), as PyTorch's max(dim) returns it. The row has no NaN.
template <class T>
ACTCHECK_ALWAYS_INLINE std::size_t first_argmax(const T* x, std::size_t k) {
  std::size_t best = 0;
  double best_value = widen(x[0]);
  for (std::size_t i = 1; i < k; ++i) {
    const double v = widen(x[i]);
    best = v > best_value ? i : best;
    best_value = v > best_value ? v : best_value;
  }
  return best;
}

// maxout: the maximum of each group of k, copied (exact); its VJP sends vᵍ to the group's first
// maximum and +0 elsewhere. Exact: 0 ULP in every format.
template <class T>
void maxout_forward(std::size_t k, std::size_t n, const T* x, T* y) {
  if (has_nan(x, n)) return fill(y, n / k, kNaN);
  for (std::size_t g = 0; g < n / k; ++g) y[g] = x[g * k + first_argmax(x + g * k, k)];
}

template <class T>
void maxout_backward(std::size_t k, std::size_t n, const T* x, const T* dy, T* dx) {
  if (has_nan(x, n) || has_nan(dy, n / k)) return fill(dx, n, kNaN);
  for (std::size_t g = 0; g < n / k; ++g) {
    const std::size_t best = first_argmax(x + g * k, k);
    const T v = dy[g];
    for (std::size_t i = 0; i < k; ++i) dx[g * k + i] = i == best ? v : narrow<T>(0.0);
  }
}

// ---- glu and swiglu -----------------------------------------------------------------------------
// Each output is w·f(u) for values w, u of the format (or w = v·a, v·b, exact in double) and
// f ∈ {σ, σ′, silu, silu′}. For |u| < 1 each f is split into a polynomial with dyadic
// coefficients and a transcendental rest, from tanh(u/2) and tanhshrink(u/2) = u/2 − tanh(u/2)
// (hyperbolic.hpp):
//   σ(u)     = 1/2 + u/4 − tanhshrink(u/2)/2                      (rest ≈ −u³/48)
//   σ′(u)    = 1/4 − tanh²(u/2)/4                                   (rest ≈ −u²/16)
//   silu(u)  = u/2 + u²/4 − u·tanhshrink(u/2)/2                     (rest ≈ −u⁴/48)
//   silu′(u) = 1/2 + u/2 − tanhshrink(u/2)/2 − u·tanh²(u/2)/4       (rest ≈ −u³/12)
// w times the polynomial is exact as a double-double (TwoProduct), and can be exactly a midpoint
// of the storage format (an odd subnormal halved; a/2 + a·b/4 at b = 2^-21; v·b with more bits
// than the format); the rest, computed to 2^-46 relative and never 0 for u ≠ 0, is added and the
// sum rounded to odd (kernel.hpp), so that narrow gives the correctly rounded result. For u ≥ 1,
// silu(u) = u − u·σ(−u) and silu′(u) = 1 − silu′(−u) (silu′(u) + silu′(−u) = 1) likewise, w·u
// and w exact, the rest kept above 2^-700 where it underflows (a tie-breaker: silu′(u) > 1 and
// silu(u) < u for every finite u > 1.28). Elsewhere the plain product, with σ, σ′, silu and silu′
// of a finite u kept away from 0 where they underflow, so that ∞·f(u) is ±∞ as the exact product
// is (∞·0 = NaN only where f(u) is 0: σ(−∞), σ′(±∞), silu′(−∞)).

ACTCHECK_ALWAYS_INLINE double tanhshrink_of(double t) {
  return Kernel<Fn::tanhshrink>(Params{}).value(t);
}

ACTCHECK_ALWAYS_INLINE bool finite_nonzero(double w) { return w != 0 && abs(w) < HUGE_VAL; }

// (polynomial part P = hi + lo, exact) − rest, rounded to odd.
ACTCHECK_ALWAYS_INLINE double minus_rest_to_odd(DoubleDouble p, double rest) {
  const DoubleDouble r = two_sum(p.hi, -rest);
  return round_to_odd(r.hi, r.lo + p.lo);
}

// f(u) of a finite u at least `floor` in magnitude (sign kept): the stand-in where f underflows.
ACTCHECK_ALWAYS_INLINE double not_underflowing(double f, double u, double floor) {
  return abs(u) < HUGE_VAL && abs(f) < floor ? copysign(floor, f) : f;
}

// w·σ(u).
ACTCHECK_ALWAYS_INLINE double times_sigmoid(double w, double u) {
  const double plain = w * not_underflowing(logistic(u).p, u, 0x1p-1074);
  const DoubleDouble poly = two_sum(0.5 * w, 0.25 * (w * u));
  const double small = minus_rest_to_odd(poly, w * (0.5 * tanhshrink_of(0.5 * u)));
  return finite_nonzero(w) && abs(u) < 1 ? small : plain;
}

// w·σ′(u) = w·σ(u)σ(−u).
ACTCHECK_ALWAYS_INLINE double times_sigmoid_derivative(double w, double u) {
  const Logistic s = logistic(u);
  const double plain = w * not_underflowing(s.p * s.q, u, 0x1p-1074);
  const double t = tanh_of(0.5 * u);
  const double small = sum_to_odd(0.25 * w, -0.25 * w * (t * t));
  return finite_nonzero(w) && abs(u) < 1 ? small : plain;
}

// w·silu(u), silu(u) = u·σ(u).
ACTCHECK_ALWAYS_INLINE double times_silu(double w, double u) {
  const Logistic s = logistic(u);
  const double plain = w * times_decaying(u, not_underflowing(s.p, u, 0x1p-1074));
  const double wu = w * u;
  const DoubleDouble wuu = two_product(wu, u);
  const DoubleDouble head = two_sum(0.5 * wu, 0.25 * wuu.hi);
  const DoubleDouble poly{head.hi, head.lo + 0.25 * wuu.lo};
  const double small = minus_rest_to_odd(poly, wu * (0.5 * tanhshrink_of(0.5 * u)));
  const double positive = sum_to_odd(wu, -wu * max(s.q, 0x1p-700));
  const bool exact_parts = finite_nonzero(wu) && abs(u) < HUGE_VAL;
  return exact_parts && abs(u) < 1 ? small : (exact_parts && u > 0 ? positive : plain);
}

// w·silu′(u) with logistic.hpp's swish_derivative (its Taylor expansion near the root).
ACTCHECK_ALWAYS_INLINE double times_silu_derivative(double w, double u) {
  const double plain = w * not_underflowing(swish_derivative(u, 0.0), u, 0x1p-1074);
  const DoubleDouble wu = two_product(w, u);
  const DoubleDouble head = two_sum(0.5 * w, 0.5 * wu.hi);
  const DoubleDouble poly{head.hi, head.lo + 0.5 * wu.lo};
  const double t = tanh_of(0.5 * u);
  const double rest = w * (0.5 * tanhshrink_of(0.5 * u) + 0.25 * u * (t * t));
  const double small = minus_rest_to_odd(poly, rest);
  // silu′(u) − 1 = −silu′(−u), ≈ u·e^(−u) > 0 for u > 1.28.
  const double minus_one = -swish_derivative(-u, 0.0);
  const double above_one = u > 2 ? max(minus_one, 0x1p-700) : minus_one;
  const double positive = sum_to_odd(w, w * above_one);
  const bool exact_parts = finite_nonzero(w) && abs(u) < HUGE_VAL;
  return exact_parts && abs(u) < 1 ? small : (exact_parts && u > 0 ? positive : plain);
}

// glu([a, b]) = a ⊙ σ(b); ∂/∂a = v·σ(b), ∂/∂b = (v·a)·σ′(b). swiglu([a, b]) = silu(a) ⊙ b;
// ∂/∂a = (v·b)·silu′(a), ∂/∂b = v·silu(a). Relative error of the double result below 2^-46
// (logistic.hpp's and hyperbolic.hpp's bounds), and the ties above decided exactly.
template <Fn fn>
struct Gated {
  ACTCHECK_ALWAYS_INLINE static double value(double a, double b) {
    return fn == Fn::glu ? times_sigmoid(a, b) : times_silu(b, a);
  }
  ACTCHECK_ALWAYS_INLINE static double d_a(double a, double b, double v) {
    return fn == Fn::glu ? times_sigmoid(v, b) : times_silu_derivative(v * b, a);
  }
  ACTCHECK_ALWAYS_INLINE static double d_b(double a, double b, double v) {
    return fn == Fn::glu ? times_sigmoid_derivative(v * a, b) : times_silu(v, a);
  }
};

template <Fn fn, class T>
[[gnu::flatten]] void gated_forward(std::size_t n, const T* x, T* y) {
  const std::size_t h = n / 2;
  if (has_nan(x, n)) return fill(y, h, kNaN);
#pragma omp simd
  for (std::size_t i = 0; i < h; ++i)
    y[i] = narrow<T>(Gated<fn>::value(widen(x[i]), widen(x[h + i])));
}

template <Fn fn, class T>
[[gnu::flatten]] void gated_backward(std::size_t n, const T* x, const T* dy, T* dx) {
  const std::size_t h = n / 2;
  if (has_nan(x, n) || has_nan(dy, h)) return fill(dx, n, kNaN);
#pragma omp simd
  for (std::size_t i = 0; i < h; ++i) {
    const double a = widen(x[i]), b = widen(x[h + i]), v = widen(dy[i]);
    const T da = narrow<T>(Gated<fn>::d_a(a, b, v));
    const T db = narrow<T>(Gated<fn>::d_b(a, b, v));
    dx[i] = da;
    dx[h + i] = db;
  }
}

// ---- The entries --------------------------------------------------------------------------------

// RowKernel<fn>: output_length(n, params), forward(params, n, x, y), backward(params, n, x, dy,
// dx) on one row of n elements (n already checked by impl::output_length).
template <Fn fn>
struct RowKernel;

// softmax, softmin: softmax_forward and softmax_backward above. Measured: f32, f16, bf16 ≤ 0.5 /
// 0.5 ULP, every element correctly rounded, forward and backward. Budget (catalog) 2 ULP: the
// VJP's error bound grows with the row's condition κᵢ.
template <>
struct RowKernel<Fn::softmax> {
  static std::size_t output_length(std::size_t n, const Params&) { return n; }
  template <class T>
  static void forward(const Params&, std::size_t n, const T* x, T* y) {
    softmax_forward<1>(n, x, y);
  }
  template <class T>
  static void backward(const Params&, std::size_t n, const T* x, const T* dy, T* dx) {
    softmax_backward<1>(n, x, dy, dx);
  }
};

template <>
struct RowKernel<Fn::softmin> {
  static std::size_t output_length(std::size_t n, const Params&) { return n; }
  template <class T>
  static void forward(const Params&, std::size_t n, const T* x, T* y) {
    softmax_forward<-1>(n, x, y);
  }
  template <class T>
  static void backward(const Params&, std::size_t n, const T* x, const T* dy, T* dx) {
    softmax_backward<-1>(n, x, dy, dx);
  }
};

// log_softmax: log_softmax_forward and log_softmax_backward above. Measured: f32, f16, bf16 ≤ 0.5 /
// 0.5 ULP, every element correctly rounded, forward and backward. Budget 2 ULP, as softmax's.
template <>
struct RowKernel<Fn::log_softmax> {
  static std::size_t output_length(std::size_t n, const Params&) { return n; }
  template <class T>
  static void forward(const Params&, std::size_t n, const T* x, T* y) {
    log_softmax_forward(n, x, y);
  }
  template <class T>
  static void backward(const Params&, std::size_t n, const T* x, const T* dy, T* dx) {
    log_softmax_backward(n, x, dy, dx);
  }
};

// maxout(k): exact copies. Measured: 0 ULP in every format, forward and backward. Budget 0.5.
template <>
struct RowKernel<Fn::maxout> {
  static std::size_t group(const Params& p) { return static_cast<std::size_t>(p[0]); }
  static std::size_t output_length(std::size_t n, const Params& p) { return n / group(p); }
  template <class T>
  static void forward(const Params& p, std::size_t n, const T* x, T* y) {
    maxout_forward(group(p), n, x, y);
  }
  template <class T>
  static void backward(const Params& p, std::size_t n, const T* x, const T* dy, T* dx) {
    maxout_backward(group(p), n, x, dy, dx);
  }
};

// glu, swiglu: Gated above. Measured: f32, f16, bf16 ≤ 0.5 / 0.5 ULP, every element correctly
// rounded, forward and backward; also on 100 rows of 512 random bit patterns per format, and on
// every float16 and bfloat16 value as a (and as b) against random partners. Budget: f32 1 ULP,
// f16 and bf16 0.5 (correctly rounded).
template <Fn fn>
struct GatedRowKernel {
  static std::size_t output_length(std::size_t n, const Params&) { return n / 2; }
  template <class T>
  static void forward(const Params&, std::size_t n, const T* x, T* y) {
    gated_forward<fn>(n, x, y);
  }
  template <class T>
  static void backward(const Params&, std::size_t n, const T* x, const T* dy, T* dx) {
    gated_backward<fn>(n, x, dy, dx);
  }
};
template <>
struct RowKernel<Fn::glu> : GatedRowKernel<Fn::glu> {};
template <>
struct RowKernel<Fn::swiglu> : GatedRowKernel<Fn::swiglu> {};

// ---- The loops over a batch of rows -------------------------------------------------------------

template <Fn fn, class T>
void forward_rows(const Params& params, std::size_t n, std::size_t rows, const T* x, const T*,
                  T* y) {
  const std::size_t m = RowKernel<fn>::output_length(n, params);
  for (std::size_t r = 0; r < rows; ++r) RowKernel<fn>::forward(params, n, x + r * n, y + r * m);
}

template <Fn fn, class T>
void backward_rows(const Params& params, std::size_t n, std::size_t rows, const T* x, const T* dy,
                   T* dx) {
  const std::size_t m = RowKernel<fn>::output_length(n, params);
  for (std::size_t r = 0; r < rows; ++r) {
    RowKernel<fn>::backward(params, n, x + r * n, dy + r * m, dx + r * n);
  }
}

template <Fn fn, class T>
kernels::RowLoops<T> row_loops_of() {
  return {&forward_rows<fn, T>, &backward_rows<fn, T>};
}

}  // namespace actcheck::impl::ACTCHECK_ISA
