/* test_source.c — unit tests for source.c (line maps, display columns,
 * file loading), UTF-8 decoding and widths, and sha256.c. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front/sha256.h"
#include "front/source.h"

/* Adds TEXT (a C string) to SET and returns its Source. */
static const Source *add(SourceSet *set, const char *text) {
  int32_t id = src_add_text(set, "t.kenko", text, strlen(text));
  cr_assert_geq(id, 0);
  return src_get(set, id);
}

/* Asserts the line and column of OFFSET in S. */
static void expect_line_col(const Source *s, uint32_t offset, int line, int col) {
  int got_line = -1, got_col = -1;
  src_line_col(s, offset, &got_line, &got_col);
  cr_assert_eq(got_line, line, "offset %u: line %d, expected %d", offset, got_line, line);
  cr_assert_eq(got_col, col, "offset %u: col %d, expected %d", offset, got_col, col);
}

/* ---- source ------------------------------------------------------------ */

Test(source, add_text_builds_line_map) {
  SourceSet set;
  src_init(&set);
  const Source *s = add(&set, "ab\ncd\n");
  cr_assert_eq(s->id, 0);
  cr_assert_str_eq(s->path, "t.kenko");
  cr_assert_eq(s->len, 6);
  cr_assert_eq(s->text[6], '\0');
  cr_assert_eq(s->nlines, 3);
  cr_assert_eq(s->line_starts[0], 0);
  cr_assert_eq(s->line_starts[1], 3);
  cr_assert_eq(s->line_starts[2], 6);
  cr_assert_eq(s->included_from, -1);
  cr_assert_eq(s->include_span.file, -1);
  src_free(&set);
  cr_assert_eq(set.count, 0);
}

Test(source, ids_count_up_and_get_checks_range) {
  SourceSet set;
  src_init(&set);
  for (int i = 0; i < 10; i++)
    cr_assert_eq(src_add_text(&set, "f", "x", 1), i);
  cr_assert_eq(set.count, 10);
  cr_assert_eq(src_get(&set, 9)->id, 9);
  cr_assert_null(src_get(&set, 10));
  cr_assert_null(src_get(&set, -1));
  src_free(&set);
}

Test(source, text_may_hold_nul_bytes) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "nul", "a\0b", 3);
  const Source *s = src_get(&set, id);
  cr_assert_eq(s->len, 3);
  cr_assert_eq(memcmp(s->text, "a\0b", 4), 0);
  src_free(&set);
}

Test(source, empty_text_has_one_line) {
  SourceSet set;
  src_init(&set);
  const Source *s = add(&set, "");
  cr_assert_eq(s->nlines, 1);
  expect_line_col(s, 0, 1, 1);
  uint32_t len = 99;
  src_line_text(s, 1, &len);
  cr_assert_eq(len, 0);
  src_free(&set);
}

Test(source, line_col_ascii) {
  SourceSet set;
  src_init(&set);
  const Source *s = add(&set, "rule a = 1\n  x\n\nlast");
  expect_line_col(s, 0, 1, 1);
  expect_line_col(s, 5, 1, 6);
  expect_line_col(s, 10, 1, 11); /* the '\n' */
  expect_line_col(s, 13, 2, 3);  /* x */
  expect_line_col(s, 15, 3, 1);  /* the empty line */
  expect_line_col(s, 19, 4, 4);
  expect_line_col(s, 20, 4, 5);  /* end of file */
  expect_line_col(s, 999, 4, 5); /* clamped */
  src_free(&set);
}

Test(source, line_col_japanese_is_display_width) {
  SourceSet set;
  src_init(&set);
  const Source *s = add(&set, "契約 x\nｱｲ x");
  expect_line_col(s, 3, 1, 3); /* 約 */
  expect_line_col(s, 7, 1, 6); /* x */
  /* half-width katakana are one column each */
  expect_line_col(s, 15, 2, 3);
  expect_line_col(s, 16, 2, 4);
  src_free(&set);
}

Test(source, line_col_tabs_to_multiples_of_8) {
  SourceSet set;
  src_init(&set);
  const Source *s = add(&set, "\tx\nab\tx\n12345678\tx\n契\tx");
  expect_line_col(s, 1, 1, 9);
  expect_line_col(s, 6, 2, 9);
  expect_line_col(s, 17, 3, 17);
  expect_line_col(s, 23, 4, 9);
  src_free(&set);
}

