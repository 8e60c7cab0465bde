/* write_jsonl.c — `run --format jsonl`: one JSON object per account, keys
 * in the order of LANGUAGE.md §5; with --explain, expressions, the values
 * they used, N/A reasons, the personas tried, the drivers and, last, what
 * would change the grade (docs/cli.md). Writers format the explanation
 * (explain.h); they evaluate nothing.
 *
 * Everything fixed by the rules (names, kinds, source locations, the
 * expressions' source text, the keys of the "values" objects) is escaped
 * once per run into a JsonlPlan of fragments, written with the JSON
 * emitter (io/json.h); per account only the values are written between
 * them, straight into the buffer with the few keys that stand between
 * values as constants (the emitter's bookkeeping per value measured a
 * quarter more instructions for --explain). */
#include <math.h>
#include <string.h>

#include "io/json.h"
#include "io/writer.h"

/* The keys of one "values" object: `"name":` (a ',' before all but the
 * first), and how each value is named when it is a symbol; for the trend
 * references among them, the keys of the "dates" object that follows
 * (docs/history.md: the date each trend value came from). */
typedef struct RefsPlan {
  const RefList *refs;
  Frag *keys;
  int *symkind;    /* writer_ref_symbol_kind, or -1 */
  Frag *date_keys; /* per ref: `"name":` for a trend ref (a ',' before all
                      but the first of them), empty for the others */
  bool dates;      /* any trend ref: write ,"dates":{…} */
  size_t room;     /* what values_body needs but for text and symbols */
} RefsPlan;

typedef struct MemberPlan {
  Frag head;    /* [,]{"name":…,"kind":"…","score": */
  Frag at;      /* ,"at":"file:line" and, explaining,
                   ,"expr":"…","values":{ */
  Frag driver;  /* {"dimension":…,"member":…,"lost": */
  Frag what_if; /* {"dimension":…,"member":…,"from": */
  RefsPlan refs;
  Frag *missing;     /* per ref: ,"reason":"`name` is missing" */
  Frag *no_snapshot; /* per trend ref: ,"reason":"no snapshot 30d back" */
  size_t room;       /* what write_member's head needs (from head to at) */
} MemberPlan;

struct JsonlPlan {
  Frag head;           /* ,"as_of":"…","rules":"…","persona": */
  Frag *persona_name;  /* per persona: "name" */
  Frag *grade_name;    /* per grade: "name" */
  Frag *segment_key;   /* per segment: [,]"name": */
  Frag **case_name;    /* [segment][case]: "name" */
  Frag *dim_head;      /* per dimension: [,]{"name":…,"score": */
  MemberPlan *members; /* flat */
  Frag *flag_head;     /* {"name":…,"severity":"…","action":… */
  RefsPlan *flag_refs;
  Frag *step_name; /* per step: "name" (the bottleneck) */
  Frag *step_head; /* [,]{"name":…,"status":" */
  Frag *step_expr; /* ","expr":"…","values":{ */
  RefsPlan *step_refs;
  Frag *persona_head; /* [,]{"name":…,"result":" */
  Frag *persona_tail; /* ","expr":"…","values":{  or
                         ","expr":"otherwise"} */
  RefsPlan *persona_refs;
  Frag reason[MISS_NO_SNAPSHOT + 1]; /* ,"reason":"…" by MissingWhy */
};

/* Every fragment of the plan is padded (writer_frag): written by moves
 * of 32 bytes (put_plan_frag). The few constant pieces chosen per
 * account are padded the same way (PadText). */
static inline void put_frag(Buf *b, Frag f) { put_plan_frag(b, f); }
typedef struct PadText {
  char s[FRAG_PAD];
  size_t n;
} PadText;
static inline void put_pad(Buf *b, const PadText *t) { put_plan_frag(b, (Frag){t->s, t->n}); }

static inline void num_or_null_in_room(Buf *b, bool na, double x) {
  if (na || isnan(x)) {
    memcpy(b->data + b->len, "null", 4);
    b->len += 4;
  } else {
    num_in_room(b, x);
  }
}

