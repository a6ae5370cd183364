// The naive and eigen backends, against things neither computes: the exact reference (MPFR),
// GCC's _Float16 arithmetic and an MPFR rounding for the emulated formats, and the points where a
// textbook formula must break (exp overflows past ln of the format's largest value).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "backends/emulated_float.hpp"
#include "backends/registry.hpp"
#include "engine/bits.hpp"
#include "reference/reference.hpp"
#include "reference/rounding.hpp"
#include "reference/vector.hpp"
#include "tests/test_support.hpp"

namespace actcheck {
namespace {

using backends::Backend;
using backends::Emulated;
using backends::Pass;
using backends::Problem;
using reference::Quantity;
using reference::same_bits;

constexpr Format kTargets[] = {Format::kF32, Format::kF16, Format::kBF16};

std::string hex(double v) {
  std::ostringstream s;
  s << std::hexfloat << v;
  return s.str();
}

const Backend* backends_under_test[] = {&backends::naive_backend(), &backends::eigen_backend()};

// The length of out for a batch of x (whole rows of row_length for vector entries).
std::size_t out_length(Fn fn, Pass pass, std::size_t x_length, std::size_t row_length,
                       const Params& p) {
  if (is_elementwise(activation(fn).kind) || pass == Pass::kBackward) return x_length;
  const auto m = static_cast<std::size_t>(
      reference::output_length(fn, static_cast<Eigen::Index>(row_length), p));
  return x_length / row_length * m;
}

std::vector<double> run(const Backend& b, Fn fn, Format format, Pass pass,
                        const std::vector<double>& x, const std::vector<double>& dy = {},
                        std::size_t row_length = 1) {
  const Params params = default_params(fn);
  std::vector<double> out(out_length(fn, pass, x.size(), row_length, params));
  const Problem problem{
      .fn = fn, .params = params, .format = format, .pass = pass, .row_length = row_length};
  b.evaluate(problem, x, dy, out);
  return out;
}

double forward1(const Backend& b, Fn fn, Format format, double x) {
  return run(b, fn, format, Pass::kForward, {x})[0];
}

// ---- The emulated formats -----------------------------------------------------------------------

// Calls check(a, b) on random pairs of values of `format` (every bit pattern equally likely).
template <class Check>
void for_random_pairs(Format format, int count, Check check) {
  std::mt19937_64 rng(20261123);
  for (int i = 0; i < count; ++i) {
    check(engine::from_bits(rng() & 0xffff, format), engine::from_bits(rng() & 0xffff, format));
  }
}

// a op b rounded into `format` by MPFR, from the double result: that is the exact result rounded
// to 53 bits, which a second rounding into p ≤ 11 bits cannot spoil (53 ≥ 2p + 2).
template <class Op>
double mpfr_rounded(Op op, double a, double b, Format format) {
  return reference::round_to_format(op(a, b), format);
}

template <Format F, class Op>
double emulated(Op op, double a, double b) {
  return static_cast<double>(op(Emulated<F>(a), Emulated<F>(b)));
}

const auto kAdd = [](auto a, auto b) { return a + b; };
const auto kSub = [](auto a, auto b) { return a - b; };
const auto kMul = [](auto a, auto b) { return a * b; };
const auto kDiv = [](auto a, auto b) { return a / b; };

template <class Op>
void expect_float16_op_exact(Op op, const char* name) {
  int failures = 0;
  for_random_pairs(Format::kF16, 100000, [&](double a, double b) {
    const double emu = emulated<Format::kF16>(op, a, b);
    const volatile _Float16 hw = op(static_cast<_Float16>(a), static_cast<_Float16>(b));
    const double mpfr = mpfr_rounded(op, a, b, Format::kF16);
    if ((!same_bits(emu, static_cast<double>(hw)) || !same_bits(emu, mpfr)) && ++failures < 5) {
      ADD_FAILURE() << hex(a) << ' ' << name << ' ' << hex(b) << ": emulated " << hex(emu)
                    << ", _Float16 " << hex(static_cast<double>(hw)) << ", MPFR " << hex(mpfr);
    }
  });
  EXPECT_EQ(failures, 0) << name;
}

TEST(EmulatedFloat, Float16ArithmeticIsTheHardwaresAndCorrectlyRounded) {
  expect_float16_op_exact(kAdd, "+");
  expect_float16_op_exact(kSub, "-");
  expect_float16_op_exact(kMul, "*");
  expect_float16_op_exact(kDiv, "/");
}

template <class Op>
void expect_bfloat16_op_exact(Op op, const char* name) {
  int failures = 0;
  for_random_pairs(Format::kBF16, 100000, [&](double a, double b) {
    const double emu = emulated<Format::kBF16>(op, a, b);
    const double mpfr = mpfr_rounded(op, a, b, Format::kBF16);
    if (!same_bits(emu, mpfr) && ++failures < 5) {
      ADD_FAILURE() << hex(a) << ' ' << name << ' ' << hex(b) << ": emulated " << hex(emu)
                    << ", MPFR " << hex(mpfr);
    }
  });
  EXPECT_EQ(failures, 0) << name;
}

TEST(EmulatedFloat, BFloat16ArithmeticIsCorrectlyRounded) {
  expect_bfloat16_op_exact(kAdd, "+");
  expect_bfloat16_op_exact(kSub, "-");
  expect_bfloat16_op_exact(kMul, "*");
  expect_bfloat16_op_exact(kDiv, "/");
}

// Just off a tie of the format, a double that went through float first would land on the tie and
// round to even, half the time the wrong way.
TEST(EmulatedFloat, ConstantsAreRoundedOnceEvenNextToTies) {
  std::mt19937_64 rng(7);
  for (Format format : {Format::kF16, Format::kBF16}) {
    const std::uint64_t largest =
        engine::to_bits(format == Format::kF16 ? 65504.0 : 0x1.fep127, format);
    for (int i = 0; i < 20000; ++i) {
      const std::uint64_t bits = 1 + rng() % (largest - 1);
      const double a = engine::from_bits(bits, format);
      const double tie = (a + engine::from_bits(bits + 1, format)) / 2;
      for (double v : {tie, tie * (1 + 0x1p-40), tie * (1 - 0x1p-40), -tie * (1 + 0x1p-40)}) {
        const double emu = format == Format::kF16 ? static_cast<double>(Emulated<Format::kF16>(v))
                                                  : static_cast<double>(Emulated<Format::kBF16>(v));
        ASSERT_TRUE(same_bits(emu, reference::round_to_format(v, format)))
            << spec(format).name << ' ' << hex(v) << " gave " << hex(emu);
      }
    }
  }
}

// ---- The textbook failures the naive backend exists to show -------------------------------------

TEST(Naive, ExpOverflowsInsideTextbookFormulasInFloat32) {
  const Backend& naive = backends::naive_backend();
  const Params beta1 = default_params(Fn::softplus);
  // softplus(100) = log(1 + exp(100)) = log(inf), where the exact value is 100 + 4e-44.
  EXPECT_EQ(reference::correctly_rounded(Fn::softplus, Quantity::kValue, 100, beta1, Format::kF32),
            100.0);
  EXPECT_EQ(forward1(naive, Fn::softplus, Format::kF32, 100), INFINITY);
  // tanh(100) = (e¹⁰⁰ − e⁻¹⁰⁰)/(e¹⁰⁰ + e⁻¹⁰⁰) = inf/inf.
  EXPECT_EQ(reference::correctly_rounded(Fn::tanh, Quantity::kValue, 100, {}, Format::kF32), 1.0);
  EXPECT_TRUE(std::isnan(forward1(naive, Fn::tanh, Format::kF32, 100)));
  // softmax([1000, 0]) without the maximum subtracted: inf/inf.
  const Eigen::VectorXd exact = reference::correctly_rounded_row(
      Fn::softmax, Quantity::kValue, Eigen::Vector2d(1000, 0), Eigen::VectorXd(), {}, Format::kF32);
  EXPECT_EQ(exact(0), 1.0);
  EXPECT_EQ(exact(1), 0.0);
  const std::vector<double> y =
      run(naive, Fn::softmax, Format::kF32, Pass::kForward, {1000, 0}, {}, 2);
  EXPECT_TRUE(std::isnan(y[0]));
}

TEST(Naive, Float16ExpOverflowsPastLnOf65504) {
  const Backend& naive = backends::naive_backend();
  const double cutoff = std::log(65504.0);  // ≈ 11.09: exp of anything above is past float16
  int overflowing = 0;
  for (std::uint64_t bits = engine::to_bits(8, Format::kF16);
       bits < engine::to_bits(16, Format::kF16); ++bits) {
    const double x = engine::from_bits(bits, Format::kF16);
    SCOPED_TRACE(x);
    const bool past = x > cutoff;
    overflowing += past;
    // softplus(x) = log(1 + exp(x)) ≈ x, and σ(−x) = 1/(1 + exp(x)) ≈ e⁻ˣ ≥ 1.1e-7, both finite
    // and nonzero in float16 (whose smallest subnormal is 6e-8).
    EXPECT_EQ(std::isinf(forward1(naive, Fn::softplus, Format::kF16, x)), past);
    EXPECT_EQ(forward1(naive, Fn::sigmoid, Format::kF16, -x) == 0, past);
    EXPECT_GT(reference::correctly_rounded(Fn::sigmoid, Quantity::kValue, -x, {}, Format::kF16), 0);
  }
  EXPECT_GT(overflowing, 100);
}

TEST(Eigen, MaxSubtractedSoftmaxDoesNotOverflow) {
  for (Format format : kTargets) {
    const std::vector<double> y =
        run(backends::eigen_backend(), Fn::softmax, format, Pass::kForward, {1000, 0}, {}, 2);
    EXPECT_EQ(y, (std::vector<double>{1, 0})) << spec(format).name;
  }
}

// ---- Both backends against the exact reference --------------------------------------------------

// A generous bound, loose enough for a few roundings of intermediates of size 1 in the format
// (~170 ULPs of 1 in float32, ~20 in float16, ~13 in bfloat16): relative where |result| ≥ 1,
// absolute below. Small results need the absolute part: they inherit the rounding errors of the
// larger terms that cancel in them (1 − σ, 1 − tanh², x − tanh x, x·(1 + tanh u)), or of an
// approximation accurate to an absolute error (Eigen's float logistic).
double tolerance(Format format) {
  switch (format) {
    case Format::kF32:
      return 1e-5;
    case Format::kF16:
      return 1e-2;
    default:
      return 5e-2;
  }
}

bool close(double y, double r, Format format) {
  if (std::isnan(r) || std::isnan(y)) return std::isnan(r) && std::isnan(y);
  if (std::isinf(r) || std::isinf(y)) return y == r;
  return std::abs(y - r) <= tolerance(format) * std::max(std::abs(r), 1.0);
}

// Multiples of `step` in [−range, range], rounded to the format.
std::vector<double> grid(double range, double step, Format format) {
  std::vector<double> xs;
  for (double x = -range; x <= range; x += step)
    xs.push_back(reference::round_to_format(x, format));
  return xs;
}

// Where a backend's formulas are meant to be accurate: the naive one where every exp it takes
// fits float16 (|x| ≤ 4); eigen's where exp(|x|) fits the format.
double accurate_range(const Backend& b, Format format) {
  if (&b == &backends::naive_backend()) return 4;
  return format == Format::kF16 ? 8 : 20;
}

void expect_elementwise_close(const Backend& b) {
  for (const Activation& a : kCatalog) {
    if (!is_elementwise(a.kind)) continue;
    const Params p = default_params(a.id);
    for (Format format : kTargets) {
      if (!b.supports(a.id, format, Pass::kForward)) continue;
      const std::vector<double> xs = grid(accurate_range(b, format), 1.0 / 8, format);
      const std::vector<double> ones(xs.size(), 1.0);
      const std::vector<double> y = run(b, a.id, format, Pass::kForward, xs);
      const std::vector<double> dx = run(b, a.id, format, Pass::kBackward, xs, ones);
      int failures = 0;
      for (std::size_t i = 0; i < xs.size(); ++i) {
        for (auto [q, result] :
             {std::pair{Quantity::kValue, y[i]}, std::pair{Quantity::kDerivative, dx[i]}}) {
          const double r = reference::correctly_rounded(a.id, q, xs[i], p, format);
          if (!close(result, r, format) && ++failures <= 3) {
            ADD_FAILURE() << b.name() << ' ' << a.name << ' ' << spec(format).name << ' '
                          << reference::to_string(q) << " at " << xs[i] << ": " << result
                          << ", correctly rounded " << r;
          }
        }
      }
    }
  }
}

TEST(Naive, CloseToTheReferenceWhereTextbookFormulasAreFine) {
  expect_elementwise_close(backends::naive_backend());
}

TEST(Eigen, CloseToTheReferenceOnAGrid) { expect_elementwise_close(backends::eigen_backend()); }

// Rows of values every format holds, with upstream gradients.
struct TestRow {
  std::vector<double> x;
  std::vector<double> v;  // as long as the longest output row (x's length)
};
const TestRow kRows[] = {
    {{0.5, -1, 2, 0.25}, {0.75, -0.5, 1.25, -1}},
    {{3, 1, -2, 0, 1.5, -0.75}, {-1, 0.5, 2, 0.75, -0.25, 1}},
    {{-4, 4, 4, -0.5}, {1, -2, 0.5, 0.25}},
};

// Normwise: each element within rel of the row's largest magnitude (of the result, and for the
// backward pass of v), the scale at which a row's roundings happen.
void expect_rows_close(const Backend& b) {
  for (const Activation& a : kCatalog) {
    if (is_elementwise(a.kind)) continue;
    const Params p = default_params(a.id);
    for (Format format : kTargets) {
      for (Pass pass : {Pass::kForward, Pass::kBackward}) {
        if (!b.supports(a.id, format, pass)) continue;
        for (const TestRow& row : kRows) {
          const auto n = static_cast<Eigen::Index>(row.x.size());
          const Eigen::Index m = reference::output_length(a.id, n, p);
          const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(row.x.data(), n);
          const Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(row.v.data(), m);
          const bool forward = pass == Pass::kForward;
          const Eigen::VectorXd r = reference::correctly_rounded_row(
              a.id, forward ? Quantity::kValue : Quantity::kDerivative, x, v, p, format);
          const std::vector<double> dy(row.v.begin(), row.v.begin() + (forward ? 0 : m));
          const std::vector<double> y = run(b, a.id, format, pass, row.x, dy, row.x.size());
          const double scale =
              std::max(r.cwiseAbs().maxCoeff(), forward ? 0.0 : v.cwiseAbs().maxCoeff());
          for (Eigen::Index i = 0; i < r.size(); ++i) {
            EXPECT_LE(std::abs(y[static_cast<std::size_t>(i)] - r(i)),
                      tolerance(format) * std::max(scale, 1.0))
                << b.name() << ' ' << a.name << ' ' << spec(format).name << ' '
                << backends::to_string(pass) << " row " << &row - kRows << " element " << i;
          }
        }
      }
    }
  }
}

TEST(Naive, RowsCloseToTheReference) { expect_rows_close(backends::naive_backend()); }

TEST(Eigen, RowsCloseToTheReference) { expect_rows_close(backends::eigen_backend()); }

// At a kink the two one-sided derivatives differ; the backend must return the side the catalog
// names (autograd's), which the reference computes.
TEST(BothBackends, DerivativesAtKinksFollowTheCatalogsConvention) {
  for (const Backend* b : backends_under_test) {
    for (const Activation& a : kCatalog) {
      const Params p = default_params(a.id);
      for (const Kink& kink : a.kinks) {
        for (Format format : kTargets) {
          const double x = kink.at.eval(p);
          if (!b->supports(a.id, format, Pass::kBackward) ||
              reference::round_to_format(x, format) != x) {
            continue;
          }
          const double dx = run(*b, a.id, format, Pass::kBackward, {x}, {1.0})[0];
          const double r = reference::correctly_rounded(a.id, Quantity::kDerivative, x, p, format);
          EXPECT_TRUE(close(dx, r, format))
              << b->name() << ' ' << a.name << ' ' << spec(format).name << " at " << x;
        }
      }
    }
  }
}

// ---- The interface contract ---------------------------------------------------------------------

TEST(BothBackends, SupportsExactlyWhatEvaluates) {
  for (const Backend* b : backends_under_test) {
    for (const Activation& a : kCatalog) {
      const bool elementwise = is_elementwise(a.kind);
      const std::size_t n = elementwise ? 1 : 4;
      const std::vector<double> x = {0.5, -1.25, 2, 0.25, 1, -3, 0.75, 4};
      for (const FormatSpec& f : kFormats) {
        for (Pass pass : {Pass::kForward, Pass::kBackward}) {
          SCOPED_TRACE(std::string(b->name()) + ' ' + std::string(a.name) + ' ' +
                       std::string(f.name) + ' ' + std::string(backends::to_string(pass)));
          const std::size_t m = out_length(a.id, Pass::kForward, x.size(), n, default_params(a.id));
          const std::vector<double> dy(pass == Pass::kForward ? 0 : m, 0.5);
          if (!b->supports(a.id, f.format, pass)) {
            EXPECT_THROW(run(*b, a.id, f.format, pass, x, dy, n), std::invalid_argument);
            continue;
          }
          EXPECT_NE(f.format, Format::kF64);
          std::vector<double> y;
          EXPECT_NO_THROW(y = run(*b, a.id, f.format, pass, x, dy, n));
          for (double yi : y) {
            EXPECT_TRUE(std::isnan(yi) || same_bits(reference::round_to_format(yi, f.format), yi))
                << yi << " is not a value of the format";
          }
        }
      }
    }
  }
}

TEST(BothBackends, RejectRowsThatDoNotSuitTheEntry) {
  for (const Backend* b : backends_under_test) {
    const Problem glu{.fn = Fn::glu,
                      .params = {},
                      .format = Format::kF32,
                      .pass = Pass::kForward,
                      .row_length = 3};
    std::vector<double> out(1);
    EXPECT_THROW(b->evaluate(glu, std::vector<double>{1, 2, 3}, {}, out), std::invalid_argument);
    const Problem maxout{.fn = Fn::maxout,
                         .params = default_params(Fn::maxout),
                         .format = Format::kF32,
                         .pass = Pass::kForward,
                         .row_length = 3};
    EXPECT_THROW(b->evaluate(maxout, std::vector<double>{1, 2, 3}, {}, out), std::invalid_argument);
  }
}

TEST(BothBackends, DescribeTheirLibrary) {
  EXPECT_NE(backends::eigen_backend().description().find("Eigen 3.4"), std::string_view::npos);
  EXPECT_NE(backends::naive_backend().description().find("textbook"), std::string_view::npos);
}

// Several threads evaluating at once get what one thread gets.
TEST(BothBackends, ThreadsGetTheSameResults) {
  const std::vector<double> x = grid(6, 1.0 / 64, Format::kBF16);
  for (const Backend* b : backends_under_test) {
    for (Format format : kTargets) {
      const std::vector<double> alone = run(*b, Fn::gelu, format, Pass::kForward, x);
      std::vector<std::vector<double>> results(4);
      std::vector<std::thread> threads;
      for (auto& r : results) {
        threads.emplace_back([&] { r = run(*b, Fn::gelu, format, Pass::kForward, x); });
      }
      for (auto& t : threads) t.join();
      for (const auto& r : results) EXPECT_EQ(r, alone) << b->name();
    }
  }
}

// Eigen computes an array's tail with scalar functions; the backend must not let that make a
// result depend on where its input sits in the batch.
TEST(Eigen, ResultsDoNotDependOnThePlaceInTheBatch) {
  const Backend& eigen = backends::eigen_backend();
  const std::vector<double> xs = grid(9, 0.5, Format::kF32);
  for (const Activation& a : kCatalog) {
    if (!is_elementwise(a.kind)) continue;
    const std::vector<double> batch = run(eigen, a.id, Format::kF32, Pass::kForward, xs);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      EXPECT_TRUE(same_bits(batch[i], forward1(eigen, a.id, Format::kF32, xs[i])))
          << a.name << " at " << xs[i];
    }
  }
  const std::vector<double> row = {0.5, -1, 2, 0.25, 3};
  std::vector<double> two_rows = {1, 2, 3, 4, 5};
  two_rows.insert(two_rows.end(), row.begin(), row.end());
  const std::vector<double> alone =
      run(eigen, Fn::log_softmax, Format::kF32, Pass::kForward, row, {}, row.size());
  const std::vector<double> second =
      run(eigen, Fn::log_softmax, Format::kF32, Pass::kForward, two_rows, {}, row.size());
  EXPECT_EQ(std::vector<double>(second.begin() + 5, second.end()), alone);
}

}  // namespace
}  // namespace actcheck
