/* program.h — the checked program (what front/program.c loads and
 * check/ fills): every declaration of the rule files in
 * tables, every name resolved, every expression typed, the dependency
 * graph ordered. The compiler (compile.c) reads only this and the
 * annotated expression nodes; it never looks a name up by string.
 *
 * Expression annotations (fields of Node, set by the checker):
 *   type      ValueType of the expression (T_ERROR when it was in error)
 *   type_aux  for T_SYMBOL: the SymKind; for T_LIST: the input index
 *   ref_kind  for E_NAME / E_FIELD / E_CALL: a RefKind
 *   ref_index / ref_sub: see RefKind
 *
 * Symbols: a grade is its index in Program.grade_names (one table for all
 * `grades` blocks, by name); a persona its index in personas; a segment
 * case its index in that segment's cases; a journey step its index in the
 * journey's steps. */
#ifndef KENKO_PROGRAM_H
#define KENKO_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "front/ast.h"
#include "front/diag.h"
#include "front/source.h"
#include "base/value.h"

/* Symbol kinds (type_aux of a T_SYMBOL expression). */
enum {
  SYM_GRADE = 0,   /* a grade name */
  SYM_PERSONA = 1, /* a persona name */
  SYM_STEP = 2,    /* a journey step (bottleneck) */
  SYM_SEGMENT = 3  /* SYM_SEGMENT + i: a case of segment i */
};

typedef enum RefKind {
  REF_NONE,
  REF_INPUT,      /* ref_index: input */
  REF_INDICATOR,  /* ref_index: indicator */
  REF_THRESHOLD,  /* ref_index: threshold (per-persona value) */
  REF_DIMENSION,  /* ref_index: dimension — its 0..100 score */
  REF_DIM_GRADE,  /* ref_index: dimension — `DIM.grade` */
  REF_MEMBER,     /* ref_index: dimension, ref_sub: member — `DIM.MEMBER` */
  REF_SEGMENT,    /* ref_index: segment — the account's case */
  REF_HEALTH,     /* `health` */
  REF_GRADE,      /* `grade` (of the health score) */
  REF_PERSONA,    /* `persona` */
  REF_BOTTLENECK, /* `bottleneck` */
  REF_AS_OF,      /* `as_of` */
  REF_SYMBOL,     /* a symbol constant; ref_sub: its id, type_aux: SymKind */
  REF_ELEM_FIELD, /* inside an aggregate: ref_index: list input,
                     ref_sub: element field */
  REF_LIST_FIELD, /* E_FIELD `L.f` as an aggregate argument: ref_index:
                     list input, ref_sub: element field */
  REF_FLAG,       /* E_CALL flagged(NAME): ref_index: flag */
  REF_FUNC,       /* E_CALL of a built-in: ref_index: Builtin */
  REF_TREND       /* explanations only: a trend call's value; index: its
                     place in Program.trend_calls */
} RefKind;

typedef enum Builtin {
  FN_MIN,
  FN_MAX,
  FN_ABS,
  FN_ROUND,
  FN_CLAMP,
  FN_SCALE,
  FN_COALESCE,
  FN_DAYS,
  FN_DAYS_SINCE,
  FN_DAYS_UNTIL,
  FN_LOWER,
  FN_UPPER,
  FN_CONTAINS,
  FN_STARTS_WITH,
  FN_NPS,
  /* aggregates over a list input (first argument L, L.f or … where C) */
  FN_COUNT,
  FN_SUM,
  FN_AVG,
  FN_AGG_MIN,
  FN_AGG_MAX,
  FN_ANY,
  FN_ALL,
  FN_FLAGGED,
  /* trend functions (LANGUAGE.md §6): the first argument a name, the
   * second (not for previous) a duration literal */
  FN_PAST,
  FN_PREVIOUS,
  FN_CHANGE,
  FN_PCT_CHANGE,
  FN_AVG_OVER,
  FN_MIN_OVER,
  FN_MAX_OVER,
  FN_COUNT_OVER,
  BUILTIN_COUNT
} Builtin;

/* Whether FN aggregates over a list input's elements (count, sum, avg,
 * min/max of a field, any, all, nps). */
static inline bool builtin_is_aggregate(Builtin fn) {
  return fn == FN_COUNT || fn == FN_SUM || fn == FN_AVG || fn == FN_AGG_MIN || fn == FN_AGG_MAX ||
         fn == FN_ANY || fn == FN_ALL || fn == FN_NPS;
}

/* What trend functions look back at (LANGUAGE.md §6), one per distinct
 * name: the snapshots keep each one's value. */
typedef struct TrendSubject {
  uint8_t kind;  /* RefKind: REF_INPUT, REF_INDICATOR, REF_DIMENSION,
                    REF_DIM_GRADE, REF_MEMBER, REF_SEGMENT, REF_HEALTH,
                    REF_GRADE, REF_PERSONA, REF_BOTTLENECK or REF_FLAG */
  int32_t index; /* as ExplainRef (result.h) */
  int32_t sub;
  const char *name; /* "logins", "usage.grade", "flagged(fell)" */
} TrendSubject;

