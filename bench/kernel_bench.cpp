// Kernel throughput: elements per second of actcheck's own kernels (impl/kernels.hpp) against
// their peers, in one run. Every elementwise catalog entry, forward (y = f(x)) and backward
// (dx = dy·f′(x)), on 4,096 elements (in cache) and 16M elements (in memory):
//  - ours, actcheck_<isa>: impl::evaluate on each instruction set this CPU has (avx512, avx2,
//    portable), in float32, float16 and bfloat16;
//  - on float32 only: glibc (its float functions in the compositions of impl/compositions.hpp),
//    sleef (SLEEF's u10 functions in the same compositions), naive (the seeds' textbook formulas)
//    and Eigen's array expressions as the project compiles them (eigen_sse2) and compiled for
//    AVX-512 (eigen_avx512, where the CPU has it). Each is the float32 row function of its backend
//    (backends/float_rows.hpp); a peer whose backend does not support an entry is left out.
//    eigen_avx512 does not compute what the eigen backend computes: Eigen's AVX-512 functions
//    round differently, and differ in the tails (σ(−∞) = 0, so silu(−∞) = NaN; tanh near ±8), so
//    the accuracy actcheck reports for `eigen` is eigen_sse2's.
//
//   build/bench/kernel_bench --benchmark_out=kernel_bench.json --benchmark_out_format=json
//   scripts/kernel-bench-table.py kernel_bench.json     # Markdown tables
//   build/bench/kernel_bench --benchmark_filter='/sigmoid/' --benchmark_min_time=0.01  # a look
//
// Benchmarks are named BM/<fn>/<pass>/<peer>/<format>/<n> (BM/sigmoid/forward/eigen_sse2/f32/4096)
// and report items_per_second, an item being one element. Inputs are the same for every peer:
// x uniform in [−10, 10] and dy uniform in [−1, 1] from a fixed seed, rounded to float16 and
// bfloat16 for those formats, in 64-byte aligned buffers.
#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "backends/float_rows.hpp"
#include "backends/registry.hpp"
#include "bench/eigen_avx512_peer.hpp"
#include "catalog/catalog.hpp"
#include "impl/compositions.hpp"
#include "impl/kernels.hpp"
#include "impl/storage.hpp"

#ifndef ACTCHECK_BUILD_TYPE
#define ACTCHECK_BUILD_TYPE "unknown"
#endif

namespace actcheck::bench {
namespace {

using backends::FloatRows;
using impl::Direction;

constexpr std::size_t kSizes[] = {4096, std::size_t{16} << 20};
constexpr std::uint32_t kSeed = 20250607;
constexpr float kRange = 10;  // x uniform in [−kRange, kRange]

// ---- Inputs: one set per (format, size), shared by every benchmark -----------------------------

struct Free {
  void operator()(void* p) const { std::free(p); }
};

// n elements of T, 64-byte aligned (Eigen and our kernels take their vector path from the start).
template <class T>
class AlignedArray {
 public:
  explicit AlignedArray(std::size_t n)
      : data_(static_cast<T*>(std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64))), size_(n) {
    if (!data_) throw std::bad_alloc();
  }
  std::span<T> span() { return {data_.get(), size_}; }
  std::span<const T> span() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<T[], Free> data_;
  std::size_t size_;
};

template <class T>
struct Buffers {
  AlignedArray<T> x, dy, out;
  explicit Buffers(std::size_t n) : x(n), dy(n), out(n) {
    std::mt19937 rng(kSeed);
    std::uniform_real_distribution<float> xs(-kRange, kRange);
    std::uniform_real_distribution<float> dys(-1, 1);
    for (T& v : x.span()) v = impl::from_float<T>(xs(rng));
    for (T& v : dy.span()) v = impl::from_float<T>(dys(rng));
    // Written once, so that no timed call pays for the first touch of its pages.
    std::fill(out.span().begin(), out.span().end(), impl::from_float<T>(0));
  }
};

// Made on first use (outside the timed loop) and kept for the whole run.
template <class T>
Buffers<T>& buffers(std::size_t n) {
  static std::map<std::size_t, std::unique_ptr<Buffers<T>>> made;
  std::unique_ptr<Buffers<T>>& b = made[n];
  if (!b) b = std::make_unique<Buffers<T>>(n);
  return *b;
}

// ---- The timed loops ---------------------------------------------------------------------------

template <class T>
void count(benchmark::State& state, Direction direction, std::size_t n) {
  const auto items = static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n);
  state.SetItemsProcessed(items);
  // Bytes read and written: x and out, and dy backward.
  const std::int64_t arrays = direction == Direction::kForward ? 2 : 3;
  state.SetBytesProcessed(items * arrays * static_cast<std::int64_t>(sizeof(T)));
}

