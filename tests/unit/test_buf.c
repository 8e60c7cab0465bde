/* test_buf.c — the output buffer: buf_num writes exactly num_format's
 * text (through its integer path and its cache of recent numbers), and
 * the JSON and CSV escapes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/numfmt.h"
#include "portfolio/html.h"
#include "base/value.h"
#include "io/writer.h"

/* buf_num(X) appended to B gives num_format(X). */
static void same_as_num_format(Buf *b, double x) {
  char want[64];
  int n = num_format(x, want);
  b->len = 0;
  buf_num(b, x);
  cr_assert_eq(b->len, (size_t)n, "x = %.17g: length %zu, want %d", x, b->len, n);
  cr_assert(memcmp(b->data, want, (size_t)n) == 0, "x = %.17g: %.*s, want %s", x, (int)b->len, b->data, want);
}

Test(buf, num_integers_and_edges) {
  Buf b;
  buf_init(&b, NULL);
  const double xs[] = {0.0,
                       -0.0,
                       1,
                       -1,
                       9,
                       10,
                       99,
                       100,
                       101,
                       12345,
                       -98765,
                       1e15,
                       -1e15,
                       1e15 + 2,
                       999999999999999,
                       4503599627370496.0,
                       1e16,
                       1e21,
                       0.5,
                       -0.5,
                       52.5,
                       0.1,
                       1.0 / 3,
                       2.0 / 3,
                       100.0 / 7,
                       1e-5,
                       5e-324,
                       1.7976931348623157e308,
                       NAN,
                       INFINITY,
                       -INFINITY};
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
    same_as_num_format(&b, xs[i]);
    same_as_num_format(&b, xs[i]); /* the second time from the cache */
  }
  buf_free(&b);
}

/* The inline path for whole numbers 0..999 and the general one meet at
 * 1000 and at every fraction: every half from -5 to 1100. */
Test(buf, num_small_whole_numbers) {
  Buf b;
  buf_init(&b, NULL);
  for (int i = -10; i <= 2200; i++)
    same_as_num_format(&b, i / 2.0);
  same_as_num_format(&b, 999.9999999999999);
  same_as_num_format(&b, nextafter(1000, 0));
  same_as_num_format(&b, nextafter(0, 1));
  buf_free(&b);
}

/* The cache's entries never written hold +0.0's text: +0.0 (and -0.0,
 * whose bits differ) read through a made cache are still "0", and the
 * numbers that land on an entry written before get their own text. */
Test(buf, num_cache_unwritten_entries) {
  Buf b;
  buf_init(&b, NULL);
  same_as_num_format(&b, 0.1); /* the cache made */
  char out[NUM_ROOM];
  for (int sign = 0; sign < 2; sign++) {
    size_t n = buf_num_at(&b, out, sign ? -0.0 : 0.0);
    cr_assert_eq(n, 1);
    cr_assert_eq(out[0], '0');
  }
  b.len = 0;
  buf_num_any(&b, 0.0);
  cr_assert(b.len == 1 && b.data[0] == '0');
  for (int i = 1; i < 20000; i++) { /* every entry written at least once, most twice */
    same_as_num_format(&b, i / 7.0);
    same_as_num_format(&b, -i / 7.0);
  }
  buf_free(&b);
}

/* Numbers that share a set of the cache (two entries): the one used
 * last is found inline, the other after the miss (and becomes the
 * first), a third pushes the older out; every text stays its own. */
Test(buf, num_cache_sets_of_two) {
  Buf b;
  buf_init(&b, NULL);
  same_as_num_format(&b, 0.1); /* the cache made */
  double same_set[3];
  int found = 0;
  const NumEntry *first = NULL;
  for (int i = 1; found < 3 && i < 10000000; i++) {
    double x = i / 7.0;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    const NumEntry *e = num_entry(b.nums, bits);
    if (!found || e == first) {
      first = e;
      same_set[found++] = x;
    }
  }
  cr_assert_eq(found, 3);
  static const int order[] = {0, 1, 0, 1, 1, 2, 0, 2, 1, 1, 0, 2, 2, 0, 1};
  for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
    same_as_num_format(&b, same_set[order[i]]);
    same_as_num_format(&b, -same_set[order[i]]); /* another set, mostly */
  }
  buf_free(&b);
}

