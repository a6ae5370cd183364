// The fast tier's lanes (reference/interval_lanes.hpp) against its scalar arithmetic, which
// double_interval_test holds against MPFR:
//  - for operands that are not points, every lane of a + b, a − b, a·b, a/b, a², −a and the sign
//    clamps has DoubleInterval's ends, bit for bit (the same roundings of the same corners, moved
//    out alike); for points, which DoubleInterval keeps exact where it can, the lane encloses its
//    result;
//  - SLEEF's functions, widened by kLibmUlps, enclose MPFR's values over the whole double range,
//    at points and at both ends of intervals, in every width this CPU runs;
//  - each instruction set's lane enclosures (in_lanes.cpp) hold MPFR's, and round alike.
#include "reference/interval_lanes.hpp"

#include <gtest/gtest.h>
#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <random>
#include <string_view>
#include <vector>

#include "interval_operands.hpp"
#include "reference/in_lanes.hpp"
#include "reference/reference.hpp"
#include "reference/rounding.hpp"

namespace actcheck::reference {
namespace {

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
  Operands gen(20261208);
  for (int round = 0; round < 20000; ++round) {
    DoubleInterval a[kWidth], b[kWidth];
    for (std::size_t i = 0; i < kWidth; ++i) {
      a[i] = gen.interval(gen.kind());
      b[i] = gen.interval(gen.kind());
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

namespace actcheck::reference {
namespace {

struct InstructionSet {
  const char* name;
  const FastTierLanes& (*lanes)();
  bool runs;
};

std::vector<InstructionSet> instruction_sets() {
  return {{"portable", &portable::fast_tier_lanes, true},
          {"avx2", &avx2::fast_tier_lanes, __builtin_cpu_supports("x86-64-v3") != 0},
          {"avx512", &avx512::fast_tier_lanes, __builtin_cpu_supports("x86-64-v4") != 0}};
}

// Every instruction set's lane enclosures (the engine runs the one of its CPU; this runs each the
// CPU can) hold MPFR's enclosure at 200 bits, for each entry written for lanes, value and
// derivative, on float32 patterns of every binade and the special values; infinite and NaN inputs
// come back open (NaN ends). Their roundings agree bit for bit with the portable version's.
TEST(IntervalLanes, EveryInstructionSetsEnclosuresHoldMpfrsAndRoundAlike) {
  std::mt19937 rng(20261208);
  std::vector<double> x = {0.0, -0.0, INFINITY, -INFINITY, NAN, 0x1p-149, -0x1p-126, 0x1p-16};
  while (x.size() < 1024) {
    const float f = std::bit_cast<float>(static_cast<std::uint32_t>(rng()));
    if (std::isfinite(f)) x.push_back(f);
  }
  const NearestRounding to_target(spec(Format::kF32)), to_grid(measuring_grid(Format::kF32));
  std::size_t checked = 0;
  for (const InstructionSet& isa : instruction_sets()) {
    if (!isa.runs) continue;
    for (std::size_t f = 0; f < kNumActivations; ++f) {
      const LaneEnclosure enclose_lanes = isa.lanes().enclose[f];
      if (enclose_lanes == nullptr) continue;
      const Fn fn = kCatalog[f].id;
      const Params p = default_params(fn);
      for (Quantity q : {Quantity::kValue, Quantity::kDerivative}) {
        std::vector<double> lo(x.size() + 8), hi(x.size() + 8);
        enclose_lanes(q, x.data(), x.size(), p, lo.data(), hi.data());
        std::size_t open = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
          const auto where = [&] {
            return ::testing::Message()
                   << isa.name << " " << kCatalog[f].name << " " << to_string(q)
                   << " x=" << std::hexfloat << x[i] << ": [" << lo[i] << ", " << hi[i] << "]";
          };
          if (!std::isfinite(x[i])) {
            ASSERT_TRUE(std::isnan(lo[i]) && std::isnan(hi[i])) << where();
            continue;
          }
          if (std::isnan(lo[i]) || std::isnan(hi[i])) {
            ++open;
            continue;
          }
          const MpfrInterval e = enclose(fn, q, x[i], p, 200);
          ASSERT_TRUE(mpfr_cmp_d(e.lo(), lo[i]) >= 0 && mpfr_cmp_d(e.hi(), hi[i]) <= 0) << where();
          ++checked;
        }
        EXPECT_LE(open, 2u) << isa.name << " " << kCatalog[f].name << " " << to_string(q);
        // The roundings of these enclosures, against the portable version's.
        std::vector<Exact> out(x.size()), portable_out(x.size());
        std::vector<std::uint16_t> open_at(x.size()), portable_open_at(x.size());
        for (std::size_t first = 0; first < x.size(); first += 256) {
          const std::size_t n = std::min<std::size_t>(256, x.size() - first);
          const std::size_t a = isa.lanes().round_enclosures(
              to_target, to_grid, &lo[first], &hi[first], n, &out[first], open_at.data());
          const std::size_t b = portable::fast_tier_lanes().round_enclosures(
              to_target, to_grid, &lo[first], &hi[first], n, &portable_out[first],
              portable_open_at.data());
          ASSERT_EQ(a, b) << isa.name << " " << kCatalog[f].name;
          ASSERT_TRUE(std::equal(open_at.begin(), open_at.begin() + a, portable_open_at.begin()));
        }
        for (std::size_t i = 0; i < x.size(); ++i) {
          ASSERT_TRUE(same_bits(out[i].rounded, portable_out[i].rounded) &&
                      same_bits(out[i].approx, portable_out[i].approx))
              << isa.name << " " << kCatalog[f].name << " x=" << std::hexfloat << x[i];
        }
      }
    }
  }
  EXPECT_GT(checked, 3u * 13 * 2 * 1000);
}

}  // namespace
}  // namespace actcheck::reference
