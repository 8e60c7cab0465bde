/* test_readers.c — cell conversion, the CSV reader and the YAML/JSON
 * reader: values, error messages and locations pinned exactly, stats.
 *
 * Fixtures are in tests/data/readers/ (paths relative to the repository
 * root, where the tests run); small cases write their data to a fresh
 * temporary directory, whose name is cut out of the messages. */
#include <criterion/criterion.h>

#include <iconv.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/numfmt.h"
#include "front/diag.h"
#include "front/source.h"
#include "io/convert.h"
#include "io/intake.h"
#include "io/reader.h"
#include "base/value.h"

#define FIXTURES       "tests/data/readers/"
#define MAX_LINES      64
#define LINE_MAX_BYTES 1024

/* ---- the schema -------------------------------------------------------------- */

static const char *const plans[] = {"basic", "pro", "enterprise"};

static const FieldSchema ticket_fields[] = {
    {"priority", "priority", T_TEXT, false, false, NULL, 0, NULL, 0, false},
    {"opened", "opened", T_DATE, false, false, NULL, 0, NULL, 0, false},
    {"closed", "closed", T_DATE, true, false, NULL, 0, NULL, 0, false},
};

static const FieldSchema account_inputs[] = {
    {"id", "id", T_TEXT, false, true, NULL, 0, NULL, 0, false},
    {"plan", "plan", T_TEXT, false, false, plans, 3, NULL, 0, false},
    {"arr", "arr", T_NUMBER, false, false, NULL, 0, NULL, 0, false},
    {"start", "start", T_DATE, false, false, NULL, 0, NULL, 0, false},
    {"active", "active", T_BOOL, true, false, NULL, 0, NULL, 0, false},
    {"nps", "nps", T_NUMBER, true, false, NULL, 0, NULL, 0, false},
    {"tickets", "tickets", T_LIST, true, false, NULL, 0, ticket_fields, 3, false},
};

static const Schema accounts_schema = {account_inputs, 7, 0};

/* No key: accounts are named FILE:LINE. */
static const FieldSchema keyless_inputs[] = {
    {"name", "name", T_TEXT, true, false, NULL, 0, NULL, 0, false},
    {"seats", "seats", T_NUMBER, false, false, NULL, 0, NULL, 0, false},
};
static const Schema keyless_schema = {keyless_inputs, 2, -1};

/* A column name from `from "契約プラン"`. */
static const FieldSchema japanese_inputs[] = {
    {"id", "id", T_TEXT, false, true, NULL, 0, NULL, 0, false},
    {"plan_jp", "契約プラン", T_TEXT, false, false, NULL, 0, NULL, 0, false},
    {"arr", "arr", T_NUMBER, false, false, NULL, 0, NULL, 0, false},
};
static const Schema japanese_schema = {japanese_inputs, 3, 0};

/* A list whose element fields are all optional. */
static const FieldSchema loose_fields[] = {
    {"note", "note", T_TEXT, true, false, NULL, 0, NULL, 0, false},
};
static const FieldSchema loose_inputs[] = {
    {"id", "id", T_TEXT, false, true, NULL, 0, NULL, 0, false},
    {"events", "events", T_LIST, false, false, NULL, 0, loose_fields, 1, false},
};
static const Schema loose_schema = {loose_inputs, 2, 0};

/* ---- collecting what a reader reports ----------------------------------- */

typedef struct Collected {
  char dir[64];   /* temporary directory, cut out of texts */
  char path[128]; /* the last file written */
  char files[8][128];
  int nfiles;
  const Schema *schema;
  char diags[MAX_LINES][LINE_MAX_BYTES];
  int ndiags;
  char accounts[MAX_LINES][LINE_MAX_BYTES];
  uint64_t ordinals[MAX_LINES];
  int naccounts;          /* all accounts passed on */
  int stop_after;         /* callback says stop after this many (0: never) */
  bool keep_list_warning; /* CSV_LIST_WARNING is collected too */
  ReadStats stats;
} Collected;

static Collected *collected_new(const Schema *schema) {
  Collected *c = calloc(1, sizeof *c);
  cr_assert_not_null(c);
  snprintf(c->dir, sizeof c->dir, "/tmp/kenko-readers-XXXXXX");
  cr_assert_not_null(mkdtemp(c->dir));
  c->schema = schema;
  return c;
}

static void collected_free(Collected *c) {
  for (int i = 0; i < c->nfiles; i++)
    unlink(c->files[i]);
  rmdir(c->dir);
  free(c);
}

/* Copies SRC into DST without the temporary directory prefix. */
static void strip_dir(const Collected *c, char *dst, size_t dstsz, const char *src) {
  size_t dirlen = strlen(c->dir);
  size_t j = 0;
  while (*src && j + 1 < dstsz) {
    if (strncmp(src, c->dir, dirlen) == 0 && src[dirlen] == '/') {
      src += dirlen + 1;
      continue;
    }
    dst[j++] = *src++;
  }
  dst[j] = '\0';
}

/* The warning every CSV read with accounts_schema gets (its optional
 * list input cannot come from CSV): pinned once, in
 * csv::optional_list_warned, and left out of the other tests' lines. */
#define CSV_LIST_WARNING "input tickets is a list: lists cannot come from CSV"

static void on_diag(void *ud, const kenko_diag *d) {
  Collected *c = ud;
  if (c->ndiags == MAX_LINES) return;
  if (!c->keep_list_warning && strstr(d->rendered, CSV_LIST_WARNING)) return;
  char *line = c->diags[c->ndiags++];
  strip_dir(c, line, LINE_MAX_BYTES, d->rendered);
  size_t n = strlen(line);
  if (n && line[n - 1] == '\n') line[n - 1] = '\0';
}

/* Appends V as text: - for missing, dates as YYYY-MM-DD, lists as
 * [{a,b,c},...]. */
static void describe_value(const FieldSchema *f, Value v, char *out, size_t outsz) {
  size_t n = strlen(out);
  char *p = out + n;
  size_t room = outsz - n;
  char buf[32];
  switch (v.type) {
  case T_MISSING: snprintf(p, room, "-"); break;
  case T_NUMBER:
    num_format(v.u.num, buf);
    snprintf(p, room, "%s", buf);
    break;
  case T_BOOL: snprintf(p, room, "%s", v.u.b ? "true" : "false"); break;
  case T_DATE:
    date_format(v.u.date, buf);
    snprintf(p, room, "%s", buf);
    break;
  case T_TEXT:
    cr_assert_eq(strlen(v.u.text), v.len, "text is NUL-terminated after len bytes");
    snprintf(p, room, "%s", v.u.text);
    break;
  case T_LIST:
    snprintf(p, room, "[");
    for (uint32_t i = 0; i < v.len; i++) {
      strncat(out, i ? ",{" : "{", outsz - strlen(out) - 1);
      for (int32_t k = 0; k < f->nfields; k++) {
        if (k) strncat(out, ",", outsz - strlen(out) - 1);
        describe_value(&f->fields[k], v.u.items[i * (uint32_t)f->nfields + (uint32_t)k], out, outsz);
      }
      strncat(out, "}", outsz - strlen(out) - 1);
    }
    strncat(out, "]", outsz - strlen(out) - 1);
    break;
  default: snprintf(p, room, "?"); break;
  }
}

/* "ID@LINE name=value ..." for every input but the key. */
static bool on_account(void *ud, const Account *a, Arena *arena) {
  Collected *c = ud;
  cr_assert_not_null(arena);
  if (c->naccounts < MAX_LINES) {
    char *line = c->accounts[c->naccounts];
    char id[256];
    strip_dir(c, id, sizeof id, a->id);
    snprintf(line, LINE_MAX_BYTES, "%s@%u", id, a->line);
    for (int32_t i = 0; i < c->schema->ninputs; i++) {
      if (i == c->schema->key_index) continue;
      const FieldSchema *f = &c->schema->inputs[i];
      size_t n = strlen(line);
      snprintf(line + n, LINE_MAX_BYTES - n, " %s=", f->name);
      describe_value(f, a->values[i], line, LINE_MAX_BYTES);
    }
    c->ordinals[c->naccounts] = a->ordinal;
  }
  c->naccounts++;
  return !(c->stop_after && c->naccounts >= c->stop_after);
}

static const char *write_bytes(Collected *c, const char *name, const char *bytes, size_t n) {
  snprintf(c->path, sizeof c->path, "%s/%s", c->dir, name);
  FILE *fp = fopen(c->path, "wb");
  cr_assert_not_null(fp);
  cr_assert_eq(fwrite(bytes, 1, n, fp), n);
  fclose(fp);
  if (c->nfiles < 8) snprintf(c->files[c->nfiles++], sizeof c->files[0], "%s", c->path);
  return c->path;
}

static const char *write_text(Collected *c, const char *name, const char *text) {
  return write_bytes(c, name, text, strlen(text));
}

/* Reads PATH with the reader its extension picks. */
static int read_with(Collected *c, const char *path, const ReadOpts *opts) {
  Diag d;
  diag_init(&d, NULL, on_diag, c);
  ReadOpts defaults = {0};
  if (!opts) opts = &defaults;
  DataFormat fmt = reader_format_for(path) == FMT_CSV ? FMT_CSV : FMT_YAML;
  return read_data(path, fmt, c->schema, opts, &d, on_account, c, &c->stats);
}

static int read_string(Collected *c, const char *name, const char *text, const ReadOpts *opts) {
  return read_with(c, write_text(c, name, text), opts);
}

/* Asserts LINES[0..N) equal the NULL-terminated EXPECTED, showing both. */
static void expect_lines(const char *what, char lines[][LINE_MAX_BYTES], int n, const char *const *expected) {
  int nexp = 0;
  while (expected[nexp])
    nexp++;
  bool same = n == nexp;
  for (int i = 0; same && i < n; i++)
    same = strcmp(lines[i], expected[i]) == 0;
  if (same) return;
  char report[8192] = "";
  for (int i = 0; i < n && i < MAX_LINES; i++) {
    strncat(report, "\n  got:  ", sizeof report - strlen(report) - 1);
    strncat(report, lines[i], sizeof report - strlen(report) - 1);
  }
  for (int i = 0; i < nexp; i++) {
    strncat(report, "\n  want: ", sizeof report - strlen(report) - 1);
    strncat(report, expected[i], sizeof report - strlen(report) - 1);
  }
  cr_assert_fail("%s differ:%s", what, report);
}

