/* testrun.c — `kenko test`: each inline `test` block scores its `given`
 * account as of its `as_of`, then checks every `expect`. A failure shows
 * the expectation and the values of the names it uses. The last line is
 * exactly "N passed, N failed". */
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "engine/eval.h"
#include "engine/run.h"
#include "io/writer.h"

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

/* Runs test T; returns true when every expectation holds. */
static bool run_test(const Program *p, Evaluator *ev, const TestDecl *t, Buf *b, bool color, Arena *arena) {
  Value *inputs = eval_given_inputs(p, t->given, arena);
  eval_account(ev, inputs, t->has_as_of ? t->as_of : today(), EVAL_DETAILS);
  WriteCtx w;
  memset(&w, 0, sizeof w);
  w.p = p;
  w.buf = b;
  Buf details;
  buf_init(&details, NULL);
  bool ok = true;
  for (int32_t i = 0; i < t->nexpects; i++) {
    const Node *e = t->expects[i];
    Value v = eval_expr_in_account(ev, e);
    if (v.type == T_BOOL && v.u.b) continue;
    ok = false;
    char at[512];
    where(p, e, at, sizeof at);
    const char *text;
    size_t n;
    source_text(p, e->span, &text, &n);
    buf_puts(&details, "    expect ");
    buf_shown(&details, text, n, false);
    buf_puts(&details, v.type == T_BOOL ? "  → false" : "  → missing");
    buf_puts(&details, "  (");
    buf_shown_str(&details, at);
    buf_puts(&details, ")\n");
    RefList refs = eval_expr_refs(ev, e);
    for (int32_t k = 0; k < refs.count; k++) {
      buf_puts(&details, "      ");
      buf_puts(&details, refs.refs[k].name);
      buf_puts(&details, " = ");
      w.buf = &details;
      writer_text_value(&w, &details, eval_ref_value(ev, &refs.refs[k], false),
                        ref_symbol_kind(p, &refs.refs[k]));
      buf_putc(&details, '\n');
    }
  }
  char at[512];
  where(p, t->node, at, sizeof at);
  if (color) buf_puts(b, ok ? "\033[32m" : "\033[31m");
  buf_puts(b, ok ? "PASS" : "FAIL");
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
