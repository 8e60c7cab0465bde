/* test_validate.c — the statistics of validate.c (sorting, exact AUC with
 * ties, Wilson intervals) and the rule-file reader hook
 * (kenko_load_opts.read_file) that `kenko diff --git` uses, with the
 * paths it is asked for (kenko_normalize_path). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kenko.h"
#include "portfolio/validate.h"

/* ---- sorting ----------------------------------------------------------- */

Test(validate, sort_scores_orders_doubles) {
  double x[] = {50, 0, 100, 33.333333333333336, 33.33333333333333, -0.0, 1e-300, 99.99999999999999, 50};
  size_t n = sizeof x / sizeof *x;
  validate_sort_scores(x, n);
  for (size_t i = 1; i < n; i++)
    cr_assert(x[i - 1] <= x[i], "x[%zu] = %.17g > x[%zu] = %.17g", i - 1, x[i - 1], i, x[i]);
  cr_assert_eq(x[n - 1], 100);
  cr_assert_eq(x[n - 2], 99.99999999999999);
}

Test(validate, sort_scores_matches_qsort_on_many) {
  enum { N = 5000 };
  double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
  uint64_t s = 12345;
  for (int i = 0; i < N; i++) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    x[i] = (double)(s >> 11) / (double)(1ull << 53) * 100;
    if (i % 7 == 0) x[i] = (double)(i % 5) * 25; /* many ties */
  }
  memcpy(y, x, N * sizeof *x);
  validate_sort_scores(x, N);
  for (int i = 1; i < N; i++)
    cr_assert(x[i - 1] <= x[i]);
  /* the same multiset: sums in sorted order match */
  double sx = 0, sy = 0;
  for (int i = 0; i < N; i++)
    sx += x[i];
  validate_sort_scores(y, N);
  for (int i = 0; i < N; i++)
    sy += y[i];
  cr_assert_eq(sx, sy);
  free(x);
  free(y);
}

/* ---- AUC ----------------------------------------------------------------- */

Test(validate, auc_perfect_and_reversed) {
  double without[] = {60, 70, 80}, with[] = {10, 20};
  cr_assert_eq(validate_auc(without, 3, with, 2), 1.0);
  cr_assert_eq(validate_auc(with, 2, without, 3), 0.0);
}

Test(validate, auc_ties_count_half) {
  double same[] = {50, 50};
  cr_assert_eq(validate_auc(same, 2, same, 2), 0.5);
  /* validate_basic's health: 14.5 / 24 */
  double without[] = {20, 25, 45, 60, 85, 100}, with[] = {15, 45, 55, 70};
  cr_assert_float_eq(validate_auc(without, 6, with, 4), 14.5 / 24, 1e-15);
}

Test(validate, auc_undefined_without_both_sides) {
  double x[] = {1, 2};
  cr_assert(isnan(validate_auc(x, 2, NULL, 0)));
  cr_assert(isnan(validate_auc(NULL, 0, x, 2)));
}

/* ---- Wilson -------------------------------------------------------------- */

Test(validate, wilson_known_values) {
  double low, high;
  validate_wilson(1, 3, &low, &high);
  cr_assert_float_eq(low, 0.06149194472039621, 1e-12);
  cr_assert_float_eq(high, 0.7923403991979522, 1e-12);
  validate_wilson(0, 21, &low, &high);
  cr_assert_eq(low, 0);
  cr_assert_float_eq(high, 3.841458820694124 / (21 + 3.841458820694124), 1e-12);
  validate_wilson(5, 5, &low, &high);
  cr_assert_eq(high, 1);
  validate_wilson(0, 0, &low, &high);
  cr_assert(isnan(low) && isnan(high));
}

/* ---- kenko_load_opts.read_file ------------------------------------------- */

typedef struct Files {
  const char *paths[4];
  const char *texts[4];
  char asked[8][64];
  int nasked;
} Files;

