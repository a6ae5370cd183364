// Sweeps: run backends over input sets and measure every result against the exact value.
//
// A sweep is a list of jobs (function, parameters, format, pass, input set), each measured on every
// requested backend in one pass over its inputs, so the exact values are computed once. The inputs
// are cut into blocks; all cores take blocks from one queue; memory stays flat whatever the input
// count. Each finished block is appended to a journal (when one is given), so a killed run loses
// nothing it finished, and running the same sweep again resumes it. A shard i/N takes the i-th of
// N equal slices of every job's inputs; merging the shards' metrics gives the whole run's figures.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "engine/input_set.hpp"
#include "engine/metrics.hpp"
#include "reference/reference.hpp"

namespace actcheck::engine {

using backends::Backend;
using backends::Pass;

struct Job {
  Fn fn;
  Params params;
  Format format;
  Pass pass;
  InputSpec inputs;

  // A one-line name that identifies the job ("tanh f32 forward sample:1000000").
  std::string key() const;
};

struct Shard {
  unsigned index = 0;  // 0-based
  unsigned count = 1;
  // Throws InputError unless text is "i/N" with 1 ≤ i ≤ N (as the user counts).
  static Shard parse(std::string_view text);
  std::string text() const;  // "i/N", 1-based
};

struct BackendResult {
  std::string backend;
  bool supported = false;
  Metrics metrics;
};

struct JobResult {
  Job job;
  std::string input_description;
  std::uint64_t first_input = 0;  // this shard's slice of the input set: [first, first + inputs)
  std::uint64_t inputs = 0;
  std::vector<BackendResult> backends;
};

struct SweepOptions {
  std::vector<const Backend*> backends;
  unsigned threads = 0;  // 0: every core
  Shard shard;
  reference::Tier tier = reference::Tier::kFastThenMpfr;
  std::string journal;                                // empty: keep nothing until the end
  std::function<void(const JobResult&)> on_job_done;  // called as each job completes
  bool progress = true;                               // on a terminal only, in any case
};

struct SweepOutcome {
  std::vector<JobResult> results;  // the completed jobs, in job order
  bool interrupted = false;
  std::uint64_t blocks_done = 0;
  std::uint64_t blocks_total = 0;
};

// Throws InputError for a bad input set or a journal that belongs to another sweep.
SweepOutcome run_sweep(const std::vector<Job>& jobs, const SweepOptions& options);

// Asks a running sweep to stop after the blocks in hand (async-signal-safe: for SIGINT/SIGTERM).
void request_stop();

// The correctly rounded results of one backend (as the engine measures them) — for tests.
Metrics measure_job(const Job& job, const Backend& backend, reference::Tier tier,
                    unsigned threads = 1);

}  // namespace actcheck::engine
