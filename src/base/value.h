/* value.h — runtime values: number, text, bool, date, symbol, list, and
 * missing (with the reason it is missing).
 *
 * A Value is 16 bytes and is passed by value. Text and list payloads are
 * borrowed: they live in the account's arena (or the rule set's arena for
 * constants) and are never freed one by one. A list value holds records:
 * `len` records of `nfields` values each, row-major, where nfields comes
 * from the list input's declaration. */
#ifndef KENKO_VALUE_H
#define KENKO_VALUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>

typedef enum ValueType {
  T_MISSING, /* no value (see MissingWhy) */
  T_NUMBER,  /* IEEE double */
  T_TEXT,    /* UTF-8 bytes, u.text with len (NUL-terminated too) */
  T_BOOL,    /* u.b */
  T_DATE,    /* u.date: days since 1970-01-01 */
  T_LIST,    /* u.items, len records */
  T_SYMBOL,  /* u.sym: a grade, persona, segment case or journey step */
  T_ERROR,   /* checker only: the type of an expression already in error */
  T_ANY,     /* checker only: `missing` literal, fits any type */
  T_DURATION /* u.date: how many, len: DurUnit (`30d`, `12w`, `6mo`) */
} ValueType;

typedef enum MissingWhy {
  MISS_ABSENT,         /* the data had no value */
  MISS_DIV_ZERO,       /* division by zero */
  MISS_PROPAGATED,     /* an operand was missing */
  MISS_NOT_APPLICABLE, /* a dimension/member with no data (N/A) */
  MISS_EMPTY,          /* an aggregate over no elements (avg, min, max) */
  MISS_DOMAIN,         /* a function outside its domain */
  MISS_NO_SNAPSHOT     /* a trend function found no snapshot to look back at */
} MissingWhy;

typedef struct Value {
  uint8_t type; /* ValueType */
  uint8_t why;  /* MissingWhy, when type == T_MISSING */
  uint16_t pad;
  uint32_t len; /* bytes of text; records of a list */
  union {
    double num;
    int32_t date;
    bool b;
    int32_t sym;
    const char *text;
    const struct Value *items;
  } u;
} Value;

static inline Value val_missing(MissingWhy why) { return (Value){.type = T_MISSING, .why = (uint8_t)why}; }
static inline Value val_num(double x) { return (Value){.type = T_NUMBER, .u.num = x}; }
/* (the whole union zeroed first: compile.c compares thresholds' unions
 * byte for byte) */
static inline Value val_bool(bool b) {
  Value v = val_missing(0);
  v.type = T_BOOL;
  v.u.b = b;
  return v;
}
static inline Value val_date(int32_t days) {
  Value v = val_missing(0);
  v.type = T_DATE;
  v.u.date = days;
  return v;
}
static inline Value val_text(const char *s, uint32_t len) {
  return (Value){.type = T_TEXT, .u.text = s, .len = len};
}
static inline Value val_sym(int32_t sym) {
  Value v = val_missing(0);
  v.type = T_SYMBOL;
  v.u.sym = sym;
  return v;
}
/* The units of a duration literal (LANGUAGE.md §6). */
typedef enum DurUnit { DUR_DAYS, DUR_WEEKS, DUR_MONTHS } DurUnit;
static inline Value val_duration(int32_t n, DurUnit unit) {
  Value v = {0};
  v.type = T_DURATION;
  v.u.date = n;
  v.len = (uint32_t)unit;
  return v;
}
static inline bool val_is_missing(Value v) { return v.type == T_MISSING; }
/* "d", "w" or "mo". */
const char *duration_unit_text(int unit);

const char *value_type_name(ValueType t);

/* Calendar dates: days since 1970-01-01 (proleptic Gregorian). */
bool date_valid(int y, int m, int d);
int32_t date_from_ymd(int y, int m, int d);
void date_to_ymd(int32_t days, int *y, int *m, int *d);
/* Writes YYYY-MM-DD (11 bytes with the NUL). */
void date_format(int32_t days, char out[11]);
/* Parses YYYY-MM-DD or YYYY/MM/DD exactly (the whole of S..S+N).
 * Returns 1 on success, 0 when not of that shape, -1 when of that shape
 * but not a real calendar date. */
int date_parse(const char *s, size_t n, int32_t *days);

/* date_parse of the 10 bytes at S, inline: the readers convert every date
 * cell with it.
 *
 * Its calendar, for the years 1..9999 its four digits give: the days of
 * each month (February's 29th checked apart), and the days from March 1
 * to each month's first (the year counted from March, as in ymd_days),
 * so that a day number costs no division by 5 or 12. */
