/* numfmt.c — the shortest decimal that reads back to the same double,
 * computed exactly with integers for the values scores are made of
 * (1e-4 <= |x| < 1e15, no integer), without printf or strtod.
 *
 * x = m·2^-s exactly (m < 2^53). Scaled by 10^q so that it has 17 digits
 * before the point, N = x·10^q = m·5^q / 2^(s−q): an exact rational with
 * a 128-bit numerator, whose whole part and remainder fit 64 bits each.
 * For p = 15, 16, 17 the correctly rounded p-digit decimal is computed
 * from it, and accepted as soon as it lies inside the interval of reals
 * that round to x (half an ulp either side, a quarter below a power of
 * two, the ends included when m is even, as strtod rounds ties to even);
 * the 17-digit one always does. When 15 digits read back, the shortest
 * decimal is those 15 without trailing zeros (DBL_DIG). That is the
 * decimal the "%.*g" search over precisions 15, 16, 17 finds (shortest_g,
 * which writes everything outside the range), so the text is the same.
 * The digits are written 16 at once (SSE2), and the zeros at the end
 * found from them rather than by division.
 * tests/unit/test_numfmt.c compares every path with the printf search
 * over a million numbers and every power of two and ten. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/numfmt.h"

#include <float.h>
#include <stdbool.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>

typedef unsigned __int128 u128;

/* 5^q for q = 0..27 (5^27 < 2^64). */
static const uint64_t pow5_u64[28] = {
    1ull,
    5ull,
    25ull,
    125ull,
    625ull,
    3125ull,
    15625ull,
    78125ull,
    390625ull,
    1953125ull,
    9765625ull,
    48828125ull,
    244140625ull,
    1220703125ull,
    6103515625ull,
    30517578125ull,
    152587890625ull,
    762939453125ull,
    3814697265625ull,
    19073486328125ull,
    95367431640625ull,
    476837158203125ull,
    2384185791015625ull,
    11920928955078125ull,
    59604644775390625ull,
    298023223876953125ull,
    1490116119384765625ull,
    7450580596923828125ull,
};

static const uint64_t pow10_u64[] = {1ull,
                                     10ull,
                                     100ull,
                                     1000ull,
                                     10000ull,
                                     100000ull,
                                     1000000ull,
                                     10000000ull,
                                     100000000ull,
                                     1000000000ull,
                                     10000000000ull,
                                     100000000000ull,
                                     1000000000000ull,
                                     10000000000000ull,
                                     100000000000000ull,
                                     1000000000000000ull,
                                     10000000000000000ull,
                                     100000000000000000ull,
                                     1000000000000000000ull,
                                     10000000000000000000ull};

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* small_int_text[v]: the digits of v, zeros, their count in the fourth. */
#define SMALL_INT(v)                                                                                         \
  {                                                                                                          \
    (char)('0' + ((v) < 10    ? (v)                                                                          \
                  : (v) < 100 ? (v) / 10                                                                     \
                              : (v) / 100)),                                                                 \
        (char)((v) < 10 ? 0 : '0' + ((v) < 100 ? (v) % 10 : (v) / 10 % 10)),                                 \
        (char)((v) < 100 ? 0 : '0' + (v) % 10),                                                              \
        (char)((v) < 10    ? 1                                                                               \
               : (v) < 100 ? 2                                                                               \
                           : 3)                                                                              \
  }
#define SMALL_INT10(t)                                                                                       \
  SMALL_INT(t), SMALL_INT(t + 1), SMALL_INT(t + 2), SMALL_INT(t + 3), SMALL_INT(t + 4), SMALL_INT(t + 5),    \
      SMALL_INT(t + 6), SMALL_INT(t + 7), SMALL_INT(t + 8), SMALL_INT(t + 9)
#define SMALL_INT100(h)                                                                                      \
  SMALL_INT10(h), SMALL_INT10(h + 10), SMALL_INT10(h + 20), SMALL_INT10(h + 30), SMALL_INT10(h + 40),        \
      SMALL_INT10(h + 50), SMALL_INT10(h + 60), SMALL_INT10(h + 70), SMALL_INT10(h + 80),                    \
      SMALL_INT10(h + 90)
