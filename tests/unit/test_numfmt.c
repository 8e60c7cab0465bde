/* test_numfmt.c — the fast shortest round-trip formatter (numfmt.c) gives
 * the same text as the plain search over "%.*g" precisions, and reads
 * back to the same double. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numfmt.h"
#include "base/value.h"

/* The reference: the first "%.*g" precision from FROM whose text reads
 * back (every precision from 1 for subnormals), integers up to 1e15 as
 * digits. From 1, the shortest text; from 15, the search numfmt.c
 * replaced, as it ran before the exact paths: the same text (a 15-digit
 * decimal that reads back is the shortest without its zeros: DBL_DIG)
 * at a fifth of the cost, so that millions of numbers can be compared. */
static void printf_search(double x, char *buf, int from) {
  if (x == 0) {
    strcpy(buf, "0");
    return;
  }
  if (fabs(x) <= 1e15 && x == trunc(x)) {
    snprintf(buf, 32, "%.0f", x);
    return;
  }
  for (int p = fabs(x) < 2.2250738585072014e-308 ? 1 : from; p <= 17; p++) {
    snprintf(buf, 32, "%.*g", p, x);
    if (strtod(buf, NULL) == x) return;
  }
}

static void reference(double x, char *buf) { printf_search(x, buf, 1); }

static void same(double x) {
  char got[64], want[64];
  num_format(x, got);
  reference(x, want);
  cr_assert_str_eq(got, want, "x = %.17g", x);
  cr_assert_eq(strtod(got, NULL), x, "%s does not read back", got);
}

Test(numfmt, known_values) {
  char b[64];
  num_format(52.5, b);
  cr_assert_str_eq(b, "52.5");
  num_format(0.1, b);
  cr_assert_str_eq(b, "0.1");
  num_format(100, b);
  cr_assert_str_eq(b, "100");
  num_format(-3, b);
  cr_assert_str_eq(b, "-3");
  num_format(1.0 / 3, b);
  cr_assert_str_eq(b, "0.3333333333333333");
  num_format(98.33333333333334, b);
  cr_assert_str_eq(b, "98.33333333333334");
  num_format(4.000000000000001, b);
  cr_assert_str_eq(b, "4.000000000000001");
  num_format(1e21, b);
  cr_assert_str_eq(b, "1e+21");
  num_format(-0.0, b);
  cr_assert_str_eq(b, "0");
}

Test(numfmt, edges) {
  double xs[] = {1e-4,
                 0.0001000000000001,
                 0.001,
                 0.01,
                 0.99999999999999989,
                 1.0000000000000002,
                 9.999999999999999e14,
                 1e15 - 0.125,
                 123456.789,
                 99.99999999999999,
                 1e-5,
                 5e-324,
                 2.2250738585072014e-308,
                 1.7976931348623157e308,
                 0.5,
                 0.25,
                 0.2,
                 0.7};
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
    same(xs[i]);
    same(-xs[i]);
  }
}

Test(numfmt, random_agree_with_reference) {
  uint64_t s = 88172645463325252ull;
  for (int i = 0; i < 200000; i++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    double x;
    char text[40];
    switch (i % 6) {
    case 0: memcpy(&x, &s, sizeof x); break;
    case 1: x = (double)(s % 100000) / (double)((s >> 20) % 997 + 1); break;
    case 2: x = (double)(s % 1000000) / 1000.0; break;
    case 3: x = ldexp((double)(s >> 11), -(int)(s % 70)); break;
    default:
      /* decimals of exactly 15 and 16 digits across the fast range
       * (numfmt.c's early rejections must never refuse them) */
      snprintf(text, sizeof text, "%llu.%llue%d", (unsigned long long)(s % 9 + 1),
               (unsigned long long)(s >> 8) % (i % 6 == 4 ? 100000000000000ull : 1000000000000000ull),
               (int)((s >> 4) % 20) - 4);
      x = strtod(text, NULL);
      break;
    }
    if (isnan(x) || isinf(x)) continue;
    same(x);
  }
}