Test(buf, num_cache_collisions) {
  Buf b;
  buf_init(&b, NULL);
  uint64_t s = 42;
  for (int i = 0; i < 200000; i++) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    double x = (double)(s >> 11) / 9007199254740992.0 * 100; /* 0..100 */
    if (i % 3 == 0) x = floor(x * 8) / 8;                    /* repeats */
    if (i % 7 == 0) x = -x;
    same_as_num_format(&b, x);
  }
  buf_free(&b);
}

/* The writers' in-room numbers (writer.h: room_num_at, num_in_room,
 * the cache looked up inline, the small whole numbers by a table) give
 * num_format's text, at a cursor in the middle of a text whose bytes
 * before it stay as they were: misses, hits, both entries of a set. */
static void room_same_as_num_format(Buf *b, double x) {
  char want[64];
  int n = num_format(x, want);
  b->len = 0;
  buf_reserve(b, 8 + 2 * NUM_ROOM);
  memcpy(b->data, "{\"x\":", 5);
  char *end = room_num_at(b, b->data + 5, x);
  cr_assert_eq(end - b->data, 5 + n, "x = %.17g: length %td, want %d", x, end - b->data - 5, n);
  cr_assert(memcmp(b->data, "{\"x\":", 5) == 0 && memcmp(b->data + 5, want, (size_t)n) == 0,
            "x = %.17g: %.*s, want %s", x, (int)(end - b->data - 5), b->data + 5, want);
  b->len = 5;
  num_in_room(b, x);
  cr_assert(b->len == 5 + (size_t)n && memcmp(b->data + 5, want, (size_t)n) == 0, "x = %.17g (num_in_room)",
            x);
}

Test(buf, writer_room_numbers) {
  Buf b;
  buf_init(&b, NULL);
  buf_num_cache(&b);
  uint64_t s = 7;
  for (int i = 0; i < 200000; i++) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    double x = (double)(s >> 11) / 9007199254740992.0 * 2000 - 500; /* -500..1500 */
    if (i % 3 == 0) x = floor(x * 4) / 4;                           /* repeats, whole numbers */
    if (i % 5 == 0) x = floor(x);
    room_same_as_num_format(&b, x);
  }
  const double edges[] = {0.0, -0.0, 999, 1000, 999.5, -1, 1e15, 1e-5, 0.1, NAN, INFINITY, -INFINITY};
  for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
    room_same_as_num_format(&b, edges[i]);
    room_same_as_num_format(&b, edges[i]); /* the second time from the cache */
  }
  buf_free(&b);
}

Test(buf, json_and_csv_escapes) {
  Buf b;
  buf_init(&b, NULL);
  buf_json_str(&b, "a\"b\\c\n\r\t\x01é", 11);
  cr_assert_eq(b.len, strlen("\"a\\\"b\\\\c\\n\\r\\t\\u0001é\""));
  cr_assert(memcmp(b.data, "\"a\\\"b\\\\c\\n\\r\\t\\u0001é\"", b.len) == 0);
  b.len = 0;
  buf_csv_cell(&b, "plain", 5);
  buf_putc(&b, '|');
  buf_csv_cell(&b, "a,\"b\"", 5);
  cr_assert_eq(b.len, strlen("plain|\"a,\"\"b\"\"\""));
  cr_assert(memcmp(b.data, "plain|\"a,\"\"b\"\"\"", b.len) == 0);
  buf_free(&b);
}

/* Text from the data shown on a terminal: no control character gets
 * through (C0, DEL, C1 as U+0080..U+009F); other UTF-8 is kept. */
static void shown_is(const char *in, size_t n, bool quoted, const char *want) {
  Buf b;
  buf_init(&b, NULL);
  buf_shown(&b, in, n, quoted);
  cr_assert_eq(b.len, strlen(want), "got %.*s, want %s", (int)b.len, b.data, want);
  cr_assert(memcmp(b.data, want, b.len) == 0, "got %.*s, want %s", (int)b.len, b.data, want);
  buf_free(&b);
}

#define LIT(s) s, sizeof(s) - 1

