/* cmd_test.c — `kenko test RULES...`: the inline tests of each file, then
 * exactly "N passed, N failed" as the last line. */
#include <stdio.h>

#include "base/i18n.h"
#include "cli/cli.h"

int cmd_test(Cli *cli, int argc, char **argv) {
  int nfiles = 0;
  for (int i = 0; i < argc; i++) {
    int taken = cli_rules_option(cli, argc, argv, &i);
    if (taken == KENKO_ERR_USAGE) return taken;
    if (taken) continue;
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return cli_usage_error(cli, "unknown option `%s` for `kenko test`", argv[i]);
    argv[nfiles++] = argv[i]; /* the rule files, in order */
  }
  if (nfiles == 0) return cli_usage_error(cli, "usage: kenko test RULES...");
  int passed = 0, failed = 0, rc = KENKO_OK;
  for (int i = 0; i < nfiles; i++) {
    kenko_load_opts lo = cli_load_opts(cli);
    int status;
    kenko_rules *rules = kenko_load(argv[i], &lo, &status);
    if (!rules) {
      if (rc == KENKO_OK || status == KENKO_ERR_USAGE) rc = status;
      continue;
    }
    int p = 0;
    failed += kenko_test(rules, cli->out, cli->color_out, &p);
    passed += p;
    kenko_rules_free(rules);
  }
  fprintf(cli->out, _("%d passed, %d failed\n"), passed, failed);
  if (rc != KENKO_OK) return rc;
  return failed ? KENKO_ERR_RULES : KENKO_OK;
}
