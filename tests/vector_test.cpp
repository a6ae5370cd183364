// The vector entries: special rows give the documented limits; VJPs equal an explicitly built
// Jacobian; the softmax family's VJPs are decided, with the right signs and ties, at any spread of
// the row; glu/swiglu equal their elementwise parts.
#include "reference/vector.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/multiprecision/mpfr.hpp>
#include <cfloat>
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>
#include <random>
#include <vector>

#include "engine/input_set.hpp"
#include "reference/rounding.hpp"
#include "test_support.hpp"

namespace actcheck::testing {
namespace {

using reference::correctly_rounded_row;

Eigen::VectorXd row(std::initializer_list<double> v) {
  return Eigen::Map<const Eigen::VectorXd>(v.begin(), static_cast<Eigen::Index>(v.size()));
}

Eigen::VectorXd value(Fn fn, const Eigen::VectorXd& x, Format format = Format::kF32) {
  return correctly_rounded_row(fn, Quantity::kValue, x, Eigen::VectorXd(), default_params(fn),
                               format);
}

bool all_nan(const Eigen::VectorXd& v) { return v.array().isNaN().all(); }

TEST(Vector, SoftmaxOfSpecialRows) {
  EXPECT_EQ(value(Fn::softmax, row({1e30, 0})), row({1, 0}));
  EXPECT_EQ(value(Fn::softmax, row({-1e30, 1e30, -1e30})), row({0, 1, 0}));
  EXPECT_EQ(value(Fn::softmax, row({-INFINITY, 0})), row({0, 1}));
  EXPECT_EQ(value(Fn::softmax, row({INFINITY, 0, -INFINITY})), row({1, 0, 0}));
  EXPECT_EQ(value(Fn::softmax, row({5, 5, 5, 5})), row({0.25, 0.25, 0.25, 0.25}));
  EXPECT_TRUE(all_nan(value(Fn::softmax, row({-INFINITY, -INFINITY}))));
  EXPECT_TRUE(all_nan(value(Fn::softmax, row({INFINITY, INFINITY}))));
  EXPECT_TRUE(all_nan(value(Fn::softmax, row({1, NAN, 2}))));
  EXPECT_EQ(value(Fn::log_softmax, row({-INFINITY, 0})), row({-INFINITY, 0}));
  // −log1p(e^-1e30) is a negative number far below every format's range: −0.
  const Eigen::VectorXd ls = value(Fn::log_softmax, row({1e30, 0}));
  EXPECT_EQ(ls, row({0, static_cast<float>(-1e30)}));
  EXPECT_TRUE(std::signbit(ls[0]));
  EXPECT_EQ(value(Fn::softmin, row({-1e30, 0})), row({1, 0}));
}

TEST(Vector, SoftmaxValuesAgainstASecondFormula) {
  // softmax([0, ln 3]) = [1/4, 3/4] in exact arithmetic; ln 3 is not a double, so compare
  // with e^x/(1 + e^x) in mpfr_float_100 instead.
  const Eigen::VectorXd x = row({0.0, 1.5, -2.25});
  const auto s =
      reference::evaluate_row(Fn::softmax, Quantity::kValue, x, Eigen::VectorXd(), Params{}, 256);
  Oracle sum = 0;
  for (double xi : x) sum += exp(Oracle(xi));
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    EXPECT_TRUE(agree_to_bits(s[i], Real(exp(Oracle(x[i])) / sum), 250));
  }
}

// The softmax family, as the VJP tests below take it: softmin is softmax of −x.
constexpr Fn kSoftmaxFamily[] = {Fn::softmax, Fn::softmin, Fn::log_softmax};
constexpr Format kRowFormats[] = {Format::kF32, Format::kF16, Format::kBF16};

// Jᵀv against the explicit Jacobian diag(s) − ssᵀ, built in the independent oracle type.
TEST(Vector, SoftmaxVjpEqualsTheExplicitJacobian) {
  const Eigen::VectorXd x = row({0.5, -1.0, 2.0, 0.0});
  const Eigen::VectorXd v = row({1.0, -2.0, 0.25, 3.0});
  const auto g = reference::evaluate_row(Fn::softmax, Quantity::kDerivative, x, v, Params{}, 256);
  std::vector<Oracle> s(4);
  Oracle sum = 0;
  for (int i = 0; i < 4; ++i) sum += exp(Oracle(x[i]));
  for (int i = 0; i < 4; ++i) s[i] = exp(Oracle(x[i])) / sum;
  for (int i = 0; i < 4; ++i) {
    Oracle gi = 0;
    for (int j = 0; j < 4; ++j) gi += ((i == j ? s[i] : Oracle(0)) - s[i] * s[j]) * v[j];
    EXPECT_TRUE(agree_to_bits(g[i], Real(gi), 240)) << i;
  }
}

TEST(Vector, ExactZeroVjpsTerminate) {
  const Params p;
  // Σv over equal entries: softmax's VJP with v = ones is exactly 0 everywhere.
  EXPECT_EQ(correctly_rounded_row(Fn::softmax, Quantity::kDerivative, row({1e30, 0, -INFINITY}),
                                  row({1, 1, 1}), p, Format::kF32),
            row({0, 0, 0}));
  // Uniform weights and v₁ = mean(v): log_softmax's VJP element 1 is exactly 0.
  EXPECT_EQ(correctly_rounded_row(Fn::log_softmax, Quantity::kDerivative, row({0, 0, 0}),
                                  row({1, 2, 3}), p, Format::kF16),
            row({-1, 0, 1}));
  EXPECT_EQ(correctly_rounded_row(Fn::softmax, Quantity::kDerivative, row({2, 2, 7}),
                                  row({4, 4, 4}), p, Format::kBF16),
            row({0, 0, 0}));
}

// ---- VJPs of rows with a huge spread: e^(xⱼ − max) far below every format, often below MPFR's
// exponent range too (e^(−1e30)). The results are mostly signed zeros, so their signs are checked
// against an independent computation.

// The sign of gᵢ from a second formula, entry by entry instead of by groups of equal values:
//   softmax: gᵢ ∝ Σⱼ e^(xⱼ)(vᵢ − vⱼ);  softmin: minus that at −x;
//   log_softmax: gᵢ ∝ Σⱼ e^(xⱼ)(vᵢ − [j = i]·Σv),
// with positive factors left out. In long double, shifted by the largest xⱼ whose coefficient is
// not 0 (its term is then O(1), and terms that underflow are far too small to matter). 0 when every
// coefficient is 0 (an exact zero, +0); nothing when the sum is too close to 0 to trust.
std::optional<int> independent_sign(Fn fn, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                                    Eigen::Index i) {
  const long double flip = fn == Fn::softmin ? -1 : 1;
  long double total = 0;
  for (double vj : v) total += vj;
  std::vector<long double> y(static_cast<std::size_t>(x.size())), c(y.size());
  long double shift = -INFINITY;
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    const auto k = static_cast<std::size_t>(j);
    y[k] = flip * x[j];
    c[k] = fn == Fn::log_softmax ? v[i] - (i == j ? total : 0) : v[i] - v[j];
    if (c[k] != 0 && std::isfinite(y[k])) shift = std::max(shift, y[k]);
  }
  if (shift == -INFINITY) return 0;
  long double sum = 0, size = 0;
  for (std::size_t k = 0; k < y.size(); ++k) {
    if (c[k] == 0 || !std::isfinite(y[k])) continue;
    const long double term = std::exp(y[k] - shift) * c[k];
    sum += term;
    size += std::fabs(term);
  }
  if (std::fabs(sum) <= 0x1p-40L * size) return std::nullopt;
  return (sum > 0) == (flip > 0) ? 1 : -1;
}

