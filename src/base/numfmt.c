/* numfmt.c — the shortest decimal that reads back to the same double,
 * computed exactly with integers for the values scores are made of
 * (1e-4 <= |x| < 1e15, no integer), without printf or strtod.
 *
 * x = m·2^-s exactly (m < 2^53). Scaled by 10^q so that it has 17 digits
 * before the point, N = x·10^q = m·5^q / 2^(s−q), an exact fixed-point
 * number with 55 bits after its point from one 64×64-bit multiplication
 * (q from a table of binades, no retry). The correctly rounded 15-, 16-
 * and 17-digit decimals are all made from it at once, and the first that
 * lies inside the interval of reals that round to x (half an ulp either
 * side) chosen by masks, not branches (which one that is changes from
 * number to number: branches on it mispredicted); the 17-digit one
 * always lies inside. When 15 digits read back, the
 * shortest decimal is those 15 without trailing zeros (DBL_DIG). That is
 * the decimal the "%.*g" search over precisions 15, 16, 17 finds
 * (shortest_g, which writes everything outside the range, and powers of
 * two, whose interval is lopsided), so the text is the same. With SSE2
 * the 17 digits are made 16 at once and the text laid out (the point,
 * or "0.000", put in) in registers, then stored into the output and the
 * cache entry (fast_text); without, through memory (decimal_text). The
 * zeros at the end are found from the digits rather than by division.
 * tests/unit/test_numfmt.c compares every path with the printf search
 * over millions of numbers: every power of two and ten, every binade,
 * decimal ties, numbers next to them; test_numfmt_portable.c the build
 * without SSE2 with this one. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/numfmt.h"

#include <float.h>
#include <stdbool.h>
#include <stddef.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>

typedef unsigned __int128 u128;

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

/* ---- the exact path: 1e-4 <= x < 1e15, no integer ------------------------ */

/* The binades of the exact range, 2^-14 <= x < 2^50 (biased exponents
 * 1009 to 1072, at biased − 1009): the power of ten inside the binade
 * where there is one, else the binade's end (which no x in it reaches),
 * and q, the power of ten that gives x 17 digits before its point
 * (10^16 <= x·10^q < 10^17), for the x below it (one less for the x at
 * or above it). 1e-4 … 1e-1 are the doubles just above those powers, the
 * others the powers themselves, so comparing x with them is exact. */
static const double binade_ten[64] = {
    1e-4,   0x1p-12, 0x1p-11, 0x1p-10, 1e-3,   0x1p-8, 0x1p-7, 1e-2,   0x1p-5, 0x1p-4, 1e-1,   0x1p-2, 0x1p-1,
    0x1p0,  0x1p1,   0x1p2,   0x1p3,   1e1,    0x1p5,  0x1p6,  1e2,    0x1p8,  0x1p9,  1e3,    0x1p11, 0x1p12,
    0x1p13, 1e4,     0x1p15,  0x1p16,  1e5,    0x1p18, 0x1p19, 1e6,    0x1p21, 0x1p22, 0x1p23, 1e7,    0x1p25,
    0x1p26, 1e8,     0x1p28,  0x1p29,  1e9,    0x1p31, 0x1p32, 0x1p33, 1e10,   0x1p35, 0x1p36, 1e11,   0x1p38,
    0x1p39, 1e12,    0x1p41,  0x1p42,  0x1p43, 1e13,   0x1p45, 0x1p46, 1e14,   0x1p48, 0x1p49, 1e15};
static const uint8_t binade_q[64] = {21, 20, 20, 20, 20, 19, 19, 19, 18, 18, 18, 17, 17, 17, 16, 16,
                                     16, 16, 15, 15, 15, 14, 14, 14, 13, 13, 13, 13, 12, 12, 12, 11,
                                     11, 11, 10, 10, 10, 10, 9,  9,  9,  8,  8,  8,  7,  7,  7,  7,
                                     6,  6,  6,  5,  5,  5,  4,  4,  4,  4,  3,  3,  3,  2,  2,  2};

