/* write_common.c — what the writers share: member kinds and statuses,
 * N/A reasons, source text, values as JSON and as text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "io/writer.h"

const char *writer_member_kind(const Member *m) { return m->kind == MEMBER_RULE ? "rule" : "score"; }

const char *writer_member_status(uint8_t status) {
  switch (status) {
  case MS_PASS: return "pass";
  case MS_FAIL: return "fail";
  case MS_SCORED: return "scored";
  default: return "n/a";
  }
}

void writer_source_text(const Program *p, Span s, const char **text, size_t *len) {
  *text = "";
  *len = 0;
  if (s.file < 0 || s.file >= p->sources.count) return;
  const Source *src = p->sources.files[s.file];
  if (s.end > src->len || s.begin > s.end) return;
  *text = src->text + s.begin;
  *len = s.end - s.begin;
}

void writer_node_location(const Program *p, const Node *n, char *out, size_t n_out) {
  Span s = n->name_span.file >= 0 ? n->name_span : n->span;
  if (s.file < 0) {
    snprintf(out, n_out, "?");
    return;
  }
  const Source *src = p->sources.files[s.file];
  int line, col;
  src_line_col(src, s.begin, &line, &col);
  snprintf(out, n_out, "%s:%d", src->path, line);
}

/* S as people read it (PEOPLE: translated) or as the machine formats keep it. */
static const char *tr(bool people, const char *s) { return people ? _(s) : s; }

const char *writer_member_reason(const Program *p, const MemberResult *mr, const RefList *refs,
                                 int32_t missing, char *buf, size_t n, bool people) {
  if (mr->why == MISS_DIV_ZERO) return tr(people, N_("division by zero"));
  if (mr->why == MISS_NO_SNAPSHOT && refs && missing >= 0 && missing < refs->count &&
      refs->refs[missing].kind == REF_TREND) {
    /* LANGUAGE.md §6's wording: "no snapshot 30d back" */
    const TrendCall *t = &p->trend_calls[refs->refs[missing].index];
    if (t->fn == FN_PREVIOUS)
      snprintf(buf, n, "%s", tr(people, N_("no earlier snapshot")));
    else
      snprintf(buf, n, tr(people, N_("no snapshot %d%s back")), (int)t->n, duration_unit_text(t->unit));
    return buf;
  }
  if (refs && missing >= 0 && missing < refs->count) {
    snprintf(buf, n, tr(people, N_("`%s` is missing")), refs->refs[missing].name);
    return buf;
  }
  switch (mr->why) {
  case MISS_EMPTY: return tr(people, N_("no elements to aggregate"));
  case MISS_DOMAIN: return tr(people, N_("a value outside a function's domain"));
  case MISS_NOT_APPLICABLE: return tr(people, N_("a score it uses is n/a"));
  case MISS_NO_SNAPSHOT: return tr(people, N_("no snapshot that far back"));
  default: return tr(people, N_("missing data"));
  }
}

int writer_ref_symbol_kind(const Program *p, const ExplainRef *ref) {
  switch ((RefKind)ref->kind) {
  case REF_GRADE:
  case REF_DIM_GRADE: return SYM_GRADE;
  case REF_PERSONA: return SYM_PERSONA;
  case REF_BOTTLENECK: return SYM_STEP;
  case REF_SEGMENT: return SYM_SEGMENT + ref->index;
  case REF_INDICATOR:
    if (p->indicators[ref->index].type == T_SYMBOL) return p->indicators[ref->index].type_aux;
    return -1;
  case REF_TREND: {
    const TrendCall *t = &p->trend_calls[ref->index];
    const TrendSubject *x = &p->trend_subjects[t->subject];
    if (t->fn != FN_PAST && t->fn != FN_PREVIOUS) return -1;
    ExplainRef subject = {x->kind, x->index, x->sub, x->name};
    return writer_ref_symbol_kind(p, &subject);
  }
  default: return -1;
  }
}

void writer_json_value(WriteCtx *w, Value v, int symkind) {
  Buf *b = w->buf;
  char date[11];
  switch ((ValueType)v.type) {
  case T_NUMBER: buf_num(b, v.u.num); break;
  case T_TEXT: buf_json_str(b, v.u.text, v.len); break;
  case T_BOOL: buf_puts(b, v.u.b ? "true" : "false"); break;
  case T_DATE:
    date_format(v.u.date, date);
    buf_json_str(b, date, 10);
    break;
  case T_SYMBOL: {
    const char *name = program_symbol_name(w->p, symkind, v.u.sym);
    if (name)
      buf_json_str(b, name, strlen(name));
    else
      buf_puts(b, "null");
    break;
  }
  case T_LIST: buf_printf(b, "{\"items\":%u}", v.len); break;
  default: buf_puts(b, "null"); break;
  }
}

void writer_text_value(WriteCtx *w, Buf *b, Value v, int symkind) {
  char date[11];
  switch ((ValueType)v.type) {
  case T_NUMBER: buf_num(b, v.u.num); break;
  case T_TEXT: buf_shown(b, v.u.text, v.len, true); break;
  case T_BOOL: buf_puts(b, v.u.b ? "true" : "false"); break;
  case T_DATE:
    date_format(v.u.date, date);
    buf_puts(b, date);
    break;
  case T_SYMBOL: {
    const char *name = program_symbol_name(w->p, symkind, v.u.sym);
    buf_puts(b, name ? name : "?");
    break;
  }
  /* TRANSLATORS: a list input's value in explain and test output: how many records it holds (one
   * form for every count: the English bytes are pinned by tests/identity, "[1 items]" included) */
  case T_LIST: buf_printf(b, _("[%u items]"), v.len); break;
  default: buf_puts(b, "missing"); break;
  }
}

Arena *writer_arena(WriteCtx *w) {
  if (!w->has_plans) {
    arena_init(&w->plans, 16 * 1024);
    w->has_plans = true;
  }
  return &w->plans;
}

Frag writer_frag(WriteCtx *w, Buf *b, size_t at) {
  Frag f;
  f.n = b->len - at;
  char *s = arena_alloc(writer_arena(w), f.n + FRAG_PAD); /* zeroed */
  if (f.n) memcpy(s, b->data + at, f.n);
  f.s = s;
  b->len = at;
  return f;
}

void writer_free(WriteCtx *w) {
  if (w->has_plans) arena_free(&w->plans);
  w->has_plans = false;
  w->csv = NULL;
  w->jsonl = NULL;
  w->grade_pos = NULL; /* in the plans */
}