// exact_row's results for the row (it must terminate), checked against independent_sign where that
// is conclusive. independent_sign costs O(n), so a long row has every 37th entry checked, and its
// last 8 (the ramp's largest). Returns how many entries were checked.
int expect_signs(Fn fn, const Eigen::VectorXd& x, const Eigen::VectorXd& v, Format format) {
  const std::vector<reference::Exact> g =
      reference::exact_row(fn, Quantity::kDerivative, x, v, Params{}, format);
  int checked = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if (x.size() > 64 && i % 37 != 0 && i < x.size() - 8) continue;
    const reference::Exact& e = g[static_cast<std::size_t>(i)];
    const std::optional<int> sign = independent_sign(fn, x, v, i);
    if (!sign) continue;
    ++checked;
    if (*sign == 0) {
      EXPECT_TRUE(e.rounded == 0 && !std::signbit(e.rounded)) << e.rounded;
    } else {
      EXPECT_EQ(std::signbit(e.rounded), *sign < 0) << e.rounded;
      EXPECT_EQ(std::signbit(e.approx), *sign < 0) << e.approx;
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << activation(fn).name << " " << spec(format).name << " entry " << i
                    << " of x = " << x.transpose() << ", v = " << v.transpose();
      return checked;
    }
  }
  return checked;
}

// The two-entry VJPs in closed form, with d = x₀ − x₁ and p = s₀s₁ = e^(−|d|)/(1 + e^(−|d|))²:
//   softmax [p(v₀ − v₁), p(v₁ − v₀)],  softmin the opposite,  log_softmax g₀ = s₁v₀ − s₀v₁ = −g₁,
// correctly rounded into `format`. When e^(−|d|) underflows even the oracle type, only the sign of
// what it multiplies is left (or, for log_softmax, the dominant term −v₁ or v₀).
std::array<double, 2> two_entry_vjp(Fn fn, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                                    Format format) {
  const Oracle d = Oracle(x[0]) - Oracle(x[1]);
  const Oracle e = exp(-abs(d));
  const Oracle v0(v[0]), v1(v[1]);
  auto rounded = [&](const Oracle& value) {
    EXPECT_FALSE(reference::is_midpoint(value.backend().data(), format));
    return reference::round_to_format(value.backend().data(), format);
  };
  auto pair = [&](const Oracle& a, const Oracle& b) {
    return std::array<double, 2>{rounded(a), rounded(b)};
  };
  if (fn != Fn::log_softmax) {
    const Oracle p = e / ((1 + e) * (1 + e));
    // p·(v₀ − v₁) rather than −p·(v₁ − v₀): an exact zero is +0.
    if (fn == Fn::softmax) return pair(p * (v0 - v1), p * (v1 - v0));
    return pair(p * (v1 - v0), p * (v0 - v1));
  }
  const Oracle big = 1 / (1 + e), small = e / (1 + e);  // the weights of the larger, smaller x
  const Oracle g0 = d >= 0 ? small * v0 - big * v1 : big * v0 - small * v1;
  if (e == 0 && g0 == 0) {  // the dominant term is 0: g₀ is ±(a positive tiny)·v
    const double sign = d >= 0 ? v[0] : -v[1];
    if (sign == 0) return {0.0, 0.0};
    return {std::copysign(0.0, sign), std::copysign(0.0, -sign)};
  }
  return pair(g0, -g0);
}

