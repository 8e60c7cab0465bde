/* value.c — runtime values: type names, calendar dates, the language's
 * arithmetic (shared by the evaluator and constant folding), number formatting
 * (see value.h). */
#include "base/value.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *value_type_name(ValueType t) {
  switch (t) {
  case T_MISSING: return "missing";
  case T_NUMBER: return "number";
  case T_TEXT: return "text";
  case T_BOOL: return "bool";
  case T_DATE: return "date";
  case T_LIST: return "list";
  case T_SYMBOL: return "symbol";
  case T_ERROR: return "error";
  case T_ANY: return "any";
  case T_DURATION: return "duration";
  }
  return "?";
}

/* ---- dates ---------------------------------------------------------------- */

static bool is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

static inline bool ymd_valid(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

/* Days since 1970-01-01. The year is counted from March, so the leap day
 * is the last day of its year; 400-year eras of 146097 days make the rest
 * plain arithmetic. Day 0 of era 0 is 0000-03-01, 719468 days before the
 * epoch. */
static inline int32_t ymd_days(int y, int m, int d) {
  if (m <= 2) y -= 1;
  int era = (y >= 0 ? y : y - 399) / 400;
  int year_of_era = y - era * 400;     /* 0..399 */
  int month_from_march = (m + 9) % 12; /* March is 0 */
  int day_of_year = (153 * month_from_march + 2) / 5 + d - 1;
  int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year; /* 0..146096 */
  return (int32_t)(era * 146097 + day_of_era - 719468);
}

bool date_valid(int y, int m, int d) { return ymd_valid(y, m, d); }
int32_t date_from_ymd(int y, int m, int d) { return ymd_days(y, m, d); }

/* The inverse of date_from_ymd. */
void date_to_ymd(int32_t days, int *y, int *m, int *d) {
  long z = (long)days + 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long day_of_era = z - era * 146097; /* 0..146096 */
  long year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365; /* 0..399 */
  long day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  long month_from_march = (5 * day_of_year + 2) / 153; /* 0..11 */
  *d = (int)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *m = (int)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *y = (int)(year_of_era + era * 400 + (*m <= 2 ? 1 : 0));
}

void date_format(int32_t days, char out[11]) {
  int y, m, d;
  date_to_ymd(days, &y, &m, &d);
  if (y < 0) y = 0; /* outside 0001..9999 never comes from a parser */
  if (y > 9999) y = 9999;
  /* two digits at a time (the explanations write a date an account) */
  static const char pairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  memcpy(out, pairs + 2 * (y / 100), 2);
  memcpy(out + 2, pairs + 2 * (y % 100), 2);
  out[4] = '-';
  memcpy(out + 5, pairs + 2 * m, 2);
  out[7] = '-';
  memcpy(out + 8, pairs + 2 * d, 2);
  out[10] = '\0';
}

int date_parse(const char *s, size_t n, int32_t *days) { return n == 10 ? date_parse10(s, days) : 0; }

int32_t date_add_months(int32_t date, int32_t months) {
  int y, m, d;
  date_to_ymd(date, &y, &m, &d);
  bool month_end = d == days_in_month(y, m);
  int64_t index = (int64_t)y * 12 + (m - 1) + months; /* months since year 0 */
  int64_t ty = index >= 0 ? index / 12 : -((-index + 11) / 12);
  int tm = (int)(index - ty * 12) + 1;
  int last = days_in_month((int)ty, tm);
  return ymd_days((int)ty, tm, month_end || d > last ? last : d);
}

const char *duration_unit_text(int unit) {
  switch (unit) {
  case DUR_DAYS: return "d";
  case DUR_WEEKS: return "w";
  case DUR_MONTHS: return "mo";
  }
  return "?";
}

bool date_shift(int32_t date, int64_t n, DurUnit unit, int32_t *out) {
  int64_t r;
  if (unit == DUR_MONTHS) {
    /* 12 months a year over 10,000 years: anything longer leaves the range */
    if (n > 120000 || n < -120000) return false;
    int y, m, d;
    date_to_ymd(date, &y, &m, &d);
    int64_t index = (int64_t)y * 12 + (m - 1) + n;
    if (index < 12 || index >= (int64_t)10000 * 12) return false; /* years 1..9999 */
    r = date_add_months(date, (int32_t)n);
  } else {
    int64_t days = unit == DUR_WEEKS ? n * 7 : n;
    if (days > 4000000 || days < -4000000) return false;
    r = (int64_t)date + days;
  }
  if (r < DATE_MIN || r > DATE_MAX) return false;
  *out = (int32_t)r;
  return true;
}

/* ---- arithmetic ---------------------------------------------------------- */

static Value date_plus_days(int32_t date, double days) {
  double r = (double)date + trunc(days);
  if (!(r >= DATE_MIN && r <= DATE_MAX)) return val_missing(MISS_DOMAIN);
  return val_date((int32_t)r);
}

/* DATE moved by the duration D, forward (SIGN 1) or back (-1). */
static Value date_plus_duration(int32_t date, Value d, int sign) {
  int32_t out;
  if (!date_shift(date, (int64_t)sign * d.u.date, (DurUnit)d.len, &out)) return val_missing(MISS_DOMAIN);
  return val_date(out);
}

Value value_arith(char op, Value a, Value b) {
  if (a.type == T_MISSING) return a;
  if (b.type == T_MISSING) return b;
  if (a.type == T_NUMBER && b.type == T_NUMBER) {
    double x = a.u.num, y = b.u.num, r;
    switch (op) {
    case '+': r = x + y; break;
    case '-': r = x - y; break;
    case '*': r = x * y; break;
    case '/':
      if (y == 0) return val_missing(MISS_DIV_ZERO);
      r = x / y;
      break;
    case '%':
      if (y == 0) return val_missing(MISS_DIV_ZERO);
      r = fmod(x, y);
      if (r != 0 && (r < 0) != (y < 0)) r += y;
      break;
    default: return val_missing(MISS_DOMAIN);
    }
    return isfinite(r) ? val_num(r) : val_missing(MISS_DOMAIN);
  }
  if (op == '+' && a.type == T_DATE && b.type == T_NUMBER) return date_plus_days(a.u.date, b.u.num);
  if (op == '+' && a.type == T_NUMBER && b.type == T_DATE) return date_plus_days(b.u.date, a.u.num);
  if (op == '-' && a.type == T_DATE && b.type == T_NUMBER) return date_plus_days(a.u.date, -b.u.num);
  if (op == '+' && a.type == T_DATE && b.type == T_DURATION) return date_plus_duration(a.u.date, b, 1);
  if (op == '+' && a.type == T_DURATION && b.type == T_DATE) return date_plus_duration(b.u.date, a, 1);
  if (op == '-' && a.type == T_DATE && b.type == T_DURATION) return date_plus_duration(a.u.date, b, -1);
  return val_missing(MISS_DOMAIN);
}

double value_round(double x, double digits) {
  double d = trunc(digits);
  if (d == 0) return round(x);
  if (d > 0) {
    if (d > 15) return x;
    double p = pow(10, d);
    double r = round(x * p) / p;
    return isfinite(r) ? r : x;
  }
  if (d < -308) return 0;
  double p = pow(10, -d);
  return round(x / p) * p;
}
