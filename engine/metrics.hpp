// The figures of one (function, parameters, backend, format, pass, input set): what reports show
// and CI gates on. Metrics merge: the parts of a run done by different threads or shards combine to
// exactly the figures of one whole run (sums are exact; ties between examples go to the earliest
// input).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>

#include "engine/exact_sum.hpp"
#include "engine/ulp.hpp"

namespace actcheck::engine {

// Histogram bins by ULP error: = 0, ≤ 0.5, ≤ 1, ≤ 2, ≤ 4, ≤ 16, ≤ 256, > 256.
inline constexpr std::array<double, 7> kBinUpperEdges = {0, 0.5, 1, 2, 4, 16, 256};
inline constexpr std::size_t kBins = kBinUpperEdges.size() + 1;
std::string_view bin_label(std::size_t bin);  // "0", "<=0.5", …, ">256"

// One compared result and where it came from.
struct Example {
  std::uint64_t input = 0;    // index in the input set (a row's index for vector entries)
  std::int64_t element = -1;  // the element within the row, or −1 for elementwise entries
  double x = 0;               // the input (for rows: the row's element at `element`)
  double y = 0;               // the result
  double exact = 0;           // the correctly rounded exact value
  double ulps = 0;
};

// Examples are kept by input order, so that the choice does not depend on the order of merging.
inline bool earlier(const Example& a, const Example& b) {
  return std::tie(a.input, a.element) < std::tie(b.input, b.element);
}
// Is a the worse result: a larger error, or as large and earlier?
inline bool worse(const Example& a, const Example& b) {
  return a.ulps > b.ulps || (a.ulps == b.ulps && earlier(a, b));
}

struct Metrics {
  std::uint64_t count = 0;
  std::uint64_t correctly_rounded = 0;              // 0 steps, no mismatch
  std::array<std::uint64_t, kBins> histogram = {};  // over the results with no non-finite mismatch
  ExactSum ulp_sum;
  std::optional<Example> worst;  // largest ulps (no non-finite mismatch); ties: earliest input
  std::uint64_t non_finite = 0;
  std::optional<Example> non_finite_example;  // the earliest
  std::uint64_t signed_zero = 0;
  std::optional<Example> signed_zero_example;  // the earliest
  // Rows the reference could not round within kMaxWorkingBits (a known gap of the swiglu VJP):
  // skipped, counted, never guessed.
  std::uint64_t undecided_rows = 0;

  // Inline: sweeps add every result. The mismatches are out of line.
  [[gnu::always_inline]] void add(const UlpError& e, Example where) {
    ++count;
    where.ulps = e.ulps;
    if (e.mismatch != Mismatch::kNone) [[unlikely]] {
      if (!add_mismatch(e, where)) return;
    } else if (e.steps == 0) {
      ++correctly_rounded;
    }
    ++histogram[bin_of(e.ulps)];
    ulp_sum.add(e.ulps);
    if (!worst || worse(where, *worst)) [[unlikely]] {
      worst = where;
    }
  }
  // What add_plain adds: `summarized` when every plain ulps is at most 1/2 (bins 0 and 1) and a
  // multiple of 2^-32, so that their sum is exact in a double (the grid holds 40 bits, so a
  // correctly rounded result's error is a multiple of 2^-(40 − p) ULP); otherwise the caller adds
  // them one by one.
  struct PlainSummary {
    bool summarized = true;
    std::uint64_t count = 0;  // plain results
    std::uint64_t zeros = 0;  // of them, with ulps = 0
    double sum = 0;           // of their ulps, exact
    std::size_t worst = 0;    // the earliest of the largest ulps
  };
  static PlainSummary summarize_plain(std::span<const double> ulps,
                                      std::span<const std::uint8_t> plain);

  // Adds the results of a batch that measure_plain marked plain (finite, correctly rounded, their
  // ulps given), all at once: the same figures as add() on each, since counts, the histogram, the
  // exact sum and the earliest worst do not depend on the order. example_of(i) makes result i's
  // Example (asked for the batch's worst alone).
  template <class ExampleOf>
  void add_plain(std::span<const double> ulps, std::span<const std::uint8_t> plain,
                 ExampleOf example_of) {
    const PlainSummary s = summarize_plain(ulps, plain);
    if (!s.summarized) [[unlikely]] {  // add them one by one
      for (std::size_t i = 0; i < ulps.size(); ++i) {
        if (plain[i]) add(UlpError{.ulps = ulps[i]}, example_of(i));
      }
      return;
    }
    if (s.count == 0) return;
    count += s.count;
    correctly_rounded += s.count;
    histogram[0] += s.zeros;
    histogram[1] += s.count - s.zeros;
    ulp_sum.add(s.sum);
    Example where = example_of(s.worst);
    where.ulps = ulps[s.worst];
    if (!worst || worse(where, *worst)) worst = where;
  }
  void merge(const Metrics& other);

  double max_ulp() const { return worst ? worst->ulps : 0.0; }
  double mean_ulp() const;  // over the results with no non-finite mismatch
  bool operator==(const Metrics& other) const;

 private:
  static std::size_t bin_of(double ulps) {
    for (std::size_t i = 0; i < kBinUpperEdges.size(); ++i) {
      if (ulps <= kBinUpperEdges[i]) return i;
    }
    return kBins - 1;
  }
  // Counts a non-finite or signed-zero mismatch; whether the result still enters the histogram.
  bool add_mismatch(const UlpError& e, const Example& where);
};

namespace detail {
// Metrics::summarize_plain's versions for AVX-512, AVX2 and the baseline (lanes of 8, 4, 2): it
// runs the one this CPU can, tests run each.
using SummarizePlain = Metrics::PlainSummary (*)(const double* ulps, const std::uint8_t* plain,
                                                 std::size_t n);
extern const SummarizePlain kSummarizePlainAvx512, kSummarizePlainAvx2, kSummarizePlainBaseline;
}  // namespace detail

// Does m keep a budget of `budget` ULPs? No non-finite mismatch, and: for a budget of 0.5
// (correctly rounded), every result correctly rounded, signed zeros included; otherwise max ULP ≤
// budget (a −0 for +0 is then reported but does not fail).
bool within_budget(const Metrics& m, double budget);

}  // namespace actcheck::engine
