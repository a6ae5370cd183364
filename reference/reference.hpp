// The exact reference for elementwise catalog entries: value, derivative and parameter gradient,
//  - as a rigorous MPFR enclosure at a chosen working precision (`enclose`);
//  - as a boost::multiprecision::mpfr_float at a chosen precision (`evaluate`);
//  - correctly rounded into a format by Ziv's strategy (`correctly_rounded`);
//  - and by the fast tier: the same formulas in double-precision interval arithmetic
//    (`fast_enclose`), which decides the rounding without MPFR whenever both ends of its enclosure
//    round to the same value (`fast_rounded`).
// Vector entries (softmax, …) are in vector.hpp.
#pragma once

#include <mpfr.h>

#include <boost/multiprecision/mpfr.hpp>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>

#include "catalog/catalog.hpp"
#include "catalog/format.hpp"
#include "reference/double_interval.hpp"
#include "reference/mpfr_interval.hpp"
#include "reference/quantity.hpp"
#include "reference/rounding.hpp"

namespace actcheck::reference {

using Real = boost::multiprecision::mpfr_float;

// Does `fn` have `q` as an elementwise quantity?
bool has_quantity(Fn fn, Quantity q);

// Thrown when asked for something the catalog entry does not have (a vector entry, a parameter
// gradient of a function without a learnable parameter).
class Unsupported : public std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A rigorous enclosure of q(x) computed at `bits` of working precision.
MpfrInterval enclose(Fn fn, Quantity q, double x, const Params& p, mpfr_prec_t bits);

// q(x) at `bits` of precision: within the enclosure at that precision (its midpoint).
Real evaluate(Fn fn, Quantity q, double x, const Params& p, unsigned bits);

// The midpoint of an enclosure, as an mpfr_float of `bits` precision.
Real midpoint(const MpfrInterval& e, unsigned bits);

// The rounding of an enclosure into `format` when both its ends round alike (a point always does).
std::optional<double> decide_rounding(const MpfrInterval& e, const FormatSpec& format);
// The fast tier's, for an enclosure without NaN ends: the rounding, or NaN when undecided (no
// rounding of such ends is NaN). An end on a tie rounds toward the inside, as with MPFR's, and for
// a plainer reason: a non-point DoubleInterval's ends are never its value (each inexact step moves
// them strictly outside; only clamps to ±0, never a tie, are attained). A double rather than an
// optional<double>, and always inlined: the engine calls it twice per input, and an optional
// returned through memory stalled on its flag byte (stored, then read back as part of a word),
// which took a fifth of a tanh sweep.
double rounding_at_ties_or_nan(const DoubleInterval& e, const NearestRounding& round);
[[gnu::always_inline]] inline double rounding_or_nan(const DoubleInterval& e,
                                                     const NearestRounding& round) {
  const double lo = round(e.lo());
  if (e.is_point()) return lo;
  const double hi = round(e.hi());
  if (same_bits(lo, hi)) return lo;
  return rounding_at_ties_or_nan(e, round);
}
inline std::optional<double> decide_rounding(const DoubleInterval& e,
                                             const NearestRounding& round) {
  if (const double r = rounding_or_nan(e, round); !std::isnan(r)) return r;
  return std::nullopt;
}
inline std::optional<double> decide_rounding(const DoubleInterval& e, const FormatSpec& format) {
  return decide_rounding(e, NearestRounding(format));
}
inline std::optional<double> decide_rounding(const MpfrInterval& e, Format format) {
  return decide_rounding(e, spec(format));
}
inline std::optional<double> decide_rounding(const DoubleInterval& e, Format format) {
  return decide_rounding(e, spec(format));
}

// q(x) rounded to nearest-even into `format`, exactly: the working precision rises until the
// enclosure's ends round alike; an exact result (a point enclosure) is rounded at once.
// Terminates on every input; throws std::logic_error past kMaxWorkingBits (never seen: tested).
inline constexpr mpfr_prec_t kMaxWorkingBits = 1 << 16;
double correctly_rounded(Fn fn, Quantity q, double x, const Params& p, Format format);

// Frees the caches MPFR keeps per thread (constants such as π and log 2, its pool of integers): a
// thread that used the reference calls it before it ends, or they leak.
void release_thread_caches();

// The fast tier: an enclosure in double precision (see double_interval.hpp for its error bound).
DoubleInterval fast_enclose(Fn fn, Quantity q, double x, const Params& p);

// The correctly rounded q(x) when the fast tier's enclosure decides it, else nothing.
std::optional<double> fast_rounded(Fn fn, Quantity q, double x, const Params& p, Format format);

// Both tiers: the fast one when it decides, MPFR otherwise. Equal to correctly_rounded (tested).
double rounded(Fn fn, Quantity q, double x, const Params& p, Format format);

// The grid fractional ULP errors in `format` are measured on: 40 significant bits, and below 2^-16
// of the format's smallest normal a fixed spacing (finer than anything the format can tell apart).
// Errors computed from the exact value rounded to it are off by at most 2^-16 ULP in float32 (and
// 2^-29 in float16), and come out the same whichever tier decided the rounding. The floor matters
// to the fast tier: e^(−10^12) and a double enclosure [−2^-1050, −0] of it both round to −0 there.
constexpr FormatSpec make_measuring_grid(Format format) {
  return {Format::kF64, "grid40", 40, spec(format).emin - 16, 1023, 64};
}
inline constexpr FormatSpec kMeasuringGrids[] = {
    make_measuring_grid(Format::kF64), make_measuring_grid(Format::kF32),
    make_measuring_grid(Format::kF16), make_measuring_grid(Format::kBF16)};
constexpr const FormatSpec& measuring_grid(Format format) {
  return kMeasuringGrids[static_cast<int>(format)];
}

// The exact value of q(x) as the engine compares results with it.
enum class Tier : std::uint8_t {
  kFastThenMpfr,  // the fast tier where it decides both roundings, MPFR otherwise
  kMpfrOnly,      // MPFR for every input (to show that the fast tier changes nothing)
};

// Both roundings of q(x), decided together by Ziv's strategy. Identical for both tiers (tested).
Exact exact(Fn fn, Quantity q, double x, const Params& p, Format format,
            Tier tier = Tier::kFastThenMpfr);
// The same for every x of a block, into out (of the same size): what sweeps call.
void exact(Fn fn, Quantity q, std::span<const double> x, const Params& p, Format format, Tier tier,
           std::span<Exact> out);

}  // namespace actcheck::reference
