/* compile.c — checked AST → flat code: every expression a run of register
 * instructions (ops.h) with slots for names (no names, no AST), the steps
 * in dependency order as instructions between them, and one variant of
 * thresholds, weights and grade sets per persona. */
#include "engine/compile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"

/* State of one compilation: the code and constants so far (in the
 * arena: a language server compiles on every edit), and the
 * temporaries (registers from temp0 on; each top-level expression starts
 * again at the first, code never reads one an earlier expression wrote). */
typedef struct Compiler {
  const CProgram *cp;
  Arena *arena; /* the code, the constants, folded text */
  Diag *diag;   /* may be NULL */
  CIns *code;
  int32_t ncode, code_cap;
  Value *consts;
  int32_t nconsts, consts_cap;
  int32_t temp0, ntemp, maxtemp;
  bool failed;
  bool persona; /* compiling for persona conditions: indicators marked
                   persona_defaults read their default-threshold value */
  bool fuse;    /* fuse operations into steps (compile_program_plain:
                   not, to test the fused steps against) */
} Compiler;

static Addr cx(Compiler *c, const Node *e, Addr want);

static bool is_const(Addr x) { return x < 0 && x != NO_ADDR; }
static const Value *const_value(const Compiler *c, Addr x) { return &c->consts[-1 - x]; }

static Addr konst(Compiler *c, Value v) {
  VEC_RESERVE_IN(c->arena, c->consts, c->nconsts, c->consts_cap, c->nconsts + 1, 32);
  c->consts[c->nconsts] = v;
  return -1 - c->nconsts++;
}

static Addr temp(Compiler *c) {
  Addr t = c->temp0 + c->ntemp++;
  if (c->ntemp > c->maxtemp) c->maxtemp = c->ntemp;
  return t;
}

/* N consecutive temporaries; the first. */
static Addr temps(Compiler *c, int32_t n) {
  Addr first = temp(c);
  for (int32_t i = 1; i < n; i++)
    temp(c);
  return first;
}

/* Where a result goes: WANT, or a new temporary. */
static Addr dest(Compiler *c, Addr want) { return want != NO_ADDR ? want : temp(c); }

/* Appends an instruction; its index. */
static int32_t emit(Compiler *c, uint8_t op, Addr dst, Addr a, Addr b, Addr x) {
  VEC_RESERVE_IN(c->arena, c->code, c->ncode, c->code_cap, c->ncode + 1, 64);
  CIns *in = &c->code[c->ncode];
  memset(in, 0, sizeof *in);
  in->op = op;
  in->dst = dst;
  in->a = a;
  in->b = b;
  in->c = x;
  return c->ncode++;
}

/* X's value at WANT (when one is asked for): a move unless it is there. */
static Addr place(Compiler *c, Addr x, Addr want) {
  if (want == NO_ADDR || want == x) return x;
  emit(c, I_MOVE, want, x, NO_ADDR, NO_ADDR);
  return want;
}

/* Reports an expression the compiler does not know (a checker gap). */
static Addr cx_fail(Compiler *c, const Node *e, const char *what, Addr want) {
  c->failed = true;
  if (c->diag)
    diag_error(c->diag, e->span, "internal error: cannot compile %s (%s)", what,
               ast_kind_name((NodeKind)e->kind));
  return place(c, konst(c, val_missing(MISS_DOMAIN)), want);
}

/* The constant operand X as a pointer, for folding (the constants do not
 * move until the instruction has run). */
static const Value *fold_operand(const Compiler *c, Addr x) {
  return x == NO_ADDR ? NULL : const_value(c, x);
}

/* The instruction just emitted (AT), which must be pure and not jump,
 * evaluated now when every operand is a constant: it is dropped and its
 * value becomes a constant. Its result, either way, at WANT. */
static Addr fold(Compiler *c, int32_t at, Addr want) {
  CIns in = c->code[at];
  Addr ops[3] = {in.a, in.b, in.c};
  for (int i = 0; i < 3; i++)
    if (ops[i] != NO_ADDR && !is_const(ops[i])) return place(c, in.dst, want);
  /* (the block I_IN and I_CALL read is all constants when its first is:
   * cx_block) */
  Ins one = {.op = in.op, .aux = in.aux, .n = in.n, .sub = in.sub, .m = in.m, .len = in.len};
  one.a = fold_operand(c, in.a);
  one.b = fold_operand(c, in.b);
  one.c = fold_operand(c, in.c);
  Value k;
  ops_fold(&one, c->arena, &k);
  c->ncode = at;
  return place(c, konst(c, k), want);
}

/* The values of ITEMS[0..N) one after the other (what I_IN, I_CALL and
 * S_BANDS read): constants when they all are, the registers where they
 * are when those follow one another (thresholds declared one after the
 * other: no moves), else temporaries moved into. AT (or NULL) receives
 * where each value was found. */
static Addr cx_block(Compiler *c, const Node *const *items, int32_t n, Addr *at_out) {
  Addr *at = at_out ? at_out : arena_alloc(c->arena, ((size_t)n + 1) * sizeof *at);
  bool all_const = true;
  for (int32_t i = 0; i < n; i++) {
    at[i] = cx(c, items[i], NO_ADDR);
    all_const = all_const && is_const(at[i]);
  }
  bool in_a_row = n > 0 && at[0] >= 0;
  for (int32_t i = 1; i < n && in_a_row; i++)
    in_a_row = at[i] == at[0] + i;
  if (in_a_row && c->fuse) return at[0];
  Addr first;
  if (all_const) {
    first = NO_ADDR;
    for (int32_t i = 0; i < n; i++) {
      Addr k = konst(c, *const_value(c, at[i]));
      if (i == 0) first = k;
    }
  } else {
    first = temps(c, n);
    for (int32_t i = 0; i < n; i++)
      place(c, at[i], first + i);
  }
  return first;
}

static Addr slot(const Compiler *c, LoadBase base, int32_t index) { return c->cp->table_at[base] + index; }

/* A reference (E_NAME / E_FIELD annotated by the checker). */
static Addr cx_ref(Compiler *c, const Node *e, Addr want) {
  const CProgram *cp = c->cp;
  Addr x;
  switch ((RefKind)e->ref_kind) {
  case REF_INPUT: x = slot(c, LB_INPUT, e->ref_index); break;
  case REF_INDICATOR:
    if (c->persona && cp->prog->indicators[e->ref_index].persona_defaults)
      x = slot(c, LB_INDICATOR, cp->prog->nindicators + e->ref_index);
    else
      x = slot(c, LB_INDICATOR, e->ref_index);
    break;
  case REF_THRESHOLD:
    /* persona conditions see the default: a constant too (the table of
     * thresholds in effect is filled when the persona is known) */
    if (!cp->threshold_varies[e->ref_index] || c->persona)
      x = konst(c, cp->variants[cp->prog->npersonas].thresholds[e->ref_index]);
    else
      x = slot(c, LB_THRESHOLD, e->ref_index);
    break;
  case REF_DIMENSION: x = slot(c, LB_DIM, e->ref_index); break;
  case REF_DIM_GRADE: x = slot(c, LB_STATE, cp->state_dim_grade + e->ref_index); break;
  case REF_MEMBER: x = slot(c, LB_MEMBER, cp->member_first[e->ref_index] + e->ref_sub); break;
  case REF_SEGMENT: x = slot(c, LB_STATE, cp->state_segment + e->ref_index); break;
  case REF_HEALTH: x = slot(c, LB_STATE, ST_HEALTH); break;
  case REF_GRADE: x = slot(c, LB_STATE, ST_GRADE); break;
  case REF_PERSONA: x = slot(c, LB_STATE, ST_PERSONA); break;
  case REF_BOTTLENECK: x = slot(c, LB_STATE, ST_BOTTLENECK); break;
  case REF_AS_OF: x = slot(c, LB_STATE, ST_AS_OF); break;
  case REF_SYMBOL: x = konst(c, val_sym(e->ref_sub)); break;
  case REF_ELEM_FIELD: {
    Addr d = dest(c, want);
    int32_t at = emit(c, I_ELEM, d, NO_ADDR, NO_ADDR, NO_ADDR);
    c->code[at].n = e->ref_index;
    c->code[at].sub = e->ref_sub;
    return d;
  }
  default: return cx_fail(c, e, "this reference", want);
  }
  return place(c, x, want);
}

