/* cmd_fmt.c — `kenko fmt [-w|--check] RULES...` (LANGUAGE.md §9): prints
 * the formatted text, rewrites the files that change (-w), or lists the
 * files that would change with a unified diff (--check, exit 1). `-`
 * reads standard input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/i18n.h"
#include "cli/cli.h"

enum { FMT_PRINT, FMT_WRITE, FMT_CHECK };

/* Reads all of F into a malloc'ed buffer; NULL on a read error. */
static char *read_all(FILE *f, size_t *len) {
  size_t cap = 64 * 1024, n = 0;
  char *buf = xmalloc(cap + 1);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = xrealloc(buf, cap + 1);
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* Replaces PATH's bytes with TEXT through a temporary file beside it, so
 * that an interrupted write never leaves half a rule file. */
static int write_file(Cli *cli, const char *path, const char *text, size_t len) {
  size_t n = strlen(path);
  char *tmp = xmalloc(n + 16);
  snprintf(tmp, n + 16, "%s.kenko-fmt~", path);
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    int rc = cli_usage_error(cli, "cannot write %s: %s", tmp, strerror(errno));
    free(tmp);
    return rc;
  }
  bool ok = fwrite(text, 1, len, f) == len;
  ok = fclose(f) == 0 && ok;
  struct stat st;
  if (ok && stat(path, &st) == 0) chmod(tmp, st.st_mode & 07777);
  if (!ok || rename(tmp, path) != 0) {
    int rc = cli_usage_error(cli, "cannot write %s: %s", path, strerror(errno));
    remove(tmp);
    free(tmp);
    return rc;
  }
  free(tmp);
  return KENKO_OK;
}

/* Formats one file (or standard input for "-"). Returns its exit status. */
static int fmt_one(Cli *cli, const char *path, int mode) {
  bool is_stdin = strcmp(path, "-") == 0;
  const char *name = is_stdin ? "<stdin>" : path;
  FILE *in = is_stdin ? stdin : fopen(path, "rb");
  if (!in) return cli_usage_error(cli, "cannot read %s: %s", path, strerror(errno));
  size_t len = 0;
  char *text = read_all(in, &len);
  if (!is_stdin) fclose(in);
  if (!text) return cli_usage_error(cli, "cannot read %s", path);
  kenko_load_opts opts = cli_load_opts(cli);
  char *out = NULL;
  size_t outlen = 0;
  int rc = kenko_fmt(name, text, len, &opts, &out, &outlen);
  if (rc == KENKO_OK) {
    bool changed = outlen != len || memcmp(out, text, len) != 0;
    if (mode == FMT_PRINT) {
      fwrite(out, 1, outlen, cli->out);
    } else if (mode == FMT_WRITE && changed) {
      rc = write_file(cli, path, out, outlen);
    } else if (mode == FMT_CHECK && changed) {
      size_t n = strlen(name) + 16;
      char *label = xmalloc(n);
      snprintf(label, n, "%s (formatted)", name);
      fprintf(cli->out, "%s\n", name);
      cli_unified_diff(cli->out, name, text, len, label, out, outlen);
      free(label);
      fprintf(stderr, _("%s: not formatted (run kenko fmt -w %s)\n"), name, is_stdin ? "FILE" : path);
      rc = KENKO_ERR_RULES;
    }
  }
  free(out);
  free(text);
  return rc;
}

int cmd_fmt(Cli *cli, int argc, char **argv) {
  int mode = FMT_PRINT, nfiles = 0;
  bool saw_stdin = false;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--write") == 0) {
      if (mode == FMT_CHECK) return cli_usage_error(cli, "`-w` and `--check` cannot be used together");
      mode = FMT_WRITE;
    } else if (strcmp(argv[i], "--check") == 0) {
      if (mode == FMT_WRITE) return cli_usage_error(cli, "`-w` and `--check` cannot be used together");
      mode = FMT_CHECK;
    } else if (strcmp(argv[i], "-") == 0) {
      if (saw_stdin) return cli_usage_error(cli, "`-` (standard input) is given twice");
      saw_stdin = true;
      nfiles++;
    } else if (argv[i][0] == '-') {
      return cli_usage_error(cli, "unknown option `%s` for `kenko fmt`", argv[i]);
    } else {
      nfiles++;
    }
  }
  if (nfiles == 0)
    return cli_usage_error(cli, "usage: kenko fmt [-w|--check] RULES... (`-` for standard input)");
  if (mode == FMT_WRITE && saw_stdin)
    return cli_usage_error(cli, "`kenko fmt -w` rewrites files; standard input (`-`) has none to rewrite");
  int rc = KENKO_OK;
  for (int i = 0; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0') continue;
    int one = fmt_one(cli, argv[i], mode);
    if (one == KENKO_ERR_USAGE || (one != KENKO_OK && rc == KENKO_OK)) rc = one;
  }
  return rc;
}