/* A trend value's snapshot date (Explanation.trend_dates) as a value:
 * missing when there was no snapshot. */
static inline Value trend_date_value(int32_t date) {
  return date == INT32_MIN ? val_missing(MISS_NO_SNAPSHOT) : val_date(date);
}

static void num_or_null(Buf *b, bool na, double x) {
  if (na || isnan(x))
    buf_puts(b, "null");
  else
    buf_num(b, x);
}

/* ---- the plan ------------------------------------------------------------ */

/* The plan's fragments are written with the JSON emitter as if inside
 * the object they belong to (AFTER: members come before them). */
static Json *plan_json(Json *j, Buf *tmp, bool after) {
  json_init_members(j, tmp, after);
  return j;
}

static void expr_text(WriteCtx *w, Json *j, Span s) {
  const char *t;
  size_t n;
  writer_source_text(w->p, s, &t, &n);
  json_key(j, "expr");
  json_str(j, t, n);
}

/* The source of a member: its expression, or for bands the whole body. */
static Span member_expr_span(const Member *m) {
  if (m->kind != MEMBER_BANDS) return m->expr->span;
  Span s = m->bands[0].node->span;
  s.end = m->bands[m->nbands - 1].node->span.end;
  return s;
}

static Frag json_frag(WriteCtx *w, Buf *tmp, const char *s) {
  buf_json_cstr(tmp, s);
  return writer_frag(w, tmp, 0);
}

/* The names FIELD[I] of the explanation references, or none when not
 * explaining (the writer may then have no explanation at all). */
static const RefList no_refs = {NULL, 0, false};
#define PLAN_REFS(w, field, i) ((w)->explain && (w)->ex ? &(w)->ex->field[i] : &no_refs)

static RefsPlan refs_plan(WriteCtx *w, Buf *tmp, const RefList *refs) {
  Arena *a = writer_arena(w);
  RefsPlan rp;
  rp.refs = refs;
  rp.keys = arena_alloc(a, ((size_t)refs->count + 1) * sizeof *rp.keys);
  rp.symkind = arena_alloc(a, ((size_t)refs->count + 1) * sizeof *rp.symkind);
  rp.date_keys = arena_alloc(a, ((size_t)refs->count + 1) * sizeof *rp.date_keys);
  rp.dates = false;
  rp.room = 0;
  for (int32_t i = 0; i < refs->count; i++) {
    const ExplainRef *ref = &refs->refs[i];
    Json j;
    json_key(plan_json(&j, tmp, i > 0), ref->name);
    rp.keys[i] = writer_frag(w, tmp, 0);
    rp.room += frag_room(rp.keys[i]) + NUM_ROOM;
    rp.symkind[i] = writer_ref_symbol_kind(w->p, ref);
    rp.date_keys[i] = (Frag){"", 0};
    if (ref->kind != REF_TREND) continue;
    json_key(plan_json(&j, tmp, rp.dates), ref->name);
    rp.date_keys[i] = writer_frag(w, tmp, 0);
    rp.dates = true;
  }
  return rp;
}

/* {"dimension":…,"member":…,"KEY": for member MEM of DD. */
static Frag member_ref_frag(WriteCtx *w, Buf *tmp, const DimensionDecl *dd, const Member *mem,
                            const char *key) {
  Json j;
  plan_json(&j, tmp, false);
  json_object(&j);
  json_field_str(&j, "dimension", dd->name);
  json_field_str(&j, "member", mem->name);
  json_key(&j, key);
  return writer_frag(w, tmp, 0);
}