/* N = x·10^q as a fixed-point number with FRAC_BITS bits after its point:
 * x = m·2^-s (m the 53-bit significand), so N·2^55 = m·5^q·2^(55−s+q),
 * made as (m << a)·scale_five[q], scale_five[q] = 5^q·2^b with b the
 * largest that no x of the range needs a negative shift a (a + b =
 * 55 − s + q; a = biased + scale_shift[q] is 0 to 4 across the range, so
 * that m << a and scale_five[q] fit 64 bits). The product is < 10^17·2^55
 * < 2^112. An ulp of x is scale_five[q] << a in the same units (< 22.3
 * units of N, 2^60); N's distances below to multiples of 100 are < 2^62. */
enum { FRAC_BITS = 55 };
#define FRAC_ONE (1ull << FRAC_BITS)
static const uint64_t scale_five[21] = {0,
                                        0,
                                        56294995342131200ull,
                                        70368744177664000ull,
                                        43980465111040000ull,
                                        54975581388800000ull,
                                        68719476736000000ull,
                                        42949672960000000ull,
                                        53687091200000000ull,
                                        67108864000000000ull,
                                        41943040000000000ull,
                                        52428800000000000ull,
                                        65536000000000000ull,
                                        40960000000000000ull,
                                        51200000000000000ull,
                                        64000000000000000ull,
                                        80000000000000000ull,
                                        50000000000000000ull,
                                        62500000000000000ull,
                                        78125000000000000ull,
                                        48828125000000000ull};
static const int16_t scale_shift[21] = {0,     0,     -1069, -1066, -1062, -1059, -1056,
                                        -1052, -1049, -1046, -1042, -1039, -1036, -1032,
                                        -1029, -1026, -1023, -1019, -1016, -1013, -1009};

/* The decimal the "%.*g" search over precisions 15, 16 and 17 writes for
 * X (1e-4 <= x < 1e15, positive, no integer, no power of two): as V, 17
 * digits (the 15- or 16-digit decimal with its zeros after; 10^16 <= V
 * <= 10^17), with *POINT of them before the decimal point (−3 to 15).
 *
 * All three candidates are made from N at once, and chosen without a
 * branch. The p-digit one is N rounded to a multiple of UNIT (100, 10,
 * 1; ties to even, as printf rounds): from BELOW = N − d·UNIT in units of
 * 2^-55, up when BELOW is past the half (or at it, d odd). It reads back
 * as x when it lies within half an ulp (HALF) of N, which for 15 and 16
 * digits is when N is that near the multiple of UNIT below or the one
 * above (the nearer of the two, the rounded one, is then nearer still).
 * The ends of that interval need no care (whether strtod rounds them to
 * x): they are (2m ± 1)·2^-(s+1), which have s + 1 digits after the
 * point, the last a 5, and so 19 significant digits or more in this
 * range (x >= 2^(52−s) has 15 or more before the point when s = 3, one
 * fewer for every 3.3 more after it; below 1, s >= 53), so no decimal of
 * 17 digits is one of them. (Below a power of two the interval is a quarter ulp wide:
 * those numbers do not come here.) The 17-digit one is always inside:
 * an ulp is more than 1.1 units of N, and it is half a unit away at
 * most. So the first of 15, 16, 17 digits inside is the search's text;
 * when 15 digits read back, that is the shortest decimal without its
 * zeros (DBL_DIG). */