TEST(Vector, VjpsOfRowsWithAHugeSpreadAreDecided) {
  const Eigen::VectorXd v2 = row({-0x1.69883cp-2, -0x1.96251ep-1});
  const std::vector<std::pair<Eigen::VectorXd, Eigen::VectorXd>> pairs = {
      {row({0x1.93e594p+99, 0}), v2}, {row({0x1.fffffep+127, -0x1.fffffep+127}), v2},
      {row({-FLT_MAX, FLT_MAX}), v2}, {row({1e30, 0}), row({1, 1})},
      {row({1e30, 0}), row({0, 1})},  {row({0, 1e30}), row({0, 1})},
      {row({0x1p-149, 0}), v2},       {row({60, 0}), v2},
      {row({-3, 2}), row({0.75, 0})},
  };
  for (Fn fn : kSoftmaxFamily) {
    for (Format format : kRowFormats) {
      for (const auto& [x, v] : pairs) {
        const Eigen::VectorXd g =
            correctly_rounded_row(fn, Quantity::kDerivative, x, v, Params{}, format);
        const std::array<double, 2> want = two_entry_vjp(fn, x, v, format);
        for (int i = 0; i < 2; ++i) {
          EXPECT_TRUE(reference::same_bits(g[i], want[i]))
              << activation(fn).name << " " << spec(format).name << " x = " << x.transpose()
              << ", v = " << v.transpose() << ": entry " << i << " is " << g[i] << ", not "
              << want[i];
        }
      }
    }
  }
  // v₀ = v₁: softmax's and softmin's VJPs are exactly 0, so +0, however far apart x₀ and x₁ are.
  for (Fn fn : {Fn::softmax, Fn::softmin}) {
    const Eigen::VectorXd g = correctly_rounded_row(fn, Quantity::kDerivative, row({1e30, 0}),
                                                    row({1, 1}), Params{}, Format::kF32);
    EXPECT_TRUE(g[0] == 0 && !std::signbit(g[0]) && g[1] == 0 && !std::signbit(g[1])) << g;
  }
}

TEST(Vector, VjpSignsOfRowsWithAHugeSpread) {
  const Eigen::VectorXd x4 =
      row({0x1.6ae234p+18, -0x1.d4b0a8p+19, -0x1.bdd412p+19, 0x1.b892bep+19});
  const Eigen::VectorXd v4 = row({-0x1.374f94p-1, -0x1.05428ep-3, -0x1.6d316ep-1, -0x1.c9aed2p-1});
  std::mt19937_64 rng(20261123);
  std::uniform_real_distribution<double> unit(-1, 1);
  auto random_v = [&](Eigen::Index n) {
    Eigen::VectorXd v(n);
    for (double& e : v) e = static_cast<float>(unit(rng));
    return v;
  };
  const Eigen::VectorXd ramp = Eigen::VectorXd::LinSpaced(4096, -1e30, 1e30);
  std::vector<std::pair<Eigen::VectorXd, Eigen::VectorXd>> rows = {
      {x4, v4},
      {row({FLT_MAX, 0x1p-149, -FLT_MAX, 0}), row({0.25, -0.5, 0.75, -1})},
      {row({FLT_MAX, 0x1p-149, -FLT_MAX, 0}), random_v(4)},
      {row({1e30, 0, -1}), row({0, 1, -1})},
      {row({1e30, 1e30, 0, -1}), row({0.5, -0.5, 1, -1})},  // the maximum's group cancels
      {row({1e30, 1e30, 0, 0}), row({0.5, -0.5, 0.25, -0.25})},
      {ramp, random_v(4096)},
  };
  // Random float32 rows at scales 2^20 … 2^100, where neighbouring entries are 2^10 or more apart.
  for (int r = 0; r < 60; ++r) {
    const auto n = static_cast<Eigen::Index>(2 + r % 13);
    const double scale = std::ldexp(1.0, 20 + (r * 80) / 59);
    Eigen::VectorXd x(n);
    for (double& e : x) e = static_cast<float>(scale * unit(rng));
    if (r % 5 == 0) x[1] = x[0];  // a tie for some entries' group
    rows.emplace_back(x, random_v(n));
  }
  int checked = 0, total = 0;
  for (Fn fn : kSoftmaxFamily) {
    for (Format format : kRowFormats) {
      for (const auto& [x, v] : rows) {
        checked += expect_signs(fn, x, v, format);
        total += static_cast<int>(x.size() > 64 ? (x.size() + 36) / 37 + 8 : x.size());
      }
    }
  }
  // Nearly every entry has a conclusive independent sign.
  EXPECT_GT(checked, total * 99 / 100) << checked << " of " << total;
}

