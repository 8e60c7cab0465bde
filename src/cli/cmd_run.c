/* cmd_run.c — `kenko run` and `kenko explain`: options, then kenko_run,
 * then the summary line on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "cli/cli.h"

/* Options shared by run and explain. Returns 0, or KENKO_ERR_USAGE. */
typedef struct RunArgs {
  const char *rules;
  const char **data;
  int ndata;
  const char *output; /* --output FILE, or NULL: standard output */
  kenko_run_opts opts;
} RunArgs;

static int parse_run_args(Cli *cli, int argc, char **argv, RunArgs *ra, bool explain_cmd) {
  memset(ra, 0, sizeof *ra);
  ra->data = calloc((size_t)argc + 2, sizeof *ra->data);
  ra->opts.format = explain_cmd ? KENKO_FORMAT_TEXT : KENKO_FORMAT_TEXT;
  const char *v;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int taken;
    if ((taken = cli_data_option(cli, argc, argv, &i, &ra->opts)) != 0) {
      if (taken == KENKO_ERR_USAGE) return KENKO_ERR_USAGE;
    } else if (!explain_cmd && (taken = cli_csv_option(cli, argc, argv, &i, &ra->opts)) != 0) {
      if (taken == KENKO_ERR_USAGE) return KENKO_ERR_USAGE;
    } else if (!explain_cmd && (v = cli_opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "jsonl") == 0)
        ra->opts.format = KENKO_FORMAT_JSONL;
      else if (strcmp(v, "csv") == 0)
        ra->opts.format = KENKO_FORMAT_CSV;
      else if (strcmp(v, "text") == 0)
        ra->opts.format = KENKO_FORMAT_TEXT;
      else if (strcmp(v, "xlsx") == 0)
        ra->opts.format = KENKO_FORMAT_XLSX;
      else
        return cli_usage_error(cli, "`--format` takes jsonl, csv, text or xlsx, found `%s`", v);
    } else if ((v = cli_opt_value(argc, argv, &i, "--output"))) {
      if (!*v) return cli_usage_error(cli, "`--output` needs a file name (`-`: standard output)");
      ra->output = v;
    } else if (!explain_cmd && strcmp(a, "--excel-safe") == 0) {
      ra->opts.excel_safe = true;
    } else if (!explain_cmd && strcmp(a, "--explain") == 0) {
      ra->opts.explain = true;
    } else if (explain_cmd && (v = cli_opt_value(argc, argv, &i, "--account"))) {
      if (!*v) return cli_usage_error(cli, "`--account` needs an account id");
      ra->opts.account = v;
    } else if (cli_rules_or_data(cli, explain_cmd ? "explain" : "run", a, &ra->rules, ra->data, &ra->ndata)) {
      return KENKO_ERR_USAGE;
    }
  }
  if (!ra->rules || ra->ndata == 0)
    return cli_usage_error(
        cli, explain_cmd
                 ? "usage: kenko explain RULES DATA... --account ID [--as-of D] [--output FILE]"
                 : "usage: kenko run RULES DATA... [--as-of D] [--format jsonl|csv|text|xlsx] [--explain] "
                   "[--output FILE]");
  if (explain_cmd && !ra->opts.account) return cli_usage_error(cli, "`kenko explain` needs `--account ID`");
  if (ra->opts.excel_safe && ra->opts.format != KENKO_FORMAT_CSV)
    return cli_usage_error(cli, "`--excel-safe` is for `--format csv`");
  if (ra->opts.format == KENKO_FORMAT_XLSX && ra->opts.explain)
    return cli_usage_error(cli, "`--explain` is for jsonl and csv, not `--format xlsx`");
  if (ra->opts.format == KENKO_FORMAT_XLSX && !ra->output) return cli_xlsx_needs_output(cli);
  return cli_csv_options_check(cli, &ra->opts);
}

static int score_run(const kenko_rules *rules, const char *const *data, int ndata, const void *opts,
                     FILE *out, kenko_run_stats *stats) {
  return kenko_run(rules, data, ndata, opts, out, stats);
}

static int run_or_explain(Cli *cli, int argc, char **argv, bool explain_cmd) {
  RunArgs ra;
  int rc = parse_run_args(cli, argc, argv, &ra, explain_cmd);
  if (rc) {
    free(ra.data);
    return rc;
  }
  ra.data[ra.ndata] = ra.rules; /* the inputs: data files and rules */
  FILE *out = cli_output(cli, "--output", ra.output, ra.data, ra.ndata + 1, cli->out);
  ra.opts.what_if = explain_cmd;
  CliScoring how = {.score = score_run,
                    .color = ra.opts.format == KENKO_FORMAT_TEXT,
                    .progress = !explain_cmd,
                    .summary = explain_cmd ? CLI_SUMMARY_NONE : CLI_SUMMARY_ACCOUNTS};
  kenko_run_stats stats;
  int status = cli_score(cli, out ? 0 : KENKO_ERR_USAGE, &how, ra.rules, ra.data, ra.ndata, &ra.opts,
                         &ra.opts, out, &stats);
  bool scored = status != KENKO_ERR_USAGE && status != KENKO_ERR_RULES;
  if (explain_cmd && scored && !stats.found && !stats.found_rejected) {
    fprintf(stderr, _("kenko: error: no account \"%s\" in the data\n"), ra.opts.account);
    status = KENKO_ERR_USAGE;
  }
  free(ra.data);
  return status;
}

int cmd_run(Cli *cli, int argc, char **argv) { return run_or_explain(cli, argc, argv, false); }

int cmd_explain(Cli *cli, int argc, char **argv) { return run_or_explain(cli, argc, argv, true); }
