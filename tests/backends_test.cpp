// The float32 backends (actcheck, libm, sleef) against the exact reference and against facts known
// apart from the code (published constants, the limits and shapes the design states); and the
// backend contract: supports() says exactly where evaluate() works, results are values of the
// format, concurrent calls agree. The bounds here are generous: measuring ULPs is the engine's job.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "backends/registry.hpp"
#include "engine/ulp.hpp"
#include "impl/kernels.hpp"
#include "reference/reference.hpp"
#include "reference/rounding.hpp"
#include "reference/vector.hpp"

namespace actcheck::backends {
namespace {

using reference::Quantity;
using reference::same_bits;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr Format kFloatFormats[] = {Format::kF32, Format::kF16, Format::kBF16};
constexpr Pass kPasses[] = {Pass::kForward, Pass::kBackward};

// The float backends: actcheck's own kernels, and the float32 compositions (libm, sleef).
std::vector<const Backend*> float_backends() {
  std::vector<const Backend*> out;
  for (const char* name : {"actcheck", "libm", "sleef"}) {
    const Backend* b = find_backend(name);
    EXPECT_NE(b, nullptr) << name;
    if (b != nullptr) out.push_back(b);
  }
  return out;
}

std::string hex(double v) {
  std::ostringstream os;
  os << std::hexfloat << v;
  return os.str();
}

std::string where(const Backend& b, Fn fn, Format format, Pass pass) {
  return std::string(b.name()) + " " + std::string(activation(fn).name) + " " +
         std::string(spec(format).name) + " " + std::string(to_string(pass));
}

std::vector<double> in_format(std::vector<double> v, Format format) {
  for (double& x : v) x = reference::round_to_format(x, format);
  return v;
}

// The output length of a row of n elements, from the reference (elementwise: n).
std::size_t reference_output_length(Fn fn, std::size_t n, const Params& p) {
  if (is_elementwise(activation(fn).kind)) return n;
  return static_cast<std::size_t>(reference::output_length(fn, static_cast<Eigen::Index>(n), p));
}

// One batch through the backend; dy, for the backward pass, has the output's shape.
std::vector<double> run(const Backend& b, Fn fn, const Params& p, Format format, Pass pass,
                        const std::vector<double>& x, const std::vector<double>& dy = {},
                        std::size_t row_length = 1) {
  const Problem problem{fn, p, format, pass, row_length};
  const std::size_t rows = x.size() / row_length;
  const std::size_t out =
      pass == Pass::kForward ? rows * reference_output_length(fn, row_length, p) : x.size();
  std::vector<double> result(out, -12345.0);
  b.evaluate(problem, x, dy, result);
  return result;
}

bool is_value_of(double y, Format format) {
  return std::isnan(y) || same_bits(reference::round_to_format(y, format), y);
}

// Relative bound (f32: 1e-5 as agreed for a smoke test; f16/bf16: one ulp, as they are computed in
// float32 and rounded once) and an absolute floor near the subnormals, where the compositions
// carry the absolute error of a subnormal intermediate (x·e^x for x near −100).
struct Tolerance {
  double rel;
  double floor;
};
Tolerance tolerance(Format format) {
  const FormatSpec& s = spec(format);
  const double smallest = std::ldexp(1.0, s.emin - s.precision + 1);
  if (format == Format::kF32) return {1e-5, 64 * smallest};
  return {std::ldexp(1.0, 1 - s.precision), smallest};
}

bool within(double y, double r, Tolerance t, double extra = 0) {
  if (std::isnan(r)) return std::isnan(y);
  if (std::isinf(r)) return y == r;
  return std::isfinite(y) && std::fabs(y - r) <= t.rel * std::fabs(r) + t.floor + extra;
}

// Mixed forward-backward error: y is also accepted within the tolerance of the exact values over
// [x(1 − δ), x(1 + δ)] (sampled at the ends and the middle), which covers the rounding of a
// composition's argument (βx, x/√2, x²) and the zeros of f′, where no relative bound holds.
bool close_to_reference(double y, Fn fn, Quantity q, double x, const Params& p, Format format) {
  const Tolerance t = tolerance(format);
  const double r = reference::rounded(fn, q, x, p, format);
  if (within(y, r, t)) return true;
  if (!std::isfinite(x) || !std::isfinite(y)) return false;
  constexpr double kDelta = 0x1p-20;
  const double a = reference::rounded(fn, q, x * (1 - kDelta), p, format);
  const double c = reference::rounded(fn, q, x * (1 + kDelta), p, format);
  const double lo = std::min({a, r, c});
  const double hi = std::max({a, r, c});
  return y >= lo - (t.rel * std::fabs(lo) + t.floor) && y <= hi + (t.rel * std::fabs(hi) + t.floor);
}

// Inputs across the interesting ranges: around 0, the kinks, the saturations, the overflow of
// e^x, huge values and infinities, both signs, rounded into the format (repeats removed).
std::vector<double> input_grid(Format format) {
  std::vector<double> base = {0,    1e-30, 1e-7, 1e-3, 0.1,  0.25, 0.5,  0.625, 0.75, 0.9,
                              1,    1.1,   1.5,  2,    2.5,  3,    3.5,  4,     5,    6,
                              7.25, 8,     9,    10,   12,   15,   20,   30,    50,   88,
                              90,   100,   1e3,  1e5,  1e10, 1e20, 3e38, kInf};
  for (int k = 1; k <= 60; ++k) base.push_back(0.37 * k);
  std::vector<double> grid;
  for (double v : base) {
    for (double s : {1.0, -1.0}) grid.push_back(reference::round_to_format(s * v, format));
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end(), same_bits), grid.end());
  return grid;
}

// The catalog's defaults, and a second set that moves every parameter (kinks, slopes, scales).
std::vector<Params> parameter_sets(Fn fn) {
  std::vector<Params> sets = {default_params(fn)};
  if (activation(fn).params.empty()) return sets;
  Params moved = default_params(fn);
  for (std::size_t i = 0; i < activation(fn).params.size(); ++i) {
    moved.values[i] = 0.75 * moved.values[i] + 0.125;
  }
  sets.push_back(moved);
  return sets;
}

Quantity quantity(Pass pass) {
  return pass == Pass::kForward ? Quantity::kValue : Quantity::kDerivative;
}

TEST(FloatBackends, ElementwiseEntriesAreCloseToTheReference) {
  const std::vector<const Backend*> backends = float_backends();
  for (const Activation& a : kCatalog) {
    if (!is_elementwise(a.kind)) continue;
    for (const Params& p : parameter_sets(a.id)) {
      for (Format format : kFloatFormats) {
        const std::vector<double> x = input_grid(format);
        const std::vector<double> ones(x.size(), 1.0);
        for (Pass pass : kPasses) {
          for (const Backend* b : backends) {
            const std::vector<double> y =
                run(*b, a.id, p, format, pass, x,
                    pass == Pass::kBackward ? ones : std::vector<double>{});
            int failures = 0;
            for (std::size_t i = 0; i < x.size() && failures < 5; ++i) {
              EXPECT_TRUE(is_value_of(y[i], format)) << where(*b, a.id, format, pass);
              if (!close_to_reference(y[i], a.id, quantity(pass), x[i], p, format)) {
                ++failures;
                ADD_FAILURE() << where(*b, a.id, format, pass) << " p0=" << p[0]
                              << " at x = " << hex(x[i]) << ": " << hex(y[i]) << ", exact "
                              << hex(reference::rounded(a.id, quantity(pass), x[i], p, format));
              }
            }
          }
        }
      }
    }
  }
}

// At each kink the value and autograd's one-sided derivative are exact numbers (0, 1, α, 1/6,
// −1/2, ...), so the backends must give them rounded, bit for bit; the neighbours on either side
// must be close.
TEST(FloatBackends, KinksFollowAutogradsConvention) {
  for (const Backend* b : float_backends()) {
    for (const Activation& a : kCatalog) {
      if (!is_elementwise(a.kind)) continue;
      const Params p = default_params(a.id);
      for (Format format : kFloatFormats) {
        for (const Kink& kink : a.kinks) {
          const double at = reference::round_to_format(kink.at.eval(p), format);
          const std::vector<double> xs = {at, engine::next_down(at, format),
                                          engine::next_up(at, format)};
          for (Pass pass : kPasses) {
            const std::vector<double> y =
                run(*b, a.id, p, format, pass, xs,
                    pass == Pass::kBackward ? std::vector<double>(xs.size(), 1.0)
                                            : std::vector<double>{});
            const double exact = reference::rounded(a.id, quantity(pass), xs[0], p, format);
            EXPECT_TRUE(same_bits(y[0], exact))
                << where(*b, a.id, format, pass) << " at the kink " << hex(xs[0]) << ": "
                << hex(y[0]) << ", exact " << hex(exact);
            for (std::size_t i = 1; i < xs.size(); ++i) {
              const double r = reference::rounded(a.id, quantity(pass), xs[i], p, format);
              EXPECT_TRUE(within(y[i], r, tolerance(format)))
                  << where(*b, a.id, format, pass) << " next to the kink, at " << hex(xs[i]);
            }
          }
        }
      }
    }
  }
}

// dx = dy·f′(x): halving dy halves dx exactly (away from the subnormals).
TEST(FloatBackends, BackwardScalesWithTheUpstreamGradient) {
  for (const Backend* b : float_backends()) {
    for (const Activation& a : kCatalog) {
      if (!is_elementwise(a.kind)) continue;
      const Params p = default_params(a.id);
      for (Format format : kFloatFormats) {
        const std::vector<double> x = input_grid(format);
        const std::vector<double> one =
            run(*b, a.id, p, format, Pass::kBackward, x, std::vector<double>(x.size(), 1.0));
        const std::vector<double> half =
            run(*b, a.id, p, format, Pass::kBackward, x, std::vector<double>(x.size(), -0.5));
        const double normal = std::ldexp(1.0, spec(format).emin + 1);
        for (std::size_t i = 0; i < x.size(); ++i) {
          if (std::isnan(one[i]) || std::fabs(one[i]) < normal) continue;
          EXPECT_EQ(half[i], -0.5 * one[i])
              << where(*b, a.id, format, Pass::kBackward) << " at " << hex(x[i]);
        }
      }
    }
  }
}

// Published constants: e^−100 = 3.7200759760208359629596958038631e-44 (so σ(−100) is that to
// 88 digits), σ(1) = 0.73105857863000487925..., tanh 1 = 0.76159415595576488811..., Φ(1) =
// 0.84134474606854294858..., ln 2 = 0.69314718055994530942...
TEST(FloatBackends, PublishedValues) {
  struct Case {
    Fn fn;
    double x;
    double exact;
  };
  const Case cases[] = {
      {Fn::sigmoid, 1, 0.73105857863000487925},
      {Fn::tanh, 1, 0.76159415595576488811},
      {Fn::gelu, 1, 0.84134474606854294858},
      {Fn::softplus, 0, 0.69314718055994530942},
      {Fn::logsigmoid, 0, -0.69314718055994530942},
      {Fn::silu, 1, 0.73105857863000487925},
      {Fn::sigmoid, 0, 0.5},
      {Fn::softsign, 3, 0.75},
      {Fn::softplus, 100, 100},
      {Fn::logsigmoid, -100, -100},
      {Fn::sigmoid, 100, 1},
  };
  for (const Backend* b : float_backends()) {
    for (Format format : kFloatFormats) {
      for (const Case& c : cases) {
        const double y = run(*b, c.fn, default_params(c.fn), format, Pass::kForward, {c.x})[0];
        EXPECT_TRUE(within(y, reference::round_to_format(c.exact, format), tolerance(format)))
            << where(*b, c.fn, format, Pass::kForward) << " at " << c.x << ": " << hex(y);
      }
      // Exact in every format: no overflow of e^100, nothing lost to 1 + e^−100.
      EXPECT_EQ(run(*b, Fn::softplus, Params{{1.0}}, format, Pass::kForward, {100.0})[0], 100.0);
      // σ(−100) is far below float16's and bfloat16's subnormals, and float32's 27·2^−149 (26.55
      // exactly) within one subnormal step.
      const double s = run(*b, Fn::sigmoid, Params{}, format, Pass::kForward, {-100.0})[0];
      if (format == Format::kF32) {
        EXPECT_NEAR(s, 3.7200759760208359629596958038631e-44, 0x1p-149) << b->name();
        EXPECT_GT(s, 0) << b->name();
      } else {
        EXPECT_TRUE(same_bits(s, 0.0)) << b->name() << " " << spec(format).name;
      }
    }
  }
}

// The limits the design states for softmax rows, and the NaN rows.
TEST(FloatBackends, SoftmaxOfSpecialRows) {
  struct Case {
    Fn fn;
    std::vector<double> x;
    std::vector<double> y;    // empty: all NaN
    bool beyond_f16 = false;  // 1e30 is +inf in float16, which makes another row
  };
  const Case cases[] = {
      {Fn::softmax, {1e30, 0}, {1, 0}},
      {Fn::softmax, {-1e30, 1e30, -1e30}, {0, 1, 0}},
      {Fn::softmax, {-kInf, 0}, {0, 1}},
      {Fn::softmax, {kInf, 0, -kInf}, {1, 0, 0}},
      {Fn::softmax, {5, 5, 5, 5}, {0.25, 0.25, 0.25, 0.25}},
      {Fn::softmax, {-kInf, -kInf}, {}},
      {Fn::softmax, {kInf, kInf}, {}},
      {Fn::softmax, {1, kNaN, 2}, {}},
      {Fn::log_softmax, {-kInf, 0}, {-kInf, 0}},
      {Fn::log_softmax, {kInf, 0, 1}, {0, -kInf, -kInf}},
      {Fn::log_softmax, {1e30, 0}, {-0.0, -1e30}, true},
      {Fn::log_softmax, {2.5}, {0}},
      {Fn::softmin, {-1e30, 0}, {1, 0}},
      {Fn::softmin, {-kInf, -kInf}, {}},
  };
  for (const Backend* b : float_backends()) {
    for (Format format : kFloatFormats) {
      for (const Case& c : cases) {
        if (c.beyond_f16 && format == Format::kF16) continue;
        const std::vector<double> x = in_format(c.x, format);
        const std::vector<double> y =
            run(*b, c.fn, Params{}, format, Pass::kForward, x, {}, x.size());
        for (std::size_t i = 0; i < y.size(); ++i) {
          const double expected = c.y.empty() ? kNaN : reference::round_to_format(c.y[i], format);
          EXPECT_TRUE(same_bits(y[i], expected))
              << where(*b, c.fn, format, Pass::kForward) << " row of " << x.size() << ", [" << i
              << "] = " << hex(y[i]) << ", expected " << hex(expected);
        }
      }
    }
  }
}

// Rows of every vector and gated entry against the correctly rounded reference row.
TEST(FloatBackends, VectorEntriesAreCloseToTheReference) {
  const std::vector<std::vector<double>> rows = {{0.5, -1.25, 2, 0, 3.5, -7},
                                                 {1, 2, 3, 4},
                                                 {100, 101, 99.5, 80, 100.25, 90},
                                                 {-3, 0.75, 0.75, 4, -10, 8.25},
                                                 {7},
                                                 {-kInf, 0, 1, 2},
                                                 {kInf, 0, -3, 1},
                                                 {-0.0, 0.0, -2, -2},
                                                 {1e30, 0}};
  const std::vector<double> upstream = {0.5, -1, 2, 0.25, -3, 1.5};
  for (const Backend* b : float_backends()) {
    for (const Activation& a : kCatalog) {
      if (is_elementwise(a.kind)) continue;
      const Params p = default_params(a.id);
      for (Format format : kFloatFormats) {
        const Tolerance t = tolerance(format);
        for (const std::vector<double>& row : rows) {
          std::size_t m = 0;
          try {
            m = reference_output_length(a.id, row.size(), p);
          } catch (const std::invalid_argument&) {
            continue;  // a row this entry does not take (odd for glu, ...)
          }
          const std::vector<double> x = in_format(row, format);
          const std::vector<double> v =
              in_format(std::vector<double>(upstream.begin(), upstream.begin() + m), format);
          const Eigen::VectorXd ex = Eigen::Map<const Eigen::VectorXd>(x.data(), x.size());
          const Eigen::VectorXd ev = Eigen::Map<const Eigen::VectorXd>(v.data(), v.size());
          double v_max = 0;
          for (double vi : v) v_max = std::max(v_max, std::fabs(vi));
          for (Pass pass : kPasses) {
            // The reference cannot decide the VJP's sign at [1e30, 0] (e^−1e30 is below MPFR's
            // exponent range, and its enclosure reaches 0): forward only there.
            if (pass == Pass::kBackward && std::fabs(row[0]) == 1e30) continue;
            const std::vector<double> y = run(*b, a.id, p, format, pass, x, v, x.size());
            const Eigen::VectorXd r =
                reference::correctly_rounded_row(a.id, quantity(pass), ex, ev, p, format);
            ASSERT_EQ(y.size(), static_cast<std::size_t>(r.size()));
            // A VJP sums products with v: its error is relative to |v|, not to the result.
            const double extra = pass == Pass::kBackward ? 1e-5 * x.size() * v_max : 0;
            for (std::size_t i = 0; i < y.size(); ++i) {
              EXPECT_TRUE(is_value_of(y[i], format));
              EXPECT_TRUE(within(y[i], r[i], t, extra))
                  << where(*b, a.id, format, pass) << " row [" << hex(x[0]) << ", ...] of "
                  << x.size() << ", [" << i << "] = " << hex(y[i]) << ", exact " << hex(r[i]);
            }
          }
        }
      }
    }
  }
}

// A deterministic generator, so that failures reproduce.
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  double uniform(double lo, double hi) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * static_cast<double>(state_ >> 11) * 0x1p-53;
  }

 private:
  std::uint64_t state_;
};