// The direct formulas sᵢ(vᵢ − ⟨s, v⟩) (softmin: at −x, negated) and vᵢ − sᵢ·Σv, evaluated at 1000
// bits and rounded into `format`: right whenever the result is not within 2^-990 of a rounding
// tie, which moderate spreads ensure.
Eigen::VectorXd direct_vjp(Fn fn, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                           Format format) {
  using Wide = boost::multiprecision::number<boost::multiprecision::mpfr_float_backend<302>>;
  const Eigen::Index n = x.size();
  const Wide flip = fn == Fn::softmin ? -1 : 1;
  std::vector<Wide> s(static_cast<std::size_t>(n));
  Wide sum = 0, total = 0, dot = 0;
  for (Eigen::Index j = 0; j < n; ++j) sum += exp(flip * Wide(x[j]));
  for (Eigen::Index j = 0; j < n; ++j) s[j] = exp(flip * Wide(x[j])) / sum;
  for (Eigen::Index j = 0; j < n; ++j) dot += s[j] * v[j];
  for (double vj : v) total += vj;
  Eigen::VectorXd g(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    // Step by step: boost's expression templates may evaluate v − s·Σv as −(s·Σv − v), which
    // turns an exact +0 into −0.
    Wide direct;
    if (fn == Fn::log_softmax) {
      direct = s[i] * total;
      direct = Wide(v[i]) - direct;
    } else {
      direct = fn == Fn::softmax ? Wide(v[i]) - dot : dot - Wide(v[i]);
      direct *= s[i];
    }
    g[i] = reference::round_to_format(direct.backend().data(), format);
  }
  return g;
}

bool same_row(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  if (a.size() != b.size()) return false;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    if (!reference::same_bits(a[i], b[i])) return false;
  }
  return true;
}

// At moderate spreads (|x| ≤ 16) the grouped formula must round like the direct one.
TEST(Vector, VjpsAtModerateSpreadsRoundLikeTheDirectFormula) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int r = 0; r < 120; ++r) {
    const auto n = static_cast<Eigen::Index>(1 + r % 37);
    const double scale = std::ldexp(1.0, -4 + r % 9);
    Eigen::VectorXd x(n), v(n);
    for (double& e : x) e = static_cast<float>(scale * unit(rng));
    for (double& e : v) e = static_cast<float>(unit(rng));
    if (n > 3 && r % 4 == 0) x[2] = x[0];
    for (Fn fn : kSoftmaxFamily) {
      for (Format format : kRowFormats) {
        const Eigen::VectorXd g =
            correctly_rounded_row(fn, Quantity::kDerivative, x, v, Params{}, format);
        EXPECT_TRUE(same_row(g, direct_vjp(fn, x, v, format)))
            << activation(fn).name << " " << spec(format).name << " row " << r << "\n"
            << g.transpose() << "\n"
            << direct_vjp(fn, x, v, format).transpose();
      }
    }
  }
}