/* count/sum/avg/min/max/any/all/nps over `L`, `L.f`, `L where C` or
 * `L.f where C`: the instruction, then the condition's code. */
static Addr cx_aggregate(Compiler *c, const Node *e, Builtin fn, Addr want) {
  if (e->list.count != 1) return cx_fail(c, e, "this aggregate", want);
  const Node *target = e->list.items[0];
  const Node *cond = NULL;
  if (target->kind == E_WHERE) {
    cond = target->b;
    target = target->a;
  }
  int32_t input, field;
  if (target->ref_kind == REF_LIST_FIELD) {
    input = target->ref_index;
    field = target->ref_sub;
  } else if (target->ref_kind == REF_INPUT && target->type == T_LIST) {
    input = target->ref_index;
    field = -1;
  } else {
    return cx_fail(c, e, "this aggregate's list", want);
  }
  Addr d = dest(c, want);
  int32_t at = emit(c, I_AGG, d, NO_ADDR, slot(c, LB_INPUT, input), NO_ADDR);
  Addr r = cond ? cx(c, cond, NO_ADDR) : NO_ADDR;
  CIns *in = &c->code[at];
  in->a = r;
  in->n = input;
  in->sub = fn;
  in->aux = field;
  in->m = c->cp->prog->inputs[input].nfields;
  in->len = c->ncode - at - 1;
  return d;
}

/* A trend function (the checker made its call in Program.trend_calls):
 * the subject's value now. */
static Addr cx_trend(Compiler *c, const Node *e, Addr want) {
  const Program *p = c->cp->prog;
  if (e->ref_sub < 0 || e->ref_sub >= p->ntrend_calls || e->list.count < 1)
    return cx_fail(c, e, "this trend", want);
  Addr now = cx(c, e->list.items[0], NO_ADDR);
  Addr d = dest(c, want);
  int32_t at = emit(c, I_TREND, d, now, NO_ADDR, NO_ADDR);
  c->code[at].n = p->trend_calls[e->ref_sub].subject;
  c->code[at].sub = e->ref_sub;
  return d;
}

/* Built-in calls; aggregates and flagged() have their own. */
static Addr cx_call(Compiler *c, const Node *e, Addr want) {
  if (e->ref_kind != REF_FUNC && e->ref_kind != REF_FLAG) return cx_fail(c, e, "this call", want);
  if (e->ref_kind == REF_FLAG || e->ref_index == FN_FLAGGED) {
    int32_t flag = e->ref_kind == REF_FLAG ? e->ref_index
                   : e->list.count == 1    ? e->list.items[0]->ref_index
                                           : -1;
    if (flag < 0 || flag >= c->cp->prog->nflags) return cx_fail(c, e, "flagged()", want);
    return place(c, slot(c, LB_STATE, c->cp->state_flagged + flag), want);
  }
  Builtin fn = (Builtin)e->ref_index;
  if (builtin_is_aggregate(fn)) return cx_aggregate(c, e, fn, want);
  if (fn >= FN_PAST && fn <= FN_COUNT_OVER) return cx_trend(c, e, want);
  int32_t n = e->list.count;
  static const int8_t min_args[BUILTIN_COUNT] = {
      [FN_MIN] = 1,   [FN_MAX] = 1,      [FN_ABS] = 1,      [FN_ROUND] = 1,      [FN_CLAMP] = 3,
      [FN_SCALE] = 3, [FN_COALESCE] = 1, [FN_DAYS] = 2,     [FN_DAYS_SINCE] = 1, [FN_DAYS_UNTIL] = 1,
      [FN_LOWER] = 1, [FN_UPPER] = 1,    [FN_CONTAINS] = 2, [FN_STARTS_WITH] = 2};
  static const int8_t max_args[BUILTIN_COUNT] = {
      [FN_MIN] = -1,  [FN_MAX] = -1,      [FN_ABS] = 1,      [FN_ROUND] = 2,      [FN_CLAMP] = 3,
      [FN_SCALE] = 3, [FN_COALESCE] = -1, [FN_DAYS] = 2,     [FN_DAYS_SINCE] = 1, [FN_DAYS_UNTIL] = 1,
      [FN_LOWER] = 1, [FN_UPPER] = 1,     [FN_CONTAINS] = 2, [FN_STARTS_WITH] = 2};
  if ((unsigned)fn >= BUILTIN_COUNT || min_args[fn] == 0 || n < min_args[fn] ||
      (max_args[fn] >= 0 && n > max_args[fn]))
    return cx_fail(c, e, "this call", want);
  const Node *const *args = (const Node *const *)e->list.items;
  int32_t at;
  /* round(x), abs(x), min(x, y), max(x, y): the arguments read where
   * they are (no block to move them into), numbers inline (I_FN1,
   * I_FN2) */
  if (c->fuse && (n == 1 ? fn == FN_ROUND || fn == FN_ABS : n == 2 && (fn == FN_MIN || fn == FN_MAX))) {
    Addr x = cx(c, args[0], NO_ADDR), y = n == 2 ? cx(c, args[1], NO_ADDR) : NO_ADDR;
    at = emit(c, n == 1 ? I_FN1 : I_FN2, dest(c, want), x, y, NO_ADDR);
    c->code[at].n = n;
    c->code[at].sub = fn;
    return fold(c, at, want);
  }
  switch (fn) {
  case FN_SCALE: {
    Addr x = cx(c, args[0], NO_ADDR), lo = cx(c, args[1], NO_ADDR), hi = cx(c, args[2], NO_ADDR);
    at = emit(c, I_SCALE, dest(c, want), x, lo, hi);
    return fold(c, at, want);
  }
  case FN_DAYS: {
    Addr from = cx(c, args[0], NO_ADDR), to = cx(c, args[1], NO_ADDR);
    at = emit(c, I_DAYS, dest(c, want), from, to, NO_ADDR);
    return fold(c, at, want);
  }
  case FN_DAYS_SINCE:
  case FN_DAYS_UNTIL: {
    /* they read as_of: never folded */
    Addr x = cx(c, args[0], NO_ADDR);
    Addr d = dest(c, want);
    emit(c, fn == FN_DAYS_SINCE ? I_DAYS_SINCE : I_DAYS_UNTIL, d, x, NO_ADDR, NO_ADDR);
    return d;
  }
  default: {
    Addr block = cx_block(c, args, n, NULL);
    at = emit(c, I_CALL, dest(c, want), block, NO_ADDR, NO_ADDR);
    c->code[at].n = n;
    c->code[at].sub = fn;
    return fold(c, at, want);
  }
  }
}

/* `a and b`, `a or b`, `a ?? b`: b's code is skipped when a decides,
 * unless it is short enough to run anyway (two instructions or fewer:
 * cheaper than the jump, which goes the data's way, and b is pure). */
static Addr cx_logic(Compiler *c, const Node *e, uint8_t skip_op, uint8_t op, Addr want) {
  Addr a = cx(c, e->a, NO_ADDR);
  Addr d = dest(c, want);
  int32_t skip = emit(c, skip_op, d, a, NO_ADDR, NO_ADDR);
  Addr b = cx(c, e->b, NO_ADDR);
  int32_t blen = c->ncode - skip - 1;
  if (blen <= 2) {
    memmove(&c->code[skip], &c->code[skip + 1], (size_t)blen * sizeof *c->code);
    c->ncode--;
  } else {
    c->code[skip].n = blen + 1; /* b's code and the instruction below */
  }
  int32_t at = emit(c, op, d, a, b, NO_ADDR);
  return blen == 0 ? fold(c, at, want) : place(c, d, want);
}