TEST(FloatBackends, SoftmaxRowsSumToOne) {
  Lcg random(20261123);
  for (const Backend* b : float_backends()) {
    for (Format format : kFloatFormats) {
      for (std::size_t n : {1, 2, 3, 7, 64, 1000, 4096}) {
        for (double spread : {1.0, 10.0, 50.0}) {
          std::vector<double> x(n);
          for (double& xi : x)
            xi = reference::round_to_format(random.uniform(-spread, spread), format);
          for (Fn fn : {Fn::softmax, Fn::softmin}) {
            const std::vector<double> s = run(*b, fn, Params{}, format, Pass::kForward, x, {}, n);
            double sum = 0;
            for (double si : s) sum += si;
            // Each output rounded once into the format moves the sum by at most 2^−p; the float32
            // computation by a few 2^−24.
            EXPECT_NEAR(sum, 1.0, std::ldexp(1.0, -spec(format).precision) + 16 * 0x1p-24)
                << where(*b, fn, format, Pass::kForward) << " n = " << n << ", spread " << spread;
          }
        }
      }
    }
  }
}

TEST(FloatBackends, MaxoutGradientGoesToTheFirstArgmax) {
  for (const Backend* b : float_backends()) {
    for (Format format : kFloatFormats) {
      const Params k2 = default_params(Fn::maxout);
      // Groups [3, 3], [1, 2], [−0, +0]: ties go to the first.
      const std::vector<double> x = {3, 3, 1, 2, -0.0, 0.0};
      EXPECT_EQ(run(*b, Fn::maxout, k2, format, Pass::kForward, x, {}, 6),
                (std::vector<double>{3, 2, -0.0}));
      EXPECT_EQ(run(*b, Fn::maxout, k2, format, Pass::kBackward, x, {5, 7, 9}, 6),
                (std::vector<double>{5, 0, 0, 7, 9, 0}));
      const Params k3{{3.0}};
      const std::vector<double> y = {2, 5, 5, -kInf, -kInf, -kInf};
      EXPECT_EQ(run(*b, Fn::maxout, k3, format, Pass::kForward, y, {}, 6),
                (std::vector<double>{5, -kInf}));
      EXPECT_EQ(run(*b, Fn::maxout, k3, format, Pass::kBackward, y, {-1, 4}, 6),
                (std::vector<double>{0, -1, 0, 4, 0, 0}));
    }
  }
}

