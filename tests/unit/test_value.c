/* test_value.c — values: type names, calendar dates, number formatting. */
#include <criterion/criterion.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/numfmt.h"
#include "base/value.h"

static const char *formatted(double x, char buf[32]) {
  num_format(x, buf);
  return buf;
}

Test(value, type_names) {
  cr_assert_str_eq(value_type_name(T_MISSING), "missing");
  cr_assert_str_eq(value_type_name(T_NUMBER), "number");
  cr_assert_str_eq(value_type_name(T_TEXT), "text");
  cr_assert_str_eq(value_type_name(T_BOOL), "bool");
  cr_assert_str_eq(value_type_name(T_DATE), "date");
  cr_assert_str_eq(value_type_name(T_LIST), "list");
  cr_assert_str_eq(value_type_name(T_SYMBOL), "symbol");
}

Test(value, constructors) {
  cr_assert_eq(sizeof(Value), 16);
  Value v = val_text("abc", 3);
  cr_assert_eq(v.type, T_TEXT);
  cr_assert_eq(v.len, 3);
  cr_assert(val_is_missing(val_missing(MISS_DIV_ZERO)));
  cr_assert_eq(val_missing(MISS_DIV_ZERO).why, MISS_DIV_ZERO);
  cr_assert_eq(val_num(2.5).u.num, 2.5);
  cr_assert_eq(val_bool(true).u.b, true);
  cr_assert_eq(val_date(-1).u.date, -1);
}

Test(value, known_dates) {
  cr_assert_eq(date_from_ymd(1970, 1, 1), 0);
  cr_assert_eq(date_from_ymd(1970, 1, 2), 1);
  cr_assert_eq(date_from_ymd(1969, 12, 31), -1);
  cr_assert_eq(date_from_ymd(2000, 3, 1), 11017);
  cr_assert_eq(date_from_ymd(2026, 11, 22), 20779);
  cr_assert_eq(date_from_ymd(1, 1, 1), -719162);
  cr_assert_eq(date_from_ymd(9999, 12, 31), 2932896);
  char out[11];
  date_format(20779, out);
  cr_assert_str_eq(out, "2026-11-22");
  date_format(-719162, out);
  cr_assert_str_eq(out, "0001-01-01");
  date_format(date_from_ymd(2024, 2, 29), out);
  cr_assert_str_eq(out, "2024-02-29");
}

/* Every day of years 0001..9999 survives ymd -> days -> ymd, and
 * consecutive days are consecutive numbers. */
Test(value, date_round_trip_whole_range) {
  int32_t expected = date_from_ymd(1, 1, 1);
  for (int y = 1; y <= 9999; y++)
    for (int m = 1; m <= 12; m++)
      for (int d = 1; d <= 31; d++) {
        if (!date_valid(y, m, d)) continue;
        int32_t days = date_from_ymd(y, m, d);
        if (days != expected) cr_assert_fail("%04d-%02d-%02d is %d, not %d", y, m, d, days, expected);
        int yy, mm, dd;
        date_to_ymd(days, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d) cr_assert_fail("%d came back as %d-%d-%d", days, yy, mm, dd);
        expected++;
      }
}

Test(value, date_valid) {
  cr_assert(date_valid(2024, 2, 29));
  cr_assert(!date_valid(2023, 2, 29));
  cr_assert(!date_valid(1900, 2, 29));
  cr_assert(date_valid(2000, 2, 29));
  cr_assert(!date_valid(2026, 4, 31));
  cr_assert(!date_valid(2026, 13, 1));
  cr_assert(!date_valid(2026, 0, 1));
  cr_assert(!date_valid(0, 1, 1));
  cr_assert(!date_valid(10000, 1, 1));
}