#define EXPECT_DIAGS(c, ...)                                                                                 \
  expect_lines("diagnostics", (c)->diags, (c)->ndiags, (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_ACCOUNTS(c, ...)                                                                              \
  expect_lines("accounts", (c)->accounts, (c)->naccounts, (const char *const[]){__VA_ARGS__, NULL})
#define EXPECT_NO_DIAGS(c) expect_lines("diagnostics", (c)->diags, (c)->ndiags, (const char *const[]){NULL})

/* Stats add up: every account is scored or rejected. */
static void expect_stats(const Collected *c, uint64_t accounts, uint64_t rejected, bool file_error) {
  cr_assert_eq(c->stats.accounts, accounts, "accounts: %lu", (unsigned long)c->stats.accounts);
  cr_assert_eq(c->stats.rejected, rejected, "rejected: %lu", (unsigned long)c->stats.rejected);
  cr_assert_eq(c->stats.file_error, file_error);
  if (!c->stop_after) cr_assert_eq((uint64_t)c->naccounts + c->stats.rejected, c->stats.accounts);
}

/* ---- convert ------------------------------------------------------------------- */

/* Converts S for FIELD; returns the value described, or "error: MSG". */
static const char *convert(const FieldSchema *f, const char *s, bool quoted, char thousands) {
  static char out[LINE_MAX_BYTES];
  Arena arena;
  arena_init(&arena, 0);
  ReadOpts opts = {0};
  opts.thousands = thousands;
  opts.na_hint = true; /* as the CSV reader converts */
  Value v;
  char err[512];
  out[0] = '\0';
  if (convert_cell(f, s, strlen(s), &opts, quoted, &arena, &v, err, sizeof err))
    describe_value(f, v, out, sizeof out);
  else
    snprintf(out, sizeof out, "error: %s", err);
  arena_free(&arena);
  return out;
}

static const FieldSchema number_field = {"n", "n", T_NUMBER, false, false, NULL, 0, NULL, 0, false};
static const FieldSchema bool_field = {"b", "b", T_BOOL, false, false, NULL, 0, NULL, 0, false};
static const FieldSchema date_field = {"d", "d", T_DATE, false, false, NULL, 0, NULL, 0, false};
static const FieldSchema text_field = {"t", "t", T_TEXT, false, false, NULL, 0, NULL, 0, false};

Test(convert, numbers) {
  cr_assert_str_eq(convert(&number_field, "12", false, 0), "12");
  cr_assert_str_eq(convert(&number_field, "-1.5", false, 0), "-1.5");
  cr_assert_str_eq(convert(&number_field, "+3", false, 0), "3");
  cr_assert_str_eq(convert(&number_field, "1e6", false, 0), "1000000");
  cr_assert_str_eq(convert(&number_field, "2.5E-3", false, 0), "0.0025");
  cr_assert_str_eq(convert(&number_field, ".5", false, 0), "0.5");
  cr_assert_str_eq(convert(&number_field, "5.", false, 0), "5");
  cr_assert_str_eq(convert(&number_field, "007", false, 0), "7");
  cr_assert_str_eq(convert(&number_field, " 42 ", false, 0), "42");
  cr_assert_str_eq(convert(&number_field, "\t42", true, 0), "42");
  cr_assert_str_eq(convert(&number_field, "1e-400", false, 0), "0");
  cr_assert_str_eq(convert(&number_field, "123456789012345678901234567890", false, 0),
                   "1.2345678901234568e+29");
  cr_assert_str_eq(convert(&number_field, "ten", false, 0), "error: expected number, got \"ten\"");
  cr_assert_str_eq(convert(&number_field, "0x1F", false, 0), "error: expected number, got \"0x1F\"");
  cr_assert_str_eq(convert(&number_field, "1_000", false, 0), "error: expected number, got \"1_000\"");
  cr_assert_str_eq(convert(&number_field, "1e", false, 0), "error: expected number, got \"1e\"");
  cr_assert_str_eq(convert(&number_field, "-", false, 0),
                   "error: expected number, got \"-\" (if it means missing, say so with `--na -`)");
  cr_assert_str_eq(convert(&number_field, ".", false, 0), "error: expected number, got \".\"");
  cr_assert_str_eq(convert(&number_field, "1 2", false, 0), "error: expected number, got \"1 2\"");
  cr_assert_str_eq(convert(&number_field, "12%", false, 0), "0.12");
}

Test(convert, non_finite_numbers) {
  cr_assert_str_eq(convert(&number_field, "1e999", false, 0),
                   "error: expected a finite number, got \"1e999\"");
  cr_assert_str_eq(convert(&number_field, "-1e999", false, 0),
                   "error: expected a finite number, got \"-1e999\"");
  cr_assert_str_eq(convert(&number_field, "inf", false, 0), "error: expected a finite number, got \"inf\"");
  cr_assert_str_eq(convert(&number_field, "-Infinity", false, 0),
                   "error: expected a finite number, got \"-Infinity\"");
  cr_assert_str_eq(convert(&number_field, "NaN", false, 0), "error: expected a finite number, got \"NaN\"");
  cr_assert_str_eq(convert(&number_field, ".inf", false, 0), "error: expected a finite number, got \".inf\"");
}

Test(convert, thousands) {
  cr_assert_str_eq(convert(&number_field, "1,234", true, ','), "1234");
  cr_assert_str_eq(convert(&number_field, "-1,234,567.25", true, ','), "-1234567.25");
  cr_assert_str_eq(convert(&number_field, "999", true, ','), "999");
  cr_assert_str_eq(convert(&number_field, "12,34", true, ','), "error: expected number, got \"12,34\"");
  cr_assert_str_eq(convert(&number_field, "1234,567", true, ','), "error: expected number, got \"1234,567\"");
  cr_assert_str_eq(convert(&number_field, ",123", true, ','), "error: expected number, got \",123\"");
  cr_assert_str_eq(convert(&number_field, "1,234", false, ','),
                   "error: expected number, got \"1,234\" (a thousands separator is "
                   "only read in a quoted cell with --thousands ,)");
  cr_assert_str_eq(convert(&number_field, "1,234", true, 0),
                   "error: expected number, got \"1,234\" (a thousands separator is "
                   "only read in a quoted cell with --thousands ,)");
}

/* The fast path gives exactly what strtod gives. */
Test(convert, numbers_match_strtod) {
  unsigned seed = 7;
  Arena arena;
  arena_init(&arena, 0);
  ReadOpts opts = {0};
  for (int i = 0; i < 200000; i++) {
    seed = seed * 1103515245u + 12345u;
    unsigned a = seed >> 4;
    seed = seed * 1103515245u + 12345u;
    unsigned b = seed >> 4;
    char s[64];
    switch (i % 4) {
    case 0: snprintf(s, sizeof s, "%u.%u", a % 1000000, b % 100000); break;
    case 1: snprintf(s, sizeof s, "-%u.%07u", a, b % 10000000); break;
    case 2: snprintf(s, sizeof s, "%ue%d", a, (int)(b % 40) - 20); break;
    default: snprintf(s, sizeof s, "%u%u.%ue-%u", a, b, a % 1000, b % 30); break;
    }
    Value v;
    char err[128];
    cr_assert(convert_cell(&number_field, s, strlen(s), &opts, false, &arena, &v, err, sizeof err), "%s: %s",
              s, err);
    double want = strtod(s, NULL);
    if (memcmp(&v.u.num, &want, sizeof want) != 0)
      cr_assert_fail("%s: got %.17g, strtod %.17g", s, v.u.num, want);
  }
  Value v;
  char err[128];
  cr_assert(convert_cell(&number_field, "-0", 2, &opts, false, &arena, &v, err, sizeof err));
  cr_assert(signbit(v.u.num));
  arena_free(&arena);
}

/* The readers' inline number path (convert.h: number_usual, with the
 * 1-to-8-digit word conversion when the cell is in a padded buffer) gives
 * exactly strtod's double, and refuses what convert_cell refuses; random
 * digit strings of every length up to 20 with a point, a sign or a stray
 * byte here and there, and the edges. */
Test(convert, number_fast_path_matches_strtod) {
  unsigned seed = 11;
  Arena arena;
  arena_init(&arena, 0);
  ReadOpts opts = {0};
  const char *edges[] = {"0",
                         "00000000",
                         "99999999",
                         "100000000",
                         "12345678",
                         "1",
                         "-0",
                         "-1",
                         "0.5",
                         ".5",
                         "5.",
                         "9007199254740993",
                         "1e3",
                         "1,000",
                         "+5",
                         " 5",
                         "5 ",
                         "１２",
                         "0.1",
                         "0.3",
                         "123456789.123456789",
                         "4503599627370497.5",
                         "99999999.9",
                         "",
                         "-",
                         "--1",
                         "1-",
                         "0x10"};
  for (size_t i = 0; i < 200000 + sizeof edges / sizeof *edges; i++) {
    char s[40] = {0}; /* zero padded: the bytes past the cell are readable */
    if (i < sizeof edges / sizeof *edges) {
      strcpy(s, edges[i]);
    } else {
      seed = seed * 1103515245u + 12345u;
      size_t len = 1 + (seed >> 8) % 20;
      for (size_t k = 0; k < len; k++) {
        seed = seed * 1103515245u + 12345u;
        unsigned roll = (seed >> 8) % 100;
        s[k] = roll < 93   ? (char)('0' + (seed >> 16) % 10)
               : roll < 96 ? '.'
               : roll < 98 ? '-'
                           : (char)(seed >> 16);
      }
    }
    size_t n = strlen(s);
    double fast;
    Value slow;
    char err[256];
    bool slow_ok = convert_cell(&number_field, s, n, &opts, false, &arena, &slow, err, sizeof err);
    for (int padded = 0; padded < 2; padded++) {
      if (!number_usual(s, n, padded, &fast)) continue;
      cr_assert(slow_ok, "%s: the fast path took what convert_cell refuses", s);
      double want = strtod(s, NULL);
      if (memcmp(&fast, &want, sizeof want) != 0 || memcmp(&slow.u.num, &want, sizeof want) != 0)
        cr_assert_fail("%s: fast %.17g, convert_cell %.17g, strtod %.17g", s, fast, slow.u.num, want);
    }
  }
  /* every 1-to-8-digit string takes the word conversion */
  for (unsigned v = 0; v < 100000000; v += v < 100000 ? 1 : 9973) {
    char s[16] = {0};
    size_t n = (size_t)snprintf(s, sizeof s, "%u", v);
    uint64_t got;
    cr_assert(digits8(s, n, &got) && got == v, "%s", s);
  }
  arena_free(&arena);
}

/* The readers' UTF-8 check (convert.h: clean_utf8, with 3-byte
 * sequences checked a word at a time) against the one the rest of kenko
 * uses (utf8_first_invalid), NUL bytes refused: every sequence of one to
 * three bytes from a set that has each edge, before and after ASCII, at
 * the end of the text and not, and random strings. */
Test(convert, clean_utf8_matches_utf8_first_invalid) {
  static const unsigned char edge[] = {0x00, 0x01, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                       0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xE3, 0xEC,
                                       0xED, 0xEE, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  size_t ne = sizeof edge;
  char s[16];
  for (size_t a = 0; a < ne; a++)
    for (size_t b = 0; b <= ne; b++)
      for (size_t c = 0; c <= ne; c++)
        for (int tail = 0; tail < 2; tail++) {
          size_t n = 0;
          s[n++] = (char)edge[a];
          if (b < ne) s[n++] = (char)edge[b];
          if (c < ne) s[n++] = (char)edge[c];
          if (tail) s[n++] = 'x';
          bool want = utf8_first_invalid(s, n) < 0 && !memchr(s, 0, n);
          cr_assert_eq(clean_utf8(s, n), want, "%zu bytes: %02X %02X %02X", n, (unsigned char)s[0],
                       (unsigned char)s[1], (unsigned char)s[2]);
        }
  unsigned seed = 5;
  for (int i = 0; i < 200000; i++) {
    size_t n = 1 + (size_t)i % 12;
    for (size_t k = 0; k < n; k++) {
      seed = seed * 1103515245u + 12345u;
      s[k] = (char)(seed >> 24 < 0x60 ? 0xE3 : seed >> 16);
    }
    bool want = utf8_first_invalid(s, n) < 0 && !memchr(s, 0, n);
    cr_assert_eq(clean_utf8(s, n), want);
  }
}

/* The CSV reader's UTF-8 check of a text cell in its buffer
 * (convert.h: utf8_padded, bit masks 16 bytes at a time for up to 62
 * bytes) against utf8_first_invalid: texts of every length to 70 mixing
 * ASCII with 2-, 3- and 4-byte sequences (E0 and ED among them), each
 * with every edge byte but NUL (the cells it sees have none) put at every
 * offset, followed by NULs or by bytes that would complete a sequence cut
 * short. */
Test(convert, utf8_padded_matches_utf8_first_invalid) {
  static const char *pieces[] = {
      "a",        "\xE3\x81\x82",     "\xE6\xA5\xAD", "\xEF\xBC\xA1", "1 ",
      "\xC3\xA9", "\xF0\x9F\x98\x80", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xE3\x80\x80"};
  static const unsigned char edge[] = {0x01, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                       0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xE3,
                                       0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  char s[160];
  unsigned seed = 17;
  for (int round = 0; round < 40; round++) {
    /* a text of 80 bytes or so from the pieces (mostly Japanese) */
    size_t len = 0;
    while (len < 80) {
      seed = seed * 1103515245u + 12345u;
      unsigned pick = (seed >> 16) % 16;
      const char *piece = pieces[pick < 10 ? pick : pick % 3 + 1];
      memcpy(s + len, piece, strlen(piece));
      len += strlen(piece);
    }
    for (size_t n = 0; n <= 70; n++) {
      for (size_t at = 0; at <= n; at++)
        for (size_t e = 0; e <= sizeof edge; e++) {
          if (at == n && e) break; /* (the text as it is, once) */
          char t[160];
          memcpy(t, s, sizeof t);
          if (at < n && e < sizeof edge) t[at] = (char)edge[e];
          /* what follows is no part of it: continuations, or NULs */
          memset(t + n, round % 2 ? 0x80 : 0, sizeof t - n);
          bool want = utf8_first_invalid(t, n) < 0;
          cr_assert_eq(utf8_padded(t, n), want, "round %d, %zu bytes, byte %zu set to %02X", round, n, at,
                       e < sizeof edge ? edge[e] : 0);
        }
    }
  }
}

Test(convert, bools) {
  const char *truths[] = {"true", "TRUE", "True", "yes", "YES", "1", " yes "};
  const char *lies[] = {"false", "False", "no", "NO", "0"};
  for (size_t i = 0; i < sizeof truths / sizeof *truths; i++)
    cr_assert_str_eq(convert(&bool_field, truths[i], false, 0), "true", "%s", truths[i]);
  for (size_t i = 0; i < sizeof lies / sizeof *lies; i++)
    cr_assert_str_eq(convert(&bool_field, lies[i], false, 0), "false", "%s", lies[i]);
  cr_assert_str_eq(convert(&bool_field, "maybe", false, 0),
                   "error: expected bool (true/false, yes/no, 1/0, はい/いいえ), got \"maybe\"");
  cr_assert_str_eq(convert(&bool_field, "2", false, 0),
                   "error: expected bool (true/false, yes/no, 1/0, はい/いいえ), got \"2\"");
  cr_assert_str_eq(convert(&bool_field, "on", false, 0),
                   "error: expected bool (true/false, yes/no, 1/0, はい/いいえ), got \"on\"");
}

/* The readers' inline fast path (convert.h) takes the common spellings
 * itself and agrees with convert_cell on every one; what it leaves goes
 * to convert_cell. */
Test(convert, bool_fast_path) {
  const char *words[] = {"true",
                         "TRUE",
                         "True",
                         "tRuE",
                         "false",
                         "FALSE",
                         "False",
                         "yes",
                         "YES",
                         "no",
                         "NO",
                         "nO",
                         "1",
                         "0",
                         "t",
                         "tru",
                         "truex",
                         "fals",
                         "2",
                         "on",
                         "n0",
                         "yess",
                         "\x54RUE",
                         "tr\xf5"
                         "e",
                         "n\x0f",
                         "TRUE\r",
                         "0x",
                         "10",
                         "はい",
                         "いいえ",
                         "はい ",
                         "いい"};
  const char *common[] = {"true", "TRUE", "True", "false", "FALSE", "yes", "no", "1", "0", "はい", "いいえ"};
  Arena arena;
  arena_init(&arena, 0);
  ReadOpts opts = {0};
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    char padded[16] = {0};
    size_t n = strlen(words[i]);
    memcpy(padded, words[i], n);
    Value fast, slow;
    char err[512];
    bool slow_ok = convert_cell(&bool_field, padded, n, &opts, false, &arena, &slow, err, sizeof err);
    for (int pad = 0; pad < 2; pad++) { /* a cell in a padded buffer, and one that is not */
      if (!convert_usual(&bool_field, padded, n, pad, &arena, &fast)) continue;
      cr_assert(slow_ok, "%s: the fast path took what convert_cell refuses", words[i]);
      cr_assert_eq(fast.type, T_BOOL, "%s", words[i]);
      cr_assert_eq(fast.u.b, slow.u.b, "%s", words[i]);
    }
  }
  for (size_t i = 0; i < sizeof common / sizeof *common; i++) {
    char padded[16] = {0};
    Value v;
    memcpy(padded, common[i], strlen(common[i]));
    cr_assert(convert_usual(&bool_field, padded, strlen(common[i]), true, &arena, &v), "%s", common[i]);
  }
  arena_free(&arena);
}

/* The one-pass path's branch-free conversions (convert.h: digits_short,
 * bool_short) against a byte-at-a-time reading and bool_usual:
 * every string of 0 to 4 bytes from bytes at and next to the digits and
 * the letters of true/false (either case, the high bit, 0x20 and 0x40
 * off), then random ones of up to 10 bytes, each followed by bytes that
 * must not count (the cell is the first N of 8 readable bytes). */
static void check_short_cell(const char *s, size_t n) {
  uint64_t fast = 0, slow = 0;
  bool fast_ok = digits_short(s, n, &fast), slow_ok = n <= 8;
  for (size_t k = 0; k < n && slow_ok; k++) { /* a byte at a time */
    slow_ok = s[k] >= '0' && s[k] <= '9';
    slow = slow * 10 + (uint64_t)(s[k] - '0');
  }
  cr_assert_eq(fast_ok, slow_ok, "digits \"%.*s\" (%zu bytes)", (int)n, s, n);
  if (fast_ok)
    cr_assert_eq(fast, slow, "digits \"%.*s\": %llu, not %llu", (int)n, s, (unsigned long long)fast,
                 (unsigned long long)slow);
  uint64_t eight;
  cr_assert_eq(digits8(s, n, &eight), fast_ok && n > 0, "digits8 \"%.*s\"", (int)n, s);
  bool b = true, want = false;
  bool usual = n == 0 || bool_usual(s, n, true, &want);
  if (bool_short(s, n, &b)) {
    cr_assert(usual, "bool_short took \"%.*s\"", (int)n, s);
    cr_assert_eq(b, want, "bool \"%.*s\"", (int)n, s);
  } else if (usual) { /* only true and false are its own, and nothing */
    cr_assert(n != 0 && !((n == 4 && strncasecmp(s, "true", 4) == 0) ||
                          (n == 5 && strncasecmp(s, "false", 5) == 0)),
              "bool_short refused \"%.*s\"", (int)n, s);
  }
}

Test(convert, short_cells_match_the_general_conversions) {
  static const char bytes[] = "0159/:\xb0 tTrReEfFaAlLsS\xf4\x14\x34.-";
  const size_t nbytes = sizeof bytes - 1;
  for (size_t n = 0; n <= 4; n++) {
    size_t total = 1;
    for (size_t k = 0; k < n; k++)
      total *= nbytes;
    for (size_t code = 0; code < total; code++) {
      char s[16];
      memset(s, 'e', sizeof s); /* what follows must not count */
      for (size_t k = 0, c = code; k < n; k++, c /= nbytes)
        s[k] = bytes[c % nbytes];
      check_short_cell(s, n);
      s[n] = '0';
      check_short_cell(s, n);
    }
  }
  static const char *const words[] = {"true", "false"};
  for (int w = 0; w < 2; w++) /* every case, every byte changed */
    for (unsigned mask = 0; mask < 32; mask++)
      for (size_t at = 0; at <= 5; at++)
        for (size_t k = 0; k < nbytes; k++) {
          char s[16] = "eeeeeeeeeeeeeee";
          size_t n = strlen(words[w]);
          memcpy(s, words[w], n);
          for (size_t i = 0; i < n; i++)
            if (mask >> i & 1) s[i] = (char)(s[i] - 0x20);
          check_short_cell(s, n);
          if (at < n) s[at] = bytes[k];
          check_short_cell(s, n);
          check_short_cell(s, at);
        }
  unsigned seed = 17;
  for (int i = 0; i < 1000000; i++) {
    char s[16];
    seed = seed * 1103515245u + 12345u;
    size_t n = (seed >> 8) % 11;
    for (size_t k = 0; k < sizeof s; k++) {
      seed = seed * 1103515245u + 12345u;
      s[k] = (seed >> 20) % 4 ? bytes[(seed >> 8) % nbytes] : (char)('0' + (seed >> 12) % 10);
    }
    check_short_cell(s, n);
  }
}

/* The readers' inline date path (convert.h: date_usual) agrees with
 * convert_cell on every date it takes, in every spelling with '-' or
 * '/' and a padded or unpadded month and day, and refuses what
 * convert_cell refuses (bad days, bad shapes). */
Test(convert, date_fast_path) {
  Arena arena;
  arena_init(&arena, 0);
  ReadOpts opts = {0};
  static const char *const shapes[] = {"%04d-%02d-%02d", "%04d/%02d/%02d", "%04d/%d/%d",  "%04d-%d-%d",
                                       "%04d/%d/%02d",   "%04d/%02d/%d",   "%04d-%d/%d",  "%d/%d/%d",
                                       "%04d/%d/%03d",   "%04d//%d/%d",    "%04d/%d/%d/", "%05d/%d/%d"};
  int ntaken = 0;
  for (int y = 1998; y <= 2030; y += 4)
    for (int m = 0; m <= 13; m++)
      for (int d = 0; d <= 32; d++)
        for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
          char s[32];
          size_t n = (size_t)snprintf(s, sizeof s, shapes[k], y, m, d);
          Value slow;
          char err[256];
          bool slow_ok = convert_cell(&date_field, s, n, &opts, false, &arena, &slow, err, sizeof err);
          int32_t days;
          if (!date_usual(s, n, &days)) continue;
          ntaken++;
          cr_assert(slow_ok, "%s: the fast path took what convert_cell refuses", s);
          cr_assert_eq(days, slow.u.date, "%s", s);
        }
  cr_assert_gt(ntaken, 9 * 12 * 28 * 5); /* the padded and unpadded shapes */
  arena_free(&arena);
}

Test(convert, dates) {
  cr_assert_str_eq(convert(&date_field, "2026-11-22", false, 0), "2026-11-22");
  cr_assert_str_eq(convert(&date_field, "2026/11/22", false, 0), "2026-11-22");
  cr_assert_str_eq(convert(&date_field, " 2024-02-29 ", false, 0), "2024-02-29");
  cr_assert_str_eq(convert(&date_field, "2026-02-30", false, 0), "error: invalid date \"2026-02-30\"");
  cr_assert_str_eq(convert(&date_field, "2023-02-29", false, 0), "error: invalid date \"2023-02-29\"");
  cr_assert_str_eq(convert(&date_field, "11/22/2026", false, 0),
                   "error: expected date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日), got \"11/22/2026\"");
  cr_assert_str_eq(convert(&date_field, "2026-11-22T10:00", false, 0),
                   "error: expected date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日), got \"2026-11-22T10:00\"");
}

Test(convert, excel_shapes) {
  /* dates with unpadded month and day, and the Japanese form */
  cr_assert_str_eq(convert(&date_field, "2023/4/1", false, 0), "2023-04-01");
  cr_assert_str_eq(convert(&date_field, "2023-4-01", false, 0), "2023-04-01");
  cr_assert_str_eq(convert(&date_field, "2023年4月1日", false, 0), "2023-04-01");
  cr_assert_str_eq(convert(&date_field, "2023年12月31日", false, 0), "2023-12-31");
  cr_assert_str_eq(convert(&date_field, "２０２３／４／１", false, 0), "2023-04-01");
  cr_assert_str_eq(convert(&date_field, "2023/2/30", false, 0), "error: invalid date \"2023/2/30\"");
  cr_assert_str_eq(convert(&date_field, "2023年2月30日", false, 0), "error: invalid date \"2023年2月30日\"");
  cr_assert_str_eq(convert(&date_field, "2023/4-1", false, 0),
                   "error: expected date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日), got \"2023/4-1\"");
  cr_assert_str_eq(convert(&date_field, "2023/123/1", false, 0),
                   "error: expected date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日), got \"2023/123/1\"");
  cr_assert_str_eq(convert(&date_field, "2023年4月1", false, 0),
                   "error: expected date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日), got \"2023年4月1\"");
  /* percent cells, as the language's own 2% */
  cr_assert_str_eq(convert(&number_field, "2%", false, 0), "0.02");
  cr_assert_str_eq(convert(&number_field, "12.5%", false, 0), "0.125");
  cr_assert_str_eq(convert(&number_field, "-3%", false, 0), "-0.03");
  cr_assert_str_eq(convert(&number_field, "%", false, 0), "error: expected number, got \"%\"");
  cr_assert_str_eq(convert(&number_field, "2%%", false, 0), "error: expected number, got \"2%%\"");
  /* full-width digits, signs, point, percent; full-width spaces around */
  cr_assert_str_eq(convert(&number_field, "１２３", false, 0), "123");
  cr_assert_str_eq(convert(&number_field, "－１２．５", false, 0), "-12.5");
  cr_assert_str_eq(convert(&number_field,
                           "\xE2\x88\x92"
                           "4",
                           false, 0),
                   "-4"); /* U+2212 minus */
  cr_assert_str_eq(convert(&number_field, "＋７", false, 0), "7");
  cr_assert_str_eq(convert(&number_field, "５０％", false, 0), "0.5");
  cr_assert_str_eq(convert(&number_field, "　５　", false, 0), "5");
  cr_assert_str_eq(convert(&number_field, "１，２３４", true, ','), "1234");
  cr_assert_str_eq(
      convert(&number_field, "１，２３４", true, 0),
      "error: expected number, got \"１，２３４\" (a thousands separator is only read in a quoted "
      "cell with --thousands ,)");
  /* はい/いいえ, full-width TRUE */
  cr_assert_str_eq(convert(&bool_field, "はい", false, 0), "true");
  cr_assert_str_eq(convert(&bool_field, "いいえ", false, 0), "false");
  cr_assert_str_eq(convert(&bool_field, "ＴＲＵＥ", false, 0), "true");
  cr_assert_str_eq(convert(&bool_field, "１", false, 0), "true");
}

Test(convert, refused_values_name_the_option) {
  cr_assert_str_eq(convert(&number_field, "NA", false, 0),
                   "error: expected number, got \"NA\" (if it means missing, say so with `--na NA`)");
  cr_assert_str_eq(convert(&number_field, "#N/A", false, 0),
                   "error: expected number, got \"#N/A\" (if it means missing, say so with `--na #N/A`)");
  cr_assert_str_eq(
      convert(&number_field, "#DIV/0!", false, 0),
      "error: expected number, got \"#DIV/0!\" (if it means missing, say so with `--na #DIV/0!`)");
  cr_assert_str_eq(convert(&number_field, "ＮＡ", false, 0), "error: expected number, got \"ＮＡ\"");
  cr_assert_str_eq(
      convert(&bool_field, "-", false, 0),
      "error: expected bool (true/false, yes/no, 1/0, はい/いいえ), got \"-\" (if it means missing, "
      "say so with `--na -`)");
  cr_assert_str_eq(convert(&date_field, "なし", false, 0),
                   "error: expected date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日), got \"なし\" (if it means "
                   "missing, say so with `--na なし`)");
  cr_assert_str_eq(convert(&number_field, "1\x82\xA0", false, 0),
                   "error: expected number, got \"1\\x82\\xA0\" (not UTF-8: give the file's encoding with "
                   "`--encoding`)");
  cr_assert_str_eq(convert(&text_field, "caf\xE9", false, 0),
                   "error: invalid UTF-8 in text \"caf\\xE9\" (not UTF-8: give the file's encoding with "
                   "`--encoding`)");
}

Test(convert, text) {
  cr_assert_str_eq(convert(&text_field, "hello", false, 0), "hello");
  cr_assert_str_eq(convert(&text_field, " kept as is ", false, 0), " kept as is ");
  cr_assert_str_eq(convert(&text_field, "契約プラン", false, 0), "契約プラン");
  cr_assert_str_eq(
      convert(&text_field, "bad \xC3\x28 byte", false, 0),
      "error: invalid UTF-8 in text \"bad \\xC3( byte\" (not UTF-8: give the file's encoding with "
      "`--encoding`)");
  cr_assert_str_eq(
      convert(&text_field, "\xED\xA0\x80", false, 0),
      "error: invalid UTF-8 in text \"\\xED\\xA0\\x80\" (not UTF-8: give the file's encoding with "
      "`--encoding`)");
  Arena arena;
  arena_init(&arena, 0);
  ReadOpts opts = {0};
  Value v;
  char err[128];
  cr_assert(!convert_cell(&text_field, "a\0b", 3, &opts, false, &arena, &v, err, sizeof err));
  cr_assert_str_eq(err, "NUL byte in text");
  cr_assert(convert_cell(&text_field, "12345678901234567890", 20, &opts, false, &arena, &v, err, sizeof err));
  cr_assert_eq(v.type, T_TEXT);
  cr_assert_eq(v.len, 20);
  arena_free(&arena);
}

Test(convert, allowed_values) {
  const FieldSchema *plan = &account_inputs[1];
  cr_assert_str_eq(convert(plan, "pro", false, 0), "pro");
  cr_assert_str_eq(convert(plan, "gold", false, 0),
                   "error: expected one of \"basic\", \"pro\", \"enterprise\", got \"gold\"");
  cr_assert_str_eq(convert(plan, "Pro", false, 0),
                   "error: expected one of \"basic\", \"pro\", \"enterprise\", got \"Pro\"");
}

Test(convert, quoted_values_in_messages) {
  /* Cut after 40 bytes, on a character boundary, with an ellipsis. */
  cr_assert_str_eq(convert(&number_field, "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", false, 0),
                   "error: expected number, got \"abcdefghijklmnopqrstuvwxyzabcdefghijklmn…\"");
  cr_assert_str_eq(convert(&number_field, "あいうえおかきくけこさしすせそ", false, 0),
                   "error: expected number, got \"あいうえおかきくけこさしす…\"");
  /* Control characters, quotes and bad bytes are escaped. */
  cr_assert_str_eq(
      convert(&number_field, "a\"b\\c\nd\te\x01\xFF", false, 0),
      "error: expected number, got \"a\\\"b\\\\c\\nd\\te\\x01\\xFF\" (not UTF-8: give the file's "
      "encoding with `--encoding`)");
  /* A C1 control character (U+009B, a CSI for some terminals) as its bytes. */
  cr_assert_str_eq(convert(&number_field,
                           "x\xC2\x9B"
                           "2J\xC2\xA0",
                           false, 0),
                   "error: expected number, got \"x\\xC2\\x9B2J\xC2\xA0\"");
  char out[16];
  text_for_message(out, sizeof out, "abcdefghijklmnopqrstuvwxyz", 26, 0);
  cr_assert_str_eq(out, "abcdefghijkl…");
}

/* ---- csv ---------------------------------------------------------------------- */

Test(csv, sample_file) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_with(c, FIXTURES "sample.csv", NULL), KENKO_OK);
  EXPECT_NO_DIAGS(c);
  EXPECT_ACCOUNTS(c, "acct-1@2 plan=basic arr=1200.5 start=2026-01-15 active=true nps=9 tickets=-",
                  "acct-2@3 plan=pro arr=300000 start=2025-12-31 active=false nps=- tickets=-",
                  "acct-3@4 plan=enterprise arr=-2500 start=2024-02-29 active=- nps=-1 tickets=-");
  expect_stats(c, 3, 0, false);
  cr_assert_eq(c->ordinals[0], 0);
  cr_assert_eq(c->ordinals[2], 2);
  collected_free(c);
}

Test(csv, quoting) {
  Collected *c = collected_new(&accounts_schema);
  int status = read_string(c, "data.csv",
                           "\"id\",plan,\"arr\",start\n"
                           "\"a \"\"quoted\"\" id\",\"pro\",\"12\",2026-01-01\n"
                           "\"multi\nline\",basic,  7  ,  2026-01-02  \n"
                           "  \"spaced\"  ,basic,1,2026-01-03\n"
                           "after,basic,ten,2026-01-04\n",
                           NULL);
  cr_assert_eq(status, KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a \"quoted\" id@2 plan=pro arr=12 start=2026-01-01 active=- nps=- tickets=-",
                  "multi\nline@3 plan=basic arr=7 start=2026-01-02 active=- nps=- tickets=-",
                  "spaced@5 plan=basic arr=1 start=2026-01-03 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:6:13: error: account \"after\": field \"arr\": expected number, got \"ten\"");
  expect_stats(c, 4, 1, false);
  collected_free(c);
}

Test(csv, quoted_empty_is_missing_and_quoted_blank_is_text) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.csv",
              "id,plan,arr,start,nps\n"
              "a1,basic,1,2026-01-01,\"\"\n"
              "a2,basic,\"\",2026-01-01,\n",
              NULL);
  EXPECT_ACCOUNTS(c, "a1@2 plan=basic arr=1 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:3:10: error: account \"a2\": field \"arr\": missing required value");
  collected_free(c);
}