Test(buf, shown_escapes_control_characters) {
  shown_is(LIT("plain 日本語"), false, "plain 日本語");
  shown_is(LIT("\x1b[31mred\x07"), false, "\\x1B[31mred\\x07");
  shown_is(LIT("a\tb\nc\rd"), false, "a\\tb\\nc\\rd");
  shown_is(LIT("nul\0x\x7f"), false, "nul\\x00x\\x7F");
  shown_is(LIT("c1\xc2\x9b"
               "2J \xc2\xa0"),
           false,
           "c1\\xC2\\x9B"
           "2J \xc2\xa0"); /* CSI escaped, NBSP kept */
  shown_is(LIT("say \"hi\" \\o/"), true, "\"say \\\"hi\\\" \\\\o/\"");
  shown_is(LIT("say \"hi\""), false, "say \"hi\"");
  shown_is(LIT(""), true, "\"\"");
  shown_is(LIT("end\xc2"), false, "end\xc2"); /* a lone lead byte at the end is not C1 */
}

/* Rule text (labels, titles) goes through the same escapes; text_has_controls
 * says when it would change anything. */
Test(buf, rule_text_and_controls) {
  cr_assert(!text_has_controls("plain 日本語 \xc2\xa0", strlen("plain 日本語 \xc2\xa0")));
  cr_assert(text_has_controls("a\x1b", 2));
  cr_assert(text_has_controls("\x7f", 1));
  cr_assert(text_has_controls("\xc2\x9b", 2));
  cr_assert(!text_has_controls("\xc2", 1));
  Buf b;
  buf_init(&b, NULL);
  buf_shown_str(&b, "T\x1b]0;x\x07");
  buf_shown_str(&b, NULL);
  buf_putc(&b, '\0');
  cr_assert_str_eq(b.data, "T\\x1B]0;x\\x07");
  buf_free(&b);
}

/* HTML text: markup characters as entities, controls (not allowed in HTML
 * text) as \xHH like the text outputs; tab and line breaks kept. */
Test(buf, html_escapes_controls) {
  Buf b;
  buf_init(&b, NULL);
  html_esc(&b, "<T\x1b[2J\xc2\x9b\"&'\t\n\x7f>");
  buf_putc(&b, '\0');
  cr_assert_str_eq(b.data, "&lt;T\\x1B[2J\\xC2\\x9B&quot;&amp;&#39;\t\n\\x7F&gt;");
  buf_free(&b);
}

/* CSV for spreadsheets: the OWASP formula starters get a ' and quotes;
 * every other cell is written as buf_csv_cell writes it. */
static void safe_cell_is(const char *in, const char *want) {
  Buf b;
  buf_init(&b, NULL);
  buf_csv_cell_safe(&b, in, strlen(in));
  buf_putc(&b, '\0');
  cr_expect_str_eq(b.data, want, "%s", in);
  buf_free(&b);
}

Test(buf, csv_cell_safe_for_spreadsheets) {
  safe_cell_is("=1+1", "\"'=1+1\"");
  safe_cell_is("+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\"");
  safe_cell_is("-2", "\"'-2\"");
  safe_cell_is("@SUM(A1)", "\"'@SUM(A1)\"");
  safe_cell_is("\tx", "\"'\tx\"");
  safe_cell_is("\rx", "\"'\rx\"");
  safe_cell_is("=HYPERLINK(\"u\")", "\"'=HYPERLINK(\"\"u\"\")\"");
  safe_cell_is("a=1", "a=1");
  safe_cell_is("a,b", "\"a,b\"");
  safe_cell_is("", "");
}

/* buf_json_str's fast paths (16 bytes at a time and the last 16; 4 to
 * 16 bytes as their first and last 8 or 4; eight at a time without
 * SSE2): every byte value, at every place of strings of 1 to 40 bytes
 * otherwise plain (ASCII or UTF-8), escaped exactly as a byte-by-byte
 * escaper does. Each string is in memory of its own length, so that
 * asan-test sees any read past its end. */
