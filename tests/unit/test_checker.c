/* test_checker.c — the checker (check*.c) through program_load: the
 * Program tables (inputs, indicator types, thresholds, dimensions, grade
 * sets, persona overrides, segments, flags, journey, forecasts, tests),
 * the annotations on expression nodes (types, reference kinds), the
 * evaluation order, and the diagnostics: suggestions, symbols, types,
 * cycles, persona restrictions, lints — each message pinned. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h" /* program_load */
#include "front/program.h"

/* A loaded program with its diagnostics as text. */
typedef struct Loaded {
  Program *p;
  char *diags; /* "LINE:COL: error: MESSAGE\n" … */
  int errors;
  int warnings;
} Loaded;

static void record_diag(void *ud, const kenko_diag *d) {
  const char *level = d->level == KENKO_ERROR ? "error" : d->level == KENKO_WARNING ? "warning" : "note";
  if (d->file)
    fprintf((FILE *)ud, "%d:%d: %s: %s\n", d->line, d->col, level, d->message);
  else
    fprintf((FILE *)ud, "%s: %s\n", level, d->message);
}

/* Loads TEXT as the rule file "t.kenko". */
static Loaded load(const char *text) {
  Loaded out = {0};
  size_t len = 0;
  FILE *f = open_memstream(&out.diags, &len);
  Diag diag;
  diag_init(&diag, NULL, record_diag, f);
  int errors = -1;
  out.p = program_load("t.kenko", text, strlen(text), &diag, &errors);
  fclose(f);
  cr_assert_not_null(out.p);
  cr_assert_eq(errors, diag.errors);
  out.errors = diag.errors;
  out.warnings = diag.warnings;
  return out;
}

static void loaded_free(Loaded *l) {
  program_free(l->p);
  free(l->diags);
}

/* Loads TEXT and compares the diagnostics exactly, and their counts. */
static void expect_diags(const char *text, int errors, int warnings, const char *diags) {
  Loaded l = load(text);
  cr_expect_str_eq(l.diags, diags, "diagnostics:\n%s", l.diags);
  cr_expect_eq(l.errors, errors, "errors: %d, expected %d\n%s", l.errors, errors, l.diags);
  cr_expect_eq(l.warnings, warnings, "warnings: %d, expected %d\n%s", l.warnings, warnings, l.diags);
  loaded_free(&l);
}

static char *concat(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  char *out = malloc(na + nb + 1);
  cr_assert_not_null(out);
  memcpy(out, a, na);
  memcpy(out + na, b, nb + 1);
  return out;
}

/* expect_diags over COMMON followed by TEXT. */
static void expect_diags_with(const char *common, const char *text, int errors, int warnings,
                              const char *diags) {
  char *all = concat(common, text);
  expect_diags(all, errors, warnings, diags);
  free(all);
}

/* ---- lookups ------------------------------------------------------------ */

static int32_t input_index(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->ninputs; i++)
    if (strcmp(p->inputs[i].name, name) == 0) return i;
  cr_assert_fail("no input %s", name);
  return -1;
}

static int32_t indicator_index(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->nindicators; i++)
    if (strcmp(p->indicators[i].name, name) == 0) return i;
  cr_assert_fail("no indicator %s", name);
  return -1;
}

static int32_t threshold_index(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->nthresholds; i++)
    if (strcmp(p->thresholds[i].name, name) == 0) return i;
  cr_assert_fail("no threshold %s", name);
  return -1;
}

static int32_t dimension_index(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->ndimensions; i++)
    if (strcmp(p->dimensions[i].name, name) == 0) return i;
  cr_assert_fail("no dimension %s", name);
  return -1;
}

static int32_t member_index(const Program *p, int32_t d, const char *name) {
  for (int32_t i = 0; i < p->dimensions[d].nmembers; i++)
    if (strcmp(p->dimensions[d].members[i].name, name) == 0) return i;
  cr_assert_fail("no member %s", name);
  return -1;
}

static int32_t flag_index(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->nflags; i++)
    if (strcmp(p->flags[i].name, name) == 0) return i;
  cr_assert_fail("no flag %s", name);
  return -1;
}

static int32_t grade_index(const Program *p, const char *name) {
  for (int32_t i = 0; i < p->ngrade_names; i++)
    if (strcmp(p->grade_names[i], name) == 0) return i;
  cr_assert_fail("no grade %s", name);
  return -1;
}

/* Position of a node in the evaluation order, or -1. */
static int order_pos(const Program *p, DepKind kind, int32_t index, int32_t sub) {
  for (int32_t i = 0; i < p->norder; i++) {
    const DepNode *n = &p->order[i];
    if (n->kind == kind && n->index == index && n->sub == sub) return i;
  }
  return -1;
}

/* Asserts that A comes before B in the evaluation order (both present). */
static void expect_before(const Program *p, DepKind ka, int32_t ia, int32_t sa, DepKind kb, int32_t ib,
                          int32_t sb) {
  int a = order_pos(p, ka, ia, sa), b = order_pos(p, kb, ib, sb);
  cr_expect_geq(a, 0, "node (%d,%d,%d) is not in the order", ka, ia, sa);
  cr_expect_geq(b, 0, "node (%d,%d,%d) is not in the order", kb, ib, sb);
  cr_expect_lt(a, b, "(%d,%d,%d) at %d should come before (%d,%d,%d) at %d", ka, ia, sa, a, kb, ib, sb, b);
}

/* The first node (preorder) under N whose kind is KIND and whose name is
 * NAME (NULL: any), or NULL. */
static Node *find_node(Node *n, NodeKind kind, const char *name) {
  if (!n) return NULL;
  if (n->kind == kind && (!name || (n->name && strcmp(n->name, name) == 0))) return n;
  Node *kids[3] = {n->a, n->b, n->c};
  for (int i = 0; i < 3; i++) {
    Node *f = find_node(kids[i], kind, name);
    if (f) return f;
  }
  for (int32_t i = 0; i < n->list.count; i++) {
    Node *f = find_node(n->list.items[i], kind, name);
    if (f) return f;
  }
  return NULL;
}

/* ---- a complete, clean rule set ------------------------------------------ */