Test(value, date_parse) {
  int32_t days = 0;
  cr_assert_eq(date_parse("2026-11-22", 10, &days), 1);
  cr_assert_eq(days, 20779);
  cr_assert_eq(date_parse("2026/11/22", 10, &days), 1);
  cr_assert_eq(days, 20779);
  cr_assert_eq(date_parse("2026-02-30", 10, &days), -1);
  cr_assert_eq(date_parse("0000-01-01", 10, &days), -1);
  cr_assert_eq(date_parse("2026-13-01", 10, &days), -1);
  cr_assert_eq(date_parse("2026-11/22", 10, &days), 0);
  cr_assert_eq(date_parse("2026-1-22", 9, &days), 0);
  cr_assert_eq(date_parse("26-11-2022", 10, &days), 0);
  cr_assert_eq(date_parse("2026-11-22T", 11, &days), 0);
  cr_assert_eq(date_parse("2026-11-2x", 10, &days), 0);
  cr_assert_eq(date_parse("+026-11-22", 10, &days), 0);
  cr_assert_eq(date_parse("2026.11.22", 10, &days), 0);
  /* Only the N bytes given count. */
  cr_assert_eq(date_parse("2026-11-22xyz", 10, &days), 1);
}

/* date_parse, whose eight digits are checked and combined a word at a
 * time, against a byte-by-byte reading: every day of 0001..9999 (and
 * the 0th, 29th to 32nd of each month) in both spellings, and strings
 * with one byte in each place replaced by every byte value. */
static int date_parse_bytes(const char *s, size_t n, int32_t *days) {
  if (n != 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4]) return 0;
  static const int places[8] = {0, 1, 2, 3, 5, 6, 8, 9};
  int v[8];
  for (int k = 0; k < 8; k++) {
    if (s[places[k]] < '0' || s[places[k]] > '9') return 0;
    v[k] = s[places[k]] - '0';
  }
  int y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
  if (!date_valid(y, m, d)) return -1;
  *days = date_from_ymd(y, m, d);
  return 1;
}

Test(value, date_parse_word_at_a_time) {
  char s[16];
  int32_t got = 0, want = 0;
  for (int y = 0; y <= 9999; y++)
    for (int m = 0; m <= 13; m++)
      for (int d = 0; d <= 32; d += (d >= 1 && d < 27) ? 9 : 1) {
        snprintf(s, sizeof s, y % 2 ? "%04d-%02d-%02d" : "%04d/%02d/%02d", y, m, d);
        int r = date_parse(s, 10, &got), r0 = date_parse_bytes(s, 10, &want);
        cr_assert_eq(r, r0, "%s", s);
        if (r == 1) cr_assert_eq(got, want, "%s", s);
      }
  for (int place = 0; place < 10; place++)
    for (int c = 0; c < 256; c++) {
      memcpy(s, "2024-02-29", 11);
      s[place] = (char)c;
      int r = date_parse(s, 10, &got), r0 = date_parse_bytes(s, 10, &want);
      cr_assert_eq(r, r0, "place %d byte %d", place, c);
      if (r == 1) cr_assert_eq(got, want, "place %d byte %d", place, c);
    }
}

Test(value, num_format_examples) {
  char buf[32];
  cr_assert_str_eq(formatted(100, buf), "100");
  cr_assert_str_eq(formatted(52.5, buf), "52.5");
  cr_assert_str_eq(formatted(0.1, buf), "0.1");
  cr_assert_str_eq(formatted(0.1 + 0.2, buf), "0.30000000000000004");
  cr_assert_str_eq(formatted(1e21, buf), "1e+21");
  cr_assert_str_eq(formatted(-0.0, buf), "0");
  cr_assert_str_eq(formatted(0, buf), "0");
  cr_assert_str_eq(formatted(-3, buf), "-3");
  cr_assert_str_eq(formatted(1e15, buf), "1000000000000000");
  cr_assert_str_eq(formatted(-1e15, buf), "-1000000000000000");
  cr_assert_str_eq(formatted(2e15, buf), "2e+15");
  cr_assert_str_eq(formatted(1234567890123456.0, buf), "1234567890123456");
  cr_assert_str_eq(formatted(123456.789, buf), "123456.789");
  cr_assert_str_eq(formatted(1.0 / 3, buf), "0.3333333333333333");
  cr_assert_str_eq(formatted(2.0 / 3, buf), "0.6666666666666666");
  cr_assert_str_eq(formatted(1e-7, buf), "1e-07");
  cr_assert_str_eq(formatted(0.0001, buf), "0.0001");
  cr_assert_str_eq(formatted(5e-324, buf), "5e-324");
  cr_assert_str_eq(formatted(DBL_MAX, buf), "1.7976931348623157e+308");
  cr_assert_str_eq(formatted(NAN, buf), "null");
  cr_assert_str_eq(formatted(INFINITY, buf), "null");
  cr_assert_str_eq(formatted(-INFINITY, buf), "null");
  cr_assert_eq(num_format(52.5, buf), 4);
}