/* One distinct trend call: FN(subject, window). A checked call node of a
 * trend function has ref_kind REF_FUNC, ref_index its Builtin and
 * ref_sub its index in Program.trend_calls. */
typedef struct TrendCall {
  uint8_t fn;      /* Builtin: FN_PAST … FN_COUNT_OVER */
  uint8_t unit;    /* DurUnit of the window */
  int32_t n;       /* the window: how many units (previous: 0) */
  int32_t subject; /* index into Program.trend_subjects */
  Span span;       /* the first call written so (kenko sql's comments) */
} TrendCall;

typedef struct ListField {
  const char *name;
  const Node *node;
  uint8_t type; /* T_NUMBER, T_TEXT, T_BOOL, T_DATE */
  bool optional;
  const char **allowed; /* `in [...]` values or NULL */
  int32_t nallowed;
} ListField;

typedef struct InputDecl {
  const char *name;
  const char *label;
  const char *column; /* data column/key */
  const Node *node;
  uint8_t type; /* T_NUMBER, T_TEXT, T_BOOL, T_DATE, T_LIST */
  bool optional;
  bool key;
  bool snapshot; /* dates each record: a long table of snapshots (§6) */
  bool display;  /* the account's display name (shown next to the id) */
  bool kept;     /* kept for display and grouping: not an unused input */
  const char **allowed;
  int32_t nallowed;
  ListField *fields; /* T_LIST */
  int32_t nfields;
  bool used;
} InputDecl;

typedef struct IndicatorDecl {
  const char *name;
  const char *label;
  const Node *node;
  Node *expr;
  uint8_t type;
  int32_t type_aux;
  bool used;
  /* It depends on a threshold some persona overrides: persona conditions
   * read it computed with the default thresholds (a value of its own). */
  bool persona_defaults;
} IndicatorDecl;

typedef struct ThresholdDecl {
  const char *name;
  const char *label;
  const Node *node;
  Node *expr; /* constant expression */
  uint8_t type;
  Value value;     /* its default value (constant-folded) */
  bool overridden; /* its value varies by persona: some persona
                      overrides it, or one it is defined from */
  bool used;
} ThresholdDecl;

typedef enum MemberKind { MEMBER_RULE, MEMBER_SCORE, MEMBER_BANDS } MemberKind;

typedef struct Band {
  Node *value; /* E_NUM or E_NAME (threshold) */
  Node *cond;  /* NULL for `otherwise` */
  const Node *node;
} Band;

typedef struct Member {
  const char *name;
  const char *label;
  const Node *node;
  MemberKind kind;
  double weight; /* default weight (1 unless written) */
  Node *expr;    /* rule: condition; score: expression */
  Band *bands;   /* MEMBER_BANDS */
  int32_t nbands;
} Member;

typedef struct GradeBand {
  int32_t grade; /* index into Program.grade_names */
  const char *label;
  double bound; /* score >= bound; -INFINITY for otherwise */
  const Node *node;
} GradeBand;

typedef struct GradeSet {
  GradeBand *bands; /* best first; the last is `otherwise` */
  int32_t nbands;
  const Node *node;
} GradeSet;

typedef struct DimensionDecl {
  const char *name;
  const char *label;
  const Node *node;
  double weight;
  Member *members;
  int32_t nmembers;
  int32_t grades; /* own GradeSet index, or -1 */
} DimensionDecl;

typedef struct ThresholdOverride {
  int32_t threshold;
  Node *expr;
  Value value;
} ThresholdOverride;

typedef struct WeightOverride {
  int32_t dimension;
  int32_t member; /* -1 for the dimension's own weight */
  double weight;
  const Node *node;
} WeightOverride;

typedef struct PersonaDecl {
  const char *name;
  const char *label;
  const Node *node;
  Node *cond; /* NULL for `otherwise` */
  ThresholdOverride *thresholds;
  int32_t nthresholds;
  ThresholdOverride *derived; /* thresholds defined from overridden ones,
                                 computed with the persona's values (expr:
                                 the threshold's own) */
  int32_t nderived;
  WeightOverride *weights;
  int32_t nweights;
  int32_t grades; /* GradeSet index, or -1 */
} PersonaDecl;

typedef struct CaseDecl {
  const char *name;
  const char *label;
  const Node *node;
  Node *cond; /* NULL for `otherwise` */
} CaseDecl;

typedef struct SegmentDecl {
  const char *name;
  const char *label;
  const Node *node;
  CaseDecl *cases;
  int32_t ncases;
  bool has_otherwise;
} SegmentDecl;

typedef enum Severity { SEV_LOW = 1, SEV_MEDIUM = 2, SEV_HIGH = 3 } Severity;

typedef struct FlagDecl {
  const char *name;
  const char *label;
  const Node *node;
  Node *cond;
  Severity severity;
  const char *action; /* or NULL */
} FlagDecl;

typedef struct StepDecl {
  const char *name;
  const char *label;
  const Node *node;
  Node *cond;
} StepDecl;

typedef struct ForecastDecl {
  const char *name;
  const char *label;
  const Node *node;
  int32_t weight_input; /* `weighted by` input, or -1 */
  double *rate;         /* per grade (Program.grade_names); NAN if none */
} ForecastDecl;