Test(csv, crlf_and_bom) {
  Collected *c = collected_new(&accounts_schema);
  int status = read_string(c, "data.csv",
                           "\xEF\xBB\xBFid,plan,arr,start\r\n"
                           "a1,basic,1,2026-01-01\r\n"
                           "\r\n"
                           "a2,pro,\"2\"\r\n"
                           "a3,pro,x,2026-01-03\r\n",
                           NULL);
  cr_assert_eq(status, KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@2 plan=basic arr=1 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:4:1: error: account \"a2\": expected 4 cells, got 3",
               "data.csv:5:8: error: account \"a3\": field \"arr\": expected number, got \"x\"");
  expect_stats(c, 3, 2, false);
  collected_free(c);
}

Test(csv, bom_does_not_count_as_a_column) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.csv", "\xEF\xBB\xBFplan,arr,start\nbasic,1,2026-01-01\n", NULL);
  EXPECT_DIAGS(c, "data.csv:1:1: error: missing column \"id\" (required by input id)");
  expect_stats(c, 1, 1, true); /* its record: read, not scored */
  collected_free(c);
}

Test(csv, no_final_newline_and_empty_lines) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_string(c, "data.csv",
                           "\n\nid,plan,arr,start\n\n   \na1,basic,1,2026-01-01\n\n\na2,basic,2,2026-01-02",
                           NULL),
               KENKO_OK);
  EXPECT_NO_DIAGS(c);
  EXPECT_ACCOUNTS(c, "a1@6 plan=basic arr=1 start=2026-01-01 active=- nps=- tickets=-",
                  "a2@9 plan=basic arr=2 start=2026-01-02 active=- nps=- tickets=-");
  expect_stats(c, 2, 0, false);
  collected_free(c);
}