Test(source, line_col_crlf) {
  SourceSet set;
  src_init(&set);
  const Source *s = add(&set, "a\r\nbb\r\n");
  expect_line_col(s, 1, 1, 2); /* the '\r' */
  expect_line_col(s, 2, 1, 2); /* the '\n': still just after "a" */
  expect_line_col(s, 3, 2, 1);
  expect_line_col(s, 5, 2, 3);
  uint32_t len;
  const char *text = src_line_text(s, 1, &len);
  cr_assert_eq(len, 1);
  cr_assert_eq(text[0], 'a');
  text = src_line_text(s, 2, &len);
  cr_assert_eq(len, 2);
  cr_assert_eq(strncmp(text, "bb", 2), 0);
  src_line_text(s, 3, &len);
  cr_assert_eq(len, 0);
  src_free(&set);
}

Test(source, line_text_keeps_lone_cr_and_checks_range) {
  SourceSet set;
  src_init(&set);
  const Source *s = add(&set, "one\ntwo\r");
  uint32_t len;
  const char *text = src_line_text(s, 1, &len);
  cr_assert_eq(len, 3);
  cr_assert_eq(strncmp(text, "one", 3), 0);
  src_line_text(s, 2, &len);
  cr_assert_eq(len, 4); /* no '\n' after it: not a line terminator */
  src_line_text(s, 0, &len);
  cr_assert_eq(len, 0);
  src_line_text(s, 3, &len);
  cr_assert_eq(len, 0);
  src_free(&set);
}

Test(source, line_col_many_lines_binary_search) {
  SourceSet set;
  src_init(&set);
  size_t n = 5000;
  char *text = malloc(n * 3 + 1);
  for (size_t i = 0; i < n; i++)
    memcpy(text + 3 * i, "ab\n", 3);
  text[n * 3] = '\0';
  const Source *s = add(&set, text);
  cr_assert_eq(s->nlines, n + 1);
  for (uint32_t line = 1; line <= n; line += 97) {
    expect_line_col(s, (line - 1) * 3, (int)line, 1);
    expect_line_col(s, (line - 1) * 3 + 1, (int)line, 2);
  }
  expect_line_col(s, (uint32_t)(n * 3), (int)n + 1, 1);
  free(text);
  src_free(&set);
}

/* Writes LEN bytes of DATA to a new temporary file; returns its path. */
static char *temp_file(const char *data, size_t len) {
  char *path = strdup("/tmp/kenko-test-XXXXXX");
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  cr_assert_eq(write(fd, data, len), (ssize_t)len);
  close(fd);
  return path;
}

Test(source, load_file_reads_bytes) {
  char *path = temp_file("x = 1\r\ny\0z\n", 11);
  SourceSet set;
  src_init(&set);
  const char *err = NULL;
  int32_t id = src_load_file(&set, path, &err);
  cr_assert_eq(id, 0);
  const Source *s = src_get(&set, id);
  cr_assert_str_eq(s->path, path);
  cr_assert_eq(s->len, 11);
  cr_assert_eq(memcmp(s->text, "x = 1\r\ny\0z\n", 12), 0);
  cr_assert_eq(s->nlines, 3);
  src_free(&set);
  unlink(path);
  free(path);
}

Test(source, load_file_missing) {
  SourceSet set;
  src_init(&set);
  const char *err = NULL;
  cr_assert_eq(src_load_file(&set, "/nonexistent/kenko/rules.kenko", &err), -1);
  cr_assert_str_eq(err, "No such file or directory");
  cr_assert_eq(set.count, 0);
  src_free(&set);
}

Test(source, load_file_directory) {
  SourceSet set;
  src_init(&set);
  const char *err = NULL;
  cr_assert_eq(src_load_file(&set, "/tmp", &err), -1);
  cr_assert_str_eq(err, "Is a directory");
  src_free(&set);
}

Test(source, load_file_too_large) {
  char *path = temp_file("", 0);
  cr_assert_eq(truncate(path, (off_t)KENKO_MAX_SOURCE_BYTES + 1), 0);
  SourceSet set;
  src_init(&set);
  const char *err = NULL;
  cr_assert_eq(src_load_file(&set, path, &err), -1);
  cr_assert_str_eq(err, "file is larger than 64 MiB");
  cr_assert_eq(set.count, 0);
  /* exactly the limit is accepted */
  cr_assert_eq(truncate(path, (off_t)KENKO_MAX_SOURCE_BYTES), 0);
  cr_assert_eq(src_load_file(&set, path, &err), 0);
  cr_assert_eq(src_get(&set, 0)->len, KENKO_MAX_SOURCE_BYTES);
  src_free(&set);
  unlink(path);
  free(path);
}