TEST(FloatBackends, GatedRowsSplitInHalves) {
  for (const Backend* b : float_backends()) {
    for (Format format : kFloatFormats) {
      // glu([a, b]) = a·σ(b): σ(0) = 1/2 and σ(−∞) = 0 are exact. swiglu([a, b]) = silu(a)·b.
      const std::vector<double> x = {2, -6, 1, 0, -kInf, 0};
      EXPECT_EQ(run(*b, Fn::glu, Params{}, format, Pass::kForward, x, {}, 6),
                (std::vector<double>{1, -0.0, 0.5}));
      const std::vector<double> g =
          run(*b, Fn::glu, Params{}, format, Pass::kBackward, x, {1, 1, 1}, 6);
      ASSERT_EQ(g.size(), 6u);
      EXPECT_EQ(g, (std::vector<double>{0.5, 0, 0.5, 0.5, 0, 0.25}));  // σ(b), then a·σ′(b)
      const std::vector<double> s =
          run(*b, Fn::swiglu, Params{}, format, Pass::kForward, {1, 0, 2, 5}, {}, 4);
      ASSERT_EQ(s.size(), 2u);
      EXPECT_TRUE(within(s[0], reference::round_to_format(2 * 0.73105857863000487925, format),
                         tolerance(format)));
      EXPECT_EQ(s[1], 0);  // silu(0)·5
      EXPECT_EQ(
          run(*b, Fn::swiglu, Params{}, format, Pass::kBackward, {1, 0, 2, 5}, {1, 1}, 4).size(),
          4u);
      // An odd row does not split.
      const std::vector<double> odd = {1, 2, 3};
      std::vector<double> out(1);
      EXPECT_THROW(b->evaluate(Problem{Fn::glu, Params{}, format, Pass::kForward, 3}, odd, {}, out),
                   std::invalid_argument);
    }
  }
}

