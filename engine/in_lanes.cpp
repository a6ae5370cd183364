// One instruction set's lanes of the engine (in_lanes.hpp). CMake compiles this file once per set,
// with that set's flags and ACTCHECK_ISA naming it (portable, avx2, avx512).
#include "engine/in_lanes.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "engine/permutation.hpp"
#include "reference/lanes.hpp"

namespace actcheck::engine::ACTCHECK_ISA {

constexpr std::size_t kWidth = reference::lanes::kCompiledWidth;

void measure_plain(const double* y, const reference::Exact* exact, std::size_t n,
                   const FormatSpec& f, double* ulps, std::uint8_t* plain) {
  using Lanes = reference::lanes::Lanes<kWidth>;
  using Doubles = typename Lanes::Doubles;
  using Bits = typename Lanes::Bits;
  using SignedBits = typename Lanes::SignedBits;
  using reference::lanes::as_signed;
  constexpr std::int64_t kInfinityBits = std::int64_t{0x7ff} << carrier::kMantissaBits;
  std::size_t first = 0;
  for (; first + kWidth <= n; first += kWidth) {
    Doubles result, rounded, approx;
    std::memcpy(&result, y + first, sizeof result);
    for (std::size_t lane = 0; lane < kWidth; ++lane) {
      rounded[lane] = exact[first + lane].rounded;
      approx[lane] = exact[first + lane].approx;
    }
    const Doubles spacing_at_approx = spacing(approx, f);
    const Bits difference = std::bit_cast<Bits>(result - approx) & ~carrier::kSignBit;
    const Doubles lane_ulps = std::bit_cast<Doubles>(difference) / spacing_at_approx;
    const Bits result_bits = std::bit_cast<Bits>(result),
               rounded_bits = std::bit_cast<Bits>(rounded);
    const SignedBits is_plain = (result_bits == rounded_bits) &
                                (as_signed(rounded_bits & ~carrier::kSignBit) < kInfinityBits);
    std::memcpy(ulps + first, &lane_ulps, sizeof lane_ulps);
    for (std::size_t lane = 0; lane < kWidth; ++lane) plain[first + lane] = is_plain[lane] != 0;
  }
  for (; first < n; ++first) plain[first] = 0;  // the last few: measure answers
}

// Metrics::summarize_plain, kWidth results at a time: the scaled errors are whole numbers below
// 2^32, so each lane's sum stays exact in a double for up to 2^20 results.
Metrics::PlainSummary summarize_plain(const double* ulps, const std::uint8_t* plain,
                                      std::size_t n) {
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

namespace {

// out[i] = the float32 of pattern prefix | map(k + i), i < n, kWidth at a time: map (the sample's
// permutation within a stratum, or none) in 32-bit words, the patterns made floats and the floats
// doubles. The patterns must hold no NaN, whose payload from_bits would drop.
template <class Map>
void floats_in_lanes(const Map& map, std::uint32_t prefix, std::uint32_t k, std::size_t n,
                     double* out) {
  using Lanes = reference::lanes::Lanes<kWidth>;
  using Words = typename Lanes::Words;
  Words counter;
  for (std::size_t lane = 0; lane < kWidth; ++lane) counter[lane] = k + lane;
  std::size_t i = 0;
  for (; i + kWidth <= n; i += kWidth, counter += kWidth) {
    const Words pattern = prefix | map(counter);
    const auto doubles = __builtin_convertvector(std::bit_cast<typename Lanes::Floats>(pattern),
                                                 typename Lanes::Doubles);
    std::memcpy(out + i, &doubles, sizeof doubles);
  }
  for (; i < n; ++i) {
    out[i] = std::bit_cast<float>(static_cast<std::uint32_t>(prefix | map(std::uint64_t{k + i})));
  }
}

struct Consecutive {
  template <class Word>
  Word operator()(Word k) const {
    return k;
  }
};
}  // namespace

void permuted_floats(const Permutation& within, std::uint32_t prefix, std::uint32_t k,
                     std::size_t n, double* out) {
  floats_in_lanes(within, prefix, k, n, out);
}

void consecutive_floats(std::uint32_t prefix, std::uint32_t k, std::size_t n, double* out) {
  floats_in_lanes(Consecutive{}, prefix, k, n, out);
}

}  // namespace actcheck::engine::ACTCHECK_ISA