/* ---- utf8 ---------------------------------------------------------------- */

/* Decodes the C string S (all of it) and checks length and code point. */
static void expect_decode(const char *s, int len, uint32_t cp) {
  uint32_t got = 0xDEAD;
  int n = utf8_decode((const unsigned char *)s, strlen(s), &got);
  cr_assert_eq(n, len, "decode length %d, expected %d", n, len);
  if (len) cr_assert_eq(got, cp, "decoded U+%04X, expected U+%04X", got, cp);
}

Test(utf8, decode_valid) {
  expect_decode("A", 1, 0x41);
  expect_decode("\x7F", 1, 0x7F);
  expect_decode("\xC2\x80", 2, 0x80);
  expect_decode("\xC3\xA9", 2, 0xE9);
  expect_decode("\xDF\xBF", 2, 0x7FF);
  expect_decode("\xE0\xA0\x80", 3, 0x800);
  expect_decode("契", 3, 0x5951);
  expect_decode("\xED\x9F\xBF", 3, 0xD7FF);
  expect_decode("\xEE\x80\x80", 3, 0xE000);
  expect_decode("\xEF\xBF\xBF", 3, 0xFFFF);
  expect_decode("\xF0\x90\x80\x80", 4, 0x10000);
  expect_decode("😀", 4, 0x1F600);
  expect_decode("\xF4\x8F\xBF\xBF", 4, 0x10FFFF);
  /* only the first sequence is decoded */
  expect_decode("ab", 1, 'a');
  uint32_t cp = 1;
  cr_assert_eq(utf8_decode((const unsigned char *)"", 1, &cp), 1);
  cr_assert_eq(cp, 0);
}

Test(utf8, decode_invalid) {
  expect_decode("\x80", 0, 0); /* stray continuation */
  expect_decode("\xBF", 0, 0);
  expect_decode("\xC0\x80", 0, 0);         /* overlong NUL */
  expect_decode("\xC1\xBF", 0, 0);         /* overlong */
  expect_decode("\xE0\x80\x80", 0, 0);     /* overlong */
  expect_decode("\xE0\x9F\xBF", 0, 0);     /* overlong U+07FF */
  expect_decode("\xED\xA0\x80", 0, 0);     /* surrogate D800 */
  expect_decode("\xED\xBF\xBF", 0, 0);     /* surrogate DFFF */
  expect_decode("\xF0\x80\x80\x80", 0, 0); /* overlong */
  expect_decode("\xF0\x8F\xBF\xBF", 0, 0); /* overlong U+FFFF */
  expect_decode("\xF4\x90\x80\x80", 0, 0); /* U+110000 */
  expect_decode("\xF5\x80\x80\x80", 0, 0);
  expect_decode("\xFE", 0, 0);
  expect_decode("\xFF", 0, 0);
  expect_decode("\xE5\xA5", 0, 0);     /* truncated */
  expect_decode("\xF0\x9F\x98", 0, 0); /* truncated */
  expect_decode("\xC3", 0, 0);
  expect_decode("\xE5\x41\x91", 0, 0); /* not a continuation */
  expect_decode("\xE5\xA5\x41", 0, 0);
  expect_decode("\xF0\x9F\x98\x41", 0, 0);
  expect_decode("\xC3\xC3", 0, 0);
  uint32_t cp;
  cr_assert_eq(utf8_decode((const unsigned char *)"a", 0, &cp), 0);
  /* a sequence cut by N is truncated even when the bytes continue */
  cr_assert_eq(utf8_decode((const unsigned char *)"契", 2, &cp), 0);
}

Test(utf8, first_invalid) {
  cr_assert_eq(utf8_first_invalid("", 0), -1);
  cr_assert_eq(utf8_first_invalid("plain ascii", 11), -1);
  cr_assert_eq(utf8_first_invalid("契約プラン", strlen("契約プラン")), -1);
  cr_assert_eq(utf8_first_invalid("ab\xE5\xA5", 4), 2);
  cr_assert_eq(utf8_first_invalid("契約\x80", 7), 6);
  cr_assert_eq(utf8_first_invalid("\xED\xA0\x80", 3), 0);
  cr_assert_eq(utf8_first_invalid("a\0b", 3), -1);
}

