/* buf.h — an output buffer: bytes appended, flushed to a FILE in large
 * writes. Writers build each account's output here (no stdio per field). */
#ifndef KENKO_BUF_H
#define KENKO_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct Buf {
  char *data;
  size_t len, cap;
  FILE *out;        /* flushed to on buf_flush / when large; may be NULL */
} Buf;

void buf_init(Buf *b, FILE *out);
void buf_free(Buf *b);
void buf_reserve(Buf *b, size_t more);
void buf_put(Buf *b, const char *s, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_putc(Buf *b, char c);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Shortest round-trip decimal of X (see num_format). */
void buf_num(Buf *b, double x);
/* A JSON string literal of S[0..n), escaping as RFC 8259 requires. */
void buf_json_str(Buf *b, const char *s, size_t n);
/* A CSV cell (RFC 4180: quoted when it holds , " CR or LF). */
void buf_csv_cell(Buf *b, const char *s, size_t n);
/* Writes everything to b->out when more than LIMIT bytes are buffered
 * (0: always). */
void buf_flush(Buf *b, size_t limit);

#endif