static Addr cx_binary(Compiler *c, const Node *e, Addr want) {
  static const uint8_t ins[] = {[OP_ADD] = I_ADD, [OP_SUB] = I_SUB, [OP_MUL] = I_MUL, [OP_DIV] = I_DIV,
                                [OP_MOD] = I_MOD, [OP_EQ] = I_EQ,   [OP_NE] = I_NE,   [OP_LT] = I_LT,
                                [OP_LE] = I_LE,   [OP_GT] = I_GT,   [OP_GE] = I_GE};
  Op op = (Op)e->op;
  switch (op) {
  case OP_AND: return cx_logic(c, e, I_AND_SKIP, I_AND, want);
  case OP_OR: return cx_logic(c, e, I_OR_SKIP, I_OR, want);
  case OP_COALESCE: return cx_logic(c, e, I_PRESENT_SKIP, I_COALESCE, want);
  case OP_ADD:
  case OP_SUB:
  case OP_MUL:
  case OP_DIV:
  case OP_MOD:
  case OP_EQ:
  case OP_NE:
  case OP_LT:
  case OP_LE:
  case OP_GT:
  case OP_GE: {
    Addr a = cx(c, e->a, NO_ADDR);
    Addr b = cx(c, e->b, NO_ADDR);
    uint8_t in = ins[op];
    /* a symbol compared with a constant one: I_SYM_EQ, I_SYM_NE */
    if (c->fuse && (op == OP_EQ || op == OP_NE) && is_const(b) && const_value(c, b)->type == T_SYMBOL)
      in = op == OP_EQ ? I_SYM_EQ : I_SYM_NE;
    int32_t at = emit(c, in, dest(c, want), a, b, NO_ADDR);
    return fold(c, at, want);
  }
  default: return cx_fail(c, e, "this operator", want);
  }
}

/* `if a then b else c`: both branches write the result's register. */
static Addr cx_if(Compiler *c, const Node *e, Addr want) {
  Addr cond = cx(c, e->a, NO_ADDR);
  if (is_const(cond)) {
    /* a constant condition picks its branch now */
    Value k = *const_value(c, cond);
    if (k.type == T_MISSING) return place(c, cond, want);
    if (k.type == T_BOOL) return cx(c, k.u.b ? e->b : e->c, want);
  }
  if (c->fuse) {
    /* both branches without code (references, constants): a select, no
     * jump on the data */
    int32_t at = c->ncode;
    Addr b = cx(c, e->b, NO_ADDR);
    Addr x = c->ncode == at ? cx(c, e->c, NO_ADDR) : NO_ADDR;
    if (c->ncode == at) {
      Addr d = dest(c, want);
      emit(c, I_SELECT, d, cond, b, x);
      return d;
    }
    c->ncode = at;
  }
  Addr d = dest(c, want);
  int32_t branch = emit(c, I_BRANCH, d, cond, NO_ADDR, NO_ADDR);
  cx(c, e->b, d);
  int32_t jump = emit(c, I_JUMP, NO_ADDR, NO_ADDR, NO_ADDR, NO_ADDR);
  c->code[branch].n = jump - branch;
  cx(c, e->c, d);
  c->code[jump].n = c->ncode - jump - 1;
  c->code[branch].sub = c->ncode - branch - 1;
  return d;
}

/* expression -> its code, the result at WANT (NO_ADDR: wherever it is);
 * recursion is bounded by the parser's expression depth limit. */
static Addr cx(Compiler *c, const Node *e, Addr want) {
  int32_t at;
  switch ((NodeKind)e->kind) {
  case E_NUM: return place(c, konst(c, val_num(e->num)), want);
  case E_STR: return place(c, konst(c, val_text(e->str, (uint32_t)strlen(e->str))), want);
  case E_DATE: return place(c, konst(c, val_date(e->date)), want);
  case E_DURATION: return place(c, konst(c, val_duration((int32_t)e->num, (DurUnit)e->op)), want);
  case E_BOOL: return place(c, konst(c, val_bool(e->num != 0)), want);
  case E_MISSING: return place(c, konst(c, val_missing(MISS_ABSENT)), want);
  case E_NAME:
  case E_FIELD: return cx_ref(c, e, want);
  case E_CALL: return cx_call(c, e, want);
  case E_UNARY: {
    Addr a = cx(c, e->a, NO_ADDR);
    at = emit(c, e->op == OP_NEG ? I_NEG : I_NOT, dest(c, want), a, NO_ADDR, NO_ADDR);
    return fold(c, at, want);
  }
  case E_BINARY: return cx_binary(c, e, want);
  case E_IN: {
    const Node *list = e->b;
    Addr a = cx(c, e->a, NO_ADDR);
    Addr block = cx_block(c, (const Node *const *)list->list.items, list->list.count, NULL);
    at = emit(c, I_IN, dest(c, want), a, block, NO_ADDR);
    c->code[at].n = list->list.count;
    return fold(c, at, want);
  }
  case E_IS_MISSING: {
    Addr a = cx(c, e->a, NO_ADDR);
    at = emit(c, I_IS_MISSING, dest(c, want), a, NO_ADDR, NO_ADDR);
    c->code[at].sub = (e->flags & NF_NEGATED) ? 1 : 0;
    return fold(c, at, want);
  }
  case E_IF: return cx_if(c, e, want);
  default: return cx_fail(c, e, "this expression", want);
  }
}
/* ---- references, for explanations ------------------------------------ */

typedef struct RefSet {
  ExplainRef *items;
  int32_t count, cap;
} RefSet;

static void refset_add(RefSet *s, uint8_t kind, int32_t index, int32_t sub) {
  for (int32_t i = 0; i < s->count; i++)
    if (s->items[i].kind == kind && s->items[i].index == index && s->items[i].sub == sub) return;
  if (s->count == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 8;
    s->items = xrealloc(s->items, (size_t)s->cap * sizeof *s->items);
  }
  ExplainRef *r = &s->items[s->count++];
  r->kind = kind;
  r->index = index;
  r->sub = sub;
  r->name = NULL;
}

/* Collects the references of E in order of first use (recursion bounded by
 * the expression depth limit). */
static void collect_refs(RefSet *s, const Node *e) {
  if (!e) return;
  switch ((NodeKind)e->kind) {
  case E_NAME:
  case E_FIELD:
    switch ((RefKind)e->ref_kind) {
    case REF_INPUT:
    case REF_INDICATOR:
    case REF_THRESHOLD:
    case REF_DIMENSION:
    case REF_DIM_GRADE:
    case REF_MEMBER:
    case REF_SEGMENT:
      refset_add(s, e->ref_kind, e->ref_index, e->ref_kind == REF_MEMBER ? e->ref_sub : -1);
      return;
    case REF_HEALTH:
    case REF_GRADE:
    case REF_PERSONA:
    case REF_BOTTLENECK:
    case REF_AS_OF: refset_add(s, e->ref_kind, -1, -1); return;
    case REF_LIST_FIELD: refset_add(s, REF_INPUT, e->ref_index, -1); return;
    default: return; /* symbols, element fields */
    }
  case E_CALL:
    if (e->ref_kind == REF_FLAG) {
      refset_add(s, REF_FLAG, e->ref_index, -1);
      return;
    }
    if (e->ref_kind == REF_FUNC && e->ref_index == FN_FLAGGED) {
      if (e->list.count == 1) refset_add(s, REF_FLAG, e->list.items[0]->ref_index, -1);
      return;
    }
    if (e->ref_kind == REF_FUNC && e->ref_index >= FN_PAST && e->ref_index <= FN_COUNT_OVER) {
      refset_add(s, REF_TREND, e->ref_sub, -1); /* the value looked back at, then the subject now */
      if (e->list.count >= 1) collect_refs(s, e->list.items[0]);
      return;
    }
    for (int32_t i = 0; i < e->list.count; i++)
      collect_refs(s, e->list.items[i]);
    return;
  default:
    collect_refs(s, e->a);
    collect_refs(s, e->b);
    collect_refs(s, e->c);
    for (int32_t i = 0; i < e->list.count; i++)
      collect_refs(s, e->list.items[i]);
    return;
  }
}

