// Sweep throughput: float32 inputs measured per second by the engine, with the fast double tier
// deciding most roundings, against the same sweep asking MPFR for every input. Same backend
// (eigen), same inputs (a stratified float32 sample), one thread each, in one run.
//
//   build/default/bench/sweep_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "backends/registry.hpp"
#include "engine/sweep.hpp"

namespace actcheck::engine {
namespace {

void BM_Sweep(benchmark::State& state, Fn fn, reference::Tier tier) {
  // Enough inputs to reach every binade, few enough for MPFR-only to finish in seconds.
  const std::uint64_t count = tier == reference::Tier::kMpfrOnly ? 5000 : 100000;
  const Job job{fn, default_params(fn), Format::kF32, Pass::kForward,
                parse_input_spec("sample:" + std::to_string(count))};
  std::uint64_t measured = 0;
  for (auto _ : state) {
    const Metrics m = measure_job(job, backends::eigen_backend(), tier, 1);
    measured += m.count;
    benchmark::DoNotOptimize(m.max_ulp());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(measured));
}

#define ACTCHECK_SWEEP_BENCH(fn)                                                      \
  BENCHMARK_CAPTURE(BM_Sweep, fn##_fast_tier, Fn::fn, reference::Tier::kFastThenMpfr) \
      ->Unit(benchmark::kMillisecond)                                                 \
      ->UseRealTime()                                                                 \
      ->MinTime(2);                                                                   \
  BENCHMARK_CAPTURE(BM_Sweep, fn##_mpfr_only, Fn::fn, reference::Tier::kMpfrOnly)     \
      ->Unit(benchmark::kMillisecond)                                                 \
      ->UseRealTime()                                                                 \
      ->MinTime(2);

ACTCHECK_SWEEP_BENCH(tanh)
ACTCHECK_SWEEP_BENCH(sigmoid)
ACTCHECK_SWEEP_BENCH(gelu)

}  // namespace
}  // namespace actcheck::engine

BENCHMARK_MAIN();