static size_t json_escape_bytewise(const unsigned char *s, size_t n, char *out) {
  size_t k = 0;
  out[k++] = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = s[i];
    const char *esc = c == '"'    ? "\\\""
                      : c == '\\' ? "\\\\"
                      : c == '\n' ? "\\n"
                      : c == '\r' ? "\\r"
                      : c == '\t' ? "\\t"
                                  : NULL;
    if (esc)
      k += (size_t)sprintf(out + k, "%s", esc);
    else if (c < 0x20)
      k += (size_t)sprintf(out + k, "\\u%04x", c);
    else
      out[k++] = (char)c;
  }
  out[k++] = '"';
  return k;
}

Test(buf, json_str_every_byte_everywhere) {
  Buf b;
  buf_init(&b, NULL);
  enum { LONGEST = 40 };
  char want[LONGEST * 6 + 2];
  for (size_t n = 1; n <= LONGEST; n++) {
    unsigned char *s = malloc(n);
    for (size_t at = 0; at < n; at++)
      for (int c = 0; c < 256; c++) {
        for (size_t i = 0; i < n; i++)
          s[i] = (unsigned char)(c % 2 ? 'a' + i % 26 : 0xE3 - (i % 3 ? 0x60 : 0)); /* ASCII or UTF-8 bytes */
        s[at] = (unsigned char)c;
        b.len = 0;
        buf_json_str(&b, (const char *)s, n);
        size_t k = json_escape_bytewise(s, n, want);
        cr_assert_eq(b.len, k, "byte 0x%02x at %zu of %zu", c, at, n);
        cr_assert(memcmp(b.data, want, k) == 0, "byte 0x%02x at %zu of %zu", c, at, n);
      }
    free(s);
  }
  /* plain strings of every length, and the empty one */
  for (size_t n = 0; n <= LONGEST; n++) {
    unsigned char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
      s[i] = (unsigned char)(i % 2 ? 'A' + i % 26 : 0xE3);
    b.len = 0;
    buf_json_str(&b, (const char *)s, n);
    size_t k = json_escape_bytewise(s, n, want);
    cr_assert_eq(b.len, k, "plain, %zu bytes", n);
    cr_assert(memcmp(b.data, want, k) == 0, "plain, %zu bytes", n);
    free(s);
  }
  buf_free(&b);
}

/* csv_cell_at and buf_csv_cell (inline for 8 to 16 bytes, a word at a
 * time otherwise, sifting for bytes below 0x2D): every byte value at
 * every place of cells of 0 to 40 bytes, ASCII or UTF-8 around it, quoted
 * exactly when a byte-by-byte writer quotes. */
static size_t csv_cell_bytewise(const unsigned char *s, size_t n, char *out) {
  bool quote = false;
  for (size_t i = 0; i < n; i++)
    quote |= s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
  size_t k = 0;
  if (quote) out[k++] = '"';
  for (size_t i = 0; i < n; i++) {
    if (quote && s[i] == '"') out[k++] = '"';
    out[k++] = (char)s[i];
  }
  if (quote) out[k++] = '"';
  return k;
}

Test(buf, csv_cell_every_byte_everywhere) {
  Buf b;
  buf_init(&b, NULL);
  unsigned char s[40];
  char want[2 * sizeof s + 2], at_out[2 * sizeof s + 2 + 16];
  for (size_t n = 0; n <= sizeof s; n++)
    for (size_t at = 0; at < (n ? n : 1); at++)
      for (int c = 0; c < 256; c++) {
        for (size_t i = 0; i < n; i++)
          s[i] = (unsigned char)(c % 2 ? 'a' + i % 26 : 0xE3 - (i % 3 ? 0x60 : 0)); /* ASCII or UTF-8 bytes */
        if (n) s[at] = (unsigned char)c;
        size_t k = csv_cell_bytewise(s, n, want);
        b.len = 0;
        buf_csv_cell(&b, (const char *)s, n);
        cr_assert_eq(b.len, k, "byte 0x%02x at %zu of %zu", c, at, n);
        cr_assert(memcmp(b.data, want, k) == 0, "byte 0x%02x at %zu of %zu", c, at, n);
        char *end = csv_cell_at(at_out, (const char *)s, n);
        cr_assert_eq((size_t)(end - at_out), k, "csv_cell_at: byte 0x%02x at %zu of %zu", c, at, n);
        cr_assert(memcmp(at_out, want, k) == 0, "csv_cell_at: byte 0x%02x at %zu of %zu", c, at, n);
      }
  buf_free(&b);
}
