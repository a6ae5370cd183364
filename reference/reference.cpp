#include "reference/reference.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <span>
#include <string>

#include "reference/formulas.hpp"
#include "reference/in_lanes.hpp"
#include "reference/rounding.hpp"

namespace actcheck::reference {
namespace {

// The limit of q as x → ±∞, read from the catalog's tails (a constant tail has f′ → 0, a linear
// one f′ → its slope).
double limit_at_infinity(Fn fn, Quantity q, bool positive, const Params& p) {
  const Tail& tail = positive ? activation(fn).plus_inf : activation(fn).minus_inf;
  const double v = tail.value.eval(p);
  if (q == Quantity::kDerivative) return tail.kind == TailKind::kConstant ? 0.0 : v;
  if (tail.kind == TailKind::kConstant) return v;
  if (v == 0) return 0.0;
  return (v > 0) == positive ? INFINITY : -INFINITY;
}

std::string unsupported_message(Fn fn, Quantity q) {
  return std::string(activation(fn).name) + " has no elementwise " + std::string(to_string(q));
}

template <Fn F, class R>
R formula(Quantity q, double x, const Params& p) {
  if constexpr (HasFormula<F, R>) {
    if (q == Quantity::kValue) return Formula<F>::template value<R>(x, p);
    if (q == Quantity::kDerivative) return Formula<F>::template derivative<R>(x, p);
    if constexpr (HasParamFormula<F, R>) return Formula<F>::template param_derivative<R>(x, p);
  }
  throw Unsupported(unsupported_message(F, q));
}

// Every elementwise entry has formulas, and exactly those with a learnable parameter a gradient.
#define ACTCHECK_ACTIVATION(id, ...)                                                           \
  static_assert(HasFormula<Fn::id, DoubleInterval> == is_elementwise(activation(Fn::id).kind), \
                "reference/formulas.hpp: Formula<Fn::" #id "> missing or extra");              \
  static_assert(                                                                               \
      HasParamFormula<Fn::id, DoubleInterval> == (activation(Fn::id).learnable_param >= 0),    \
      "reference/formulas.hpp: Formula<Fn::" #id ">::param_derivative");
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION

template <Fn F, class R>
R enclose_as(Quantity q, double x, const Params& p) {
  if (std::isnan(x) || (std::isinf(x) && q != Quantity::kParamDerivative)) {
    if (!has_quantity(F, q)) throw Unsupported(unsupported_message(F, q));
    return R(std::isnan(x) ? NAN : limit_at_infinity(F, q, x > 0, p));
  }
  return formula<F, R>(q, x, p);
}

template <class R>
R dispatch(Fn fn, Quantity q, double x, const Params& p) {
  switch (fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return enclose_as<Fn::id, R>(q, x, p);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  }
  throw std::logic_error("unknown Fn");
}

}  // namespace

// The MPFR enclosure's ends, with one more piece of knowledge: the formulas compute every exact
// result as a point, and each inexact step brings in a non-dyadic value (a transcendental, or an
// inexact quotient), so the value of a non-point enclosure is never a dyadic number such as a
// rounding tie. An end lying exactly on a tie therefore rounds toward the inside. Without this,
// tanhshrink(x) = x − 1 + 2e^(−2x)(…) at float32 x in [2^24, 2^25), where x − 1 is a tie and the
// rest is 2^-48,000,000, would need 48 million bits.
std::optional<double> decide_rounding(const MpfrInterval& e, const FormatSpec& format) {
  if (e.is_point()) return round_to_format(e.lo(), format);
  const double lo =
      round_to_format(e.lo(), format, is_midpoint(e.lo(), format) ? MPFR_RNDU : MPFR_RNDN);
  const double hi =
      round_to_format(e.hi(), format, is_midpoint(e.hi(), format) ? MPFR_RNDD : MPFR_RNDN);
  if (same_bits(lo, hi)) return lo;
  return std::nullopt;
}

double rounding_at_ties_or_nan(const DoubleInterval& e, const NearestRounding& round) {
  // A double just inside a tie rounds as every value strictly beyond it does (a format of p ≤ 52
  // bits has no other boundary within a double's step of a tie).
  if (round.format().precision >= 53) return NAN;
  const double lo = round(round.is_midpoint(e.lo()) ? std::nextafter(e.lo(), INFINITY) : e.lo());
  const double hi = round(round.is_midpoint(e.hi()) ? std::nextafter(e.hi(), -INFINITY) : e.hi());
  return same_bits(lo, hi) ? lo : NAN;
}

Real midpoint(const MpfrInterval& e, unsigned bits) {
  Real r;
  mpfr_set_prec(r.backend().data(), bits);
  mpfr_add(r.backend().data(), e.lo(), e.hi(), MPFR_RNDN);
  mpfr_div_2ui(r.backend().data(), r.backend().data(), 1, MPFR_RNDN);
  return r;
}

std::string_view to_string(Quantity q) {
  switch (q) {
    case Quantity::kValue:
      return "value";
    case Quantity::kDerivative:
      return "derivative";
    case Quantity::kParamDerivative:
      return "parameter derivative";
  }
  return "?";
}

bool has_quantity(Fn fn, Quantity q) {
  const Activation& a = activation(fn);
  if (!is_elementwise(a.kind)) return false;
  return q != Quantity::kParamDerivative || a.learnable_param >= 0;
}

MpfrInterval enclose(Fn fn, Quantity q, double x, const Params& p, mpfr_prec_t bits) {
  WorkingPrecision scope(bits);
  return dispatch<MpfrInterval>(fn, q, x, p);
}

Real evaluate(Fn fn, Quantity q, double x, const Params& p, unsigned bits) {
  return midpoint(enclose(fn, q, x, p, bits), bits);
}

namespace {

template <std::size_t N>
std::array<double, N> all_nan() {
  std::array<double, N> nan;
  nan.fill(NAN);
  return nan;
}

// Several roundings of one enclosure, or nothing when any of them is undecided.
template <class Enclosure, std::size_t N>
std::optional<std::array<double, N>> decide_all(const Enclosure& e,
                                                const std::array<const FormatSpec*, N>& grids) {
  std::array<double, N> r;
  for (std::size_t i = 0; i < N; ++i) {
    std::optional<double> d = decide_rounding(e, *grids[i]);
    if (!d) return std::nullopt;
    r[i] = *d;
  }
  return r;
}

template <std::size_t N>
std::optional<std::array<double, N>> fast_all(const DoubleInterval& e, double x,
                                              const std::array<const FormatSpec*, N>& grids) {
  if (e.has_nan()) {
    if (std::isnan(x)) return all_nan<N>();
    return std::nullopt;
  }
  return decide_all(e, grids);
}

// Ziv's strategy: raise the working precision until every grid's rounding is decided.
template <std::size_t N>
std::array<double, N> ziv(Fn fn, Quantity q, double x, const Params& p,
                          const std::array<const FormatSpec*, N>& grids) {
  int precision = 0;
  for (const FormatSpec* g : grids) precision = std::max(precision, g->precision);
  for (mpfr_prec_t bits = 2 * precision + 64; bits <= kMaxWorkingBits; bits *= 2) {
    MpfrInterval e = enclose(fn, q, x, p, bits);
    if (e.has_nan()) {
      if (std::isnan(x)) return all_nan<N>();
      throw std::logic_error(std::string(activation(fn).name) + ": NaN enclosure at a non-NaN x");
    }
    if (std::optional<std::array<double, N>> r = decide_all(e, grids)) return *r;
  }
  throw std::logic_error(std::string(activation(fn).name) + ": rounding undecided at " +
                         std::to_string(kMaxWorkingBits) + " bits");
}

}  // namespace

double correctly_rounded(Fn fn, Quantity q, double x, const Params& p, Format format) {
  return ziv<1>(fn, q, x, p, {&spec(format)})[0];
}

void release_thread_caches() { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); }

DoubleInterval fast_enclose(Fn fn, Quantity q, double x, const Params& p) {
  return dispatch<DoubleInterval>(fn, q, x, p);
}

std::optional<double> fast_rounded(Fn fn, Quantity q, double x, const Params& p, Format format) {
  if (auto r = fast_all<1>(fast_enclose(fn, q, x, p), x, {&spec(format)})) return (*r)[0];
  return std::nullopt;
}

double rounded(Fn fn, Quantity q, double x, const Params& p, Format format) {
  if (std::optional<double> r = fast_rounded(fn, q, x, p, format)) return *r;
  return correctly_rounded(fn, q, x, p, format);
}

namespace {

// The fast tier's verdict on an enclosure, or ziv's where it has none.
template <Fn F>
Exact settle(Quantity q, double x, const Params& p, double lo, double hi,
             const NearestRounding& to_target, const NearestRounding& to_grid) {
  if (std::isnan(x)) return {NAN, NAN};
  if (!std::isnan(lo) && !std::isnan(hi)) {
    const DoubleInterval e = DoubleInterval::between(lo, hi);
    // The grid first: where it is finer than the target (in every sweep format), each boundary of
    // the target's rounding (a tie, or the overflow threshold) is a grid value, so ends that round
    // to one grid value g enclose none, unless g is one; g then rounds like them.
    const bool grid_finer = to_grid.format().precision > to_target.format().precision;
    if (const double approx = rounding_or_nan(e, to_grid); !std::isnan(approx)) {
      const double rounded = grid_finer && !to_target.is_midpoint(approx)
                                 ? to_target(approx)
                                 : rounding_or_nan(e, to_target);
      if (!std::isnan(rounded)) return {rounded, approx};
    }
  }
  const std::array<double, 2> r = ziv<2>(F, q, x, p, {&to_target.format(), &to_grid.format()});
  return {r[0], r[1]};
}

constexpr std::size_t kPiece = 256;  // inputs per pass

// The loop is instantiated per entry, so that its formulas inline into it. The fast tier works in
// two passes over a piece of the block: the enclosures (in lanes for the formulas written for them,
// else one by one, with branches on x), then their roundings (round_enclosures), which do not
// branch on the values. Only what the second pass leaves open (an end on a tie, an enclosure
// straddling a boundary, NaN) goes through `settle`. Against one loop that branched through each
// decision, this took float32 sweeps (sweep_bench's fast tier) from 26.1 to 33.3 M inputs/s for
// tanh and from 12.3 to 15.0 for sigmoid.
template <Fn F>
void exact_block(Quantity q, std::span<const double> x, const Params& p, Format format, Tier tier,
                 std::span<Exact> out) {
  const FormatSpec& target = spec(format);
  const FormatSpec& grid = measuring_grid(format);
  const NearestRounding to_target(target), to_grid(grid);
  if (tier == Tier::kMpfrOnly) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const std::array<double, 2> r = ziv<2>(F, q, x[i], p, {&target, &grid});
      out[i] = {r[0], r[1]};
    }
    return;
  }
  static const FastTierLanes& in_lanes = lanes::for_this_cpu(
      &avx512::fast_tier_lanes, &avx2::fast_tier_lanes, &portable::fast_tier_lanes)();
  // Where the grid is no finer than the target, its value decides nothing: settle every input.
  const bool grid_finer = grid.precision > target.precision;
  std::array<double, kPiece> lo{}, hi{};
  std::array<std::uint16_t, kPiece> open;
  // The entries written for lanes compute their values and derivatives kWidth at a time.
  const LaneEnclosure lane_enclosure = in_lanes.enclose[static_cast<std::size_t>(F)];
  const auto enclose = [&](std::size_t first, std::size_t n) {
    if (lane_enclosure != nullptr && q != Quantity::kParamDerivative) {
      return lane_enclosure(q, &x[first], n, p, lo.data(), hi.data());
    }
    for (std::size_t i = 0; i < n; ++i) {
      const DoubleInterval e = enclose_as<F, DoubleInterval>(q, x[first + i], p);
      lo[i] = e.lo();
      hi[i] = e.hi();  // = lo for a point
    }
  };
  for (std::size_t first = 0; first < x.size(); first += kPiece) {
    const std::size_t n = std::min(kPiece, x.size() - first);
    enclose(first, n);
    const std::size_t open_count = in_lanes.round_enclosures(
        to_target, to_grid, lo.data(), hi.data(), n, &out[first], open.data());
    for (std::size_t k = 0; k < (grid_finer ? open_count : n); ++k) {
      const std::size_t i = grid_finer ? open[k] : k;
      out[first + i] = settle<F>(q, x[first + i], p, lo[i], hi[i], to_target, to_grid);
    }
  }
}

}  // namespace

void exact(Fn fn, Quantity q, std::span<const double> x, const Params& p, Format format, Tier tier,
           std::span<Exact> out) {
  switch (fn) {
#define ACTCHECK_ACTIVATION(id, ...) \
  case Fn::id:                       \
    return exact_block<Fn::id>(q, x, p, format, tier, out);
#include "catalog/activations.inc"
#undef ACTCHECK_ACTIVATION
  }
}

Exact exact(Fn fn, Quantity q, double x, const Params& p, Format format, Tier tier) {
  Exact r;
  exact(fn, q, std::span<const double>(&x, 1), p, format, tier, std::span<Exact>(&r, 1));
  return r;
}

}  // namespace actcheck::reference