static void member_plan(WriteCtx *w, Buf *tmp, MemberPlan *mp, const DimensionDecl *dd, int32_t m,
                        int32_t flat) {
  const Member *mem = &dd->members[m];
  Json j;
  plan_json(&j, tmp, m > 0);
  json_object(&j);
  json_field_str(&j, "name", mem->name);
  json_field_str(&j, "kind", writer_member_kind(mem));
  json_key(&j, "score");
  mp->head = writer_frag(w, tmp, 0);

  char at[512];
  writer_node_location(w->p, mem->node, at, sizeof at);
  json_field_str(plan_json(&j, tmp, true), "at", at);
  if (w->explain) {
    expr_text(w, &j, member_expr_span(mem));
    json_key(&j, "values");
    json_object(&j);
  }
  mp->at = writer_frag(w, tmp, 0);
  mp->room = frag_room(mp->head) + frag_room(mp->at) + 3 * NUM_ROOM + FRAG_PAD + sizeof(",\"weight\":");

  mp->driver = member_ref_frag(w, tmp, dd, mem, "lost");
  mp->what_if = member_ref_frag(w, tmp, dd, mem, "from");

  const RefList *refs = PLAN_REFS(w, member_refs, flat);
  mp->refs = refs_plan(w, tmp, refs);
  mp->missing = arena_alloc(writer_arena(w), ((size_t)refs->count + 1) * sizeof *mp->missing);
  mp->no_snapshot = arena_alloc(writer_arena(w), ((size_t)refs->count + 1) * sizeof *mp->no_snapshot);
  for (int32_t k = 0; k < refs->count; k++) {
    MemberResult mr;
    memset(&mr, 0, sizeof mr);
    mr.na = true;
    mr.why = MISS_ABSENT;
    char reason[256];
    json_field_str(plan_json(&j, tmp, true), "reason",
                   writer_member_reason(w->p, &mr, refs, k, reason, sizeof reason, false));
    mp->missing[k] = writer_frag(w, tmp, 0);
    mp->no_snapshot[k] = mp->missing[k];
    if (refs->refs[k].kind != REF_TREND) continue;
    mr.why = MISS_NO_SNAPSHOT;
    json_field_str(plan_json(&j, tmp, true), "reason",
                   writer_member_reason(w->p, &mr, refs, k, reason, sizeof reason, false));
    mp->no_snapshot[k] = writer_frag(w, tmp, 0);
  }
}

