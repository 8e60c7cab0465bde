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
 * quarter more instructions for --explain). A member, a persona tried, a
 * journey step or a raised flag that comes out as it did for an earlier
 * account is copied from what was written then (Memo). */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "io/json.h"
#include "io/writer.h"

/* ---- pieces that come out as before ------------------------------------ */

/* Most pieces of an explained account come out byte for byte as some
 * earlier account's: a member that passed with the same values and the
 * same share of its dimension, a persona not matched for the same
 * reasons, a journey step. A Memo keeps, for one piece of the plan, the
 * text it came out as for up to MEMO_WAYS keys (a key: the bits of
 * everything the piece is written from besides the plan), direct-mapped
 * by the key's hash; a piece whose key is there is written by one copy.
 * A piece holding a text value or a list is never kept (its text is the
 * account's). A piece that came out as before in fewer than a quarter of
 * its tries, once it has had MEMO_TRIAL of them, is written afresh from
 * then on without its key being made. What a memo holds is the writer's
 * own output for the same key, so it changes no byte
 * (tests/regressions/jsonl_explain_repeats). */
enum { MEMO_BITS = 7, MEMO_WAYS = 1 << MEMO_BITS, MEMO_TRIAL = 256 };

typedef struct Memo {
  int32_t nkey;   /* words a key; 0: not looked up any more */
  uint32_t cap;   /* the longest text the piece can have */
  uint64_t *keys; /* MEMO_WAYS keys of nkey words */
  uint32_t *len;  /* per way: its text's length, 0 for none */
  char *text;     /* MEMO_WAYS texts of cap bytes (made on first use) */
  uint32_t tries, hits;
} Memo;

/* A key being made: its words, in the plan's scratch (JsonlPlan.key),
 * and their hash so far. */
typedef struct Key {
  uint64_t *w;
  int32_t n;
  uint64_t h;
} Key;

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
  int32_t nkey;    /* words of its values' key (key_values) */
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
  Memo *memo;        /* the whole member, by its numbers and status and,
                        explaining, its values and why it is n/a */
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
  size_t room;                       /* the most one account takes but for its own text (account_room) */
  /* explaining, the pieces that repeat: */
  Memo **persona_memo; /* per persona with a condition */
  Memo **step_memo;
  Memo **flag_memo;
  uint64_t *key; /* room for the longest key */
  int32_t nkey_max;
};

/* Every fragment of the plan is padded (writer_frag): written by moves
 * of FRAG_PAD bytes (frag_in_room). The few constant pieces chosen per
 * account are padded the same way (PadText). */
typedef struct PadText {
  char s[FRAG_PAD];
  size_t n;
} PadText;

/* A trend value's snapshot date (Explanation.trend_dates) as a value:
 * missing when there was no snapshot. */
