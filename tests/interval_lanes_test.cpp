// The fast tier's lanes (reference/interval_lanes.hpp) against its scalar arithmetic, which
// double_interval_test holds against MPFR:
//  - for operands that are not points, every lane of a + b, a − b, a·b, a/b, a², −a and the sign
//    clamps has DoubleInterval's ends, bit for bit (the same roundings of the same corners, moved
//    out alike); for points, which DoubleInterval keeps exact where it can, the lane encloses its
//    result;
//  - SLEEF's functions, widened by kLibmUlps, enclose MPFR's values over the whole double range,
//    at points and at both ends of intervals, in every width this CPU runs.
#include "reference/interval_lanes.hpp"

#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <functional>
#include <random>
#include <string_view>

#include "reference/rounding.hpp"

namespace actcheck::reference {
namespace {

// Magnitudes over every binade of the double range, now and then 0; intervals of every sign class.
class Operands {
 public:
  double magnitude() {
    if (rng_() % 16 == 0) return 0.0;
    const int e = static_cast<int>(rng_() % 2098) - 1074;
    return std::ldexp(1 + std::ldexp(static_cast<double>(rng_() >> 11), -53), e);
  }
  // 0 positive, 1 negative, 2 across 0, 3 a point.
  DoubleInterval interval() {
    double m1 = magnitude(), m2 = magnitude();
    if (m1 > m2) std::swap(m1, m2);
    if (rng_() % 2) m2 = std::nextafter(m1, INFINITY) + m1 * std::ldexp(1.0, -40);
    switch (rng_() % 4) {
      case 0:
        return DoubleInterval::between(m1, m2);
      case 1:
        return DoubleInterval::between(-m2, m1 == 0 ? -0.0 : -m1);
      case 2:
        return DoubleInterval::between(-m1, m2);
      default:
        return DoubleInterval(rng_() % 2 ? m1 : -m1);
    }
  }

