// Sweeps: the fast tier changes no figure; threads and shards merge to exactly the whole run; an
// interrupted sweep resumes from its journal to the same figures; metrics count what they claim.
#include "engine/sweep.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "engine/text.hpp"
#include "engine/ulp.hpp"
#include "reference/rounding.hpp"
#include "reference/vector.hpp"
#include "temp_path.hpp"

namespace actcheck::engine {
namespace {

using backends::Problem;

// A backend made for these tests, whose errors are known in advance: tanh and its derivative
// computed in double and rounded once (so within 0.5 ULP plus double's error), except that inputs
// in [2, 3) come back one step up and inputs above 100 come back NaN.
class PlantedErrors final : public Backend {
 public:
  std::string_view name() const override { return "planted"; }
  std::string_view description() const override { return "tanh with planted errors"; }
  bool supports(Fn fn, Format format, Pass) const override {
    return (fn == Fn::tanh || fn == Fn::softmax) && format != Format::kF64;
  }
  void evaluate(const Problem& p, std::span<const double> x, std::span<const double> dy,
                std::span<double> out) const override {
    if (p.fn == Fn::softmax) {  // correctly rounded rows, from the reference
      Eigen::VectorXd row = Eigen::Map<const Eigen::VectorXd>(x.data(), x.size());
      Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(dy.data(), dy.size());
      const auto q =
          p.pass == Pass::kForward ? reference::Quantity::kValue : reference::Quantity::kDerivative;
      if (p.pass == Pass::kForward) v = Eigen::VectorXd::Zero(row.size());
      const Eigen::VectorXd r =
          reference::correctly_rounded_row(p.fn, q, row, v, p.params, p.format);
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = r[static_cast<Eigen::Index>(i)];
      return;
    }
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double t = std::tanh(x[i]);
      const double v = p.pass == Pass::kForward ? t : dy[i] * (1 - t * t);
      double y = reference::round_to_format(v, p.format);
      if (x[i] >= 2 && x[i] < 3) y = next_up(y, p.format);
      if (x[i] > 100) y = NAN;
      out[i] = y;
    }
  }
};
const PlantedErrors kPlanted;

// The correctly rounded value itself, from the reference: what a perfect backend returns.
class CorrectlyRounded final : public Backend {
 public:
  std::string_view name() const override { return "perfect"; }
  std::string_view description() const override { return "the reference, correctly rounded"; }
  bool supports(Fn fn, Format format, Pass) const override {
    return is_elementwise(activation(fn).kind) && format != Format::kF64;
  }
  void evaluate(const Problem& p, std::span<const double> x, std::span<const double> dy,
                std::span<double> out) const override {
    const auto q =
        p.pass == Pass::kForward ? reference::Quantity::kValue : reference::Quantity::kDerivative;
    for (std::size_t i = 0; i < x.size(); ++i) {
      out[i] = reference::correctly_rounded(p.fn, q, x[i], p.params, p.format);
      if (p.pass == Pass::kBackward) out[i] *= dy[i];  // dy = 1: exact
    }
  }
};
const CorrectlyRounded kPerfect;

Job tanh_job(Format f, const char* inputs, Pass pass = Pass::kForward) {
  return {Fn::tanh, {}, f, pass, parse_input_spec(inputs)};
}

SweepOptions options(unsigned threads = 2) {
  SweepOptions o;
  o.backends = {&kPlanted};
  o.threads = threads;
  o.progress = false;
  return o;
}

// Metrics::add_plain adds a batch's plain results at once; the figures must be add()'s on each
// (Metrics' == compares every count, the histogram, the exact sum and the examples), whether the
// batch is summarized or, with an error above 1/2 or off the 2^-32 grid, added one by one.
TEST(Metrics, AddingPlainResultsAtOnceEqualsAddingEach) {
  std::mt19937_64 rng(20261207);
  for (int variant = 0; variant < 3; ++variant) {
    std::vector<double> ulps(4096);
    std::vector<std::uint8_t> plain(ulps.size());
    for (std::size_t i = 0; i < ulps.size(); ++i) {
      ulps[i] = rng() % 5 == 0 ? 0.0 : static_cast<double>(rng() % 32769) * 0x1p-16;  // ≤ 1/2
      plain[i] = rng() % 8 != 0;
    }
    if (variant == 1) ulps[1000] = 0.5 + 0x1p-16;  // above 1/2
    if (variant == 2) ulps[2000] = 0x1p-40;        // off the grid of 2^-32
    ulps[100] = ulps[3000] = 0.5;                  // the largest, twice: the earlier is the worst
    plain[100] = plain[3000] = plain[1000] = plain[2000] = 1;
    const auto example_of = [](std::size_t i) {
      return Example{.input = 7 + i, .x = static_cast<double>(i), .y = 1.0, .exact = 1.0};
    };
    Metrics at_once, each;
    at_once.add_plain(ulps, plain, example_of);
    for (std::size_t i = 0; i < ulps.size(); ++i) {
      if (plain[i]) each.add(UlpError{.ulps = ulps[i]}, example_of(i));
    }
    EXPECT_TRUE(at_once == each) << "variant " << variant;
    // Each lane width's summary, where the CPU runs it, against the one add_plain used.
    __builtin_cpu_init();
    const std::pair<detail::SummarizePlain, bool> widths[] = {
        {detail::kSummarizePlainAvx512, __builtin_cpu_supports("x86-64-v4") != 0},
        {detail::kSummarizePlainAvx2, __builtin_cpu_supports("x86-64-v3") != 0},
        {detail::kSummarizePlainBaseline, true}};
    const Metrics::PlainSummary used = Metrics::summarize_plain(ulps, plain);
    for (const auto& [summarize, runs] : widths) {
      if (!runs) continue;
      const Metrics::PlainSummary s = summarize(ulps.data(), plain.data(), ulps.size());
      EXPECT_EQ(s.summarized, variant == 0);
      if (!s.summarized) continue;
      EXPECT_EQ(s.count, used.count);
      EXPECT_EQ(s.zeros, used.zeros);
      EXPECT_TRUE(reference::same_bits(s.sum, used.sum));
      EXPECT_EQ(s.worst, 100u);
    }
    EXPECT_GT(each.histogram[0], 0u);
    EXPECT_GT(each.histogram[1], 0u);
  }
}

TEST(Sweep, CountsWhatWasPlanted) {
  const Job job = tanh_job(Format::kF16, "exhaustive");
  const Metrics m = measure_job(job, kPlanted, reference::Tier::kFastThenMpfr, 2);
  ElementInputs inputs(job.inputs, job.fn, job.params, job.format);
  std::uint64_t above_100 = 0, in_2_3 = 0;
  for (std::uint64_t i = 0; i < inputs.size(); ++i) {
    const double x = inputs.at(i);
    above_100 += x > 100;
    in_2_3 += x >= 2 && x < 3;
  }
  EXPECT_EQ(m.count, inputs.size());
  EXPECT_EQ(m.non_finite, above_100);
  EXPECT_GE(m.max_ulp(), 1.0);
  EXPECT_LT(m.max_ulp(), 1.5);
  ASSERT_TRUE(m.worst.has_value());
  EXPECT_TRUE(m.worst->x >= 2 && m.worst->x < 3);
  // Everything else is correctly rounded (tanh in double rounds correctly to float16 here).
  EXPECT_EQ(m.count - m.correctly_rounded - m.non_finite, in_2_3);
  std::uint64_t histogram_total = 0;
  for (std::uint64_t c : m.histogram) histogram_total += c;
  EXPECT_EQ(histogram_total, m.count - m.non_finite);
  EXPECT_TRUE(m.non_finite_example && m.non_finite_example->x > 100);
}

TEST(Sweep, FastTierChangesNoFigure) {
  for (Format f : {Format::kF16, Format::kBF16}) {
    for (Pass pass : {Pass::kForward, Pass::kBackward}) {
      const Job job = tanh_job(f, "exhaustive", pass);
      EXPECT_TRUE(measure_job(job, kPlanted, reference::Tier::kFastThenMpfr, 2) ==
                  measure_job(job, kPlanted, reference::Tier::kMpfrOnly, 2));
    }
  }
  const Job f32 = tanh_job(Format::kF32, "sample:20000");
  EXPECT_TRUE(measure_job(f32, kPlanted, reference::Tier::kFastThenMpfr, 2) ==
              measure_job(f32, kPlanted, reference::Tier::kMpfrOnly, 2));
}

TEST(Sweep, ThreadsAndShardsMergeToTheWholeRun) {
  const Job job = tanh_job(Format::kBF16, "exhaustive", Pass::kBackward);
  const Metrics whole = measure_job(job, kPlanted, reference::Tier::kFastThenMpfr, 1);
  EXPECT_TRUE(measure_job(job, kPlanted, reference::Tier::kFastThenMpfr, 2) == whole);
  Metrics merged;
  std::uint64_t covered = 0;
  for (unsigned i = 0; i < 3; ++i) {
    SweepOptions o = options();
    o.shard = {i, 3};
    const SweepOutcome part = run_sweep({job}, o);
    EXPECT_EQ(part.results.at(0).first_input, covered);
    covered += part.results.at(0).inputs;
    merged.merge(part.results.at(0).backends.at(0).metrics);
  }
  EXPECT_TRUE(merged == whole);
  EXPECT_EQ(merged.count, whole.count);
}

TEST(Sweep, InterruptedRunResumesToTheSameFigures) {
  const std::vector<Job> jobs = {tanh_job(Format::kF16, "exhaustive"),
                                 tanh_job(Format::kBF16, "exhaustive"),
                                 tanh_job(Format::kF16, "exhaustive", Pass::kBackward)};
  const SweepOutcome whole = run_sweep(jobs, options());

  const std::string journal = actcheck::testing::temp_path("resume.partial");
  std::filesystem::remove(journal);
  SweepOptions o = options();
  o.journal = journal;
  o.on_job_done = [](const JobResult&) { request_stop(); };  // stop once the first job is done
  const SweepOutcome first = run_sweep(jobs, o);
  EXPECT_TRUE(first.interrupted);
  EXPECT_LT(first.results.size(), jobs.size());
  EXPECT_TRUE(std::filesystem::exists(journal));

  o.on_job_done = nullptr;
  const SweepOutcome resumed = run_sweep(jobs, o);
  EXPECT_FALSE(resumed.interrupted);
  ASSERT_EQ(resumed.results.size(), jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    EXPECT_TRUE(resumed.results[j].backends[0].metrics == whole.results[j].backends[0].metrics)
        << jobs[j].key();
  }
  EXPECT_FALSE(std::filesystem::exists(journal));  // a finished sweep needs no journal
}

TEST(Sweep, JournalOfAnotherSweepIsRefused) {
  const std::string journal = actcheck::testing::temp_path("other.partial");
  std::filesystem::remove(journal);
  // One thread: with two, the other could finish the second job before the stop is seen, and a
  // finished sweep removes its journal (this failed about 1 run in 7).
  SweepOptions o = options(1);
  o.journal = journal;
  o.on_job_done = [](const JobResult&) { request_stop(); };
  run_sweep({tanh_job(Format::kF16, "exhaustive"), tanh_job(Format::kBF16, "exhaustive")}, o);
  ASSERT_TRUE(std::filesystem::exists(journal));
  o.on_job_done = nullptr;
  EXPECT_THROW(run_sweep({tanh_job(Format::kBF16, "exhaustive")}, o), InputError);
  std::filesystem::remove(journal);
}

TEST(Sweep, RowsAreMeasuredElementByElement) {
  for (Pass pass : {Pass::kForward, Pass::kBackward}) {
    const Job job{Fn::softmax, {}, Format::kF32, pass, parse_input_spec("sample:8")};
    const Metrics m = measure_job(job, kPlanted, reference::Tier::kFastThenMpfr, 2);
    RowInputs rows(job.inputs, job.fn, job.params, job.format);
    std::uint64_t elements = 0;
    for (std::uint64_t i = 0; i < rows.size(); ++i) elements += rows.at(i).x.size();
    EXPECT_EQ(m.count, elements);
    EXPECT_EQ(m.correctly_rounded, m.count);  // the backend returns the reference's rounding
    EXPECT_LE(m.max_ulp(), 0.5);
  }
}

TEST(Sweep, CorrectlyRoundedBackendScoresZeroOnEveryInputSet) {
  const std::string file = actcheck::testing::temp_path("hard.txt");
  std::ofstream(file) << "# provenance: hand-picked\n0x1.8p+1\n-0x1p-149\n0x1.fffffep+127\nnan\n";
  for (const char* inputs : {"exhaustive", "sample:3000", "special"}) {
    for (Format f : {Format::kF16, Format::kBF16, Format::kF32}) {
      if (f == Format::kF32 && std::string(inputs) == "exhaustive") continue;
      for (Fn fn : {Fn::gelu, Fn::mish, Fn::hardswish, Fn::logsigmoid}) {
        for (Pass pass : {Pass::kForward, Pass::kBackward}) {
          const Job job{fn, default_params(fn), f, pass, parse_input_spec(inputs)};
          const Metrics m = measure_job(job, kPerfect, reference::Tier::kFastThenMpfr, 2);
          EXPECT_EQ(m.correctly_rounded, m.count) << job.key();
          EXPECT_LE(m.max_ulp(), 0.5) << job.key();
          EXPECT_EQ(m.non_finite + m.signed_zero, 0u) << job.key();
        }
      }
    }
  }
  const Job from_file{Fn::tanh, {}, Format::kF32, Pass::kForward, parse_input_spec("file:" + file)};
  const Metrics m = measure_job(from_file, kPerfect, reference::Tier::kFastThenMpfr, 1);
  EXPECT_EQ(m.count, 4u);
  EXPECT_EQ(m.correctly_rounded, 4u);
  // The checked-in hard cases: near-ties that only MPFR settles.
  const Job hard{Fn::gelu,
                 {},
                 Format::kF32,
                 Pass::kForward,
                 parse_input_spec(std::string("file:") + ACTCHECK_DATA_DIR + "/gelu_f32_hard.txt")};
  const Metrics h = measure_job(hard, kPerfect, reference::Tier::kFastThenMpfr, 2);
  EXPECT_GT(h.count, 1000u);
  EXPECT_EQ(h.correctly_rounded, h.count);
}

}  // namespace
}  // namespace actcheck::engine
