/* numfmt.c — the shortest decimal that reads back to the same double,
 * computed exactly with 128-bit integers for the values scores are made
 * of (1e-4 <= |x| < 1e15), without printf or strtod.
 *
 * x = m·2^-s exactly (m < 2^53). Scaled by 10^q so that it has 17 digits
 * before the point, x·10^q = m·5^q / 2^(s−q): an exact rational with a
 * 128-bit numerator. For p = 1, 2, … 17 the correctly rounded p-digit
 * decimal is computed from it, and accepted as soon as it lies inside the
 * interval of reals that round to x (half an ulp either side, the ends
 * included when m is even, as strtod rounds ties to even). Only p = 15,
 * 16, 17 are tried: when 15 digits read back, the shortest decimal is
 * those 15 without trailing zeros. The first p accepted is the shortest; it is the same decimal "%.17g"-style
 * search finds, so the text equals the slow path's. Outside that range the caller uses the printf path.
 * Before all that, values of one or two decimals (52.5, 0.7) are found
 * by a multiplication and a division of doubles (few_decimals), and the
 * tries are done with 64-bit integers but for one distance.
 * tests/unit/test_numfmt.c compares every path with the printf search
 * over a million numbers and every power of two and ten. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/numfmt.h"

#include <float.h>
#include <stdbool.h>
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

/* The 18 decimal digits of V < 10^18 at OUT, zero-padded. */
static inline void write18(char *out, uint64_t v) {
  uint64_t top = v / 100000000; /* < 10^10 */
  uint32_t low = (uint32_t)(v % 100000000);
  memcpy(out, digit_pairs + 2 * (uint32_t)(top / 100000000), 2);
  write8(out + 2, (uint32_t)(top % 100000000));
  write8(out + 10, low);
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
    write8(d + 4, (uint32_t)(v / 100000000));
    write8(d + 12, (uint32_t)(v % 100000000));
  } else {
    memcpy(d, digit_pairs + 2 * (v / 1000000000000000000ull), 2);
    write18(d + 2, v % 1000000000000000000ull);
  }
  memcpy(out, d + 20 - n, (size_t)n);
  return n;
}

/* x·10^q = num / 2^sh with num = m·5^q (shifted when sh would be < 0). */
static bool scale(uint64_t m, int s, int q, u128 *num, u128 *five, int *sh) {
  if (q < 0 || q > 27) return false;
  *five = pow5_u64[q];
  *num = (u128)m * *five;
  *sh = s - q;
  if (*sh < 0) {
    *num <<= -*sh;
    *five <<= -*sh;
    *sh = 0;
  }
  return *sh <= 60;
}

/* Whether every multiple of UNIT lies outside the interval that rounds
 * to x, judged from N's whole part N17 alone: N = x·10^q lies in
 * [N17, N17 + 1), and the interval is N ± half an ulp, an ulp being
 * N/M (x = M·2^-s) < (N17 + 1)/M. A multiple of UNIT is at least
 * min(R, UNIT − R − 1) from N (R = N17 mod UNIT); when that is more than
 * (N17 + 1)/(2M), none is inside. False when it cannot tell (the exact
 * test decides). */
static inline bool far_from(uint64_t n17, uint64_t m, uint64_t r, uint64_t unit) {
  uint64_t gap = r < unit - 1 - r ? r : unit - 1 - r;
  return 2 * m * gap > n17 + 1; /* m < 2^53, gap < 50: no overflow */
}

/* The exact value N = n17 + frac/2^sh (0 <= frac < 2^sh, sh <= 60) and
 * an ulp of x in the same units, FIVE/2^sh. */
typedef struct Scaled {
  uint64_t n17, frac;
  u128 five;
  int sh;
  bool pow2;      /* x is a power of two: the interval below is half as wide */
  bool inclusive; /* the interval's ends round to x (its significand is even) */
} Scaled;