static const char base_rules[] =
    "scorecard \"テスト\"\n"
    "input id: text key\n"
    "input arr: number\n"
    "input plan \"プラン\": text in [\"basic\", \"pro\"] optional from \"契約プラン\"\n"
    "input seats: number\n"
    "input active_users: number\n"
    "input logins: number optional\n"
    "input start: date\n"
    "input churned: bool optional\n"
    "input tickets: list { priority: text in [\"high\", \"low\"], opened: date,\n"
    "                      closed: date optional, cost: number optional } optional\n"
    "outcome churned\n"
    /* declared before the indicator it uses */
    "indicator ratio_x2 = seat_ratio * 2\n"
    "indicator seat_ratio \"率\" = active_users / seats\n"
    "indicator tenure = days(start, as_of)\n"
    "indicator open_high = count(tickets where priority == \"high\" and closed is missing)\n"
    "indicator ticket_cost = sum(tickets.cost where closed is not missing)\n"
    "indicator is_pro = plan == \"pro\"\n"
    "indicator plan_name = lower(plan ?? \"none\")\n"
    "indicator renewal = start\n"
    "indicator dim_grade = utilization.grade\n"
    "threshold min_logins = 10\n"
    "threshold max_open = min_logins / 5\n"
    "dimension utilization weight 40 {\n"
    "  rule logins_ok : logins >= min_logins\n"
    "  score seats_used weight 2 : scale(ratio_x2, 0, 2)\n"
    "}\n"
    "dimension outcome \"成果\" weight 20 {\n"
    "  rule tickets_ok : open_high <= max_open\n"
    "  score cost { 100 when ticket_cost < 10  0 otherwise }\n"
    "  grades { good >= 80 normal >= 50 bad otherwise }\n"
    "}\n"
    "grades { good \"グッド\" >= 70 normal >= 40 bad \"バッド\" otherwise }\n"
    "persona loyal when tenure >= 365 and is_pro\n"
    "persona onboard when tenure < 90 {\n"
    "  threshold min_logins = 3\n"
    "  weight outcome = 0\n"
    "  weight utilization.seats_used = 1\n"
    "  grades { good >= 60 normal >= 30 bad otherwise }\n"
    "}\n"
    "persona active otherwise\n"
    "segment touch { high when arr >= 3_000_000  low otherwise }\n"
    "flag at_risk severity high when grade == bad and touch == high action \"call\"\n"
    "flag stuck when persona in [loyal, active] and bottleneck == process\n"
    "flag late severity low when flagged(at_risk) and health < 50 and dim_grade == bad\n"
    "  and plan_name == \"x\" and renewal < as_of\n"
    "journey \"J\" {\n"
    "  step accompany when logins is not missing\n"
    "  step process when utilization.grade != bad\n"
    "  step mission when not (churned ?? false)\n"
    "}\n"
    "forecast retention weighted by arr { good 95% normal 85% bad 60% }\n"
    "test \"t\" {\n"
    "  as_of 2026-11-01\n"
    "  given { id: \"a\", seats: 10, active_users: 5,\n"
    "          tickets: [ { priority: \"high\", opened: 2026-10-01 } ] }\n"
    "  expect persona == active\n"
    "  expect utilization.seats_used == 50\n"
    "}\n";

Test(checker, base_rules_are_clean) {
  Loaded l = load(base_rules);
  cr_expect_str_eq(l.diags, "");
  cr_expect_eq(l.errors, 0);
  cr_expect_eq(l.warnings, 0);
  cr_expect_str_eq(l.p->title, "テスト");
  cr_expect_eq(strlen(l.p->fingerprint), 64);
  loaded_free(&l);
}

Test(checker, input_table) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  cr_assert_eq(p->ninputs, 9);
  cr_expect_eq(p->key_input, input_index(p, "id"));
  cr_expect_eq(p->outcome_input, input_index(p, "churned"));
  const InputDecl *id = &p->inputs[input_index(p, "id")];
  cr_expect(id->key);
  cr_expect(!id->optional);
  cr_expect_eq(id->type, T_TEXT);
  cr_expect_str_eq(id->column, "id");
  const InputDecl *plan = &p->inputs[input_index(p, "plan")];
  cr_expect_eq(plan->type, T_TEXT);
  cr_expect(plan->optional);
  cr_expect_str_eq(plan->label, "プラン");
  cr_expect_str_eq(plan->column, "契約プラン");
  cr_assert_eq(plan->nallowed, 2);
  cr_expect_str_eq(plan->allowed[0], "basic");
  cr_expect_str_eq(plan->allowed[1], "pro");
  cr_expect_eq(p->inputs[input_index(p, "arr")].type, T_NUMBER);
  cr_expect_eq(p->inputs[input_index(p, "start")].type, T_DATE);
  cr_expect_eq(p->inputs[input_index(p, "churned")].type, T_BOOL);
  const InputDecl *t = &p->inputs[input_index(p, "tickets")];
  cr_expect_eq(t->type, T_LIST);
  cr_expect(t->optional);
  cr_assert_eq(t->nfields, 4);
  cr_expect_str_eq(t->fields[0].name, "priority");
  cr_expect_eq(t->fields[0].type, T_TEXT);
  cr_expect_eq(t->fields[0].nallowed, 2);
  cr_expect_eq(t->fields[1].type, T_DATE);
  cr_expect(!t->fields[1].optional);
  cr_expect_str_eq(t->fields[2].name, "closed");
  cr_expect(t->fields[2].optional);
  cr_expect_eq(t->fields[3].type, T_NUMBER);
  loaded_free(&l);
}

/* Indicator types are inferred whatever the declaration order. */
Test(checker, indicator_types) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  cr_expect_eq(p->indicators[indicator_index(p, "ratio_x2")].type, T_NUMBER);
  cr_expect_eq(p->indicators[indicator_index(p, "seat_ratio")].type, T_NUMBER);
  cr_expect_str_eq(p->indicators[indicator_index(p, "seat_ratio")].label, "率");
  cr_expect_eq(p->indicators[indicator_index(p, "tenure")].type, T_NUMBER);
  cr_expect_eq(p->indicators[indicator_index(p, "open_high")].type, T_NUMBER);
  cr_expect_eq(p->indicators[indicator_index(p, "ticket_cost")].type, T_NUMBER);
  cr_expect_eq(p->indicators[indicator_index(p, "is_pro")].type, T_BOOL);
  cr_expect_eq(p->indicators[indicator_index(p, "plan_name")].type, T_TEXT);
  cr_expect_eq(p->indicators[indicator_index(p, "renewal")].type, T_DATE);
  const IndicatorDecl *g = &p->indicators[indicator_index(p, "dim_grade")];
  cr_expect_eq(g->type, T_SYMBOL);
  cr_expect_eq(g->type_aux, SYM_GRADE);
  loaded_free(&l);
}

Test(checker, thresholds_constant_folded) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  const ThresholdDecl *m = &p->thresholds[threshold_index(p, "min_logins")];
  cr_expect_eq(m->type, T_NUMBER);
  cr_expect_eq(m->value.type, T_NUMBER);
  cr_expect_eq(m->value.u.num, 10);
  cr_expect(m->overridden);
  /* max_open = min_logins / 5 follows the persona that overrides
   * min_logins: 2 by default, 3 / 5 for onboard (a derived value) */
  const ThresholdDecl *x = &p->thresholds[threshold_index(p, "max_open")];
  cr_expect_eq(x->value.u.num, 2);
  cr_expect(x->overridden);
  const PersonaDecl *onb = NULL;
  for (int32_t i = 0; i < p->npersonas; i++)
    if (strcmp(p->personas[i].name, "onboard") == 0) onb = &p->personas[i];
  cr_assert(onb);
  cr_assert_eq(onb->nderived, 1);
  cr_expect_eq(onb->derived[0].threshold, threshold_index(p, "max_open"));
  cr_expect_eq(onb->derived[0].value.u.num, 3.0 / 5);
  loaded_free(&l);
}

Test(checker, dimensions_and_members) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  cr_assert_eq(p->ndimensions, 2);
  const DimensionDecl *u = &p->dimensions[dimension_index(p, "utilization")];
  cr_expect_eq(u->weight, 40);
  cr_expect_eq(u->grades, -1);
  cr_assert_eq(u->nmembers, 2);
  cr_expect_eq(u->members[0].kind, MEMBER_RULE);
  cr_expect_eq(u->members[0].weight, 1);
  cr_expect_eq(u->members[1].kind, MEMBER_SCORE);
  cr_expect_eq(u->members[1].weight, 2);
  const DimensionDecl *o = &p->dimensions[dimension_index(p, "outcome")];
  cr_expect_str_eq(o->label, "成果");
  cr_expect_eq(o->weight, 20);
  cr_assert_eq(o->nmembers, 2);
  cr_expect_eq(o->members[1].kind, MEMBER_BANDS);
  cr_assert_eq(o->members[1].nbands, 2);
  cr_expect_not_null(o->members[1].bands[0].cond);
  cr_expect_null(o->members[1].bands[1].cond);
  /* its own grades block */
  cr_assert_geq(o->grades, 0);
  cr_expect_neq(o->grades, p->default_grades);
  cr_expect_eq(p->grade_sets[o->grades].bands[0].bound, 80);
  loaded_free(&l);
}

