/* test_limits.c — stress inputs generated in the test: deep nesting of
 * every kind, very long expressions, a 10 MB rule file, a 1 MB string,
 * long dependency chains and cycles. Each must end quickly with either a
 * clean check or one clear error (pinned here), never a crash. */
#include <criterion/criterion.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check/check.h" /* program_load */
#include "front/program.h"
#include "front/parse.h"

/* A growing text buffer. */
typedef struct Text {
  char *s;
  size_t len, cap;
} Text;

static void text_add(Text *t, const char *s, size_t n) {
  if (t->len + n + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + n + 1)
      cap *= 2;
    t->s = realloc(t->s, cap);
    cr_assert_not_null(t->s);
    t->cap = cap;
  }
  memcpy(t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}

static void text_puts(Text *t, const char *s) { text_add(t, s, strlen(s)); }

/* Appends S N times. */
static void text_repeat(Text *t, const char *s, size_t n) {
  size_t k = strlen(s);
  for (size_t i = 0; i < n; i++)
    text_add(t, s, k);
}

static void text_printf(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_printf(Text *t, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  cr_assert(n >= 0 && (size_t)n < sizeof buf);
  text_add(t, buf, (size_t)n);
}

/* Diagnostics of one load: the first message, counts. */
typedef struct Result {
  Program *p;
  int errors, warnings;
  char first[256]; /* "LINE:COL: MESSAGE" of the first diagnostic */
  double seconds;
} Result;

static void first_diag(void *ud, const kenko_diag *d) {
  Result *r = ud;
  if (r->first[0]) return;
  snprintf(r->first, sizeof r->first, "%d:%d: %s", d->line, d->col, d->message);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses and checks T (the file "big.kenko"). */
static Result load_text(const Text *t) {
  Result r;
  memset(&r, 0, sizeof r);
  Diag diag;
  diag_init(&diag, NULL, first_diag, &r);
  int errors = -1;
  double start = now();
  r.p = program_load("big.kenko", t->s, t->len, &diag, &errors);
  r.seconds = now() - start;
  cr_assert_not_null(r.p);
  r.errors = errors;
  r.warnings = diag.warnings;
  return r;
}

static void result_free(Result *r) { program_free(r->p); }

/* Loads T and expects exactly one error, FIRST ("LINE:COL: MESSAGE"). */
static void expect_one_error(Text *t, const char *first) {
  Result r = load_text(t);
  cr_expect_str_eq(r.first, first);
  cr_expect_eq(r.errors, 1, "%d errors; first: %s", r.errors, r.first);
  result_free(&r);
  free(t->s);
}

/* ---- deep nesting ----------------------------------------------------------- */

Test(limits, parentheses_100000_deep) {
  Text t = {0};
  text_puts(&t, "indicator x = ");
  text_repeat(&t, "(", 100000);
  text_puts(&t, "1");
  text_repeat(&t, ")", 100000);
  text_puts(&t, "\n");
  /* the 257th `(` is at column 15 + 256 */
  expect_one_error(&t, "1:271: brackets nested too deeply (limit is 256)");
}

Test(limits, list_literal_100000_deep) {
  Text t = {0};
  text_puts(&t, "indicator x = 1 in ");
  text_repeat(&t, "[", 100000);
  text_puts(&t, "1");
  text_repeat(&t, "]", 100000);
  expect_one_error(&t, "1:276: brackets nested too deeply (limit is 256)");
}

Test(limits, test_data_records_100000_deep) {
  Text t = {0};
  text_puts(&t, "test \"deep\" { given { x: ");
  text_repeat(&t, "{ a: ", 100000);
  text_puts(&t, "1");
  text_repeat(&t, " }", 100000);
  text_puts(&t, " } }");
  /* `test … {` and `given {` are two levels already */
  expect_one_error(&t, "1:1296: brackets nested too deeply (limit is 256)");
}

/* Just under the bracket limit: parses and checks. */
Test(limits, parentheses_250_deep_work) {
  Text t = {0};
  text_puts(&t, "input id: text key\ninput s: number\ngrades { good >= 50 bad otherwise }\n"
                "dimension d { rule r : ");
  text_repeat(&t, "(", 250);
  text_puts(&t, "s > 1");
  text_repeat(&t, ")", 250);
  text_puts(&t, " }\n");
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 0, "%s", r.first);
  cr_expect_eq(r.warnings, 0, "%s", r.first);
  result_free(&r);
  free(t.s);
}

Test(limits, not_not_not_100000) {
  Text t = {0};
  text_puts(&t, "indicator x = ");
  text_repeat(&t, "not ", 100000);
  text_puts(&t, "x\n");
  /* the parser's stack fills before any `not` is reduced */
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 1, "%d errors; first: %s", r.errors, r.first);
  cr_expect(strstr(r.first, ": rules nested too deeply (the parser's limit is 20000 levels)") != NULL, "%s",
            r.first);
  result_free(&r);
  free(t.s);
}

