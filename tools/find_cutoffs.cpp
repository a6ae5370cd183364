// Prints catalog/cutoffs.inc: the saturation cutoffs and overflow thresholds (catalog.hpp, Cutoff)
// of every elementwise catalog entry at its default parameters, in f32, f16 and bf16, decided by
// the correctly rounded reference. Run from the repository root:
//   find_cutoffs > catalog/cutoffs.inc
//
// Each cutoff is found by bisection on the magnitude patterns of one sign, which order its values
// by size: about 32 evaluations in f32. Bisection finds a switch of the predicate, the outermost
// one only if the predicate holds everywhere beyond it: that is checked on every value beyond it
// in f16 and bf16, and on a seeded sample in f32, and where it fails the search starts again beyond
// the failure. A row whose predicate also holds somewhere nearer zero gets a comment saying where:
// searched exhaustively in f16 and bf16; in f32 at a sample, at the bf16 values, and where the
// result crosses the tail's value between those.
#include <mpfr.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "engine/bits.hpp"
#include "reference/reference.hpp"
#include "reference/rounding.hpp"

namespace actcheck {
namespace {

reference::Quantity to_reference(Cutoff::Quantity q) {
  return q == Cutoff::Quantity::kValue ? reference::Quantity::kValue
                                       : reference::Quantity::kDerivative;
}

// s·x rounded once into `format`: the product of two doubles is exact in 106 bits.
double round_product(double s, double x, Format format) {
  mpfr_t product;
  mpfr_init2(product, 106);
  mpfr_set_d(product, s, MPFR_RNDN);
  mpfr_mul_d(product, product, x, MPFR_RNDN);
  const double r = reference::round_to_format(product, format);
  mpfr_clear(product);
  return r;
}

// Whether the cutoff's property holds at x (`at` is ignored), and on which side of the tail's
// result the rounded result lies (−1, 0, +1; 0 for overflow).
struct Verdict {
  bool holds;
  int side;
};

Verdict judge(const Cutoff& c, double x) {
  const Params p = default_params(c.fn);
  const double y = reference::rounded(c.fn, to_reference(c.quantity), x, p, c.format);
  if (c.kind == Cutoff::Kind::kOverflow) return {std::isinf(y), 0};
  const Activation& a = activation(c.fn);
  const Tail& tail = c.toward == Cutoff::Toward::kPlusInf ? a.plus_inf : a.minus_inf;
  const double v = tail.value.eval(p);
  // f′ tends to the slope or to 0, f to its constant, or like slope·x.
  double target = reference::round_to_format(v, c.format);
  if (c.quantity == Cutoff::Quantity::kDerivative && tail.kind == TailKind::kConstant) target = 0;
  if (c.quantity == Cutoff::Quantity::kValue && tail.kind == TailKind::kLinear) {
    target = round_product(v, x, c.format);
  }
  // f′'s limit 0 may be approached from below: either zero will do.
  const bool holds = c.quantity == Cutoff::Quantity::kDerivative && target == 0
                         ? y == 0
                         : reference::same_bits(y, target);
  return {holds, (y > target) - (y < target)};
}

// The finite values of one sign, by magnitude pattern: 0 is ±0, `max` the largest finite value.
struct HalfLine {
  Format format;
  std::uint64_t sign;
  std::uint64_t max;
  double operator()(std::uint64_t m) const { return engine::from_bits(sign | m, format); }
};

HalfLine half_line(const Cutoff& c) {
  const std::uint64_t sign =
      c.toward == Cutoff::Toward::kMinusInf ? engine::pattern_count(c.format) / 2 : 0;
  return {c.format, sign, engine::to_bits(INFINITY, c.format) - 1};
}

// The patterns of [first, last] a check looks at, in order: every one in a 16-bit format; in f32,
// the 64 at each end of the range, every value bf16 has too (where short dyadic values such as 1.5
// lie), and 2000 seeded others.
std::vector<std::uint64_t> probes(Format format, std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  if (first > last) return out;
  if (spec(format).storage_bits <= 16 || last - first < 128) {
    for (std::uint64_t m = first; m <= last; ++m) out.push_back(m);
    return out;
  }
  for (std::uint64_t i = 0; i < 64; ++i) {
    out.push_back(first + i);
    out.push_back(last - i);
  }
  for (std::uint64_t m = (first + 0xffff) & ~std::uint64_t{0xffff}; m <= last; m += 0x10000) {
    out.push_back(m);
  }
  std::mt19937_64 rng(first);
  std::uniform_int_distribution<std::uint64_t> pick(first, last);
  for (int i = 0; i < 2000; ++i) out.push_back(pick(rng));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// A pattern in [first, last] where `c` holds: a probe, or where the result crosses the tail's
// value between two probes, found by bisection. A crossing (f′ overshooting its limit 1: silu′,
// gelu′, mish′) is a few values of f32 wide, too narrow for a sample; the rounded result usually
// equals the tail's value there, unless f is steep enough to jump over it.
std::optional<std::uint64_t> holds_somewhere(const Cutoff& c, const HalfLine& line,
                                             std::uint64_t first, std::uint64_t last) {
  std::uint64_t previous = 0;
  int previous_side = 0;
  for (std::uint64_t m : probes(c.format, first, last)) {
    const Verdict v = judge(c, line(m));
    if (v.holds) return m;
    if (previous_side != 0 && v.side == -previous_side) {
      std::uint64_t lo = previous;
      std::uint64_t hi = m;
      while (hi - lo > 1) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        const Verdict w = judge(c, line(mid));
        if (w.holds) return mid;
        (w.side == previous_side ? lo : hi) = mid;
      }
    }
    previous = m;
    previous_side = v.side;
  }
  return std::nullopt;
}

struct Found {
  double at;
  std::string note;  // where the predicate is not monotone, if it is not
};

// ±0 takes no part in the search but the last step: f(0) = 0 is s·0, and often the limit 0 too,
// whatever f does near 0.
std::optional<Found> find(const Cutoff& c) {
  const HalfLine line = half_line(c);
  auto holds_at = [&](std::uint64_t m) { return judge(c, line(m)).holds; };
  if (!holds_at(line.max)) return std::nullopt;
  // c holds at hi; it does not at lo, or lo is the unevaluated 0.
  std::uint64_t lo = 0;
  std::uint64_t hi = line.max;
  for (;;) {
    while (hi - lo > 1) {
      const std::uint64_t mid = lo + (hi - lo) / 2;
      (holds_at(mid) ? hi : lo) = mid;
    }
    std::optional<std::uint64_t> miss;
    for (std::uint64_t m : probes(c.format, hi + 1, line.max)) {
      if (!holds_at(m)) miss = m;  // probes come in order: the last miss is the outermost
    }
    if (!miss) break;
    lo = *miss;
    hi = line.max;
  }
  std::string note;
  if (hi > 2) {
    if (const std::optional<std::uint64_t> m = holds_somewhere(c, line, 1, hi - 2)) {
      char buffer[128];
      std::snprintf(buffer, sizeof buffer, "holds at %a too, nearer zero than its failure at %a",
                    line(*m), line(hi - 1));
      note = buffer;
    }
  }
  if (hi == 1 && holds_at(0)) hi = 0;
  return Found{line(hi), note};
}

const char* name(Cutoff::Quantity q) {
  return q == Cutoff::Quantity::kValue ? "kValue" : "kDerivative";
}
const char* name(Cutoff::Toward t) {
  return t == Cutoff::Toward::kMinusInf ? "kMinusInf" : "kPlusInf";
}
const char* name(Cutoff::Kind k) {
  return k == Cutoff::Kind::kSaturation ? "kSaturation" : "kOverflow";
}
const char* name(Format f) {
  switch (f) {
    case Format::kF32:
      return "kF32";
    case Format::kF16:
      return "kF16";
    case Format::kBF16:
      return "kBF16";
    default:
      return "?";
  }
}

const char kHeader[] =
    R"(// Saturation cutoffs and overflow thresholds per format: see Cutoff in catalog/catalog.hpp.
// GENERATED: do not edit. tools/find_cutoffs.cpp wrote this file from the correctly rounded
// reference, run from the repository root as
//   cmake --build build/cutoffs --target find_cutoffs &&
//     build/cutoffs/find_cutoffs > catalog/cutoffs.inc
// Regenerate it when a catalog row, a default parameter or a reference formula changes. The
// generator compiles this file: when an entry leaves the catalog, delete its rows first.
//
// `at` is the outermost switch: the property holds at every value beyond it (all of them checked
// in f16 and bf16, a sample in f32). "not monotone" marks a row whose property also holds at some
// value nearer zero than the last failure (searched exhaustively in f16 and bf16; in f32 at a
// sample, at the bf16 values and at crossings of the tail's value between those, so it may miss
// some); ±0 is not counted, where f(0) = 0 equals s·0 and often the limit too.
//
// ACTCHECK_CUTOFF(fn, quantity, format, toward, kind, at)
//
// clang-format off
)";

}  // namespace
}  // namespace actcheck

