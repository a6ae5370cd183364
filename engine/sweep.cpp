#include "engine/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <variant>

#include "engine/metrics_json.hpp"
#include "engine/progress.hpp"
#include "engine/text.hpp"
#include "engine/ulp.hpp"
#include "reference/rounding.hpp"
#include "reference/vector.hpp"

namespace actcheck::engine {
namespace {

using nlohmann::json;
using reference::Quantity;

volatile std::sig_atomic_t g_stop = 0;

// Blocks are the unit of work, of the journal and of resuming: small enough to balance the threads
// and to lose little to a kill, few enough (at most ~4096 per job) to keep the journal small.
constexpr std::uint64_t kMinElementsPerBlock = 1 << 14;
constexpr std::uint64_t kMaxBlocksPerJob = 4096;
constexpr std::uint64_t kRowsPerBlock = 4;
constexpr std::uint64_t kElementsPerChunk = 4096;  // measured together within a block

std::uint64_t elements_per_block(std::uint64_t size) {
  return std::max(kMinElementsPerBlock, (size + kMaxBlocksPerJob - 1) / kMaxBlocksPerJob);
}

Quantity quantity_of(Pass pass) {
  return pass == Pass::kForward ? Quantity::kValue : Quantity::kDerivative;
}

// A backend must answer with values of the format; anything else is a bug in the adapter, and
// rounding it here would hide it.
void check_representable(const Backend& b, const Job& job,
                         const reference::NearestRounding& in_format, double y) {
  if (!in_format.is_value(y)) [[unlikely]] {
    throw std::logic_error(fmt::format("backend {} returned {:a} for {}, not a value of {}",
                                       b.name(), y, job.key(), spec(job.format).name));
  }
}

using Inputs = std::variant<ElementInputs, RowInputs>;

Inputs make_inputs(const Job& job) {
  if (is_elementwise(activation(job.fn).kind)) {
    return ElementInputs(job.inputs, job.fn, job.params, job.format);
  }
  return RowInputs(job.inputs, job.fn, job.params, job.format);
}

// One job's state during the sweep.
struct JobState {
  const Job* job;
  Inputs inputs;
  std::uint64_t begin, end;  // the shard's slice of the inputs
  std::uint64_t per_block;
  std::uint64_t blocks;
  std::vector<bool> supported;  // per backend
  std::vector<Metrics> totals;  // per backend
  std::uint64_t blocks_done = 0;
};

// Measures inputs [first, last) of a job on every supporting backend.
std::vector<Metrics> measure_block(const JobState& s, const std::vector<const Backend*>& backends,
                                   std::uint64_t first, std::uint64_t last, reference::Tier tier) {
  const Job& job = *s.job;
  const Quantity q = quantity_of(job.pass);
  const reference::NearestRounding in_format(spec(job.format));
  std::vector<Metrics> metrics(backends.size());
  if (const auto* elements = std::get_if<ElementInputs>(&s.inputs)) {
    // In chunks that stay in cache, through buffers allocated once: a block of an exhaustive
    // float32 sweep holds a million inputs, and buffers of that size, zeroed and paged in anew for
    // every block, took half the time of a sweep.
    const std::size_t chunk = std::min<std::uint64_t>(kElementsPerChunk, last - first);
    std::vector<double> x(chunk), out(chunk), ulps(chunk);
    std::vector<std::uint8_t> plain(chunk);
    std::vector<reference::Exact> exact(chunk);
    const std::vector<double> ones(job.pass == Pass::kBackward ? chunk : 0, 1.0);
    for (std::uint64_t begin = first; begin < last; begin += chunk) {
      const std::size_t n = std::min<std::uint64_t>(chunk, last - begin);
      const std::span<double> xs(x.data(), n), outs(out.data(), n);
      const std::span<reference::Exact> exacts(exact.data(), n);
      const std::span<const double> dy(ones.data(), ones.empty() ? 0 : n);
      elements->fill(begin, xs);
      reference::exact(job.fn, q, xs, job.params, job.format, tier, exacts);
      for (std::size_t b = 0; b < backends.size(); ++b) {
        if (!s.supported[b]) continue;
        backends[b]->evaluate({job.fn, job.params, job.format, job.pass, 1}, xs, dy, outs);
        measure_plain(outs, exacts, job.format, ulps, plain);
        const auto example_of = [&](std::size_t i) {
          return Example{.input = begin + i, .x = x[i], .y = out[i], .exact = exact[i].rounded};
        };
        metrics[b].add_plain(std::span(ulps.data(), n), std::span(plain.data(), n), example_of);
        for (std::size_t i = 0; i < n; ++i) {
          // Eight plain results at a time: nearly all are.
          constexpr std::uint64_t kEightPlain = 0x0101010101010101;
          std::uint64_t eight;
          while (i + 8 <= n && (std::memcpy(&eight, &plain[i], 8), eight == kEightPlain)) i += 8;
          if (i == n || plain[i]) continue;
          check_representable(*backends[b], job, in_format, out[i]);
          metrics[b].add(measure(out[i], exact[i], job.format), example_of(i));
        }
      }
    }
    return metrics;
  }
  const auto& rows = std::get<RowInputs>(s.inputs);
  for (std::uint64_t r = first; r < last; ++r) {
    const RowInput row = rows.at(r);
    std::vector<reference::Exact> exact;
    try {
      exact = reference::exact_row(job.fn, q, row.x, row.dy, job.params, job.format, tier);
    } catch (const std::logic_error&) {
      for (Metrics& m : metrics) ++m.undecided_rows;
      continue;
    }
    std::vector<double> out(exact.size());
    const std::span<const double> dy = job.pass == Pass::kBackward
                                           ? std::span<const double>(row.dy.data(), row.dy.size())
                                           : std::span<const double>();
    for (std::size_t b = 0; b < backends.size(); ++b) {
      if (!s.supported[b]) continue;
      backends[b]->evaluate(
          {job.fn, job.params, job.format, job.pass, static_cast<std::size_t>(row.x.size())},
          std::span<const double>(row.x.data(), row.x.size()), dy, out);
      for (std::size_t i = 0; i < out.size(); ++i) {
        check_representable(*backends[b], job, in_format, out[i]);
        // The input shown is the element's own x (for gated entries, the first half's).
        const double x =
            row.x[static_cast<Eigen::Index>(std::min<std::size_t>(i, row.x.size() - 1))];
        metrics[b].add(measure(out[i], exact[i], job.format),
                       {.input = r,
                        .element = static_cast<std::int64_t>(i),
                        .x = x,
                        .y = out[i],
                        .exact = exact[i].rounded});
      }
    }
  }
  return metrics;
}

// The journal: a header naming the sweep, then one line per finished block.
class Journal {
 public:
  Journal(const std::string& path, const json& header) : path_(path) {
    if (path.empty()) return;
    if (std::filesystem::exists(path)) {
      std::ifstream in(path);
      std::string line;
      std::getline(in, line);
      json found = json::parse(line, nullptr, false);
      if (found.is_discarded() || found != header) {
        throw InputError(fmt::format(
            "{}: a journal of a different sweep (other jobs, backends, shard or version); delete "
            "it, or choose another output",
            path));
      }
      for (int number = 2; std::getline(in, line); ++number) {
        json block = json::parse(line, nullptr, false);
        if (block.is_discarded()) break;  // a line cut short by a kill: its block is redone
        done_.push_back(block);
      }
      out_.open(path, std::ios::app);
    } else {
      out_.open(path);
      out_ << header.dump() << '\n' << std::flush;
    }
    if (!out_) throw InputError(fmt::format("{}: cannot write the journal", path));
  }