// Two equal maxima make the limit L of gᵢ as the other weights vanish a rational that can be a
// rounding tie: softmax's L = (v₀ − v₁)/4 = 0x1.01p-2 is halfway between two bfloat16 values, and
// only the sign of gᵢ − L decides. That sign comes from e^(a₁ − a₀), or from e^(a₂ − a₀) when
// a₁'s term cancels exactly, or from e^(2(a₁ − a₀)) when that is larger. At spreads of 10 to 40
// the direct formula at 1000 bits sees it; scaled by 1e29 only the grouped formula can, and it must
// round the same way.
TEST(Vector, TiesAtTheMaximumRoundLikeAtModerateSpreads) {
  struct Case {
    Fn fn;
    Eigen::VectorXd x, v;
    Eigen::VectorXd ties;  // the leading entries, which tend to a tie, rounded into bfloat16
  };
  const double t = 0x1.01p0;
  const std::vector<Case> cases = {
      // e^(a₁ − a₀) leads: g₀ − L has the sign of v₁ − v₂, g₁ − L that of v₀ − v₂.
      {Fn::softmax, row({0, 0, -10}), row({t, 0, 0.5}), row({0x1p-2, -0x1p-2})},
      {Fn::softmin, row({0, 0, 10}), row({t, 0, 0.5}), row({-0x1p-2, 0x1p-2})},
      // For g₀ a₁'s term cancels (v₂ = v₁): e^(a₃ − a₀) = e^(−11) leads over e^(−20).
      {Fn::softmax, row({0, 0, -10, -11}), row({t, 0, 0, 0.5}), row({0x1p-2, -0x1p-2})},
      // … and here e^(2(a₁ − a₀)) = e^(−20) leads over e^(−40): g₀ − L has the sign of −c₀ < 0.
      {Fn::softmax, row({0, 0, -10, -40}), row({t, 0, 0, 0.5}), row({0x1p-2, -0x1p-2})},
      {Fn::softmax, row({0, 0, -10}), row({t, 0, 0}), row({0x1p-2, -0x1p-2})},
      // log_softmax: L = vᵢ − Σv/2 at the maximum, and g − L has the sign of Σv.
      {Fn::log_softmax, row({0, 0, -10}), row({t, 0, 0}), row({0x1.02p-1, -0.5})},
      {Fn::log_softmax, row({0, 0, -10}), row({0, 0, t}), row({-0.5, -0.5})},
      // Below the maximum L = vᵢ, here 0x1.01p0 (no bfloat16), and g − L = −sᵢ·Σv < 0.
      {Fn::log_softmax, row({-10, 0, 0}), row({t, 0, 0}), row({1})},
  };
  for (const Case& c : cases) {
    const auto n = c.ties.size();
    const Eigen::VectorXd moderate =
        correctly_rounded_row(c.fn, Quantity::kDerivative, c.x, c.v, Params{}, Format::kBF16);
    EXPECT_TRUE(same_row(moderate, direct_vjp(c.fn, c.x, c.v, Format::kBF16)))
        << activation(c.fn).name << " x = " << c.x.transpose() << ": " << moderate.transpose();
    EXPECT_TRUE(same_row(moderate.head(n), c.ties))
        << activation(c.fn).name << " x = " << c.x.transpose() << ": " << moderate.transpose();
    const Eigen::VectorXd huge = correctly_rounded_row(c.fn, Quantity::kDerivative, 1e29 * c.x, c.v,
                                                       Params{}, Format::kBF16);
    EXPECT_TRUE(same_row(huge.head(n), c.ties))
        << activation(c.fn).name << " x = " << c.x.transpose() << " · 1e29: " << huge.transpose();
  }
}

// Every row the engine measures the vector entries on (sample:30: the adversarial rows and 30
// random ones, up to 4096 long, at scales up to the format's largest) has exact values and VJPs,
// quickly. Among them are swiglu gradients that tend to rounding ties (rows 15 to 25 in bfloat16
// and float32; see SwigluGradientsThatTendToATieAreDecided).
TEST(Vector, EngineRowsHaveExactValuesAndVjps) {
  const auto start = std::chrono::steady_clock::now();
  for (Fn fn : {Fn::softmax, Fn::softmin, Fn::log_softmax, Fn::maxout, Fn::glu, Fn::swiglu}) {
    const Params p = default_params(fn);
    for (Format format : kRowFormats) {
      const engine::RowInputs rows(engine::parse_input_spec("sample:30"), fn, p, format);
      for (std::uint64_t i = 0; i < rows.size(); ++i) {
        const engine::RowInput r = rows.at(i);
        for (Quantity q : {Quantity::kValue, Quantity::kDerivative}) {
          EXPECT_NO_THROW(reference::exact_row(fn, q, r.x, r.dy, p, format))
              << activation(fn).name << " " << spec(format).name << " " << reference::to_string(q)
              << " row " << i;
        }
      }
    }
  }
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
  std::cout << "vector entries on the engine's sample:30 rows: " << seconds.count() << " s\n";
  // A bound far above the time taken, which the Ziv loop running to its 65536 bits (minutes)
  // breaks.
  EXPECT_LT(seconds.count(), 60);
}

// A row with one +inf entry: softmax is one-hot in the limit, so log_softmax's VJP is v − e·Σv
// (e the one-hot row) and softmax's is 0, written out here by hand.
TEST(Vector, VjpsOfOneHotRowsAreTheirLimits) {
  const Eigen::VectorXd x = row({INFINITY, 0, -3});
  for (const Eigen::VectorXd& v :
       {row({0, 1, 0}), row({2, 3, -4}), row({1, 0, 0}), row({0, 0, 5}), row({-1, 0.5, 0.5})}) {
    Eigen::VectorXd limit = v;
    limit[0] -= v.sum();
    EXPECT_EQ(
        correctly_rounded_row(Fn::log_softmax, Quantity::kDerivative, x, v, Params{}, Format::kF32),
        limit)
        << v.transpose();
    EXPECT_EQ(
        correctly_rounded_row(Fn::softmax, Quantity::kDerivative, x, v, Params{}, Format::kF32),
        row({0, 0, 0}))
        << v.transpose();
  }
}

