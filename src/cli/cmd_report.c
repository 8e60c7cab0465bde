/* cmd_report.c — `kenko report RULES DATA... [--by persona|segment
 * NAME|input NAME] [--format text|json] [--html FILE] [--xlsx FILE] [data
 * options]`:
 * options, then kenko_report, then the summary line on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#define REPORT_USAGE                                                                                         \
  "usage: kenko report RULES DATA... [--by persona|segment NAME|input NAME] [--format text|json] [--html "   \
  "FILE] "                                                                                                   \
  "[--xlsx FILE] [--output FILE] [--as-of D]"

typedef struct ReportArgs {
  const char *rules;
  const char **data;
  int ndata;
  char *by;           /* malloc'ed: "persona", "segment NAME", "input NAME" */
  const char *html;   /* --html FILE ("-": standard output), or NULL */
  const char *xlsx;   /* --xlsx FILE ("-": standard output), or NULL */
  const char *output; /* --output FILE, or NULL: standard output */
  kenko_report_opts opts;
} ReportArgs;

/* `--by persona`, `--by segment NAME`, `--by input NAME` (NAME may also be
 * in the same argument: `--by "segment touch"`). */
static int parse_by(Cli *cli, int argc, char **argv, int *i, const char *v, ReportArgs *ra) {
  const char *name = NULL;
  size_t kind = strcspn(v, " ");
  if (v[kind] == ' ') {
    name = v + kind + 1;
  } else if ((strcmp(v, "segment") == 0 || strcmp(v, "input") == 0) && *i + 1 < argc &&
             argv[*i + 1][0] != '-') {
    name = argv[++*i];
  }
  bool persona = kind == 7 && strncmp(v, "persona", 7) == 0;
  bool named = (kind == 7 && strncmp(v, "segment", 7) == 0) || (kind == 5 && strncmp(v, "input", 5) == 0);
  if (persona && !name) {
    free(ra->by);
    ra->by = strdup("persona");
    return 0;
  }
  if (named && !name)
    return cli_usage_error(cli, "`--by %.*s` needs a%s name: `--by %.*s NAME`", (int)kind, v,
                           v[0] == 'i' ? "n input" : " segment", (int)kind, v);
  if (!named || !*name)
    return cli_usage_error(cli, "`--by` takes persona, segment NAME or input NAME, found `%s`", v);
  free(ra->by);
  size_t n = kind + strlen(name) + 2;
  ra->by = malloc(n);
  snprintf(ra->by, n, "%.*s %s", (int)kind, v, name);
  return 0;
}

static int parse_report_args(Cli *cli, int argc, char **argv, ReportArgs *ra) {
  ra->data = calloc((size_t)argc + 2, sizeof *ra->data);
  const char *v;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int taken;
    if ((taken = cli_data_option(cli, argc, argv, &i, &ra->opts.run)) != 0) {
      if (taken == KENKO_ERR_USAGE) return KENKO_ERR_USAGE;
    } else if ((v = cli_opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "json") == 0)
        ra->opts.json = true;
      else if (strcmp(v, "text") == 0)
        ra->opts.json = false;
      else
        return cli_usage_error(cli, "`--format` takes text or json, found `%s`", v);
    } else if ((v = cli_opt_value(argc, argv, &i, "--html"))) {
      if (!*v) return cli_usage_error(cli, "`--html` needs a file name (`-`: standard output)");
      ra->html = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--xlsx"))) {
      if (!*v) return cli_usage_error(cli, "`--xlsx` needs a file name (`-`: standard output)");
      ra->xlsx = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--output"))) {
      if (!*v) return cli_usage_error(cli, "`--output` needs a file name (`-`: standard output)");
      ra->output = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--by"))) {
      if (!*v) return cli_usage_error(cli, "`--by` takes persona, segment NAME or input NAME");
      if (parse_by(cli, argc, argv, &i, v, ra)) return KENKO_ERR_USAGE;
    } else if (cli_rules_or_data(cli, "report", a, &ra->rules, ra->data, &ra->ndata)) {
      return KENKO_ERR_USAGE;
    }
  }
  if (!ra->rules || ra->ndata == 0) return cli_usage_error(cli, REPORT_USAGE);
  ra->opts.by = ra->by;
  return 0;
}

