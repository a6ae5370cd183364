// Instructions per input of sweep_bench's fast-tier job, for callgrind: the benchmark's rates vary
// by ±20–40% on a shared VM, instruction counts do not. Runs the job (a stratified float32 sample
// of 100,000 inputs, the `eigen` backend, one thread) `repeats` times; the count per input is
// (instructions of repeats = 3 − instructions of repeats = 1) / 2 / inputs, which leaves out the
// start-up and the first run's one-time work (tables, caches).
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/c3 build/default/bench/sweep_instructions
//   tanh 3 valgrind --tool=callgrind --callgrind-out-file=/tmp/c1
//   build/default/bench/sweep_instructions tanh 1
//
// callgrind has no AVX-512: it runs the AVX2 versions of the engine's lanes.
#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "backends/registry.hpp"
#include "engine/sweep.hpp"

int main(int argc, char** argv) {
  using namespace actcheck;
  if (argc != 3) {
    fmt::print(stderr, "usage: {} FUNCTION REPEATS\n", argv[0]);
    return 2;
  }
  const Activation* a = find_activation(argv[1]);
  const int repeats = std::atoi(argv[2]);
  if (a == nullptr || repeats < 1) {
    fmt::print(stderr, "{}: unknown function {} or bad repeat count {}\n", argv[0], argv[1],
               argv[2]);
    return 2;
  }
  const engine::Job job{a->id, default_params(a->id), Format::kF32, engine::Pass::kForward,
                        engine::parse_input_spec("sample:100000")};
  std::uint64_t measured = 0;
  for (int i = 0; i < repeats; ++i) {
    measured +=
        engine::measure_job(job, backends::eigen_backend(), reference::Tier::kFastThenMpfr).count;
  }
  fmt::print("{} inputs measured\n", measured);
}
