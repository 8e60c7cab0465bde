/* cli.h — the kenko command line: shared helpers of the subcommands.
 * The CLI is thin: it parses arguments, calls libkenko, and prints. */
#ifndef KENKO_CLI_H
#define KENKO_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "kenko.h"

enum { CLI_MAX_OUTS = 4 }; /* output streams of one run (output.c) */
typedef struct CliOut CliOut;

typedef struct Cli {
  const char *prog; /* argv[0] for messages */
  FILE *out;        /* standard output, through cli_stdout */
  CliOut *outs[CLI_MAX_OUTS];
  int nouts;
  struct CliRuleFile *rule_files; /* the rule files read (cli_load) */
  int nrule_files;
  bool color_err;           /* stderr is a terminal and NO_COLOR is unset */
  bool color_out;           /* stdout likewise */
  int errors, warnings;     /* diagnostics printed */
  const char *include_root; /* --include-root DIR, or NULL */
} Cli;

/* common.c: the kenko_diag_fn of the CLI: prints the rendered text to
 * stderr. */
void cli_print_diag(void *ud, const kenko_diag *d);
kenko_load_opts cli_load_opts(Cli *cli);
/* "kenko: error: …" for usage errors; returns KENKO_ERR_USAGE. */
int cli_usage_error(Cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The progress count on stderr (kenko_run_opts.progress). */
void cli_progress(void *ud, unsigned long long n);
/* The summary line on stderr: "N accounts scored, M rejected", and over
 * history ", K seen only in earlier snapshots". */
void cli_print_summary(const kenko_run_stats *stats);
/* A scoring run's options from the CLI: diagnostics through
 * cli_print_diag, and (when PROGRESS and stderr is a terminal) the
 * progress count. */
void cli_run_opts(Cli *cli, kenko_run_opts *o, bool progress);
/* After a scoring run: OUT (when not NULL) flushed, the progress line
 * cleared; true when the run got as far as scoring (STATUS neither a
 * usage nor a rule error), so that its summary is due. */
bool cli_run_tail(const kenko_run_opts *o, FILE *out, const kenko_run_stats *stats, int status);
/* The summary of a run over every snapshot (history, effect) on stderr:
 * "N records scored (accounts × snapshots) in K snapshots, M rejected". */
void cli_snapshots_summary(const kenko_run_stats *stats);

/* What a scoring command does once its options are read (cli_score): the
 * rules loaded (cli_load), the run's options set up (cli_run_opts), the
 * library called over the data, then cli_run_tail and, when the run got
 * as far as scoring, the summary line. */
typedef enum CliSummary {
  CLI_SUMMARY_NONE,      /* no summary line (explain) */
  CLI_SUMMARY_ACCOUNTS,  /* cli_print_summary */
  CLI_SUMMARY_SNAPSHOTS, /* cli_snapshots_summary */
} CliSummary;
/* How a command scores: the library call over loaded rules
 * (kenko_report, kenko_history, …, its OPTS the command's own options)
 * and what the command line adds around it. */
typedef struct CliScoring {
  int (*score)(const kenko_rules *rules, const char *const *data, int ndata, const void *opts, FILE *out,
               kenko_run_stats *stats);
  bool color;    /* the output may be coloured (when it is a terminal) */
  bool progress; /* the progress count on a terminal */
  CliSummary summary;
} CliScoring;
/* Scores DATA under the rules at RULES_PATH as HOW says, OPTS being the
 * command's options and RUN the run options inside them; OUT is where the
 * command writes (NULL: nowhere). Returns STATUS without loading anything
 * when it is not 0 (a usage error, already printed); else the exit status
 * of the load or of the run. STATS (zeroed first; may be NULL) gets the
 * run's figures. */
int cli_score(Cli *cli, int status, const CliScoring *how, const char *rules_path, const char *const *data,
              int ndata, const void *opts, kenko_run_opts *run, FILE *out, kenko_run_stats *stats);

/* options.c: the value of option ARGV[*i] (`--x V` or `--x=V`; "" when V
 * is absent), or NULL when ARGV[*i] is not NAME. */
const char *cli_opt_value(int argc, char **argv, int *i, const char *name);
/* The options of every command that loads rules (--include-root DIR)
 * into CLI: 1 when ARGV[*i] was one, 0 when not, KENKO_ERR_USAGE for a
 * bad value (printed). */
int cli_rules_option(Cli *cli, int argc, char **argv, int *i);
/* The rules options (cli_rules_option), then the data options (--as-of --input-format --delimiter --encoding
 * --na
 * --thousands --strict) into OPTS: 1 when ARGV[*i] was one (*i moves past
 * its value), 0 when not, KENKO_ERR_USAGE for a bad value (printed). */
int cli_data_option(Cli *cli, int argc, char **argv, int *i, kenko_run_opts *opts);
/* cli_data_option for a command that scores every snapshot as of its own
 * date (history, effect): `--as-of` is refused, NO_AS_OF (marked N_())
 * saying why. */
int cli_snapshots_data_option(Cli *cli, int argc, char **argv, int *i, kenko_run_opts *opts,
                              const char *no_as_of);
/* The CSV options for people (--bom --output-encoding --labels --digits)
 * into OPTS, as cli_data_option; cli_csv_options_check, once the format
 * is known: 0, or a usage error (printed) when one is given without
 * `--format csv` or they contradict each other. */
int cli_csv_option(Cli *cli, int argc, char **argv, int *i, kenko_run_opts *opts);
int cli_csv_options_check(Cli *cli, const kenko_run_opts *opts);
/* An option whose value is text that must not be empty, and where its
 * value goes; NEEDS is the usage error of an empty one (marked N_()). */
typedef struct CliText {
  const char *name;
  const char *needs;
  const char **value;
} CliText;
/* ARGV[*i] as one of TEXTS (ended by a NULL name): 1 when it was one
 * (*i moves past its value, which is stored), 0 when not,
 * KENKO_ERR_USAGE when its value is empty (its NEEDS printed). */
int cli_text_option(Cli *cli, int argc, char **argv, int *i, const CliText *texts);
/* An argument ARG that no option of command CMD took: an unknown option
 * (a usage error, printed: KENKO_ERR_USAGE), else the rules' path while
 * *RULES is NULL, else a data file appended to DATA; 0. */
int cli_rules_or_data(Cli *cli, const char *cmd, const char *arg, const char **rules, const char **data,
                      int *ndata);
/* The usage error of `--format xlsx` without `--output FILE`. */
int cli_xlsx_needs_output(Cli *cli);

/* output.c: at start-up, descriptors 0–2 opened on /dev/null where they
 * are closed (the wrong way round: using them fails with EBADF). */
void cli_std_fds(void);
/* Standard output as a stream whose failed writes are kept (the one to
 * hand the library and print to). */
FILE *cli_stdout(Cli *cli);
/* Refuses (a usage error, printed; returns KENKO_ERR_USAGE) when output
 * PATH of option OPT (NULL or "-": standard output) is one of INPUTS
 * (same device and inode); 0 otherwise. Call before opening anything. */
int cli_check_output(Cli *cli, const char *opt, const char *path, const char *const *inputs, int ninputs);
/* cli_check_output, then cli_open_output: output PATH of option OPT
 * checked against INPUTS and opened; DFLT when PATH is NULL. NULL after
 * printing why. */
FILE *cli_output(Cli *cli, const char *opt, const char *path, const char *const *inputs, int ninputs,
                 FILE *dflt);
/* kenko_load, and the rule files it read (includes too) are remembered:
 * cli_finish refuses to replace an output file that is one of them. */
kenko_rules *cli_load(Cli *cli, const char *path, const kenko_load_opts *opts, int *status);
/* Whether paths A and B name the same file (the same text, or the same
 * device and inode). */
bool cli_same_path(const char *a, const char *b);
/* Opens output PATH of option OPT ("-": standard output): a temporary file
 * beside it, renamed into place by cli_finish when the run succeeded.
 * NULL after printing why. */
FILE *cli_open_output(Cli *cli, const char *opt, const char *path);
/* Flushes and closes every output; a failed write or close is an error
 * naming the output and the reason, and the status becomes
 * KENKO_ERR_USAGE. Output files are renamed into place when STATUS is
 * KENKO_OK or KENKO_ERR_DATA and nothing failed, else removed. Returns the
 * exit status. */
int cli_finish(Cli *cli, int status);

/* help.c: the table of commands and their options (the one place an
 * option is declared: an option not in it is rejected before the command
 * runs), `kenko help`, did-you-mean for commands and options. */
typedef struct CliOption {
  const char *name; /* "--format", or "-w" */
  const char *arg;  /* what its value is ("FILE", "text|json"), NULL for a flag */
  const char *help; /* one line */
} CliOption;

enum {
  CLI_RULE_OPTS = 1,  /* takes the rule options (--include-root) */
  CLI_DATA_OPTS = 2,  /* takes the data options (--as-of, --encoding, …) */
  CLI_OUTPUT_OPT = 4, /* takes --output FILE */
  CLI_CSV_OPTS = 8,   /* takes the CSV options for people (--bom, --labels, …) */
  CLI_HELP_SHOWN = -1 /* cli_scan_options printed the help: exit 0 */
};

typedef struct CliCommand {
  const char *name, *synopsis, *summary;
  int groups;               /* CLI_*_OPTS */
  const CliOption *options; /* its own, ended by a NULL name */
  const char *example;
  int (*run)(Cli *cli, int argc, char **argv);
} CliCommand;

const CliCommand *cli_commands(void); /* ended by a NULL name */
const CliCommand *cli_find_command(const char *name);
/* The option ARG (`--x` or `--x=V`) names in C's table, or NULL. */
const CliOption *cli_find_option(const CliCommand *c, const char *arg);
void cli_print_usage(FILE *out);
void cli_print_help(FILE *out, const CliCommand *c);
/* Checks every option-like word of ARGV against C's table: 0, a usage
 * error (printed, with a suggestion), or CLI_HELP_SHOWN for --help/-h. */
int cli_scan_options(Cli *cli, const CliCommand *c, int argc, char **argv);
int cli_unknown_command(Cli *cli, const char *name);

int cmd_check(Cli *cli, int argc, char **argv);
int cmd_init(Cli *cli, int argc, char **argv);
int cmd_run(Cli *cli, int argc, char **argv);
int cmd_explain(Cli *cli, int argc, char **argv);
int cmd_test(Cli *cli, int argc, char **argv);
int cmd_validate(Cli *cli, int argc, char **argv);
int cmd_diff(Cli *cli, int argc, char **argv);
int cmd_report(Cli *cli, int argc, char **argv);
int cmd_fmt(Cli *cli, int argc, char **argv);
int cmd_lsp(Cli *cli, int argc, char **argv);
int cmd_sql(Cli *cli, int argc, char **argv);

/* udiff.c: a unified diff of A and B (3 lines of context) to OUT. */
void cli_unified_diff(FILE *out, const char *name_a, const char *a, size_t alen, const char *name_b,
                      const char *b, size_t blen);
int cmd_history(Cli *cli, int argc, char **argv);
int cmd_effect(Cli *cli, int argc, char **argv);

#endif
