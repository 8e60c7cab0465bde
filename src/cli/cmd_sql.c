/* cmd_sql.c — `kenko sql RULES [--dialect postgres|duckdb] [--table NAME]
 * [--as-of D] [--explain] [--kpis] [--output FILE]`: the query, from kenko_sql. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_sql(Cli *cli, int argc, char **argv) {
  const char *rules_path = NULL, *output = NULL, *v;
  kenko_sql_opts so;
  memset(&so, 0, sizeof so);
  for (int i = 0; i < argc; i++) {
    int taken = cli_rules_option(cli, argc, argv, &i);
    if (taken == KENKO_ERR_USAGE) return taken;
    if (taken) continue;
    if ((v = cli_opt_value(argc, argv, &i, "--dialect"))) {
      if (strcmp(v, "postgres") != 0 && strcmp(v, "duckdb") != 0)
        return cli_usage_error(cli, "`--dialect` takes postgres or duckdb, found `%s`", v);
      so.dialect = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--table"))) {
      if (!*v) return cli_usage_error(cli, "`--table` needs a table name");
      so.table = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--as-of"))) {
      if (!*v) return cli_usage_error(cli, "`--as-of` needs a date YYYY-MM-DD");
      so.as_of = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--output"))) {
      if (!*v) return cli_usage_error(cli, "`--output` needs a file name (`-`: standard output)");
      output = v;
    } else if (strcmp(argv[i], "--schema") == 0) {
      so.schema = true;
    } else if (strcmp(argv[i], "--explain") == 0) {
      so.explain = true;
    } else if (strcmp(argv[i], "--kpis") == 0) {
      so.kpis = true;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error(cli, "unknown option `%s` for `kenko sql`", argv[i]);
    } else if (!rules_path) {
      rules_path = argv[i];
    } else {
      return cli_usage_error(cli, "`kenko sql` takes one rule file (found `%s` too)", argv[i]);
    }
  }
  if (!rules_path)
    return cli_usage_error(
        cli,
        "usage: kenko sql RULES [--dialect postgres|duckdb] [--table NAME] [--as-of D] [--explain] [--kpis]");
  if (so.kpis && so.explain)
    return cli_usage_error(cli, "`--kpis` and `--explain` cannot be used together: the KPIs' query has no "
                                "members column");
  const char *inputs[1] = {rules_path};
  if (cli_check_output(cli, "--output", output, inputs, 1)) return KENKO_ERR_USAGE;
  FILE *out = output ? cli_open_output(cli, "--output", output) : cli->out;
  if (!out) return KENKO_ERR_USAGE;
  kenko_load_opts lo = cli_load_opts(cli);
  int status = KENKO_OK;
  kenko_rules *rules = cli_load(cli, rules_path, &lo, &status);
  if (!rules) return status;
  so.diag = lo.diag;
  so.diag_ud = lo.diag_ud;
  so.color = lo.color;
  status = kenko_sql(rules, &so, out);
  kenko_rules_free(rules);
  return status;
}