static JsonlPlan *jsonl_plan(WriteCtx *w) {
  const Program *p = w->p;
  Arena *a = writer_arena(w);
  JsonlPlan *jp = arena_alloc(a, sizeof *jp);
#define PLAN_ARRAY(n, T) ((T *)arena_alloc(a, ((size_t)(n) + 1) * sizeof(T)))
  Buf tmp;
  buf_init(&tmp, NULL);
  Json j;

  plan_json(&j, &tmp, true);
  json_field_str(&j, "as_of", w->as_of);
  json_field_str(&j, "rules", w->rules);
  json_key(&j, "persona");
  jp->head = writer_frag(w, &tmp, 0);

  jp->persona_name = PLAN_ARRAY(p->npersonas, Frag);
  jp->persona_head = PLAN_ARRAY(p->npersonas, Frag);
  jp->persona_tail = PLAN_ARRAY(p->npersonas, Frag);
  jp->persona_refs = PLAN_ARRAY(p->npersonas, RefsPlan);
  for (int32_t i = 0; i < p->npersonas; i++) {
    const PersonaDecl *pd = &p->personas[i];
    jp->persona_name[i] = json_frag(w, &tmp, pd->name);
    plan_json(&j, &tmp, i > 0);
    json_object(&j);
    json_field_str(&j, "name", pd->name);
    json_key(&j, "result");
    json_raw(&j, "\"", 1); /* the outcome string: its text per account */
    jp->persona_head[i] = writer_frag(w, &tmp, 0);
    buf_putc(&tmp, '"');
    if (pd->cond) {
      expr_text(w, &j, pd->cond->span);
      json_key(&j, "values");
      json_object(&j);
    } else {
      json_field_str(&j, "expr", "otherwise");
      json_end(&j);
    }
    jp->persona_tail[i] = writer_frag(w, &tmp, 0);
    if (pd->cond) jp->persona_refs[i] = refs_plan(w, &tmp, PLAN_REFS(w, persona_refs, i));
  }

  jp->grade_name = PLAN_ARRAY(p->ngrade_names, Frag);
  for (int32_t g = 0; g < p->ngrade_names; g++)
    jp->grade_name[g] = json_frag(w, &tmp, p->grade_names[g]);

  jp->segment_key = PLAN_ARRAY(p->nsegments, Frag);
  jp->case_name = PLAN_ARRAY(p->nsegments, Frag *);
  for (int32_t s = 0; s < p->nsegments; s++) {
    const SegmentDecl *seg = &p->segments[s];
    json_key(plan_json(&j, &tmp, s > 0), seg->name);
    jp->segment_key[s] = writer_frag(w, &tmp, 0);
    jp->case_name[s] = PLAN_ARRAY(seg->ncases, Frag);
    for (int32_t k = 0; k < seg->ncases; k++)
      jp->case_name[s][k] = json_frag(w, &tmp, seg->cases[k].name);
  }

  jp->dim_head = PLAN_ARRAY(p->ndimensions, Frag);
  int32_t nmembers = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    nmembers += p->dimensions[d].nmembers;
  jp->members = PLAN_ARRAY(nmembers, MemberPlan);
  int32_t nmembers_before = 0;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    const DimensionDecl *dd = &p->dimensions[d];
    plan_json(&j, &tmp, d > 0);
    json_object(&j);
    json_field_str(&j, "name", dd->name);
    json_key(&j, "score");
    jp->dim_head[d] = writer_frag(w, &tmp, 0);
    for (int32_t m = 0; m < dd->nmembers; m++)
      member_plan(w, &tmp, &jp->members[nmembers_before + m], dd, m, nmembers_before + m);
    nmembers_before += dd->nmembers;
  }

  static const char *const sev[] = {"", "low", "medium", "high"};
  jp->flag_head = PLAN_ARRAY(p->nflags, Frag);
  jp->flag_refs = PLAN_ARRAY(p->nflags, RefsPlan);
  for (int32_t f = 0; f < p->nflags; f++) {
    const FlagDecl *fd = &p->flags[f];
    plan_json(&j, &tmp, false);
    json_object(&j);
    json_field_str(&j, "name", fd->name);
    json_field_str(&j, "severity", sev[fd->severity]);
    json_field_str(&j, "action", fd->action);
    jp->flag_head[f] = writer_frag(w, &tmp, 0);
    jp->flag_refs[f] = refs_plan(w, &tmp, PLAN_REFS(w, flag_refs, f));
  }

  jp->step_name = PLAN_ARRAY(p->nsteps, Frag);
  jp->step_head = PLAN_ARRAY(p->nsteps, Frag);
  jp->step_expr = PLAN_ARRAY(p->nsteps, Frag);
  jp->step_refs = PLAN_ARRAY(p->nsteps, RefsPlan);
  for (int32_t i = 0; i < p->nsteps; i++) {
    const StepDecl *s = &p->steps[i];
    jp->step_name[i] = json_frag(w, &tmp, s->name);
    plan_json(&j, &tmp, i > 0);
    json_object(&j);
    json_field_str(&j, "name", s->name);
    json_key(&j, "status");
    json_raw(&j, "\"", 1); /* the status string: its text per account */
    jp->step_head[i] = writer_frag(w, &tmp, 0);
    buf_putc(&tmp, '"');
    expr_text(w, &j, s->cond->span);
    json_key(&j, "values");
    json_object(&j);
    jp->step_expr[i] = writer_frag(w, &tmp, 0);
    jp->step_refs[i] = refs_plan(w, &tmp, PLAN_REFS(w, step_refs, i));
  }

  for (int why = 0; why <= MISS_NO_SNAPSHOT; why++) {
    MemberResult mr;
    memset(&mr, 0, sizeof mr);
    mr.na = true;
    mr.why = (uint8_t)why;
    char reason[256];
    json_field_str(plan_json(&j, &tmp, true), "reason",
                   writer_member_reason(p, &mr, NULL, -1, reason, sizeof reason, false));
    jp->reason[why] = writer_frag(w, &tmp, 0);
  }
#undef PLAN_ARRAY
  buf_free(&tmp);
  return jp;
}

/* ---- per account --------------------------------------------------------- */

/* A symbol's name as the plan holds it (JSON-quoted), or NULL where
 * program_symbol_name has none. */