static inline Value trend_date_value(int32_t date) {
  return date == INT32_MIN ? val_missing(MISS_NO_SNAPSHOT) : val_date(date);
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
  rp.nkey = 2 * refs->count; /* key_values */
  for (int32_t i = 0; i < refs->count; i++) {
    const ExplainRef *ref = &refs->refs[i];
    Json j;
    json_key(plan_json(&j, tmp, i > 0), ref->name);
    rp.keys[i] = writer_frag(w, tmp, 0);
    rp.symkind[i] = writer_ref_symbol_kind(w->p, ref);
    rp.date_keys[i] = (Frag){"", 0};
    if (ref->kind != REF_TREND) continue;
    json_key(plan_json(&j, tmp, rp.dates), ref->name);
    rp.date_keys[i] = writer_frag(w, tmp, 0);
    rp.dates = true;
    rp.nkey++;
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

/* ---- the room an account takes ---------------------------------------- */

/* Every piece of an account's output is written into room made once for
 * the whole account (no check per piece): the most its fixed pieces and
 * values can take, each fragment counted as frag_room (a short one is
 * moved FRAG_PAD bytes at a time) for every time the account can write
 * it, each value as VALUE bytes (a number, a date, a boolean, null, a
 * list's count or a symbol's name from the plan). Text from the account
 * (its id and name, text values) is not counted: it makes its own room,
 * then the account's room is made again. */
enum { LITERALS = 64 }; /* the constant text between two fragments: at most */

static size_t max_room(size_t a, Frag f) { return a > frag_room(f) ? a : frag_room(f); }

/* A "values" object, its braces and its "dates". */
static size_t refs_room(const RefsPlan *rp, size_t value) {
  size_t n = LITERALS;
  for (int32_t i = 0; i < rp->refs->count; i++)
    n += frag_room(rp->keys[i]) + frag_room(rp->date_keys[i]) + 2 * value;
  return n;
}

static size_t account_room(const JsonlPlan *jp, const Program *p) {
  size_t value = NUM_ROOM; /* the longest value, a symbol's name included */
  for (int32_t g = 0; g < p->ngrade_names; g++)
    value = max_room(value, jp->grade_name[g]);
  for (int32_t i = 0; i < p->npersonas; i++)
    value = max_room(value, jp->persona_name[i]);
  for (int32_t i = 0; i < p->nsteps; i++)
    value = max_room(value, jp->step_name[i]);
  for (int32_t s = 0; s < p->nsegments; s++)
    for (int32_t k = 0; k < p->segments[s].ncases; k++)
      value = max_room(value, jp->case_name[s][k]);
  size_t reason = 0;
  for (int why = 0; why <= MISS_NO_SNAPSHOT; why++)
    reason = max_room(reason, jp->reason[why]);
  /* the account's own keys and values: id, name, persona, health, grade,
   * coverage, bottleneck, what_if's eleven */
  size_t n = 16 * (LITERALS + value) + frag_room(jp->head);
  for (int32_t i = 0; i < p->npersonas; i++) {
    n += frag_room(jp->persona_head[i]) + FRAG_PAD + frag_room(jp->persona_tail[i]) + LITERALS;
    if (p->personas[i].cond) n += refs_room(&jp->persona_refs[i], value);
  }
  for (int32_t s = 0; s < p->nsegments; s++)
    n += frag_room(jp->segment_key[s]) + value;
  int32_t flat = 0;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    n += frag_room(jp->dim_head[d]) + 3 * (LITERALS + value);
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++, flat++) {
      const MemberPlan *mp = &jp->members[flat];
      size_t why = reason;
      for (int32_t k = 0; k < mp->refs.refs->count; k++)
        why = max_room(max_room(why, mp->missing[k]), mp->no_snapshot[k]);
      n += frag_room(mp->head) + FRAG_PAD + frag_room(mp->at) + refs_room(&mp->refs, value) + why;
      n += frag_room(mp->driver) + frag_room(mp->what_if) +
           8 * (LITERALS + value); /* its 3, the driver's 1, what_if's 3 */
    }
  }
  for (int32_t f = 0; f < p->nflags; f++)
    n += frag_room(jp->flag_head[f]) + LITERALS + refs_room(&jp->flag_refs[f], value);
  for (int32_t i = 0; i < p->nsteps; i++)
    n += frag_room(jp->step_head[i]) + FRAG_PAD + frag_room(jp->step_expr[i]) + LITERALS +
         refs_room(&jp->step_refs[i], value);
  return n;
}

/* ---- the memos' plan ------------------------------------------------------ */

static Memo *memo_new(WriteCtx *w, JsonlPlan *jp, int32_t nkey, size_t cap) {
  Arena *a = writer_arena(w);
  Memo *m = arena_alloc(a, sizeof *m);
  m->nkey = nkey;
  m->cap = (uint32_t)cap;
  m->keys = arena_alloc(a, MEMO_WAYS * (size_t)nkey * sizeof *m->keys);
  m->len = arena_alloc(a, MEMO_WAYS * sizeof *m->len);
  if (nkey > jp->nkey_max) jp->nkey_max = nkey;
  return m;
}

/* The longest text of RP's "values" object without its opening brace
 * (which the piece before it holds), its "dates" object, and a reason
 * of up to REASON bytes, with one brace after them. */
static size_t values_cap(const RefsPlan *rp, size_t value, size_t reason) {
  size_t n = sizeof ",\"dates\":{}}" + reason + 2;
  for (int32_t i = 0; i < rp->refs->count; i++)
    n += rp->keys[i].n + rp->date_keys[i].n + 2 * value;
  return n;
}

/* The memos of the pieces that repeat (explaining; a member's head
 * always), once the plan's fragments are made. */