const char small_int_text[1000][4] = {
    SMALL_INT100(0),   SMALL_INT100(100), SMALL_INT100(200), SMALL_INT100(300), SMALL_INT100(400),
    SMALL_INT100(500), SMALL_INT100(600), SMALL_INT100(700), SMALL_INT100(800), SMALL_INT100(900)};
#undef SMALL_INT100
#undef SMALL_INT10
#undef SMALL_INT

/* The 8 decimal digits of V < 10^8 at OUT, zero-padded: on a
 * little-endian machine all at once in one word (its halves split by a
 * division by 10^4, then every lane at once by 100 and by 10, divisions
 * done as multiplications: a·10486 >> 20 is a/100 for a < 43,699 and
 * a·103 >> 10 is a/10 for a < 179), else by pairs from a table. */
static inline void write8(char *out, uint32_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint64_t x = (uint64_t)(v / 10000) | ((uint64_t)(v % 10000) << 32); /* 4+4 digits, in order */
  uint64_t hundreds = ((x * 10486) >> 20) & UINT64_C(0x0000007F0000007F);
  x = hundreds | ((x - hundreds * 100) << 16); /* 2+2+2+2 */
  uint64_t tens = ((x * 103) >> 10) & UINT64_C(0x000F000F000F000F);
  x = tens | ((x - tens * 10) << 8); /* 8 digits, one a byte */
  x += UINT64_C(0x3030303030303030);
  memcpy(out, &x, 8);
#else
  uint32_t hi = v / 10000, lo = v % 10000;
  memcpy(out, digit_pairs + 2 * (hi / 100), 2);
  memcpy(out + 2, digit_pairs + 2 * (hi % 100), 2);
  memcpy(out + 4, digit_pairs + 2 * (lo / 100), 2);
  memcpy(out + 6, digit_pairs + 2 * (lo % 100), 2);
#endif
}

/* The 16 decimal digits of V < 10^16 at OUT, zero-padded; returns a
 * mask of the digits that are not 0 (bit i: OUT[i]). With SSE2 all at
 * once: V as four groups of four digits, each group in four 16-bit
 * lanes (times 4, so that every lane's first product keeps enough
 * bits), every lane divided by its power of ten (1000, 100, 10, 1) by
 * two multiplications that keep the high half (g·8389 >> 23 is g/1000
 * for g < 10^4, g·5243 >> 19 is g/100, g·6554 >> 16 is g/10; the second
 * multiplication, by a power of two, is the lane's shift), then each
 * digit as its lane less ten times the lane before. */
static inline unsigned write16(char *out, uint64_t v) {
  uint32_t hi = (uint32_t)(v / 100000000), lo = (uint32_t)(v % 100000000);
#ifdef __SSE2__
  const uint64_t four = 0x0004000400040004ull; /* g·four: 4g in every lane */
  __m128i a = _mm_set_epi64x((int64_t)((hi % 10000) * four), (int64_t)((hi / 10000) * four));
  __m128i b = _mm_set_epi64x((int64_t)((lo % 10000) * four), (int64_t)((lo / 10000) * four));
  const __m128i magic = _mm_set_epi16((short)0x8000, 6554, 5243, 8389, (short)0x8000, 6554, 5243, 8389);
  const __m128i shift =
      _mm_set_epi16((short)0x8000, 1 << 14, 1 << 11, 1 << 7, (short)0x8000, 1 << 14, 1 << 11, 1 << 7);
  const __m128i ten = _mm_set1_epi16(10);
  a = _mm_mulhi_epu16(_mm_mulhi_epu16(a, magic), shift); /* g/1000, g/100, g/10, g */
  b = _mm_mulhi_epu16(_mm_mulhi_epu16(b, magic), shift);
  a = _mm_sub_epi16(a, _mm_slli_epi64(_mm_mullo_epi16(a, ten), 16)); /* the last lane's ·10 is shifted out */
  b = _mm_sub_epi16(b, _mm_slli_epi64(_mm_mullo_epi16(b, ten), 16));
  __m128i digits = _mm_packus_epi16(a, b);
  _mm_storeu_si128((__m128i *)(void *)out, _mm_add_epi8(digits, _mm_set1_epi8('0')));
  return ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(digits, _mm_setzero_si128())) & 0xFFFF;