Test(limits, unary_minus_100000) {
  Text t = {0};
  text_puts(&t, "indicator x = ");
  text_repeat(&t, "- ", 100000);
  text_puts(&t, "1\n");
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 1, "%d errors; first: %s", r.errors, r.first);
  cr_expect(strstr(r.first, ": rules nested too deeply (the parser's limit is 20000 levels)") != NULL, "%s",
            r.first);
  result_free(&r);
  free(t.s);
}

Test(limits, if_else_chain_100000) {
  Text t = {0};
  text_puts(&t, "indicator x = ");
  text_repeat(&t, "if a then 1 else ", 100000);
  text_puts(&t, "1\n");
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 1, "%d errors; first: %s", r.errors, r.first);
  cr_expect(strstr(r.first, ": rules nested too deeply (the parser's limit is 20000 levels)") != NULL, "%s",
            r.first);
  result_free(&r);
  free(t.s);
}

/* A left-recursive chain does not grow the parser's stack; the tree's
 * depth limit stops it. */
Test(limits, sum_of_100000_terms) {
  Text t = {0};
  text_puts(&t, "indicator x = 1");
  text_repeat(&t, " + 1", 99999);
  text_puts(&t, "\n");
  expect_one_error(&t, "1:15: expression nested too deeply (limit is 1000 levels)");
}

Test(limits, coalesce_chain_100000) {
  Text t = {0};
  text_puts(&t, "indicator x = 1");
  text_repeat(&t, " ?\? 1", 99999);
  expect_one_error(&t, "1:15: expression nested too deeply (limit is 1000 levels)");
}

Test(limits, field_chain_100000) {
  Text t = {0};
  text_puts(&t, "indicator x = a");
  text_repeat(&t, ".b", 99999);
  expect_one_error(&t, "1:15: expression nested too deeply (limit is 1000 levels)");
}

Test(limits, or_chain_100000) {
  Text t = {0};
  text_puts(&t, "indicator x = a");
  text_repeat(&t, " or a", 99999);
  expect_one_error(&t, "1:15: expression nested too deeply (limit is 1000 levels)");
}

/* The depth limit exactly: 1000 levels check, 1001 do not. */
Test(limits, expression_depth_boundary) {
  Text ok = {0};
  text_puts(&ok, "input id: text key\ninput s: number\ngrades { good >= 50 bad otherwise }\n"
                 "dimension d { score x : s");
  text_repeat(&ok, " + s", 998); /* 999 terms: depth 999, and `+ 0` below makes 1000 */
  text_puts(&ok, " + 0 }\n");
  Result r = load_text(&ok);
  cr_expect_eq(r.errors, 0, "%s", r.first);
  result_free(&r);
  free(ok.s);

  Text bad = {0};
  text_puts(&bad, "input id: text key\ninput s: number\ngrades { good >= 50 bad otherwise }\n"
                  "dimension d { score x : s");
  text_repeat(&bad, " + s", 1000);
  text_puts(&bad, " }\n");
  expect_one_error(&bad, "4:25: expression nested too deeply (limit is 1000 levels)");
}

/* A flat call with many arguments is not deep. */
Test(limits, call_with_100000_arguments) {
  Text t = {0};
  text_puts(&t, "input id: text key\ngrades { good >= 50 bad otherwise }\n"
                "dimension d { score x : max(0");
  text_repeat(&t, ", 1", 100000);
  text_puts(&t, ") }\n");
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 0, "%s", r.first);
  cr_expect_eq(r.warnings, 0, "%s", r.first);
  result_free(&r);
  free(t.s);
}

/* ---- big files ------------------------------------------------------------------- */

/* A 10 MB rule file of valid declarations: 40,000 labelled inputs and a
 * 40,000-long chain of indicators (each uses its input and the one
 * before), one dimension at the end of the chain. Parses and checks with
 * no diagnostic. */
Test(limits, ten_megabyte_rule_file, .timeout = 60) {
  enum { N = 40000 };
  Text t = {0};
  text_puts(&t, "input id: text key\ngrades { good >= 50 bad otherwise }\n");
  for (int k = 0; k < N; k++) {
    text_printf(&t,
                "input in_%d \"入力%d: 顧客の利用状況を表すデータ項目の説明 ラベル ラベル ラベル\": number "
                "optional\n",
                k, k);
    if (k == 0)
      text_printf(&t,
                  "indicator ind_0 \"指標0: 説明のための長めのラベル ラベル ラベル ラベル\" = in_0 ?? 0\n");
    else
      text_printf(&t,
                  "indicator ind_%d \"指標%d: 説明のための長めのラベル ラベル ラベル ラベル\" = ind_%d + "
                  "(in_%d ?? 0) * 1\n",
                  k, k, k - 1, k);
  }
  text_printf(&t, "dimension d { score s : scale(ind_%d, 0, 100) }\n", N - 1);
  cr_assert_geq(t.len, 10u * 1000u * 1000u, "only %zu bytes", t.len);
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 0, "%s", r.first);
  cr_expect_eq(r.warnings, 0, "%s", r.first);
  cr_expect_eq(r.p->ninputs, N + 1);
  cr_expect_eq(r.p->nindicators, N);
  cr_expect_eq(r.p->indicators[N - 1].type, T_NUMBER);
  cr_log_info("10 MB rule file: %.2f s", r.seconds);
  result_free(&r);
  free(t.s);
}