/* The report's outputs: the text or JSON report to --output (standard
 * output by default), the HTML to --html and the workbook to --xlsx. With
 * `--html -` or `--xlsx -` that one takes standard output and the text
 * report is written only when --output names a file. Returns 0, or
 * KENKO_ERR_USAGE after saying why. */
static int open_report_outputs(Cli *cli, ReportArgs *ra, FILE **out) {
  bool html_stdout = ra->html && strcmp(ra->html, "-") == 0;
  bool xlsx_stdout = ra->xlsx && strcmp(ra->xlsx, "-") == 0;
  bool out_stdout = !ra->output || strcmp(ra->output, "-") == 0;
  if (html_stdout && xlsx_stdout)
    return cli_usage_error(cli, "`--html -` and `--xlsx -` cannot both be standard output");
  if ((html_stdout || xlsx_stdout) && ra->output && out_stdout)
    return cli_usage_error(cli, "`--%s -` and `--output -` cannot both be standard output",
                           html_stdout ? "html" : "xlsx");
  ra->data[ra->ndata] = ra->rules; /* the inputs: data files and rules */
  int n = ra->ndata + 1;
  if (cli_check_output(cli, "--output", ra->output, ra->data, n) ||
      (ra->html && cli_check_output(cli, "--html", ra->html, ra->data, n)) ||
      (ra->xlsx && cli_check_output(cli, "--xlsx", ra->xlsx, ra->data, n)))
    return KENKO_ERR_USAGE;
  /* two options naming one file */
  const char *names[3] = {html_stdout ? NULL : ra->html, xlsx_stdout ? NULL : ra->xlsx,
                          out_stdout ? NULL : ra->output};
  static const char *const opts[3] = {"--html", "--xlsx", "--output"};
  for (int a = 0; a < 3; a++)
    for (int b = a + 1; b < 3; b++)
      if (names[a] && names[b] && cli_same_path(names[a], names[b]))
        return cli_usage_error(cli, "`%s` and `%s` name the same file `%s`", opts[a], opts[b], names[b]);
  *out = NULL;
  if (!(html_stdout || xlsx_stdout) || !out_stdout) {
    *out = out_stdout ? cli->out : cli_open_output(cli, "--output", ra->output);
    if (!*out) return KENKO_ERR_USAGE;
  }
  if (ra->html) {
    ra->opts.html = cli_open_output(cli, "--html", ra->html);
    if (!ra->opts.html) return KENKO_ERR_USAGE;
  }
  if (ra->xlsx) {
    ra->opts.xlsx = cli_open_output(cli, "--xlsx", ra->xlsx);
    if (!ra->opts.xlsx) return KENKO_ERR_USAGE;
  }
  return 0;
}

static int score_report(const kenko_rules *rules, const char *const *data, int ndata, const void *opts,
                        FILE *out, kenko_run_stats *stats) {
  return kenko_report(rules, data, ndata, opts, out, stats);
}

int cmd_report(Cli *cli, int argc, char **argv) {
  ReportArgs ra;
  memset(&ra, 0, sizeof ra);
  int status = parse_report_args(cli, argc, argv, &ra);
  FILE *out = NULL;
  if (status == 0) status = open_report_outputs(cli, &ra, &out);
  CliScoring how = {
      .score = score_report, .color = !ra.opts.json, .progress = true, .summary = CLI_SUMMARY_ACCOUNTS};
  status = cli_score(cli, status, &how, ra.rules, ra.data, ra.ndata, &ra.opts, &ra.opts.run, out, NULL);
  free(ra.by);
  free(ra.data);
  return status;
}
