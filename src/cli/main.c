/* main.c — `kenko COMMAND …`: dispatch to the subcommands. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/i18n.h"
#include "cli/cli.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* The user's language for messages (LANGUAGE, LC_ALL, LC_MESSAGES, LANG),
 * and only for messages: numbers, character classes and collation stay
 * those of the C locale, so outputs never depend on the environment but
 * for their language. Translations are read as UTF-8 whatever the
 * locale's character set (kenko's text is UTF-8), the C library's too. The catalogs are in
 * $KENKO_LOCALEDIR when set (the tests: the build's), else in
 * BINDIR/../share/locale beside the installed binary, else in BINDIR/locale
 * (a build tree: build/kenko and build/locale), else in LOCALEDIR
 * (docs/i18n.md). */
static void init_messages(void) {
  if (!setlocale(LC_MESSAGES, "")) return;
  const char *dir = getenv("KENKO_LOCALEDIR");
  char beside[4096];
  if (!dir || !*dir) {
    dir = LOCALEDIR;
    ssize_t n = readlink("/proc/self/exe", beside, sizeof beside - 32);
    char *slash = NULL;
    if (n > 0) {
      beside[n] = '\0';
      slash = strrchr(beside, '/');
    }
    /* installed (BINDIR/../share/locale), else the build tree's own
     * (build/kenko beside build/locale: `make` without `make install`);
     * a directory, not /usr/bin/locale, the program */
    static const char *const near[] = {"/../share/locale", "/locale"};
    struct stat st;
    for (size_t i = 0; slash && i < sizeof near / sizeof *near; i++) {
      strcpy(slash, near[i]);
      if (stat(beside, &st) == 0 && S_ISDIR(st.st_mode)) {
        dir = beside;
        break;
      }
    }
  }
  bindtextdomain(KENKO_TEXTDOMAIN, dir);
  bind_textdomain_codeset(KENKO_TEXTDOMAIN, "UTF-8");
  bind_textdomain_codeset("libc", "UTF-8"); /* strerror's text, when the system translates it */
  textdomain(KENKO_TEXTDOMAIN);
}

static bool want_color(int fd) {
  const char *no = getenv("NO_COLOR");
  if (no && *no) return false;
  const char *term = getenv("TERM");
  if (term && strcmp(term, "dumb") == 0) return false;
  return isatty(fd) != 0;
}

/* Runs the command ARGV[1] (from help.c's table); its status. */
static int dispatch(Cli *cli, int argc, char **argv) {
  if (argc < 2) {
    cli_print_usage(stderr);
    return KENKO_ERR_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
    cli_print_usage(cli->out);
    return KENKO_OK;
  }
  if (strcmp(cmd, "--version") == 0) {
    fprintf(cli->out, "kenko %s (language contract v%s)\n", KENKO_VERSION, KENKO_CONTRACT_VERSION);
    return KENKO_OK;
  }
  if (strcmp(cmd, "help") == 0) {
    if (argc < 3) {
      cli_print_usage(cli->out);
      return KENKO_OK;
    }
    const CliCommand *c = cli_find_command(argv[2]);
    if (!c) return cli_unknown_command(cli, argv[2]);
    cli_print_help(cli->out, c);
    return KENKO_OK;
  }
  if (strcmp(cmd, "dump-tokens") == 0 || strcmp(cmd, "dump-ast") == 0) {
    if (argc != 3) return cli_usage_error(cli, "usage: kenko %s RULES", cmd);
    kenko_load_opts opts = cli_load_opts(cli);
    int errors = kenko_dump(argv[2], strcmp(cmd, "dump-ast") == 0 ? KENKO_DUMP_AST : KENKO_DUMP_TOKENS,
                            cli->out, &opts);
    return errors ? KENKO_ERR_RULES : KENKO_OK;
  }
  const CliCommand *c = cli_find_command(cmd);
  if (!c || !c->run) return cli_unknown_command(cli, cmd);
  int rc = cli_scan_options(cli, c, argc - 2, argv + 2);
  if (rc == CLI_HELP_SHOWN) return KENKO_OK;
  if (rc) return rc;
  return c->run(cli, argc - 2, argv + 2);
}

/* Every command's output goes through cli.out (and the files it opens
 * with cli_open_output); cli_finish checks that all of it was written. */
int main(int argc, char **argv) {
  cli_std_fds();
  init_messages();
  Cli cli;
  memset(&cli, 0, sizeof cli);
  cli.prog = argv[0];
  cli.color_err = want_color(2);
  cli.color_out = want_color(1);
  cli.out = cli_stdout(&cli);
  return cli_finish(&cli, dispatch(&cli, argc, argv));
}