/* The correctly rounded decimal of N to a multiple of UNIT (10^(17−p)
 * for p digits; ties to even), as *D = that multiple / UNIT; true when
 * it lies inside the interval of reals that round to x (strtod reads it
 * back as x). All in 64 bits but the distance: N's remainder below the
 * multiple, r + frac/2^sh, is compared with UNIT/2 by its whole part
 * first (UNIT is even: 2r > UNIT means up, 2r < UNIT down, equal a tie
 * decided by frac and then by evenness). */
static inline __attribute__((always_inline)) bool rounded_within(const Scaled *n, uint64_t d, uint64_t r,
                                                                 uint64_t unit, uint64_t *d_out) {
  /* D = N17 / UNIT, R = N17 mod UNIT */
  bool up = 2 * r > unit || (2 * r == unit && (n->frac != 0 || (d & 1)));
  u128 dist, reach; /* 4·distance and 2·ulp, in 2^-sh */
  if (up) {
    d++;
    dist = (((u128)(unit - r) << n->sh) - n->frac) * 4;
    reach = n->five * 2;
  } else {
    dist = (((u128)r << n->sh) + n->frac) * 4;
    reach = n->pow2 ? n->five : n->five * 2;
  }
  *d_out = d;
  return n->inclusive ? dist <= reach : dist < reach;
}

/* V at OUT as "ddd.ddd" with K (1 to 4) decimals; V < 10^15. */
static int write_decimals(char *out, uint64_t v, int k) {
  static const uint32_t pow10_u32[] = {1, 10, 100, 1000, 10000};
  uint32_t unit = pow10_u32[k];
  uint64_t whole = v / unit;
  uint32_t part = (uint32_t)(v % unit);
  int n = uint_text(out, whole);
  out[n++] = '.';
  char d[12];
  write8(d, part); /* zero-padded: its last K (a fixed move of 4) */
  memcpy(out + n, d + 8 - k, 4);
  n += k;
  out[n] = '\0';
  return n;
}

/* A value of one or two decimals (52.5, 0.7, 13.25): the shortest
 * decimal of X when one of at most 15 digits with at most 2 decimals
 * reads back as X. If r/100 (both exact doubles, divided with correct
 * rounding) is X, the decimal r·10^-2 rounds to X; having at most 15
 * digits, it is then the one decimal of that length that does (DBL_DIG),
 * so the search finds it too, without r's trailing zero when it has one
 * (a value of one decimal). X is no integer here. Returns 0 when no r
 * fits. */
static int few_decimals(double x, char *buf) {
  double t = x * 100;
  if (!(t < 1e14)) return 0;
  int64_t r = (int64_t)(t + 0.5); /* signed: one instruction each way */
  if ((double)r / 100 != x) return 0;
  return r % 10 != 0 ? write_decimals(buf, (uint64_t)r, 2) : write_decimals(buf, (uint64_t)r / 10, 1);
}

/* 10^k for k = −4 … 15 (at k + 4), the doubles nearest them. */
static const double pow10_double[] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                      1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* Writes the shortest round-trip text of positive X into BUF in fixed
 * notation; returns its length, or 0 when X is outside the fast range
 * (1e-4 <= x < 1e15, not an integer: the caller writes those). */
