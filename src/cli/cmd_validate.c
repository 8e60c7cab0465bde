/* cmd_validate.c — `kenko validate RULES DATA... [--outcome FIELD]
 * [--format text|json] [data options]`: options, then kenko_validate,
 * then the summary line on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char validate_usage[] = "usage: kenko validate RULES DATA... [--outcome FIELD] [--horizon DUR] "
                                     "[--format text|json] [--output FILE] [--as-of D] "
                                     "[data options]";

static int score_validate(const kenko_rules *rules, const char *const *data, int ndata, const void *opts,
                          FILE *out, kenko_run_stats *stats) {
  return kenko_validate(rules, data, ndata, opts, out, stats);
}

int cmd_validate(Cli *cli, int argc, char **argv) {
  const char *rules_path = NULL;
  const char **data = calloc((size_t)argc + 2, sizeof *data);
  int ndata = 0;
  const char *output = NULL;
  kenko_validate_opts opts;
  memset(&opts, 0, sizeof opts);
  int rc = 0;
  for (int i = 0; i < argc && rc == 0; i++) {
    const char *a = argv[i], *v;
    int taken = cli_data_option(cli, argc, argv, &i, &opts.run);
    if (taken == KENKO_ERR_USAGE) {
      rc = KENKO_ERR_USAGE;
    } else if (taken) {
      continue;
    } else if ((v = cli_opt_value(argc, argv, &i, "--outcome"))) {
      if (!*v) rc = cli_usage_error(cli, "`--outcome` needs the name of a bool input");
      opts.outcome = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--output"))) {
      if (!*v) rc = cli_usage_error(cli, "`--output` needs a file name (`-`: standard output)");
      output = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--horizon"))) {
      if (!*v) rc = cli_usage_error(cli, "`--horizon` needs a duration (180d, 26w, 6mo)");
      opts.horizon = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "json") == 0)
        opts.json = true;
      else if (strcmp(v, "text") == 0)
        opts.json = false;
      else
        rc = cli_usage_error(cli, "`--format` takes text or json for `kenko validate`, found `%s`", v);
    } else {
      rc = cli_rules_or_data(cli, "validate", a, &rules_path, data, &ndata);
    }
  }
  if (rc == 0 && (!rules_path || ndata == 0)) rc = cli_usage_error(cli, "%s", validate_usage);
  data[ndata] = rules_path; /* the inputs: data files and rules */
  FILE *out = rc == 0 ? cli_output(cli, "--output", output, data, ndata + 1, cli->out) : NULL;
  if (rc == 0 && !out) rc = KENKO_ERR_USAGE;
  /* --horizon scores every snapshot (like history): the summary counts
   * records, and no account is "seen only earlier" */
  /* --horizon scores every snapshot (like history): the summary counts
   * records, and no account is "seen only earlier" */
  CliScoring how = {.score = score_validate,
                    .progress = true,
                    .summary = opts.horizon ? CLI_SUMMARY_SNAPSHOTS : CLI_SUMMARY_ACCOUNTS};
  rc = cli_score(cli, rc, &how, rules_path, data, ndata, &opts, &opts.run, out, NULL);
  free(data);
  return rc;
}
