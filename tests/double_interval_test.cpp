// The fast tier's interval arithmetic against MPFR: for operands of every sign (positive,
// negative, straddling 0, points, ends at ±0), a + b, a − b, a·b and a/b enclose every exact
// combination of the operands' ends, and are tight (each end at most two doubles outside the
// directed rounding of the extreme corner). The one-signed shortcuts pick two corners out of four
// by the operands' signs: a corner picked wrong fails the enclosure here.
#include "reference/double_interval.hpp"

#include <gtest/gtest.h>
#include <mpfr.h>

#include <array>
#include <cmath>
#include <random>
#include <string_view>

#include "interval_operands.hpp"

namespace actcheck::reference {
namespace {

// Each operation twice: MPFR's, and the interval's.
struct Op {
  const char* name;
  int (*exact)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t);
  DoubleInterval (*enclose)(const DoubleInterval&, const DoubleInterval&);
};
const Op kAdd = {"+", mpfr_add,
                 [](const DoubleInterval& a, const DoubleInterval& b) { return a + b; }};
const Op kSub = {"-", mpfr_sub,
                 [](const DoubleInterval& a, const DoubleInterval& b) { return a - b; }};
const Op kMul = {"*", mpfr_mul,
                 [](const DoubleInterval& a, const DoubleInterval& b) { return a * b; }};
const Op kDiv = {"/", mpfr_div,
                 [](const DoubleInterval& a, const DoubleInterval& b) { return a / b; }};

// x op y rounded toward −∞ and toward +∞ into a double, by MPFR (a directed rounding of a
// 200-bit directed rounding is the directed rounding of the exact value).
std::array<double, 2> directed(const Op& op, double x, double y) {
  mpfr_t a, b, r;
  mpfr_inits2(200, a, b, r, static_cast<mpfr_ptr>(nullptr));
  mpfr_set_d(a, x, MPFR_RNDN);
  mpfr_set_d(b, y, MPFR_RNDN);
  std::array<double, 2> out;
  for (int i = 0; i < 2; ++i) {
    const mpfr_rnd_t rnd = i == 0 ? MPFR_RNDD : MPFR_RNDU;
    op.exact(r, a, b, rnd);
    out[i] = mpfr_get_d(r, rnd);
  }
  mpfr_clears(a, b, r, static_cast<mpfr_ptr>(nullptr));
  return out;
}

void check(const Op& op, const DoubleInterval& a, const DoubleInterval& b) {
  const DoubleInterval r = op.enclose(a, b);
  double lowest = INFINITY, highest = -INFINITY;
  for (double x : {a.lo(), a.hi()}) {
    for (double y : {b.lo(), b.hi()}) {
      const std::array<double, 2> d = directed(op, x, y);
      lowest = std::min(lowest, d[0]);
      highest = std::max(highest, d[1]);
    }
  }
  const auto where = [&] {
    return ::testing::Message() << std::hexfloat << "[" << a.lo() << ", " << a.hi() << "] "
                                << op.name << " [" << b.lo() << ", " << b.hi() << "] = [" << r.lo()
                                << ", " << r.hi() << "], exact within [" << lowest << ", "
                                << highest << "]";
  };
  ASSERT_FALSE(r.has_nan()) << where();
  ASSERT_LE(r.lo(), lowest) << where();
  ASSERT_GE(r.hi(), highest) << where();
  const auto two_below = [](double v) {
    return std::nextafter(std::nextafter(v, -INFINITY), -INFINITY);
  };
  const auto two_above = [](double v) {
    return std::nextafter(std::nextafter(v, INFINITY), INFINITY);
  };
  ASSERT_GE(r.lo(), two_below(lowest)) << "not tight: " << where();
  ASSERT_LE(r.hi(), two_above(highest)) << "not tight: " << where();
  if (r.is_point()) {
    ASSERT_EQ(lowest, highest) << "a point for an inexact result: " << where();
  }
}

TEST(DoubleInterval, ArithmeticEnclosesEveryCornerForEverySignOfItsOperands) {
  Operands gen(20261207);
  int per_case[4][4] = {};
  for (int i = 0; i < 200000; ++i) {
    const int ka = gen.kind(), kb = gen.kind();
    const DoubleInterval a = gen.interval(ka), b = gen.interval(kb);
    for (const Op* op : {&kAdd, &kSub, &kMul}) {
      check(*op, a, b);
      if (HasFatalFailure()) return;
    }
    // Division needs b clear of 0 (otherwise the answer is the whole line, checked below).
    if (b.lo() > 0 || b.hi() < 0) {
      check(kDiv, a, b);
      if (HasFatalFailure()) return;
    }
    ++per_case[ka][kb];
  }
  for (auto& row : per_case) {
    for (int n : row) EXPECT_GT(n, 10000);  // every pair of sign classes was drawn
  }
}

// The libm-based functions assume glibc within DoubleInterval::kLibmUlps: checked here on points
// over the whole double range, against MPFR's directed roundings.
struct LibmCase {
  const char* name;
  DoubleInterval (*enclose)(const DoubleInterval&);
  int (*exact)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
  double lowest;  // the domain's lower end
};

TEST(DoubleInterval, LibmEnclosuresHoldOverTheWholeDoubleRange) {
  const LibmCase cases[] = {
      {"exp", [](const DoubleInterval& a) { return exp(a); }, mpfr_exp, -INFINITY},
      {"expm1", [](const DoubleInterval& a) { return expm1(a); }, mpfr_expm1, -INFINITY},
      {"log", [](const DoubleInterval& a) { return log(a); }, mpfr_log, 0x1p-1074},
      {"log1p", [](const DoubleInterval& a) { return log1p(a); }, mpfr_log1p, -1 + 0x1p-53},
      {"tanh", [](const DoubleInterval& a) { return tanh(a); }, mpfr_tanh, -INFINITY},
      {"erf", [](const DoubleInterval& a) { return erf(a); }, mpfr_erf, -INFINITY},
      {"erfc", [](const DoubleInterval& a) { return erfc(a); }, mpfr_erfc, -INFINITY},
      {"sqrt", [](const DoubleInterval& a) { return sqrt(a); }, mpfr_sqrt, 0},
  };
  std::mt19937_64 rng(20261207);
  mpfr_t x, y;
  mpfr_inits2(200, x, y, static_cast<mpfr_ptr>(nullptr));
  for (const LibmCase& c : cases) {
    for (int i = 0; i < 20000; ++i) {
      // Every binade; half of the draws near 0 to 800, where the functions do not saturate.
      const int e =
          i % 2 ? static_cast<int>(rng() % 2098) - 1074 : static_cast<int>(rng() % 70) - 60;
      double v = std::ldexp(1 + std::ldexp(static_cast<double>(rng() >> 11), -53), e);
      if (rng() % 2) v = -v;
      if (!(v >= c.lowest)) v = std::fabs(v);
      if (std::string_view(c.name) == "log1p" && !(v > -1)) continue;
      const DoubleInterval r = c.enclose(DoubleInterval(v));
      mpfr_set_d(x, v, MPFR_RNDN);
      c.exact(y, x, MPFR_RNDN);
      const double lo = mpfr_get_d(y, MPFR_RNDD), hi = mpfr_get_d(y, MPFR_RNDU);
      ASSERT_TRUE(r.lo() <= lo && hi <= r.hi())
          << c.name << "(" << std::hexfloat << v << ") enclosed in [" << r.lo() << ", " << r.hi()
          << "], exact within [" << lo << ", " << hi << "]";
    }
  }
  mpfr_clears(x, y, static_cast<mpfr_ptr>(nullptr));
}

TEST(DoubleInterval, DivisionByAnIntervalAcrossZeroIsTheWholeLine) {
  const DoubleInterval r = DoubleInterval(1.0) / DoubleInterval::between(-1.0, 2.0);
  EXPECT_EQ(r.lo(), -INFINITY);
  EXPECT_EQ(r.hi(), INFINITY);
}

TEST(DoubleInterval, ExactResultsStayPoints) {
  EXPECT_TRUE((DoubleInterval(0.5) + DoubleInterval(0.25)).is_point());
  EXPECT_TRUE((DoubleInterval(3.0) * DoubleInterval(0.125)).is_point());
  EXPECT_TRUE((DoubleInterval(1.0) / DoubleInterval(4.0)).is_point());
  EXPECT_FALSE((DoubleInterval(1.0) / DoubleInterval(3.0)).is_point());
  EXPECT_FALSE((DoubleInterval(1.0) + DoubleInterval(0x1p-60)).is_point());
}

}  // namespace
}  // namespace actcheck::reference
