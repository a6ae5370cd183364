#!/usr/bin/env python3
"""Prints impl/kernels/coefficients.inc: the constants of impl/'s kernels that need a fit or a root.

Run from the repository root:  python3 tools/kernel_coefficients.py > impl/kernels/coefficients.inc
Needs mpmath (Debian: python3-mpmath). Independent of reference/: the definitions below are the
catalog's, written again in mpmath at 50 digits.
"""
import struct

import mpmath as mp

mp.mp.dps = 50


def hexd(v):
    """The double nearest v, as a C++ hex-float literal."""
    return float(v).hex()


def split(v):
    """v as hi + lo, both doubles (a double-double)."""
    hi = float(v)
    return hi, float(v - mp.mpf(hi))


def to_float32(v):
    """The float32 nearest v (as a Python float)."""
    return struct.unpack("f", struct.pack("f", float(v)))[0]


def hexf(v):
    """v, a float32 value, as a C++ hex-float literal of type float."""
    mantissa, exponent = float(v).hex().split("p")
    return mantissa.rstrip("0").rstrip(".") + "p" + exponent + "f"


def array(name, values, comment):
    lines = [f"// {comment}", f"inline constexpr double {name}[] = {{"]
    lines += [f"    {hexd(v)}," for v in values]
    lines.append("};")
    return "\n".join(lines)


# ---- erfcx(z) = e^(z²)·erfc(z) on [0, kErfcxZMax], a polynomial in t = (z − K)/(z + K) ----------
ERFCX_K = 4
ERFCX_ZMAX = mp.mpf("10.6")  # Φ(x) is below 2^-150/|x| beyond x = −10.6·√2: gelu rounds to −0
ERFCX_TERMS = 19


def erfcx(z):
    return mp.erfc(z) * mp.exp(z * z)


def erfcx_of_t(t):
    return erfcx(ERFCX_K * (1 + t) / (1 - t))


t_lo = mp.mpf(-1)
t_hi = (ERFCX_ZMAX - ERFCX_K) / (ERFCX_ZMAX + ERFCX_K)
erfcx_poly, erfcx_err = mp.chebyfit(erfcx_of_t, [t_lo, t_hi], ERFCX_TERMS, error=True)
erfcx_rel = erfcx_err / erfcx(ERFCX_ZMAX)


# ---- Taylor expansions of f′ about its negative root, where f′ = a − b cancels -----------------
def sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def silu_d(x):
    return sigmoid(x) * (1 + x * (1 - sigmoid(x)))


def mish_d(x):
    sp = mp.log1p(mp.exp(x))
    return mp.tanh(sp) + x * mp.sech(sp) ** 2 * sigmoid(x)


def phi(x):
    return mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


def gelu_d(x):
    return mp.ncdf(x) + x * phi(x)


GELU_TANH_C = mp.mpf("0.044715")


def gelu_tanh_d(x):
    k = mp.sqrt(2 / mp.pi)
    u = k * (x + GELU_TANH_C * x**3)
    du = k * (1 + 3 * GELU_TANH_C * x**2)
    s = sigmoid(2 * u)
    return s + x * 2 * s * (1 - s) * du


ROOT_TERMS = 6  # a1..a6: a truncation below 2^-50 relative within |x − r| < 2^-9
ROOTS = [
    ("kSiluDerivativeRoot", silu_d, -1.28),
    ("kMishDerivativeRoot", mish_d, -1.19),
    ("kGeluDerivativeRoot", gelu_d, -0.75),
    ("kGeluTanhDerivativeRoot", gelu_tanh_d, -0.75),
]


def root_block(name, f, guess):
    r = mp.findroot(f, guess)
    coeffs = mp.taylor(f, r, ROOT_TERMS)  # coeffs[0] = f(r) = 0
    hi, lo = split(r)
    return "\n".join([
        f"// f′ = 0 at r = {mp.nstr(r, 25)}; f′(r + δ) = Σ a_k·δ^k, k = 1..{ROOT_TERMS}.",
        f"inline constexpr RootExpansion {name} = {{",
        f"    .root_hi = {hexd(hi)},",
        f"    .root_lo = {hexd(lo)},",
        "    .coefficients = {" + ",\n                     ".join(hexd(c) for c in coeffs[1:]) + "},",
        "};",
    ])