static int num_format_fast(double x, char *buf) {
  if (!(x >= 1e-4 && x < 1e15)) return 0;
  int few = few_decimals(x, buf);
  if (few) return few;
  /* x is normal here: x = m·2^-s with m its 53-bit significand */
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int biased = (int)(bits >> 52) & 0x7FF;
  uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
  int s = 1075 - biased;
  int exp2 = biased - 1022; /* x = frac·2^exp2, 0.5 <= frac < 1 */
  /* e10 = floor(log10 x): floor((exp2 − 1)·log10 2) or one more (x >=
   * 2^(exp2−1)), told apart by comparing x with 10^(e10+1) (the double
   * nearest it; where that is below the power, x equal to it is taken
   * one too high, and the loop below corrects it). */
  double estimate = (exp2 - 1) * 0.30102999566398120;
  int e10 = (int)estimate;
  if ((double)e10 > estimate) e10--; /* floor, without a libm call */
  if (e10 + 1 <= 15 && x >= pow10_double[e10 + 1 + 4]) e10++;
  u128 num, five;
  int sh, q = 0;
  uint64_t n17 = 0;
  for (int tries = 0; tries < 3; tries++) {
    q = 16 - e10;
    if (!scale(m, s, q, &num, &five, &sh)) return 0;
    u128 n = num >> sh;
    if (n >= (u128)pow10_u64[17])
      e10++;
    else if (n < (u128)pow10_u64[16])
      e10--;
    else {
      n17 = (uint64_t)n;
      break;
    }
  }
  if (n17 == 0) return 0;
  Scaled n = {n17, (uint64_t)(num - ((u128)n17 << sh)), five, sh, m == (1ull << 52), (m & 1) == 0};
  /* 15 digits always suffice unless 16 or 17 are needed; a shorter
   * decimal, when one exists, is the 15-digit one without its zeros. The
   * tries divide by constants (a division by a variable is slow). Most
   * numbers need 17: a try is skipped without the 128-bit work when N is
   * farther from every multiple of its unit than half an ulp can reach
   * (far_from). The 17-digit decimal is always inside: an ulp is more
   * than 1.1 units of the 17th digit (N >= 10^16, m < 2^53), a quarter
   * of one (the narrow side of a power of two, m = 2^52) more than 0.55. */
  uint64_t d, d100 = n17 / 100, r100 = n17 - d100 * 100, r10 = r100 % 10;
  int p;
  if (!far_from(n17, m, r100, 100) && rounded_within(&n, d100, r100, 100, &d))
    p = 15;
  else if (!far_from(n17, m, r10, 10) && rounded_within(&n, d100 * 10 + r100 / 10, r10, 10, &d))
    p = 16;
  else {
    p = 17;
    d = n17 + (2 * n.frac > (1ull << sh) || (2 * n.frac == (1ull << sh) && (n17 & 1)));
  }
  /* value = d·10^(17−p−q): its digits without the zeros after the point,
   * then the point placed. The text (at most 22 bytes: x >= 1e-4 has at
   * most 3 zeros after the point) is put together in TEXT by moves of
   * fixed sizes, and moved to BUF (32 bytes) in one. */
  int nd = d >= pow10_u64[p] ? p + 1 : p; /* 10^(p−1) <= d <= 10^p */
  int point = nd + (17 - p - q);          /* digits before the decimal point */
  while (nd > point && d % 10 == 0) {
    d /= 10;
    nd--;
  }
  char digits[48], text[48];
  write18(digits, d); /* d < 10^18: 18 digits, zero-padded */
  memset(digits + 18, '0', 24);
  const char *lead = digits + 18 - nd;
  int len;
  if (point <= 0) { /* 0.000ddd: -point <= 3 */
    memcpy(text, "0.000", 5);
    memcpy(text + 2 - point, lead, 24);
    len = 2 - point + nd;
  } else if (point >= nd) { /* ddd000: the zeros came with the digits */
    memcpy(text, lead, 24);
    len = point;
  } else { /* ddd.ddd: point < nd <= 18 */
    memcpy(text, lead, 24);
    text[point] = '.';
    memcpy(text + point + 1, lead + point, 24);
    len = nd + 1;
  }
  memcpy(buf, text, 24);
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
 * setlocale). Integers up to 1e15 in magnitude print as plain digits. */
int num_format(double x, char *buf) {
  if (isnan(x) || isinf(x)) {
    memcpy(buf, "null", 5);
    return 4;
  }
  if (x == 0) {
    memcpy(buf, "0", 2); /* also -0 */
    return 1;
  }
  /* the int64_t round trip is exact here and, unlike trunc(), no call */
  if (fabs(x) <= 1e15 && (double)(int64_t)x == x) return format_integer(x, buf);
  if (x < 0) {
    int n = num_format_fast(-x, buf + 1);
    if (n > 0) {
      buf[0] = '-';
      return n + 1;
    }
  } else {
    int n = num_format_fast(x, buf);
    if (n > 0) return n;
  }
  return shortest_g(x, buf);
}