#else
  write8(out, hi);
  write8(out + 8, lo);
  unsigned nonzero = 0;
  for (int i = 0; i < 16; i++)
    nonzero |= (unsigned)(out[i] != '0') << i;
  return nonzero;
#endif
}

/* The 18 decimal digits of V < 10^18 at OUT, zero-padded. */
static inline void write18(char *out, uint64_t v) {
  memcpy(out, digit_pairs + 2 * (v / 10000000000000000ull), 2);
  write16(out + 2, v % 10000000000000000ull);
}

int uint_text(char *out, uint64_t v) {
  if (v < 1000) return uint_text_small(out, (uint32_t)v);
  int n = 4; /* v >= 1000 */
  while (n < 20 && v >= pow10_u64[n])
    n++;
  /* the last 8, 16 or 20 digits zero-padded, then the significant ones */
  char d[20];
  if (n <= 8) {
    write8(d + 12, (uint32_t)v);
  } else if (n <= 16) {
    write16(d + 4, v);
  } else {
    memcpy(d, digit_pairs + 2 * (v / 1000000000000000000ull), 2);
    write18(d + 2, v % 1000000000000000000ull);
  }
  memcpy(out, d + 20 - n, (size_t)n);
  return n;
}

/* 10^k for k = −4 … 15 (at k + 4), the doubles nearest them. */
static const double pow10_double[] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                      1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* N = x·10^q split at its point: N17 its whole part, FRAC the rest in
 * units of 2^-SH (SH = s − q), FIVE = 5^q an ulp of x in those units
 * (2^-s·10^q = 5^q/2^SH). SH is 0 to 47 here (x below 1e15 and at least
 * 1e-4, q one off at most), so every distance below is less than
 * 100·2^47 and fits 64 bits; only m·5^q needs 128. */
typedef struct Scaled {
  uint64_t n17, frac, five;
  int sh;
} Scaled;

/* N for this Q; true when it has 17 digits before its point. */
static inline bool scale17(uint64_t m, int s, int q, Scaled *n) {
  n->five = pow5_u64[q];
  n->sh = s - q;
  u128 num = (u128)m * n->five; /* < 2^53·5^22 < 2^105; N < 10^18 */
  n->n17 = (uint64_t)(num >> n->sh);
  n->frac = (uint64_t)num & ((1ull << n->sh) - 1);
  return n->n17 - pow10_u64[16] < pow10_u64[17] - pow10_u64[16];
}

/* The correctly rounded decimal of N to a multiple of UNIT (10 or 100:
 * 16 or 15 digits; ties to even), into *V; true when it lies inside the
 * interval of reals that round to x (strtod reads it back as x): within
 * half an ulp (FIVE/2) of N, a quarter below a power of two (POW2: the
 * double below is nearer), the ends included when x's significand is
 * EVEN. Most numbers are farther than that from both multiples of UNIT
 * around them, which is told first. */
static inline bool rounded_within(const Scaled *n, uint64_t unit, bool pow2, bool even, uint64_t *v) {
  uint64_t d = n->n17 / unit;
  uint64_t below = ((n->n17 - d * unit) << n->sh) + n->frac; /* N − d·UNIT, in 2^-sh */
  uint64_t above = (unit << n->sh) - below;                  /* (d+1)·UNIT − N */
  if (2 * below > n->five && 2 * above > n->five) return false;
  bool up = below > above || (below == above && (d & 1));
  uint64_t dist2 = up ? 2 * above : below << (pow2 ? 2 : 1);
  *v = (d + up) * unit;
  return even ? dist2 <= n->five : dist2 < n->five;
}