/* One table of grade names for every block; bounds per block. */
Test(checker, grade_tables) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  cr_assert_eq(p->ngrade_names, 3);
  cr_expect_str_eq(p->grade_names[0], "good");
  cr_expect_str_eq(p->grade_names[1], "normal");
  cr_expect_str_eq(p->grade_names[2], "bad");
  cr_expect_str_eq(p->grade_labels[0], "グッド");
  cr_expect_str_eq(p->grade_labels[2], "バッド");
  cr_assert_geq(p->default_grades, 0);
  const GradeSet *g = &p->grade_sets[p->default_grades];
  cr_assert_eq(g->nbands, 3);
  cr_expect_eq(g->bands[0].grade, grade_index(p, "good"));
  cr_expect_eq(g->bands[0].bound, 70);
  cr_expect_eq(g->bands[1].grade, grade_index(p, "normal"));
  cr_expect_eq(g->bands[1].bound, 40);
  cr_expect_eq(g->bands[2].grade, grade_index(p, "bad"));
  cr_expect(isinf(g->bands[2].bound) && g->bands[2].bound < 0);
  cr_expect_eq(p->ngrade_sets, 3);
  loaded_free(&l);
}

Test(checker, persona_overrides_collected) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  cr_assert_eq(p->npersonas, 3);
  const PersonaDecl *loyal = &p->personas[0];
  cr_expect_str_eq(loyal->name, "loyal");
  cr_expect_not_null(loyal->cond);
  cr_expect_eq(loyal->nthresholds, 0);
  cr_expect_eq(loyal->nweights, 0);
  cr_expect_eq(loyal->grades, -1);
  const PersonaDecl *onb = &p->personas[1];
  cr_expect_str_eq(onb->name, "onboard");
  cr_assert_eq(onb->nthresholds, 1);
  cr_expect_eq(onb->thresholds[0].threshold, threshold_index(p, "min_logins"));
  cr_expect_eq(onb->thresholds[0].value.type, T_NUMBER);
  cr_expect_eq(onb->thresholds[0].value.u.num, 3);
  cr_assert_eq(onb->nweights, 2);
  cr_expect_eq(onb->weights[0].dimension, dimension_index(p, "outcome"));
  cr_expect_eq(onb->weights[0].member, -1);
  cr_expect_eq(onb->weights[0].weight, 0);
  int32_t u = dimension_index(p, "utilization");
  cr_expect_eq(onb->weights[1].dimension, u);
  cr_expect_eq(onb->weights[1].member, member_index(p, u, "seats_used"));
  cr_expect_eq(onb->weights[1].weight, 1);
  cr_assert_geq(onb->grades, 0);
  cr_expect_eq(p->grade_sets[onb->grades].bands[0].bound, 60);
  cr_expect_eq(p->grade_sets[onb->grades].bands[1].bound, 30);
  const PersonaDecl *act = &p->personas[2];
  cr_expect_null(act->cond);
  loaded_free(&l);
}

Test(checker, segments_flags_journey_forecast_tests) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  cr_assert_eq(p->nsegments, 1);
  cr_expect_str_eq(p->segments[0].name, "touch");
  cr_assert_eq(p->segments[0].ncases, 2);
  cr_expect(p->segments[0].has_otherwise);
  cr_expect_null(p->segments[0].cases[1].cond);

  cr_assert_eq(p->nflags, 3);
  const FlagDecl *r = &p->flags[flag_index(p, "at_risk")];
  cr_expect_eq(r->severity, SEV_HIGH);
  cr_expect_str_eq(r->action, "call");
  cr_expect_eq(p->flags[flag_index(p, "stuck")].severity, SEV_MEDIUM);
  cr_expect_null(p->flags[flag_index(p, "stuck")].action);
  cr_expect_eq(p->flags[flag_index(p, "late")].severity, SEV_LOW);

  cr_expect(p->has_journey);
  cr_expect_str_eq(p->journey_label, "J");
  cr_assert_eq(p->nsteps, 3);
  cr_expect_str_eq(p->steps[0].name, "accompany");
  cr_expect_str_eq(p->steps[1].name, "process");
  cr_expect_str_eq(p->steps[2].name, "mission");

  cr_assert_eq(p->nforecasts, 1);
  const ForecastDecl *f = &p->forecasts[0];
  cr_expect_eq(f->weight_input, input_index(p, "arr"));
  cr_expect_eq(f->rate[grade_index(p, "good")], 0.95);
  cr_expect_eq(f->rate[grade_index(p, "normal")], 0.85);
  cr_expect_eq(f->rate[grade_index(p, "bad")], 0.6);

  cr_assert_eq(p->ntests, 1);
  cr_expect_str_eq(p->tests[0].name, "t");
  cr_expect(p->tests[0].has_as_of);
  cr_expect_not_null(p->tests[0].given);
  cr_expect_eq(p->tests[0].nexpects, 2);
  loaded_free(&l);
}