static void memo_plans(WriteCtx *w, JsonlPlan *jp) {
  const Program *p = w->p;
  size_t value = NUM_ROOM; /* the longest value */
  for (int32_t g = 0; g < p->ngrade_names; g++)
    value = jp->grade_name[g].n > value ? jp->grade_name[g].n : value;
  for (int32_t i = 0; i < p->npersonas; i++)
    value = jp->persona_name[i].n > value ? jp->persona_name[i].n : value;
  for (int32_t i = 0; i < p->nsteps; i++)
    value = jp->step_name[i].n > value ? jp->step_name[i].n : value;
  for (int32_t s = 0; s < p->nsegments; s++)
    for (int32_t k = 0; k < p->segments[s].ncases; k++)
      value = jp->case_name[s][k].n > value ? jp->case_name[s][k].n : value;
  size_t reason = 0;
  for (int why = 0; why <= MISS_NO_SNAPSHOT; why++)
    reason = jp->reason[why].n > reason ? jp->reason[why].n : reason;
  int32_t flat = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++, flat++) {
      MemberPlan *mp = &jp->members[flat];
      /* score, weight, lost, its status, n/a, why and the reference
       * missing; explaining, its values */
      size_t head = mp->head.n + mp->at.n + 3 * NUM_ROOM + LITERALS;
      if (!w->explain) {
        mp->memo = memo_new(w, jp, 4, head + 1);
        continue;
      }
      size_t why = reason;
      for (int32_t k = 0; k < mp->refs.refs->count; k++) {
        why = mp->missing[k].n > why ? mp->missing[k].n : why;
        why = mp->no_snapshot[k].n > why ? mp->no_snapshot[k].n : why;
      }
      mp->memo = memo_new(w, jp, 4 + mp->refs.nkey, head + values_cap(&mp->refs, value, why));
    }
  if (!w->explain) return;
  for (int32_t i = 0; i < p->npersonas; i++)
    if (p->personas[i].cond) /* how it came out; its values */
      jp->persona_memo[i] = memo_new(w, jp, 1 + jp->persona_refs[i].nkey,
                                     jp->persona_head[i].n + LITERALS + jp->persona_tail[i].n +
                                         values_cap(&jp->persona_refs[i], value, 0));
  for (int32_t i = 0; i < p->nsteps; i++) /* its status; its values */
    jp->step_memo[i] = memo_new(w, jp, 1 + jp->step_refs[i].nkey,
                                jp->step_head[i].n + LITERALS + jp->step_expr[i].n +
                                    values_cap(&jp->step_refs[i], value, 0));
  for (int32_t f = 0; f < p->nflags; f++) /* its values */
    jp->flag_memo[f] = memo_new(w, jp, 1 + jp->flag_refs[f].nkey,
                                jp->flag_head[f].n + LITERALS + values_cap(&jp->flag_refs[f], value, 0));
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
  jp->persona_memo = PLAN_ARRAY(p->npersonas, Memo *);
  jp->step_memo = PLAN_ARRAY(p->nsteps, Memo *);
  jp->flag_memo = PLAN_ARRAY(p->nflags, Memo *);
  memo_plans(w, jp);
  jp->key = PLAN_ARRAY(jp->nkey_max, uint64_t);
#undef PLAN_ARRAY
  buf_free(&tmp);
  jp->room = account_room(jp, p);
  return jp;
}

/* ---- per account --------------------------------------------------------- */

/* Every piece below is written into the room made for the account
 * (JsonlPlan.room, account_room): none checks it. Text from the account
 * makes its own room and then the account's again (text_in_room). */
static inline void putc_in_room(Buf *b, char c) { b->data[b->len++] = c; }
static inline void pad_in_room(Buf *b, const PadText *t) { frag_in_room(b, (Frag){t->s, t->n}); }
static inline void num_or_null_in_room(Buf *b, bool na, double x) {
  if (na || isnan(x))
    LIT_IN_ROOM(b, "null");
  else
    num_in_room(b, x);
}
static inline void name_or_null(Buf *b, const Frag *names, int32_t i) {
  if (i >= 0)
    frag_in_room(b, names[i]);
  else
    LIT_IN_ROOM(b, "null");
}
/* S[0..N) as a JSON string, then the account's room made again. */
static inline void text_in_room(WriteCtx *w, const char *s, size_t n) {
  buf_json_str(w->buf, s, n);
  buf_reserve(w->buf, w->jsonl->room);
}

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