// A −inf entry weighs exactly 0: its VJP is +0·(vᵢ − ⟨s, v⟩), signed like the limit as xᵢ → −inf.
// Here vᵢ − ⟨s, v⟩ = ±(2^-120 ∓ 0.2·e^-200)/(2 + e^-200) straddles 0 at the first working
// precision, and +0 times that enclosure must not come out as one signed zero.
TEST(Vector, MinusInfinityEntriesTakeTheSignOfTheirLimit) {
  const Eigen::VectorXd x = row({0, 0, -200, -INFINITY});
  for (double tiny : {-0x1p-120, 0x1p-120}) {
    const Eigen::VectorXd v = row({1, tiny, 0.3, 0.5});
    const bool negative = tiny > 0;  // v₃ − ⟨s, v⟩ has the sign of −tiny
    const Eigen::VectorXd g =
        correctly_rounded_row(Fn::softmax, Quantity::kDerivative, x, v, Params{}, Format::kF32);
    EXPECT_TRUE(g[3] == 0 && std::signbit(g[3]) == negative) << g[3];
    const Eigen::VectorXd gmin =
        correctly_rounded_row(Fn::softmin, Quantity::kDerivative, -x, v, Params{}, Format::kF32);
    EXPECT_TRUE(gmin[3] == 0 && std::signbit(gmin[3]) != negative) << gmin[3];
  }
}

TEST(Vector, MaxoutRoutesTheGradientToTheFirstArgmax) {
  const Params p = default_params(Fn::maxout);  // k = 2
  EXPECT_EQ(value(Fn::maxout, row({1, 3, 5, 5})), row({3, 5}));
  EXPECT_EQ(correctly_rounded_row(Fn::maxout, Quantity::kDerivative, row({1, 3, 5, 5}),
                                  row({10, 20}), p, Format::kF32),
            row({0, 10, 20, 0}));
}

TEST(Vector, GatedEntriesAreProductsOfTheirElementwiseParts) {
  const Eigen::VectorXd x = row({0.5, -2.0, 1.25, 3.0});  // a = [0.5, −2], b = [1.25, 3]
  const auto glu =
      reference::evaluate_row(Fn::glu, Quantity::kValue, x, Eigen::VectorXd(), Params{}, 256);
  const auto swiglu =
      reference::evaluate_row(Fn::swiglu, Quantity::kValue, x, Eigen::VectorXd(), Params{}, 256);
  for (int i = 0; i < 2; ++i) {
    const Oracle a(x[i]), b(x[2 + i]);
    EXPECT_TRUE(agree_to_bits(glu[i], Real(a / (1 + exp(-b))), 240));
    EXPECT_TRUE(agree_to_bits(swiglu[i], Real(a / (1 + exp(-a)) * b), 240));
  }
}

// swiglu's ∂/∂a = v·b·silu′(a) where v·b is exactly a rounding tie (of the format, or of the
// measuring grid) and a > 0 is so large that silu′(a) − 1 ≈ (a − 1)·e^(−a) is out of reach of the
// reference's precision, or of MPFR's exponent range. The first four are elements of the engine's
// sample:200 rows that the reference could not round.
struct TieCase {
  double a, b, v;
  Format format;
};
const TieCase kSwigluTies[] = {
    {0x1.58p+77, -0x1.b8p+78, 0x1.4p-1, Format::kBF16},  // v·b has 9 bits: a bfloat16 tie
    {0x1.06p+49, 0x1.f4p+49, 0x1.8p-2, Format::kBF16},
    {0x1.08eea6p+30, 0x1.52ec8p+28, 0x1.494166p-2, Format::kF32},  // 41 bits: a grid tie
    {0x1.d57178p+80, 0x1.8e78e8p+80, -0x1.ace6cp-6, Format::kF32},
    {0x1.b5cp+11, 0x1.ap+11, 0x1.8ap-2, Format::kF16},  // e^(−a) = 2^-5052: needed 8192 bits
    {0x1p+1023, 1.5, 0x1.004p0, Format::kF16},          // 3075/2048: a float16 tie
    {50000, -1.71875, 1.25, Format::kBF16},
    {50000, 1 + 0x1p-17, 1 + 0x1p-23, Format::kF32},  // 1 + 2^-17 + 2^-23 + 2^-40: a grid tie
};

// v·b·silu′(a) from silu′(a) = σ(a)·(1 + a·σ(−a)) at `bits` of precision, in MPFR directly.
double direct_swiglu_d_inner(const TieCase& c, mpfr_prec_t bits, const FormatSpec& grid) {
  mpfr_t e, s, t, r;
  for (mpfr_ptr m : {e, s, t, r}) mpfr_init2(m, bits);
  mpfr_set_d(e, -c.a, MPFR_RNDN);
  mpfr_exp(e, e, MPFR_RNDN);  // e^(−a)
  mpfr_add_ui(t, e, 1, MPFR_RNDN);
  mpfr_ui_div(s, 1, t, MPFR_RNDN);  // σ(a)
  mpfr_mul(t, e, s, MPFR_RNDN);     // σ(−a) = e^(−a)·σ(a)
  mpfr_mul_d(t, t, c.a, MPFR_RNDN);
  mpfr_add_ui(t, t, 1, MPFR_RNDN);
  mpfr_mul(r, s, t, MPFR_RNDN);
  mpfr_mul_d(r, r, c.b, MPFR_RNDN);
  mpfr_mul_d(r, r, c.v, MPFR_RNDN);
  EXPECT_FALSE(reference::is_midpoint(r, grid));
  const double rounded = reference::round_to_format(r, grid);
  for (mpfr_ptr m : {e, s, t, r}) mpfr_clear(m);
  return rounded;
}