/* Reference kinds and types written on expression nodes. */
Test(checker, reference_annotations) {
  Loaded l = load(base_rules);
  Program *p = l.p;
  int32_t u = dimension_index(p, "utilization");

  /* rule logins_ok : logins >= min_logins */
  Node *cond = p->dimensions[u].members[0].expr;
  cr_expect_eq(cond->type, T_BOOL);
  cr_expect_eq(cond->a->ref_kind, REF_INPUT);
  cr_expect_eq(cond->a->ref_index, input_index(p, "logins"));
  cr_expect_eq(cond->b->ref_kind, REF_THRESHOLD);
  cr_expect_eq(cond->b->ref_index, threshold_index(p, "min_logins"));

  /* score seats_used : scale(ratio_x2, 0, 2) */
  Node *call = p->dimensions[u].members[1].expr;
  cr_expect_eq(call->ref_kind, REF_FUNC);
  cr_expect_eq(call->ref_index, FN_SCALE);
  cr_expect_eq(call->type, T_NUMBER);
  cr_expect_eq(call->list.items[0]->ref_kind, REF_INDICATOR);
  cr_expect_eq(call->list.items[0]->ref_index, indicator_index(p, "ratio_x2"));

  /* flag at_risk : grade == bad and touch == high */
  Node *fc = p->flags[flag_index(p, "at_risk")].cond;
  Node *grade = find_node(fc, E_NAME, "grade");
  cr_assert_not_null(grade);
  cr_expect_eq(grade->ref_kind, REF_GRADE);
  cr_expect_eq(grade->type, T_SYMBOL);
  cr_expect_eq(grade->type_aux, SYM_GRADE);
  Node *bad = find_node(fc, E_NAME, "bad");
  cr_assert_not_null(bad);
  cr_expect_eq(bad->ref_kind, REF_SYMBOL);
  cr_expect_eq(bad->type_aux, SYM_GRADE);
  cr_expect_eq(bad->ref_sub, grade_index(p, "bad"));
  Node *touch = find_node(fc, E_NAME, "touch");
  cr_assert_not_null(touch);
  cr_expect_eq(touch->ref_kind, REF_SEGMENT);
  cr_expect_eq(touch->ref_index, 0);
  Node *high = find_node(fc, E_NAME, "high");
  cr_assert_not_null(high);
  cr_expect_eq(high->ref_kind, REF_SYMBOL);
  cr_expect_eq(high->type_aux, SYM_SEGMENT + 0);
  cr_expect_eq(high->ref_sub, 0);

  /* flag stuck : persona in [loyal, active] and bottleneck == process */
  Node *sc = p->flags[flag_index(p, "stuck")].cond;
  Node *persona = find_node(sc, E_NAME, "persona");
  cr_assert_not_null(persona);
  cr_expect_eq(persona->ref_kind, REF_PERSONA);
  Node *active = find_node(sc, E_NAME, "active");
  cr_assert_not_null(active);
  cr_expect_eq(active->ref_kind, REF_SYMBOL);
  cr_expect_eq(active->type_aux, SYM_PERSONA);
  cr_expect_eq(active->ref_sub, 2);
  Node *bn = find_node(sc, E_NAME, "bottleneck");
  cr_assert_not_null(bn);
  cr_expect_eq(bn->ref_kind, REF_BOTTLENECK);
  Node *process = find_node(sc, E_NAME, "process");
  cr_assert_not_null(process);
  cr_expect_eq(process->type_aux, SYM_STEP);
  cr_expect_eq(process->ref_sub, 1);

  /* flag late : flagged(at_risk) and health < 50 … renewal < as_of */
  Node *lc = p->flags[flag_index(p, "late")].cond;
  /* the call is the built-in; its argument names the flag */
  Node *flagged = find_node(lc, E_CALL, "flagged");
  cr_assert_not_null(flagged);
  cr_expect_eq(flagged->ref_kind, REF_FUNC);
  cr_expect_eq(flagged->ref_index, FN_FLAGGED);
  cr_expect_eq(flagged->type, T_BOOL);
  cr_expect_eq(flagged->list.items[0]->ref_kind, REF_FLAG);
  cr_expect_eq(flagged->list.items[0]->ref_index, flag_index(p, "at_risk"));
  Node *health = find_node(lc, E_NAME, "health");
  cr_assert_not_null(health);
  cr_expect_eq(health->ref_kind, REF_HEALTH);
  cr_expect_eq(health->type, T_NUMBER);
  Node *as_of = find_node(lc, E_NAME, "as_of");
  cr_assert_not_null(as_of);
  cr_expect_eq(as_of->ref_kind, REF_AS_OF);
  cr_expect_eq(as_of->type, T_DATE);

  /* step process : utilization.grade != bad */
  Node *field = find_node(p->steps[1].cond, E_FIELD, "grade");
  cr_assert_not_null(field);
  cr_expect_eq(field->ref_kind, REF_DIM_GRADE);
  cr_expect_eq(field->ref_index, u);

  /* expect utilization.seats_used == 50 */
  Node *mem = find_node(p->tests[0].expects[1], E_FIELD, "seats_used");
  cr_assert_not_null(mem);
  cr_expect_eq(mem->ref_kind, REF_MEMBER);
  cr_expect_eq(mem->ref_index, u);
  cr_expect_eq(mem->ref_sub, member_index(p, u, "seats_used"));
  loaded_free(&l);
}

/* Inside an aggregate the element's fields are in scope. */
Test(checker, aggregate_annotations) {
  Loaded l = load(base_rules);
  Program *p = l.p;
  int32_t t = input_index(p, "tickets");
  Node *count = p->indicators[indicator_index(p, "open_high")].expr;
  cr_expect_eq(count->ref_kind, REF_FUNC);
  cr_expect_eq(count->ref_index, FN_COUNT);
  Node *prio = find_node(count, E_NAME, "priority");
  cr_assert_not_null(prio);
  cr_expect_eq(prio->ref_kind, REF_ELEM_FIELD);
  cr_expect_eq(prio->ref_index, t);
  cr_expect_eq(prio->ref_sub, 0);
  cr_expect_eq(prio->type, T_TEXT);
  Node *sum = p->indicators[indicator_index(p, "ticket_cost")].expr;
  cr_expect_eq(sum->ref_index, FN_SUM);
  Node *lf = find_node(sum, E_FIELD, "cost");
  cr_assert_not_null(lf);
  cr_expect_eq(lf->ref_kind, REF_LIST_FIELD);
  cr_expect_eq(lf->ref_index, t);
  cr_expect_eq(lf->ref_sub, 3);
  loaded_free(&l);
}

/* Every dependency is evaluated before what uses it. */
/* A threshold no persona changes, directly or through the thresholds it
 * is defined from, is a constant: not in the order, no derived value. */
Test(checker, constant_thresholds_stay_constant) {
  Loaded l = load("input id: text key\n"
                  "input n: number\n"
                  "threshold a = 10\n"
                  "threshold b = a * 2\n"
                  "threshold c = 5\n"
                  "threshold d = c + 1\n"
                  "dimension u { rule r : n > b and n > d }\n"
                  "persona p when n > 1 { threshold c = 6 }\n"
                  "persona q otherwise\n");
  const Program *p = l.p;
  cr_assert(p);
  cr_expect(!p->thresholds[threshold_index(p, "a")].overridden);
  cr_expect(!p->thresholds[threshold_index(p, "b")].overridden);
  cr_expect(p->thresholds[threshold_index(p, "d")].overridden);
  cr_expect_eq(order_pos(p, DEP_THRESHOLD, threshold_index(p, "b"), -1), -1);
  cr_assert_eq(p->personas[0].nderived, 1);
  cr_expect_eq(p->personas[0].derived[0].threshold, threshold_index(p, "d"));
  cr_expect_eq(p->personas[0].derived[0].value.u.num, 7);
  cr_expect_eq(p->personas[1].nderived, 0);
  loaded_free(&l);
}

Test(checker, evaluation_order) {
  Loaded l = load(base_rules);
  const Program *p = l.p;
  int32_t u = dimension_index(p, "utilization"), o = dimension_index(p, "outcome");
  int32_t ratio = indicator_index(p, "ratio_x2"), seat = indicator_index(p, "seat_ratio");
  int32_t tenure = indicator_index(p, "tenure"), is_pro = indicator_index(p, "is_pro");
  int32_t min_logins = threshold_index(p, "min_logins");
  /* an indicator after the one it uses, although declared before it */
  expect_before(p, DEP_INDICATOR, seat, -1, DEP_INDICATOR, ratio, -1);
  /* indicators before the member using them */
  expect_before(p, DEP_INDICATOR, ratio, -1, DEP_MEMBER, u, 1);
  expect_before(p, DEP_INDICATOR, indicator_index(p, "open_high"), -1, DEP_MEMBER, o, 0);
  /* the persona after its condition's indicators, before dimensions */
  expect_before(p, DEP_INDICATOR, tenure, -1, DEP_PERSONA, -1, -1);
  expect_before(p, DEP_INDICATOR, is_pro, -1, DEP_PERSONA, -1, -1);
  expect_before(p, DEP_PERSONA, -1, -1, DEP_DIMENSION, u, -1);
  expect_before(p, DEP_PERSONA, -1, -1, DEP_DIMENSION, o, -1);
  /* an overridden threshold after the persona, before its users */
  expect_before(p, DEP_PERSONA, -1, -1, DEP_THRESHOLD, min_logins, -1);
  expect_before(p, DEP_THRESHOLD, min_logins, -1, DEP_MEMBER, u, 0);
  /* members before their dimension, dimensions before health */
  for (int32_t d = 0; d < p->ndimensions; d++) {
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++)
      expect_before(p, DEP_MEMBER, d, m, DEP_DIMENSION, d, -1);
    expect_before(p, DEP_DIMENSION, d, -1, DEP_HEALTH, -1, -1);
  }
  /* a dimension grade before the indicator that reads it */
  expect_before(p, DEP_DIMENSION, u, -1, DEP_INDICATOR, indicator_index(p, "dim_grade"), -1);
  /* flags after health and segments; a flag after the flag it reads */
  int32_t at_risk = flag_index(p, "at_risk"), late = flag_index(p, "late"), stuck = flag_index(p, "stuck");
  expect_before(p, DEP_HEALTH, -1, -1, DEP_FLAG, at_risk, -1);
  expect_before(p, DEP_SEGMENT, 0, -1, DEP_FLAG, at_risk, -1);
  expect_before(p, DEP_FLAG, at_risk, -1, DEP_FLAG, late, -1);
  /* the journey after the dimension its steps read; `stuck` after it */
  expect_before(p, DEP_DIMENSION, u, -1, DEP_JOURNEY, -1, -1);
  expect_before(p, DEP_JOURNEY, -1, -1, DEP_FLAG, stuck, -1);
  /* a threshold that varies by persona (here derived from an overridden
   * one) is decided after the persona */
  expect_before(p, DEP_PERSONA, -1, -1, DEP_THRESHOLD, threshold_index(p, "max_open"), -1);
  /* every node once */
  for (int32_t i = 0; i < p->norder; i++)
    for (int32_t j = i + 1; j < p->norder; j++)
      cr_expect(!(p->order[i].kind == p->order[j].kind && p->order[i].index == p->order[j].index &&
                  p->order[i].sub == p->order[j].sub),
                "node %d and %d are the same", i, j);
  loaded_free(&l);
}

