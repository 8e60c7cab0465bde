/* check_int.h — the checker's internal state, shared by check.c
 * (declarations), check_expr.c (names and types), check_graph.c
 * (dependencies, cycles, evaluation order) and check_lint.c (warnings). */
#ifndef KENKO_CHECK_INT_H
#define KENKO_CHECK_INT_H

#include "check/check.h"

typedef enum NameKind {
  NAME_INPUT, /* value namespace */
  NAME_INDICATOR,
  NAME_THRESHOLD,
  NAME_DIMENSION,
  NAME_SEGMENT,
  NAME_BUILTIN, /* health, grade, bottleneck, as_of, persona */
  NAME_GRADE,   /* symbol namespaces */
  NAME_PERSONA,
  NAME_STEP,
  NAME_CASE,
  NAME_FLAG, /* only inside flagged(...) */
  NAME_FORECAST
} NameKind;

typedef struct NameEntry {
  const char *name;
  int kind; /* NameKind */
  int32_t index;
  const Node *node; /* the declaration (NULL for built-ins and grades) */
} NameEntry;

/* Open-addressing string map; names are borrowed from the arena. */
typedef struct NameMap {
  NameEntry *slots;
  int32_t cap;
  int32_t count;
} NameMap;

/* What an expression is being checked for (restricts what it may use). */
typedef enum Context {
  CTX_NORMAL,  /* indicators, members, flags, segments, steps, tests */
  CTX_PERSONA, /* persona conditions: no scores, grades or flags */
  CTX_CONSTANT /* thresholds: constants and other thresholds only */
} Context;

/* A dependency edge: graph node FROM needs TO computed first. */
typedef struct Edge {
  int32_t from, to;
  Span at; /* the reference that made it */
} Edge;

typedef struct Checker {
  Program *p;
  Diag *diag;
  Arena *arena;
  NameMap values; /* inputs, indicators, thresholds, dimensions,
                     segments, built-ins */
  NameMap personas, steps, cases, grades, flag_names, forecast_names;
  NameMap threshold_names, dimension_names; /* for suggestions */
  const Node *journey_node;
  const Node *outcome_node;

  /* expression context */
  Context ctx;
  int32_t owner;            /* graph node of the expression being checked, or -1 */
  int32_t elem_input;       /* list input whose element fields are in scope */
  const Value *fold_table;  /* threshold values fold reads (NULL: the defaults) */
  const char *fold_persona; /* whose values those are, for messages (or NULL) */
  bool in_expect;           /* a test's `expect` line (a KPI there gets a hint) */

  /* dependency graph (check_graph.c) */
  DepNode *nodes;
  int32_t nnodes;
  Edge *edges;
  int32_t nedges, edges_cap;
  int32_t node_persona, node_health, node_journey;
  int32_t *node_indicator, *node_threshold, *node_segment, *node_dimension, *node_flag, *member_base;
  /* while persona conditions are checked: the edges so far by their
   * source (graph_persona_defaults_begin) */
  int32_t *by_first, *by_to;
} Checker;

void check_names_init(NameMap *m);
void check_names_free(NameMap *m);
const NameEntry *check_names_get(const NameMap *m, const char *name);
const NameEntry *check_names_put(NameMap *m, const char *name, int kind, int32_t index, const Node *node);

const char *kind_word(int kind);
/* The same with its article, as a sentence uses it: "an input", "a grade". */
const char *a_kind_word(int kind);
const char *where_text(Checker *c, Span s);
const char *check_type_text(Checker *c, uint8_t type, int32_t aux);
const char *check_suggest_in(Checker *c, const char *name, const NameMap *m);

/* check_expr.c */
void check_expressions(Checker *c);
void check_tests(Checker *c);
/* KPIs (check_kpi.c): aggregates over the accounts, per-account
 * expressions inside them. */
void check_kpis(Checker *c);
/* N must be a condition (true/false); WHERE names the place ("`where`"). */
void check_condition(Checker *c, Node *n, const char *where);

/* Checks expression N; HINT is the symbol kind a bare name should be
 * resolved as (-1 for none). */
void check_expr(Checker *c, Node *n, int hint);

/* check_graph.c */
void graph_build_nodes(Checker *c);
void graph_edge(Checker *c, int32_t to, Span at);
/* Persona conditions see the default thresholds, also through indicators.
 * _begin marks each indicator that depends (through indicators) on a
 * threshold some persona overrides (IndicatorDecl.persona_defaults: a
 * persona condition reads it computed with the defaults); a persona
 * condition's reference to one then depends on what the indicator uses,
 * overridden thresholds left out (graph_persona_indicator), not on the
 * indicator itself, which comes after the persona. */
void graph_persona_defaults_begin(Checker *c);
void graph_persona_indicator(Checker *c, int32_t indicator, Span at);
void graph_persona_defaults_end(Checker *c);
void check_graph(Checker *c);

/* check_lint.c */
void check_lints(Checker *c);

#endif