static inline __attribute__((always_inline)) uint64_t shortest_digits(double x, int *point) {
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int biased = (int)(bits >> 52);
  uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
  int binade = biased - 1009;
  int q = binade_q[binade] - (x >= binade_ten[binade]);
  *point = 17 - q;
  int a = biased + scale_shift[q];
  uint64_t half = scale_five[q] << a >> 1; /* half an ulp of x (an ulp is 5^q·2^(55−s+q)) */
  u128 num = (u128)(m << a) * scale_five[q];
  uint64_t n17 = (uint64_t)(num >> FRAC_BITS), frac = (uint64_t)num & (FRAC_ONE - 1);
  /* the multiples of 100 and 10 below N: d15·100, d16·10 (N's last two
   * digits divided by ten as r·205 >> 11) */
  uint64_t d15 = n17 / 100;
  uint32_t r100 = (uint32_t)(n17 - 100 * d15), tens = r100 * 205 >> 11;
  uint64_t d16 = 10 * d15 + tens;
  uint64_t below15 = (uint64_t)r100 << FRAC_BITS | frac,
           below16 = (uint64_t)(r100 - 10 * tens) << FRAC_BITS | frac;
  uint64_t v16 = 10 * (d16 + (below16 + (d16 & 1) > 5 * FRAC_ONE));
  uint64_t v17 = n17 + (frac + (n17 & 1) > FRAC_ONE / 2);
  uint64_t in16 = (below16 < half) | (below16 > 10 * FRAC_ONE - half);
  /* (the 15-digit one is needed only when it is inside, where it is the
   * one multiple of 100 within half an ulp, less than 12 units, of N) */
  uint64_t up15 = below15 > 100 * FRAC_ONE - half, in15 = (below15 < half) | up15;
  uint64_t v15 = 100 * (d15 + up15);
  /* v17, or v16 when in16, or v15 when in15: by masks, not branches */
  uint64_t v = v17 ^ ((v17 ^ v16) & (0 - in16));
  return v ^ ((v ^ v15) & (0 - in15));
}

/* The text of V·10^(POINT−17) (10^16 <= V < 10^17, POINT −3 to 15) at
 * BUF in fixed notation, without the zeros at its end (found from the
 * digits rather than by division), and a NUL; returns its length (at
 * most 20), or 0 when it is a whole number (it is not the x it came
 * from: x is none). Writes BUF[0..30] at most (num_format's 32 bytes
 * after a sign). */