/* The shortest form round-trips and no shorter precision does. */
Test(value, num_format_round_trips) {
  unsigned seed = 12345;
  for (int i = 0; i < 100000; i++) {
    uint64_t bits = 0;
    for (int k = 0; k < 4; k++) {
      seed = seed * 1103515245u + 12345u;
      bits = (bits << 16) | ((seed >> 8) & 0xFFFF);
    }
    double x;
    memcpy(&x, &bits, sizeof x);
    if (!isfinite(x)) continue;
    if (i % 3 == 0) x = (double)(int)(bits % 2000000) / 100.0; /* money-like */
    char buf[32];
    int len = num_format(x, buf);
    cr_assert_eq((size_t)len, strlen(buf));
    if (strtod(buf, NULL) != x) cr_assert_fail("%.17g printed as %s", x, buf);
    if (x == trunc(x) && fabs(x) <= 1e15) continue;
    /* The same text as the first of %.1g .. %.17g that reads back. */
    char expected[40];
    for (int precision = 1; precision <= 17; precision++) {
      snprintf(expected, sizeof expected, "%.*g", precision, x);
      if (strtod(expected, NULL) == x) break;
    }
    if (strcmp(buf, expected) != 0) cr_assert_fail("%.17g printed as %s, not %s", x, buf, expected);
  }
}

/* num_format2: the text outputs' numbers, at most two decimals. */
static void num2_is(double x, const char *want) {
  char buf[64];
  int n = num_format2(x, buf);
  cr_expect_str_eq(buf, want, "%.17g → %s, want %s", x, buf, want);
  cr_expect_eq(n, (int)strlen(want));
}

Test(value, num_format2) {
  num2_is(100, "100");
  num2_is(52.5, "52.5");
  num2_is(1.0 / 3, "0.33");
  num2_is(19.3333333, "19.33");
  num2_is(0, "0");
  num2_is(-0.0, "0");
  num2_is(-0.001, "0"); /* "-0.00" is 0 */
  num2_is(-2.5, "-2.5");
  num2_is(10.50, "10.5");
  num2_is(99.999, "100");
  num2_is(1e20, "100000000000000000000");
}

/* num_format_fixed: `--digits N`, exactly N decimals, -0 as 0. */
static void fixed_is(double x, int digits, const char *want) {
  char buf[352];
  int n = num_format_fixed(x, digits, buf);
  cr_expect_str_eq(buf, want, "%.17g to %d → %s, want %s", x, digits, buf, want);
  cr_expect_eq(n, (int)strlen(want));
}

Test(value, num_format_fixed) {
  fixed_is(13.333333333333336, 1, "13.3");
  fixed_is(70, 1, "70.0");
  fixed_is(89.93333333333334, 0, "90");
  fixed_is(0.125, 2, "0.12"); /* 0.125 is exact: ties to even, as printf */
  fixed_is(-0.0, 1, "0.0");
  fixed_is(-0.04, 1, "0.0");  /* "-0.0" is 0 */
  fixed_is(-2.55, 1, "-2.5"); /* -2.5499999… */
  fixed_is(100, 15, "100.000000000000000");
  fixed_is(
      1e300, 0,
      "100000000000000005250476025520442024870446858110815915491585411551180245798890819578637137508044786404"
      "370444383288387817694252323536043057564479218478670698284838720092657580373783023379478809005936895323"
      "4970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160");
}

/* ---- durations (LANGUAGE.md §6) ---------------------------------------- */

static int32_t ymd(int y, int m, int d) { return date_from_ymd(y, m, d); }

static const char *shifted(int32_t date, int64_t n, DurUnit unit, char *out) {
  int32_t r;
  if (!date_shift(date, n, unit, &r)) return "out of range";
  date_format(r, out);
  return out;
}