/* A value as writer_json_value writes it, at O: numbers, booleans,
 * dates, missing and symbols in the room; text (and a list's count)
 * through writer_json_value, then the room made again. Returns the end. */
static char *put_other(WriteCtx *w, Buf *b, char *o, const Value *v, int symkind) {
  switch ((ValueType)v->type) {
  case T_NUMBER: return room_num_at(b, o, v->u.num);
  case T_BOOL: return v->u.b ? LIT_AT(o, "true") : LIT_AT(o, "false");
  case T_DATE:
    o[0] = '"';
    date_format(v->u.date, o + 1);
    o[11] = '"';
    return o + 12;
  case T_MISSING: return LIT_AT(o, "null");
  case T_SYMBOL: {
    const Frag *name = symbol_frag(w->jsonl, w->p, symkind, v->u.sym);
    return name ? frag_at(o, *name) : LIT_AT(o, "null");
  }
  case T_TEXT: /* writer_json_value's text, without its switch */
    b->len = (size_t)(o - b->data);
    buf_json_str(b, v->u.text, v->len);
    buf_reserve(b, w->jsonl->room);
    return b->data + b->len;
  default:
    b->len = (size_t)(o - b->data);
    writer_json_value(w, *v, symkind);
    buf_reserve(b, w->jsonl->room);
    return b->data + b->len;
  }
}
static inline char *put_value(WriteCtx *w, Buf *b, char *o, const Value *v, int symkind) {
  if (v->type == T_NUMBER) return room_num_at(b, o, v->u.num); /* the most common, inline */
  return put_other(w, b, o, v, symkind);
}

/* The members of a "values" object (the caller writes the braces). */
static void values_body(WriteCtx *w, const RefsPlan *rp, const Value *values) {
  Buf *b = w->buf;
  char *o = b->data + b->len;
  const Frag *keys = rp->keys;
  for (int32_t i = 0, n = rp->refs->count; i < n; i++)
    o = put_value(w, b, frag_at(o, keys[i]), &values[i], rp->symkind[i]);
  b->len = (size_t)(o - b->data);
}

/* ,"dates":{"logins 1mo back":"2026-09-30",…} after a "values" object
 * with trend references: the snapshot each trend value came from (for the
 * window functions, the window's first day), null when there was none
 * (the text's "(no snapshot)"). Nothing when no reference is a trend. */
static void dates_object(WriteCtx *w, const RefsPlan *rp) {
  if (!rp->dates) return;
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"dates\":{");
  for (int32_t i = 0; i < rp->refs->count; i++) {
    const ExplainRef *ref = &rp->refs->refs[i];
    if (ref->kind != REF_TREND) continue;
    Value date = trend_date_value(w->ex->trend_dates[ref->index]);
    frag_in_room(b, rp->date_keys[i]);
    b->len = (size_t)(put_value(w, b, b->data + b->len, &date, -1) - b->data);
  }
  putc_in_room(b, '}');
}

/* ---- the memos, per account ----------------------------------------------- */

#define MEMO_INLINE static inline __attribute__((always_inline))

static inline uint64_t num_bits(double x) {
  uint64_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}

/* A key for memo M: none (K->n 0) when M is not looked up, else FIRST
 * (how the piece came out) to begin with. */
MEMO_INLINE void key_start(Key *k, const Memo *m, uint64_t first) {
  k->n = 0;
  k->h = 0;
  if (!m->nkey) return;
  k->w[k->n++] = first;
  k->h = first * 0x9e3779b97f4a7c15ull;
}
MEMO_INLINE void key_word(Key *k, uint64_t word) {
  k->w[k->n++] = word;
  k->h = (k->h ^ word) * 0x9e3779b97f4a7c15ull;
}

/* The value types whose text the plan and the value's own 16 bytes make
 * (put_value writes them in the room); a text's or a list's is the
 * account's. */
enum { KEYED_TYPES = 1u << T_NUMBER | 1u << T_BOOL | 1u << T_DATE | 1u << T_MISSING | 1u << T_SYMBOL };
_Static_assert(sizeof(Value) == 16, "a value is two key words");

/* Explaining, VALUES added to the key (RP's nkey words): each value's
 * bytes as they are (equal bytes, equal text), and the snapshot date of
 * each trend reference. The key is dropped (K->n 0) when a value's type
 * is not keyed. */