static uint64_t xorshift(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

/* num_format(X) and num_format(-X) are the search's text, byte for
 * byte, and write nothing past the 32 bytes num_format is given; so is
 * what num_cache_miss writes for them (its own inline copy of the
 * formatting), and it keeps them first in their set, text and all. */
static void same_as_search(double x) {
  char got[64], want[64];
  for (int sign = 0; sign < 2; sign++, x = -x) {
    memset(got, 0x5A, sizeof got);
    int n = num_format(x, got);
    printf_search(x, want, 15);
    cr_assert_str_eq(got, want, "x = %.17g", x);
    cr_assert_eq((size_t)n, strlen(want), "x = %.17g: length %d", x, n);
    for (size_t i = 32; i < sizeof got; i++)
      cr_assert_eq(got[i], 0x5A, "x = %.17g: byte %zu written", x, i);
    NumEntry set[2] = {{.bits = ~0ull}, {.bits = ~0ull}}; /* (a NaN's bits: no x here) */
    memset(got, 0x5A, sizeof got);
    size_t m = num_cache_miss(set, got, x);
    cr_assert(m == (size_t)n && memcmp(got, want, m) == 0, "x = %.17g: cached %.*s", x, (int)m, got);
    for (size_t i = 32; i < sizeof got; i++)
      cr_assert_eq(got[i], 0x5A, "x = %.17g: byte %zu written by num_cache_miss", x, i);
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    if (m <= NUM_CACHE_TEXT)
      cr_assert(set[0].bits == bits && set[0].len == m && memcmp(set[0].text, want, m) == 0,
                "x = %.17g: not kept", x);
  }
}

/* The shapes of numbers the outputs write, and their edges: powers of
 * two (whose interval below is half as wide) and of ten with their
 * neighbours, 2^53 ± 1, the ends of the exact range (1e-4, 1e15), the
 * smallest and largest doubles, -0. */
Test(numfmt, edges_agree_with_search) {
  for (int e = -1074; e <= 1023; e++) {
    double x = ldexp(1, e);
    same_as_search(x);
    same_as_search(nextafter(x, 0));
    same_as_search(nextafter(x, INFINITY));
  }
  for (int e = -323; e <= 308; e++) {
    char text[16];
    snprintf(text, sizeof text, "1e%d", e);
    double x = strtod(text, NULL);
    same_as_search(x);
    for (int k = 1; k <= 3; k++) {
      x = nextafter(x, 0);
      same_as_search(x);
    }
    x = strtod(text, NULL);
    for (int k = 1; k <= 3; k++) {
      x = nextafter(x, INFINITY);
      same_as_search(x);
    }
  }
  double xs[] = {9007199254740992.0,
                 9007199254740991.0,
                 9007199254740993.0,
                 4503599627370495.5,
                 4503599627370496.5,
                 1e15 - 0.5,
                 1e15 + 0.5,
                 999999999999999.9,
                 0.0001,
                 0.00009999999999999999,
                 -0.0,
                 5e-324,
                 2.2250738585072014e-308,
                 1.7976931348623157e308,
                 13.333333333333336,
                 0.1 + 0.2};
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
    same_as_search(xs[i]);
}

/* The exact path's own edges: decimals of one to four places at every
 * magnitude of its range and their neighbours (the 15-digit decimal with
 * zeros to drop), the halves of the last places (0.005, 0.015, ...:
 * ties in decimal that are none in binary), the first and last doubles
 * of the range (1e-4, 1e15) and just outside it, numbers with 16 and 17
 * digits before the point once scaled (the nearest power of ten on the
 * wrong side), and 17-digit decimals that round up to the next power. */
Test(numfmt, exact_path_edges) {
  static const double tens[] = {1, 10, 100, 1000, 10000};
  for (int k = 1; k <= 4; k++)
    for (int i = 1; i < 20000; i += (i < 1000 ? 1 : 7)) {
      double x = i / tens[k];
      for (double scale = 1e-4; scale < 1e15; scale *= 1000) {
        same_as_search(x * scale);
        same_as_search(nextafter(x * scale, 0));
        same_as_search(nextafter(x * scale, INFINITY));
      }
    }
  for (int i = 0; i < 1000; i++) {
    same_as_search((i + 0.5) / 100); /* 0.005, 0.015, ... */
    same_as_search((i + 0.5) / 1000);
    same_as_search(i + 0.005);
    same_as_search(i + 0.995);
  }
  double edges[] = {
      1e-4, 1e15, 999999999999999.875, 1e15 + 0.125, 0.00009999999999999999, 0.0001000000000000001};
  for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
    double x = edges[i];
    for (int k = 0; k < 4; k++, x = nextafter(x, 0))
      same_as_search(x);
    x = edges[i];
    for (int k = 0; k < 4; k++, x = nextafter(x, INFINITY))
      same_as_search(x);
  }
  for (int e = -4; e <= 15; e++) {
    char text[32];
    for (int nines = 14; nines <= 18; nines++) {
      /* 0.99…9·10^e: N near 10^17, rounding up to it at 17 digits */
      snprintf(text, sizeof text, "0.%.*de%d", nines, 0, e);
      memset(text + 2, '9', (size_t)nines);
      double x = strtod(text, NULL);
      same_as_search(x);
      same_as_search(nextafter(x, 0));
      same_as_search(nextafter(x, INFINITY));
    }
  }
}

