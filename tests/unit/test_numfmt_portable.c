/* test_numfmt_portable.c — numfmt.c built as on a machine without SSE2
 * (its portable paths: the digits by write8, every text through
 * decimal_text and memory), under other names, gives byte for byte the
 * text of the SSE2 build the other tests check against printf. */
#undef __SSE2__
#define num_format       portable_num_format
#define num_format2      portable_num_format2
#define num_format_fixed portable_num_format_fixed
#define num_cache_miss   portable_num_cache_miss
#define uint_text        portable_uint_text
#define small_int_text   portable_small_int_text
#include "../../src/base/numfmt.c"
#undef num_format
#undef num_format2
#undef num_format_fixed
#undef num_cache_miss
#undef uint_text
#undef small_int_text

#include <criterion/criterion.h>

int num_format(double x, char *buf);
size_t num_cache_miss(NumEntry *set, char *out, double x);
int uint_text(char *out, uint64_t v);

static uint64_t next(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void same_both_ways(double x) {
  char want[64], got[64];
  int n = num_format(x, want);
  int m = portable_num_format(x, got);
  cr_assert(n == m && strcmp(want, got) == 0, "x = %.17g: %s, portably %s", x, want, got);
  NumEntry set[2] = {{.bits = ~0ull}, {.bits = ~0ull}};
  size_t k = portable_num_cache_miss(set, got, x);
  cr_assert(k == (size_t)n && memcmp(got, want, k) == 0, "x = %.17g: cached %.*s", x, (int)k, got);
}

Test(numfmt_portable, same_text) {
  uint64_t s = 0x9e3779b97f4a7c15ull;
  for (int e = -1074; e <= 1023; e++) {
    double x = ldexp(1, e);
    same_both_ways(x);
    same_both_ways(nextafter(x, 0));
    same_both_ways(-nextafter(x, INFINITY));
  }
  for (int i = 0; i < 300000; i++) {
    uint64_t r = next(&s);
    double x;
    switch (i % 4) {
    case 0: memcpy(&x, &r, sizeof x); break;
    case 1: x = (double)(r % 1000000) / (double)((r >> 24) % 9973 + 1); break;
    case 2: x = ldexp((double)((r >> (r % 50)) | 1), -(int)((r >> 8) % 64)); break;
    default: x = ldexp(1 + (double)(r >> 12) / 4503599627370496.0, (int)(r % 66) - 15); break;
    }
    if (isnan(x) || isinf(x)) continue;
    same_both_ways(r >> 63 ? -x : x);
  }
  for (uint64_t v = 1, k = 0; k < 20; k++, v *= 10) {
    char want[32], got[32];
    int n = uint_text(want, v - 1), m = portable_uint_text(got, v - 1);
    cr_assert(n == m && memcmp(want, got, (size_t)n) == 0, "%llu", (unsigned long long)(v - 1));
  }
}