/* The display name of a reference. */
static const char *ref_name(const Program *p, Arena *a, const ExplainRef *r) {
  switch ((RefKind)r->kind) {
  case REF_INPUT: return p->inputs[r->index].name;
  case REF_INDICATOR: return p->indicators[r->index].name;
  case REF_THRESHOLD: return p->thresholds[r->index].name;
  case REF_DIMENSION: return p->dimensions[r->index].name;
  case REF_DIM_GRADE: return arena_printf(a, "%s.grade", p->dimensions[r->index].name);
  case REF_MEMBER:
    return arena_printf(a, "%s.%s", p->dimensions[r->index].name,
                        p->dimensions[r->index].members[r->sub].name);
  case REF_SEGMENT: return p->segments[r->index].name;
  case REF_HEALTH: return "health";
  case REF_GRADE: return "grade";
  case REF_PERSONA: return "persona";
  case REF_BOTTLENECK: return "bottleneck";
  case REF_AS_OF: return "as_of";
  case REF_FLAG: return arena_printf(a, "flagged(%s)", p->flags[r->index].name);
  case REF_TREND: {
    const TrendCall *t = &p->trend_calls[r->index];
    const char *x = p->trend_subjects[t->subject].name;
    const char *unit = duration_unit_text(t->unit);
    switch ((Builtin)t->fn) {
    case FN_PAST: return arena_printf(a, "%s %d%s back", x, t->n, unit);
    case FN_PREVIOUS: return arena_printf(a, "previous %s", x);
    case FN_CHANGE: return arena_printf(a, "change(%s, %d%s)", x, t->n, unit);
    case FN_PCT_CHANGE: return arena_printf(a, "pct_change(%s, %d%s)", x, t->n, unit);
    case FN_AVG_OVER: return arena_printf(a, "avg_over(%s, %d%s)", x, t->n, unit);
    case FN_MIN_OVER: return arena_printf(a, "min_over(%s, %d%s)", x, t->n, unit);
    case FN_MAX_OVER: return arena_printf(a, "max_over(%s, %d%s)", x, t->n, unit);
    default: return arena_printf(a, "count_over(%s, %d%s)", x, t->n, unit);
    }
  }
  default: return "?";
  }
}

RefList compile_refs(const CProgram *cp, Arena *arena, const Node *const *exprs, int32_t n) {
  RefSet s = {0};
  for (int32_t i = 0; i < n; i++)
    collect_refs(&s, exprs[i]);
  RefList out = {NULL, 0, false};
  if (s.count > 0) {
    ExplainRef *refs = arena_alloc(arena, (size_t)s.count * sizeof *refs);
    for (int32_t i = 0; i < s.count; i++) {
      refs[i] = s.items[i];
      refs[i].name = ref_name(cp->prog, arena, &refs[i]);
    }
    out.refs = refs;
    out.count = s.count;
  }
  free(s.items);
  return out;
}

/* ---- variants: what each persona changes ------------------------------ */

/* Grade set SET's cut points (NULL: SET is -1). */
static const CGrades *grade_cut(const CProgram *cp, int32_t set) {
  return set >= 0 && set < cp->prog->ngrade_sets ? &cp->grades[set] : NULL;
}

/* CP's grade sets as the roll-up reads them. */
static void build_grades(CProgram *cp) {
  const Program *p = cp->prog;
  cp->grades = arena_alloc(&cp->arena, (size_t)(p->ngrade_sets + 1) * sizeof *cp->grades);
  for (int32_t k = 0; k < p->ngrade_sets; k++) {
    const GradeSet *gs = &p->grade_sets[k];
    int32_t nb = gs->nbands > 0 ? gs->nbands : 1;
    double *bound = arena_alloc(&cp->arena, (size_t)nb * sizeof *bound);
    int32_t *grade = arena_alloc(&cp->arena, (size_t)nb * sizeof *grade);
    for (int32_t b = 0; b < gs->nbands; b++) {
      bound[b] = gs->bands[b].bound;
      grade[b] = gs->bands[b].grade;
    }
    if (gs->nbands == 0) grade[0] = -1;
    cp->grades[k] = (CGrades){.nbounds = nb - 1, .bound = bound, .grade = grade};
  }
}

/* Fills variant V for persona PERSONA (-1: the default). */
static void build_variant(CProgram *cp, Variant *v, int32_t persona) {
  const Program *p = cp->prog;
  Arena *a = &cp->arena;
  const PersonaDecl *pd = persona >= 0 ? &p->personas[persona] : NULL;
  v->thresholds = arena_alloc(a, (size_t)(p->nthresholds + 1) * sizeof *v->thresholds);
  for (int32_t t = 0; t < p->nthresholds; t++)
    v->thresholds[t] = p->thresholds[t].value;
  v->dim_weight = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof *v->dim_weight);
  v->member_weight = arena_alloc(a, (size_t)(cp->nmembers + 1) * sizeof *v->member_weight);
  v->member_wpos = arena_alloc(a, (size_t)(cp->nmembers + 1) * sizeof *v->member_wpos);
  v->coverage_weight = arena_alloc(a, (size_t)(cp->nmembers + 1) * sizeof *v->coverage_weight);
  v->dim_grades = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof *v->dim_grades);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    v->dim_weight[d] = p->dimensions[d].weight;
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++)
      v->member_weight[cp->member_first[d] + m] = p->dimensions[d].members[m].weight;
  }
  int32_t persona_grades = -1;
  if (pd) {
    for (int32_t k = 0; k < pd->nthresholds; k++)
      v->thresholds[pd->thresholds[k].threshold] = pd->thresholds[k].value;
    for (int32_t k = 0; k < pd->nderived; k++)
      v->thresholds[pd->derived[k].threshold] = pd->derived[k].value;
    for (int32_t k = 0; k < pd->nweights; k++) {
      const WeightOverride *w = &pd->weights[k];
      if (w->member < 0)
        v->dim_weight[w->dimension] = w->weight;
      else
        v->member_weight[cp->member_first[w->dimension] + w->member] = w->weight;
    }
    persona_grades = pd->grades;
  }
  v->health_grades = persona_grades >= 0 ? persona_grades : p->default_grades;
  v->health_cut = grade_cut(cp, v->health_grades);
  v->dims = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof *v->dims);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    v->dim_grades[d] = p->dimensions[d].grades >= 0 ? p->dimensions[d].grades : v->health_grades;
    v->dims[d] = (DimPlan){.weight = v->dim_weight[d],
                           .cut = grade_cut(cp, v->dim_grades[d]),
                           .grade_set = v->dim_grades[d],
                           .excluded = !(v->dim_weight[d] > 0)};
  }
  for (int32_t i = 0; i < cp->nmembers; i++)
    v->member_wpos[i] = v->member_weight[i] > 0 ? v->member_weight[i] : 0;

  /* coverage: every member's share of the health when nothing is N/A */
  double dim_total = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    if (v->dim_weight[d] > 0) dim_total += v->dim_weight[d];
  v->coverage_total = 0;
  for (int32_t d = 0; d < p->ndimensions; d++) {
    double wd = v->dim_weight[d], member_total = 0;
    int32_t first = cp->member_first[d], last = cp->member_first[d + 1];
    for (int32_t i = first; i < last; i++)
      if (v->member_weight[i] > 0) member_total += v->member_weight[i];
    for (int32_t i = first; i < last; i++) {
      double w = v->member_weight[i];
      double cw = wd > 0 && w > 0 && member_total > 0 ? (wd / dim_total) * (w / member_total) : 0;
      v->coverage_weight[i] = cw;
      v->coverage_total += cw;
    }
  }
}

/* Does some persona's value of threshold T differ from the default? */
static bool threshold_varies(const CProgram *cp, int32_t t) {
  const Value *def = &cp->variants[cp->prog->npersonas].thresholds[t];
  for (int32_t i = 0; i < cp->prog->npersonas; i++) {
    const Value *v = &cp->variants[i].thresholds[t];
    if (v->type != def->type || v->len != def->len || memcmp(&v->u, &def->u, sizeof v->u) != 0) return true;
  }
  return false;
}

/* ---- the steps ---------------------------------------------------------- */