Test(csv, delimiter_and_na) {
  Collected *c = collected_new(&accounts_schema);
  const char *na[] = {"NA", "N/A", "#N/A"};
  ReadOpts opts = {0};
  opts.delimiter = ';';
  opts.na = na;
  opts.nna = 3;
  int status = read_string(c, "data.csv",
                           "id;plan;arr;start;nps;active\n"
                           "a1;pro;1.5;2026-01-01;NA;N/A\n"
                           "a2;pro;2,5;2026-01-01;#N/A;\"NA\"\n"
                           "a3;pro; N/A ;2026-01-01;;\n",
                           &opts);
  cr_assert_eq(status, KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@2 plan=pro arr=1.5 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:3:8: error: account \"a2\": field \"arr\": expected number, got \"2,5\"",
               "data.csv:4:9: error: account \"a3\": field \"arr\": missing required value");
  collected_free(c);
}

Test(csv, tab_delimiter) {
  Collected *c = collected_new(&accounts_schema);
  ReadOpts opts = {0};
  opts.delimiter = '\t';
  cr_assert_eq(read_string(c, "data.csv", "id\tplan\tarr\tstart\na 1\tpro\t 3 \t2026-01-01\n", &opts),
               KENKO_OK);
  EXPECT_ACCOUNTS(c, "a 1@2 plan=pro arr=3 start=2026-01-01 active=- nps=- tickets=-");
  collected_free(c);
}

Test(csv, thousands) {
  Collected *c = collected_new(&accounts_schema);
  ReadOpts opts = {0};
  opts.thousands = ',';
  int status = read_string(c, "data.csv",
                           "id,plan,arr,start\n"
                           "a1,pro,\"1,234,567\",2026-01-01\n"
                           "a2,pro,\"12,34\",2026-01-01\n",
                           &opts);
  cr_assert_eq(status, KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@2 plan=pro arr=1234567 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:3:8: error: account \"a2\": field \"arr\": expected number, got \"12,34\"");
  collected_free(c);

  c = collected_new(&accounts_schema);
  read_string(c, "data.csv", "id,plan,arr,start\na1,pro,\"1,234\",2026-01-01\n", NULL);
  EXPECT_DIAGS(c, "data.csv:2:8: error: account \"a1\": field \"arr\": expected number, got "
                  "\"1,234\" (a thousands separator is only read in a quoted cell with --thousands ,)");
  collected_free(c);
}

Test(csv, cp932) {
  Collected *c = collected_new(&japanese_schema);
  ReadOpts opts = {0};
  opts.encoding = "cp932";
  opts.thousands = ',';
  cr_assert_eq(read_with(c, FIXTURES "cp932.csv", &opts), KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "顧客Ａ@2 plan_jp=プロ arr=120", "顧客Ｃ@4 plan_jp=エンタープライズ arr=3000");
  /* The column counts characters: 顧客Ｂ,ベーシック, is 10 of them. */
  EXPECT_DIAGS(c, FIXTURES "cp932.csv:3:11: error: account \"顧客Ｂ\": field \"arr\": "
                           "expected number, got \"十\"");
  expect_stats(c, 3, 1, false);
  collected_free(c);
}

/* A file bigger than one iconv round, with two-byte characters at every
 * possible chunk boundary. */
Test(csv, cp932_long_file) {
  Collected *c = collected_new(&japanese_schema);
  size_t rows = 20000;
  char *utf8 = malloc(rows * 64 + 64);
  size_t n = (size_t)sprintf(utf8, "id,契約プラン,arr\n");
  for (size_t i = 0; i < rows; i++)
    n += (size_t)sprintf(utf8 + n, "顧客%zu,%sプラン,%zu\n", i, i % 2 ? "ア" : "", i);
  iconv_t cd = iconv_open("CP932", "UTF-8");
  cr_assert(cd != (iconv_t)-1);
  char *sjis = malloc(n * 2);
  char *in = utf8, *out = sjis;
  size_t in_left = n, out_left = n * 2;
  cr_assert(iconv(cd, &in, &in_left, &out, &out_left) != (size_t)-1);
  iconv_close(cd);
  write_bytes(c, "big.csv", sjis, (size_t)(out - sjis));
  ReadOpts opts = {0};
  opts.encoding = "CP932";
  c->stop_after = 0;
  cr_assert_eq(read_with(c, c->path, &opts), KENKO_OK);
  EXPECT_NO_DIAGS(c);
  cr_assert_eq(c->stats.accounts, rows);
  cr_assert_str_eq(c->accounts[1], "顧客1@3 plan_jp=アプラン arr=1");
  free(utf8);
  free(sjis);
  collected_free(c);
}

Test(csv, cp932_bad_bytes) {
  Collected *c = collected_new(&japanese_schema);
  ReadOpts opts = {0};
  opts.encoding = "cp932";
  /* 0x85 0x40 is not a CP932 character; the line before it is kept. */
  const char bytes[] = "id,\x8c\x5f\x96\xf1\x83\x76\x83\x89\x83\x93,arr\n"
                       "a1,x,1\n"
                       "a2,ab\x85\x40,2\n"
                       "a3,x,3\n";
  write_bytes(c, "bad.csv", bytes, sizeof bytes - 1);
  cr_assert_eq(read_with(c, c->path, &opts), KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@2 plan_jp=x arr=1");
  EXPECT_DIAGS(c, "bad.csv:3:6: error: cannot convert from cp932: invalid bytes 0x85 0x40");
  expect_stats(c, 2, 1, true); /* a2, cut: read, not scored */
  collected_free(c);
}

Test(csv, unsupported_encoding) {
  Collected *c = collected_new(&japanese_schema);
  ReadOpts opts = {0};
  opts.encoding = "no-such-encoding";
  cr_assert_eq(read_string(c, "data.csv", "id\n", &opts), KENKO_ERR_USAGE);
  EXPECT_DIAGS(c, "data.csv: error: unsupported encoding \"no-such-encoding\"");
  collected_free(c);
}

Test(csv, wrong_cell_count) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.csv",
              "id,plan,arr,start\n"
              "a1,basic,1,2026-01-01,extra\n"
              "a2,basic\n"
              ",basic,3\n",
              NULL);
  EXPECT_DIAGS(c, "data.csv:2:1: error: account \"a1\": expected 4 cells, got 5",
               "data.csv:3:1: error: account \"a2\": expected 4 cells, got 2",
               "data.csv:4:1: error: account \"data.csv:4\": expected 4 cells, got 3");
  expect_stats(c, 3, 3, false);
  collected_free(c);
}

Test(csv, unterminated_quote) {
  Collected *c = collected_new(&accounts_schema);
  int status = read_string(c, "data.csv",
                           "id,plan,arr,start\n"
                           "a1,basic,1,2026-01-01\n"
                           "a2,basic,2,2026-01-02\n"
                           "a3,\"basic,3,2026-01-03\n"
                           "a4,basic,4,2026-01-04\n",
                           NULL);
  cr_assert_eq(status, KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@2 plan=basic arr=1 start=2026-01-01 active=- nps=- tickets=-",
                  "a2@3 plan=basic arr=2 start=2026-01-02 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:4:4: error: unterminated quoted cell: the quote opened here is never closed");
  expect_stats(c, 3, 1, true); /* a3, cut: read, not scored */
  collected_free(c);
}

Test(csv, text_after_closing_quote) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.csv",
              "id,plan,arr,start\n"
              "a1,\"basic\"x,1,2026-01-01\n"
              "a2,\"pro\",2,2026-01-02\n",
              NULL);
  EXPECT_ACCOUNTS(c, "a2@3 plan=pro arr=2 start=2026-01-02 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:2:4: error: account \"a1\": field \"plan\": text after the closing "
                  "quote of a quoted cell");
  collected_free(c);
}

Test(csv, bad_values) {
  Collected *c = collected_new(&accounts_schema);
  int status = read_string(c, "data.csv",
                           "id,plan,arr,start,active,nps\n"
                           "a1,gold,1,2026-01-01,yes,1\n"
                           "a2,basic,1e999,2026-01-01,yes,1\n"
                           "a3,basic,1,2026-02-30,yes,1\n"
                           "a4,basic,1,2026-01-01,maybe,1\n"
                           "a5,basic,1,2026-01-01,yes,NaN\n"
                           "a6,basic,,2026-01-01,yes,1\n"
                           "a7,basic,ten,,yes,1\n"
                           ",basic,1,2026-01-01,yes,1\n"
                           "a9,b\xC3\x28sic,1,2026-01-01,yes,1\n"
                           "a10,ok,1,2026-01-01,yes,1\n",
                           NULL);
  cr_assert_eq(status, KENKO_ERR_DATA);
  EXPECT_DIAGS(c,
               "data.csv:2:4: error: account \"a1\": field \"plan\": expected one of \"basic\", \"pro\", "
               "\"enterprise\", got \"gold\"",
               "data.csv:3:10: error: account \"a2\": field \"arr\": expected a finite number, got \"1e999\"",
               "data.csv:4:12: error: account \"a3\": field \"start\": invalid date \"2026-02-30\"",
               "data.csv:5:23: error: account \"a4\": field \"active\": expected bool (true/false, yes/no, "
               "1/0, はい/いいえ), got \"maybe\"",
               "data.csv:6:27: error: account \"a5\": field \"nps\": expected a finite number, got \"NaN\"",
               "data.csv:7:10: error: account \"a6\": field \"arr\": missing required value",
               "data.csv:8:10: error: account \"a7\": field \"arr\": expected number, got \"ten\"",
               "data.csv:9:1: error: account \"data.csv:9\": field \"id\": missing required value",
               "data.csv:10:4: error: account \"a9\": field \"plan\": invalid UTF-8 in text "
               "\"b\\xC3(sic\" (not UTF-8: give the file's encoding with `--encoding`)",
               "data.csv:11:5: error: account \"a10\": field \"plan\": expected one of \"basic\", \"pro\", "
               "\"enterprise\", got \"ok\"");
  expect_stats(c, 10, 10, false);
  collected_free(c);
}

Test(csv, nul_byte) {
  Collected *c = collected_new(&accounts_schema);
  const char bytes[] = "id,plan,arr,start\na\0b,basic,1,2026-01-01\na2,basic,2,2026-01-02\n";
  write_bytes(c, "data.csv", bytes, sizeof bytes - 1);
  read_with(c, c->path, NULL);
  EXPECT_ACCOUNTS(c, "a2@3 plan=basic arr=2 start=2026-01-02 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.csv:2:1: error: account \"data.csv:2\": field \"id\": NUL byte in text");
  collected_free(c);
}

Test(csv, missing_columns) {
  Collected *c = collected_new(&accounts_schema);
  int status = read_string(c, "data.csv", "id,plan,nps\na1,basic,3\n", NULL);
  cr_assert_eq(status, KENKO_ERR_DATA);
  EXPECT_DIAGS(c, "data.csv:1:1: error: missing column \"arr\" (required by input arr)",
               "data.csv:1:1: error: missing column \"start\" (required by input start)");
  expect_stats(c, 1, 1, true); /* a1: read, not scored */
  collected_free(c);
}

Test(csv, required_list_input) {
  Collected *c = collected_new(&loose_schema);
  cr_assert_eq(read_string(c, "data.csv", "id,events\na1,x\n", NULL), KENKO_ERR_DATA);
  EXPECT_DIAGS(c, "data.csv: error: input events is a list: lists cannot come from CSV");
  expect_stats(c, 1, 1, true);
  collected_free(c);
}

Test(csv, optional_list_warned) {
  /* An optional list input is missing in every account of a CSV file:
   * the run says so once, and reads on. */
  Collected *c = collected_new(&accounts_schema);
  c->keep_list_warning = true;
  cr_assert_eq(read_string(c, "data.csv", "id,plan,arr,start,tickets\na1,basic,3,2026-01-01,x\n", NULL),
               KENKO_OK);
  EXPECT_DIAGS(c, "data.csv: warning: " CSV_LIST_WARNING ", so it is missing in every account");
  expect_stats(c, 1, 0, false);
  collected_free(c);
}