TEST(Vector, SwigluGradientsThatTendToATieAreDecided) {
  for (const TieCase& c : kSwigluTies) {
    const std::vector<reference::Exact> g = reference::exact_row(
        Fn::swiglu, Quantity::kDerivative, row({c.a, c.b}), row({c.v}), Params{}, c.format);
    const Oracle vb = Oracle(c.v) * c.b;
    // The case is what it claims: v·b, exact in the oracle type, is a tie of one of the grids.
    EXPECT_TRUE(reference::is_midpoint(vb.backend().data(), c.format) ||
                reference::is_midpoint(vb.backend().data(), reference::measuring_grid(c.format)))
        << c.a;
    for (const FormatSpec* grid : {&spec(c.format), &reference::measuring_grid(c.format)}) {
      const double got = grid == &reference::measuring_grid(c.format) ? g[0].approx : g[0].rounded;
      double want;
      if (c.a <= 50000) {
        // Directly, at twice the bits that e^(−a) lies below 1: the tail is resolved.
        want = direct_swiglu_d_inner(c, 1 << 18, *grid);
      } else {
        // For a ≥ 2^10, 0 < silu′(a) − 1 = σ(−a)·(a·σ(a) − 1) < a·e^(−a) < 2^-1000, and the
        // nearest rounding boundary of either grid other than v·b itself is more than 2^-42·|v·b|
        // away: v·b·silu′(a) rounds as v·b·(1 + 2^-200) does.
        Oracle nudged = vb * (1 + pow(Oracle(2), -200));
        want = reference::round_to_format(nudged.backend().data(), *grid);
      }
      EXPECT_TRUE(reference::same_bits(got, want))
          << grid->name << " a = " << c.a << ", b = " << c.b << ", v = " << c.v << ": " << got
          << ", not " << want;
    }
  }
}

// v·b = ±0 keeps IEEE's sign of the product v·b·silu′(a), on either side of silu′'s crossing of 1.
TEST(Vector, SwigluZeroGradientsKeepTheirSign) {
  for (double a : {0.5, 1.0, 3.0, 0x1p100}) {
    for (auto [b, v] : {std::pair{-0.0, 0.5}, {0.0, -0.5}, {0.0, 0.5}, {2.0, 0.0}, {-2.0, 0.0}}) {
      const Eigen::VectorXd g = correctly_rounded_row(
          Fn::swiglu, Quantity::kDerivative, row({a, b}), row({v}), Params{}, Format::kF32);
      EXPECT_TRUE(g[0] == 0 && std::signbit(g[0]) == std::signbit(v * b))
          << "a = " << a << ", b = " << b << ", v = " << v << ": " << g[0];
    }
  }
}

// Around silu′'s crossing of 1 (a ≈ 1.2785), where silu′(a) − 1 changes sign, and up to a = 40:
// against the direct formula at a precision where nothing is out of reach.
TEST(Vector, SwigluGradientsAtModerateArgumentsRoundLikeTheDirectFormula) {
  for (double a : {0x1p-20, 0.25, 1.0, 1.25, 1.28125, 1.5, 7.0, 40.0}) {
    const TieCase c{a, -1.71875, 1.25, Format::kBF16};
    const Eigen::VectorXd g = correctly_rounded_row(
        Fn::swiglu, Quantity::kDerivative, row({c.a, c.b}), row({c.v}), Params{}, c.format);
    const double want = direct_swiglu_d_inner(c, 4096, spec(c.format));
    EXPECT_TRUE(reference::same_bits(g[0], want))
        << "a = " << a << ": " << g[0] << ", not " << want;
  }
}

// ---- The fast tier of exact_row must change nothing: every element it decides, bit for bit as
// MPFR alone decides it, on the engine's rows (the adversarial ones and 300 random ones, a superset
// of the report's sample:200) and on rows made to trip it: exact zeros, signed zeros, ties,
// underflow, equal entries. MPFR alone must decide every one of these rows.

bool same_exact_rows(Fn fn, Quantity q, const Eigen::VectorXd& x, const Eigen::VectorXd& v,
                     Format format) {
  const Params p = default_params(fn);
  std::vector<reference::Exact> fast, mpfr;
  try {
    mpfr = reference::exact_row(fn, q, x, v, p, format, reference::Tier::kMpfrOnly);
  } catch (const std::logic_error& e) {
    ADD_FAILURE() << activation(fn).name << " " << spec(format).name << " "
                  << reference::to_string(q) << ": " << e.what() << "\nx = " << x.transpose()
                  << "\nv = " << v.transpose();
    return false;
  }
  fast = reference::exact_row(fn, q, x, v, p, format, reference::Tier::kFastThenMpfr);
  for (std::size_t i = 0; i < fast.size(); ++i) {
    if (!reference::same_bits(fast[i].rounded, mpfr[i].rounded) ||
        !reference::same_bits(fast[i].approx, mpfr[i].approx)) {
      ADD_FAILURE() << activation(fn).name << " " << spec(format).name << " "
                    << reference::to_string(q) << " element " << i << ": fast tier "
                    << fast[i].rounded << " / " << fast[i].approx << ", MPFR " << mpfr[i].rounded
                    << " / " << mpfr[i].approx << "\nx = " << x.transpose()
                    << "\nv = " << v.transpose();
      return false;
    }
  }
  return true;
}