/* Appends a step, to the last run when it continues it. */
static void add_step(CProgram *cp, DepKind kind, int32_t index) {
  CStep *last = cp->nsteps > 0 ? &cp->steps[cp->nsteps - 1] : NULL;
  if (last && last->kind == kind && index >= 0 && last->index + last->count == index) {
    last->count++;
    return;
  }
  cp->steps[cp->nsteps].kind = (uint8_t)kind;
  cp->steps[cp->nsteps].index = index;
  cp->steps[cp->nsteps].count = 1;
  cp->nsteps++;
}

/* Program.order without the threshold nodes (the variant tables replace
 * them), with every member numbered flat. Whatever the order lacks is
 * appended in a safe phase order (persona, segments, indicators, members,
 * dimensions, health, flags, journey), so every result slot is written
 * for every account. */
static void build_steps(CProgram *cp) {
  const Program *p = cp->prog;
  int32_t total = 1 + p->nsegments + p->nindicators + cp->nmembers + p->ndimensions + 1 + p->nflags + 1;
  cp->steps = arena_alloc(&cp->arena, (size_t)total * sizeof *cp->steps);
  /* seen[] is indexed by a per-kind base + index */
  int32_t base_segment = 1, base_indicator = base_segment + p->nsegments,
          base_member = base_indicator + p->nindicators, base_dim = base_member + cp->nmembers,
          base_health = base_dim + p->ndimensions, base_flag = base_health + 1,
          base_journey = base_flag + p->nflags;
  bool *seen = xcalloc((size_t)total + 1, 1);
  for (int32_t i = 0; i < p->norder; i++) {
    const DepNode *n = &p->order[i];
    int32_t slot, index = n->index;
    switch ((DepKind)n->kind) {
    case DEP_PERSONA: slot = 0; break;
    case DEP_SEGMENT: slot = base_segment + index; break;
    case DEP_INDICATOR: slot = base_indicator + index; break;
    case DEP_MEMBER:
      index = cp->member_first[n->index] + n->sub;
      slot = base_member + index;
      break;
    case DEP_DIMENSION: slot = base_dim + index; break;
    case DEP_HEALTH: slot = base_health; break;
    case DEP_FLAG: slot = base_flag + index; break;
    case DEP_JOURNEY: slot = base_journey; break;
    default: continue; /* DEP_THRESHOLD: the variant tables */
    }
    if (seen[slot]) continue;
    seen[slot] = true;
    add_step(cp, (DepKind)n->kind, index);
  }
  if (!seen[0]) add_step(cp, DEP_PERSONA, -1);
  for (int32_t i = 0; i < p->nsegments; i++)
    if (!seen[base_segment + i]) add_step(cp, DEP_SEGMENT, i);
  for (int32_t i = 0; i < p->nindicators; i++)
    if (!seen[base_indicator + i]) add_step(cp, DEP_INDICATOR, i);
  for (int32_t i = 0; i < cp->nmembers; i++)
    if (!seen[base_member + i]) add_step(cp, DEP_MEMBER, i);
  for (int32_t i = 0; i < p->ndimensions; i++)
    if (!seen[base_dim + i]) add_step(cp, DEP_DIMENSION, i);
  if (!seen[base_health]) add_step(cp, DEP_HEALTH, -1);
  for (int32_t i = 0; i < p->nflags; i++)
    if (!seen[base_flag + i]) add_step(cp, DEP_FLAG, i);
  if (!seen[base_journey]) add_step(cp, DEP_JOURNEY, -1);
  free(seen);
}

/* ---- the account's code ------------------------------------------------- */

/* A node that costs about as much as a mispredicted branch or less: a
 * reference or a literal, or a comparison, `??`, `is missing` or `not` of
 * such (DEPTH levels at most). */
static bool cheap(const Node *e, int depth) {
  switch ((NodeKind)e->kind) {
  case E_NUM:
  case E_STR:
  case E_DATE:
  case E_DURATION:
  case E_BOOL:
  case E_MISSING: return true;
  case E_NAME:
  case E_FIELD: return e->ref_kind != REF_ELEM_FIELD && e->ref_kind != REF_LIST_FIELD;
  case E_CALL: return e->ref_kind == REF_FLAG || (e->ref_kind == REF_FUNC && e->ref_index == FN_FLAGGED);
  case E_BINARY:
    if (depth == 0) return false;
    if (e->op < OP_EQ || e->op > OP_COALESCE || e->op == OP_AND || e->op == OP_OR) return false;
    return cheap(e->a, depth - 1) && cheap(e->b, depth - 1);
  case E_IS_MISSING: return depth > 0 && cheap(e->a, depth - 1);
  case E_UNARY: return depth > 0 && e->op == OP_NOT && cheap(e->a, depth - 1);
  default: return false;
  }
}

/* A step's instruction (N its member, dimension, …; A its operand). */
static int32_t emit_step(Compiler *c, StepOp op, int32_t n, Addr a) {
  int32_t at = emit(c, (uint8_t)op, NO_ADDR, a, NO_ADDR, NO_ADDR);
  c->code[at].n = n;
  return at;
}

/* A top-level expression (its temporaries start again at the first), or
 * the constant IF_NONE when there is none. */
static Addr top(Compiler *c, const Node *e, Value if_none, Addr want) {
  c->ntemp = 0;
  return e ? cx(c, e, want) : place(c, konst(c, if_none), want);
}

/* Is the operand X a number in every account: a constant number, or a
 * threshold that is one in every variant? */
static bool always_number(const Compiler *c, Addr x) {
  if (is_const(x)) return const_value(c, x)->type == T_NUMBER;
  const CProgram *cp = c->cp;
  int32_t t = x - cp->table_at[LB_THRESHOLD];
  if (x < 0 || t < 0 || x >= cp->table_at[LB_THRESHOLD + 1]) return false;
  for (int32_t i = 0; i <= cp->prog->npersonas; i++)
    if (cp->variants[i].thresholds[t].type != T_NUMBER) return false;
  return true;
}

/* The number operand X (always_number) holds in variant V. */
static double number_in(const Compiler *c, Addr x, const Variant *v) {
  return is_const(x) ? const_value(c, x)->u.num : v->thresholds[x - c->cp->table_at[LB_THRESHOLD]].u.num;
}

/* Are X and Y numbers in every account, and different in every variant
 * (scale()'s bounds: no division by zero to test for)? */
static bool distinct_numbers(const Compiler *c, Addr x, Addr y) {
  if (!always_number(c, x) || !always_number(c, y)) return false;
  const CProgram *cp = c->cp;
  for (int32_t i = 0; i <= cp->prog->npersonas; i++)
    if (number_in(c, x, &cp->variants[i]) == number_in(c, y, &cp->variants[i])) return false;
  return true;
}

/* A band value's best: the constant number, else 100. */
static double band_best(const Compiler *c, Addr v) {
  const Value *k = is_const(v) ? const_value(c, v) : NULL;
  return k && k->type == T_NUMBER ? k->u.num : 100;
}

/* Do the NCONDS conditions of band member SRC all compare one value
 * (the same register or constant: *X) by one operator (*OP) with
 * something? Then S_BANDS_CMP does their comparisons itself. */
static bool bands_compare_one(Compiler *c, const Member *src, int32_t nconds, Addr *x, uint8_t *op) {
  int32_t code_at = c->ncode;
  Addr first = NO_ADDR;
  for (int32_t b = 0; b < nconds; b++) {
    const Node *cond = src->bands[b].cond;
    if (cond->kind != E_BINARY || cond->op < OP_EQ || cond->op > OP_GE || cond->op != src->bands[0].cond->op)
      return false;
    /* a reference (no code: its register), the same one every time */
    Addr left = cx(c, cond->a, NO_ADDR);
    if (c->ncode != code_at || left < 0 || (b > 0 && left != first)) {
      c->ncode = code_at;
      return false;
    }
    first = left;
  }
  *x = first;
  *op = (uint8_t)src->bands[0].cond->op;
  return true;
}

/* Band member I with every condition cheap: all conditions (up to the
 * first `otherwise`, bands after which are never taken) and all values
 * (references or literals) at once, one after the other. */
