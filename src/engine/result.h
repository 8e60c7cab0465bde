/* result.h — what evaluating one account gives: persona, segments, health,
 * grade and coverage, every dimension and member with its effective weight
 * and lost points, flags and journey steps. (What an explanation adds, the
 * values expressions referenced and the like, is in explain.h.)
 *
 * A Result belongs to its Evaluator (eval.h) and is overwritten by the
 * next eval_account call: writers read it before scoring the next account.
 * Indices name the Program's tables (check.h): persona i is
 * Program.personas[i], a grade is an index into Program.grade_names, a
 * segment case an index into that segment's cases, a step an index into
 * Program.steps. Members are numbered flat: dimension by dimension, each in
 * declaration order (MemberResult.dim / .index give the pair back). */
#ifndef KENKO_RESULT_H
#define KENKO_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/value.h"

/* How one persona's `when` came out for the account. */
typedef enum PersonaTry {
  PT_NOT_TRIED, /* an earlier persona matched */
  PT_FALSE,     /* the condition was false */
  PT_MISSING,   /* the condition was missing: counts as not matching */
  PT_MATCHED    /* true (or `otherwise`): the account's persona */
} PersonaTry;

typedef enum MemberStatus {
  MS_NA,    /* no score: the condition or expression was missing */
  MS_PASS,  /* rule: condition true (100) */
  MS_FAIL,  /* rule: condition false (0) */
  MS_SCORED /* score or bands: a 0..100 score */
} MemberStatus;

typedef enum FlagStatus {
  FLAG_OFF,    /* condition false */
  FLAG_RAISED, /* condition true */
  FLAG_UNKNOWN /* condition missing: not raised */
} FlagStatus;

typedef enum StepStatus {
  STEP_FAIL,   /* condition false */
  STEP_PASS,   /* condition true */
  STEP_UNKNOWN /* condition missing: not passed, shown as unknown */
} StepStatus;

/* One name an expression references, for explanations. */
typedef struct ExplainRef {
  uint8_t kind;  /* RefKind (check.h) */
  int32_t index; /* as on the expression node */
  int32_t sub;
  const char *name; /* display text: "seat_ratio", "utilization.grade",
                       "flagged(renewal_risk)", "as_of" */
} ExplainRef;

/* The distinct names an expression references, in order of first use.
 * List inputs used by aggregates appear as the list input; element fields
 * inside `where` and symbol constants do not appear. */
typedef struct RefList {
  const ExplainRef *refs;
  int32_t count;
  bool default_thresholds; /* persona conditions: thresholds take their
                              default (not the persona's) values */
} RefList;

typedef struct MemberResult {
  int32_t dim;      /* dimension index */
  int32_t index;    /* member index within the dimension */
  bool na;          /* N/A: excluded from the roll-up */
  uint8_t status;   /* MemberStatus */
  uint8_t why;      /* MissingWhy when na */
  int32_t band;     /* bands: the band that gave the score, else -1 */
  double score;     /* 0..100; NAN when na */
  double weight;    /* wᵢ in effect for the account's persona */
  double effective; /* share of the health it carries:
                       (W_d/ΣW)·(wᵢ/Σw_d) over what is in effect;
                       0 when N/A, in an excluded or N/A dimension,
                       or when the health is missing */
  double lost;      /* health points lost: effective · (100 − score) */
} MemberResult;

typedef struct DimResult {
  bool na;               /* every member N/A (or zero weight) */
  bool excluded;         /* weight 0 for this persona: reported, not rolled up */
  double score;          /* 0..100; NAN when na */
  int32_t grade;         /* grade index, or -1 (na, or no grades block) */
  int32_t grade_set;     /* the GradeSet used, or -1 */
  double weight;         /* W_d in effect for the account's persona */
  double effective;      /* W_d/ΣW over the dimensions rolled up; 0 if not */
  MemberResult *members; /* into Result.members */
  int32_t nmembers;
} DimResult;

typedef struct Result {
  int32_t as_of;          /* days since 1970-01-01 */
  int32_t persona;        /* index, or -1: no persona matched (defaults) */
  uint8_t *persona_tried; /* PersonaTry per persona */
  int32_t npersonas;
  int32_t *segments; /* per segment: the case index, or -1 */
  int32_t nsegments;
  bool health_na;    /* no dimension could be rolled up */
  double health;     /* 0..100; NAN when health_na */
  int32_t grade;     /* grade index, or -1 */
  int32_t grade_set; /* GradeSet used for the health, or -1 */
  double coverage;   /* 0..1: share of the health weight that had data
                        (NAN unless detailed) */
  DimResult *dims;
  int32_t ndims;
  MemberResult *members; /* flat, dimension by dimension */
  int32_t nmembers;
  uint8_t *flags; /* FlagStatus per flag */
  int32_t nflags;
  uint8_t *steps; /* StepStatus per journey step */
  int32_t nsteps;
  int32_t bottleneck; /* first step not passed, or -1 */
  bool detailed;      /* coverage and every member's weight, effective
                         weight and lost points are filled (EVAL_DETAILS);
                         when false they are stale: left unread */
} Result;

#endif