Test(csv, duplicate_columns) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_string(c, "data.csv", "id,plan,arr,start,x,x,,,arr\n", NULL), KENKO_ERR_DATA);
  EXPECT_DIAGS(c, "data.csv:1:25: error: duplicate column \"arr\" (columns 3 and 9)");
  collected_free(c);
}

Test(csv, empty_file_and_header_only) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_string(c, "empty.csv", "", NULL), KENKO_ERR_DATA);
  cr_assert_eq(read_string(c, "blank.csv", "\n\n", NULL), KENKO_ERR_DATA);
  cr_assert_eq(read_string(c, "header.csv", "id,plan,arr,start\n", NULL), KENKO_OK);
  EXPECT_DIAGS(c, "empty.csv: error: no header row (the file is empty)",
               "blank.csv: error: no header row (the file is empty)");
  expect_stats(c, 0, 0, true);
  collected_free(c);
}

Test(csv, cannot_open) {
  Collected *c = collected_new(&accounts_schema);
  char path[128];
  snprintf(path, sizeof path, "%s/none.csv", c->dir);
  cr_assert_eq(read_with(c, path, NULL), KENKO_ERR_USAGE);
  EXPECT_DIAGS(c, "none.csv: error: cannot open: No such file or directory");
  cr_assert(c->stats.file_error);
  collected_free(c);
}

Test(csv, keyless_accounts_are_named_by_place) {
  Collected *c = collected_new(&keyless_schema);
  read_string(c, "data.csv", "name,seats\nx,1\n,\ny,\"\"\n", NULL);
  EXPECT_ACCOUNTS(c, "data.csv:2@2 name=x seats=1");
  EXPECT_DIAGS(c, "data.csv:3:2: error: account \"data.csv:3\": field \"seats\": missing required value",
               "data.csv:4:3: error: account \"data.csv:4\": field \"seats\": missing required value");
  collected_free(c);
}

Test(csv, strict_stops_at_first_rejection) {
  Collected *c = collected_new(&accounts_schema);
  ReadOpts opts = {0};
  opts.strict = true;
  int status = read_string(
      c, "data.csv",
      "id,plan,arr,start\na1,basic,1,2026-01-01\na2,basic,x,2026-01-01\na3,basic,3,2026-01-01\n", &opts);
  cr_assert_eq(status, KENKO_ERR_DATA);
  cr_assert_eq(c->naccounts, 1);
  cr_assert_eq(c->ndiags, 1);
  expect_stats(c, 2, 1, false);
  collected_free(c);
}

Test(csv, callback_can_stop) {
  Collected *c = collected_new(&accounts_schema);
  c->stop_after = 2;
  int status = read_with(c, FIXTURES "sample.csv", NULL);
  cr_assert_eq(status, KENKO_OK);
  cr_assert_eq(c->naccounts, 2);
  cr_assert_eq(c->stats.accounts, 2);
  collected_free(c);
}

/* Stats and ordinals accumulate over several files. */
Test(csv, stats_accumulate) {
  Collected *c = collected_new(&accounts_schema);
  read_with(c, FIXTURES "sample.csv", NULL);
  read_string(c, "more.csv", "id,plan,arr,start\nb1,pro,x,2026-01-01\nb2,pro,1,2026-01-01\n", NULL);
  expect_stats(c, 5, 1, false);
  cr_assert_eq(c->naccounts, 4);
  cr_assert_eq(c->ordinals[3], 4);
  cr_assert_str_eq(c->accounts[3], "b2@3 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-");
  collected_free(c);
}

/* ReadOpts.expect: how many records a regular file holds, told once
 * before the first account: the lines after the header when the first
 * read holds the whole file (empty ones too: a guess, not a count), else
 * the file's size over the length of the lines read (within 2% for
 * records of about one length). */
static void on_expect(void *ud, uint64_t records) {
  uint64_t *seen = ud;
  seen[0]++;
  seen[1] = records;
}

Test(csv, expect_records) {
  Collected *c = collected_new(&accounts_schema);
  uint64_t seen[2] = {0, 0};
  ReadOpts opts = {0};
  opts.expect = on_expect;
  opts.expect_ud = seen;
  read_string(c, "small.csv", "id,plan,arr,start\na1,basic,1,2026-01-01\n\na2,basic,2,2026-01-02", &opts);
  cr_assert_eq(seen[0], 1);
  cr_assert_eq(seen[1], 2, "%lu", (unsigned long)seen[1]);
  cr_assert_eq(c->naccounts, 2);
  enum { N = 200000 };
  size_t cap = (size_t)N * 40 + 64, n;
  char *text = malloc(cap);
  n = (size_t)sprintf(text, "id,plan,arr,start\n");
  for (int i = 0; i < N; i++)
    n += (size_t)sprintf(text + n, "a%06d,%s,%d,2026-01-%02d\n", i, i % 3 ? "pro" : "enterprise",
                         10000 + i * 7 % 90000, 1 + i % 28);
  write_bytes(c, "large.csv", text, n);
  free(text);
  seen[0] = 0;
  read_with(c, c->path, &opts);
  cr_assert_eq(seen[0], 1);
  cr_assert(seen[1] > N - N / 50 && seen[1] < N + N / 50, "%lu", (unsigned long)seen[1]);
  expect_stats(c, 2 + N, 0, false);
  collected_free(c);
}

/* ReadOpts.values: the one-pass path puts an account's values into the
 * caller's array (the evaluator's input table, in a run) and hands that
 * over; a record the general path reads (a quoted cell) comes in an
 * array of its own, the caller's untouched but for the inputs without a
 * column (absent, once). The values are the same either way. */
typedef struct Placed {
  Collected *c;
  const Value *table;
  int in_table, elsewhere;
} Placed;

static bool on_placed(void *ud, const Account *a, Arena *arena) {
  Placed *p = ud;
  if (a->values == p->table)
    p->in_table++;
  else
    p->elsewhere++;
  return on_account(p->c, a, arena);
}

Test(csv, values_in_the_callers_array) {
  Collected *c = collected_new(&accounts_schema);
  Value table[8];
  for (int i = 0; i < 8; i++)
    table[i] = val_num(-1);
  ReadOpts opts = {0};
  opts.values = table;
  Placed placed = {c, table, 0, 0};
  const char *path = write_text(c, "data.csv",
                                "id,plan,arr,start,active\n"
                                "a1,basic,1,2026-01-01,true\n"
                                "a2,\"pro\",2,2026-01-02,false\n"
                                "a3,enterprise,3,2026-01-03,\n");
  Diag d;
  diag_init(&d, NULL, on_diag, c);
  cr_assert_eq(read_data(path, FMT_CSV, c->schema, &opts, &d, on_placed, &placed, &c->stats), KENKO_OK);
  EXPECT_NO_DIAGS(c);
  EXPECT_ACCOUNTS(c, "a1@2 plan=basic arr=1 start=2026-01-01 active=true nps=- tickets=-",
                  "a2@3 plan=pro arr=2 start=2026-01-02 active=false nps=- tickets=-",
                  "a3@4 plan=enterprise arr=3 start=2026-01-03 active=- nps=- tickets=-");
  cr_assert_eq(placed.in_table, 2);
  cr_assert_eq(placed.elsewhere, 1);
  cr_assert_eq(table[5].type, T_MISSING, "nps: no column");
  cr_assert_eq(table[6].type, T_MISSING, "tickets: no column");
  cr_assert_eq(table[7].type, T_NUMBER, "past the inputs: untouched");
  cr_assert_eq(table[2].type, T_NUMBER);
  cr_assert_eq(table[2].u.num, 3.0, "the last account's");
  collected_free(c);
}

/* A record longer than the first buffer (1 MiB) grows it; lines after a
 * multi-line cell keep their numbers. */
Test(csv, long_records) {
  Collected *c = collected_new(&keyless_schema);
  size_t big = 3u << 20;
  char *text = malloc(big + 200);
  size_t n = (size_t)sprintf(text, "name,seats\n\"");
  for (size_t i = 0; i < big; i++)
    text[n++] = i % 1000 == 999 ? '\n' : 'x';
  n += (size_t)sprintf(text + n, "\",1\nshort,two\n");
  write_bytes(c, "long.csv", text, n);
  read_with(c, c->path, NULL);
  cr_assert_eq(c->naccounts, 1);
  EXPECT_DIAGS(c, "long.csv:3148:7: error: account \"long.csv:3148\": field \"seats\": "
                  "expected number, got \"two\"");
  free(text);
  collected_free(c);
}

/* An unclosed quote does not swallow more than 64 MiB. */
Test(csv, record_limit) {
  Collected *c = collected_new(&keyless_schema);
  char path[128];
  snprintf(path, sizeof path, "%s/huge.csv", c->dir);
  FILE *fp = fopen(path, "wb");
  cr_assert_not_null(fp);
  fputs("name,seats\nok,1\n\"", fp);
  char chunk[65536];
  memset(chunk, 'y', sizeof chunk);
  for (int i = 0; i < 1040; i++)
    fwrite(chunk, 1, sizeof chunk, fp);
  fclose(fp);
  snprintf(c->files[c->nfiles++], sizeof c->files[0], "%s", path);
  cr_assert_eq(read_with(c, path, NULL), KENKO_ERR_DATA);
  cr_assert_eq(c->naccounts, 1);
  EXPECT_DIAGS(c, "huge.csv:3:1: error: CSV record longer than 64 MiB (an unclosed quote?)");
  expect_stats(c, 2, 1, true); /* the huge one: read, not scored */
  collected_free(c);
}

Test(csv, columns) {
  Collected *c = collected_new(&accounts_schema);
  Diag d;
  diag_init(&d, NULL, on_diag, c);
  int32_t count = 0;
  char **cols = reader_columns(FIXTURES "sample.csv", FMT_AUTO, NULL, &d, &count);
  cr_assert_not_null(cols);
  cr_assert_eq(count, 7);
  cr_assert_str_eq(cols[0], "id");
  cr_assert_str_eq(cols[6], "notes");
  reader_free_columns(cols, count);
  cr_assert_null(reader_columns(FIXTURES "nothing.txt", FMT_AUTO, NULL, &d, &count));
  EXPECT_DIAGS(c, FIXTURES "nothing.txt: error: unknown data format (expected a .csv, .yaml, "
                           ".yml, .json or .jsonl file)");
  collected_free(c);
}

Test(csv, format_for) {
  cr_assert_eq(reader_format_for("a.csv"), FMT_CSV);
  cr_assert_eq(reader_format_for("dir.v2/A.CSV"), FMT_CSV);
  cr_assert_eq(reader_format_for("a.yaml"), FMT_YAML);
  cr_assert_eq(reader_format_for("a.yml"), FMT_YAML);
  cr_assert_eq(reader_format_for("a.json"), FMT_JSON);
  cr_assert_eq(reader_format_for("a.txt"), FMT_AUTO);
  cr_assert_eq(reader_format_for("dir.csv/data"), FMT_AUTO);
  cr_assert_eq(reader_format_for("csv"), FMT_AUTO);
}

/* ---- yaml ---------------------------------------------------------------------- */

Test(yaml, sample_file) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_with(c, FIXTURES "sample.yaml", NULL), KENKO_OK);
  EXPECT_NO_DIAGS(c);
  EXPECT_ACCOUNTS(c,
                  "acct-1@6 plan=basic arr=1200.5 start=2026-01-15 active=true nps=9 "
                  "tickets=[{high,2026-02-01,-},{low,2026-02-03,2026-02-04}]",
                  "acct-2@17 plan=pro arr=300000 start=2025-12-31 active=false nps=- tickets=-",
                  "acct-3@24 plan=enterprise arr=-2500 start=2024-02-29 active=- nps=- tickets=[]");
  expect_stats(c, 3, 0, false);
  collected_free(c);
}

Test(yaml, json_file) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_with(c, FIXTURES "sample.json", NULL), KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c,
                  "acct-1@3 plan=basic arr=1200.5 start=2026-01-15 active=true nps=9 "
                  "tickets=[{high,2026-02-01,-}]",
                  "acct-2@6 plan=pro arr=300000 start=2025-12-31 active=false nps=- tickets=-");
  EXPECT_DIAGS(c, FIXTURES "sample.json:8:30: error: account \"acct-3\": field \"plan\": "
                           "expected one of \"basic\", \"pro\", \"enterprise\", got \"gold\"");
  expect_stats(c, 3, 1, false);
  collected_free(c);
}

Test(yaml, nulls_are_missing) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml",
              "- {id: a1, plan: pro, arr: 1, start: 2026-01-01, nps: ~, active: null}\n"
              "- {id: a2, plan: pro, arr: 1, start: 2026-01-01, nps: '', active: NULL, tickets: ~}\n"
              "- id: a3\n"
              "  plan: pro\n"
              "  arr:\n"
              "  start: 2026-01-01\n"
              "- {id: a4, plan: pro, arr: \"\", start: 2026-01-01}\n"
              "- {id: a5, plan: pro, arr: !!str null, start: 2026-01-01}\n",
              NULL);
  EXPECT_ACCOUNTS(c, "a1@1 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-",
                  "a2@2 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.yaml:5:7: error: account \"a3\": field \"arr\": missing required value",
               "data.yaml:7:28: error: account \"a4\": field \"arr\": missing required value",
               "data.yaml:8:28: error: account \"a5\": field \"arr\": expected number, got \"null\"");
  expect_stats(c, 5, 3, false);
  collected_free(c);
}

Test(yaml, scalars) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml",
              "- {id: 00123, plan: \"pro\", arr: '1e3', start: 2026/01/02, active: Yes}\n"
              "- {id: 4.50, plan: pro, arr: 0x10, start: 2026-01-02}\n"
              "- {id: a3, plan: pro, arr: .inf, start: 2026-01-02}\n"
              "- {id: a4, plan: pro, arr: 1, start: 2026-02-29}\n"
              "- {id: \"a\\0b\", plan: pro, arr: 1, start: 2026-02-28}\n",
              NULL);
  EXPECT_ACCOUNTS(c, "00123@1 plan=pro arr=1000 start=2026-01-02 active=true nps=- tickets=-");
  EXPECT_DIAGS(c, "data.yaml:2:30: error: account \"4.50\": field \"arr\": expected number, got \"0x10\"",
               "data.yaml:3:28: error: account \"a3\": field \"arr\": expected a finite number, got \".inf\"",
               "data.yaml:4:38: error: account \"a4\": field \"start\": invalid date \"2026-02-29\"",
               "data.yaml:5:8: error: account \"data.yaml:5\": field \"id\": NUL byte in text");
  collected_free(c);
}