MEMO_INLINE void key_values(const WriteCtx *w, Key *k, const RefsPlan *rp, const Value *values) {
  if (k->n == 0) return;
  int32_t n = rp->refs->count;
  for (int32_t i = 0; i < n; i++) {
    if (!(KEYED_TYPES >> values[i].type & 1)) {
      k->n = 0;
      return;
    }
    uint64_t head, payload; /* (two loads: a 16-byte copy went through the stack) */
    memcpy(&head, &values[i], sizeof head);
    memcpy(&payload, (const char *)&values[i] + sizeof head, sizeof payload);
    key_word(k, head);
    key_word(k, payload);
  }
  if (rp->dates)
    for (int32_t i = 0; i < n; i++)
      if (rp->refs->refs[i].kind == REF_TREND)
        key_word(k, (uint32_t)w->ex->trend_dates[rp->refs->refs[i].index]);
}

/* A piece with key K (none: K->n 0): true when M keeps its text, now
 * written. Otherwise false: the caller writes the piece and hands it to
 * memo_keep with *WAY. */
MEMO_INLINE bool memo_put(Memo *m, Buf *b, const Key *k, uint32_t *way) {
  *way = MEMO_WAYS; /* keep nothing */
  if (k->n == 0) return false;
  uint32_t i = (uint32_t)(k->h >> (64 - MEMO_BITS));
  *way = i;
  m->tries++;
  uint32_t len = m->len[i];
  if (!len) return false;
  if (memcmp(m->keys + (size_t)i * (size_t)m->nkey, k->w, (size_t)k->n * sizeof *k->w) != 0) return false;
  memcpy(b->data + b->len, m->text + (size_t)i * m->cap, len);
  b->len += len;
  m->hits++;
  return true;
}

/* Keeps the piece just written (from START on) as M's text for key K,
 * in WAY (memo_put); M is not looked up any more when fewer than a
 * quarter of its tries found their text. */
static void memo_keep_way(WriteCtx *w, Memo *m, const Buf *b, size_t start, Key key, uint32_t way) {
  const Key *k = &key; /* (by value: the caller's key is not taken by address; measured 40 instructions an
                          account fewer) */
  size_t n = b->len - start;
  if (!m->text) m->text = arena_alloc(writer_arena(w), MEMO_WAYS * (size_t)m->cap);
  if (n <= m->cap) {
    memcpy(m->keys + (size_t)way * (size_t)m->nkey, k->w, (size_t)k->n * sizeof *k->w);
    memcpy(m->text + (size_t)way * m->cap, b->data + start, n);
    m->len[way] = (uint32_t)n;
  }
  if (m->tries >= MEMO_TRIAL && m->hits < m->tries / 4) m->nkey = 0;
}
/* (a piece not looked up, WAY MEMO_WAYS, is told here, inline: the
 * pieces written afresh every account call nothing) */
MEMO_INLINE void memo_keep(WriteCtx *w, Memo *m, const Buf *b, size_t start, Key key, uint32_t way) {
  if (way < MEMO_WAYS) memo_keep_way(w, m, b, start, key, way);
}

/* The rest of a persona tried, a journey step or a raised flag: its
 * "values" object (its opening brace in the piece before it), its
 * "dates", the piece's closing brace, and the text kept in memo M. */
static inline void values_and_keep(WriteCtx *w, const RefsPlan *rp, const Value *values, Memo *m,
                                   size_t start, Key k, uint32_t way) {
  Buf *b = w->buf;
  values_body(w, rp, values);
  putc_in_room(b, '}');
  dates_object(w, rp);
  putc_in_room(b, '}');
  memo_keep(w, m, b, start, k, way);
}

/* ---- the pieces ------------------------------------------------------------- */

/* A member from its start to its "at" (explaining, to the brace that
 * opens its "values"). */
static void member_head(Buf *b, const MemberPlan *mp, const MemberResult *mr) {
#define STATUS(s)                                                                                            \
  { ",\"status\":\"" s "\",\"lost\":", sizeof(",\"status\":\"" s "\",\"lost\":") - 1 }
  static const PadText status[] = {STATUS("n/a"), STATUS("pass"), STATUS("fail"), STATUS("scored")};
#undef STATUS
  const PadText *st = &status[mr->status <= MS_SCORED ? mr->status : MS_NA];
  char *o = frag_at(b->data + b->len, mp->head);
  o = mr->na || isnan(mr->score) ? LIT_AT(o, "null") : room_num_at(b, o, mr->score);
  o = room_num_at(b, LIT_AT(o, ",\"weight\":"), mr->weight);
  o = room_num_at(b, frag_at(o, (Frag){st->s, st->n}), mr->lost);
  b->len = (size_t)(frag_at(o, mp->at) - b->data);
}