Test(value, months_keep_month_ends) {
  char b[16];
  /* the contract's examples */
  cr_assert_str_eq(shifted(ymd(2026, 4, 30), -1, DUR_MONTHS, b), "2026-03-31");
  cr_assert_str_eq(shifted(ymd(2026, 3, 31), -1, DUR_MONTHS, b), "2026-02-28");
  cr_assert_str_eq(shifted(ymd(2026, 3, 30), -1, DUR_MONTHS, b), "2026-02-28");
  /* month ends forward, leap years, across years */
  cr_assert_str_eq(shifted(ymd(2026, 2, 28), 1, DUR_MONTHS, b), "2026-03-31");
  cr_assert_str_eq(shifted(ymd(2024, 2, 28), 1, DUR_MONTHS, b), "2024-03-28"); /* not the end in 2024 */
  cr_assert_str_eq(shifted(ymd(2024, 3, 31), -1, DUR_MONTHS, b), "2024-02-29");
  cr_assert_str_eq(shifted(ymd(2026, 1, 31), -2, DUR_MONTHS, b), "2025-11-30");
  cr_assert_str_eq(shifted(ymd(2026, 1, 15), -13, DUR_MONTHS, b), "2024-12-15");
  cr_assert_str_eq(shifted(ymd(2026, 8, 31), 6, DUR_MONTHS, b), "2027-02-28");
  cr_assert_str_eq(shifted(ymd(2026, 5, 29), -3, DUR_MONTHS, b), "2026-02-28");
  cr_assert_str_eq(shifted(ymd(2026, 5, 1), 0, DUR_MONTHS, b), "2026-05-01");
  /* every month end of 2020..2030 goes to the previous month's end */
  for (int y = 2020; y <= 2030; y++)
    for (int m = 1; m <= 12; m++) {
      int32_t end = m == 12 ? ymd(y, 12, 31) : ymd(y, m + 1, 1) - 1;
      int32_t r;
      cr_assert(date_shift(end, -1, DUR_MONTHS, &r));
      cr_assert_eq(r, ymd(y, m, 1) - 1, "%d-%02d: one month before its end is the previous month's end", y,
                   m);
    }
}

Test(value, days_and_weeks) {
  char b[16];
  cr_assert_str_eq(shifted(ymd(2026, 3, 1), -30, DUR_DAYS, b), "2026-01-30");
  cr_assert_str_eq(shifted(ymd(2026, 3, 1), -2, DUR_WEEKS, b), "2026-02-15");
  cr_assert_str_eq(shifted(ymd(2026, 12, 31), 1, DUR_DAYS, b), "2027-01-01");
  /* the range ends */
  cr_assert_str_eq(shifted(ymd(9999, 12, 31), 1, DUR_DAYS, b), "out of range");
  cr_assert_str_eq(shifted(ymd(1, 1, 31), -1, DUR_MONTHS, b), "out of range");
  cr_assert_str_eq(shifted(ymd(9999, 12, 1), 1, DUR_MONTHS, b), "out of range");
  cr_assert_str_eq(shifted(ymd(2026, 1, 1), 1000000000, DUR_MONTHS, b), "out of range");
}

Test(value, date_plus_duration) {
  Value r = value_arith('-', val_date(ymd(2026, 4, 30)), val_duration(1, DUR_MONTHS));
  cr_assert_eq(r.type, T_DATE);
  cr_assert_eq(r.u.date, ymd(2026, 3, 31));
  r = value_arith('+', val_duration(30, DUR_DAYS), val_date(ymd(2026, 1, 1)));
  cr_assert_eq(r.u.date, ymd(2026, 1, 31));
  r = value_arith('+', val_date(ymd(2026, 1, 1)), val_duration(12, DUR_WEEKS));
  cr_assert_eq(r.u.date, ymd(2026, 3, 26));
  /* a duration minus a date, or a missing operand */
  cr_assert_eq(value_arith('-', val_duration(1, DUR_DAYS), val_date(0)).type, T_MISSING);
  r = value_arith('-', val_missing(MISS_ABSENT), val_duration(1, DUR_DAYS));
  cr_assert_eq(r.type, T_MISSING);
  cr_assert_eq(r.why, MISS_ABSENT);
  cr_assert_str_eq(duration_unit_text(DUR_MONTHS), "mo");
  cr_assert_str_eq(value_type_name(T_DURATION), "duration");
}
