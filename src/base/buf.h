/* buf.h — an output buffer: bytes appended, flushed to a FILE in large
 * writes. Writers build each account's output here (no stdio per field).
 * The appends are inline: a capacity check and a memcpy, the growth out of
 * line. */
#ifndef KENKO_BUF_H
#define KENKO_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/numfmt.h"

typedef struct Buf {
  char *data;
  size_t len, cap;
  FILE *out;      /* flushed to on buf_flush / when large; may be NULL */
  NumCache *nums; /* buf_num's texts of recent numbers (lazily made) */
} Buf;

void buf_init(Buf *b, FILE *out);
void buf_free(Buf *b);
/* Grows the buffer so that MORE bytes (and a NUL) fit; out of line. */
void buf_grow(Buf *b, size_t more);
static inline void buf_reserve(Buf *b, size_t more) {
  if (b->len + more + 1 > b->cap) buf_grow(b, more);
}
static inline void buf_put(Buf *b, const char *s, size_t n) {
  buf_reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
}
static inline void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }
static inline void buf_putc(Buf *b, char c) {
  buf_reserve(b, 1);
  b->data[b->len++] = c;
}
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Shortest round-trip decimal of X (see num_format); the texts of recent
 * numbers are cached, so repeated numbers cost a lookup. */
void buf_num_any(Buf *b, double x);
/* The same at OUT, in room made in B beforehand (NUM_ROOM bytes: B's
 * data is not moved, only its cache used); returns the length. For
 * writers that keep their own place in a row. */
enum { NUM_ROOM = 32 };
/* B's number cache made when it has none (buf_num_cached needs it). */
void buf_num_cache_make(Buf *b);
static inline void buf_num_cache(Buf *b) {
  if (!b->nums) buf_num_cache_make(b);
}
/* buf_num_at for a writer that made B's cache (buf_num_cache) first. */
static inline size_t buf_num_cached(Buf *b, char *out, double x) {
  uint64_t bits; /* a number met last in its set: its text from the cache, inline */
  memcpy(&bits, &x, sizeof bits);
  const NumEntry *e = num_entry(b->nums, bits);
  if (e->bits == bits) {
    memcpy(out, e->text, NUM_CACHE_TEXT);
    return e->len;
  }
  return num_cache_miss((NumEntry *)e, out, x); /* the rest (numfmt.c) */
}
static inline size_t buf_num_at(Buf *b, char *out, double x) {
  buf_num_cache(b);
  return buf_num_cached(b, out, x);
}
/* The same, with the small whole numbers (0 to 999: weights, scores,
 * counts, most of the numbers an explanation writes) inline. */
static inline void buf_num(Buf *b, double x) {
  if (x >= 0 && x < 1000 && (double)(int32_t)x == x) {
    buf_reserve(b, 4); /* -0 gives 0, written "0" like num_format */
    b->len += (size_t)small_int_in_room(b->data + b->len, (uint32_t)x);
    return;
  }
  buf_num_any(b, x);
}
/* A number for people: at most 2 decimals, trailing zeros dropped
 * (num_format2); "n/a" for NAN. */
void buf_num2(Buf *b, double x);
/* A JSON string literal of S[0..n), escaping as RFC 8259 requires. */
void buf_json_str(Buf *b, const char *s, size_t n);
/* Text from the data for a terminal: control characters (C0, DEL, C1) as
 * \t \n \r or their bytes \xHH (\xC2\xHH for C1), as diagnostics show
 * them, so that no byte of an account can move the cursor, recolour or
 * retitle the terminal. QUOTED: between double quotes, with '"' and '\\'
 * escaped too. */
void buf_shown(Buf *b, const char *s, size_t n, bool quoted);
/* Text from the rules for a terminal (labels, the scorecard's title, test
 * names, flag actions, file paths): buf_shown, unquoted. Rule files are
 * not trusted either (docs/security.md). S may be NULL. */
static inline void buf_shown_str(Buf *b, const char *s) {
  if (s) buf_shown(b, s, strlen(s), false);
}
/* Whether buf_shown would change S[0..n) (unquoted): it holds a C0, DEL
 * or C1 character. */
bool text_has_controls(const char *s, size_t n);
/* A CSV cell (RFC 4180: quoted when it holds , " CR or LF). */
void buf_csv_cell(Buf *b, const char *s, size_t n);
/* The same at OUT, in room made beforehand (CSV_CELL_ROOM(n) bytes);
 * returns the end of what it wrote. */
#define CSV_CELL_ROOM(n) (2 * (n) + 2)
char *csv_cell_any(char *out, const char *s, size_t n);
/* A byte's top bit set where a byte of V may be below 0x2D, for certain
 * when one is (',' is the largest of , " CR LF: (v − 0x2D…) & ~v, and
 * bytes of 0x80 and up, UTF-8, have their top bit set in v). */
static inline uint64_t csv_sift(uint64_t v) {
  const uint64_t ones = 0x0101010101010101ull;
  return (v - ones * 0x2D) & ~v & ones * 0x80;
}
static inline char *csv_cell_at(char *out, const char *s, size_t n) {
  if (n >= 8 && n <= 16) { /* ids of 8 to 16 bytes: two words, inline */
    uint64_t head, tail;
    memcpy(&head, s, 8);
    memcpy(&tail, s + n - 8, 8);
    if (!csv_sift(head) && !csv_sift(tail)) {
      memcpy(out, &head, 8);
      memcpy(out + n - 8, &tail, 8);
      return out + n;
    }
  }
  return csv_cell_any(out, s, n);
}
/* The same for CSV meant for a spreadsheet: a cell that starts with = + -
 * @ tab or CR (which Excel, LibreOffice and Google Sheets may take for a
 * formula: `=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`) gets a ' in front and is
 * quoted, as OWASP's "CSV Injection" page recommends. */
void buf_csv_cell_safe(Buf *b, const char *s, size_t n);
/* JSON helpers: a number (null when NaN or infinite), a NUL-terminated
 * string (null when S is NULL), an unsigned count. */
void buf_json_num(Buf *b, double x);
void buf_json_cstr(Buf *b, const char *s);
void buf_u64(Buf *b, uint64_t n);
/* Writes everything to b->out when more than LIMIT bytes are buffered
 * (0: always). */
void buf_flush(Buf *b, size_t limit);

/* An account for people: its id, then " (NAME)" when it has a display
 * name (NULL: none), both as buf_shown writes them. */
void buf_account(Buf *b, const char *id, const char *name);

#endif