Test(yaml, lists) {
  Collected *c = collected_new(&accounts_schema);
  read_string(
      c, "data.yaml",
      "- id: a1\n"
      "  plan: pro\n"
      "  arr: 1\n"
      "  start: 2026-01-01\n"
      "  tickets:\n"
      "    - {priority: high, opened: 2026-01-02, closed: 2026-01-03, extra: [1, {x: 2}]}\n"
      "    - {opened: 2026-01-04, priority: low}\n"
      "- id: a2\n"
      "  plan: pro\n"
      "  arr: 1\n"
      "  start: 2026-01-01\n"
      "  tickets:\n"
      "    - {priority: high, opened: 2026-01-02}\n"
      "    - {priority: high}\n"
      "- {id: a3, plan: pro, arr: 1, start: 2026-01-01, tickets: [{priority: x, opened: never}]}\n"
      "- {id: a4, plan: pro, arr: 1, start: 2026-01-01, tickets: [{priority: x, opened: 2026-01-01}, 7]}\n"
      "- {id: a5, plan: pro, arr: 1, start: 2026-01-01, tickets: high}\n"
      "- {id: a6, plan: pro, arr: 1, start: 2026-01-01, tickets: {priority: x}}\n"
      "- {id: a7, plan: pro, arr: 1, start: 2026-01-01, tickets: [{priority: x, opened: 2026-01-01, opened: "
      "2026-01-02}]}\n"
      "- {id: a8, plan: pro, arr: 1, start: 2026-01-01, tickets: [{priority: [x], opened: 2026-01-01}]}\n",
      NULL);
  EXPECT_ACCOUNTS(c, "a1@1 plan=pro arr=1 start=2026-01-01 active=- nps=- "
                     "tickets=[{high,2026-01-02,2026-01-03},{low,2026-01-04,-}]");
  EXPECT_DIAGS(
      c, "data.yaml:14:7: error: account \"a2\": field \"tickets[1].opened\": missing required value",
      "data.yaml:15:82: error: account \"a3\": field \"tickets[0].opened\": expected date "
      "(YYYY-MM-DD, YYYY/M/D or YYYY年M月D日), got \"never\"",
      "data.yaml:16:95: error: account \"a4\": field \"tickets[1]\": expected a mapping (a list "
      "element), got \"7\"",
      "data.yaml:17:59: error: account \"a5\": field \"tickets\": expected a list, got \"high\"",
      "data.yaml:18:59: error: account \"a6\": field \"tickets\": expected a list, got a mapping",
      "data.yaml:19:94: error: account \"a7\": duplicate field \"tickets[0].opened\"",
      "data.yaml:20:71: error: account \"a8\": field \"tickets[0].priority\": expected text, got a list");
  expect_stats(c, 8, 7, false);
  collected_free(c);
}

Test(yaml, list_length_limit) {
  Collected *c = collected_new(&loose_schema);
  size_t count = 1000001;
  char *text = malloc(count * 3 + 100);
  size_t n = (size_t)sprintf(text, "- id: many\n  events: [");
  for (size_t i = 0; i < count; i++)
    n += (size_t)sprintf(text + n, "{},");
  n += (size_t)sprintf(text + n, "]\n- {id: few, events: [{note: hi}, {}]}\n");
  write_bytes(c, "many.yaml", text, n);
  free(text);
  read_with(c, c->path, NULL);
  EXPECT_ACCOUNTS(c, "few@3 events=[{hi},{-}]");
  EXPECT_DIAGS(c, "many.yaml:2:3000012: error: account \"many\": list \"events\" has more than "
                  "1000000 elements");
  expect_stats(c, 2, 1, false);
  collected_free(c);
}

Test(yaml, mapping_where_a_value_belongs) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml",
              "- id: a1\n"
              "  plan: pro\n"
              "  arr: {amount: 3}\n"
              "  start: [2026-01-01]\n"
              "- id: [a2]\n"
              "  plan: pro\n"
              "- 17\n"
              "- ~\n"
              "- [1, 2]\n",
              NULL);
  EXPECT_DIAGS(c, "data.yaml:3:8: error: account \"a1\": field \"arr\": expected number, got a mapping",
               "data.yaml:5:7: error: account \"data.yaml:5\": field \"id\": expected text, got a list",
               "data.yaml:7:3: error: account \"data.yaml:7\": expected an account (a mapping), got \"17\"",
               "data.yaml:8:3: error: account \"data.yaml:8\": expected an account (a mapping), got null",
               "data.yaml:9:3: error: account \"data.yaml:9\": expected an account (a mapping), got a list");
  expect_stats(c, 5, 5, false);
  collected_free(c);
}

Test(yaml, key_anywhere_and_unknown_keys) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml",
              "- plan: pro\n"
              "  unknown: {a: [1, 2, {b: [3]}], c: d}\n"
              "  ? [complex, key]\n"
              "  : value\n"
              "  arr: x\n"
              "  start: 2026-01-01\n"
              "  id: late-key\n"
              "- plan: pro\n"
              "  arr: 1\n",
              NULL);
  EXPECT_DIAGS(c, "data.yaml:5:8: error: account \"late-key\": field \"arr\": expected number, got \"x\"",
               "data.yaml:8:3: error: account \"data.yaml:8\": field \"id\": missing required value");
  collected_free(c);
}

/* Columns count code points, as in CSV files. */
Test(yaml, columns_count_characters) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml", "- {id: 顧客, plan: pro, arr: x, start: 2026-01-01}\n", NULL);
  EXPECT_DIAGS(c, "data.yaml:1:28: error: account \"顧客\": field \"arr\": expected number, got \"x\"");
  collected_free(c);
}

Test(yaml, duplicate_key) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml",
              "- {id: a1, plan: pro, arr: 1, start: 2026-01-01, arr: 2}\n"
              "- {id: a2, plan: pro, arr: 1, start: 2026-01-01, other: 1, other: 2}\n",
              NULL);
  EXPECT_ACCOUNTS(c, "a2@2 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, "data.yaml:1:50: error: account \"a1\": duplicate field \"arr\"");
  collected_free(c);
}

Test(yaml, syntax_error_keeps_earlier_accounts) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_with(c, FIXTURES "broken.yaml", NULL), KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@1 plan=basic arr=1 start=2026-01-01 active=- nps=- tickets=-",
                  "a2@5 plan=pro arr=2 start=2026-01-02 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, FIXTURES "broken.yaml:18:1: error: YAML syntax: found unexpected end of stream "
                           "(while scanning a quoted scalar that starts at line 13)");
  expect_stats(c, 3, 1, true); /* the one cut: read, not scored */
  collected_free(c);
}

Test(yaml, syntax_error_in_flow) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml",
              "[{id: a1, plan: pro, arr: 1, start: 2026-01-01},\n"
              " {id: a2, plan: pro, arr: 1 start: 2026-01-01}]\n",
              NULL);
  EXPECT_ACCOUNTS(c, "a1@1 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-");
  cr_assert_eq(c->ndiags, 1);
  cr_assert(strncmp(c->diags[0], "data.yaml:2:", 12) == 0, "%s", c->diags[0]);
  cr_assert(strstr(c->diags[0], "error: YAML syntax: ") != NULL, "%s", c->diags[0]);
  expect_stats(c, 2, 1, true); /* a2, cut: read, not scored */
  collected_free(c);
}

/* Invalid UTF-8 rejects the account whose value holds it (at the value),
 * not the file: libyaml never sees it (read_input). */
Test(yaml, invalid_utf8_is_located) {
  Collected *c = collected_new(&accounts_schema);
  read_string(c, "data.yaml",
              "- {id: a1, plan: pro, arr: 1, start: 2026-01-01}\n"
              "- {id: \"\xC3\x28\", plan: pro, arr: 1, start: 2026-01-01}\n"
              "- {id: a3, plan: pro, arr: 1, start: 2026-01-01}\n",
              NULL);
  EXPECT_DIAGS(c, "data.yaml:2:8: error: account \"data.yaml:2\": field \"id\": invalid UTF-8 (byte 0xC3)");
  expect_stats(c, 3, 1, false);
  collected_free(c);
}

Test(yaml, billion_laughs) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_with(c, FIXTURES "billion_laughs.yaml", NULL), KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "fine@15 plan=pro arr=2 start=2026-01-02 active=- nps=- tickets=-");
  EXPECT_DIAGS(c, FIXTURES "billion_laughs.yaml:7:3: error: account \"lol\": YAML aliases are not supported",
               FIXTURES "billion_laughs.yaml:20:9: error: account \"lol2\": field \"plan\": YAML aliases "
                        "are not supported");
  expect_stats(c, 3, 2, false);
  collected_free(c);
}

/* Deep nesting is a clear error, wherever it is, and never a crash. */
Test(yaml, deep_nesting) {
  Collected *c = collected_new(&accounts_schema);
  size_t depth = 10000;
  char *text = malloc(depth * 2 + 200);
  /* A declared input's value 100 deep rejects its account (at level 65),
   * and the reader goes on. */
  size_t n = (size_t)sprintf(text, "- {id: a1, plan: pro, arr: 1, start: 2026-01-01}\n- {id: a2, arr: ");
  for (size_t i = 0; i < 100; i++)
    text[n++] = '[';
  for (size_t i = 0; i < 100; i++)
    text[n++] = ']';
  n += (size_t)sprintf(text + n,
                       ", plan: pro, start: 2026-01-01}\n- {id: a3, plan: pro, arr: 3, start: 2026-01-01}\n");
  write_bytes(c, "deep.yaml", text, n);
  cr_assert_eq(read_with(c, c->path, NULL), KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@1 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-",
                  "a3@3 plan=pro arr=3 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(c,
               "deep.yaml:2:79: error: account \"a2\": field \"arr\": YAML nested too deeply (limit is 64)");
  expect_stats(c, 3, 1, false);

  /* 10,000 deep (in a field no input declares): libyaml would keep a stack
   * entry per level, so the file stops at 10,000 levels. */
  c->ndiags = 0;
  c->naccounts = 0;
  memset(&c->stats, 0, sizeof c->stats);
  n = (size_t)sprintf(text, "- {id: a1, plan: pro, arr: 1, start: 2026-01-01}\n- {id: a2, x: ");
  for (size_t i = 0; i < depth; i++)
    text[n++] = '[';
  for (size_t i = 0; i < depth; i++)
    text[n++] = ']';
  n += (size_t)sprintf(text + n, "}\n");
  write_bytes(c, "deep1.yaml", text, n);
  cr_assert_eq(read_with(c, c->path, NULL), KENKO_ERR_DATA);
  EXPECT_ACCOUNTS(c, "a1@1 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-");
  EXPECT_DIAGS(
      c, "deep1.yaml:2:10013: error: YAML nested deeper than 10000 levels (the file is not read further)");
  expect_stats(c, 2, 1, true); /* a2, cut: read, not scored */

  /* At the root too. */
  n = 0;
  for (size_t i = 0; i <= depth; i++)
    text[n++] = '[';
  write_bytes(c, "deep2.yaml", text, n);
  c->ndiags = 0;
  cr_assert_eq(read_with(c, c->path, NULL), KENKO_ERR_DATA);
  EXPECT_DIAGS(
      c, "deep2.yaml:1:10001: error: YAML nested deeper than 10000 levels (the file is not read further)");
  free(text);
  collected_free(c);
}

Test(yaml, shapes) {
  Collected *c = collected_new(&accounts_schema);
  cr_assert_eq(read_string(c, "a.yaml", "just text\n", NULL), KENKO_ERR_DATA);
  cr_assert_eq(read_string(c, "b.yaml", "{other: 1}\n", NULL), KENKO_ERR_DATA);
  cr_assert_eq(read_string(c, "c.yaml", "accounts: 3\n", NULL), KENKO_ERR_DATA);
  cr_assert_eq(read_string(c, "d.yaml", "", NULL), KENKO_OK);
  cr_assert_eq(read_string(c, "e.yaml", "accounts:\n", NULL), KENKO_OK);
  cr_assert_eq(read_string(c, "f.yaml", "[]\n", NULL), KENKO_OK);
  cr_assert_eq(read_string(c, "g.yaml",
                           "- {id: a1, plan: pro, arr: 1, start: 2026-01-01}\n---\n"
                           "accounts: [{id: a2, plan: pro, arr: 2, start: 2026-01-01}]\n",
                           NULL),
               KENKO_OK);
  EXPECT_DIAGS(c, "a.yaml:1:1: error: expected a list of accounts, or a mapping with an \"accounts\" key",
               "b.yaml:1:1: error: no \"accounts\" key: expected a list of accounts, or a mapping with an "
               "\"accounts\" key",
               "c.yaml:1:11: error: \"accounts\" must hold a list of accounts");
  EXPECT_ACCOUNTS(c, "a1@1 plan=pro arr=1 start=2026-01-01 active=- nps=- tickets=-",
                  "a2@3 plan=pro arr=2 start=2026-01-01 active=- nps=- tickets=-");
  collected_free(c);
}

Test(yaml, strict_and_stop) {
  Collected *c = collected_new(&accounts_schema);
  ReadOpts opts = {0};
  opts.strict = true;
  read_string(c, "data.yaml",
              "- {id: a1, plan: pro, arr: 1, start: 2026-01-01}\n"
              "- {id: a2, plan: pro, arr: x, start: 2026-01-01}\n"
              "- {id: a3, plan: pro, arr: 1, start: 2026-01-01}\n",
              &opts);
  cr_assert_eq(c->naccounts, 1);
  expect_stats(c, 2, 1, false);
  collected_free(c);

  c = collected_new(&accounts_schema);
  c->stop_after = 1;
  cr_assert_eq(read_with(c, FIXTURES "sample.yaml", NULL), KENKO_OK);
  cr_assert_eq(c->naccounts, 1);
  cr_assert_eq(c->stats.accounts, 1);
  collected_free(c);
}

Test(yaml, cannot_open_and_encoding) {
  Collected *c = collected_new(&accounts_schema);
  char path[128];
  snprintf(path, sizeof path, "%s/none.yaml", c->dir);
  cr_assert_eq(read_with(c, path, NULL), KENKO_ERR_USAGE);
  ReadOpts opts = {0};
  opts.encoding = "cp932";
  cr_assert_eq(read_with(c, FIXTURES "sample.yaml", &opts), KENKO_ERR_USAGE);
  EXPECT_DIAGS(c, "none.yaml: error: cannot open: No such file or directory",
               FIXTURES "sample.yaml: error: encoding \"cp932\" is only supported for CSV files (YAML "
                        "and JSON are read as UTF-8)");
  collected_free(c);
}