/* Explaining, the rest of a member: its values, their dates, why it is
 * n/a (MISSING: the reference missing), and its closing brace. */
static void member_rest(WriteCtx *w, const JsonlPlan *jp, const MemberPlan *mp, const MemberResult *mr,
                        const Value *values, int32_t missing) {
  Buf *b = w->buf;
  values_body(w, &mp->refs, values);
  putc_in_room(b, '}');
  dates_object(w, &mp->refs);
  if (mr->na) {
    if (mr->why != MISS_DIV_ZERO && missing >= 0 && missing < mp->refs.refs->count)
      frag_in_room(b, mr->why == MISS_NO_SNAPSHOT ? mp->no_snapshot[missing] : mp->missing[missing]);
    else
      frag_in_room(b, jp->reason[mr->why <= MISS_NO_SNAPSHOT ? mr->why : MISS_ABSENT]);
  }
  putc_in_room(b, '}');
}

/* How a member came out, for its key: its n/a, status and why, three
 * bytes side by side in MemberResult read by one load (each byte as it
 * is: equal bytes, equal text). */
_Static_assert(offsetof(MemberResult, status) == offsetof(MemberResult, na) + 1 &&
                   offsetof(MemberResult, why) == offsetof(MemberResult, na) + 2,
               "na, status and why are three bytes in a row");
static inline uint64_t member_how(const MemberResult *mr) {
  uint32_t how;
  memcpy(&how, &mr->na, sizeof how);
  return how & 0xFFFFFFu;
}

/* One member: VALUES its referenced values and MISSING the one missing
 * (explaining), else NULL and -1. */
MEMO_INLINE void write_member(WriteCtx *w, Buf *b, const JsonlPlan *jp, const MemberPlan *mp,
                              const MemberResult *mr, const Value *values, int32_t missing, bool explain) {
  Key k = {jp->key, 0, 0};
  key_start(&k, mp->memo, member_how(mr) | (uint64_t)(uint32_t)missing << 32);
  if (k.n) {
    key_word(&k, num_bits(mr->score));
    key_word(&k, num_bits(mr->weight));
    key_word(&k, num_bits(mr->lost));
  }
  if (explain) key_values(w, &k, &mp->refs, values);
  uint32_t way;
  if (memo_put(mp->memo, b, &k, &way)) return;
  size_t start = b->len;
  member_head(b, mp, mr);
  if (explain)
    member_rest(w, jp, mp, mr, values, missing);
  else
    putc_in_room(b, '}');
  memo_keep(w, mp->memo, b, start, k, way);
}

/* The N members of a dimension from MR on, FLAT the first's flat index:
 * one loop for each way of writing them, with what every member of it
 * reads loaded once (stores into the text could change anything behind
 * a pointer, as far as the compiler knows). */
static void write_members(WriteCtx *w, const JsonlPlan *jp, const MemberResult *mr, int32_t n, int32_t flat) {
  Buf *b = w->buf;
  const MemberPlan *mp = jp->members + flat;
  if (!w->explain) {
    for (int32_t m = 0; m < n; m++)
      write_member(w, b, jp, mp + m, mr + m, NULL, -1, false);
    return;
  }
  const Value *const *values = w->ex->member_values + flat;
  const int32_t *missing = w->ex->missing_ref + flat;
  for (int32_t m = 0; m < n; m++)
    write_member(w, b, jp, mp + m, mr + m, values[m], missing[m], true);
}