static int decimal_text(uint64_t v, int point, char *buf) {
  /* its 17 digits (the first not 0), the last one not 0 (LAST) ending
   * the text; POINT digits before the decimal point */
  char digits[32];
  uint64_t top = v / pow10_u64[16];
  digits[0] = (char)('0' + top);
  unsigned nonzero = write16(digits + 1, v - top * pow10_u64[16]);
  int last = nonzero ? 32 - __builtin_clz(nonzero) : 0;
  int len;
  if (point <= 0) { /* 0.000ddd: the moves end before buf[30] */
    memcpy(buf, "0.000", 5);
    memcpy(buf + 2 - point, digits, 24);
    len = 2 - point + last + 1;
  } else { /* ddd.ddd: the digits from FROM on moved one on, the point put after; FROM is the point's
              place but for 15 digits before it (two after at most), so that nothing is written past
              buf[30]: a caller's sign may come first */
    if (last < point) return 0;
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

#ifdef __SSE2__
/* ---- the exact path's common case in registers (SSE2) ------------------- */

/* The 16 digits of HI·10^8 + LO (HI, LO < 10^8) as bytes 0 to 9, HI's
 * first: both split in halves of four digits at once (a/10^4 is
 * a·3518437209 >> 45 for a < 2^32), the four halves spread over 16-bit
 * lanes four times each (times 4, as write16 needs them), and then
 * every lane divided by its power of ten as in write16. */
static inline __m128i digits16(uint32_t hi, uint32_t lo) {
  __m128i x = _mm_set_epi64x(lo, hi);
  __m128i upper = _mm_srli_epi64(_mm_mul_epu32(x, _mm_set1_epi32((int)3518437209u)), 45);
  __m128i lower = _mm_sub_epi32(x, _mm_mul_epu32(upper, _mm_set1_epi32(10000)));
  __m128i halves = _mm_or_si128(upper, _mm_slli_epi64(lower, 32)); /* hi/10^4, hi%10^4, lo/10^4, lo%10^4 */
  __m128i four = _mm_slli_epi16(_mm_packs_epi32(halves, halves), 2);
  __m128i pairs = _mm_unpacklo_epi16(four, four);
  __m128i a = _mm_unpacklo_epi32(pairs, pairs), b = _mm_unpackhi_epi32(pairs, pairs);
  const __m128i magic = _mm_set_epi16((short)0x8000, 6554, 5243, 8389, (short)0x8000, 6554, 5243, 8389);
  const __m128i shift =
      _mm_set_epi16((short)0x8000, 1 << 14, 1 << 11, 1 << 7, (short)0x8000, 1 << 14, 1 << 11, 1 << 7);
  const __m128i ten = _mm_set1_epi16(10);
  a = _mm_mulhi_epu16(_mm_mulhi_epu16(a, magic), shift);
  b = _mm_mulhi_epu16(_mm_mulhi_epu16(b, magic), shift);
  a = _mm_sub_epi16(a, _mm_slli_epi64(_mm_mullo_epi16(a, ten), 16));
  b = _mm_sub_epi16(b, _mm_slli_epi64(_mm_mullo_epi16(b, ten), 16));
  return _mm_packus_epi16(a, b);
}

/* From text_masks + 16 − P: lanes below P set; + 15 − P: lanes up to P;
 * + 32 − P: '.' in lane P only. */
static const char text_masks[48] = {-1,  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                    0,   0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
                                    '.', 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0};
static inline __m128i load16(const char *p) { return _mm_loadu_si128((const __m128i *)(const void *)p); }

/* A number's text in two registers, its bytes 0 to 15 and 16 on (the
 * bytes past its end '0's or zeros), so that neither the output nor the
 * cache entry is read back from memory. */
typedef struct Text {
  __m128i lo, hi;
} Text;

/* decimal_text's text of X (1e-4 <= |x| < 1e15, not an integer) into
 * T; its length, or 0 when this path does not take X (the printf search
 * in format_other does): a power of two, or rounded up to a power of
 * ten. Its 17 digits are F (the first 16) and the last. With a point
 * after the first of them or later, the point's lane and those after it
 * take the point and F moved one lane on; below 1, "0." and up to three
 * zeros (K bytes) come first, F moved K lanes on (a shift of each 64-bit
 * half by a count, and the bytes that cross into the next half). */
static inline __attribute__((always_inline)) int fast_text(double x, Text *t) {
  double a = fabs(x);
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  if (!(a >= 1e-4 && a < 1e15) || (double)(int64_t)x == x || (bits & ((1ull << 52) - 1)) == 0) return 0;
  int point, len;
  uint64_t v = shortest_digits(a, &point);
  if (v >= pow10_u64[17]) return 0;
  uint64_t upper = v / 100000000;
  uint32_t top = (uint32_t)upper / 100000000;
  __m128i d = digits16((uint32_t)upper - top * 100000000, (uint32_t)(v - upper * 100000000));
  unsigned nonzero = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(d, _mm_setzero_si128())) & 0xFFFF;
  __m128i c = _mm_add_epi8(d, _mm_set1_epi8('0'));
  __m128i f = _mm_or_si128(_mm_slli_si128(c, 1), _mm_cvtsi32_si128((int)('0' + top)));
  if (point > 0) {
    if (nonzero >> (point - 1) == 0) return 0; /* no digit after the point: a whole number (x is none) */
    len = 34 - __builtin_clz(nonzero); /* to the last digit not 0: F[32 − clz], one on for the point */
    const char *masks = text_masks + 16 - point;
    t->lo = _mm_or_si128(_mm_or_si128(_mm_and_si128(f, load16(masks)), load16(masks + 16)),
                         _mm_andnot_si128(load16(masks - 1), _mm_slli_si128(f, 1)));
    t->hi = _mm_srli_si128(c, 14);
  } else { /* 0.ddd to 0.000ddd */
    int k = 2 - point;
    __m128i bits_k = _mm_cvtsi32_si128(8 * k), rest = _mm_cvtsi32_si128(64 - 8 * k);
    __m128i zeros = _mm_and_si128(_mm_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0', '0', '0', '.', '0'),
                                  load16(text_masks + 16 - k));
    t->lo = _mm_or_si128(_mm_or_si128(zeros, _mm_sll_epi64(f, bits_k)),
                         _mm_srl_epi64(_mm_slli_si128(f, 8), rest));
    t->hi =
        _mm_or_si128(_mm_srl_epi64(_mm_srli_si128(f, 8), rest), _mm_sll_epi64(_mm_srli_si128(c, 15), bits_k));
    len = k + 32 - __builtin_clz(nonzero << 1 | 1); /* to the last digit not 0 (F[0] when none after) */
  }
  if (x < 0) {
    t->hi = _mm_or_si128(_mm_slli_si128(t->hi, 1), _mm_srli_si128(t->lo, 15));
    t->lo = _mm_or_si128(_mm_slli_si128(t->lo, 1), _mm_cvtsi32_si128('-'));
    len++;
  }
  return len;
}

/* The text's first 24 bytes at OUT. */
static inline void text_put(const Text *t, char *out) {
  _mm_storeu_si128((__m128i *)(void *)out, t->lo);
  _mm_storel_epi64((__m128i *)(void *)(out + 16), t->hi);
}

/* SET's first entry holds the number of these BITS, its text T of LEN
 * bytes, the one there before moved second. The text is stored where it
 * goes: its last 8 bytes run one byte into the second entry, written
 * after. */
static inline void text_keep(NumEntry *set, uint64_t bits, size_t len, const Text *t) {
  _Static_assert(offsetof(NumEntry, text) == 9 && sizeof(NumEntry) == 32 && NUM_CACHE_TEXT == 23,
                 "NumEntry: bits, len, 23 bytes");
  NumEntry first = set[0];
  char *e = (char *)set;
  memcpy(e, &bits, sizeof bits);
  e[8] = (char)len;
  _mm_storeu_si128((__m128i *)(void *)(e + 9), t->lo);
  _mm_storel_epi64((__m128i *)(void *)(e + 25), t->hi);
  set[1] = first;
}
#endif

/* Decimal point and exponent use the C locale's "." (the CLI never calls
 * setlocale). Integers up to 1e15 in magnitude print as plain digits.
 * Numbers the exact path takes (1e-4 <= |x| < 1e15, no integer) with
 * their text in memory (decimal_text), unless it cannot tell (a power
 * of two, a decimal rounded up to a power of ten): those and all others
 * through the printf search. (Out of line: with SSE2, fast_text takes
 * most numbers first.) */
static __attribute__((noinline)) int format_other(double x, char *buf) {
  double a = fabs(x);
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  if (a >= 1e-4 && a < 1e15 && (double)(int64_t)x != x) {
    int point;
    uint64_t v = (bits & ((1ull << 52) - 1)) ? shortest_digits(a, &point) : pow10_u64[17];
    int neg = x < 0, n = 0;
    buf[0] = '-';
    if (v < pow10_u64[17]) n = decimal_text(v, point, buf + neg);
    return n > 0 ? n + neg : shortest_g(x, buf);
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

int num_format(double x, char *buf) {
#ifdef __SSE2__
  Text t;
  int n = fast_text(x, &t);
  if (n > 0) {
    text_put(&t, buf);
    buf[n] = '\0';
    return n;
  }
#endif
  return format_other(x, buf);
}

/* num_cache_miss for the numbers fast_text does not take. */
static __attribute__((noinline)) size_t cache_other(NumEntry *set, char *out, double x) {
  size_t n = (size_t)format_other(x, out);
  if (n <= NUM_CACHE_TEXT) {
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    set[1] = set[0];
    set[0].bits = bits;
    set[0].len = (uint8_t)n;
    memcpy(set[0].text, out, NUM_CACHE_TEXT); /* a fixed move: within the room made */
  }
  return n;
}

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
#ifdef __SSE2__
  Text t;
  int n = fast_text(x, &t);
  if (n > 0) { /* the common case: the output and the entry from T, no call */
    text_put(&t, out);
    text_keep(set, bits, (size_t)n, &t);
    return (size_t)n;
  }
#endif
  return cache_other(set, out, x);
}