/* Past the declaration limit: one error (it was once repeated for every
 * further declaration). */
Test(limits, too_many_declarations) {
  Text t = {0};
  text_puts(&t, "input a: number\n");
  for (int k = 0; k < KENKO_MAX_DECLS + 10; k++)
    text_printf(&t, "indicator i%d = a + %d\n", k, k);
  Result r = load_text(&t);
  cr_expect_str_eq(r.first, "100001:1: too many declarations in one file (limit is 100000)");
  cr_expect_eq(r.errors, 1, "%d errors", r.errors);
  result_free(&r);
  free(t.s);
}

/* A 1 MB label is kept whole. */
Test(limits, one_megabyte_string_label) {
  enum { N = 350000 }; /* 3 bytes each: 1.05 MB */
  Text t = {0};
  text_puts(&t, "input id: text key\ninput a \"");
  text_repeat(&t, "あ", N);
  text_puts(&t, "\": number\ngrades { good >= 50 bad otherwise }\ndimension d { rule r : a > 1 }\n");
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 0, "%s", r.first);
  cr_expect_eq(r.warnings, 0, "%s", r.first);
  cr_assert_eq(r.p->ninputs, 2);
  cr_assert_not_null(r.p->inputs[1].label);
  cr_expect_eq(strlen(r.p->inputs[1].label), (size_t)N * 3);
  cr_expect(strncmp(r.p->inputs[1].label, "ああ", 6) == 0);
  result_free(&r);
  free(t.s);
}

/* A string past the 16 MB limit is one clear error. */
Test(limits, string_over_the_limit, .timeout = 60) {
  Text t = {0};
  text_puts(&t, "scorecard \"");
  size_t n = KENKO_MAX_STRING + 1024;
  char *chunk = malloc(n);
  cr_assert_not_null(chunk);
  memset(chunk, 'x', n);
  text_add(&t, chunk, n);
  free(chunk);
  text_puts(&t, "\"\n");
  expect_one_error(&t, "1:11: string literal longer than 16777216 bytes");
}

/* ---- long dependency chains and cycles ------------------------------------------------ */

/* A 50,000-long chain of thresholds is folded without deep recursion. */
Test(limits, threshold_chain_50000) {
  enum { N = 50000 };
  Text t = {0};
  text_puts(&t,
            "input id: text key\ninput s: number\ngrades { good >= 50 bad otherwise }\nthreshold t0 = 1\n");
  for (int k = 1; k < N; k++)
    text_printf(&t, "threshold t%d = t%d + 1\n", k, k - 1);
  text_printf(&t, "dimension d { rule r : s > t%d }\n", N - 1);
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 0, "%s", r.first);
  cr_expect_eq(r.warnings, 0, "%s", r.first);
  cr_expect_eq(r.p->thresholds[N - 1].value.u.num, N);
  result_free(&r);
  free(t.s);
}

/* A long cycle is one error naming the whole cycle, without the
 * quadratic cost it once had (the text was rebuilt for every node: ~30 s
 * for 20,000). The bound only catches that complexity: it is generous
 * (milliseconds are normal) so that a loaded machine or a sanitizer build
 * never fails it; speed itself is measured in make bench. */
Test(limits, cycle_of_4000_indicators, .timeout = 120) {
  enum { N = 4000 };
  Text t = {0};
  for (int k = 0; k < N; k++)
    text_printf(&t, "indicator i%d = i%d + 1\n", k, (k + 1) % N);
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 1, "%d errors; first: %s", r.errors, r.first);
  const char *prefix = "1:16: dependency cycle: indicator `i0` → indicator `i1` → ";
  cr_expect(strncmp(r.first, prefix, strlen(prefix)) == 0, "%s", r.first);
  cr_expect_lt(r.seconds, 5.0, "the cycle took %.1f s", r.seconds);
  result_free(&r);
  free(t.s);
}

/* Many errors: only the first KENKO_MAX_ERRORS are shown, all counted. */
Test(limits, ten_thousand_errors_are_capped) {
  Text t = {0};
  text_puts(&t, "input id: text key\ngrades { good >= 50 bad otherwise }\ndimension d {\n");
  for (int k = 0; k < 10000; k++)
    text_printf(&t, "  rule r%d : nope%d > 1\n", k, k);
  text_puts(&t, "}\n");
  Result r = load_text(&t);
  cr_expect_eq(r.errors, 10000);
  cr_expect_str_eq(r.first, "4:13: unknown name `nope0`");
  result_free(&r);
  free(t.s);
}