static void write_personas_tried(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  static const PadText outcome[] = {{"not tried", 9}, {"false", 5}, {"missing", 7}, {"matched", 7}};
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"persona_tried\":[");
  for (int32_t i = 0; i < r->npersonas; i++) {
    uint8_t tried = r->persona_tried[i] < 4 ? r->persona_tried[i] : 0;
    Key k = {jp->key, 0, 0};
    uint32_t way;
    size_t start;
    bool cond = w->p->personas[i].cond != NULL;
    if (cond) {
      key_start(&k, jp->persona_memo[i], tried);
      key_values(w, &k, &jp->persona_refs[i], w->ex->persona_values[i]);
    }
    if (cond && memo_put(jp->persona_memo[i], b, &k, &way)) continue;
    start = b->len;
    frag_in_room(b, jp->persona_head[i]);
    pad_in_room(b, &outcome[tried]);
    frag_in_room(b, jp->persona_tail[i]);
    if (cond) {
      values_and_keep(w, &jp->persona_refs[i], w->ex->persona_values[i], jp->persona_memo[i], start, k, way);
    }
  }
  putc_in_room(b, ']');
}

static void write_journey(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  static const PadText status[] = {{"fail", 4}, {"pass", 4}, {"unknown", 7}};
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"journey\":[");
  for (int32_t i = 0; i < r->nsteps; i++) {
    uint8_t st = r->steps[i] < 3 ? r->steps[i] : 0;
    Key k = {jp->key, 0, 0};
    uint32_t way;
    size_t start;
    key_start(&k, jp->step_memo[i], st);
    key_values(w, &k, &jp->step_refs[i], w->ex->step_values[i]);
    if (memo_put(jp->step_memo[i], b, &k, &way)) continue;
    start = b->len;
    frag_in_room(b, jp->step_head[i]);
    pad_in_room(b, &status[st]);
    frag_in_room(b, jp->step_expr[i]);
    values_and_keep(w, &jp->step_refs[i], w->ex->step_values[i], jp->step_memo[i], start, k, way);
  }
  putc_in_room(b, ']');
}

static void write_drivers(WriteCtx *w, const JsonlPlan *jp, const Result *r) {
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"drivers\":[");
  /* the members that lost points come first (Explanation.drivers: by
   * lost points, largest first), so the first that lost none ends them */
  const int32_t *drivers = w->ex->drivers;
  for (int32_t k = 0; k < r->nmembers; k++) {
    const MemberResult *mr = &r->members[drivers[k]];
    if (!(mr->lost > 0)) break;
    if (k) putc_in_room(b, ',');
    frag_in_room(b, jp->members[drivers[k]].driver);
    num_in_room(b, mr->lost);
    putc_in_room(b, '}');
  }
  putc_in_room(b, ']');
}

/* ,"what_if":{…}: what would change the grade, the figures of the text
 * unrounded (docs/cli.md). */
static void write_what_if(WriteCtx *w, const JsonlPlan *jp) {
#define STATUS(s)                                                                                            \
  { "\"" s "\"", sizeof(s) + 1 }
  static const PadText status[] = {
      [WI_NONE] = STATUS("none"),           [WI_NO_GRADES] = STATUS("no_grades"),
      [WI_NO_HEALTH] = STATUS("no_health"), [WI_BEST_GRADE] = STATUS("best_grade"),
      [WI_REACHABLE] = STATUS("reachable"), [WI_UNREACHABLE] = STATUS("unreachable")};
#undef STATUS
  const WhatIf *wi = &w->ex->what_if;
  Buf *b = w->buf;
  LIT_IN_ROOM(b, ",\"what_if\":{\"status\":");
  pad_in_room(b, &status[wi->status <= WI_UNREACHABLE ? wi->status : WI_NONE]);
  if (wi->status == WI_REACHABLE || wi->status == WI_UNREACHABLE) {
    LIT_IN_ROOM(b, ",\"next_grade\":");
    name_or_null(b, jp->grade_name, wi->next_grade);
    LIT_IN_ROOM(b, ",\"at\":");
    num_in_room(b, wi->bound);
    LIT_IN_ROOM(b, ",\"away\":");
    num_in_room(b, wi->away);
    LIT_IN_ROOM(b, ",\"members\":[");
    for (int32_t k = 0; k < wi->nmembers; k++) {
      const WhatIfMember *wm = &wi->members[k];
      if (k) putc_in_room(b, ',');
      frag_in_room(b, jp->members[wm->member].what_if);
      num_or_null_in_room(b, false, wm->from);
      LIT_IN_ROOM(b, ",\"to\":");
      num_in_room(b, wm->to);
      LIT_IN_ROOM(b, ",\"gain\":");
      num_in_room(b, wm->gain);
      putc_in_room(b, '}');
    }
    LIT_IN_ROOM(b, "],\"points\":");
    num_in_room(b, wi->points);
    LIT_IN_ROOM(b, ",\"health\":");
    num_or_null_in_room(b, false, wi->health);
    LIT_IN_ROOM(b, ",\"grade\":");
    name_or_null(b, jp->grade_name, wi->grade);
    if (wi->searched)
      LIT_IN_ROOM(b, ",\"searched\":true");
    else
      LIT_IN_ROOM(b, ",\"searched\":false");
  }
  putc_in_room(b, '}');
}

