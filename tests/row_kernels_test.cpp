// impl/'s row kernels (softmax, log_softmax, softmin, maxout, glu, swiglu) beyond what the engine
// measures: every instruction set gives the same bits, no call allocates, and the dominant element
// of a softmax VJP keeps its digits. Accuracy itself is the engine's job (actcheck sweep; the
// catalog's budgets).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <vector>

#include "impl/kernels.hpp"

namespace {
std::atomic<long> allocations{0};
}  // namespace

// Counts every allocation of this test program (out of line, so that GCC does not pair the
// malloc and free below with the new-expressions of the callers).
[[gnu::noinline]] void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace actcheck::impl {
namespace {

constexpr Fn kRowEntries[] = {Fn::softmax, Fn::log_softmax, Fn::softmin,
                              Fn::maxout,  Fn::glu,         Fn::swiglu};

template <class T>
T from_double(double v) {
  if constexpr (std::is_same_v<T, BFloat16>) {
    return to_bfloat16(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// Rows with every kind of value the conventions name: ±0, ±inf, NaN now and then, subnormals,
// ties of the maximum, spreads from 2^-20 to 2^60.
template <class T>
std::vector<T> random_row(std::mt19937_64& g, std::size_t n, bool allow_nan) {
  std::uniform_real_distribution<double> u(-1, 1);
  std::uniform_int_distribution<int> scale(-20, 60), pick(0, 40);
  const double s = std::ldexp(1.0, scale(g));
  std::vector<T> row(n);
  for (T& v : row) {
    double d = s * u(g);
    switch (pick(g)) {
      case 0:
        d = INFINITY;
        break;
      case 1:
        d = -INFINITY;
        break;
      case 2:
        d = allow_nan ? NAN : 0.0;
        break;
      case 3:
        d = 0.0;
        break;
      case 4:
        d = -0.0;
        break;
      case 5:
        d = std::ldexp(u(g), -140);
        break;
      case 6:
        d = s;
        break;
      default:
        break;
    }
    v = from_double<T>(d);
  }
  return row;
}

template <class T>
void expect_same_bits_on_every_isa(Fn fn) {
  std::mt19937_64 g(20261123 + static_cast<int>(fn));
  std::uniform_int_distribution<std::size_t> length(1, 200);
  const Params p = default_params(fn);
  for (int r = 0; r < 400; ++r) {
    std::size_t n = length(g);
    if (fn == Fn::maxout || activation(fn).kind == Kind::kGated) n += n % 2;
    const std::vector<T> x = random_row<T>(g, n, r % 5 == 0);
    const std::size_t m = output_length(fn, n, p);
    const std::vector<T> dy = random_row<T>(g, m, r % 7 == 0);
    for (Direction direction : {Direction::kForward, Direction::kBackward}) {
      const std::size_t out_length = direction == Direction::kForward ? m : n;
      std::vector<T> expected(out_length), got(out_length);
      use_isa(Isa::kPortable);
      evaluate<T>(fn, p, direction, n, x, dy, expected);
      for (Isa isa : kIsas) {
        if (!is_supported(isa)) continue;
        use_isa(isa);
        evaluate<T>(fn, p, direction, n, x, dy, got);
        EXPECT_EQ(std::memcmp(expected.data(), got.data(), out_length * sizeof(T)), 0)
            << activation(fn).name << " row " << r << " of " << n << ", " << to_string(isa)
            << (direction == Direction::kForward ? " forward" : " backward");
      }
    }
  }
}

TEST(RowKernels, EveryInstructionSetGivesTheSameBits) {
  const Isa best = active_isa();
  for (Fn fn : kRowEntries) {
    expect_same_bits_on_every_isa<float>(fn);
    expect_same_bits_on_every_isa<Float16>(fn);
    expect_same_bits_on_every_isa<BFloat16>(fn);
  }
  use_isa(best);
}

template <class T>
void expect_no_allocation(Fn fn) {
  std::mt19937_64 g(7);
  const Params p = default_params(fn);
  for (std::size_t n : {2, 8, 30, 4096}) {
    const std::vector<T> x = random_row<T>(g, 3 * n, false);
    const std::size_t m = output_length(fn, n, p);
    const std::vector<T> dy = random_row<T>(g, 3 * m, false);
    const long start = allocations.load();
    std::vector<T> y(3 * m), dx(3 * n);
    ASSERT_GT(allocations.load(), start);  // the counter counts
    const long before = allocations.load();
    evaluate<T>(fn, p, Direction::kForward, n, x, {}, y);
    evaluate<T>(fn, p, Direction::kBackward, n, x, dy, dx);
    EXPECT_EQ(allocations.load(), before) << activation(fn).name << ", rows of " << n;
  }
}

TEST(RowKernels, NoCallAllocates) {
  for (Fn fn : kRowEntries) {
    expect_no_allocation<float>(fn);
    expect_no_allocation<Float16>(fn);
    expect_no_allocation<BFloat16>(fn);
  }
}

// softmax([20, 0]) with v = [1, 0]: g₀ = s₀(1 − s₀) = s₀·s₁ ≈ 2.06e-9, which s₀·(v₀ − ⟨s, v⟩)
// loses entirely to cancellation in float32 (1 − s₀ rounds to 0 or to 2^-24).
TEST(RowKernels, SoftmaxVjpKeepsTheDominantElement) {
  const std::vector<float> x = {20, 0}, v = {1, 0};
  std::vector<float> g(2);
  softmax_backward(x, v, g);
  const long double s1 = 1 / (1 + std::exp(20.0L));  // σ(−20)
  const long double exact = s1 * (1 - s1);
  EXPECT_NEAR(g[0], static_cast<double>(exact), 0x1p-24 * static_cast<double>(exact));
  EXPECT_NEAR(g[1], -static_cast<double>(exact), 0x1p-24 * static_cast<double>(exact));
  // log_softmax's VJP there: v₀ − s₀·Σv = 1 − s₀ = s₁.
  log_softmax_backward(x, v, g);
  EXPECT_NEAR(g[0], static_cast<double>(s1), 0x1p-24 * static_cast<double>(s1));
}

}  // namespace
}  // namespace actcheck::impl
