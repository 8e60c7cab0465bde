/* main.c — `kenko COMMAND …`: dispatch to the subcommands. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: kenko COMMAND [ARGS]\n"
    "\n"
    "  check RULES [--data FILE]        parse, type-check and lint the rules\n"
    "  run RULES DATA... [--as-of D] [--format jsonl|csv|text] [--explain]\n"
    "  explain RULES DATA... --account ID [--as-of D]\n"
    "  test RULES...                    run the rules' inline tests\n"
    "  report RULES DATA... [--by persona|segment NAME|input NAME] [--format text|json] [--html FILE]\n"
    "  validate RULES DATA... [--outcome FIELD] [--format text|json]\n"
    "  diff OLD_RULES NEW_RULES DATA... [--format text|json]\n"
    "  diff --git REV RULES DATA...     OLD = RULES (and includes) at a git revision\n"
    "  diff RULES DATA... --data OLD_DATA   two data snapshots, matched by key\n"
    "  fmt [-w|--check] RULES...        the canonical layout (`-` reads stdin)\n"
    "  history RULES DATA... [--format text|jsonl|csv] [--html FILE] [--account ID] [--from D] [--to D]\n"
    "  lsp                              language server on stdin/stdout\n"
    "\n"
    "Exit status: 0 ok, 1 rule errors or failed tests, 2 usage errors,\n"
    "3 some accounts rejected. See docs/cli.md.\n";

static bool want_color(int fd) {
  const char *no = getenv("NO_COLOR");
  if (no && *no) return false;
  const char *term = getenv("TERM");
  if (term && strcmp(term, "dumb") == 0) return false;
  return isatty(fd) != 0;
}

/* Runs the command ARGV[1]; its status. */
static int dispatch(Cli *cli, int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_text, stderr);
    return KENKO_ERR_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage_text, cli->out);
    return KENKO_OK;
  }
  if (strcmp(cmd, "--version") == 0) {
    fprintf(cli->out, "kenko %s\n", KENKO_VERSION);
    return KENKO_OK;
  }
  if (strcmp(cmd, "check") == 0) return cmd_check(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "run") == 0) return cmd_run(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "explain") == 0) return cmd_explain(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "test") == 0) return cmd_test(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "validate") == 0) return cmd_validate(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "diff") == 0) return cmd_diff(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "report") == 0) return cmd_report(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "fmt") == 0) return cmd_fmt(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "history") == 0) return cmd_history(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "lsp") == 0) return cmd_lsp(cli, argc - 2, argv + 2);
  if (strcmp(cmd, "dump-tokens") == 0 || strcmp(cmd, "dump-ast") == 0) {
    if (argc != 3) return cli_usage_error(cli, "usage: kenko %s RULES", cmd);
    kenko_load_opts opts = cli_load_opts(cli);
    int errors = kenko_dump(argv[2], strcmp(cmd, "dump-ast") == 0 ? KENKO_DUMP_AST : KENKO_DUMP_TOKENS,
                            cli->out, &opts);
    return errors ? KENKO_ERR_RULES : KENKO_OK;
  }
  fprintf(stderr, "kenko: error: unknown command `%s`\n\n%s", cmd, usage_text);
  return KENKO_ERR_USAGE;
}

/* Every command's output goes through cli.out (and the files it opens
 * with cli_open_output); cli_finish checks that all of it was written. */
int main(int argc, char **argv) {
  cli_std_fds();
  Cli cli;
  memset(&cli, 0, sizeof cli);
  cli.prog = argv[0];
  cli.color_err = want_color(2);
  cli.color_out = want_color(1);
  cli.out = cli_stdout(&cli);
  return cli_finish(&cli, dispatch(&cli, argc, argv));
}