static const Frag *symbol_frag(const JsonlPlan *jp, const Program *p, int kind, int32_t sym) {
  if (sym < 0) return NULL;
  switch (kind) {
  case SYM_GRADE: return sym < p->ngrade_names ? &jp->grade_name[sym] : NULL;
  case SYM_PERSONA: return sym < p->npersonas ? &jp->persona_name[sym] : NULL;
  case SYM_STEP: return sym < p->nsteps ? &jp->step_name[sym] : NULL;
  default:
    if (kind >= SYM_SEGMENT && kind - SYM_SEGMENT < p->nsegments)
      return sym < p->segments[kind - SYM_SEGMENT].ncases ? &jp->case_name[kind - SYM_SEGMENT][sym] : NULL;
    return NULL;
  }
}

/* A value as writer_json_value writes it: numbers, booleans, dates and
 * missing into NUM_ROOM bytes of room; text, symbols and lists check
 * their own (true: they did, and the room made before is used up). */
static inline bool put_value(WriteCtx *w, Buf *b, Value v, int symkind) {
  switch ((ValueType)v.type) {
  case T_NUMBER: num_in_room(b, v.u.num); return false;
  case T_BOOL:
    if (v.u.b)
      LIT_IN_ROOM(b, "true");
    else
      LIT_IN_ROOM(b, "false");
    return false;
  case T_DATE:
    b->data[b->len] = '"';
    date_format(v.u.date, b->data + b->len + 1);
    b->data[b->len + 11] = '"';
    b->len += 12;
    return false;
  case T_MISSING: LIT_IN_ROOM(b, "null"); return false;
  case T_SYMBOL: {
    const Frag *name = symbol_frag(w->jsonl, w->p, symkind, v.u.sym);
    if (name)
      put_frag(b, *name);
    else
      buf_put(b, "null", 4);
    return true;
  }
  default: writer_json_value(w, v, symkind); return true;
  }
}

/* The members of a "values" object (the caller writes the braces). */
static void values_body(WriteCtx *w, const RefsPlan *rp, const Value *values) {
  Buf *b = w->buf;
  buf_reserve(b, rp->room);
  for (int32_t i = 0; i < rp->refs->count; i++) {
    frag_in_room(b, rp->keys[i]);
    if (put_value(w, b, values[i], rp->symkind[i])) buf_reserve(b, rp->room);
  }
}

/* ,"dates":{"logins 1mo back":"2026-09-30",…} after a "values" object
 * with trend references: the snapshot each trend value came from (for the
 * window functions, the window's first day), null when there was none
 * (the text's "(no snapshot)"). Nothing when no reference is a trend. */
static void dates_object(WriteCtx *w, const RefsPlan *rp) {
  if (!rp->dates) return;
  Buf *b = w->buf;
  buf_puts(b, ",\"dates\":{");
  for (int32_t i = 0; i < rp->refs->count; i++) {
    const ExplainRef *ref = &rp->refs->refs[i];
    if (ref->kind != REF_TREND) continue;
    put_frag(b, rp->date_keys[i]);
    buf_reserve(b, NUM_ROOM);
    put_value(w, b, trend_date_value(w->ex->trend_dates[ref->index]), -1);
  }
  buf_putc(b, '}');
}