static char *read_from(void *ud, const char *path, size_t *len, const char **err) {
  Files *f = ud;
  if (f->nasked < 8) snprintf(f->asked[f->nasked++], sizeof f->asked[0], "%s", path);
  for (int i = 0; i < 4 && f->paths[i]; i++)
    if (strcmp(f->paths[i], path) == 0) {
      *len = strlen(f->texts[i]);
      char *copy = malloc(*len + 1);
      memcpy(copy, f->texts[i], *len + 1);
      return copy;
    }
  *err = "not in the test's files";
  return NULL;
}

static int errors_seen;
static char last_error[512];
static void count_diag(void *ud, const kenko_diag *d) {
  (void)ud;
  if (d->level == KENKO_ERROR) {
    errors_seen++;
    snprintf(last_error, sizeof last_error, "%s", d->message);
  }
}

Test(read_file, main_file_and_includes_come_from_the_hook) {
  Files f = {.paths = {"no/such/dir/main.kenko", "no/such/common/g.kenko"},
             .texts = {"include \"../common/./g.kenko\"\ninput x: number\ndimension d {\n  score s : x\n}\n",
                       "grades {\n  good >= 50\n  bad otherwise\n}\n"}};
  kenko_load_opts o = {0};
  o.diag = count_diag;
  o.read_file = read_from;
  o.read_ud = &f;
  o.include_root = "no/such/common"; /* "../common" is outside the main file's directory */
  errors_seen = 0;
  int status = -1;
  kenko_rules *r = kenko_load("no/such/dir/main.kenko", &o, &status);
  cr_assert_not_null(r, "load failed: %s", last_error);
  cr_assert_eq(status, KENKO_OK);
  cr_assert_eq(f.nasked, 2);
  cr_assert_str_eq(f.asked[0], "no/such/dir/main.kenko");
  /* relative to the including file, "." and "dir/.." taken out */
  cr_assert_str_eq(f.asked[1], "no/such/common/g.kenko");
  kenko_rules_free(r);
}

Test(read_file, unreadable_main_file_is_a_usage_error) {
  Files f = {0};
  kenko_load_opts o = {0};
  o.diag = count_diag;
  o.read_file = read_from;
  o.read_ud = &f;
  errors_seen = 0;
  int status = -1;
  kenko_rules *r = kenko_load("gone.kenko", &o, &status);
  cr_assert_null(r);
  cr_assert_eq(status, KENKO_ERR_USAGE);
  cr_assert_str_eq(last_error, "cannot read gone.kenko: not in the test's files");
}

Test(read_file, missing_include_and_self_include) {
  Files f = {
      .paths = {"a.kenko", "b.kenko"},
      .texts = {"include \"b.kenko\"\ninclude \"./a.kenko\"\ninput x: number\n", "include \"nope.kenko\"\n"}};
  kenko_load_opts o = {0};
  o.diag = count_diag;
  o.read_file = read_from;
  o.read_ud = &f;
  errors_seen = 0;
  int status = -1;
  kenko_rules *r = kenko_load("a.kenko", &o, &status);
  cr_assert_null(r);
  cr_assert_eq(status, KENKO_ERR_RULES);
  cr_assert_eq(errors_seen, 2); /* nope.kenko unreadable; a.kenko includes itself */
}

/* kenko_normalize_path: the path a read_file hook is asked for. */
static void normalized_is(const char *in, const char *want) {
  char *got = kenko_normalize_path(in);
  cr_expect_str_eq(got, want, "%s → %s, want %s", in, got, want);
  free(got);
}

Test(api, normalize_path) {
  normalized_is("rules/../common/./x.kenko", "common/x.kenko");
  normalized_is("a//b///c", "a/b/c");
  normalized_is("./a/./b/", "a/b");
  normalized_is("a/b/../../..", "..");
  normalized_is("../../x", "../../x");
  normalized_is("a/../../b", "../b");
  normalized_is("/a/../../b", "/b");
  normalized_is("/", "/");
  normalized_is("", ".");
  normalized_is(".", ".");
  normalized_is("a/..", ".");
}