TEST(FloatBackends, NanPropagates) {
  for (const Backend* b : float_backends()) {
    for (const Activation& a : kCatalog) {
      const Params p = default_params(a.id);
      for (Format format : kFloatFormats) {
        if (is_elementwise(a.kind)) {
          const std::vector<double> x = {kNaN, 1};
          const std::vector<double> y = run(*b, a.id, p, format, Pass::kForward, x);
          EXPECT_TRUE(std::isnan(y[0])) << where(*b, a.id, format, Pass::kForward);
          const std::vector<double> g = run(*b, a.id, p, format, Pass::kBackward, x, {1, kNaN});
          EXPECT_TRUE(std::isnan(g[0]) && std::isnan(g[1]))
              << where(*b, a.id, format, Pass::kBackward);
          continue;
        }
        // Two rows of 4; the first has a NaN and becomes all NaN, the second stays finite.
        const std::vector<double> x = {1, kNaN, 2, 3, 1, 2, 3, 4};
        const std::vector<double> y = run(*b, a.id, p, format, Pass::kForward, x, {}, 4);
        const std::size_t m = y.size() / 2;
        for (std::size_t i = 0; i < y.size(); ++i) {
          EXPECT_EQ(std::isnan(y[i]), i < m) << where(*b, a.id, format, Pass::kForward) << i;
        }
        const std::vector<double> x2 = {1, 5, 2, 3, 1, 2, 3, 4};
        std::vector<double> dy(2 * m, 1.0);
        dy[2 * m - 1] = kNaN;  // the second row's upstream gradient
        const std::vector<double> g = run(*b, a.id, p, format, Pass::kBackward, x2, dy, 4);
        for (std::size_t i = 0; i < g.size(); ++i) {
          EXPECT_EQ(std::isnan(g[i]), i >= 4) << where(*b, a.id, format, Pass::kBackward) << i;
        }
      }
    }
  }
}