/* Without a journey, no journey node is scheduled. */
Test(checker, no_journey_no_journey_node) {
  Loaded l = load("input id: text key\ninput s: number\ndimension d { rule r : s > 1 }\n"
                  "grades { good >= 50 bad otherwise }\n");
  cr_expect_eq(l.errors, 0, "%s", l.diags);
  cr_expect(!l.p->has_journey);
  cr_expect_eq(order_pos(l.p, DEP_JOURNEY, -1, -1), -1);
  cr_expect_geq(order_pos(l.p, DEP_HEALTH, -1, -1), 0);
  loaded_free(&l);
}

/* ---- the reference scorecard ---------------------------------------------- */

Test(checker, reference_scorecard_is_clean) {
  Loaded l = {0};
  size_t len = 0;
  FILE *f = open_memstream(&l.diags, &len);
  Diag diag;
  diag_init(&diag, NULL, record_diag, f);
  int errors = -1;
  l.p = program_load("rules/aiueo.kenko", NULL, 0, &diag, &errors);
  fclose(f);
  cr_assert_not_null(l.p);
  cr_expect(!l.p->unreadable, "run the tests from the repository root");
  cr_expect_eq(errors, 0, "%s", l.diags);
  cr_expect_eq(diag.warnings, 0, "%s", l.diags);
  cr_expect_str_eq(l.diags, "");
  cr_expect_gt(l.p->ndimensions, 0);
  cr_expect_gt(l.p->npersonas, 0);
  cr_expect_gt(l.p->ntests, 0);
  loaded_free(&l);
}

/* ---- diagnostics: names and suggestions --------------------------------------- */

static const char small_rules[] = "input id: text key\n"
                                  "input seats: number\n"
                                  "input active_users: number\n"
                                  "indicator seat_ratio = active_users / seats\n"
                                  "grades { good >= 70 normal >= 40 bad otherwise }\n";

Test(checker, suggestion_for_misspelt_indicator) {
  expect_diags_with(small_rules, "dimension u { rule r : seat_ratoi > 1 }\n", 1, 0,
                    "6:24: error: unknown name `seat_ratoi`; did you mean `seat_ratio`?\n");
}

Test(checker, suggestion_for_misspelt_input) {
  expect_diags_with(small_rules, "dimension u { rule r : sets > 1 and seat_ratio > 0 }\n", 1, 0,
                    "6:24: error: unknown name `sets`; did you mean `seats`?\n");
}

Test(checker, no_suggestion_when_nothing_is_close) {
  expect_diags_with(small_rules, "dimension u { rule r : zzzzzz > seat_ratio }\n", 1, 0,
                    "6:24: error: unknown name `zzzzzz`\n");
}

Test(checker, suggestion_for_function_member_grade_step) {
  expect_diags_with(small_rules,
                    "dimension u { rule r : sclae(seat_ratio, 0, 1) > 1 }\n"
                    "flag f when u.rr == 1 and grade == bda\n"
                    "journey { step accompany when seats > 1 }\n"
                    "flag g when bottleneck == acompany\n",
                    4, 0,
                    "6:24: error: unknown function `sclae`; did you mean `scale`?\n"
                    "7:15: error: dimension `u` has no member `rr`; did you mean `r`?\n"
                    "7:36: error: unknown grade `bda`; did you mean `bad`?\n"
                    "9:27: error: unknown journey step `acompany`; did you mean `accompany`?\n");
}

Test(checker, suggestion_for_persona_segment_case_and_flag) {
  expect_diags_with(small_rules,
                    "dimension u { rule r : seat_ratio > 1 }\n"
                    "persona loyal when seats > 10\n"
                    "persona active otherwise\n"
                    "segment touch { high when seats > 100 low otherwise }\n"
                    "flag f when persona == lyal or touch == hihg or flagged(ff)\n",
                    3, 0,
                    "10:24: error: unknown persona `lyal`; did you mean `loyal`?\n"
                    "10:41: error: segment `touch` has no case `hihg`; did you mean `high`?\n"
                    "10:57: error: `flagged` needs the name of a flag; did you mean `f`?\n");
}

Test(checker, suggestion_in_persona_overrides) {
  expect_diags_with(
      small_rules,
      "threshold min_users = 3\n"
      "dimension u { rule r : seat_ratio > min_users }\n"
      "persona p when seats > 1 { threshold min_user = 1  weight uu = 1  weight u.rr = 2 }\n"
      "persona q otherwise\n",
      3, 0,
      "8:38: error: persona `p` overrides unknown threshold `min_user`; did you mean `min_users`?\n"
      "8:59: error: persona `p` sets the weight of unknown dimension `uu`; did you mean `u`?\n"
      "8:76: error: dimension `u` has no member `rr`; did you mean `r`?\n");
}

Test(checker, declared_twice) {
  expect_diags_with(small_rules,
                    "indicator seats = 1\n"
                    "dimension u { rule r : seat_ratio > 1  rule r : seats > 2 }\n"
                    "dimension u { rule q : seats > 1 }\n",
                    3, 0,
                    "6:11: error: `seats` is already the name of an input (at t.kenko:2)\n"
                    "7:45: error: member `r` is declared twice in dimension `u`\n"
                    "8:11: error: dimension `u` is declared twice (first at t.kenko:7)\n");
}

/* ---- diagnostics: symbols ------------------------------------------------------- */

static const char symbol_rules[] =
    "input id: text key\n"
    "input seats: number\n"
    "grades { good >= 70 normal >= 40 bad otherwise }\n"
    "dimension u { rule r : seats > 1 }\n"
    "persona loyal when seats > 10\n"
    "persona active otherwise\n"
    "segment touch { high when seats > 100 low otherwise }\n"
    "journey { step accompany when seats > 1 step process when u.grade != bad }\n";