/* The first invalid byte found a character at a time with utf8_decode:
 * what utf8_first_invalid's word-at-a-time ASCII path must agree with. */
static long first_invalid_slowly(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    int len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
    if (len == 0) return (long)i;
    i += (size_t)len;
  }
  return -1;
}

/* Every bad or cut sequence, and every good one, placed after 0..17 ASCII
 * bytes (so at every place in a word and across words' ends), followed by
 * 0..9 more, in a block of exactly its length (asan-test: no byte past
 * the text is read): the fast path finds what the slow one finds. */
Test(utf8, first_invalid_agrees_at_every_place) {
  static const char *const pieces[] = {"\x80",
                                       "\xBF",
                                       "\xC0\x80",
                                       "\xC1\xBF",
                                       "\xC2",
                                       "\xC2\x80",
                                       "\xDF\xBF",
                                       "\xE0\x9F\x80",
                                       "\xE0\xA0\x80",
                                       "\xE5\xA5",
                                       "\xE5\xA5\x91",
                                       "\xED\x9F\xBF",
                                       "\xED\xA0\x80",
                                       "\xEF\xBF\xBF",
                                       "\xF0\x8F\xBF\xBF",
                                       "\xF0\x90\x80\x80",
                                       "\xF0\x9F\x98",
                                       "\xF0\x9F\x98\x80",
                                       "\xF4\x8F\xBF\xBF",
                                       "\xF4\x90\x80\x80",
                                       "\xF5\x80\x80\x80",
                                       "\xFF",
                                       "\xE5\xA5\x41",
                                       "\xC3\xC3",
                                       "契約プラン",
                                       ""};
  for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
    size_t plen = strlen(pieces[p]);
    for (size_t before = 0; before < 18; before++) {
      for (size_t after = 0; after < 10; after++) {
        size_t n = before + plen + after;
        char *s = malloc(n ? n : 1);
        memset(s, 'a', before);
        memcpy(s + before, pieces[p], plen);
        memset(s + before + plen, 'z', after);
        cr_assert_eq(utf8_first_invalid(s, n), first_invalid_slowly(s, n),
                     "piece %zu after %zu bytes, %zu after", p, before, after);
        free(s);
      }
    }
  }
}