template <class T>
void bm_ours(benchmark::State& state, Fn fn, Direction direction, impl::Isa isa, std::size_t n) {
  impl::use_isa(isa);
  Buffers<T>& b = buffers<T>(n);
  const Params params = default_params(fn);
  const std::span<const T> x = b.x.span();
  const std::span<const T> dy =
      direction == Direction::kForward ? std::span<const T>() : b.dy.span();
  const std::span<T> out = b.out.span();
  for (auto _ : state) {
    impl::evaluate<T>(fn, params, direction, 1, x, dy, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count<T>(state, direction, n);
}

void bm_peer(benchmark::State& state, FloatRows rows, Fn fn, Direction direction, std::size_t n) {
  Buffers<float>& b = buffers<float>(n);
  const Params params = default_params(fn);
  const std::span<const float> x = b.x.span();
  const std::span<const float> dy =
      direction == Direction::kForward ? std::span<const float>() : b.dy.span();
  const std::span<float> out = b.out.span();
  for (auto _ : state) {
    rows(fn, params, direction, 1, x, dy, out);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  count<float>(state, direction, n);
}

// ---- Registration, from the catalog ------------------------------------------------------------

struct Peer {
  const char* name;
  FloatRows rows;
  const backends::Backend* backend;  // says which entries the peer supports
};

// What eigen_avx512_rows was compiled for (bench/CMakeLists.txt), as the CPU reports it.
bool cpu_runs_eigen_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

std::vector<Peer> peers() {
  std::vector<Peer> all = {
      {"glibc", &impl::evaluate_composed<impl::StdMath>, &backends::libm_backend()},
      {"sleef", &backends::sleef_rows_f32, &backends::sleef_backend()},
      {"naive", &backends::naive_rows_f32, &backends::naive_backend()},
      {"eigen_sse2", &backends::eigen_rows_f32, &backends::eigen_backend()},
  };
  if (cpu_runs_eigen_avx512()) {
    all.push_back({"eigen_avx512", &eigen_avx512_rows, &backends::eigen_backend()});
  }
  return all;
}

std::string name(const Activation& a, Direction direction, std::string_view peer, Format format,
                 std::size_t n) {
  return "BM/" + std::string(a.name) + "/" +
         (direction == Direction::kForward ? "forward/" : "backward/") + std::string(peer) + "/" +
         std::string(spec(format).name) + "/" + std::to_string(n);
}

void register_all() {
  const std::vector<Peer> others = peers();
  for (const Activation& a : kCatalog) {
    if (!is_elementwise(a.kind)) continue;
    for (Direction direction : {Direction::kForward, Direction::kBackward}) {
      const backends::Pass pass =
          direction == Direction::kForward ? backends::Pass::kForward : backends::Pass::kBackward;
      for (std::size_t n : kSizes) {
        const benchmark::TimeUnit unit =
            n <= 4096 ? benchmark::kMicrosecond : benchmark::kMillisecond;
        for (auto isa = std::rbegin(impl::kIsas); isa != std::rend(impl::kIsas); ++isa) {
          if (!impl::is_supported(*isa)) continue;
          const std::string ours = "actcheck_" + std::string(impl::to_string(*isa));
          benchmark::RegisterBenchmark(name(a, direction, ours, Format::kF32, n).c_str(),
                                       bm_ours<float>, a.id, direction, *isa, n)
              ->Unit(unit);
          benchmark::RegisterBenchmark(name(a, direction, ours, Format::kF16, n).c_str(),
                                       bm_ours<impl::Float16>, a.id, direction, *isa, n)
              ->Unit(unit);
          benchmark::RegisterBenchmark(name(a, direction, ours, Format::kBF16, n).c_str(),
                                       bm_ours<impl::BFloat16>, a.id, direction, *isa, n)
              ->Unit(unit);
        }
        for (const Peer& peer : others) {
          if (!peer.backend->supports(a.id, Format::kF32, pass)) continue;
          benchmark::RegisterBenchmark(name(a, direction, peer.name, Format::kF32, n).c_str(),
                                       bm_peer, peer.rows, a.id, direction, n)
              ->Unit(unit);
        }
      }
    }
  }
}

// What a reader of the results needs to know besides the numbers (in the JSON's "context").
void describe_run() {
  benchmark::AddCustomContext("actcheck_isa", std::string(impl::to_string(impl::active_isa())));
  benchmark::AddCustomContext("actcheck_build_type", ACTCHECK_BUILD_TYPE);
  benchmark::AddCustomContext("inputs", "x uniform in [-10, 10], dy uniform in [-1, 1], seed " +
                                            std::to_string(kSeed) +
                                            "; float16/bfloat16: the same values rounded");
  for (const backends::Backend* b : {&backends::libm_backend(), &backends::sleef_backend(),
                                     &backends::naive_backend(), &backends::eigen_backend()}) {
    benchmark::AddCustomContext("backend_" + std::string(b->name()), std::string(b->description()));
  }
  benchmark::AddCustomContext(
      "eigen_packet_floats",
      "eigen_sse2 " + std::to_string(Eigen::internal::packet_traits<float>::size) +
          (cpu_runs_eigen_avx512()
               ? ", eigen_avx512 " + std::to_string(eigen_avx512_packet_floats())
               : std::string(", eigen_avx512 not run (no AVX-512 on this CPU)")));
}

}  // namespace
}  // namespace actcheck::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  actcheck::bench::describe_run();  // before any benchmark chooses an instruction set
  actcheck::bench::register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
