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