int main() {
  using namespace actcheck;
  const auto start = std::chrono::steady_clock::now();
  int rows = 0;
  int notes = 0;
  std::printf("%s", kHeader);
  for (const Activation& a : kCatalog) {
    if (!is_elementwise(a.kind)) continue;
    std::printf("\n");
    for (Cutoff::Quantity q : {Cutoff::Quantity::kValue, Cutoff::Quantity::kDerivative}) {
      for (Format f : {Format::kF32, Format::kF16, Format::kBF16}) {
        for (Cutoff::Toward t : {Cutoff::Toward::kMinusInf, Cutoff::Toward::kPlusInf}) {
          for (Cutoff::Kind k : {Cutoff::Kind::kSaturation, Cutoff::Kind::kOverflow}) {
            const std::optional<Found> found = find({a.id, q, f, t, k, 0.0});
            if (!found) continue;
            if (!found->note.empty()) {
              std::printf("// not monotone: %s\n", found->note.c_str());
              ++notes;
            }
            std::printf("ACTCHECK_CUTOFF(%.*s, %s, %s, %s, %s, %a)\n",
                        static_cast<int>(a.name.size()), a.name.data(), name(q), name(f), name(t),
                        name(k), found->at);
            ++rows;
          }
        }
      }
    }
  }
  std::printf("\n// clang-format on\n");
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::fprintf(stderr, "find_cutoffs: %d rows, %d not monotone, %.1f s\n", rows, notes,
               took.count());
}