  const std::vector<json>& done() const { return done_; }

  void append(std::size_t job, std::uint64_t block, const std::vector<Metrics>& metrics) {
    if (path_.empty()) return;
    json m = json::array();
    for (const Metrics& x : metrics) m.push_back(to_json(x));
    out_ << json{{"job", job}, {"block", block}, {"metrics", m}}.dump() << '\n' << std::flush;
  }

  void remove() {
    if (path_.empty()) return;
    out_.close();
    std::filesystem::remove(path_);
  }

 private:
  std::string path_;
  std::ofstream out_;
  std::vector<json> done_;
};

json journal_header(const std::vector<Job>& jobs, const std::vector<JobState>& states,
                    const SweepOptions& options) {
  json j = {{"actcheck_journal", 1}, {"shard", options.shard.text()}};
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    j["jobs"].push_back(
        {{"job", jobs[k].key()}, {"seed", jobs[k].inputs.seed}, {"block", states[k].per_block}});
  }
  for (const Backend* b : options.backends) j["backends"].push_back(b->name());
  return j;
}

}  // namespace

void request_stop() { g_stop = 1; }

std::string Job::key() const {
  std::string k = fmt::format("{} {} {} {}", activation(fn).name, spec(format).name,
                              backends::to_string(pass), inputs.text());
  const Activation& a = activation(fn);
  for (std::size_t i = 0; i < a.params.size(); ++i) {
    k += fmt::format(" {}={}", a.params[i].name, params[i]);
  }
  return k;
}

Shard Shard::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  unsigned i = 0, n = 0;
  const bool ok = slash != std::string_view::npos &&
                  std::from_chars(text.data(), text.data() + slash, i).ptr == text.data() + slash &&
                  std::from_chars(text.data() + slash + 1, text.data() + text.size(), n).ptr ==
                      text.data() + text.size() &&
                  n >= 1 && i >= 1 && i <= n;
  if (!ok) {
    throw InputError(fmt::format("--shard: \"{}\" is not i/N with 1 <= i <= N (e.g. 3/8)", text));
  }
  return {i - 1, n};
}

std::string Shard::text() const { return fmt::format("{}/{}", index + 1, count); }

