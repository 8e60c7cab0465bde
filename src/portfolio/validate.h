/* validate.h — `kenko validate` (validate.c): does the health score
 * predict the bad outcome? Outcome rate per grade with Wilson intervals,
 * the exact AUC of the health, of each dimension and per persona, and
 * each rule member's lift. docs/validate.md describes every figure. */
#ifndef KENKO_VALIDATE_H
#define KENKO_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kenko.h"
#include "front/program.h"
#include "engine/compile.h"

/* Groups of fewer accounts than this are marked small. */
enum { VALIDATE_SMALL = 30 };

/* Scores the accounts and writes the validation (text, or JSON with
 * opts->json) to OUT. Returns KENKO_OK, KENKO_ERR_DATA (some accounts
 * rejected; the figures are over the others), KENKO_ERR_USAGE (no
 * outcome, a bad --outcome, an unreadable data file: nothing written) or
 * KENKO_ERR_RULES. */
int validate_program(const CProgram *cp, const char *const *data, int ndata, const kenko_validate_opts *opts,
                     FILE *out, kenko_run_stats *stats);

/* Sorts X ascending (finite doubles; radix sort on the bits). */
void validate_sort_scores(double *x, size_t n);

/* The AUC of two sorted lists: the chance that a random score of
 * WITHOUT (accounts without the bad outcome) is higher than a random one
 * of WITH, ties counting half — the Mann–Whitney U over both sizes,
 * counted exactly by merging. NAN when either list is empty. */
double validate_auc(const double *without, size_t nwithout, const double *with, size_t nwith);

/* The 95% Wilson score interval of K successes in N trials (both NAN
 * when N is 0). */
void validate_wilson(uint64_t k, uint64_t n, double *low, double *high);

#endif
