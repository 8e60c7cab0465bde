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
    } else if (a[0] == '-' && a[1] != '\0') {
      rc = cli_usage_error(cli, "unknown option `%s` for `kenko validate`", a);
    } else if (!rules_path) {
      rules_path = a;
    } else {
      data[ndata++] = a;
    }
  }
  if (rc == 0 && (!rules_path || ndata == 0)) rc = cli_usage_error(cli, "%s", validate_usage);
  data[ndata] = rules_path; /* the inputs: data files and rules */
  if (rc == 0) rc = cli_check_output(cli, "--output", output, data, ndata + 1);
  FILE *out = rc == 0 && output ? cli_open_output(cli, "--output", output) : cli->out;
  if (rc == 0 && !out) rc = KENKO_ERR_USAGE;
  if (rc) {
    free(data);
    return rc;
  }
  kenko_load_opts lo = cli_load_opts(cli);
  int status;
  kenko_rules *rules = cli_load(cli, rules_path, &lo, &status);
  if (!rules) {
    free(data);
    return status;
  }
  cli_run_opts(cli, &opts.run, true);
  kenko_run_stats stats;
  status = kenko_validate(rules, data, ndata, &opts, out, &stats);
  /* --horizon scores every snapshot (like history): the summary counts
   * records, and no account is "seen only earlier" */
  if (cli_run_tail(&opts.run, out, &stats, status)) {
    if (opts.horizon)
      cli_snapshots_summary(&stats);
    else
      cli_print_summary(&stats);
  }
  kenko_rules_free(rules);
  free(data);
  return status;
}