SweepOutcome run_sweep(const std::vector<Job>& jobs, const SweepOptions& options) {
  g_stop = 0;
  const auto& backends = options.backends;
  std::vector<JobState> states;
  states.reserve(jobs.size());
  std::uint64_t total_inputs = 0;
  for (const Job& job : jobs) {
    Inputs inputs = make_inputs(job);
    const std::uint64_t size = std::visit([](const auto& s) { return s.size(); }, inputs);
    const std::uint64_t per_block =
        std::holds_alternative<ElementInputs>(inputs) ? elements_per_block(size) : kRowsPerBlock;
    const std::uint64_t begin = size * options.shard.index / options.shard.count;
    const std::uint64_t end = size * (options.shard.index + 1) / options.shard.count;
    JobState s{&job,      std::move(inputs),
               begin,     end,
               per_block, (end - begin + per_block - 1) / per_block,
               {},        std::vector<Metrics>(backends.size())};
    for (const Backend* b : backends)
      s.supported.push_back(b->supports(job.fn, job.format, job.pass));
    total_inputs += end - begin;
    states.push_back(std::move(s));
  }

  Journal journal(options.journal, journal_header(jobs, states, options));
  std::vector<std::vector<bool>> done(states.size());
  for (std::size_t j = 0; j < states.size(); ++j) done[j].assign(states[j].blocks, false);
  SweepOutcome outcome;
  for (const json& line : journal.done()) {
    const std::size_t j = line.at("job").get<std::size_t>();
    const std::uint64_t b = line.at("block").get<std::uint64_t>();
    if (j >= states.size() || b >= states[j].blocks || done[j][b]) continue;
    done[j][b] = true;
    for (std::size_t k = 0; k < backends.size(); ++k) {
      states[j].totals[k].merge(metrics_from_json(line.at("metrics").at(k), options.journal));
    }
    ++states[j].blocks_done;
  }

  // The queue: every block not yet done, job by job.
  std::vector<std::pair<std::size_t, std::uint64_t>> queue;
  std::uint64_t inputs_left = 0;
  for (std::size_t j = 0; j < states.size(); ++j) {
    outcome.blocks_total += states[j].blocks;
    for (std::uint64_t b = 0; b < states[j].blocks; ++b) {
      if (done[j][b]) {
        ++outcome.blocks_done;
        continue;
      }
      queue.emplace_back(j, b);
      const std::uint64_t first = states[j].begin + b * states[j].per_block;
      inputs_left += std::min(states[j].end, first + states[j].per_block) - first;
    }
  }

  auto result_of = [&](std::size_t j) {
    const JobState& s = states[j];
    JobResult r{*s.job,
                std::visit([](const auto& set) { return set.description(); }, s.inputs),
                s.begin,
                s.end - s.begin,
                {}};
    for (std::size_t k = 0; k < backends.size(); ++k) {
      r.backends.push_back({std::string(backends[k]->name()), bool(s.supported[k]), s.totals[k]});
    }
    return r;
  };
  std::vector<bool> reported(states.size(), false);
  std::mutex mutex;
  auto report_finished = [&](std::size_t j) {  // under the mutex
    if (reported[j] || states[j].blocks_done != states[j].blocks) return;
    reported[j] = true;
    if (options.on_job_done) options.on_job_done(result_of(j));
  };
  for (std::size_t j = 0; j < states.size(); ++j) report_finished(j);

  Progress progress(inputs_left, "inputs", options.progress);
  std::atomic<std::size_t> next = 0;
  std::exception_ptr failure;
  auto worker = [&] {
    while (!g_stop) {
      const std::size_t i = next.fetch_add(1);
      if (i >= queue.size()) return;
      const auto [j, b] = queue[i];
      JobState& s = states[j];
      const std::uint64_t first = s.begin + b * s.per_block;
      const std::uint64_t last = std::min(s.end, first + s.per_block);
      std::vector<Metrics> m;
      try {
        m = measure_block(s, backends, first, last, options.tier);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        g_stop = 1;
        return;
      }
      std::lock_guard lock(mutex);
      for (std::size_t k = 0; k < backends.size(); ++k) s.totals[k].merge(m[k]);
      journal.append(j, b, m);
      ++s.blocks_done;
      ++outcome.blocks_done;
      progress.set_label(s.job->key());
      progress.advance(last - first);
      report_finished(j);
    }
  };
  const unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::jthread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      worker();
      reference::release_thread_caches();
    });
  }
  pool.clear();  // joins
  progress.finish();
  if (failure) std::rethrow_exception(failure);

  outcome.interrupted = outcome.blocks_done < outcome.blocks_total;
  for (std::size_t j = 0; j < states.size(); ++j) {
    if (states[j].blocks_done == states[j].blocks) outcome.results.push_back(result_of(j));
  }
  if (!outcome.interrupted) journal.remove();
  return outcome;
}

Metrics measure_job(const Job& job, const Backend& backend, reference::Tier tier,
                    unsigned threads) {
  SweepOptions options;
  options.backends = {&backend};
  options.threads = threads;
  options.tier = tier;
  options.progress = false;
  SweepOutcome o = run_sweep({job}, options);
  return o.results.at(0).backends.at(0).metrics;
}

}  // namespace actcheck::engine