// A small batch of the right shape for fn.
struct Sample {
  std::vector<double> x, dy;
  std::size_t row_length;
};
Sample sample(Fn fn, Format format, Pass pass) {
  const std::vector<double> x = in_format({-3, -0.5, 0, 0.25, 1.5, 10}, format);
  const std::size_t n = is_elementwise(activation(fn).kind) ? 1 : x.size();
  const std::size_t m = reference_output_length(fn, x.size(), default_params(fn));
  return {x, pass == Pass::kBackward ? std::vector<double>(m, 1.0) : std::vector<double>{}, n};
}

TEST(FloatBackends, SupportsExactlyWhereEvaluateWorks) {
  for (const Backend* b : float_backends()) {
    for (const Activation& a : kCatalog) {
      for (Format format : {Format::kF64, Format::kF32, Format::kF16, Format::kBF16}) {
        for (Pass pass : kPasses) {
          // What these backends promise: every entry, both passes, every format but float64.
          EXPECT_EQ(b->supports(a.id, format, pass), format != Format::kF64)
              << where(*b, a.id, format, pass);
          const Sample s = sample(a.id, format == Format::kF64 ? Format::kF32 : format, pass);
          const Problem problem{a.id, default_params(a.id), format, pass, s.row_length};
          std::vector<double> out(pass == Pass::kForward
                                      ? reference_output_length(a.id, s.x.size(), problem.params)
                                      : s.x.size());
          if (b->supports(a.id, format, pass)) {
            EXPECT_NO_THROW(b->evaluate(problem, s.x, s.dy, out)) << where(*b, a.id, format, pass);
          } else {
            EXPECT_THROW(b->evaluate(problem, s.x, s.dy, out), std::invalid_argument)
                << where(*b, a.id, format, pass);
          }
        }
      }
    }
  }
}