/* Symbols resolve by the kind they are compared with, on either side. */
Test(checker, symbols_resolve_against_their_kind) {
  char *text = concat(symbol_rules, "flag f1 when grade == bad\n"
                                    "flag f2 when bad == grade\n"
                                    "flag f3 when persona in [loyal, active]\n"
                                    "flag f4 when touch == high and low != touch\n"
                                    "flag f5 when bottleneck == process\n"
                                    "flag f6 when u.grade in [good, normal]\n"
                                    "flag f7 when (grade ?? bad) == bad\n"
                                    "flag f8 when (if seats > 1 then grade else u.grade) == good\n");
  Loaded l = load(text);
  cr_expect_str_eq(l.diags, "");
  const Program *p = l.p;
  Node *low = find_node(p->flags[3].cond, E_NAME, "low");
  cr_assert_not_null(low);
  cr_expect_eq(low->ref_kind, REF_SYMBOL);
  cr_expect_eq(low->type_aux, SYM_SEGMENT);
  cr_expect_eq(low->ref_sub, 1);
  Node *loyal = find_node(p->flags[2].cond, E_NAME, "loyal");
  cr_assert_not_null(loyal);
  cr_expect_eq(loyal->type_aux, SYM_PERSONA);
  cr_expect_eq(loyal->ref_sub, 0);
  Node *bad = find_node(p->flags[1].cond, E_NAME, "bad");
  cr_assert_not_null(bad);
  cr_expect_eq(bad->type_aux, SYM_GRADE);
  cr_expect_eq(bad->ref_sub, 2);
  loaded_free(&l);
  free(text);
}

/* Regression: `coalesce` passes the symbol kind to its arguments, like
 * `??` (it once reported `bad` here as a bare grade). */
Test(checker, symbols_in_coalesce) {
  expect_diags_with(symbol_rules, "flag f when coalesce(grade, bad) == bad\n", 0, 0, "");
}

Test(checker, bare_symbol_is_an_error) {
  expect_diags_with(symbol_rules, "flag f when bad\nflag g when high\n", 2, 0,
                    "9:13: error: `bad` is a grade; compare it with one, as in `grade == bad`\n"
                    "10:13: error: `high` is a case of segment `touch`; compare it with one, as in "
                    "`touch == high`\n");
}

Test(checker, symbol_of_another_kind) {
  expect_diags_with(
      symbol_rules,
      "flag f1 when grade == loyal\n"
      "flag f2 when touch == good\n"
      "flag f3 when persona == process\n",
      3, 0,
      "9:23: error: `loyal` is a persona, not a grade; a grade can only be compared with a grade\n"
      "10:23: error: segment `touch` has no case `good` (`good` is a grade)\n"
      "11:25: error: `process` is a journey step, not a persona; a persona can only be "
      "compared with a persona\n");
}

Test(checker, comparing_symbol_kinds) {
  expect_diags_with(symbol_rules,
                    "segment size { big when seats > 100 small otherwise }\n"
                    "flag f1 when grade == u.grade and grade == touch\n"
                    "flag f2 when touch == size\n",
                    2, 0,
                    "10:35: error: cannot compare a grade with a case of segment `touch`\n"
                    "11:14: error: cannot compare a case of segment `touch` with a case of segment `size`\n");
}

Test(checker, bottleneck_needs_a_journey) {
  expect_diags_with(small_rules,
                    "dimension u { rule r : seat_ratio > 1 }\nflag f when bottleneck is missing\n", 1, 0,
                    "7:13: error: `bottleneck` needs a `journey` declaration\n");
}

/* ---- diagnostics: types ------------------------------------------------------------ */

static const char type_rules[] = "input id: text key\n"
                                 "input seats: number\n"
                                 "input plan: text\n"
                                 "input start: date\n"
                                 "grades { good >= 70 normal >= 40 bad otherwise }\n";

Test(checker, type_text_compared_with_number) {
  expect_diags_with(type_rules, "dimension u { rule r : plan == 3 and seats == \"ten\" and start < as_of }\n",
                    2, 0,
                    "6:24: error: cannot compare text with a number\n"
                    "6:38: error: cannot compare a number with text\n");
}

Test(checker, type_condition_not_bool) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats }\nflag f when plan\n"
                    "indicator x = not seats\n",
                    3, 0,
                    "8:19: error: `seats` is a number, but `not` needs a condition (true/false)\n"
                    "6:24: error: `seats` is a number, but a `rule` needs a condition (true/false)\n"
                    "7:13: error: `plan` is text, but a flag's `when` needs a condition (true/false)\n");
}

Test(checker, type_arithmetic_on_text_and_dates) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : plan + 1 > 2 and start - start > 1 and -plan == 1 }\n", 3, 0,
                    "6:24: error: `plan` is text, but `+` needs a number\n"
                    "6:41: error: dates cannot be subtracted; use `days(from, to)`\n"
                    "6:64: error: `plan` is text, but `-` needs a number\n");
}

Test(checker, type_ordering_text) {
  expect_diags_with(type_rules, "dimension u { rule r : plan < \"b\" and seats > 0 and start < as_of }\n", 1,
                    0, "6:24: error: `<` compares numbers or dates, not text\n");
}

Test(checker, type_if_branches_and_coalesce) {
  expect_diags_with(type_rules,
                    "dimension u { score s : if seats > 1 then 1 else plan\n"
                    "  rule r : (seats ?? \"x\") > 1 and start < as_of }\n",
                    2, 0,
                    "6:25: error: the branches of `if` must have one type: a number and text\n"
                    "7:13: error: the default after `?\?` must have the type of the value before it: "
                    "a number, not text\n");
}

Test(checker, type_in_list_elements) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats in [1, \"a\"] and plan == \"p\" and start < as_of }\n", 1,
                    0, "6:37: error: `\"a\"` is text, but the value before `in` is a number\n");
}

Test(checker, comparing_with_missing_is_a_warning) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats == missing and plan == \"p\" and start < as_of }\n", 0, 1,
                    "6:24: warning: comparing with `missing` is always missing; use `is missing`\n");
}

Test(checker, threshold_must_be_constant) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats > t and plan == \"p\" and start < as_of }\n"
                    "threshold t = seats * 2\n",
                    1, 0, "7:15: error: a threshold must be a constant; `seats` is not\n");
}

/* Regression: a constant division by zero is one error (it once added
 * "must be a constant: a literal, or arithmetic on literals"). */
Test(checker, threshold_division_by_zero_once) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats > t and plan == \"p\" and start < as_of }\n"
                    "threshold t = 1 / 0\n",
                    1, 0, "7:15: error: division by zero in a constant\n");
}

/* ---- diagnostics: cycles ------------------------------------------------------------- */

Test(checker, cycle_of_indicators_named_in_full) {
  expect_diags_with(type_rules,
                    "indicator a = b + 1\n"
                    "indicator b = c * 2\n"
                    "indicator c = a - seats\n"
                    "dimension u { rule r : a > 1 and plan == \"x\" and start < as_of }\n",
                    1, 0,
                    "6:15: error: dependency cycle: indicator `a` → indicator `b` → indicator `c` → "
                    "indicator `a`\n");
}

Test(checker, indicator_using_itself) {
  expect_diags_with(type_rules,
                    "indicator a = a + seats\n"
                    "dimension u { rule r : a > 1 and plan == \"x\" and start < as_of }\n",
                    1, 0, "6:15: error: dependency cycle: indicator `a` uses itself\n");
}

/* A member cannot use the health grade: health needs the member. */
Test(checker, cycle_through_health) {
  expect_diags_with(
      type_rules, "dimension u { rule r : grade == bad and seats > 1 and plan == \"x\" and start < as_of }\n",
      1, 0, "6:24: error: dependency cycle: member `u.r` → health → dimension `u` → member `u.r`\n");
}

Test(checker, cycle_through_a_flag) {
  expect_diags_with(
      type_rules,
      "dimension u { rule r : not flagged(f) and plan == \"x\" and start < as_of }\n"
      "flag f when u < seats\n",
      1, 0, "6:28: error: dependency cycle: member `u.r` → flag `f` → dimension `u` → member `u.r`\n");
}