/* Writes the shortest round-trip text of X (1e-4 <= x < 1e15, not an
 * integer) into BUF in fixed notation; returns its length, or 0 when
 * the exact path cannot tell (the caller uses the printf path). BUF
 * holds 31 bytes (num_format's 32 after a sign). */
static inline __attribute__((always_inline)) int num_format_fast(double x, char *buf) {
  /* x is normal and positive: x = m·2^-s with m its 53-bit significand,
   * 2^e2 <= x < 2^(e2+1) */
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int biased = (int)(bits >> 52);
  uint64_t fraction = bits & ((1ull << 52) - 1), m = fraction | (1ull << 52);
  int s = 1075 - biased, e2 = biased - 1023;
  /* e10 = floor(log10 x): floor(e2·log10 2) (1233/4096 is log10 2 close
   * enough for these e2; the offset keeps the shift on a positive
   * number) or one more, told apart by comparing x with 10^(e10+1). Where
   * the double nearest that power is on the wrong side of it, N comes out
   * with 16 or 18 digits and the next q is taken. */
  int e10 = ((e2 + 4096) * 1233 >> 12) - 1233;
  e10 += x >= pow10_double[e10 + 1 + 4];
  int q = 16 - e10;
  Scaled n;
  if (!scale17(m, s, q, &n)) {
    q += n.n17 < pow10_u64[16] ? 1 : -1;
    if (q < 0 || q > 22 || s - q < 1 || !scale17(m, s, q, &n)) return 0;
  }
  /* V: the decimal as 17 digits (d·10^(17−p)). The 17-digit decimal is
   * always inside: an ulp is more than 1.1 units of the 17th digit (N >=
   * 10^16, m < 2^53), a quarter of one (the narrow side of a power of
   * two, m = 2^52) more than 0.55. */
  bool pow2 = fraction == 0, even = (m & 1) == 0;
  uint64_t v, v15;
  bool found;
  if (pow2) /* the interval is lopsided: the nearer decimal may be out, a farther one in */
    found = rounded_within(&n, 100, pow2, even, &v) || rounded_within(&n, 10, pow2, even, &v);
  else if ((found = rounded_within(&n, 10, pow2, even, &v)) && rounded_within(&n, 100, pow2, even, &v15))
    v = v15; /* (elsewhere a 15-digit decimal inside means a 16-digit one inside: it is one, or one nearer
                is; so the 15-digit try is needed only after the 16-digit one passed) */
  if (!found) {
    uint64_t half = 1ull << (n.sh - 1);
    v = n.n17 + (n.frac > half || (n.frac == half && (n.n17 & 1)));
  }
  if (v >= pow10_u64[17]) return 0; /* rounded up to 10^17: a power of ten */
  /* its 17 digits (the first not 0), the last one not 0 (LAST) ending
   * the text; POINT digits before the decimal point, −3 to 15 */
  char digits[32];
  uint64_t top = v / pow10_u64[16];
  digits[0] = (char)('0' + top);
  unsigned nonzero = write16(digits + 1, v - top * pow10_u64[16]);
  int last = nonzero ? 32 - __builtin_clz(nonzero) : 0;
  int point = 17 - q, len;
  if (point <= 0) { /* 0.000ddd: the moves end before buf[30] */
    memcpy(buf, "0.000", 5);
    memcpy(buf + 2 - point, digits, 24);
    len = 2 - point + last + 1;
  } else { /* ddd.ddd: the digits from FROM on moved one on, the point put after; FROM is the point's
              place but for 15 digits before it (two after at most), so that nothing is written past
              buf[30]: a caller's sign may come first */
    if (last < point) return 0; /* a whole number: not x (x is none) */
    int from = point < 15 ? point : 14;
    memcpy(buf, digits, 16);
    memcpy(buf + from + 1, digits + from, 16);
    buf[point] = '.';
    len = last + 2;
  }
  buf[len] = '\0';
  return len;
}