static void write_member(WriteCtx *w, const JsonlPlan *jp, const MemberResult *mr, int32_t flat) {
#define STATUS(s)                                                                                            \
  { ",\"status\":\"" s "\",\"lost\":", sizeof(",\"status\":\"" s "\",\"lost\":") - 1 }
  static const PadText status[] = {STATUS("n/a"), STATUS("pass"), STATUS("fail"), STATUS("scored")};
#undef STATUS
  const MemberPlan *mp = &jp->members[flat];
  Buf *b = w->buf;
  buf_reserve(b, mp->room);
  frag_in_room(b, mp->head);
  num_or_null_in_room(b, mr->na, mr->score);
  LIT_IN_ROOM(b, ",\"weight\":");
  num_in_room(b, mr->weight);
  const PadText *st = &status[mr->status <= MS_SCORED ? mr->status : MS_NA];
  memcpy(b->data + b->len, st->s, FRAG_PAD);
  b->len += st->n;
  num_in_room(b, mr->lost);
  frag_in_room(b, mp->at);
  if (w->explain) {
    values_body(w, &mp->refs, w->ex->member_values[flat]);
    buf_putc(b, '}');
    dates_object(w, &mp->refs);
    int32_t missing = w->ex->missing_ref[flat];
    if (mr->na) {
      if (mr->why != MISS_DIV_ZERO && missing >= 0 && missing < mp->refs.refs->count)
        put_frag(b, mr->why == MISS_NO_SNAPSHOT ? mp->no_snapshot[missing] : mp->missing[missing]);
      else
        put_frag(b, jp->reason[mr->why <= MISS_NO_SNAPSHOT ? mr->why : MISS_ABSENT]);
    }
  }
  buf_putc(b, '}');
}

static void write_personas_tried(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  static const PadText outcome[] = {{"not tried", 9}, {"false", 5}, {"missing", 7}, {"matched", 7}};
  Buf *b = w->buf;
  buf_puts(b, ",\"persona_tried\":[");
  for (int32_t i = 0; i < r->npersonas; i++) {
    put_frag(b, jp->persona_head[i]);
    put_pad(b, &outcome[r->persona_tried[i] < 4 ? r->persona_tried[i] : 0]);
    put_frag(b, jp->persona_tail[i]);
    if (w->p->personas[i].cond) {
      values_body(w, &jp->persona_refs[i], w->ex->persona_values[i]);
      buf_putc(b, '}');
      dates_object(w, &jp->persona_refs[i]);
      buf_putc(b, '}');
    }
  }
  buf_putc(b, ']');
}

