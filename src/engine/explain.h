/* explain.h — the explanation of one scored account, as data: the values
 * every expression referenced, why each N/A member is N/A, the personas
 * tried with their values, the drivers, and what would change the grade.
 *
 * An Explainer reads its Evaluator's last account (eval.h) and fills an
 * Explanation; the writers only format it (they never evaluate). It
 * borrows the compiled program and the evaluator, which must outlive it. */
#ifndef KENKO_EXPLAIN_H
#define KENKO_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/compile.h"
#include "engine/eval.h"
#include "engine/result.h"
#include "base/value.h"

/* How "what would change the grade" came out. */
typedef enum WhatIfStatus {
  WI_NONE,       /* not asked for */
  WI_NO_GRADES,  /* the health has no grades: nothing to change */
  WI_NO_HEALTH,  /* the health is n/a: no dimension has data */
  WI_BEST_GRADE, /* already the best grade */
  WI_REACHABLE,  /* members[] at their best reach the next grade */
  WI_UNREACHABLE /* no set of members can: every one at its best falls
                    short */
} WhatIfStatus;

/* One member of the set: raised from FROM (NAN: n/a) to TO. */
typedef struct WhatIfMember {
  int32_t member; /* flat index */
  double from;    /* its score now, NAN when n/a */
  double to;      /* the best score it can have: 100, or for bands the
                     highest band value */
  double gain;    /* health points it gives alone */
} WhatIfMember;

/* The smallest set of members (fewest members, then fewest points moved:
 * Σ(to − from), an n/a member counting from 0) whose improvement to their
 * best score lifts the health to the next grade's bound; docs/cli.md. */
typedef struct WhatIf {
  uint8_t status;     /* WhatIfStatus */
  int32_t next_grade; /* the grade one above, or -1 */
  double bound;       /* its lower bound */
  double away;        /* bound − health */
  WhatIfMember *members;
  int32_t nmembers;
  double points; /* points moved: Σ(to − from) over the set */
  double health; /* the health with the set at its best (WI_UNREACHABLE:
                    with every member that can rise at its best) */
  int32_t grade; /* the grade of that health */
  bool searched; /* false: the search for a smaller or cheaper set
                    stopped at its step limit (EXPLAIN_SEARCH_MAX); the
                    set still reaches the grade */
} WhatIf;

/* The search for the set stops after this many steps (sets tried), and
 * is not tried for sets of more members than EXPLAIN_SET_MAX. */
#define EXPLAIN_SEARCH_MAX 200000
#define EXPLAIN_SET_MAX    256

typedef struct Explanation {
  /* the names each expression references (fixed by the rules) */
  const RefList *member_refs;  /* per member (flat) */
  const RefList *persona_refs; /* per persona (default thresholds) */
  const RefList *flag_refs;    /* per flag */
  const RefList *step_refs;    /* per journey step */
  /* their values for the account, one per name (in the evaluator's
     slots, or copies) */
  const Value **member_values;
  int32_t *missing_ref;         /* per member: N/A members, the first
                                   referenced value that is missing, or -1
                                   (e.g. division by zero inside) */
  const Value **persona_values; /* personas with a condition, tried or
                                   not (thresholds at their defaults) */
  const Value **flag_values;    /* raised flags; NULL for the others */
  const Value **step_values;
  int32_t *drivers;     /* every member (flat index), by lost points, largest
                           first, ties in declaration order */
  int32_t *trend_dates; /* per Program.trend_calls: the date of the
                           snapshot its value came from (a REF_TREND
                           reference's index), INT32_MIN when none */
  WhatIf what_if;
} Explanation;

typedef struct Explainer Explainer;

Explainer *explain_new(const CProgram *cp);
void explain_free(Explainer *x);

/* The explanation X fills (the same object for every account): its names
 * are set from the start, its values by explain_account. */
const Explanation *explain_names(const Explainer *x);

/* Explains R, EV's last account (scored at EVAL_DETAILS): values,
 * reasons, drivers, and when WHAT_IF what would change the grade. Valid
 * until the next call, and until EV scores another account (a list of
 * values EV keeps one after the other is read where EV keeps it). */
const Explanation *explain_account(Explainer *x, const Evaluator *ev, const Result *r, bool what_if);

#endif
