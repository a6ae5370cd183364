// An exact sum of non-negative doubles: a fixed-point accumulator wide enough for every finite
// double (2^-1074 to 2^1024), so that the mean ULP error of a sweep does not depend on the order
// in which threads and shards add their parts. Merging two sums gives bit for bit the sum of one
// run over the same terms.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace actcheck::engine {

class ExactSum {
 public:
  // x must be finite and ≥ 0.
  void add(double x) {
    if (x == 0) return;
    // x = significand·2^(field − 1075) for a normal double, mantissa·2^-1074 for a subnormal one;
    // in 2^-1074 units its lowest bit sits at field − 1 (at 0 for subnormals).
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const int field = static_cast<int>(bits >> 52);
    const std::uint64_t significand =
        (bits & ((std::uint64_t{1} << 52) - 1)) | (field ? std::uint64_t{1} << 52 : 0);
    const int position = field ? field - 1 : 0;
    const unsigned __int128 shifted = static_cast<unsigned __int128>(significand)
                                      << (position % kLimbBits);
    const int limb = position / kLimbBits;
    for (int i = 0; i < 3; ++i) {
      limbs_[limb + i] += static_cast<std::uint64_t>(shifted >> (kLimbBits * i)) & kLimbMask;
    }
    if (++pending_ == kCarryEvery) normalize();
  }

  void merge(const ExactSum& other) {
    ExactSum o = other;
    o.normalize();
    normalize();
    for (int i = 0; i < kLimbs; ++i) limbs_[i] += o.limbs_[i];
    normalize();
  }

  // The sum, rounded to a double (the same double for the same sum).
  double value() const {
    ExactSum s = *this;
    s.normalize();
    int top = kLimbs - 1;
    while (top > 0 && s.limbs_[top] == 0) --top;
    long double v = 0;
    for (int i = top; i >= std::max(0, top - 2); --i) v = v * 4294967296.0L + s.limbs_[i];
    return static_cast<double>(std::ldexp(v, kLimbBits * std::max(0, top - 2) - 1074));
  }

  // A lossless text form (for reports that are merged later) and back.
  std::string to_hex() const {
    ExactSum s = *this;
    s.normalize();
    std::string out;
    static constexpr char kDigits[] = "0123456789abcdef";
    bool leading = true;
    for (int i = kLimbs - 1; i >= 0; --i) {
      for (int nibble = kLimbBits / 4 - 1; nibble >= 0; --nibble) {
        const int d = static_cast<int>((s.limbs_[i] >> (4 * nibble)) & 0xf);
        if (leading && d == 0) continue;
        leading = false;
        out += kDigits[d];
      }
    }
    return out.empty() ? "0" : out;
  }
  // Throws std::invalid_argument on anything but hex digits.
  static ExactSum from_hex(const std::string& hex);

  bool operator==(const ExactSum& other) const {
    ExactSum a = *this, b = other;
    a.normalize();
    b.normalize();
    return a.limbs_ == b.limbs_;
  }

 private:
  static constexpr int kLimbBits = 32;
  static constexpr std::uint64_t kLimbMask = 0xffffffff;
  static constexpr int kLimbs = (1074 + 1024 + 64) / kLimbBits + 4;  // + 2^64 terms' headroom
  // Each add puts < 2^32 into a limb: carries must run before 2^31 adds can overflow one.
  static constexpr std::uint32_t kCarryEvery = 1u << 30;

  void normalize() {
    std::uint64_t carry = 0;
    for (auto& limb : limbs_) {
      limb += carry;
      carry = limb >> kLimbBits;
      limb &= kLimbMask;
    }
    pending_ = 0;
  }

  std::array<std::uint64_t, kLimbs> limbs_ = {};
  std::uint32_t pending_ = 0;
};

inline ExactSum ExactSum::from_hex(const std::string& hex) {
  ExactSum s;
  int bit = 0;
  for (auto it = hex.rbegin(); it != hex.rend(); ++it, bit += 4) {
    const char c = *it;
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      throw std::invalid_argument("not a hex digit in an exact sum: " + hex);
    }
    if (bit / kLimbBits >= kLimbs) throw std::invalid_argument("exact sum too long: " + hex);
    s.limbs_[bit / kLimbBits] |= static_cast<std::uint64_t>(d) << (bit % kLimbBits);
  }
  return s;
}

}  // namespace actcheck::engine