/* A million numbers (and their negatives): random bits (every exponent), scores and ratios
 * as the rules make them (a/b, k/3, sums of thirds), values of one to
 * four decimals and their neighbours, and decimals whose shortest form
 * has exactly 15, 16 and 17 digits across the exact range. */
Test(numfmt, millions_agree_with_search) {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 1000000; i++) {
    uint64_t r = xorshift(&s);
    double x;
    char text[48];
    switch (i % 8) {
    case 0: memcpy(&x, &r, sizeof x); break;
    case 1: x = (double)(r % 1000000) / (double)((r >> 24) % 9973 + 1); break;
    case 2: x = 100.0 * (double)(r % 1000) / (double)((r >> 12) % 1000 + 1); break;
    case 3: {
      static const double tens[] = {10, 100, 1000, 10000};
      x = (double)(r % 100000000) / tens[(r >> 40) % 4];
      if (r >> 63) x = nextafter(x, (r >> 62) & 1 ? INFINITY : 0);
      break;
    }
    case 4: x = ldexp((double)(r >> 11), -(int)(r % 100)); break;
    default:
      /* 15, 16 or 17 significant digits, 1e-6 to 1e17 */
      snprintf(text, sizeof text, "%llu.%0*llue%d", (unsigned long long)(r % 9 + 1), 9 + i % 8,
               (unsigned long long)((r >> 8) % 100000000000000000ull) % (i % 8 == 5   ? 100000000000000ull
                                                                         : i % 8 == 6 ? 1000000000000000ull
                                                                                      : 10000000000000000ull),
               (int)((r >> 4) % 24) - 6);
      x = strtod(text, NULL);
      break;
    }
    if (isnan(x) || isinf(x)) continue;
    same_as_search(x);
  }
}

/* uint_text(V) is "%llu" of V: at every length's edges (10^k − 1, 10^k),
 * the largest value, and random values of every size. */
static void uint_text_is_printf(uint64_t v) {
  char want[32], got[32];
  snprintf(want, sizeof want, "%llu", (unsigned long long)v);
  int n = uint_text(got, v);
  cr_assert_eq((size_t)n, strlen(want), "%s: length %d", want, n);
  cr_assert(memcmp(got, want, (size_t)n) == 0, "%s: got %.*s", want, n, got);
}

Test(numfmt, uint_text_every_length) {
  uint64_t p = 1;
  for (int k = 0; k <= 19; k++) {
    uint_text_is_printf(p);
    uint_text_is_printf(p - 1);
    uint_text_is_printf(p + 1);
    if (k < 19) p *= 10;
  }
  uint_text_is_printf(UINT64_MAX);
  uint64_t s = 7;
  for (int i = 0; i < 100000; i++) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    uint_text_is_printf(s >> (i % 64));
  }
}