void write_jsonl(WriteCtx *w, const Account *a, const Result *r) {
  if (!w->jsonl) w->jsonl = jsonl_plan(w);
  const JsonlPlan *jp = w->jsonl;
  const Program *p = w->p;
  Buf *b = w->buf;
  buf_reserve(b, jp->room);
  buf_num_cache(b); /* num_in_room */
  LIT_IN_ROOM(b, "{\"id\":");
  text_in_room(w, a->id, strlen(a->id));
  if (p->display_input >= 0) { /* the display name, when the rules declare one */
    LIT_IN_ROOM(b, ",\"name\":");
    if (a->name)
      text_in_room(w, a->name, strlen(a->name));
    else
      LIT_IN_ROOM(b, "null");
  }
  frag_in_room(b, jp->head);
  name_or_null(b, jp->persona_name, r->persona);
  if (w->explain) write_personas_tried(w, jp, r);
  LIT_IN_ROOM(b, ",\"segments\":{");
  for (int32_t s = 0; s < p->nsegments; s++) {
    frag_in_room(b, jp->segment_key[s]);
    name_or_null(b, jp->case_name[s], r->segments[s]);
  }
  LIT_IN_ROOM(b, "},\"health\":");
  num_or_null_in_room(b, r->health_na, r->health);
  LIT_IN_ROOM(b, ",\"grade\":");
  name_or_null(b, jp->grade_name, r->grade);
  LIT_IN_ROOM(b, ",\"coverage\":");
  num_in_room(b, r->coverage);
  LIT_IN_ROOM(b, ",\"dimensions\":[");
  for (int32_t d = 0; d < r->ndims; d++) {
    const DimResult *dr = &r->dims[d];
    frag_in_room(b, jp->dim_head[d]);
    num_or_null_in_room(b, dr->na, dr->score);
    LIT_IN_ROOM(b, ",\"grade\":");
    name_or_null(b, jp->grade_name, dr->grade);
    LIT_IN_ROOM(b, ",\"weight\":");
    num_in_room(b, dr->weight);
    if (w->history) {
      putc_in_room(b, '}');
      continue;
    }
    LIT_IN_ROOM(b, ",\"members\":[");
    write_members(w, jp, dr->members, dr->nmembers, (int32_t)(dr->members - r->members));
    LIT_IN_ROOM(b, "]}");
  }
  LIT_IN_ROOM(b, "],\"flags\":[");
  bool first = true;
  for (int32_t f = 0; f < r->nflags; f++) {
    if (r->flags[f] != FLAG_RAISED) continue;
    if (!first) putc_in_room(b, ',');
    first = false;
    if (!w->explain) {
      frag_in_room(b, jp->flag_head[f]);
      putc_in_room(b, '}');
      continue;
    }
    Key k = {jp->key, 0, 0};
    uint32_t way;
    size_t start;
    key_start(&k, jp->flag_memo[f], 0);
    key_values(w, &k, &jp->flag_refs[f], w->ex->flag_values[f]);
    if (memo_put(jp->flag_memo[f], b, &k, &way)) continue;
    start = b->len;
    frag_in_room(b, jp->flag_head[f]);
    LIT_IN_ROOM(b, ",\"values\":{");
    values_and_keep(w, &jp->flag_refs[f], w->ex->flag_values[f], jp->flag_memo[f], start, k, way);
  }
  LIT_IN_ROOM(b, "],\"bottleneck\":");
  name_or_null(b, jp->step_name, r->bottleneck);
  if (w->explain) {
    if (p->has_journey) write_journey(w, jp, r);
    write_drivers(w, jp, r);
    if (w->ex->what_if.status != WI_NONE) write_what_if(w, jp);
  }
  LIT_IN_ROOM(b, "}\n");
}
