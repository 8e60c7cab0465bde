/* cmd_history.c — `kenko history RULES DATA... [--format text|jsonl|csv]
 * [--html FILE] [--account ID] [--from D] [--to D] [data options]`:
 * options, then kenko_history, then the summary line on stderr. The text,
 * jsonl or csv goes to standard output, the page to --html (`--html -`:
 * the page takes standard output and nothing else is written there). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/i18n.h"
#include "cli/cli.h"

static const char history_usage[] = "usage: kenko history RULES DATA... [--format text|jsonl|csv|xlsx] "
                                    "[--html FILE] [--account ID] [--from D] "
                                    "[--to D] [--kpis] [--output FILE] [data options]";

/* The options into OPTS, the rules' path into *RULES and the data files
 * into DATA; 0, or KENKO_ERR_USAGE after printing why. */
static int parse_history_args(Cli *cli, int argc, char **argv, kenko_history_opts *opts, const char **rules,
                              const char **data, int *ndata, const char **html, const char **output) {
  const CliText texts[] = {{"--output", N_("`--output` needs a file name (`-`: standard output)"), output},
                           {"--html", N_("`--html` needs a file name (`-`: standard output)"), html},
                           {"--account", N_("`--account` needs an account id"), &opts->account},
                           {"--from", N_("`--from` needs a date YYYY-MM-DD"), &opts->from},
                           {"--to", N_("`--to` needs a date YYYY-MM-DD"), &opts->to},
                           {NULL, NULL, NULL}};
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    int taken;
    if ((taken = cli_snapshots_data_option(cli, argc, argv, &i, &opts->run,
                                           N_("`kenko history` scores every snapshot as of its own date; to "
                                              "stop at a date use `--to D`"))) != 0 ||
        (taken = cli_csv_option(cli, argc, argv, &i, &opts->run)) != 0 ||
        (taken = cli_text_option(cli, argc, argv, &i, texts)) != 0) {
      if (taken == KENKO_ERR_USAGE) return KENKO_ERR_USAGE;
    } else if ((v = cli_opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "text") == 0)
        opts->run.format = KENKO_FORMAT_TEXT;
      else if (strcmp(v, "jsonl") == 0)
        opts->run.format = KENKO_FORMAT_JSONL;
      else if (strcmp(v, "csv") == 0)
        opts->run.format = KENKO_FORMAT_CSV;
      else if (strcmp(v, "xlsx") == 0)
        opts->run.format = KENKO_FORMAT_XLSX;
      else
        return cli_usage_error(
            cli, "`--format` takes text, jsonl, csv or xlsx for `kenko history`, found `%s`", v);
    } else if (strcmp(a, "--kpis") == 0) {
      opts->kpis = true;
    } else if (strcmp(a, "--excel-safe") == 0) {
      opts->run.excel_safe = true;
    } else if (cli_rules_or_data(cli, "history", a, rules, data, ndata)) {
      return KENKO_ERR_USAGE;
    }
  }
  if (!*rules || *ndata == 0) return cli_usage_error(cli, "%s", history_usage);
  if (opts->run.excel_safe && opts->run.format != KENKO_FORMAT_CSV)
    return cli_usage_error(cli, "`--excel-safe` is for `--format csv`");
  if (opts->run.format == KENKO_FORMAT_XLSX && !*output) return cli_xlsx_needs_output(cli);
  if (*html && *output && strcmp(*html, "-") == 0 && strcmp(*output, "-") == 0)
    return cli_usage_error(cli,
                           "`--html -` and `--output -` both ask for standard output: name a file for one");
  return cli_csv_options_check(cli, &opts->run);
}

static int score_history(const kenko_rules *rules, const char *const *data, int ndata, const void *opts,
                         FILE *out, kenko_run_stats *stats) {
  return kenko_history(rules, data, ndata, opts, out, stats);
}
static const CliScoring history_scoring = {
    .score = score_history, .color = true, .progress = true, .summary = CLI_SUMMARY_SNAPSHOTS};

int cmd_history(Cli *cli, int argc, char **argv) {
  const char *rules_path = NULL, *html = NULL, *output = NULL;
  const char **data = calloc((size_t)argc + 2, sizeof *data);
  int ndata = 0;
  kenko_history_opts opts;
  memset(&opts, 0, sizeof opts);
  int status = parse_history_args(cli, argc, argv, &opts, &rules_path, data, &ndata, &html, &output);
  FILE *out = cli->out;
  data[ndata] = rules_path; /* the inputs the outputs must not overwrite */
  if (status == 0 && html) {
    if (!(opts.html = cli_output(cli, "--html", html, data, ndata + 1, NULL))) status = KENKO_ERR_USAGE;
    if (strcmp(html, "-") == 0) out = NULL;
  }
  if (status == 0 && output && !(out = cli_output(cli, "--output", output, data, ndata + 1, NULL)))
    status = KENKO_ERR_USAGE;
  status = cli_score(cli, status, &history_scoring, rules_path, data, ndata, &opts, &opts.run, out, NULL);
  free(data);
  return status;
}