// The interface's promise for every built-in backend: what it supports it evaluates, into values
// of the format, and the same from several threads at once.
TEST(Backends, SupportedCombinationsGiveValuesOfTheFormatFromAnyThread) {
  for (const Backend* b : builtin_backends()) {
    for (const Activation& a : kCatalog) {
      for (Format format : kFloatFormats) {
        for (Pass pass : kPasses) {
          if (!b->supports(a.id, format, pass)) continue;
          const Sample s = sample(a.id, format, pass);
          const Problem problem{a.id, default_params(a.id), format, pass, s.row_length};
          std::vector<double> x, dy;
          for (int copy = 0; copy < 64; ++copy) {  // a batch of many rows
            x.insert(x.end(), s.x.begin(), s.x.end());
            dy.insert(dy.end(), s.dy.begin(), s.dy.end());
          }
          const std::size_t out =
              pass == Pass::kForward
                  ? 64 * reference_output_length(a.id, s.x.size(), problem.params)
                  : x.size();
          std::vector<std::vector<double>> results(4, std::vector<double>(out));
          std::vector<std::thread> threads;
          for (auto& r : results) {
            threads.emplace_back([&, &r = r] { b->evaluate(problem, x, dy, r); });
          }
          for (std::thread& t : threads) t.join();
          for (std::size_t i = 0; i < out; ++i) {
            EXPECT_TRUE(is_value_of(results[0][i], format)) << where(*b, a.id, format, pass);
            for (const auto& r : results) {
              EXPECT_TRUE(same_bits(r[i], results[0][i])) << where(*b, a.id, format, pass);
            }
          }
        }
      }
    }
  }
}

