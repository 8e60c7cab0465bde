/* cmd_lsp.c — `kenko lsp`: the language server on standard input and
 * output (docs/lsp.md). `--stdio` (what editors pass) is accepted. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

int cmd_lsp(Cli *cli, int argc, char **argv) {
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], "--stdio") != 0) return cli_usage_error(cli, "usage: kenko lsp [--stdio]");
  return kenko_lsp(stdin, cli->out);
}