Test(utf8, cp_width) {
  cr_assert_eq(utf8_cp_width('a'), 1);
  cr_assert_eq(utf8_cp_width(0xE9), 1);
  cr_assert_eq(utf8_cp_width(0x0A), 0);
  cr_assert_eq(utf8_cp_width(0x00), 0);
  cr_assert_eq(utf8_cp_width(0x7F), 0);
  cr_assert_eq(utf8_cp_width(0x85), 0);
  cr_assert_eq(utf8_cp_width(0x5951), 2); /* 契 */
  cr_assert_eq(utf8_cp_width(0x3042), 2); /* あ */
  cr_assert_eq(utf8_cp_width(0x30D7), 2); /* プ */
  cr_assert_eq(utf8_cp_width(0x3000), 2); /* ideographic space */
  cr_assert_eq(utf8_cp_width(0x303F), 1);
  cr_assert_eq(utf8_cp_width(0x1100), 2);
  cr_assert_eq(utf8_cp_width(0x1160), 1);
  cr_assert_eq(utf8_cp_width(0xAC00), 2); /* 가 */
  cr_assert_eq(utf8_cp_width(0xD7A3), 2);
  cr_assert_eq(utf8_cp_width(0xD7A4), 1);
  cr_assert_eq(utf8_cp_width(0x231A), 2);
  cr_assert_eq(utf8_cp_width(0x2329), 2);
  cr_assert_eq(utf8_cp_width(0x3400), 2);
  cr_assert_eq(utf8_cp_width(0x9FFF), 2);
  cr_assert_eq(utf8_cp_width(0xA4CF), 2);
  cr_assert_eq(utf8_cp_width(0xF900), 2);
  cr_assert_eq(utf8_cp_width(0xFE30), 2);
  cr_assert_eq(utf8_cp_width(0xFF21), 2); /* Ａ */
  cr_assert_eq(utf8_cp_width(0xFF60), 2);
  cr_assert_eq(utf8_cp_width(0xFF61), 1); /* half-width katakana */
  cr_assert_eq(utf8_cp_width(0xFF71), 1);
  cr_assert_eq(utf8_cp_width(0xFF9F), 1);
  cr_assert_eq(utf8_cp_width(0xFFE0), 2);
  cr_assert_eq(utf8_cp_width(0xFFE6), 2);
  cr_assert_eq(utf8_cp_width(0xFFE8), 1);
  cr_assert_eq(utf8_cp_width(0x1F300), 2);
  cr_assert_eq(utf8_cp_width(0x1F600), 2);
  cr_assert_eq(utf8_cp_width(0x1F64F), 2);
  cr_assert_eq(utf8_cp_width(0x1F914), 2);
  cr_assert_eq(utf8_cp_width(0x20000), 2);
  cr_assert_eq(utf8_cp_width(0x2FFFD), 2);
  cr_assert_eq(utf8_cp_width(0x30000), 2);
  cr_assert_eq(utf8_cp_width(0x3FFFD), 2);
  cr_assert_eq(utf8_cp_width(0x0300), 0); /* combining grave */
  cr_assert_eq(utf8_cp_width(0x036F), 0);
  cr_assert_eq(utf8_cp_width(0x1AB0), 0);
  cr_assert_eq(utf8_cp_width(0x1DC0), 0);
  cr_assert_eq(utf8_cp_width(0x20D0), 0);
  cr_assert_eq(utf8_cp_width(0xFE20), 0);
  cr_assert_eq(utf8_cp_width(0x3099), 0); /* combining dakuten */
  cr_assert_eq(utf8_cp_width(0x309A), 0);
  cr_assert_eq(utf8_cp_width(0x309B), 2); /* spacing dakuten */
  cr_assert_eq(utf8_cp_width(0x200B), 0);
  cr_assert_eq(utf8_cp_width(0x200F), 0);
  cr_assert_eq(utf8_cp_width(0x2010), 1);
  cr_assert_eq(utf8_cp_width(0xFE00), 0);
  cr_assert_eq(utf8_cp_width(0xFE0F), 0);
  cr_assert_eq(utf8_cp_width(0xFEFF), 0);
  cr_assert_eq(utf8_cp_width(0x10FFFF), 1);
}

Test(utf8, display_width) {
  cr_assert_eq(utf8_display_width("", 0, 0), 0);
  cr_assert_eq(utf8_display_width("abc", 3, 0), 3);
  cr_assert_eq(utf8_display_width("契約 x", strlen("契約 x"), 0), 6);
  cr_assert_eq(utf8_display_width("契約プラン", strlen("契約プラン"), 0), 10);
  cr_assert_eq(utf8_display_width("ｹｲﾔｸ", strlen("ｹｲﾔｸ"), 0), 4);
  cr_assert_eq(utf8_display_width("\t", 1, 0), 8);
  cr_assert_eq(utf8_display_width("\t", 1, 3), 5);
  cr_assert_eq(utf8_display_width("\t", 1, 7), 1);
  cr_assert_eq(utf8_display_width("\t", 1, 8), 8);
  cr_assert_eq(utf8_display_width("a\tb", 3, 0), 9);
  cr_assert_eq(utf8_display_width("契\t", strlen("契\t"), 0), 8);
  cr_assert_eq(utf8_display_width("e\xCC\x81", 3, 0), 1);      /* e + U+0301 */
  cr_assert_eq(utf8_display_width("か\xE3\x82\x99", 6, 0), 2); /* か + U+3099 */
  cr_assert_eq(utf8_display_width("\xFF\xFE", 2, 0), 2);       /* invalid: 1 each */
  cr_assert_eq(utf8_display_width("\xE5\xA5", 2, 0), 2);       /* truncated */
  cr_assert_eq(utf8_display_width("a\x01"
                                  "b",
                                  3, 0),
               3); /* control: 1 */
  cr_assert_eq(utf8_display_width("\xEF\xBB\xBF"
                                  "a",
                                  4, 0),
               1); /* BOM: 0 */
}

/* ---- sha256 -------------------------------------------------------------- */

/* The ways to compute SHA-256 this processor has: the portable one
 * always, the x86 SHA extensions where it has them (every test below
 * checks each way there is). */