TEST(Backends, DescriptionsAreOneLineNamingTheLibrary) {
  for (const Backend* b : builtin_backends()) {
    EXPECT_FALSE(b->description().empty()) << b->name();
    EXPECT_EQ(b->description().find('\n'), std::string_view::npos) << b->name();
  }
  EXPECT_NE(find_backend("libm")->description().find("glibc 2."), std::string_view::npos);
  EXPECT_NE(find_backend("sleef")->description().find("SLEEF 3."), std::string_view::npos);
}

// impl/'s own row API: shapes and their errors.
TEST(ImplRows, OutputLengthsAndShapeErrors) {
  EXPECT_EQ(impl::output_length(Fn::relu, 5, Params{}), 5u);
  EXPECT_EQ(impl::output_length(Fn::softmax, 5, Params{}), 5u);
  EXPECT_EQ(impl::output_length(Fn::glu, 6, Params{}), 3u);
  EXPECT_EQ(impl::output_length(Fn::maxout, 6, Params{{3.0}}), 2u);
  EXPECT_THROW(impl::output_length(Fn::swiglu, 5, Params{}), std::invalid_argument);
  EXPECT_THROW(impl::output_length(Fn::maxout, 5, Params{{2.0}}), std::invalid_argument);
  EXPECT_THROW(impl::output_length(Fn::maxout, 4, Params{{1.5}}), std::invalid_argument);
  EXPECT_THROW(impl::output_length(Fn::softmax, 0, Params{}), std::invalid_argument);

  const std::vector<float> x = {1, 2, 3, 4};
  std::vector<float> out(3);
  EXPECT_THROW(
      impl::evaluate<float>(Fn::softmax, Params{}, impl::Direction::kForward, 4, x, {}, out),
      std::invalid_argument);
  EXPECT_THROW(
      impl::evaluate<float>(Fn::softmax, Params{}, impl::Direction::kForward, 3, x, {}, out),
      std::invalid_argument);  // 4 is not a whole number of rows of 3
  std::vector<float> dx(4);
  EXPECT_THROW(impl::evaluate<float>(Fn::glu, Params{}, impl::Direction::kBackward, 4, x,
                                     std::vector<float>(3), dx),
               std::invalid_argument);  // dy must have the output's 2
}

}  // namespace
}  // namespace actcheck::backends