# ---- The float32 kernels' e^a = 2^(k/16)·e^r, |r| ≤ ln(2)/32 ----------------------------------
# e^r = 1 + r + r²·P(r), P a fit with float coefficients; 2^(j/16), j = 0..15, as float pairs; and
# ln(2)/16 in two parts, the high one with 12 significant bits, so that k·kLn2Over16HiF is exact for
# |k| < 2^12.
EXP_F32_TERMS = 3
EXP_F32_HALF_RANGE = mp.log(2) / 32 * mp.mpf("1.01")  # a little margin: k is rounded in float


def exp_f32_poly():
    def g(r):
        return (mp.expm1(r) - r) / r**2 if r != 0 else mp.mpf(1) / 2
    poly = mp.chebyfit(g, [-EXP_F32_HALF_RANGE, EXP_F32_HALF_RANGE], EXP_F32_TERMS)
    coeffs = [to_float32(c) for c in poly]
    # The relative error of 1 + r + r²·P(r), P with the float coefficients, on a fine grid.
    worst = max(abs(1 + r + r * r * mp.polyval([mp.mpf(c) for c in coeffs], r) - mp.exp(r))
                / mp.exp(r)
                for r in mp.linspace(-EXP_F32_HALF_RANGE, EXP_F32_HALF_RANGE, 4001))
    return coeffs, worst


def exp2_table_f32():
    hi, lo = [], []
    for j in range(16):
        v = mp.mpf(2) ** (mp.mpf(j) / 16)
        hi.append(to_float32(v))
        lo.append(to_float32(v - mp.mpf(hi[-1])))
    return hi, lo


LN2_OVER_16 = mp.log(2) / 16
LN2_OVER_16_HI = mp.floor(LN2_OVER_16 * 2**16) / 2**16  # 0x1.62ep-5: 12 significant bits
LN2_OVER_16_LO = to_float32(LN2_OVER_16 - LN2_OVER_16_HI)


def float_array(name, values, comment):
    lines = [f"// {comment}", f"inline constexpr float {name}[] = {{"]
    lines += [f"    {hexf(v)}," for v in values]
    lines.append("};")
    return "\n".join(lines)


# ---- tanh(x) = x + x³·P(x²) for |x| < TANH_F32_SMALL, the float32 kernels' small-|x| branch ----
# Beyond it, (1 − e)/(1 + e) with e = e^(−2|x|): 1 − e ≥ 0.39 there, so e's absolute error (about
# 2^-29) costs a tenth of an ulp.
TANH_F32_SMALL = mp.mpf(1) / 4
TANH_F32_TERMS = 4


def tanh_f32_poly():
    def g(s):
        if s == 0:
            return -mp.mpf(1) / 3
        x = mp.sqrt(s)
        return (mp.tanh(x) - x) / x**3
    poly = mp.chebyfit(g, [0, TANH_F32_SMALL**2], TANH_F32_TERMS)
    coeffs = [to_float32(c) for c in poly]
    worst = max(abs(x + x**3 * mp.polyval([mp.mpf(c) for c in coeffs], x * x) - mp.tanh(x))
                / mp.tanh(x)
                for x in mp.linspace(TANH_F32_SMALL / 4001, TANH_F32_SMALL, 4001))
    return coeffs, worst


# ---- Tables of polynomials for the float32 kernels: f(x) = c + P(x − m) on intervals -------------
# With 2^k intervals per binade, interval i of binade 2^e is [2^e·(1 + i/2^k), 2^e·(1 + (i + 1)/2^k)),
# m its midpoint, so that the kernel finds the entry and m from x's exponent and first k fraction
# bits, and x − m is exact. c = f(m) rounded to float, and P(r) ≈ f(m + r) − c with float
# coefficients: each is rounded in turn, from the linear one up, and the rest fitted again around
# it (least squares at Chebyshev nodes), the constant (c's rounding error) last.
TABLE_DEGREE = 7  # PolynomialTable (math.hpp) holds the terms from r² up: 6 rows
TABLE_NODES = 64
TABLE_ENTRIES = 16  # one vpermps on AVX-512


def least_squares(g, half_width, powers):
    nodes = [half_width * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / TABLE_NODES)
             for k in range(TABLE_NODES)]
    a = mp.matrix([[r**p for p in powers] for r in nodes])
    solution, _ = mp.qr_solve(a, mp.matrix([g(r) for r in nodes]))
    return list(solution)