 private:
  std::mt19937_64 rng_{20261208};
};

template <std::size_t kWidth>
IntervalLanes<kWidth> in_lanes(const DoubleInterval (&e)[kWidth]) {
  typename IntervalLanes<kWidth>::Doubles lo, hi;
  for (std::size_t i = 0; i < kWidth; ++i) {
    lo[i] = e[i].lo();
    hi[i] = e[i].hi();
  }
  return IntervalLanes<kWidth>::between(lo, hi);
}

template <std::size_t kWidth>
void check_arithmetic() {
  using Lanes = IntervalLanes<kWidth>;
  struct Op {
    const char* name;
    std::function<DoubleInterval(const DoubleInterval&, const DoubleInterval&)> one;
    std::function<Lanes(const Lanes&, const Lanes&)> lanes;
  };
  const Op ops[] = {
      {"+", std::plus<>(), std::plus<>()},
      {"-", std::minus<>(), std::minus<>()},
      {"*", std::multiplies<>(), std::multiplies<>()},
      {"/", std::divides<>(), std::divides<>()},
      {"a^2", [](auto& a, auto&) { return square(a); }, [](auto& a, auto&) { return square(a); }},
      {"-a", [](auto& a, auto&) { return -a; }, [](auto& a, auto&) { return -a; }},
      {"known_negative", [](auto& a, auto&) { return a.known_negative(); },
       [](auto& a, auto&) { return a.known_negative(); }},
      {"known_positive", [](auto& a, auto&) { return a.known_positive(); },
       [](auto& a, auto&) { return a.known_positive(); }},
  };
  Operands gen;
  for (int round = 0; round < 20000; ++round) {
    DoubleInterval a[kWidth], b[kWidth];
    for (std::size_t i = 0; i < kWidth; ++i) {
      a[i] = gen.interval();
      b[i] = gen.interval();
    }
    for (const Op& op : ops) {
      const Lanes r = op.lanes(in_lanes(a), in_lanes(b));
      for (std::size_t i = 0; i < kWidth; ++i) {
        const DoubleInterval one = op.one(a[i], b[i]);
        const auto where = [&] {
          return ::testing::Message()
                 << std::hexfloat << kWidth << " lanes: [" << a[i].lo() << ", " << a[i].hi() << "] "
                 << op.name << " [" << b[i].lo() << ", " << b[i].hi() << "] = [" << r.lo()[i]
                 << ", " << r.hi()[i] << "], DoubleInterval [" << one.lo() << ", " << one.hi()
                 << "]";
        };
        if (!a[i].is_point() && !b[i].is_point()) {
          ASSERT_TRUE(same_bits(r.lo()[i], one.lo()) && same_bits(r.hi()[i], one.hi())) << where();
        } else {
          ASSERT_TRUE(r.lo()[i] <= one.lo() && one.hi() <= r.hi()[i]) << where();
        }
      }
    }
  }
}

TEST(IntervalLanes, ArithmeticGivesDoubleIntervalsEndsInEveryLane) {
  check_arithmetic<2>();
  check_arithmetic<4>();
  check_arithmetic<8>();
}

// f of the lanes, and MPFR's f, for each of SLEEF's functions.
template <std::size_t kWidth>
struct Function {
  const char* name;
  IntervalLanes<kWidth> (*enclose)(const IntervalLanes<kWidth>&);
  int (*exact)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
  double lowest;  // the domain's lower end
  bool increasing;
};

template <std::size_t kWidth>
void check_functions() {
  using Lanes = IntervalLanes<kWidth>;
  const Function<kWidth> functions[] = {
      {"exp", [](const Lanes& a) { return exp(a); }, mpfr_exp, -INFINITY, true},
      {"expm1", [](const Lanes& a) { return expm1(a); }, mpfr_expm1, -INFINITY, true},
      {"log", [](const Lanes& a) { return log(a); }, mpfr_log, 0x1p-1074, true},
      {"log1p", [](const Lanes& a) { return log1p(a); }, mpfr_log1p, -1 + 0x1p-53, true},
      {"tanh", [](const Lanes& a) { return tanh(a); }, mpfr_tanh, -INFINITY, true},
      {"erf", [](const Lanes& a) { return erf(a); }, mpfr_erf, -INFINITY, true},
      {"erfc", [](const Lanes& a) { return erfc(a); }, mpfr_erfc, -INFINITY, false},
  };
  std::mt19937_64 rng(20261208);
  const auto draw = [&](double lowest) {
    for (;;) {
      // Every binade; half of the draws near 0 to 2^10, where the functions do not saturate.
      const int e =
          rng() % 2 ? static_cast<int>(rng() % 2098) - 1074 : static_cast<int>(rng() % 70) - 60;
      double v = std::ldexp(1 + std::ldexp(static_cast<double>(rng() >> 11), -53), e);
      if (rng() % 2) v = -v;
      if (!(v >= lowest)) v = std::fabs(v);
      if (v >= lowest && (lowest != -1 + 0x1p-53 || v > -1)) return v;
    }
  };
  mpfr_t x, y;
  mpfr_inits2(200, x, y, static_cast<mpfr_ptr>(nullptr));
  const auto exact = [&](const Function<kWidth>& f, double v, mpfr_rnd_t rnd) {
    mpfr_set_d(x, v, MPFR_RNDN);
    f.exact(y, x, MPFR_RNDN);  // 200 bits: its directed rounding to a double is the exact one's
    return mpfr_get_d(y, rnd);
  };
  for (const Function<kWidth>& f : functions) {
    for (int round = 0; round < 4000; ++round) {
      // Points in every lane, or intervals [v, w] (the one or two calls of the enclosure).
      const bool points = round % 2 == 0;
      typename Lanes::Doubles lo, hi;
      for (std::size_t i = 0; i < kWidth; ++i) {
        lo[i] = draw(f.lowest);
        hi[i] = points ? lo[i] : draw(f.lowest);
        if (hi[i] < lo[i]) std::swap(lo[i], hi[i]);
      }
      const Lanes r = f.enclose(points ? Lanes(lo) : Lanes::between(lo, hi));
      for (std::size_t i = 0; i < kWidth; ++i) {
        // A lane left open (NaN ends) is no claim; only log1p leaves some, from 2^1000 up.
        if (std::string_view(f.name) == "log1p" && std::isnan(r.lo()[i]) && hi[i] >= 0x1p1000) {
          continue;
        }
        const double below = exact(f, f.increasing ? lo[i] : hi[i], MPFR_RNDD);
        const double above = exact(f, f.increasing ? hi[i] : lo[i], MPFR_RNDU);
        ASSERT_TRUE(r.lo()[i] <= below && above <= r.hi()[i])
            << kWidth << " lanes: " << f.name << "([" << std::hexfloat << lo[i] << ", " << hi[i]
            << "]) enclosed in [" << r.lo()[i] << ", " << r.hi()[i] << "], exact within [" << below
            << ", " << above << "]";
      }
    }
  }
  mpfr_clears(x, y, static_cast<mpfr_ptr>(nullptr));
}

TEST(IntervalLanes, FunctionsEncloseMpfrsOverTheWholeDoubleRange) {
  check_functions<2>();
  if (__builtin_cpu_supports("x86-64-v3")) check_functions<4>();
  if (__builtin_cpu_supports("x86-64-v4")) check_functions<8>();
}

}  // namespace
}  // namespace actcheck::reference
