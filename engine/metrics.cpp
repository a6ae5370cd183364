#include "engine/metrics.hpp"

#include <algorithm>
#include <cstring>

#include "engine/in_lanes.hpp"
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

const detail::SummarizePlain detail::kSummarizePlainAvx512 = &avx512::summarize_plain;
const detail::SummarizePlain detail::kSummarizePlainAvx2 = &avx2::summarize_plain;
const detail::SummarizePlain detail::kSummarizePlainBaseline = &portable::summarize_plain;

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
