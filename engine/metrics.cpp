#include "engine/metrics.hpp"

#include <algorithm>
#include <cstring>

#include "reference/lanes.hpp"
#include "reference/rounding.hpp"

namespace actcheck::engine {
namespace {

void keep_earliest(std::optional<Example>& kept, const Example& candidate) {
  if (!kept || earlier(candidate, *kept)) kept = candidate;
}

void keep_worst(std::optional<Example>& kept, const Example& candidate) {
  if (!kept || worse(candidate, *kept)) kept = candidate;
}

template <class Keep>
void keep_optional(std::optional<Example>& kept, const std::optional<Example>& candidate,
                   Keep keep) {
  if (candidate) keep(kept, *candidate);
}

bool same_example(const std::optional<Example>& a, const std::optional<Example>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  using reference::same_bits;
  return a->input == b->input && a->element == b->element && same_bits(a->x, b->x) &&
         same_bits(a->y, b->y) && same_bits(a->exact, b->exact) && same_bits(a->ulps, b->ulps);
}

}  // namespace

std::string_view bin_label(std::size_t bin) {
  static constexpr std::string_view kLabels[kBins] = {"0",   "<=0.5", "<=1",   "<=2",
                                                      "<=4", "<=16",  "<=256", ">256"};
  return kLabels[bin];
}

bool Metrics::add_mismatch(const UlpError& e, const Example& where) {
  if (e.mismatch == Mismatch::kNonFinite) {
    ++non_finite;
    keep_earliest(non_finite_example, where);
    return false;
  }
  ++signed_zero;
  keep_earliest(signed_zero_example, where);
  return true;
}

namespace {

// Metrics::summarize_plain, kWidth results at a time: the scaled errors are whole numbers below
// 2^32, so each lane's sum stays exact in a double for up to 2^20 results.
template <std::size_t kWidth>
[[gnu::always_inline]] inline Metrics::PlainSummary summarize_plain_in_lanes(
    const double* ulps, const std::uint8_t* plain, std::size_t n) {
  using Lanes = reference::lanes::Lanes<kWidth>;
  using Doubles = typename Lanes::Doubles;
  using SignedBits = typename Lanes::SignedBits;
  constexpr double kScale = 0x1p32, kWhole = 0x1p52;
  if (n > (std::size_t{1} << 20)) return {.summarized = false};
  SignedBits count{}, zeros{}, misfits{}, worst{}, index;
  Doubles sum{}, largest = Doubles{} - 1.0;
  for (std::size_t lane = 0; lane < kWidth; ++lane) index[lane] = static_cast<std::int64_t>(lane);
  std::size_t first = 0;
  for (; first + kWidth <= n; first += kWidth, index += kWidth) {
    Doubles u;
    SignedBits take;
    std::memcpy(&u, ulps + first, sizeof u);
    for (std::size_t lane = 0; lane < kWidth; ++lane)
      take[lane] = -std::int64_t{plain[first + lane] != 0};
    u = take ? u : Doubles{};
    const Doubles scaled = (u < 1.0 ? u : Doubles{} + 1.0) * kScale;
    misfits |= (u > 0.5) | (((scaled + kWhole) - kWhole) != scaled);
    count -= take;
    zeros -= take & (u == 0.0);
    sum += scaled;
    const SignedBits larger = take & (u > largest);
    largest = larger ? u : largest;
    worst = larger ? index : worst;
  }
  Metrics::PlainSummary s;
  double scaled_sum = 0;
  std::int64_t misfit = 0;
  for (std::size_t lane = 0; lane < kWidth; ++lane) {
    s.count += static_cast<std::uint64_t>(count[lane]);
    s.zeros += static_cast<std::uint64_t>(zeros[lane]);
    scaled_sum += sum[lane];
    misfit |= misfits[lane];
  }
  double best = -1;
  for (std::size_t lane = 0; lane < kWidth; ++lane) {  // the earliest of the lanes' largest
    const auto at = static_cast<std::size_t>(worst[lane]);
    if (largest[lane] > best || (largest[lane] == best && largest[lane] >= 0 && at < s.worst)) {
      best = largest[lane];
      s.worst = at;
    }
  }
  for (; first < n; ++first) {  // the last few
    if (!plain[first]) continue;
    const double u = ulps[first];
    const double scaled = std::min(u, 1.0) * kScale;
    misfit |= u > 0.5 || ((scaled + kWhole) - kWhole) != scaled;
    ++s.count;
    s.zeros += u == 0;
    scaled_sum += scaled;
    if (u > best) {
      best = u;
      s.worst = first;
    }
  }
  if (misfit) return {.summarized = false};
  s.sum = scaled_sum / kScale;
  return s;
}

ACTCHECK_LANE_VERSIONS(Metrics::PlainSummary, summarize_plain, summarize_plain_in_lanes,
                       (const double* ulps, const std::uint8_t* plain, std::size_t n),
                       (ulps, plain, n))

}  // namespace

const detail::SummarizePlain detail::kSummarizePlainAvx512 = &summarize_plain_avx512;
const detail::SummarizePlain detail::kSummarizePlainAvx2 = &summarize_plain_avx2;
const detail::SummarizePlain detail::kSummarizePlainBaseline = &summarize_plain_baseline;

Metrics::PlainSummary Metrics::summarize_plain(std::span<const double> ulps,
                                               std::span<const std::uint8_t> plain) {
  static const auto in_lanes = reference::lanes::for_this_cpu(
      detail::kSummarizePlainAvx512, detail::kSummarizePlainAvx2, detail::kSummarizePlainBaseline);
  return in_lanes(ulps.data(), plain.data(), ulps.size());
}

void Metrics::merge(const Metrics& other) {
  count += other.count;
  correctly_rounded += other.correctly_rounded;
  for (std::size_t i = 0; i < kBins; ++i) histogram[i] += other.histogram[i];
  ulp_sum.merge(other.ulp_sum);
  keep_optional(worst, other.worst, keep_worst);
  non_finite += other.non_finite;
  keep_optional(non_finite_example, other.non_finite_example, keep_earliest);
  signed_zero += other.signed_zero;
  keep_optional(signed_zero_example, other.signed_zero_example, keep_earliest);
  undecided_rows += other.undecided_rows;
}

double Metrics::mean_ulp() const {
  const std::uint64_t n = count - non_finite;
  return n == 0 ? 0.0 : ulp_sum.value() / static_cast<double>(n);
}

bool Metrics::operator==(const Metrics& o) const {
  return count == o.count && correctly_rounded == o.correctly_rounded && histogram == o.histogram &&
         ulp_sum == o.ulp_sum && same_example(worst, o.worst) && non_finite == o.non_finite &&
         same_example(non_finite_example, o.non_finite_example) && signed_zero == o.signed_zero &&
         same_example(signed_zero_example, o.signed_zero_example) &&
         undecided_rows == o.undecided_rows;
}

bool within_budget(const Metrics& m, double budget) {
  if (m.non_finite) return false;
  if (budget <= 0.5) return m.correctly_rounded == m.count;
  return m.max_ulp() <= budget;
}

}  // namespace actcheck::engine