static const Sha256Way sha_ways[] = {SHA256_PORTABLE, SHA256_X86_SHA};
enum { SHA_WAYS = sizeof sha_ways / sizeof *sha_ways };

/* The digest of DATA (N bytes) computed WAY's way, fed CHUNK bytes at a
 * time (0: at once), in hex. False when this processor lacks WAY. */
static bool sha_way_hex(Sha256Way way, const void *data, size_t n, size_t chunk, char out[65]) {
  Sha256 c;
  if (!sha256_init_way(&c, way)) return false;
  const unsigned char *p = data;
  if (!chunk) chunk = n ? n : 1;
  for (size_t at = 0; at < n; at += chunk)
    sha256_update(&c, p + at, n - at < chunk ? n - at : chunk);
  sha256_update(&c, p, 0);
  unsigned char digest[32];
  sha256_final(&c, digest);
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  return true;
}

/* sha256_hex of the C string S, and the same digest each way there is. */
static void expect_sha(const char *s, size_t len, const char *hex) {
  char out[65];
  sha256_hex((const unsigned char *)s, len, out);
  cr_assert_str_eq(out, hex);
  for (int w = 0; w < SHA_WAYS; w++)
    if (sha_way_hex(sha_ways[w], s, len, 0, out)) cr_assert_str_eq(out, hex, "way %d, %zu bytes", w, len);
}

/* The portable way is always there; a way the processor lacks is
 * refused and leaves the context as it was. */
Test(sha256, ways) {
  cr_assert(sha256_way_available(SHA256_PORTABLE));
  Sha256 c;
  memset(&c, 0x5A, sizeof c);
  bool x86 = sha256_way_available(SHA256_X86_SHA);
  cr_assert_eq(sha256_init_way(&c, SHA256_X86_SHA), x86);
  if (!x86) cr_assert_eq(c.buflen, (size_t)0x5A5A5A5A5A5A5A5Aull);
  cr_assert(sha256_init_way(&c, SHA256_PORTABLE));
  cr_assert_eq(c.total, 0);
}

/* FIPS 180-2's two-block example of 896 bits, and data of every length
 * 0..300 in pieces of several sizes: each way gives the portable way's
 * digest (where the processor has SHA-NI, this compares the two). */
Test(sha256, ways_agree) {
  expect_sha("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqr"
             "smnopqrst"
             "nopqrstu",
             112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  unsigned char data[300];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof data; i++) {
    x = x * 1103515245u + 12345u;
    data[i] = (unsigned char)(x >> 16);
  }
  static const size_t chunks[] = {0, 1, 7, 63, 64, 65, 129};
  for (size_t n = 0; n <= sizeof data; n++) {
    char want[65], got[65];
    cr_assert(sha_way_hex(SHA256_PORTABLE, data, n, 0, want));
    for (int w = 0; w < SHA_WAYS; w++)
      for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++)
        if (sha_way_hex(sha_ways[w], data, n, chunks[k], got))
          cr_assert_str_eq(got, want, "way %d, %zu bytes in pieces of %zu", w, n, chunks[k]);
  }
}

Test(sha256, known_digests) {
  expect_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  expect_sha(two_blocks, strlen(two_blocks),
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, million_a) {
  size_t n = 1000000;
  char *a = malloc(n);
  memset(a, 'a', n);
  expect_sha(a, n, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  free(a);
}

Test(sha256, padding_boundaries) {
  static const struct {
    size_t n;
    const char *hex;
  } cases[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
  };
  char a[128];
  memset(a, 'a', sizeof a);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    expect_sha(a, cases[i].n, cases[i].hex);
}

Test(sha256, incremental_equals_one_shot) {
  unsigned char data[1024];
  for (size_t i = 0; i < sizeof data; i++)
    data[i] = (unsigned char)i;
  static const char expected[] = "785b0751fc2c53dc14a4ce3d800e69ef9ce1009eb327ccf458afe09c242c26c9";
  char hex[65];
  sha256_hex(data, sizeof data, hex);
  cr_assert_str_eq(hex, expected);
  for (int w = 0; w < SHA_WAYS; w++)
    for (size_t chunk = 1; chunk <= 130; chunk += 3)
      if (sha_way_hex(sha_ways[w], data, sizeof data, chunk, hex))
        cr_assert_str_eq(hex, expected, "way %d, chunk size %zu", w, chunk);
}
