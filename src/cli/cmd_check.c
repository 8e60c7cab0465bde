/* cmd_check.c — `kenko check RULES [--data FILE]` (with the data
 * options, which say how FILE is read, as for `kenko run`). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_check(Cli *cli, int argc, char **argv) {
  const char *rules_path = NULL, *data_path = NULL;
  kenko_run_opts ro;
  memset(&ro, 0, sizeof ro);
  for (int i = 0; i < argc; i++) {
    int taken = cli_data_option(cli, argc, argv, &i, &ro);
    if (taken == KENKO_ERR_USAGE) return taken;
    if (taken) continue;
    if (strcmp(argv[i], "--data") == 0) {
      if (i + 1 >= argc) return cli_usage_error(cli, "`--data` needs a file");
      data_path = argv[++i];
    } else if (strncmp(argv[i], "--data=", 7) == 0) {
      data_path = argv[i] + 7;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      return cli_usage_error(cli, "unknown option `%s` for `kenko check`", argv[i]);
    } else if (!rules_path) {
      rules_path = argv[i];
    } else {
      return cli_usage_error(cli, "`kenko check` takes one rule file (found `%s` too)", argv[i]);
    }
  }
  if (!rules_path) return cli_usage_error(cli, "usage: kenko check RULES [--data FILE]");
  kenko_load_opts opts = cli_load_opts(cli);
  int status = KENKO_OK;
  kenko_rules *rules = kenko_load(rules_path, &opts, &status);
  if (!rules) return status;
  int rc = KENKO_OK;
  if (data_path) {
    cli_run_opts(cli, &ro, false);
    int errors = kenko_check_data(rules, data_path, &ro);
    if (errors < 0)
      rc = KENKO_ERR_USAGE;
    else if (errors > 0)
      rc = KENKO_ERR_RULES;
  }
  kenko_rules_free(rules);
  return rc;
}