/* Regression: a cycle among thresholds is one error naming the whole
 * cycle (LANGUAGE.md §2); it was once reported per threshold, with a
 * wrong "never used" warning. */
Test(checker, cycle_of_thresholds_named_in_full) {
  Loaded l = load("input id: text key\ninput seats: number\n"
                  "grades { good >= 70 bad otherwise }\n"
                  "threshold t3 = t4 + 1\n"
                  "threshold t4 = t3 * 2\n"
                  "dimension u { rule r : seats > t3 }\n");
  cr_expect_eq(l.errors, 1, "%s", l.diags);
  cr_expect_eq(l.warnings, 0, "%s", l.diags);
  cr_expect(strstr(l.diags, "threshold `t3`") && strstr(l.diags, "threshold `t4`"), "%s", l.diags);
  loaded_free(&l);
}

/* An indicator depending on a score makes the persona depend on it. */
Test(checker, persona_cycle_through_an_indicator) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats > 1 and plan == \"x\" and start < as_of }\n"
                    "indicator sc = u * 2\n"
                    "persona p1 when sc > 50\n"
                    "persona p2 otherwise\n",
                    1, 0,
                    "8:17: error: dependency cycle: persona → indicator `sc` → dimension `u` → persona "
                    "(a persona condition cannot depend on segments, scores, grades or flags)\n");
}

/* A segment is decided after the persona: using one through an indicator
 * is a cycle, as using it directly is an error of its own. */
Test(checker, persona_cycle_through_a_segment) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats > 1 and plan == \"x\" and start < as_of }\n"
                    "segment size { big when seats >= 100 small otherwise }\n"
                    "indicator is_big = size == big\n"
                    "persona p1 when is_big\n"
                    "persona p2 otherwise\n",
                    1, 0,
                    "9:17: error: dependency cycle: persona → indicator `is_big` → segment `size` → persona "
                    "(a persona condition cannot depend on segments, scores, grades or flags)\n");
}

/* Without a persona condition on it, an indicator may use a segment. */
Test(checker, indicator_may_use_a_segment) {
  expect_diags_with(type_rules,
                    "dimension u { rule r : seats > 1 and plan == \"x\" and start < as_of and is_big }\n"
                    "segment size { big when seats >= 100 small otherwise }\n"
                    "indicator is_big = size == big\n"
                    "persona p1 when seats > 3\n"
                    "persona p2 otherwise\n",
                    0, 0, "");
}

/* ---- diagnostics: persona restrictions --------------------------------------------------- */

static const char persona_rules[] = "input id: text key\n"
                                    "input seats: number\n"
                                    "grades { good >= 70 normal >= 40 bad otherwise }\n"
                                    "dimension u { rule r : seats > 1 }\n"
                                    "flag f when seats > 1\n"
                                    "persona other otherwise\n";

Test(checker, persona_condition_cannot_use_scores) {
  expect_diags_with(
      persona_rules,
      "persona p1 when u > 50\n"
      "persona p4 when health > 1\n"
      "persona p5 when u.r == 100\n",
      3, 0,
      "7:17: error: a persona condition cannot use `u`: dimension scores and grades depend on "
      "the persona's weights and grades\n"
      "8:17: error: a persona condition cannot use `health`: the health score and grade depend "
      "on the persona's weights and grades\n"
      "9:17: error: a persona condition cannot use `u.r`: dimension scores and grades depend on "
      "the persona's weights and grades\n");
}

/* One error per forbidden reference: the grade symbol compared with it
 * is still resolved. */
Test(checker, persona_condition_cannot_use_grades) {
  expect_diags_with(persona_rules,
                    "persona p2 when grade == good\n"
                    "persona p3 when u.grade == bad\n",
                    2, 0,
                    "7:17: error: a persona condition cannot use `grade`: the health score and grade depend "
                    "on the persona's weights and grades\n"
                    "8:17: error: a persona condition cannot use `u.grade`: dimension scores and grades "
                    "depend on the persona's weights and grades\n");
}

Test(checker, persona_condition_cannot_use_flags_persona_or_journey) {
  expect_diags_with(persona_rules,
                    "journey { step s1 when seats > 1 }\n"
                    "persona p6 when flagged(f)\n"
                    "persona p7 when persona == other\n"
                    "persona p8 when bottleneck == s1\n",
                    3, 0,
                    "8:17: error: a persona condition cannot use `flagged(f)`: flags are decided after the "
                    "persona (they may use scores and grades)\n"
                    "9:17: error: a persona condition cannot use `persona`: the persona is what these "
                    "conditions decide\n"
                    "10:17: error: a persona condition cannot use `bottleneck`: the journey is decided after "
                    "the persona (its steps may use scores and grades)\n");
}

/* docs/language.md §8: "Segments cannot be used either" in a persona
 * condition (the checker once accepted them). */
Test(checker, persona_condition_cannot_use_segments) {
  Loaded l = load("input id: text key\ninput seats: number\n"
                  "grades { good >= 70 bad otherwise }\n"
                  "dimension u { rule r : seats > 1 }\n"
                  "segment s { a when seats > 1  b otherwise }\n"
                  "persona p1 when s == a\n"
                  "persona p2 otherwise\n");
  cr_expect_eq(l.errors, 1, "%s", l.diags);
  loaded_free(&l);
}

/* Persona conditions may use inputs, indicators and thresholds. */
Test(checker, persona_condition_may_use_values) {
  expect_diags_with(persona_rules,
                    "threshold big = 100\n"
                    "indicator twice = seats * 2\n"
                    "persona p when seats > big and twice > 3\n",
                    0, 1, "9:9: warning: persona `p` comes after `otherwise` and can never match\n");
}

Test(checker, persona_override_errors) {
  expect_diags_with(persona_rules,
                    "threshold t = 1\n"
                    "flag g when seats > t\n"
                    "persona p when seats > 1 { threshold t = \"x\"  weight u = -1  threshold t = 2 }\n",
                    3, 0,
                    "9:58: error: weights must be 0 or more, found -1\n"
                    "9:72: error: threshold `t` is overridden twice in persona `p`\n"
                    "9:42: error: threshold `t` is a number, but this override is text\n");
}

/* ---- diagnostics: declarations ------------------------------------------------------------ */

Test(checker, declaration_errors) {
  expect_diags("input id: text key\n"
               "input k2: text key\n"
               "input seats: number\n"
               "input t: list { a: number, a: text } optional\n"
               "outcome seats\n"
               "grades { good >= 70 bad otherwise }\n"
               "forecast f weighted by id { good 95% bad 150% nope 1 }\n"
               "flag fl severity urgent when seats > 1\n"
               "dimension u { rule r : seats > 1 and count(t) > 0 }\n",
               7, 0,
               "2:7: error: only one input can be the `key`; `id` already is\n"
               "4:28: error: field `a` is declared twice in `t`\n"
               "8:18: error: severity must be `low`, `medium` or `high`, found `urgent`\n"
               "5:9: error: `outcome` must name a bool input; `seats` is a number\n"
               "7:24: error: `weighted by` must name a number input; `id` is text\n"
               "7:42: error: a rate must be between 0% and 100%\n"
               "7:47: error: unknown grade `nope`\n");
}

Test(checker, grades_errors) {
  expect_diags("input id: text key\ninput s: number\n"
               "grades { good >= 70 bad otherwise }\n"
               "grades { a >= 10 b otherwise }\n"
               "dimension u { rule r : s > 1 grades { x >= 120 y otherwise } }\n"
               "dimension v { rule r : s > 1 grades { x >= 50 } }\n",
               3, 0,
               "4:1: error: the top-level `grades` block is given twice (first at t.kenko:3)\n"
               "5:44: error: a grade bound must be between 0 and 100\n"
               "6:39: error: a `grades` block must end with a grade for `otherwise`, as in `x otherwise`\n");
}

