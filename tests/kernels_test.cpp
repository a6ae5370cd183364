// actcheck's kernels (impl/kernels.hpp) apart from their accuracy, which kernel_budgets_test
// measures: every instruction set gives the same bits; IEEE behaviour at the extremes, checked
// against values computed apart from the kernels; the backward from the output against its exact
// formula; the span API's checks.
#include "impl/kernels.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "reference/reference.hpp"
#include "reference/rounding.hpp"
#include "test_support.hpp"

namespace actcheck::impl {
namespace {

using testing::elementwise_entries;

template <class T>
std::uint32_t bits_of(T v) {
  if constexpr (sizeof(T) == 2) return std::bit_cast<std::uint16_t>(v);
  if constexpr (sizeof(T) == 4) return std::bit_cast<std::uint32_t>(v);
}
template <class T>
T from_pattern(std::uint32_t pattern) {
  if constexpr (sizeof(T) == 2) return std::bit_cast<T>(static_cast<std::uint16_t>(pattern));
  if constexpr (sizeof(T) == 4) return std::bit_cast<T>(pattern);
}

template <class T>
bool same_or_both_nan(T a, T b) {
  const double da = to_double(a), db = to_double(b);
  return bits_of(a) == bits_of(b) || (std::isnan(da) && std::isnan(db));
}

// Every 16-bit pattern, or 2^18 random float32 patterns and the special ones.
template <class T>
std::vector<T> test_inputs() {
  std::vector<T> x;
  if constexpr (sizeof(T) == 2) {
    for (std::uint32_t b = 0; b < 65536; ++b) x.push_back(from_pattern<T>(b));
  } else {
    std::mt19937 rng(20261123);
    for (int i = 0; i < (1 << 18); ++i) x.push_back(from_pattern<T>(rng()));
    for (std::uint32_t b :
         {0x00000000u, 0x80000000u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u, 0x7f7fffffu,
          0xff7fffffu, 0x7f800000u, 0xff800000u, 0x7fc00000u, 0x3f800000u, 0xbf800000u}) {
      x.push_back(from_pattern<T>(b));
    }
  }
  return x;
}

// Upstream gradients: the inputs shuffled, so every pattern appears as dy too.
template <class T>
std::vector<T> shuffled(std::vector<T> v) {
  std::shuffle(v.begin(), v.end(), std::mt19937(7));
  return v;
}

struct IsaGuard {
  Isa saved = active_isa();
  ~IsaGuard() { use_isa(saved); }
};

std::vector<Isa> supported_isas() {
  std::vector<Isa> isas;
  for (Isa isa : kIsas) {
    if (is_supported(isa)) isas.push_back(isa);
  }
  return isas;
}

// The results of every pass of fn on x (and dy) under one instruction set.
template <class T>
std::vector<T> all_passes(Isa isa, Fn fn, const std::vector<T>& x, const std::vector<T>& dy) {
  use_isa(isa);
  const Params p = default_params(fn);
  std::vector<T> out(3 * x.size());
  const std::span<T> all(out);
  evaluate<T>(fn, p, Direction::kForward, 1, x, {}, all.subspan(0, x.size()));
  evaluate<T>(fn, p, Direction::kBackward, 1, x, dy, all.subspan(x.size(), x.size()));
  if (has_backward_from_output(fn)) {
    backward_from_output<T>(fn, p, x, dy, all.subspan(2 * x.size(), x.size()));
  }
  return out;
}

template <class T>
void expect_every_isa_agrees(const char* format) {
  IsaGuard guard;
  const std::vector<T> x = test_inputs<T>();
  const std::vector<T> dy = shuffled(x);
  const std::vector<Isa> isas = supported_isas();
  ASSERT_GE(isas.size(), 2u) << "only one instruction set on this CPU: nothing to compare";
  for (Fn fn : elementwise_entries()) {
    const std::vector<T> base = all_passes<T>(Isa::kPortable, fn, x, dy);
    for (Isa isa : isas) {
      const std::vector<T> other = all_passes<T>(isa, fn, x, dy);
      std::size_t differ = 0, first = 0;
      for (std::size_t i = 0; i < base.size(); ++i) {
        if (!same_or_both_nan(base[i], other[i]) && differ++ == 0) first = i;
      }
      EXPECT_EQ(differ, 0u) << activation(fn).name << " " << format << ": " << to_string(isa)
                            << " differs from portable, first at pass " << first / x.size()
                            << ", x = " << std::hexfloat << to_double(x[first % x.size()]);
    }
  }
}

TEST(InstructionSets, GiveTheSameBitsOnEveryFloat16Input) {
  expect_every_isa_agrees<Float16>("f16");
}
TEST(InstructionSets, GiveTheSameBitsOnEveryBFloat16Input) {
  expect_every_isa_agrees<BFloat16>("bf16");
}
TEST(InstructionSets, GiveTheSameBitsOnRandomFloat32Inputs) {
  expect_every_isa_agrees<float>("f32");
}

TEST(InstructionSets, UseIsaSelectsTheSet) {
  IsaGuard guard;
  for (Isa isa : supported_isas()) {
    use_isa(isa);
    EXPECT_EQ(active_isa(), isa);
  }
}

// NaN in, NaN out, in every storage type, pass and instruction set.
template <class T>
void expect_nan_gives_nan() {
  const T nan = from_pattern<T>(sizeof(T) == 2 ? (std::is_same_v<T, Float16> ? 0x7e00u : 0x7fc0u)
                                               : 0x7fc00000u);
  const T one = from_pattern<T>(sizeof(T) == 2 ? (std::is_same_v<T, Float16> ? 0x3c00u : 0x3f80u)
                                               : 0x3f800000u);
  for (Fn fn : elementwise_entries()) {
    const std::vector<T> x = {nan, one}, dy = {one, nan};
    std::vector<T> y(2), dx(2);
    evaluate<T>(fn, default_params(fn), Direction::kForward, 1, x, {}, y);
    evaluate<T>(fn, default_params(fn), Direction::kBackward, 1, x, dy, dx);
    EXPECT_TRUE(std::isnan(to_double(y[0]))) << activation(fn).name;
    EXPECT_TRUE(std::isnan(to_double(dx[0]))) << activation(fn).name << " (x NaN)";
    EXPECT_TRUE(std::isnan(to_double(dx[1]))) << activation(fn).name << " (dy NaN)";
    EXPECT_FALSE(std::isnan(to_double(y[1]))) << activation(fn).name;
  }
}
TEST(Ieee, NanGivesNan) {
  expect_nan_gives_nan<float>();
  expect_nan_gives_nan<Float16>();
  expect_nan_gives_nan<BFloat16>();
}

// The extremes the issue names, against values computed apart from the kernels (long double, and
// the reference).
TEST(Ieee, NothingOverflowsAtTheExtremes) {
  std::vector<float> x = {100.0f}, y(1);
  softplus(x, y);
  EXPECT_EQ(y[0], 100.0f);  // log(1 + e^100) = 100 + 3.7e-44

  x = {-100.0f};
  sigmoid(x, y);
  EXPECT_EQ(y[0], static_cast<float>(1.0L / (1.0L + std::exp(100.0L))));
  EXPECT_GT(y[0], 0.0f);  // 3.72e-44, a float32 subnormal, not 0

  // At ±FLT_MAX every entry gives the correctly rounded value: a limit, a finite linear tail, or
  // ±inf only where the exact value itself exceeds float32 (selu: λ·FLT_MAX).
  const float big = std::numeric_limits<float>::max();
  for (Fn fn : elementwise_entries()) {
    x = {big, -big};
    std::vector<float> out(2), dx(2);
    const std::vector<float> dy = {1.0f, 1.0f};
    evaluate<float>(fn, default_params(fn), Direction::kForward, 1, x, {}, out);
    evaluate<float>(fn, default_params(fn), Direction::kBackward, 1, x, dy, dx);
    for (int i = 0; i < 2; ++i) {
      using reference::Quantity;
      const Params p = default_params(fn);
      EXPECT_TRUE(reference::same_bits(
          out[i], reference::rounded(fn, Quantity::kValue, x[i], p, Format::kF32)))
          << activation(fn).name << " at " << x[i] << ": " << out[i];
      EXPECT_TRUE(reference::same_bits(
          dx[i], reference::rounded(fn, Quantity::kDerivative, x[i], p, Format::kF32)))
          << activation(fn).name << "′ at " << x[i] << ": " << dx[i];
    }
  }
}

// Subnormal inputs and results are kept (no flush to zero): relu and silu of the smallest
// subnormal, and tanh's value there, are the exact roundings computed apart from the kernels.
TEST(Ieee, SubnormalsAreKept) {
  const float tiny = std::numeric_limits<float>::denorm_min();
  std::vector<float> x = {tiny, -tiny}, y(2);
  relu(x, y);
  EXPECT_EQ(y[0], tiny);
  EXPECT_EQ(std::bit_cast<std::uint32_t>(y[1]), 0u);  // relu(−tiny) = +0
  tanh(x, y);
  EXPECT_EQ(y[0], tiny);  // tanh(t) = t − t³/3 rounds to t
  EXPECT_EQ(y[1], -tiny);
  silu(x, y);
  // silu(t) = t/2 + t²/4: t/2 is a tie between 0 and t, which the t² term breaks upwards.
  EXPECT_EQ(y[0], tiny);
  EXPECT_EQ(y[1], -0.0f);  // −t/2 + t²/4: just above the tie, so −0
  EXPECT_TRUE(std::signbit(y[1]));
}

// dy = ±0 gives dx = dy·f′(x), a zero with the product's sign, for every elementwise entry at x
// where f′ is finite and nonzero (the reference's f′ gives the sign); and the backward from the
// output keeps the sign of y·(1 − y) at y = −0 and of dy·(1 − y²) at y = ±1.
TEST(Ieee, ZeroGradientsKeepTheirSign) {
  const std::vector<float> x = {-3.0f, -0.5f, 0.25f, 0.5f, 2.0f, 7.0f};
  for (Fn fn : elementwise_entries()) {
    const Params p = default_params(fn);
    for (float zero : {0.0f, -0.0f}) {
      std::vector<float> dy(x.size(), zero), dx(x.size());
      evaluate<float>(fn, p, Direction::kBackward, 1, x, dy, dx);
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double derivative =
            reference::rounded(fn, reference::Quantity::kDerivative, x[i], p, Format::kF64);
        if (derivative == 0 || !std::isfinite(derivative)) continue;
        EXPECT_EQ(dx[i], 0.0f) << activation(fn).name;
        EXPECT_EQ(std::signbit(dx[i]), std::signbit(zero) != std::signbit(derivative))
            << activation(fn).name << "′ at " << x[i] << " with dy = " << zero;
      }
    }
  }
  std::vector<float> y = {-0.0f}, dy = {1.0f}, dx(1);
  backward_from_output<float>(Fn::sigmoid, {}, y, dy, dx);
  EXPECT_TRUE(std::signbit(dx[0]) && dx[0] == 0.0f);  // 1·(−0)·(1 + 0)
  y = {1.0f, -1.0f}, dy = {-1.0f, 1.0f}, dx.resize(2);
  backward_from_output<float>(Fn::tanh, {}, y, dy, dx);
  EXPECT_TRUE(std::signbit(dx[0]) && dx[0] == 0.0f);  // −1·(1 − 1)
  EXPECT_TRUE(!std::signbit(dx[1]) && dx[1] == 0.0f);
}

// A parameter −0 comes out as −0 where the definition returns it: threshold's value (with a float
// threshold, so that float32 takes its float path) and hardtanh's min_val.
TEST(Ieee, NegativeZeroParametersComeOutAsNegativeZero) {
  std::vector<float> x = {-5.0f}, y(1);
  evaluate<float>(Fn::threshold, Params{{0.5, -0.0}}, Direction::kForward, 1, x, {}, y);
  EXPECT_TRUE(std::signbit(y[0]) && y[0] == 0.0f);
  evaluate<float>(Fn::hardtanh, Params{{-0.0, 1.0}}, Direction::kForward, 1, x, {}, y);
  EXPECT_TRUE(std::signbit(y[0]) && y[0] == 0.0f);
}

// The backward from the output: dy·y(1 − y), dy·(1 − y²), dy·(y + α) are exact in double for a
// float16 y, so their rounding by reference/rounding.hpp is the answer, for every float16 y.
TEST(BackwardFromOutput, IsTheRoundedExactFormulaOfY) {
  const std::vector<Float16> y = test_inputs<Float16>();
  const std::vector<Float16> dy(y.size(), static_cast<Float16>(1.0));
  std::vector<Float16> dx(y.size());
  struct Case {
    Fn fn;
    double (*formula)(double y);
  };
  const Case cases[] = {{Fn::sigmoid, [](double v) { return v * (1 - v); }},
                        {Fn::tanh, [](double v) { return 1 - v * v; }},
                        {Fn::elu, [](double v) { return v > 0 ? 1.0 : v + 1.0; }}};
  for (const Case& c : cases) {
    ASSERT_TRUE(has_backward_from_output(c.fn));
    backward_from_output<Float16>(c.fn, default_params(c.fn), y, dy, dx);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double v = to_double(y[i]);
      if (std::isnan(v) || std::isinf(v)) continue;
      const double expected = reference::round_to_format(c.formula(v), Format::kF16);
      wrong += !reference::same_bits(to_double(dx[i]), expected);
    }
    EXPECT_EQ(wrong, 0u) << activation(c.fn).name;
  }
  EXPECT_FALSE(has_backward_from_output(Fn::gelu));
  EXPECT_THROW(backward_from_output<float>(Fn::gelu, {}, {}, {}, {}), std::invalid_argument);
}