def polynomial_table(f, first, per_binade, entries):
    """(centres, polynomials highest power first, error in ulps of f) for `entries` intervals."""
    centres, polys, worst = [], [], 0
    for i in range(entries):
        binade = first * 2 ** (i // per_binade)
        half_width = binade / per_binade / 2
        m = binade * (1 + mp.mpf(i % per_binade) / per_binade) + half_width
        c = to_float32(f(m))
        fixed = {}
        for p in list(range(1, TABLE_DEGREE + 1)) + [0]:
            free = [q for q in range(TABLE_DEGREE + 1) if q not in fixed]
            coeffs = least_squares(
                lambda r: f(m + r) - c - sum(v * r**q for q, v in fixed.items()), half_width, free)
            fixed[p] = mp.mpf(to_float32(coeffs[free.index(p)]))
        poly = [fixed[q] for q in range(TABLE_DEGREE, -1, -1)]
        for r in mp.linspace(-half_width, half_width, 401):
            exact = f(m + r)
            ulp = mp.mpf(2) ** (mp.floor(mp.log(exact, 2)) - 23)
            worst = max(worst, abs(c + mp.polyval(poly, r) - exact) / ulp)
        centres.append(c)
        polys.append(poly)
    return centres, polys, worst


def print_polynomial_table(name, f, first, per_binade, entries, comment):
    """A PolynomialTable (math.hpp), its entries padded to TABLE_ENTRIES with the last."""
    centres, polys, error = polynomial_table(f, first, per_binade, entries)

    def row(values):
        values = [hexf(to_float32(v)) for v in values]
        return "{" + ", ".join(values + [values[-1]] * (TABLE_ENTRIES - entries)) + "}"

    def column(power):
        return row([poly[-1 - power] for poly in polys])

    print(f"// {comment},\n// m the midpoint, {per_binade} intervals per binade (least squares at "
          f"Chebyshev nodes, float\n// coefficients): within {mp.nstr(error, 2)} ulp. c = f(m) "
          "rounded to float")
    print(f"inline constexpr PolynomialTable {name} = {{")
    print(f"    .centre = {row(centres)},")
    print(f"    .offset = {column(0)},")
    print(f"    .slope = {column(1)},")
    print("    .curvature = {")
    for power in range(TABLE_DEGREE, 1, -1):
        print(f"        {column(power)},")
    print("    },")
    print("};")


# ---- x − tanh(x) = x³·(1/3 − 2x²/15 + x⁴·R(x²)) for |x| < TANHSHRINK_F32_SMALL, float32 -------
# 1/3 and −2/15 are carried as pairs by the kernel; R, with float coefficients, is 1.6% of the sum
# at most. Beyond, up to 8, a table of polynomials (below); from 8 on |x| − 1, exact, is the
# correctly rounded result (the rest, 2e^(−2|x|)/(1 + e^(−2|x|)), is below half an ulp of it).
TANHSHRINK_F32_SMALL = mp.mpf(1) / 2
TANHSHRINK_F32_TERMS = 6


def tanhshrink_f32_poly():
    third, two_fifteenths = mp.mpf(1) / 3, mp.mpf(2) / 15

    def g(s):
        if s < mp.mpf("1e-10"):
            return 17 / mp.mpf(315) - 62 * s / 2835
        x = mp.sqrt(s)
        return ((x - mp.tanh(x)) / x**3 - third + two_fifteenths * s) / (s * s)
    poly = mp.chebyfit(g, [0, TANHSHRINK_F32_SMALL**2], TANHSHRINK_F32_TERMS)
    coeffs = [to_float32(c) for c in poly]
    worst = max(abs(x**3 * (third - two_fifteenths * x * x
                            + x**4 * mp.polyval([mp.mpf(c) for c in coeffs], x * x))
                    - (x - mp.tanh(x))) / (x - mp.tanh(x))
                for x in mp.linspace(TANHSHRINK_F32_SMALL / 4001, TANHSHRINK_F32_SMALL, 4001))
    return coeffs, worst


# ---- x − tanh(x) near 0: −Σ_{n≥2} 2^(2n)(2^(2n) − 1)·B_2n/(2n)!·x^(2n−1), exact rationals ------
TANHSHRINK_TERMS = 10  # x^3 .. x^21: the omitted term is below 2^-53 relative for |x| < 1/4


def tanhshrink_series():
    coeffs = []
    for n in range(2, 2 + TANHSHRINK_TERMS):
        coeffs.append(-(mp.mpf(2) ** (2 * n)) * (mp.mpf(2) ** (2 * n) - 1) * mp.bernoulli(2 * n)
                      / mp.factorial(2 * n))
    return list(reversed(coeffs))


print("// Generated by tools/kernel_coefficients.py (mpmath " + mp.__version__ + "); do not edit.")
print("// clang-format off")
print()
print(f"inline constexpr double kErfcxK = {ERFCX_K};")
print(f"inline constexpr double kErfcxZMax = {hexd(ERFCX_ZMAX)};  // {ERFCX_ZMAX}")
print(array("kErfcxPoly", erfcx_poly,
            f"erfcx(z), z in [0, {ERFCX_ZMAX}], in t = (z − {ERFCX_K})/(z + {ERFCX_K}), highest "
            f"power first\n// (mpmath.chebyfit, {ERFCX_TERMS} terms): relative error below "
            f"2^{mp.nstr(mp.log(erfcx_rel, 2), 4)}"))
print()
print(array("kTanhshrinkSeries", tanhshrink_series(),
            "x − tanh(x) = x³·P(x²) for |x| < 1/4, P's coefficients highest power first "
            "(Bernoulli numbers)"))
print()
exp_f32, exp_f32_error = exp_f32_poly()
print(float_array("kExpPolyF", exp_f32,
                  f"(e^r − 1 − r)/r² for |r| ≤ 1.01·ln(2)/32, highest power first (mpmath.chebyfit, "
                  f"{EXP_F32_TERMS} terms,\n// rounded to float): 1 + r + r²·P(r) is within "
                  f"2^{mp.nstr(mp.log(exp_f32_error, 2), 4)} of e^r, relative"))
table_hi, table_lo = exp2_table_f32()
print(float_array("kExp2TableHiF", table_hi, "2^(j/16) = hi + lo, j = 0..15: the float nearest"))
print(float_array("kExp2TableLoF", table_lo, "and the float nearest the rest"))
ln2_rest = LN2_OVER_16 - LN2_OVER_16_HI - mp.mpf(LN2_OVER_16_LO)
print(f"inline constexpr float kLn2Over16HiF = {hexf(to_float32(LN2_OVER_16_HI))};")
print(f"inline constexpr float kLn2Over16LoF = {hexf(LN2_OVER_16_LO)};  // the rest ≈ "
      f"2^{mp.nstr(mp.log(abs(ln2_rest), 2), 4)}")
tanh_f32, tanh_f32_error = tanh_f32_poly()
print(f"inline constexpr float kTanhSmallF = {hexf(to_float32(TANH_F32_SMALL))};")
print(float_array("kTanhPolyF", tanh_f32,
                  f"(tanh(x) − x)/x³ as a polynomial in x², |x| ≤ {mp.nstr(TANH_F32_SMALL, 3)}, "
                  f"highest power first (mpmath.chebyfit,\n// {TANH_F32_TERMS} terms, rounded to "
                  f"float): x + x³·P(x²) is within 2^{mp.nstr(mp.log(tanh_f32_error, 2), 4)} of "
                  f"tanh(x), relative"))
print_polynomial_table("kTanhTableF", mp.tanh, TANH_F32_SMALL, 2, 11,
                       "tanh(x) for 1/4 ≤ x ≤ 10 as c + P(x − m) on [1/4, 3/8), [3/8, 1/2), .., "
                       "[8, 12)")
tanhshrink_f32, tanhshrink_f32_error = tanhshrink_f32_poly()
print(f"inline constexpr float kTanhshrinkSmallF = {hexf(to_float32(TANHSHRINK_F32_SMALL))};")
print(float_array("kTanhshrinkPolyF", tanhshrink_f32,
                  f"R(x²) in x − tanh(x) = x³·(1/3 − 2x²/15 + x⁴·R(x²)), |x| ≤ "
                  f"{mp.nstr(TANHSHRINK_F32_SMALL, 5)}, highest power first\n// (mpmath.chebyfit, "
                  f"{TANHSHRINK_F32_TERMS} terms, rounded to float; 1/3 and 2/15 exact): within "
                  f"2^{mp.nstr(mp.log(tanhshrink_f32_error, 2), 4)} of x − tanh(x), relative"))
print_polynomial_table("kTanhshrinkTableF", lambda x: x - mp.tanh(x), TANHSHRINK_F32_SMALL, 4, 16,
                       "x − tanh(x) for 1/2 ≤ x < 8 as c + P(x − m) on [1/2, 5/8), [5/8, 3/4), .., "
                       "[7, 8)")
print()
for name, f, guess in ROOTS:
    print(root_block(name, f, guess))
    print()
print("// clang-format on")
