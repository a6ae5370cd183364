// Random operands for the interval arithmetic's tests (double_interval_test, interval_lanes_test):
// magnitudes over every binade of the double range, now and then 0, and intervals of every sign
// class, their ends near each other as well as far apart (the formulas' intervals are narrow).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>

#include "reference/double_interval.hpp"

namespace actcheck::reference {

class Operands {
 public:
  explicit Operands(std::uint64_t seed) : rng_(seed) {}

  double magnitude() {
    if (rng_() % 16 == 0) return 0.0;
    const int e = static_cast<int>(rng_() % 2098) - 1074;
    return std::ldexp(1 + std::ldexp(static_cast<double>(rng_() >> 11), -53), e);
  }
  // An interval of the given sign class: 0 positive, 1 negative, 2 across 0, 3 a point.
  DoubleInterval interval(int kind) {
    double m1 = magnitude(), m2 = magnitude();
    if (m1 > m2) std::swap(m1, m2);
    if (rng_() % 2) m2 = std::nextafter(m1, INFINITY) + m1 * std::ldexp(1.0, -40);
    switch (kind) {
      case 0:
        return DoubleInterval::between(m1, m2);
      case 1:
        return DoubleInterval::between(-m2, m1 == 0 ? -0.0 : -m1);
      case 2:
        return DoubleInterval::between(-m1, m2);
      default:
        return DoubleInterval(rng_() % 2 ? m1 : -m1);
    }
  }
  int kind() { return static_cast<int>(rng_() % 4); }

 private:
  std::mt19937_64 rng_;
};

}  // namespace actcheck::reference
