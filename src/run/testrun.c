/* testrun.c — `kenko test`: each inline `test` block scores its `given`
 * account (or accounts: `given [ { … }, … ]`) as of its `as_of`, then
 * checks every `expect` on each account and every `expect kpi` over
 * them all (LANGUAGE.md §10). A failure shows
 * the expectation and the values of the names it uses. The last line is
 * exactly "N passed, N failed". */
#include <math.h>
#include <string.h>
#include <time.h>

#include "base/i18n.h"
#include "base/buf.h"
#include "engine/eval.h"
#include "run/run.h"
#include "io/writer.h"
#include "engine/kpi.h"

static int32_t today(void) {
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* "rules/aiueo.kenko:42" of a node. */
static void where(const Program *p, const Node *n, char *out, size_t size) {
  const Source *src = p->sources.files[n->span.file];
  int line, col;
  src_line_col(src, n->span.begin, &line, &col);
  snprintf(out, size, "%s:%d", src->path, line);
}

/* The failure lines of expectation E (an account-level condition) that
 * gave V for account ACCOUNT of NACCOUNTS (numbered from 1 when there
 * are several). */
static void account_failure(const Program *p, Evaluator *ev, const Node *e, Value v, int32_t account,
                            int32_t naccounts, Buf *details) {
  WriteCtx w;
  memset(&w, 0, sizeof w);
  w.p = p;
  w.buf = details;
  char at[512];
  where(p, e, at, sizeof at);
  const char *text;
  size_t n;
  writer_source_text(p, e->span, &text, &n);
  buf_puts(details, "    expect ");
  buf_shown(details, text, n, false);
  buf_puts(details, v.type == T_BOOL ? "  → false" : "  → missing");
  if (naccounts > 1) buf_printf(details, _(" for account %d of %d"), (int)account + 1, (int)naccounts);
  buf_puts(details, "  (");
  buf_shown_str(details, at);
  buf_puts(details, ")\n");
  RefList refs = eval_expr_refs(ev, e);
  for (int32_t k = 0; k < refs.count; k++) {
    buf_puts(details, "      ");
    buf_puts(details, refs.refs[k].name);
    buf_puts(details, " = ");
    writer_text_value(&w, details, eval_ref_value(ev, &refs.refs[k], false),
                      writer_ref_symbol_kind(p, &refs.refs[k]));
    buf_putc(details, '\n');
  }
}

/* Does `expect kpi NAME OP V` (node E) hold for the value X? `==` and
 * `!=` compare within 1e-9 (relative), so `expect kpi s == 33.33%` is not
 * needed where the share is 1/3: write the bounds instead. A missing value
 * equals only `missing`. */
static bool kpi_expect_holds(const Node *e, double x) {
  bool want_missing = e->a->kind == E_MISSING;
  double y = e->a->num;
  if (isnan(x) || want_missing) {
    bool same = isnan(x) && want_missing;
    return e->op == OP_EQ ? same : e->op == OP_NE ? !same : false;
  }
  bool eq = fabs(x - y) <= 1e-9 * fmax(1.0, fmax(fabs(x), fabs(y)));
  switch ((Op)e->op) {
  case OP_EQ: return eq;
  case OP_NE: return !eq;
  case OP_GE: return x >= y || eq;
  case OP_LE: return x <= y || eq;
  case OP_GT: return x > y && !eq;
  case OP_LT: return x < y && !eq;
  default: return false;
  }
}

/* Runs test T: every `given` account scored (as of `as_of`), each
 * account-level `expect` checked on each of them, the KPIs computed over
 * them and each `expect kpi` checked. Returns true when every expectation
 * holds. */
static bool run_test(const Program *p, Evaluator *ev, const TestDecl *t, Buf *b, bool color, Arena *arena) {
  Buf details;
  buf_init(&details, NULL);
  bool ok = true;
  KpiRun kpis;
  bool with_kpis = t->nkpi_expects > 0;
  if (with_kpis) kpi_init(&kpis, p, ev);
  int32_t naccounts = t->givens ? t->ngivens : 1; /* no `given`: one account, every input missing */
  for (int32_t a = 0; a < naccounts; a++) {
    Value *inputs = eval_given_inputs(p, t->givens ? t->givens[a] : NULL, arena);
    eval_account(ev, inputs, t->has_as_of ? t->as_of : today(), EVAL_DETAILS);
    if (with_kpis) kpi_account(&kpis);
    for (int32_t i = 0; i < t->nexpects; i++) {
      Value v = eval_expr_in_account(ev, t->expects[i]);
      if (v.type == T_BOOL && v.u.b) continue;
      ok = false;
      account_failure(p, ev, t->expects[i], v, a, naccounts, &details);
    }
  }
  for (int32_t i = 0; i < t->nkpi_expects; i++) {
    const Node *e = t->kpi_expects[i];
    double x = kpi_value(&kpis, e->ref_index);
    if (kpi_expect_holds(e, x)) continue;
    ok = false;
    char at[512], v[KPI_TEXT_SIZE];
    where(p, e, at, sizeof at);
    const char *text;
    size_t n;
    writer_source_text(p, e->span, &text, &n);
    buf_puts(&details, "    ");
    buf_shown(&details, text, n, false);
    buf_printf(&details,
               P_("  → %s over %d account  (", "  → %s over %d accounts  (", (unsigned long)naccounts),
               kpi_text(p, e->ref_index, x, v), (int)naccounts);
    buf_shown_str(&details, at);
    buf_puts(&details, ")\n");
  }
  if (with_kpis) kpi_free(&kpis);
  char at[512];
  where(p, t->node, at, sizeof at);
  if (color) buf_puts(b, ok ? "\033[32m" : "\033[31m");
  /* TRANSLATORS: a test's result, at the start of its line */
  buf_puts(b, ok ? _("PASS") : _("FAIL"));
  if (color) buf_puts(b, "\033[0m");
  buf_putc(b, ' ');
  buf_shown_str(b, t->name);
  buf_puts(b, " (");
  buf_shown_str(b, at);
  buf_puts(b, ")\n");
  if (!ok) buf_put(b, details.data, details.len);
  buf_free(&details);
  return ok;
}

void test_each(const CProgram *cp, bool color, TestResultFn fn, void *ud) {
  const Program *p = cp->prog;
  Evaluator *ev = eval_new(cp);
  Buf b;
  buf_init(&b, NULL);
  Arena arena;
  arena_init(&arena, 0);
  for (int32_t i = 0; i < p->ntests; i++) {
    arena_reset(&arena);
    b.len = 0;
    bool ok = run_test(p, ev, &p->tests[i], &b, color, &arena);
    buf_putc(&b, '\0');
    fn(ud, i, ok, b.data, b.len - 1);
  }
  arena_free(&arena);
  eval_free(ev);
  buf_free(&b);
}

typedef struct TestTally {
  FILE *out;
  int passed, failed;
} TestTally;

static void tally_test(void *ud, int32_t test, bool ok, const char *report, size_t len) {
  TestTally *t = ud;
  (void)test;
  fwrite(report, 1, len, t->out);
  if (ok)
    t->passed++;
  else
    t->failed++;
}

int test_program(const CProgram *cp, FILE *out, bool color, int *passed) {
  TestTally t = {out, 0, 0};
  test_each(cp, color, tally_test, &t);
  *passed = t.passed;
  return t.failed;
}