static double emit_eager_bands(Compiler *c, const Member *src, int32_t i) {
  int32_t nb = src->nbands, nconds = 0;
  while (nconds < nb && src->bands[nconds].cond)
    nconds++;
  int32_t nvalues = nconds < nb ? nconds + 1 : nb;
  c->ntemp = 0;
  Addr x = NO_ADDR, rights = NO_ADDR;
  uint8_t op = OP_NONE;
  bool numbers = false; /* every right side a number in every account */
  if (c->fuse && nconds > 0 && bands_compare_one(c, src, nconds, &x, &op)) {
    const Node **r = arena_alloc(c->arena, ((size_t)nconds + 1) * sizeof *r);
    for (int32_t b = 0; b < nconds; b++)
      r[b] = src->bands[b].cond->b;
    Addr *r_at = arena_alloc(c->arena, ((size_t)nconds + 1) * sizeof *r_at);
    rights = cx_block(c, r, nconds, r_at);
    numbers = true;
    for (int32_t b = 0; b < nconds; b++)
      numbers = numbers && always_number(c, r_at[b]);
  }
  Addr conds = nconds && x == NO_ADDR ? temps(c, nconds) : NO_ADDR;
  for (int32_t b = 0; b < nconds && x == NO_ADDR; b++)
    cx(c, src->bands[b].cond, conds + b);
  const Node **values = arena_alloc(c->arena, ((size_t)nvalues + 1) * sizeof *values);
  for (int32_t b = 0; b < nvalues; b++)
    values[b] = src->bands[b].value;
  Addr *at = arena_alloc(c->arena, ((size_t)nvalues + 1) * sizeof *at);
  Addr first = cx_block(c, values, nvalues, at);
  double best = 0;
  for (int32_t b = 0; b < nvalues; b++) {
    best = fmax(best, band_best(c, at[b]));
    /* a constant score from 0 to 100: taken as it is (no clamp, no test) */
    numbers = numbers && is_const(at[b]) && const_value(c, at[b])->type == T_NUMBER &&
              const_value(c, at[b])->u.num >= 0 && const_value(c, at[b])->u.num <= 100;
  }
  int32_t s = emit_step(c, x == NO_ADDR ? S_BANDS : S_BANDS_CMP, i, x == NO_ADDR ? conds : x);
  c->code[s].aux = numbers; /* S_BANDS_CMP: no right side or value to test */
  c->code[s].b = first;
  c->code[s].c = rights;
  c->code[s].sub = op;
  c->code[s].m = nconds;
  c->code[s].len = nvalues;
  return best;
}

/* Band member I one band at a time: each condition, and the value of the
 * band taken. */
static double emit_lazy_bands(Compiler *c, const Member *src, int32_t i) {
  int32_t nb = src->nbands;
  int32_t *exits = arena_alloc(c->arena, ((size_t)nb * 2 + 1) * sizeof *exits), nexits = 0;
  double best = 0;
  emit_step(c, S_MEMBER_NA, i, NO_ADDR);
  for (int32_t b = 0; b < nb; b++) {
    const Band *band = &src->bands[b];
    int32_t test = -1;
    if (band->cond) {
      test = emit_step(c, S_BAND_TEST, i, top(c, band->cond, val_bool(true), NO_ADDR));
      c->code[test].sub = b;
      exits[nexits++] = test;
    }
    Addr v = top(c, band->value, val_missing(MISS_ABSENT), NO_ADDR);
    best = fmax(best, band_best(c, v));
    int32_t set = emit_step(c, S_BAND_SET, i, v);
    c->code[set].sub = b;
    exits[nexits++] = set;
    if (test >= 0) c->code[test].m = set - test;
    if (!band->cond) break; /* `otherwise`: the bands after it are never taken */
  }
  int32_t store = emit_step(c, S_MEMBER_STORE, i, NO_ADDR);
  for (int32_t k = 0; k < nexits; k++)
    c->code[exits[k]].len = store - exits[k] - 1;
  return best;
}

/* Does an instruction of code[FROM..) jump to TARGET? */
static bool jumped_to(const Compiler *c, int32_t from, int32_t target) {
  for (int32_t i = from; i < c->ncode; i++) {
    const CIns *in = &c->code[i];
    switch (in->op) {
    case I_AND_SKIP:
    case I_OR_SKIP:
    case I_PRESENT_SKIP:
    case I_JUMP:
      if (i + 1 + in->n == target) return true;
      break;
    case I_BRANCH:
      if (i + 1 + in->n == target || i + 1 + in->sub == target) return true;
      break;
    case I_AGG:
      if (i + 1 + in->len == target) return true;
      break;
    default: break;
    }
  }
  return false;
}

/* Fusion: the top-level expression whose code begins at FROM has its
 * value R. When the last instruction computes R into a temporary with an
 * op from LO to HI and no jump lands after it (every way through the
 * expression ends in it), it is taken out of the code and returned (its
 * operation and operands), for the step that reads R to do it itself;
 * else false. */
static bool fuse_last(Compiler *c, int32_t from, Addr r, IOp lo, IOp hi, CIns *out) {
  if (!c->fuse || c->ncode <= from || r < c->temp0) return false;
  const CIns *in = &c->code[c->ncode - 1];
  /* (a symbol compared with a constant is a comparison too) */
  uint8_t op = in->op == I_SYM_EQ ? I_EQ : in->op == I_SYM_NE ? I_NE : in->op;
  if (op < lo || op > hi || in->dst != r) return false;
  if (jumped_to(c, from, c->ncode)) return false;
  *out = *in;
  out->op = op;
  c->ncode--;
  return true;
}

/* A rule or score member's step: its expression's last comparison, `??`,
 * `and` or scale() fused into it when it can be (fuse_last). */
static void emit_scored(Compiler *c, const Member *src, int32_t i) {
  int32_t from = c->ncode;
  Addr a = top(c, src->expr, val_missing(MISS_ABSENT), NO_ADDR);
  Addr dst = slot(c, LB_MEMBER, i);
  CIns x;
  int32_t at;
  if (src->kind == MEMBER_RULE && fuse_last(c, from, a, I_EQ, I_GE, &x))
    at = emit(c, (uint8_t)(S_RULE_EQ + (x.op - I_EQ)), dst, x.a, x.b, NO_ADDR);
  else if (src->kind == MEMBER_RULE && fuse_last(c, from, a, I_COALESCE, I_COALESCE, &x))
    at = emit(c, S_RULE_COALESCE, dst, x.a, x.b, NO_ADDR);
  else if (src->kind == MEMBER_RULE && fuse_last(c, from, a, I_AND, I_AND, &x))
    at = emit(c, S_RULE_AND, dst, x.a, x.b, NO_ADDR);
  else if (src->kind != MEMBER_RULE && fuse_last(c, from, a, I_SCALE, I_SCALE, &x))
    at = emit(c, distinct_numbers(c, x.b, x.c) ? S_SCORE_SCALE_NUM : S_SCORE_SCALE, dst, x.a, x.b, x.c);
  else
    at = emit(c, src->kind == MEMBER_RULE ? S_RULE : S_SCORE, dst, a, NO_ADDR, NO_ADDR);
  c->code[at].n = i;
}

/* A flag's or journey step's step OP (of N) over condition COND: its
 * last `and` fused into it (OP + 1: of a and b) when it can be. */
static void emit_cond_step(Compiler *c, StepOp op, int32_t n, const Node *cond, Value if_none, Addr dst) {
  int32_t from = c->ncode;
  Addr a = top(c, cond, if_none, NO_ADDR);
  CIns x;
  int32_t at = fuse_last(c, from, a, I_AND, I_AND, &x) ? emit(c, (uint8_t)(op + 1), dst, x.a, x.b, NO_ADDR)
                                                       : emit(c, (uint8_t)op, dst, a, NO_ADDR, NO_ADDR);
  c->code[at].n = n;
}

