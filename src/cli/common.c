/* common.c — what the subcommands share besides their options: the
 * diagnostic callback, load options, usage errors, and a scoring run's
 * setup and tail (the progress count, the summary line), and the whole
 * load-score-summarise sequence of a scoring command (cli_score). */
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "base/i18n.h"
#include "cli/cli.h"

void cli_print_diag(void *ud, const kenko_diag *d) {
  Cli *cli = ud;
  if (d->level == KENKO_ERROR) cli->errors++;
  if (d->level == KENKO_WARNING) cli->warnings++;
  fputs(d->rendered, stderr);
}

kenko_load_opts cli_load_opts(Cli *cli) {
  kenko_load_opts o;
  memset(&o, 0, sizeof o);
  o.diag = cli_print_diag;
  o.diag_ud = cli;
  o.color = cli->color_err;
  o.include_root = cli->include_root;
  return o;
}

int cli_usage_error(Cli *cli, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: %s ", "kenko", _("error:"));
  vfprintf(stderr, _(fmt), ap);
  fprintf(stderr, "\n");
  va_end(ap);
  (void)cli;
  return KENKO_ERR_USAGE;
}

void cli_print_summary(const kenko_run_stats *stats) {
  fprintf(stderr,
          P_("%llu account scored, %llu rejected", "%llu accounts scored, %llu rejected", stats->scored),
          stats->scored, stats->rejected);
  if (stats->snapshots > 0) fprintf(stderr, _(", %llu seen only in earlier snapshots"), stats->earlier_only);
  fputc('\n', stderr);
}

void cli_progress(void *ud, unsigned long long n) {
  (void)ud;
  fputc('\r', stderr);
  fprintf(stderr, _("%llu accounts…"), n);
  fflush(stderr);
}

void cli_run_opts(Cli *cli, kenko_run_opts *o, bool progress) {
  o->diag = cli_print_diag;
  o->diag_ud = cli;
  o->diag_color = cli->color_err;
  if (progress && isatty(2)) o->progress = cli_progress;
  if (o->jobs == 0) { /* not given: every core */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
  }
}

bool cli_run_tail(const kenko_run_opts *o, FILE *out, const kenko_run_stats *stats, int status) {
  if (out) fflush(out);
  if (o->progress && stats->accounts >= 0x10000) fputs("\r\033[K", stderr);
  return status != KENKO_ERR_USAGE && status != KENKO_ERR_RULES;
}

void cli_snapshots_summary(const kenko_run_stats *stats) {
  fprintf(stderr,
          P_("%llu record scored (accounts × snapshots)", "%llu records scored (accounts × snapshots)",
             stats->scored),
          stats->scored);
  fprintf(stderr, P_(" in %llu snapshot", " in %llu snapshots", stats->snapshots), stats->snapshots);
  fprintf(stderr, _(", %llu rejected\n"), stats->rejected);
}

int cli_score(Cli *cli, int status, const CliScoring *how, const char *rules_path, const char *const *data,
              int ndata, const void *opts, kenko_run_opts *run, FILE *out, kenko_run_stats *stats) {
  kenko_run_stats own;
  if (!stats) stats = &own;
  memset(stats, 0, sizeof *stats);
  if (status != 0) return status;
  kenko_load_opts lo = cli_load_opts(cli);
  kenko_rules *rules = cli_load(cli, rules_path, &lo, &status);
  if (!rules) return status;
  run->color = how->color && cli->color_out && out == cli->out;
  cli_run_opts(cli, run, how->progress);
  status = how->score(rules, data, ndata, opts, out, stats);
  if (cli_run_tail(run, out, stats, status)) {
    if (how->summary == CLI_SUMMARY_ACCOUNTS) cli_print_summary(stats);
    if (how->summary == CLI_SUMMARY_SNAPSHOTS) cli_snapshots_summary(stats);
  }
  kenko_rules_free(rules);
  return status;
}
