/* diff.h — `kenko diff` (diff.c): two rule versions over the same data,
 * or one rule set over two data snapshots. docs/diff.md describes the
 * output. */
#ifndef KENKO_DIFF_H
#define KENKO_DIFF_H

#include <stdio.h>

#include "kenko.h"
#include "front/program.h"
#include "engine/compile.h"

/* Members listed for each account whose grade changed. */
enum { DIFF_TOP_MEMBERS = 3 };
/* Health moves within a grade listed by default (--min-change), in points. */
#define DIFF_MIN_CHANGE 5.0

/* Scores OLD over opts->old_data (when nold_data > 0) or DATA, and NEW
 * over DATA, and writes the comparison (text, or JSON with opts->json)
 * to OUT. Accounts are matched by their place in the data (same data) or
 * by key (two snapshots: both rule sets need a key input). Returns
 * KENKO_OK, KENKO_ERR_DATA (some accounts rejected), KENKO_ERR_USAGE
 * (nothing written) or KENKO_ERR_RULES. STATS: the accounts of the new
 * run, plus those of the old snapshot with --data. */
int diff_programs(const CProgram *old_cp, const CProgram *new_cp, const char *const *data, int ndata,
                  const kenko_diff_opts *opts, FILE *out, kenko_run_stats *stats);

#endif