// float32, where sigmoid has its own path (pairs of floats, not correctly rounded): within 1 ULP of
// dy·y(1 − y) and dy·(1 − y²), which double holds exactly for float y (48 bits) but for the last
// rounding of the product with dy, far below the tolerance. y covers [0, 1] (and [−1, 1]) by bit
// pattern, so every binade down to the subnormals, where the double path takes over.
TEST(BackwardFromOutput, Float32IsWithinOneUlpOfTheExactFormula) {
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<std::uint32_t> pattern(0, 0x3f800000);
  std::uniform_real_distribution<float> gradient(-2.0f, 2.0f);
  const std::size_t n = 100000;
  std::vector<float> y(n), dy(n), dx(n);
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = std::bit_cast<float>(pattern(rng));
    dy[i] = i % 7 == 0 ? 1.0f : gradient(rng);
  }
  struct Case {
    Fn fn;
    bool odd;  // y in [−1, 1] rather than [0, 1]
    double (*formula)(double y);
  };
  const Case cases[] = {{Fn::sigmoid, false, [](double v) { return v * (1 - v); }},
                        {Fn::tanh, true, [](double v) { return (1 - v) * (1 + v); }}};
  for (const Case& c : cases) {
    std::vector<float> yc = y;
    if (c.odd) {
      for (std::size_t i = 0; i < n; i += 2) yc[i] = -yc[i];
    }
    backward_from_output<float>(c.fn, default_params(c.fn), yc, dy, dx);
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double exact = static_cast<double>(dy[i]) * c.formula(yc[i]);
      const double spacing = std::ldexp(1.0, std::max(std::ilogb(exact), -126) - 23);
      worst = std::max(worst, exact == 0 ? std::abs(dx[i]) : std::abs(dx[i] - exact) / spacing);
    }
    EXPECT_LE(worst, 1.0) << activation(c.fn).name;
  }
}