Test(yaml, columns) {
  Collected *c = collected_new(&accounts_schema);
  Diag d;
  diag_init(&d, NULL, on_diag, c);
  int32_t count = 0;
  char **cols = reader_columns(FIXTURES "sample.yaml", FMT_AUTO, NULL, &d, &count);
  cr_assert_not_null(cols);
  const char *want[] = {"id", "plan", "arr", "start", "active", "nps", "tickets", "notes"};
  cr_assert_eq(count, 8);
  for (int i = 0; i < 8; i++)
    cr_assert_str_eq(cols[i], want[i]);
  reader_free_columns(cols, count);

  cols = reader_columns(FIXTURES "sample.json", FMT_JSON, NULL, &d, &count);
  cr_assert_not_null(cols);
  cr_assert_eq(count, 8);
  cr_assert_str_eq(cols[7], "extra");
  reader_free_columns(cols, count);

  cr_assert_null(reader_columns(FIXTURES "broken.yaml", FMT_YAML, NULL, &d, &count));
  cr_assert_eq(c->ndiags, 1);
  collected_free(c);
}

/* Memory does not grow with the number of accounts: many accounts are
 * read with the arena reset each time (checked under the sanitizers and
 * valgrind as no leak; here for the count). */
Test(yaml, many_accounts) {
  Collected *c = collected_new(&accounts_schema);
  size_t count = 20000;
  char *text = malloc(count * 80 + 16);
  size_t n = 0;
  for (size_t i = 0; i < count; i++)
    n += (size_t)sprintf(text + n, "- {id: a%zu, plan: pro, arr: %zu, start: 2026-01-01}\n", i, i);
  write_bytes(c, "many.yaml", text, n);
  free(text);
  cr_assert_eq(read_with(c, c->path, NULL), KENKO_OK);
  expect_stats(c, count, 0, false);
  collected_free(c);
}

/* ---- CSV pieces (read_jobs.c) ------------------------------------------------ */

/* csv_piece_end and csv_piece_take (both scans) against a byte-by-byte
 * reference: for every start at a record boundary and every target, the
 * end is just after the first line feed outside quotes at target - 1 or
 * later (the file's size when there is none), the line feeds before it
 * are counted, those inside quotes too, and the bytes kept are the
 * file's. The data has quoted stretches across the 64-byte groups and
 * the 64 KiB blocks the scan reads. */
Test(csv_pieces, piece_end_matches_a_byte_scan) {
  char path[] = "/tmp/kenko-pieces-XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  size_t cap = 200000, n = 0;
  char *s = malloc(cap);
  for (int i = 0; n + 300 < cap; i++) {
    n += (size_t)snprintf(s + n, cap - n, "a%d,", i);
    if (i % 3 == 0) n += (size_t)snprintf(s + n, cap - n, "\"q%*s\n\"\"x\"", i % 150, "");
    n += (size_t)snprintf(s + n, cap - n, ",z%s", i % 5 ? "\n" : "\r\n");
  }
  cr_assert_eq(write(fd, s, n), (ssize_t)n);
  bool *boundary = calloc(n + 1, sizeof *boundary); /* just after a line feed outside quotes */
  bool quoted = false;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == '\n' && !quoted) boundary[i + 1] = true;
  }
  size_t starts[] = {0, 0, 0};
  for (size_t i = 1, k = 1; i <= n && k < 3; i++)
    if (boundary[i] && (k == 1 ? i > 1000 : i > 70000)) starts[k++] = i;
  for (int k = 0; k < 3; k++) {
    for (size_t target = starts[k] + 1; target <= n; target += target < starts[k] + 3000 ? 1 : 997) {
      size_t want = target - 1;
      while (want < n && !boundary[want + 1])
        want++;
      want = want < n ? want + 1 : n;
      size_t feeds = 0;
      for (size_t i = starts[k]; i < want; i++)
        feeds += s[i] == '\n';
      /* the portable scan, and AVX2 where there is one; each with the
       * bytes kept (csv_piece_take) and not */
      for (int way = 0; way < 4; way++) {
        bool wide = way & 1;
        CsvPiece keep = {.begin = starts[k]};
        uint64_t lines;
        uint64_t end = csv_piece_scan(fd, starts[k], target, n, &lines, wide, way & 2 ? &keep : NULL);
        cr_assert_eq(end, want, "from %zu to %zu (way %d): %llu, wanted %zu", starts[k], target, way,
                     (unsigned long long)end, want);
        cr_assert_eq(lines, feeds, "from %zu to %zu (way %d)", starts[k], target, way);
        if (way & 2) { /* the piece's bytes, with room for the reader's padding after them */
          cr_assert(keep.bytes != NULL && keep.bytes_read);
          cr_assert_geq(keep.bytes_cap, want - starts[k] + 64);
          cr_assert_eq(memcmp(keep.bytes, s + starts[k], want - starts[k]), 0, "from %zu to %zu", starts[k],
                       target);
          free(keep.bytes);
        }
      }
    }
  }
  free(boundary);
  free(s);
  close(fd);
  unlink(path);
}

/* What a read gave, in order: each account (id, line, ordinal, its
 * values, the counts at that moment) and each diagnostic, as text; and
 * how many accounts came with what a reading thread made of them
 * (Account.work: replayed) or without (read by the calling thread
 * itself, as read_data does). */
typedef struct Trace {
  char *text;
  size_t len, cap;
  const Schema *schema;
  const ReadStats *stats;
  int accounts, stop_after, replayed, direct;
  int helped;           /* replayed accounts the calling thread read (trace_slow_account) */
  int expected;         /* ReadOpts.expect's calls */
  uint64_t expect_what; /* and the records it was told */
  /* accounts whose values came in the array the reader was given
   * (ReadOpts.values, JobWork.inputs): on this thread, and on a worker
   * (the packed account's head says) */
  const Value *given;
  int in_place, in_place_there;
  /* a compact work's texts handed over since the last JobWork.replayed:
   * where they begin and end (they follow each other in their batch), a
   * copy of them, and what was found wrong with them */
  const char *kept, *kept_end;
  Buf copy;
  int batches, apart, changed, aheads;
  int packed, runs; /* accounts that came through JobWork.packed_run, in runs */
} Trace;

static void trace_expect(void *ud, uint64_t records) {
  Trace *t = ud;
  t->expected++;
  t->expect_what = records;
}

static void trace_put(Trace *t, const char *s) {
  size_t n = strlen(s);
  if (t->len + n + 1 > t->cap) {
    t->cap = 2 * (t->len + n + 1);
    t->text = realloc(t->text, t->cap);
    cr_assert_not_null(t->text);
  }
  memcpy(t->text + t->len, s, n + 1);
  t->len += n;
}

static const char trace_mark_caller;
static bool slow_work; /* trace_read_in: workers slow (slow_off_caller) */
static void slow_off_caller(void);
static bool trace_account(void *ud, const Account *a, Arena *arena) {
  Trace *t = ud;
  (void)arena;
  char line[LINE_MAX_BYTES];
  snprintf(line, sizeof line, "%s@%u #%llu (%llu, %llu)", a->id, a->line, (unsigned long long)a->ordinal,
           (unsigned long long)t->stats->accounts, (unsigned long long)t->stats->rejected);
  if (a->text) { /* a compact work's (trace_pack): the values as text, made there */
    if (!t->kept) t->kept = t->kept_end = a->text;
    t->apart += a->text != t->kept_end;
    t->kept_end = a->text + a->text_len;
    buf_put(&t->copy, a->text, a->text_len);
    strncat(line, a->text, a->text_len < sizeof line - strlen(line) - 1 ? a->text_len : 0);
    t->in_place_there += *(const char *)a->work;
  } else {
    for (int32_t i = 0; i < t->schema->ninputs; i++) {
      strncat(line, " ", sizeof line - strlen(line) - 1);
      describe_value(&t->schema->inputs[i], a->values[i], line, sizeof line);
    }
    t->in_place += t->given && a->values == t->given;
  }
  strncat(line, "\n", sizeof line - strlen(line) - 1);
  trace_put(t, line);
  if (a->work)
    t->replayed++, t->helped += a->work == &trace_mark_caller;
  else
    t->direct++;
  t->accounts++;
  return !(t->stop_after && t->accounts >= t->stop_after);
}

static void trace_diag(void *ud, const kenko_diag *d) { trace_put(ud, d->rendered); }

/* trace_read_in: the compact work has no JobWork.packed_run (its
 * accounts come to the callback one by one, with JobWork.ahead). */
static bool trace_each;

/* JobWork.packed_run: a run of a compact work's accounts, each traced
 * as any other, with the counts the run's say it had (the first's
 * while the run is handled, one account more each). */
static bool trace_packed_run(void *ud, const PackedRun *run, size_t *done) {
  Trace *t = ud;
  const ReadStats *counts = t->stats;
  cr_assert_eq(counts->accounts, run->ordinal + 1, "the counts are the run's first account's");
  ReadStats now = *counts;
  t->runs++;
  Account a = {.file = run->file};
  bool go = true;
  size_t k = 0;
  for (; go && k < run->n; k++) {
    packed_account(run, k, &a);
    now.accounts = counts->accounts + k;
    t->stats = &now;
    t->packed++;
    go = trace_account(ud, &a, NULL);
  }
  t->stats = counts;
  *done = k;
  return go;
}

static const char trace_mark = 'w';
/* what trace_slow_account and trace_slow_pack made of an account read by
 * the calling thread (read_jobs.c's help) */
static const char trace_mark_caller = 'c';
static pthread_t trace_caller;
static int slow_packs_on_caller;
static void *trace_work_start(void *ud) { return ud; }
static const void *trace_work_account(void *state, const Account *a, Arena *arena) {
  (void)state;
  (void)a;
  (void)arena;
  return &trace_mark;
}
static void trace_work_stop(void *state) { (void)state; }

/* Spins for a few microseconds off the calling thread: the workers are
 * slow, the calling thread finds their pieces unread. */
static void slow_off_caller(void) {
  if (pthread_equal(pthread_self(), trace_caller)) return;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do
    clock_gettime(CLOCK_MONOTONIC, &t);
  while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 10000);
}
static const void *trace_slow_account(void *state, const Account *a, Arena *arena) {
  (void)state;
  (void)a;
  (void)arena;
  slow_off_caller();
  return pthread_equal(pthread_self(), trace_caller) ? &trace_mark_caller : &trace_mark;
}

/* A compact work (JobWork.pack) with an input array of its own per
 * thread (JobWork.inputs): the head says whether the account's values
 * were there, the text is what trace_account writes of the values. */
typedef struct TracePack {
  Value values[8];
} TracePack;
static void *trace_pack_start(void *ud) {
  (void)ud;
  TracePack *tp = calloc(1, sizeof *tp);
  cr_assert_not_null(tp);
  return tp;
}
static void trace_pack_stop(void *state) { free(state); }
static Value *trace_pack_inputs(void *state) { return ((TracePack *)state)->values; }
/* JobWork.ahead, .replayed: the texts handed over since the batch began
 * are still there, unchanged, when it ends. */
static void trace_ahead(void *ud, const void *work) {
  Trace *t = ud;
  t->aheads += work != NULL;
}
static void trace_replayed(void *ud) {
  Trace *t = ud;
  t->batches++;
  if (t->kept &&
      ((size_t)(t->kept_end - t->kept) != t->copy.len || memcmp(t->kept, t->copy.data, t->copy.len)))
    t->changed++;
  t->kept = t->kept_end = NULL;
  t->copy.len = 0;
}
/* trace_pack's calls, and those in which the text's Buf grew (on any
 * thread: batch_bytes_start_with_room) */
static atomic_int text_packs, text_grows;
static size_t trace_pack(void *state, const Account *a, Buf *head, Buf *text) {
  TracePack *tp = state;
  size_t cap = text->cap;
  if (slow_work) {
    slow_off_caller();
    slow_packs_on_caller += pthread_equal(pthread_self(), trace_caller);
  }
  buf_putc(head, a->values == tp->values);
  size_t id = head->len; /* (the id after the byte: its offset is returned) */
  buf_put(head, a->id, strlen(a->id) + 1);
  char line[LINE_MAX_BYTES] = "";
  for (int32_t i = 0; i < accounts_schema.ninputs; i++) {
    strncat(line, " ", sizeof line - strlen(line) - 1);
    describe_value(&accounts_schema.inputs[i], a->values[i], line, sizeof line);
  }
  buf_puts(text, line);
  atomic_fetch_add(&text_packs, 1);
  if (text->cap != cap) atomic_fetch_add(&text_grows, 1);
  return id;
}

/* Reads PATH (CSV, accounts_schema) with JOBS threads (read_data at 1),
 * the callback stopping after STOP_AFTER accounts (0: never), into *T;
 * returns the status, the counts in *STATS. GIVEN (or NULL): the array
 * the calling thread's reader converts into (ReadOpts.values), and the
 * work a compact one with arrays of its own (trace_pack). */
static int trace_read_in(Trace *t, const char *path, int jobs, int stop_after, ReadStats *stats,
                         Value *given) {
  memset(t, 0, sizeof *t);
  memset(stats, 0, sizeof *stats);
  buf_init(&t->copy, NULL);
  t->schema = &accounts_schema;
  t->stats = stats;
  t->stop_after = stop_after;
  trace_put(t, "");
  Diag d;
  diag_init(&d, NULL, trace_diag, t);
  ReadOpts opts = {.delimiter = ',', .expect = trace_expect, .expect_ud = t, .values = given};
  t->given = given;
  JobWork work = {.start = trace_work_start,
                  .account = slow_work ? trace_slow_account : trace_work_account,
                  .stop = trace_work_stop};
  trace_caller = pthread_self();
  JobWork packed = {.start = trace_pack_start,
                    .stop = trace_pack_stop,
                    .pack = trace_pack,
                    .inputs = trace_pack_inputs,
                    .ahead = trace_ahead,
                    .replayed = trace_replayed,
                    .packed_run = trace_each ? NULL : trace_packed_run};
  if (jobs <= 1) return read_data(path, FMT_CSV, &accounts_schema, &opts, &d, trace_account, t, stats);
  return read_data_jobs(path, FMT_CSV, &accounts_schema, &opts, &d, trace_account, t, stats, jobs,
                        given ? &packed : &work);
}

static int trace_read(Trace *t, const char *path, int jobs, int stop_after, ReadStats *stats) {
  return trace_read_in(t, path, jobs, stop_after, stats, NULL);
}

/* read_data_jobs reads a CSV file's pieces on the calling thread too
 * (Piece.direct: straight to the callback, nothing recorded) between
 * those the workers read and it replays: at -j 2 and 3 the callback
 * gets what read_data gives it, account by account (the counts at each
 * one included), with the diagnostics in between, the same status and
 * counts, stopping where it says stop; and both kinds of piece come
 * (the first piece is always the calling thread's own). */