/* small_int_in_room(V) is "%u" of V for every V below 1000. */
Test(numfmt, small_int_table) {
  for (uint32_t v = 0; v < 1000; v++) {
    char want[8], got[8];
    snprintf(want, sizeof want, "%u", v);
    int n = small_int_in_room(got, v);
    cr_assert_eq((size_t)n, strlen(want), "%u: length %d", v, n);
    cr_assert(memcmp(got, want, (size_t)n) == 0, "%u: got %.*s", v, n, got);
  }
}

/* Exact decimals that are ties of printf's roundings: n·2^-k (n odd)
 * has k digits after its point, the last a 5, so where it has 16, 17 or
 * 18 digits in all, its 15-, 16- or 17-digit decimal is a tie (rounded
 * to even). n of every width at every k, in every binade of the exact
 * path (2^-14 to 2^49) and the two on either side. */
Test(numfmt, ties_agree_with_search) {
  uint64_t s = 0x2545F4914F6CDD1Dull;
  for (int e = -16; e <= 51; e++)
    for (int k = 0; k <= 66; k++) {
      int width = e + k + 1; /* n's bits: n·2^-k in [2^e, 2^(e+1)) */
      if (width < 1 || width > 53) continue;
      for (int i = 0; i < 6; i++) {
        uint64_t low = width > 1 ? xorshift(&s) & ((1ull << (width - 1)) - 1) : 0;
        same_as_search(ldexp((double)((1ull << (width - 1)) | low | 1), -k));
      }
    }
}

/* Numbers next to the halfway points between 15- and 16-digit decimals
 * (where the rounding turns) and next to such decimals themselves (where
 * whether they read back turns), up to 3 ulps either side, across the
 * exact range and a little past its ends. */
Test(numfmt, next_to_ties_and_decimals) {
  uint64_t s = 0x853c49e6748fea9bull;
  for (int i = 0; i < 60000; i++) {
    uint64_t r = xorshift(&s);
    int digits = 15 + (int)(r % 2);
    char text[48], mantissa[24];
    snprintf(mantissa, sizeof mantissa, "%llu",
             (unsigned long long)(xorshift(&s) % 9000000000000000000ull) + 1000000000000000000ull);
    snprintf(text, sizeof text, "%c.%.*s%se%d", mantissa[0], digits - 1, mantissa + 1,
             (r >> 1) & 1 ? "5" : "", (int)((r >> 8) % 22) - 5);
    double x = strtod(text, NULL), up = x, down = x;
    same_as_search(x);
    for (int k = 0; k < 3; k++) {
      up = nextafter(up, INFINITY);
      down = nextafter(down, 0);
      same_as_search(up);
      same_as_search(down);
    }
  }
}

/* Every binade of the exact path (its tables: where the power of ten in
 * it falls, and the scale on either side of it): random numbers in it,
 * and numbers just below and above the power of ten, of the shapes the
 * outputs have (a/b ratios, weighted averages of scores). */
Test(numfmt, every_binade_agrees_with_search) {
  uint64_t s = 0xda942042e4dd58b5ull;
  for (int e = -15; e <= 50; e++) {
    double ten = pow(10, ceil(e * 0.30102999566398120));
    for (int i = 0; i < 400; i++) {
      uint64_t r = xorshift(&s);
      same_as_search(ldexp(1 + (double)(r >> 12) / 4503599627370496.0, e));
      double near = ten * (1 + ((double)(int)(r % 2001) - 1000) * 1e-15);
      same_as_search(near);
    }
  }
  for (int i = 0; i < 200000; i++) {
    uint64_t r = xorshift(&s);
    double sum = 0, weights = 0;
    for (int k = 0; k < 2 + (int)(r % 6); k++) {
      uint64_t w = xorshift(&s);
      double score = 100.0 * (double)(w >> 8 & 1023) / (double)((w >> 20) % 1000 + 1);
      sum += (double)(w % 30 + 1) * (score > 100 ? 100 : score);
      weights += (double)(w % 30 + 1);
    }
    same_as_search(sum / weights);
    same_as_search((double)(r % 1000000) / (double)((r >> 24) % 9973 + 1) *
                   ldexp(1, (int)(r >> 40) % 40 - 10));
  }
}