typedef struct TestDecl {
  const char *name;
  const Node *node;
  bool has_as_of;
  int32_t as_of;       /* days since 1970-01-01 */
  const Node *given;   /* the first account's P_GIVEN, or NULL */
  const Node **givens; /* every account's P_GIVEN: one for `given { … }`,
                          several for `given [ { … }, … ]` (none for
                          `given []`); NULL without `given`: one account,
                          every input missing */
  int32_t ngivens;
  Node **expects; /* P_EXPECT conditions (each holds for every account) */
  int32_t nexpects;
  const Node **kpi_expects; /* P_EXPECT_KPI lines; ref_index: the KPI */
  int32_t nkpi_expects;
} TestDecl;

/* A KPI's aggregate (LANGUAGE.md §10): FN over the accounts where COND
 * (NULL: every account) holds, of EXPR (NULL for count and share). The
 * E_CALL node's ref_index is its index in Program.kpi_aggs. */
typedef enum KpiFn { KPI_COUNT, KPI_SHARE, KPI_SUM, KPI_AVG, KPI_MIN, KPI_MAX, KPI_MEDIAN } KpiFn;
typedef struct KpiAgg {
  uint8_t fn; /* KpiFn */
  const Node *expr;
  const Node *cond;
} KpiAgg;

typedef struct KpiDecl {
  const char *name;
  const char *label;
  const Node *node;
  const Node *expr;  /* aggregates, numbers and + - * / between them */
  uint8_t target_op; /* OP_GE, OP_LE, OP_GT, OP_LT; OP_NONE: no target */
  double target;
  bool percent; /* shown as a percent (a share, or a target written as one) */
} KpiDecl;

/* A node of the dependency graph: what is computed for each account. */
typedef enum DepKind {
  DEP_INDICATOR, /* index: indicator */
  DEP_THRESHOLD, /* index: threshold (only when a persona overrides it) */
  DEP_PERSONA,   /* the account's persona */
  DEP_SEGMENT,   /* index: segment */
  DEP_MEMBER,    /* index: dimension, sub: member */
  DEP_DIMENSION, /* index: dimension (score and grade) */
  DEP_HEALTH,    /* health and grade */
  DEP_FLAG,      /* index: flag */
  DEP_JOURNEY    /* the steps and the bottleneck */
} DepKind;

typedef struct DepNode {
  uint8_t kind; /* DepKind */
  int32_t index;
  int32_t sub;
} DepNode;

typedef struct Program {
  Arena arena; /* nodes, tables and strings of the rule set */
  SourceSet sources;
  const char *title;    /* `scorecard "…"`, or NULL */
  char fingerprint[65]; /* SHA-256 of all rule files, in order */
  bool unreadable;      /* the main file could not be read */

  InputDecl *inputs;
  int32_t ninputs;
  IndicatorDecl *indicators;
  int32_t nindicators;
  ThresholdDecl *thresholds;
  int32_t nthresholds;
  DimensionDecl *dimensions;
  int32_t ndimensions;
  GradeSet *grade_sets;
  int32_t ngrade_sets;
  int32_t default_grades; /* top-level GradeSet, or -1 */
  const char **grade_names;
  int32_t ngrade_names;
  const char **grade_labels; /* first label seen for each grade name */
  PersonaDecl *personas;
  int32_t npersonas;
  SegmentDecl *segments;
  int32_t nsegments;
  FlagDecl *flags;
  int32_t nflags;
  bool has_journey;
  const char *journey_label;
  StepDecl *steps;
  int32_t nsteps;
  ForecastDecl *forecasts;
  int32_t nforecasts;
  int32_t outcome_input;  /* -1 when none */
  int32_t key_input;      /* -1 when none */
  int32_t snapshot_input; /* the `snapshot` input (a date), or -1 */
  int32_t display_input;  /* the `display` input (text: the account's name), or -1 */
  bool uses_trend;        /* a trend function (past, previous, …) is used:
                             every command reads the data as history */
  int32_t trend_days;     /* the longest trend window in days (weeks
                             counted as 7 days), 0 if none */
  int32_t trend_months;   /* the longest in calendar months, 0 if none */
  TrendSubject *trend_subjects;
  int32_t ntrend_subjects;
  TrendCall *trend_calls;
  int32_t ntrend_calls;
  TestDecl *tests;
  int32_t ntests;
  KpiDecl *kpis;
  int32_t nkpis;
  KpiAgg *kpi_aggs; /* every KPI's aggregates */
  int32_t nkpi_aggs;

  /* Evaluation order: every dependency before its dependents. */
  DepNode *order;
  int32_t norder;
} Program;

void program_free(Program *p);

/* Every dimension's members in declaration order ("flat" indices, as in
 * Result.members): returns how many; with MEMBER and DIM not NULL (room
 * for that many), each one's declaration and dimension. */
int32_t program_members(const Program *p, const Member **member, int32_t *dim);

/* The name and label of a symbol, for output. */
const char *program_symbol_name(const Program *p, int32_t kind, int32_t sym);

#endif