static void emit_member(CProgram *cp, Compiler *c, int32_t i) {
  CMember *cm = &cp->members[i];
  const Member *src = &cp->prog->dimensions[cm->dim].members[cm->index];
  cm->best = 100;
  if (src->kind != MEMBER_BANDS) {
    emit_scored(c, src, i);
    return;
  }
  bool eager = src->nbands <= EAGER_BANDS_MAX;
  for (int32_t b = 0; b < src->nbands && eager; b++)
    eager = (!src->bands[b].cond || cheap(src->bands[b].cond, 2)) && cheap(src->bands[b].value, 0);
  double best = eager ? emit_eager_bands(c, src, i) : emit_lazy_bands(c, src, i);
  cm->best = best < 0 ? 0 : best > 100 ? 100 : best;
}

/* The first persona whose condition is true; the indicators its
 * conditions read with the default thresholds first. */
static void emit_persona(CProgram *cp, Compiler *c) {
  const Program *p = cp->prog;
  emit_step(c, S_PERSONA_BEGIN, -1, NO_ADDR);
  /* Persona conditions see the default thresholds: they are compiled
   * against the default values (constants, cx_ref). An
   * indicator that depends on an overridden threshold is computed once
   * more, with the defaults, before the personas are matched (in the
   * order's order, so each one's marked indicators come first), and the
   * conditions read that value. */
  c->persona = true;
  for (int32_t k = 0; k < p->norder; k++) {
    const DepNode *n = &p->order[k];
    if (n->kind != DEP_INDICATOR || !p->indicators[n->index].persona_defaults) continue;
    top(c, p->indicators[n->index].expr, val_missing(MISS_ABSENT),
        slot(c, LB_INDICATOR, p->nindicators + n->index));
  }
  int32_t *tries = arena_alloc(c->arena, ((size_t)p->npersonas + 1) * sizeof *tries);
  for (int32_t i = 0; i < p->npersonas; i++) {
    const Node *cond = p->personas[i].cond;
    int32_t from = c->ncode;
    c->ntemp = 0;
    Addr a = cond ? cx(c, cond, NO_ADDR) : NO_ADDR;
    CIns x;
    if (cond && fuse_last(c, from, a, I_AND, I_AND, &x)) {
      tries[i] = emit(c, S_PERSONA_TRY_AND, NO_ADDR, x.a, x.b, NO_ADDR);
      c->code[tries[i]].n = i;
    } else {
      tries[i] = emit_step(c, S_PERSONA_TRY, i, a);
    }
  }
  c->persona = false;
  int32_t end = emit_step(c, S_PERSONA_END, -1, NO_ADDR);
  for (int32_t i = 0; i < p->npersonas; i++)
    c->code[tries[i]].len = end - tries[i] - 1;
}

static void emit_segment(CProgram *cp, Compiler *c, int32_t s) {
  const SegmentDecl *seg = &cp->prog->segments[s];
  emit_step(c, S_SEGMENT_BEGIN, s, NO_ADDR);
  int32_t *cases = arena_alloc(c->arena, ((size_t)seg->ncases + 1) * sizeof *cases);
  for (int32_t k = 0; k < seg->ncases; k++) {
    const Node *cond = seg->cases[k].cond;
    int32_t from = c->ncode;
    c->ntemp = 0;
    Addr a = cond ? cx(c, cond, NO_ADDR) : NO_ADDR;
    CIns x;
    if (cond && fuse_last(c, from, a, I_EQ, I_GE, &x)) {
      cases[k] = emit(c, (uint8_t)(S_CASE_EQ + (x.op - I_EQ)), NO_ADDR, x.a, x.b, NO_ADDR);
      c->code[cases[k]].n = s;
    } else {
      cases[k] = emit_step(c, S_CASE, s, a);
    }
    c->code[cases[k]].sub = k;
  }
  int32_t end = emit_step(c, S_SEGMENT_END, s, NO_ADDR);
  for (int32_t k = 0; k < seg->ncases; k++)
    c->code[cases[k]].len = end - cases[k] - 1;
}

/* The steps of CP in order as code, ending in S_END.
 *
 * A member's step adds its weighted score to its dimension's sums as it
 * goes, and a dimension's step its own to the health's; a dimension (the
 * health) takes those sums (S_DIMENSION, S_HEALTH: sub 1) when they are
 * what its own loop would add up, bit for bit: every member (dimension)
 * before it, in flat (index) order, the order of the loop's additions,
 * and for a dimension, every member after the persona is known (a member
 * adds the weight of the variant in effect when it runs). Otherwise (sub
 * 0) it adds them up itself. */
static void emit_steps(CProgram *cp, Compiler *c) {
  const Program *p = cp->prog;
  bool dims_in_order = true, persona_known = false;
  int32_t last_dim = -1, dims_done = 0;
  int32_t *last = arena_alloc(c->arena, ((size_t)p->ndimensions + 1) * sizeof *last);
  int32_t *done = arena_alloc(c->arena, ((size_t)p->ndimensions + 1) * sizeof *done);
  bool *in_order = arena_alloc(c->arena, ((size_t)p->ndimensions + 1) * sizeof *in_order);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    last[d] = -1;
    done[d] = 0;
    in_order[d] = true;
  }
  for (int32_t s = 0; s < cp->nsteps; s++) {
    const CStep *st = &cp->steps[s];
    for (int32_t i = st->index; i < st->index + st->count; i++) {
      switch ((DepKind)st->kind) {
      case DEP_INDICATOR:
        top(c, p->indicators[i].expr, val_missing(MISS_ABSENT), slot(c, LB_INDICATOR, i));
        break;
      case DEP_PERSONA:
        emit_persona(cp, c);
        persona_known = true;
        break;
      case DEP_SEGMENT: emit_segment(cp, c, i); break;
      case DEP_MEMBER: {
        int32_t d = cp->members[i].dim;
        in_order[d] = in_order[d] && persona_known && i > last[d];
        last[d] = i;
        done[d]++;
        emit_member(cp, c, i);
        break;
      }
      case DEP_DIMENSION: {
        int32_t at = emit_step(c, S_DIMENSION, i, NO_ADDR); /* (emitting may move c->code) */
        c->code[at].dst = slot(c, LB_DIM, i);
        c->code[at].sub = c->fuse && in_order[i] && done[i] == p->dimensions[i].nmembers;
        dims_in_order = dims_in_order && i > last_dim;
        last_dim = i;
        dims_done++;
        break;
      }
      case DEP_HEALTH: {
        bool sums = c->fuse && dims_in_order && dims_done == p->ndimensions;
        /* the dimensions' steps just before it that take their sums, on
         * indices in a row: one S_ROLLUP with the health (at the first
         * one's place, where any jump that reached it lands) */
        int32_t run = 0;
        while (sums && run < c->ncode) {
          const CIns *in = &c->code[c->ncode - 1 - run];
          if (in->op != S_DIMENSION || !in->sub || (run > 0 && in->n != c->code[c->ncode - run].n - 1)) break;
          run++;
        }
        if (run > 0) {
          int32_t first = c->code[c->ncode - run].n;
          c->ncode -= run;
          int32_t at = emit_step(c, S_ROLLUP, first, NO_ADDR);
          c->code[at].dst = slot(c, LB_DIM, first);
          c->code[at].m = run;
          break;
        }
        int32_t at = emit_step(c, S_HEALTH, -1, NO_ADDR);
        c->code[at].sub = sums;
        break;
      }
      case DEP_FLAG:
        emit_cond_step(c, S_FLAG, i, p->flags[i].cond, val_bool(false),
                       slot(c, LB_STATE, cp->state_flagged + i));
        break;
      case DEP_JOURNEY:
        emit_step(c, S_JOURNEY_BEGIN, -1, NO_ADDR);
        for (int32_t k = 0; k < p->nsteps; k++)
          emit_cond_step(c, S_JOURNEY_STEP, k, p->steps[k].cond, val_bool(true), NO_ADDR);
        emit_step(c, S_JOURNEY_END, -1, NO_ADDR);
        break;
      case DEP_THRESHOLD: break;
      }
    }
  }
  emit_step(c, S_END, -1, NO_ADDR);
}