static inline int date_parse10(const char *s, int32_t *days) {
  static const uint8_t month_days[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  static const uint16_t from_march[13] = {0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275};
  char sep = s[4];
  if ((sep | 2) != '/' || s[7] != sep) return 0; /* '-' or '/': no other byte gives '/' */
  unsigned y, m, day;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* the eight digits, less '0', checked together: YYYY?MM? in one word
   * (the separators masked out), DD in another; a byte is a digit when
   * it has no high nibble before or after adding 6 (one that carries
   * into the next is a bad one already) */
  uint64_t w;
  uint16_t d2;
  memcpy(&w, s, 8);
  memcpy(&d2, s + 8, 2);
  w = (w ^ UINT64_C(0x3030303030303030)) & UINT64_C(0x00FFFF00FFFFFFFF);
  uint32_t d = (uint32_t)d2 ^ 0x3030u;
  if (((w | (w + UINT64_C(0x0606060606060606))) & UINT64_C(0xF0F0F0F0F0F0F0F0)) |
      ((d | (d + 0x0606u)) & 0xF0F0u))
    return 0;
  uint64_t pairs = w * 10 + (w >> 8);                                    /* byte 0: Y0Y1, 2: Y2Y3, 5: MM */
  y = (unsigned)((pairs & 0xFF00FF) * (1 + (100 << 16)) >> 16 & 0xFFFF); /* first pair * 100 + second */
  m = (unsigned)((pairs >> 40) & 0xFF);
  day = (d & 0xFF) * 10 + (d >> 8);
#else
  /* the eight digits, each checked (unsigned: below '0' wraps high) */
  const unsigned char *u = (const unsigned char *)s;
  unsigned y0 = u[0] - '0', y1 = u[1] - '0', y2 = u[2] - '0', y3 = u[3] - '0';
  unsigned m0 = u[5] - '0', m1 = u[6] - '0', d0 = u[8] - '0', d1 = u[9] - '0';
  if ((y0 > 9) | (y1 > 9) | (y2 > 9) | (y3 > 9) | (m0 > 9) | (m1 > 9) | (d0 > 9) | (d1 > 9)) return 0;
  y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  m = m0 * 10 + m1, day = d0 * 10 + d1;
#endif
  /* (unsigned: a month or day 0 wraps past every bound) */
  if (y == 0 || m - 1 >= 12) return -1;
  if (day - 1 >= month_days[m] && !(m == 2 && day == 29 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
    return -1;
  /* ymd_days without its eras (the year is at least 0 from March):
   * 365 days a year, a leap day every 4th year but the 100th but the
   * 400th; y / 400 is (y / 100) / 4 */
  unsigned from = y - (m <= 2), centuries = from / 100;
  *days = (int32_t)(from * 365 + from / 4 - centuries + centuries / 4 + from_march[m] + day) - 719469;
  return 1;
}
/* DATE moved by MONTHS calendar months (negative: back): the last day of
 * a month goes to the last day of the target month (month ends stay
 * month ends), any other day keeps its number, clamped to the target
 * month's length (2026-03-30 − 1mo = 2026-02-28). */
int32_t date_add_months(int32_t date, int32_t months);
/* DATE moved by N units of UNIT (N negative: back) into *OUT; false when
 * the result falls outside DATE_MIN..DATE_MAX. */
bool date_shift(int32_t date, int64_t n, DurUnit unit, int32_t *out);

/* The language's arithmetic, one definition for the evaluator and for the
 * checker's constant folding (thresholds):
 *   value_arith: a OP b for OP in + - * / % over numbers, date ± days
 *   (the days truncated), and date ± duration, duration + date. Missing when an operand is missing (the first
 *   one's reason), MISS_DIV_ZERO for / and % by zero, MISS_DOMAIN when the
 *   result is not finite, a date falls outside 0001-01-01..9999-12-31, or
 *   the types do not fit. `%` is the floored modulo: -7 % 3 == 2.
 *   value_round: half away from zero at trunc(DIGITS) decimals (negative:
 *   tens, hundreds, …); works on the double x·10^d, so round(2.675, 2) is
 *   2.67 as in most languages. */
enum { DATE_MIN = -719162, DATE_MAX = 2932896 }; /* 0001-01-01, 9999-12-31 */
Value value_arith(char op, Value a, Value b);
double value_round(double x, double digits);

#endif