Test(checker, bands_need_otherwise) {
  expect_diags("input id: text key\ninput s: number\ngrades { good >= 70 bad otherwise }\n"
               "dimension u { score x { 100 when s >= 10 } }\n",
               1, 0,
               "4:21: error: score `x` has bands but no `otherwise` band; add one like `0 otherwise`\n");
}

Test(checker, element_field_shadowing_an_input) {
  expect_diags("input id: text key\ninput seats: number\ngrades { good >= 70 bad otherwise }\n"
               "input t: list { seats: number } optional\n"
               "dimension u { rule r : sum(t.seats) > 1 and seats > 0 }\n",
               1, 0, "4:17: error: element field `seats` has the same name as an input; rename one\n");
}

Test(checker, test_block_errors) {
  expect_diags("input id: text key\ninput seats: number\ngrades { good >= 70 bad otherwise }\n"
               "dimension u { rule r : seats > 1 }\n"
               "test \"x\" { given { id: \"a\", seats: \"ten\", nope: 1, u: 1 } expect grade == bad }\n",
               3, 0,
               "5:36: error: input `seats` is a number, but this value is text\n"
               "5:43: error: unknown input `nope`\n"
               "5:52: error: `u` is a dimension, not an input; a test gives inputs only\n");
}

/* ---- diagnostics: lints ---------------------------------------------------------------------- */

static const char lint_rules[] = "input id: text key\n"
                                 "input seats: number\n"
                                 "grades { good >= 70 normal >= 40 bad otherwise }\n";

Test(checker, lint_unused_declarations) {
  expect_diags_with(lint_rules,
                    "input unused_in: number\n"
                    "indicator unused_ind = seats * 2\n"
                    "threshold unused_t = 5\n"
                    "dimension u { rule r : seats > 1 }\n",
                    0, 3,
                    "4:7: warning: input `unused_in` is never used\n"
                    "5:11: warning: indicator `unused_ind` is never used\n"
                    "6:11: warning: threshold `unused_t` is never used\n");
}

Test(checker, lint_bands) {
  expect_diags_with(
      lint_rules,
      "dimension u { score s {\n"
      "  100 when seats >= 10\n"
      "   50 when seats >= 20\n"
      "  150 when seats > 5\n"
      "    0 otherwise\n"
      "    7 otherwise } }\n",
      0, 3,
      "9:5: warning: this band comes after `otherwise` and is never used\n"
      "6:12: warning: this band can never match: the one at line 5 takes every account it would\n"
      "7:3: warning: a band value of 150 is outside 0..100 and will be clamped\n");
}

Test(checker, lint_personas) {
  expect_diags_with(
      lint_rules,
      "dimension u { rule r : seats > 1 }\n"
      "persona a when seats >= 10\n"
      "persona b when seats >= 20\n"
      "persona c otherwise\n"
      "persona d when seats > 1\n",
      0, 2,
      "8:9: warning: persona `d` comes after `otherwise` and can never match\n"
      "6:16: warning: this persona can never match: the one at line 5 takes every account it would\n");
  expect_diags_with(lint_rules, "dimension u { rule r : seats > 1 }\npersona a when seats >= 10\n", 0, 1,
                    "5:9: warning: accounts may match no persona; add a last `persona NAME otherwise`\n");
}

/* Segment lints also run when there is no persona. */
Test(checker, lint_segments_without_personas) {
  expect_diags_with(
      lint_rules,
      "dimension u { rule r : seats > 1 }\n"
      "segment s { x when seats > 1  y when seats > 2 }\n"
      "flag f when s == x\n",
      0, 2,
      "5:38: warning: this case can never match: the one at line 5 takes every account it would\n"
      "5:9: warning: accounts may match no case of segment `s`; add a last case with `otherwise`\n");
}

Test(checker, lint_case_after_otherwise) {
  expect_diags_with(
      lint_rules,
      "dimension u { rule r : seats > 1 }\n"
      "segment s { x when seats > 1  z otherwise  y when seats > 2 }\n"
      "flag f when s == x\n",
      0, 2,
      "5:44: warning: case `y` comes after `otherwise` and can never match\n"
      "5:51: warning: this case can never match: the one at line 5 takes every account it would\n");
}

Test(checker, lint_score_ranges) {
  expect_diags_with(lint_rules,
                    "dimension u {\n"
                    "  score a : 150\n"
                    "  score b : -5\n"
                    "  score c : seats * 0 + 120\n"
                    "  score d : if seats > 1 then -10 else 110\n"
                    "  score e : scale(seats, 0, 10) + 1\n"
                    "}\n",
                    0, 4,
                    "5:13: warning: score `a` is always above 100 (at least 150); it will be clamped to 100\n"
                    "6:13: warning: score `b` is always below 0 (at most -5); it will be clamped to 0\n"
                    "8:13: warning: score `d` ranges over -10..110, outside 0..100; it will be clamped\n"
                    "9:13: warning: score `e` ranges over 1..101, outside 0..100; it will be clamped\n");
}

Test(checker, lint_weights) {
  expect_diags_with(lint_rules, "dimension u weight 0 { rule r : seats > 1 }\n", 0, 1,
                    "4:11: warning: every dimension has weight 0: no account gets a health score\n");
  expect_diags_with(
      lint_rules,
      "dimension u { rule r : seats > 1 }\n"
      "persona p when seats > 1 { weight u = 0 }\n"
      "persona q otherwise\n",
      0, 1, "5:9: warning: every dimension has weight 0 for persona `p`: its accounts get no health score\n");
}

Test(checker, lint_no_dimension) {
  expect_diags("input seats: number\n", 0, 2,
               "1:7: warning: input `seats` is never used\n"
               "1:1: warning: no dimension is declared: every health score will be missing\n");
}

/* Lints wait for clean rules: no "never used" after a misspelt use. */
Test(checker, no_lints_after_errors) {
  expect_diags_with(small_rules, "dimension u { rule r : seat_ratoi > 1 }\nthreshold t = 1\n", 1, 0,
                    "6:24: error: unknown name `seat_ratoi`; did you mean `seat_ratio`?\n");
}

/* A syntax error after a declaration does not make that declaration
 * look undeclared to the checker. */
Test(checker, no_follow_on_errors_after_a_syntax_error) {
  Loaded l = load("input id: text key\ninput a: number\nindicator y = a * 2\nrule z : 1\n"
                  "grades { good >= 50 bad otherwise }\ndimension d { rule r : y > 1 }\n");
  cr_expect_eq(l.errors, 1, "%s", l.diags);
  cr_expect_null(strstr(l.diags, "unknown name"), "%s", l.diags);
  loaded_free(&l);
}

/* ---- unreadable and included files --------------------------------------------------------------- */

Test(checker, unreadable_main_file) {
  Loaded l = {0};
  size_t len = 0;
  FILE *f = open_memstream(&l.diags, &len);
  Diag diag;
  diag_init(&diag, NULL, record_diag, f);
  int errors = -1;
  l.p = program_load("/nonexistent/dir/x.kenko", NULL, 0, &diag, &errors);
  fclose(f);
  cr_expect(l.p->unreadable);
  cr_expect_eq(errors, 1);
  cr_expect_str_eq(l.diags, "error: cannot read /nonexistent/dir/x.kenko: No such file or directory\n");
  loaded_free(&l);
}

Test(checker, missing_include) {
  expect_diags("include \"no/such/file.kenko\"\n", 1, 0,
               "1:1: error: cannot read included file \"no/such/file.kenko\": no such file\n");
}