/* Where each value table starts in the registers. */
static void table_layout(CProgram *cp) {
  const Program *p = cp->prog;
  int32_t size[LB_COUNT];
  size[LB_INPUT] = p->ninputs;
  size[LB_INDICATOR] = 2 * p->nindicators; /* then each one with the default thresholds */
  size[LB_THRESHOLD] = p->nthresholds;
  size[LB_MEMBER] = cp->nmembers;
  size[LB_DIM] = p->ndimensions;
  size[LB_STATE] = cp->nstate;
  cp->table_at[0] = 0;
  for (int b = 0; b < LB_COUNT; b++)
    cp->table_at[b + 1] = cp->table_at[b] + size[b];
}

/* The refs of a condition (NULL: none). */
static RefList cond_refs(CProgram *cp, const Node *cond) {
  return compile_refs(cp, &cp->arena, &cond, cond ? 1 : 0);
}

static void member_refs(CProgram *cp, CMember *cm) {
  const Member *src = &cp->prog->dimensions[cm->dim].members[cm->index];
  if (src->kind == MEMBER_BANDS) {
    const Node **exprs = xmalloc(((size_t)src->nbands * 2 + 1) * sizeof *exprs);
    int32_t n = 0;
    for (int32_t b = 0; b < src->nbands; b++) {
      if (src->bands[b].cond) exprs[n++] = src->bands[b].cond;
      exprs[n++] = src->bands[b].value;
    }
    cm->refs = compile_refs(cp, &cp->arena, exprs, n);
    free(exprs);
  } else {
    cm->refs = cond_refs(cp, src->expr);
  }
  cm->values_at = cp->nvalues;
  cp->nvalues += cm->refs.count;
}

static CProgram *compile_with(const Program *p, Diag *diag, bool fuse) {
  CProgram *cp = xcalloc(1, sizeof *cp);
  cp->prog = p;
  arena_init(&cp->arena, 64 * 1024);
  Arena *a = &cp->arena;

  cp->member_first = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof *cp->member_first);
  for (int32_t d = 0; d < p->ndimensions; d++)
    cp->member_first[d + 1] = cp->member_first[d] + p->dimensions[d].nmembers;
  cp->nmembers = cp->member_first[p->ndimensions];
  cp->state_dim_grade = ST_FIXED;
  cp->state_segment = cp->state_dim_grade + p->ndimensions;
  cp->state_flagged = cp->state_segment + p->nsegments;
  cp->nstate = cp->state_flagged + p->nflags;
  table_layout(cp);

  build_grades(cp);
  cp->variants = arena_alloc(a, (size_t)(p->npersonas + 1) * sizeof *cp->variants);
  for (int32_t i = 0; i <= p->npersonas; i++)
    build_variant(cp, &cp->variants[i], i < p->npersonas ? i : -1);
  cp->threshold_varies = arena_alloc(a, (size_t)(p->nthresholds + 1) * sizeof *cp->threshold_varies);
  cp->varying = arena_alloc(a, (size_t)(p->nthresholds + 1) * sizeof *cp->varying);
  for (int32_t t = 0; t < p->nthresholds; t++) {
    cp->threshold_varies[t] = threshold_varies(cp, t);
    if (cp->threshold_varies[t]) cp->varying[cp->nvarying++] = t;
  }

  build_steps(cp);

  cp->members = arena_alloc(a, (size_t)(cp->nmembers + 1) * sizeof *cp->members);
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++) {
      CMember *cm = &cp->members[cp->member_first[d] + m];
      cm->kind = (uint8_t)p->dimensions[d].members[m].kind;
      cm->dim = d;
      cm->index = m;
      cm->nbands = p->dimensions[d].members[m].nbands;
      member_refs(cp, cm);
    }
  cp->persona_refs = arena_alloc(a, (size_t)(p->npersonas + 1) * sizeof *cp->persona_refs);
  for (int32_t i = 0; i < p->npersonas; i++) {
    cp->persona_refs[i] = cond_refs(cp, p->personas[i].cond);
    cp->persona_refs[i].default_thresholds = true;
  }
  cp->flag_refs = arena_alloc(a, (size_t)(p->nflags + 1) * sizeof *cp->flag_refs);
  for (int32_t i = 0; i < p->nflags; i++)
    cp->flag_refs[i] = cond_refs(cp, p->flags[i].cond);
  cp->step_refs = arena_alloc(a, (size_t)(p->nsteps + 1) * sizeof *cp->step_refs);
  for (int32_t i = 0; i < p->nsteps; i++)
    cp->step_refs[i] = cond_refs(cp, p->steps[i].cond);

  Compiler c = {.cp = cp, .arena = a, .diag = diag, .temp0 = cp->table_at[LB_COUNT], .fuse = fuse};
  emit_steps(cp, &c);
  cp->nregs = c.temp0 + c.maxtemp;
  cp->ncode = c.ncode;
  cp->code = c.code;
  cp->nconsts = c.nconsts;
  cp->consts = c.consts;
  if (c.failed) {
    compile_free(cp);
    return NULL;
  }
  return cp;
}

CProgram *compile_program(const Program *p, Diag *diag) { return compile_with(p, diag, true); }

CProgram *compile_program_plain(const Program *p, Diag *diag) { return compile_with(p, diag, false); }

void compile_free(CProgram *cp) {
  if (!cp) return;
  arena_free(&cp->arena);
  free(cp);
}

/* ---- linking: code on one evaluator's registers -------------------------- */

/* Where operand X is: register X (REGS, the NREGS of the evaluator; from
 * there on, EXTRA: an expression's own temporaries), a constant of
 * CONSTS, or nowhere. */
typedef struct Link {
  Value *regs;
  int32_t nregs;
  const Value *consts;
  Value *extra;
} Link;

static Value *link_reg(const Link *l, Addr x) {
  if (x == NO_ADDR || x < 0) return NULL;
  return x < l->nregs ? l->regs + x : l->extra + (x - l->nregs);
}

static const Value *link_operand(const Link *l, Addr x) {
  if (x == NO_ADDR) return NULL;
  return x < 0 ? l->consts + (-1 - x) : link_reg(l, x);
}

static Ins *link_code(const Link *l, const CIns *code, int32_t n, Arena *arena) {
  Ins *out = arena_alloc(arena, ((size_t)n + 1) * sizeof *out);
  for (int32_t i = 0; i < n; i++) {
    const CIns *in = &code[i];
    out[i] = (Ins){.op = in->op, .aux = in->aux, .n = in->n, .sub = in->sub, .m = in->m, .len = in->len};
    out[i].dst = link_reg(l, in->dst);
    out[i].a = link_operand(l, in->a);
    out[i].b = link_operand(l, in->b);
    out[i].c = link_operand(l, in->c);
  }
  return out;
}

void compile_instance(const CProgram *cp, CProgram *out, Arena *arena) {
  *out = *cp;
  memset(&out->arena, 0, sizeof out->arena);
  out->regs = arena_alloc(arena, ((size_t)cp->nregs + 1) * sizeof *out->regs);
  for (int b = 0; b < LB_COUNT; b++)
    out->tables[b] = out->regs + cp->table_at[b];
  Link l = {out->regs, cp->nregs, cp->consts, NULL};
  out->run = link_code(&l, cp->code, cp->ncode, arena);
}

const CExpr *compile_expr(const CProgram *cp, Arena *arena, const Node *e) {
  Compiler c = {.cp = cp, .arena = arena, .temp0 = cp->nregs};
  Addr r = cx(&c, e, NO_ADDR);
  CExpr *x = NULL;
  if (!c.failed) {
    Link l = {cp->regs, cp->nregs, c.consts, arena_alloc(arena, ((size_t)c.maxtemp + 1) * sizeof(Value))};
    x = arena_alloc(arena, sizeof *x);
    x->code = link_code(&l, c.code, c.ncode, arena);
    x->ncode = c.ncode;
    x->result = link_operand(&l, r);
  }
  return x;
}

const Variant *compile_variant(const CProgram *cp, int32_t persona) {
  if (persona < 0 || persona >= cp->prog->npersonas) return &cp->variants[cp->prog->npersonas];
  return &cp->variants[persona];
}
