/* cli.h — the kenko command line: shared helpers of the subcommands.
 * The CLI is thin: it parses arguments, calls libkenko, and prints. */
#ifndef KENKO_CLI_H
#define KENKO_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "kenko.h"

typedef struct Cli {
  const char *prog;     /* argv[0] for messages */
  bool color_err;       /* stderr is a terminal and NO_COLOR is unset */
  bool color_out;       /* stdout likewise */
  int errors, warnings; /* diagnostics printed */
} Cli;

/* The kenko_diag_fn of the CLI: prints the rendered text to stderr. */
void cli_print_diag(void *ud, const kenko_diag *d);
kenko_load_opts cli_load_opts(Cli *cli);
/* "kenko: error: …" for usage errors; returns KENKO_ERR_USAGE. */
int cli_usage_error(Cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* options.c: the value of option ARGV[*i] (`--x V` or `--x=V`; "" when V
 * is absent), or NULL when ARGV[*i] is not NAME. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/* The data options (--as-of --input-format --delimiter --encoding --na
 * --thousands --strict) into OPTS: 1 when ARGV[*i] was one (*i moves past
 * its value), 0 when not, KENKO_ERR_USAGE for a bad value (printed). */
int cli_data_option(Cli *cli, int argc, char **argv, int *i, kenko_run_opts *opts);
/* The progress count on stderr (kenko_run_opts.progress). */
void cli_progress(void *ud, unsigned long long n);
/* The summary line on stderr: "N accounts scored, M rejected", and over
 * history ", K seen only in earlier snapshots". */
void cli_print_summary(const kenko_run_stats *stats);

int cmd_check(Cli *cli, int argc, char **argv);
int cmd_run(Cli *cli, int argc, char **argv);
int cmd_explain(Cli *cli, int argc, char **argv);
int cmd_test(Cli *cli, int argc, char **argv);
int cmd_validate(Cli *cli, int argc, char **argv);
int cmd_diff(Cli *cli, int argc, char **argv);
int cmd_report(Cli *cli, int argc, char **argv);

#endif