static void write_journey(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  static const PadText status[] = {{"fail", 4}, {"pass", 4}, {"unknown", 7}};
  Buf *b = w->buf;
  buf_puts(b, ",\"journey\":[");
  for (int32_t i = 0; i < r->nsteps; i++) {
    put_frag(b, jp->step_head[i]);
    put_pad(b, &status[r->steps[i] < 3 ? r->steps[i] : 0]);
    put_frag(b, jp->step_expr[i]);
    values_body(w, &jp->step_refs[i], w->ex->step_values[i]);
    buf_putc(b, '}');
    dates_object(w, &jp->step_refs[i]);
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

static void write_drivers(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  Buf *b = w->buf;
  buf_puts(b, ",\"drivers\":[");
  bool first = true;
  const int32_t *drivers = w->ex->drivers;
  for (int32_t k = 0; k < r->nmembers; k++) {
    const MemberResult *mr = &r->members[drivers[k]];
    if (!(mr->lost > 0)) continue;
    if (!first) buf_putc(b, ',');
    first = false;
    put_frag(b, jp->members[drivers[k]].driver);
    buf_num(b, mr->lost);
    buf_putc(b, '}');
  }
  buf_putc(b, ']');
}

static inline void name_or_null(Buf *b, const Frag *names, int32_t i) {
  if (i >= 0)
    put_frag(b, names[i]);
  else
    buf_put(b, "null", 4);
}

/* ,"what_if":{…}: what would change the grade, the figures of the text
 * unrounded (docs/cli.md). */
static void write_what_if(WriteCtx *w, const JsonlPlan *jp) {
  static const char *const status[] = {[WI_NONE] = "none",           [WI_NO_GRADES] = "no_grades",
                                       [WI_NO_HEALTH] = "no_health", [WI_BEST_GRADE] = "best_grade",
                                       [WI_REACHABLE] = "reachable", [WI_UNREACHABLE] = "unreachable"};
  const WhatIf *wi = &w->ex->what_if;
  Buf *b = w->buf;
  buf_puts(b, ",\"what_if\":{\"status\":\"");
  buf_puts(b, status[wi->status <= WI_UNREACHABLE ? wi->status : WI_NONE]);
  buf_putc(b, '"');
  if (wi->status == WI_REACHABLE || wi->status == WI_UNREACHABLE) {
    buf_puts(b, ",\"next_grade\":");
    name_or_null(b, jp->grade_name, wi->next_grade);
    buf_puts(b, ",\"at\":");
    buf_num(b, wi->bound);
    buf_puts(b, ",\"away\":");
    buf_num(b, wi->away);
    buf_puts(b, ",\"members\":[");
    for (int32_t k = 0; k < wi->nmembers; k++) {
      const WhatIfMember *wm = &wi->members[k];
      if (k) buf_putc(b, ',');
      put_frag(b, jp->members[wm->member].what_if);
      num_or_null(b, false, wm->from);
      buf_puts(b, ",\"to\":");
      buf_num(b, wm->to);
      buf_puts(b, ",\"gain\":");
      buf_num(b, wm->gain);
      buf_putc(b, '}');
    }
    buf_puts(b, "],\"points\":");
    buf_num(b, wi->points);
    buf_puts(b, ",\"health\":");
    num_or_null(b, false, wi->health);
    buf_puts(b, ",\"grade\":");
    name_or_null(b, jp->grade_name, wi->grade);
    buf_puts(b, wi->searched ? ",\"searched\":true" : ",\"searched\":false");
  }
  buf_putc(b, '}');
}

void write_jsonl(WriteCtx *w, const Account *a, const Result *r) {
  if (!w->jsonl) w->jsonl = jsonl_plan(w);
  const JsonlPlan *jp = w->jsonl;
  const Program *p = w->p;
  Buf *b = w->buf;
  buf_puts(b, "{\"id\":");
  buf_json_str(b, a->id, strlen(a->id));
  if (p->display_input >= 0) { /* the display name, when the rules declare one */
    buf_puts(b, ",\"name\":");
    if (a->name)
      buf_json_str(b, a->name, strlen(a->name));
    else
      buf_puts(b, "null");
  }
  put_frag(b, jp->head);
  name_or_null(b, jp->persona_name, r->persona);
  if (w->explain) write_personas_tried(w, jp, r);
  buf_puts(b, ",\"segments\":{");
  for (int32_t s = 0; s < p->nsegments; s++) {
    put_frag(b, jp->segment_key[s]);
    name_or_null(b, jp->case_name[s], r->segments[s]);
  }
  buf_puts(b, "},\"health\":");
  num_or_null(b, r->health_na, r->health);
  buf_puts(b, ",\"grade\":");
  name_or_null(b, jp->grade_name, r->grade);
  buf_puts(b, ",\"coverage\":");
  buf_num(b, r->coverage);
  buf_puts(b, ",\"dimensions\":[");
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    put_frag(b, jp->dim_head[d]);
    num_or_null(b, dr->na, dr->score);
    buf_puts(b, ",\"grade\":");
    name_or_null(b, jp->grade_name, dr->grade);
    buf_puts(b, ",\"weight\":");
    buf_num(b, dr->weight);
    if (w->history) {
      buf_putc(b, '}');
      continue;
    }
    buf_puts(b, ",\"members\":[");
    int32_t flat = (int32_t)(dr->members - r->members);
    for (int32_t m = 0; m < dr->nmembers; m++)
      write_member(w, jp, &dr->members[m], flat + m);
    buf_put(b, "]}", 2);
  }
  buf_puts(b, "],\"flags\":[");
  bool first = true;
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) continue;
    if (!first) buf_putc(b, ',');
    first = false;
    put_frag(b, jp->flag_head[f]);
    if (w->explain) {
      buf_puts(b, ",\"values\":{");
      values_body(w, &jp->flag_refs[f], w->ex->flag_values[f]);
      buf_putc(b, '}');
      dates_object(w, &jp->flag_refs[f]);
    }
    buf_putc(b, '}');
  }
  buf_puts(b, "],\"bottleneck\":");
  name_or_null(b, jp->step_name, r->bottleneck);
  if (w->explain) {
    if (p->has_journey) write_journey(w, jp, r);
    write_drivers(w, jp, r);
    if (w->ex->what_if.status != WI_NONE) write_what_if(w, jp);
  }
  buf_put(b, "}\n", 2);
}
