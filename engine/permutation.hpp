// The stratified sample's shuffle within a stratum, shared by input_set.cpp and the lanes that
// fill a float32 sample (in_lanes.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <type_traits>

namespace actcheck::engine {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

// A keyed bijection of [0, 2^bits): adds, odd multiplications and xor-shifts are each one-to-one
// modulo 2^bits, so the first n images of 0, 1, … are n distinct values spread over the range.
// The round keys depend on the stratum only: a block of inputs derives them once.
class Permutation {
 public:
  Permutation(int bits, std::uint64_t key)
      : mask_((std::uint64_t{1} << bits) - 1), shift_(bits / 2 + 1) {
    for (std::uint64_t& k : keys_) k = key = splitmix64(key);
  }
  // k's image: Word is std::uint64_t, or (for bits ≤ 32) 32-bit words in lanes, which keep the
  // arithmetic modulo 2^bits as exactly.
  template <class Word = std::uint64_t>
  [[gnu::always_inline]] Word operator()(Word k) const {
    using Element =
        std::conditional_t<std::is_same_v<Word, std::uint64_t>, std::uint64_t, std::uint32_t>;
    const auto mask = static_cast<Element>(mask_);
#pragma GCC unroll 3
    for (const std::uint64_t key : keys_) {
      k = (k + static_cast<Element>(key)) & mask;
      k = (k * static_cast<Element>(key | 1)) & mask;
      k ^= k >> shift_;
    }
    return k;
  }

 private:
  std::uint64_t mask_;
  int shift_;
  std::array<std::uint64_t, 3> keys_;
};

}  // namespace actcheck::engine