/* Reads of a test that needs a worker to have read a piece, at most
 * (each read takes milliseconds; the scheduler decides whether the
 * worker ran in them). */
enum { PIECE_TRIES = 50 };

/* A read at -j JOBS (MANY, its counts and status) gave what the read at
 * -j 1 gave (ONE): the callback's trace byte for byte, the status and
 * the counts. */
static void same_read(const Trace *many, const ReadStats *many_stats, int many_status, const Trace *one,
                      const ReadStats *one_stats, int one_status, int jobs, int stop) {
  cr_assert_eq(many->len, one->len, "-j %d, stop after %d", jobs, stop);
  cr_assert_eq(memcmp(many->text, one->text, one->len), 0, "-j %d, stop after %d", jobs, stop);
  cr_assert_eq(many_status, one_status, "-j %d, stop after %d", jobs, stop);
  cr_assert_eq(many_stats->accounts, one_stats->accounts, "-j %d, stop after %d", jobs, stop);
  cr_assert_eq(many_stats->rejected, one_stats->rejected, "-j %d, stop after %d", jobs, stop);
  cr_assert_eq(many_stats->file_error, one_stats->file_error, "-j %d, stop after %d", jobs, stop);
}

/* 20,000 accounts, some rejected (a plan not allowed), in C's "pieces.csv". */
static const char *pieces_file(Collected *c) {
  size_t cap = 1 << 21, n = 0;
  char *s = malloc(cap);
  cr_assert_not_null(s);
  n += (size_t)snprintf(s + n, cap - n, "id,plan,arr,start,active,nps\n");
  for (int i = 0; i < 20000; i++) {
    const char *plan = i % 101 == 7 ? "gold" : plans[i % 3];
    n += (size_t)snprintf(s + n, cap - n, "a%d,%s,%d,2024-0%d-1%d,%s,%s\n", i % 4001 == 5 ? 3 : i, plan,
                          i * 7, 1 + i % 9, i % 10, i % 2 ? "true" : "no", i % 13 ? "42" : "");
  }
  const char *path = write_bytes(c, "pieces.csv", s, n);
  free(s);
  return path;
}

Test(csv_pieces, calling_thread_reads_pieces_too) {
  Collected *c = collected_new(&accounts_schema);
  const char *path = pieces_file(c);
  int stops[] = {0, 1, 2500, 9999, 19990};
  for (size_t k = 0; k < sizeof stops / sizeof *stops; k++) {
    Trace one;
    ReadStats one_stats;
    int one_status = trace_read(&one, path, 1, stops[k], &one_stats);
    cr_assert_gt(one.accounts, 0);
    cr_assert_eq(one.expected, 1);
    for (int jobs = 2; jobs <= 3; jobs++) {
      Trace many;
      ReadStats many_stats;
      int many_status;
      /* whether a worker gets a piece before the calling thread has read
       * the file is the scheduler's call (a loaded machine may not run
       * the worker at all in those few milliseconds): read again until
       * one did, every read checked the same way */
      for (int tries = 0;; tries++) {
        many_status = trace_read(&many, path, jobs, stops[k], &many_stats);
        if (stops[k] != 0 || many.replayed > 0 || tries == PIECE_TRIES) break;
        free(many.text);
      }
      same_read(&many, &many_stats, many_status, &one, &one_stats, one_status, jobs, stops[k]);
      cr_assert_gt(many.direct, 0, "-j %d: the calling thread read no piece itself", jobs);
      if (stops[k] == 0) cr_assert_gt(many.replayed, 0, "-j %d: no piece was read by a worker", jobs);
      /* told once how many records to expect, by the first piece, on
       * this thread (a worker's call would race with it) */
      cr_assert_eq(many.expected, 1, "-j %d: ReadOpts.expect called %d times", jobs, many.expected);
      cr_assert_gt(many.expect_what, 1000, "-j %d: expected %llu records", jobs,
                   (unsigned long long)many.expect_what);
      free(many.text);
    }
    if (stops[k] == 0) cr_assert_gt(one_stats.rejected, 100); /* the diagnostics come in between */
    free(one.text);
  }
  collected_free(c);
}

/* The one-pass path converts into the array it is given (ReadOpts.values:
 * the evaluator's inputs, which then need no copy) wherever each account
 * is handed over before the next is read: a file read whole, the calling
 * thread's pieces at -j 2 and 3, and a compact work's workers, each
 * into its own array (JobWork.inputs; never the calling thread's, which
 * it reads at the same time). The values, counts, diagnostics and stop
 * points are read_data's all the same. */
Test(csv_pieces, values_converted_in_place) {
  Collected *c = collected_new(&accounts_schema);
  const char *path = pieces_file(c);
  int stops[] = {0, 2500, 19990};
  for (size_t k = 0; k < sizeof stops / sizeof *stops; k++) {
    Value given[8];
    Trace one;
    ReadStats one_stats;
    int one_status = trace_read_in(&one, path, 1, stops[k], &one_stats, given);
    cr_assert_gt(one.in_place, one.accounts / 2, "-j 1: %d of %d accounts in place", one.in_place,
                 one.accounts);
    for (int jobs = 2; jobs <= 3; jobs++) {
      Trace many;
      ReadStats many_stats;
      int many_status;
      for (int tries = 0;; tries++) { /* until a worker got a piece (above) */
        many_status = trace_read_in(&many, path, jobs, stops[k], &many_stats, given);
        if (stops[k] != 0 || many.replayed > 0 || tries == PIECE_TRIES) break;
        free(many.text);
      }
      cr_assert_gt(many.replayed, stops[k] == 0 ? 0 : -1, "-j %d: no piece was read by a worker", jobs);
      same_read(&many, &many_stats, many_status, &one, &one_stats, one_status, jobs, stops[k]);
      cr_assert_gt(many.in_place, 0, "-j %d: none of the calling thread's accounts in place", jobs);
      cr_assert_gt(many.in_place, many.direct / 2, "-j %d: %d of %d", jobs, many.in_place, many.direct);
      if (stops[k] == 0)
        cr_assert_gt(many.in_place_there, many.replayed / 2, "-j %d: %d of the workers' %d accounts in place",
                     jobs, many.in_place_there, many.replayed);
      free(many.text);
    }
    free(one.text);
  }
  collected_free(c);
}

/* When a worker's piece is not read yet, the calling thread reads the
 * next piece itself, recorded as a worker does, and replays it in its
 * turn (read_jobs.c's help): with slow workers, at -j 2 and 3, with a
 * plain work and a compact one, the callback gets what read_data gives
 * it (accounts, counts at each one, diagnostics, stop points, status),
 * and some of the replayed accounts were read by the calling thread. */
Test(csv_pieces, calling_thread_reads_recorded_when_workers_lag) {
  Collected *c = collected_new(&accounts_schema);
  const char *path = pieces_file(c);
  int stops[] = {0, 1, 9999, 19990};
  for (int packed = 0; packed <= 1; packed++) {
    for (size_t k = 0; k < sizeof stops / sizeof *stops; k++) {
      Value given[8];
      Trace one;
      ReadStats one_stats;
      slow_work = false;
      int one_status = trace_read_in(&one, path, 1, stops[k], &one_stats, packed ? given : NULL);
      for (int jobs = 2; jobs <= 3; jobs++) {
        Trace many;
        ReadStats many_stats;
        int many_status;
        for (int tries = 0;; tries++) { /* until the calling thread helped (a worker got a piece first) */
          slow_work = true;
          slow_packs_on_caller = 0;
          many_status = trace_read_in(&many, path, jobs, stops[k], &many_stats, packed ? given : NULL);
          slow_work = false;
          if (stops[k] != 0 || (packed ? slow_packs_on_caller : many.helped) > 0 || tries == PIECE_TRIES)
            break;
          free(many.text);
        }
        same_read(&many, &many_stats, many_status, &one, &one_stats, one_status, jobs, stops[k]);
        cr_assert_eq(many.expected, 1, "-j %d: ReadOpts.expect called %d times", jobs, many.expected);
        if (stops[k] == 0) {
          int helped = packed ? slow_packs_on_caller : many.helped;
          cr_assert_gt(helped, 0, "-j %d%s: the calling thread read no piece recorded", jobs,
                       packed ? ", compact" : "");
        }
        free(many.text);
      }
      free(one.text);
    }
  }
  collected_free(c);
}

/* ---- allowed_usual: the CSV fast paths' `in [...]` check ----------------- */

/* allowed_usual (a value's length and first and last words, memcmp
 * only past 16 bytes) says what text_allowed says, for allowed values of
 * 1 to 24 bytes (one a prefix of another, some differing only in their
 * middle, first or last byte) and every cell derived from them: each
 * value itself, each one byte changed at every place, each cut short and
 * each one byte longer, read from a buffer whose bytes past the cell are
 * not zero (the padding the reader leaves is not either). */
Test(readers, allowed_usual_matches_text_allowed) {
  static const char *const allowed[] = {"a",
                                        "pro",
                                        "basic",
                                        "enterprise",
                                        "enterprisf",
                                        "12345678",
                                        "1234567",
                                        "123456789",
                                        "abcdefghijklmnop",
                                        "abcdefghXjklmnop",
                                        "abcdefghijklmnopqrstuvwx",
                                        "abcdefghijkZmnopqrstuvwx",
                                        "ＡＢＣ"};
  enum { NALLOWED = sizeof allowed / sizeof *allowed };
  FieldSchema f = {.name = "plan", .type = T_TEXT, .allowed = allowed, .nallowed = NALLOWED};
  AllowedText *prepared = allowed_prepare(&f);
  cr_assert_not_null(prepared);
  char buf[64];
  int checked = 0;
  for (int k = 0; k < NALLOWED; k++) {
    size_t len = strlen(allowed[k]);
    for (size_t n = 1; n <= len + 1; n++) {
      for (int change = -1; change < (int)n; change++) {
        memset(buf, 'x', sizeof buf); /* bytes past the cell: not zero */
        memcpy(buf, allowed[k], n <= len ? n : len);
        if (n > len) buf[len] = 'q';
        if (change >= 0) buf[change] ^= 0x20;
        bool want = text_allowed(&f, buf, n);
        cr_assert_eq(allowed_usual(&f, prepared, buf, n), want, "value %d, %zu bytes, byte %d changed", k, n,
                     change);
        checked += want;
      }
    }
  }
  cr_assert_geq(checked, NALLOWED); /* every value itself at least */
  FieldSchema open = {.name = "any", .type = T_TEXT};
  cr_assert_null(allowed_prepare(&open));
  cr_assert(allowed_usual(&open, NULL, "anything", 8));
  free(prepared);
}

/* A compact work's texts (Account.text) stay where they were handed over
 * until JobWork.replayed ends their batch, one after another there (the
 * run's sink keeps them and copies a batch's rows at once): at -j 2 and
 * 3, stopping or not, every text is unchanged when its batch ends, each
 * follows the one before it in its batch, every batch is ended (also
 * the one the callback stopped in); with JobWork.packed_run each
 * account comes through it, in runs of several, not through the
 * callback or JobWork.ahead; without, JobWork.ahead gets what the work
 * made of each account ahead of it. */
Test(csv_pieces, texts_kept_until_their_batch_ends) {
  Collected *c = collected_new(&accounts_schema);
  const char *path = pieces_file(c);
  int stops[] = {0, 2500};
  for (size_t k = 0; k < 2 * sizeof stops / sizeof *stops; k++) {
    trace_each = k % 2;
    for (int jobs = 2; jobs <= 3; jobs++) {
      Value given[8];
      Trace t;
      ReadStats stats;
      for (int tries = 0;; tries++) { /* until a worker got a piece (above) */
        trace_read_in(&t, path, jobs, stops[k / 2], &stats, given);
        if (stops[k / 2] != 0 || t.replayed > 0 || tries == PIECE_TRIES) break;
        buf_free(&t.copy);
        free(t.text);
      }
      if (stops[k / 2] == 0) {
        cr_assert_gt(t.replayed, 0, "-j %d: no piece was read by a worker", jobs);
        cr_assert_gt(t.batches, 0, "-j %d", jobs);
      }
      int stop = stops[k / 2];
      cr_assert_eq(t.changed, 0, "-j %d, stop after %d: %d batches' texts changed", jobs, stop, t.changed);
      cr_assert_eq(t.apart, 0, "-j %d, stop after %d: %d texts apart", jobs, stop, t.apart);
      cr_assert_null(t.kept, "-j %d, stop after %d: a batch not ended", jobs, stop);
      if (trace_each) {
        cr_assert_geq(t.aheads, t.replayed, "-j %d", jobs);
        cr_assert_eq(t.packed, 0, "-j %d", jobs);
      } else {
        cr_assert_eq(t.aheads, 0, "-j %d", jobs);
        cr_assert_eq(t.packed, t.replayed, "-j %d: %d of %d packed accounts through JobWork.packed_run", jobs,
                     t.packed, t.replayed);
        if (t.packed > 0) cr_assert_lt(t.runs, t.packed, "-j %d: runs of one account", jobs);
      }
      buf_free(&t.copy);
      free(t.text);
    }
  }
  trace_each = false;
  collected_free(c);
}

/* A batch's bytes start with the room the fullest batch so far needed
 * (read_jobs.c's batch_take, take_text): at -j 2 and 3, a compact work's
 * text grows only in the first batch each thread fills (three times
 * here: from empty, by doubling), not in each new batch (about 50 and
 * 110 times, as it did, here). */
Test(csv_pieces, batch_bytes_start_with_room) {
  Collected *c = collected_new(&accounts_schema);
  const char *path = pieces_file(c);
  for (int jobs = 2; jobs <= 3; jobs++) {
    Value given[8];
    Trace t;
    ReadStats stats;
    int least = 8 * 256 * jobs;     /* packed: eight batches a thread, at least */
    for (int tries = 0;; tries++) { /* until the workers got pieces (above) */
      atomic_store(&text_packs, 0);
      atomic_store(&text_grows, 0);
      trace_read_in(&t, path, jobs, 0, &stats, given);
      if (atomic_load(&text_packs) >= least || tries == PIECE_TRIES) break;
      buf_free(&t.copy);
      free(t.text);
    }
    int packs = atomic_load(&text_packs), grows = atomic_load(&text_grows);
    cr_assert_geq(packs, least, "-j %d: %d accounts packed", jobs, packs);
    cr_assert_leq(grows, 4 * jobs, "-j %d: the text grew %d times in %d accounts", jobs, grows, packs);
    buf_free(&t.copy);
    free(t.text);
  }
  collected_free(c);
}