/* ---- the text of any number --------------------------------------------- */

/* Shortest "%.*g" form of X that strtod reads back as X. Any normal
 * double's 15-digit decimal survives the trip decimal -> double ->
 * decimal (DBL_DIG), so when 15 digits round-trip, "%.15g" (which drops
 * trailing zeros) is already the shortest; otherwise 16 or 17 digits are
 * needed, and 17 always suffice. This gives the same text as trying
 * 1..17 in turn. Subnormals have fewer digits of precision: they do try
 * every precision. */
static int shortest_g(double x, char *buf) {
  int len = 0;
  for (int precision = fabs(x) < DBL_MIN ? 1 : 15; precision <= 17; precision++) {
    len = snprintf(buf, 32, "%.*g", precision, x);
    if (strtod(buf, NULL) == x) break;
  }
  return len;
}

int num_format2(double x, char *buf) {
  int n = snprintf(buf, 64, "%.2f", x);
  if (n < 0 || n >= 64) {
    buf[0] = '\0';
    return 0;
  }
  char *dot = strchr(buf, '.');
  if (dot) {
    while (n > 0 && buf[n - 1] == '0')
      buf[--n] = '\0';
    if (buf + n - 1 == dot) buf[--n] = '\0';
  }
  if (strcmp(buf, "-0") == 0) {
    memcpy(buf, "0", 2);
    n = 1;
  }
  return n;
}

int num_format_fixed(double x, int digits, char *buf) {
  int n = snprintf(buf, 352, "%.*f", digits, x);
  if (n < 0 || n >= 352) {
    buf[0] = '\0';
    return 0;
  }
  if (buf[0] == '-' && strspn(buf + 1, "0.") == (size_t)n - 1) { /* -0.0 */
    memmove(buf, buf + 1, (size_t)n);
    n--;
  }
  return n;
}

/* An integer of at most 16 digits, without printf. */
static int format_integer(double x, char *buf) {
  int64_t v = (int64_t)x;
  int len = 0;
  if (v < 0) buf[len++] = '-';
  len += uint_text(buf + len, v < 0 ? (uint64_t)(-v) : (uint64_t)v);
  buf[len] = '\0';
  return len;
}

/* Decimal point and exponent use the C locale's "." (the CLI never calls
 * setlocale). Integers up to 1e15 in magnitude print as plain digits.
 * (Inline in num_format and num_cache_miss.) */
static inline __attribute__((always_inline)) int format_any(double x, char *buf) {
  /* the common case first: no integer, in the exact range (the int64_t
   * round trip is exact there and, unlike trunc(), no call) */
  double a = fabs(x);
  if (a >= 1e-4 && a < 1e15 && (double)(int64_t)x != x) {
    int neg = x < 0;
    buf[0] = '-';
    int n = num_format_fast(a, buf + neg);
    if (n > 0) return n + neg;
    return shortest_g(x, buf);
  }
  if (isnan(x) || isinf(x)) {
    memcpy(buf, "null", 5);
    return 4;
  }
  if (x == 0) {
    memcpy(buf, "0", 2); /* also -0 */
    return 1;
  }
  if (a <= 1e15 && (double)(int64_t)x == x) return format_integer(x, buf);
  return shortest_g(x, buf);
}

int num_format(double x, char *buf) { return format_any(x, buf); }

size_t num_cache_miss(NumEntry *set, char *out, double x) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  if (set[1].bits == bits) { /* the set's other entry: it becomes the first */
    NumEntry hit = set[1];
    set[1] = set[0];
    set[0] = hit;
    memcpy(out, hit.text, NUM_CACHE_TEXT);
    return hit.len;
  }
  size_t n = (size_t)format_any(x, out);
  if (n <= NUM_CACHE_TEXT) {
    set[1] = set[0];
    set[0].bits = bits;
    set[0].len = (uint8_t)n;
    memcpy(set[0].text, out, NUM_CACHE_TEXT); /* a fixed move: within the room made */
  }
  return n;
}