constexpr Fn kVectorEntries[] = {Fn::softmax, Fn::softmin, Fn::log_softmax,
                                 Fn::maxout,  Fn::glu,     Fn::swiglu};

class FastTier : public ::testing::TestWithParam<Fn> {};

TEST_P(FastTier, RoundsLikeMpfrAloneOnTheEngineRows) {
  const Fn fn = GetParam();
  for (Format format : kRowFormats) {
    const engine::RowInputs rows(engine::parse_input_spec("sample:300"), fn, default_params(fn),
                                 format);
    for (std::uint64_t i = 0; i < rows.size(); ++i) {
      const engine::RowInput r = rows.at(i);
      for (Quantity q : {Quantity::kValue, Quantity::kDerivative}) {
        if (!same_exact_rows(fn, q, r.x, r.dy, format)) return;
      }
    }
  }
}

TEST_P(FastTier, RoundsLikeMpfrAloneOnRowsMadeToTripIt) {
  const Fn fn = GetParam();
  const Eigen::Index k = fn == Fn::maxout ? static_cast<Eigen::Index>(default_params(fn)[0]) : 2;
  std::vector<std::pair<Eigen::VectorXd, Eigen::VectorXd>> rows;
  // Rows of 4 (both halves of glu/swiglu, two groups of maxout) and v of the output's length.
  auto add = [&](std::initializer_list<double> x, std::initializer_list<double> v4) {
    const Eigen::VectorXd xr = row(x);
    Eigen::VectorXd v = row(v4).head(reference::output_length(fn, xr.size(), Params{{double(k)}}));
    rows.emplace_back(xr, v);
  };
  add({0, 0, 0, 0}, {1, 1, 1, 1});  // softmax's VJP exactly 0
  add({2, 2, 7, 7}, {4, 4, 4, 4});
  add({1, 2, 3, 4}, {0, 0, 0, 0});  // every VJP exactly 0
  add({1, 2, 3, 4}, {-0.0, 0, -0.0, 0});
  add({-0.0, 0, -0.0, 0.0}, {0.5, -0.5, 0.25, -0.25});  // signed zeros: glu/swiglu products ±0
  add({0, -0.0, 3, -3}, {-0.0, 0.5, 0, -1});
  add({0x1.58p+77, 2, -0x1.b8p+78, 1}, {0x1.4p-1, 1, 0.5, 0.5});  // swiglu's bfloat16 tie
  add({1e30, 0, -1e30, 5}, {0.75, -0.25, 1, 1});           // huge spread: underflowing weights
  add({-800, -900, 700, 1e-300}, {1e-30, -1, 1e30, 0.5});  // underflow and a tiny entry
  add({0.5, 0.5, 0.5, 0.5}, {0.25, 0.5, 0.75, 1});         // one group; ⟨s, v⟩ exact
  add({0, 0, -10, -20}, {0x1.01p0, 0, 0.5, 0});            // ties at the maximum (bfloat16)
  add({1, 3, 5, 5}, {10, 20, 10, 20});
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(-1, 1);
  for (int r = 0; r < 60; ++r) {
    // Small integers and dyadic v: many exact sums, equal entries and products that are ties.
    const auto n = static_cast<Eigen::Index>(2 * (1 + r % 8));
    Eigen::VectorXd x(n), v(reference::output_length(fn, n, default_params(fn)));
    for (double& e : x) e = std::round(4 * unit(rng)) * (r % 3 == 0 ? 0x1p60 : 1);
    for (double& e : v) e = std::round(8 * unit(rng)) / 8;
    rows.emplace_back(x, v);
  }
  for (Format format : kRowFormats) {
    for (const auto& [x, v] : rows) {
      for (Quantity q : {Quantity::kValue, Quantity::kDerivative}) {
        if (!same_exact_rows(fn, q, x, v, format)) return;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(VectorEntries, FastTier, ::testing::ValuesIn(kVectorEntries));

TEST(Vector, RowsThatDoNotSuitTheEntryAreRejected) {
  const Params p = default_params(Fn::maxout);
  EXPECT_THROW(reference::output_length(Fn::glu, 3, Params{}), std::invalid_argument);
  EXPECT_THROW(reference::output_length(Fn::maxout, 5, p), std::invalid_argument);
  EXPECT_THROW(reference::output_length(Fn::softmax, 0, Params{}), std::invalid_argument);
  EXPECT_THROW(reference::output_length(Fn::gelu, 4, Params{}), reference::Unsupported);
}

}  // namespace
}  // namespace actcheck::testing