TEST(SpanApi, RejectsSpansThatDoNotFit) {
  const std::vector<float> x = {1, 2, 3};
  std::vector<float> y(2), dx(3);
  EXPECT_THROW(evaluate<float>(Fn::sigmoid, {}, Direction::kForward, 1, x, {}, y),
               std::invalid_argument);
  EXPECT_THROW(evaluate<float>(Fn::sigmoid, {}, Direction::kBackward, 1, x, y, dx),
               std::invalid_argument);  // dy has 2 elements for 3 inputs
  EXPECT_THROW(evaluate<float>(Fn::sigmoid, {}, Direction::kForward, 0, x, {}, dx),
               std::invalid_argument);  // an empty row
}

// In place (out the same span as x, or dx as dy), every elementwise entry gives the bits it gives
// into a separate span, on inputs that the float32 paths leave to the double path (NaN, tails
// beyond their domains, subnormal results, tiny and huge dy) as well as on ordinary ones.
TEST(SpanApi, InPlaceCallsGiveTheSameBits) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {-200.0f,   -100.0f, -50.0f, -1.28f, -0.3f, -0.0f, 0.0f,     0x1p-110f,
                          0x1p-140f, 0.2f,    1.5f,   45.0f,  1e30f, nan,   -0x1p40f, 3.0f};
  std::vector<float> dy = {1.0f,  0x1p-70f, 0x1p-70f, -2.0f, 0x1p70f, -1.0f, 1.0f, 0.5f,
                           -0.0f, 1e-30f,   3.0f,     1.0f,  1.0f,    1.0f,  1.0f, -0.0f};
  for (Fn fn : elementwise_entries()) {
    const Params p = default_params(fn);
    std::vector<float> y(x.size()), dx(x.size());
    evaluate<float>(fn, p, Direction::kForward, 1, x, {}, y);
    evaluate<float>(fn, p, Direction::kBackward, 1, x, dy, dx);
    std::vector<float> in_place = x;
    evaluate<float>(fn, p, Direction::kForward, 1, in_place, {}, in_place);
    std::vector<float> dx_over_x = x, dx_over_dy = dy;
    evaluate<float>(fn, p, Direction::kBackward, 1, dx_over_x, dy, dx_over_x);
    evaluate<float>(fn, p, Direction::kBackward, 1, x, dx_over_dy, dx_over_dy);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::string at = std::string(activation(fn).name) + " at x = " + std::to_string(x[i]);
      EXPECT_TRUE(same_or_both_nan(in_place[i], y[i])) << at << ": " << in_place[i] << " " << y[i];
      EXPECT_TRUE(same_or_both_nan(dx_over_x[i], dx[i])) << at << " (dx over x)";
      EXPECT_TRUE(same_or_both_nan(dx_over_dy[i], dx[i])) << at << " (dx over dy)";
    }
  }
}

TEST(SpanApi, NamedFunctionsAndInPlaceCallsAgreeWithEvaluate) {
  std::vector<float> x = {-3.5f, -0.25f, 0.0f, 0.75f, 9.0f}, expected(5), y(5);
  const Params p = default_params(Fn::gelu);
  evaluate<float>(Fn::gelu, p, Direction::kForward, 1, x, {}, expected);
  gelu(x, y);
  EXPECT_EQ(y, expected);
  gelu(x, x);  // in place
  EXPECT_EQ(x, expected);
}

}  // namespace
}  // namespace actcheck::impl
