/* cmd_diff.c — `kenko diff`:
 *   kenko diff OLD_RULES NEW_RULES DATA...       two rule versions, same data
 *   kenko diff --git REV RULES DATA...            OLD = RULES at git revision REV
 *   kenko diff RULES DATA... --data OLD_DATA      two data snapshots
 * plus --format text|json, --limit N and the data options. With --git the old rules
 * (and their includes) are read through kenko_load_opts.read_file from
 * `git show REV:PATH`, PATH relative to the repository's root. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/i18n.h"
#include "cli/cli.h"
#include "base/vec.h"

static const char diff_usage[] =
    "usage: kenko diff OLD_RULES NEW_RULES DATA... [--format text|json] [--limit N] [--min-change N] "
    "[--output FILE] [data "
    "options]\n"
    "       kenko diff --git REV RULES DATA...     (the old rules: RULES at git revision REV)\n"
    "       kenko diff RULES DATA... --data OLD_DATA   (two data snapshots, matched by key)";

/* ---- running git -------------------------------------------------------- */

typedef struct GitOutput {
  char *out; /* stdout, NUL-terminated */
  size_t len;
  char err[512]; /* the first line of stderr */
  int status;    /* exit status; 127 when git could not be run */
} GitOutput;

/* Appends what FD has to *BUF; false at end of file. */
static bool drain(int fd, char **buf, size_t *len, size_t *cap) {
  VEC_RESERVE(*buf, *cap, *len + 4096 + 1, 8192);
  ssize_t got = read(fd, *buf + *len, 4096);
  if (got < 0 && errno == EINTR) return true;
  if (got <= 0) return false;
  *len += (size_t)got;
  return true;
}

/* Runs `git ARGV…` (no shell), collecting stdout and stderr. */
static void run_git(const char *const *argv, GitOutput *g) {
  memset(g, 0, sizeof *g);
  g->status = 127;
  int out[2], err[2];
  if (pipe(out) != 0) return;
  if (pipe(err) != 0) {
    close(out[0]);
    close(out[1]);
    return;
  }
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(out[0]);
    close(out[1]);
    close(err[0]);
    close(err[1]);
    return;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(out[0]);
    close(out[1]);
    close(err[0]);
    close(err[1]);
    execvp("git", (char *const *)argv);
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  char *errbuf = NULL;
  size_t errlen = 0, errcap = 0, cap = 0;
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      bool more =
          i == 0 ? drain(fds[i].fd, &g->out, &g->len, &cap) : drain(fds[i].fd, &errbuf, &errlen, &errcap);
      if (!more) {
        close(fds[i].fd);
        fds[i].fd = -1;
        open_fds--;
      }
    }
  }
  for (int i = 0; i < 2; i++)
    if (fds[i].fd >= 0) close(fds[i].fd);
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  g->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128;
  if (!g->out)
    g->out = calloc(1, 1);
  else
    g->out[g->len] = '\0';
  if (errbuf) {
    size_t n = strcspn(errbuf, "\n");
    if (n > errlen) n = errlen;
    if (n >= sizeof g->err) n = sizeof g->err - 1;
    memcpy(g->err, errbuf, n);
    g->err[n] = '\0';
    free(errbuf);
  }
}

/* The first line of git's stdout, malloc'ed; NULL when git failed. */
static char *git_line(const char *const *argv, GitOutput *g) {
  run_git(argv, g);
  if (g->status != 0) {
    free(g->out);
    g->out = NULL;
    return NULL;
  }
  g->out[strcspn(g->out, "\r\n")] = '\0';
  return g->out;
}

/* ---- the read_file hook over a git revision ----------------------------- */

typedef struct GitRules {
  const char *rev;
  char *prefix;   /* the current directory inside the repository: "" or "dir/" */
  char *toplevel; /* the repository's root (absolute) */
  char err[600];  /* the last error, for the hook's *err */
} GitRules;

/* PATH (relative to the repository's root, or absolute) with "." and
 * "dir/.." removed; NULL when ".." leaves the repository. */
static char *repo_relative(const GitRules *g, const char *path) {
  size_t n = strlen(path), tl = strlen(g->toplevel);
  char *joined;
  if (path[0] == '/') {
    const char *rest = NULL;
    if (strncmp(path, g->toplevel, tl) == 0 && path[tl] == '/') rest = path + tl + 1;
    char *real = rest ? NULL : realpath(path, NULL);
    if (real && strncmp(real, g->toplevel, tl) == 0 && real[tl] == '/') rest = real + tl + 1;
    if (!rest) {
      free(real);
      return NULL;
    }
    joined = strdup(rest);
    free(real);
  } else {
    size_t pn = strlen(g->prefix);
    joined = malloc(pn + n + 1);
    if (joined) {
      memcpy(joined, g->prefix, pn);
      memcpy(joined + pn, path, n + 1);
    }
  }
  if (!joined) return NULL;
  char *rel = kenko_normalize_path(joined);
  free(joined);
  if (strcmp(rel, "..") == 0 || strncmp(rel, "../", 3) == 0) { /* above the root */
    free(rel);
    return NULL;
  }
  return rel;
}

/* What the tree entry of mode MODE is, when not a regular file. */
static const char *git_not_regular(const char *mode) {
  if (strcmp(mode, "040000") == 0) return "a directory";
  if (strcmp(mode, "120000") == 0) return "a symbolic link";
  if (strcmp(mode, "160000") == 0) return "a submodule";
  return "not a regular file";
}

/* kenko_load_opts.read_file: PATH's bytes at the revision. Only a regular
 * file (a blob of mode 100644 or 100755) is read: `git show` of a
 * directory prints its listing, and of a symbolic link its target's name,
 * neither of which is rules. */
static char *git_read_file(void *ud, const char *path, size_t *len, const char **err) {
  GitRules *g = ud;
  char *rel = repo_relative(g, path);
  if (!rel) {
    snprintf(g->err, sizeof g->err, "outside the git repository (%s)", g->toplevel);
    *err = g->err;
    return NULL;
  }
  /* "MODE TYPE OBJECT\tPATH": the entry itself, paths from the root,
   * and no pathspec magic in the file's name. */
  const char *ls_argv[] = {"git", "--literal-pathspecs", "ls-tree", "--full-tree", g->rev, "--", rel, NULL};
  GitOutput ls;
  run_git(ls_argv, &ls);
  char mode[16] = "", object[128] = "";
  if (ls.status == 0) {
    ls.out[strcspn(ls.out, "\t\n")] = '\0';
    if (sscanf(ls.out, "%15s %*s %127s", mode, object) != 2) mode[0] = '\0';
  }
  free(ls.out);
  if (!mode[0]) {
    snprintf(g->err, sizeof g->err, "no such file at git revision %s (%s:%s)", g->rev, g->rev, rel);
    free(rel);
    *err = g->err;
    return NULL;
  }
  if (strcmp(mode, "100644") != 0 && strcmp(mode, "100755") != 0) {
    snprintf(g->err, sizeof g->err, "%s at git revision %s, not a regular file (%s:%s)",
             git_not_regular(mode), g->rev, g->rev, rel);
    free(rel);
    *err = g->err;
    return NULL;
  }
  free(rel);
  const char *cat_argv[] = {"git", "cat-file", "blob", object, NULL};
  GitOutput out;
  run_git(cat_argv, &out);
  if (out.status != 0) {
    free(out.out);
    snprintf(g->err, sizeof g->err, "cannot be read at git revision %s (%s)", g->rev, out.err);
    *err = g->err;
    return NULL;
  }
  *len = out.len;
  return out.out;
}

/* Checks that we are in a repository and REV names a commit, and fills
 * G. Returns 0, or KENKO_ERR_USAGE after saying why. */
static int git_rules_init(Cli *cli, GitRules *g, const char *rev) {
  memset(g, 0, sizeof *g);
  g->rev = rev;
  GitOutput out;
  const char *prefix_argv[] = {"git", "rev-parse", "--show-prefix", NULL};
  g->prefix = git_line(prefix_argv, &out);
  if (!g->prefix) {
    if (out.status == 127)
      return cli_usage_error(cli, "`--git %s`: cannot run git (is it installed and on PATH?)", rev);
    return cli_usage_error(cli, "`--git %s`: the current directory is not inside a git repository", rev);
  }
  const char *top_argv[] = {"git", "rev-parse", "--show-toplevel", NULL};
  g->toplevel = git_line(top_argv, &out);
  if (!g->toplevel)
    return cli_usage_error(cli, "`--git %s`: cannot find the repository's root (%s)", rev, out.err);
  size_t n = strlen(rev) + 16;
  char *commit = malloc(n);
  if (!commit) return cli_usage_error(cli, "out of memory");
  snprintf(commit, n, "%s^{commit}", rev);
  const char *verify_argv[] = {"git", "rev-parse", "--verify", "--quiet", commit, NULL};
  char *sha = rev[0] == '-' ? NULL : git_line(verify_argv, &out);
  free(commit);
  if (!sha) return cli_usage_error(cli, "`--git %s`: unknown revision `%s` in this repository", rev, rev);
  free(sha);
  return 0;
}

static void git_rules_free(GitRules *g) {
  free(g->prefix);
  free(g->toplevel);
}

/* ---- the command -------------------------------------------------------- */

typedef struct DiffArgs {
  const char **pos; /* positional arguments */
  int npos;
  const char **old_data; /* --data */
  int nold_data;
  const char *git_rev; /* --git */
  const char *output;  /* --output FILE, or NULL: standard output */
  kenko_diff_opts opts;
} DiffArgs;

static int parse_diff_args(Cli *cli, int argc, char **argv, DiffArgs *da) {
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i], *v;
    int taken = cli_data_option(cli, argc, argv, &i, &da->opts.run);
    if (taken == KENKO_ERR_USAGE) return KENKO_ERR_USAGE;
    if (taken) continue;
    if ((v = cli_opt_value(argc, argv, &i, "--format"))) {
      if (strcmp(v, "json") == 0)
        da->opts.json = true;
      else if (strcmp(v, "text") == 0)
        da->opts.json = false;
      else
        return cli_usage_error(cli, "`--format` takes text or json for `kenko diff`, found `%s`", v);
    } else if ((v = cli_opt_value(argc, argv, &i, "--output"))) {
      if (!*v) return cli_usage_error(cli, "`--output` needs a file name (`-`: standard output)");
      da->output = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--git"))) {
      if (!*v) return cli_usage_error(cli, "`--git` needs a revision (e.g. HEAD~1)");
      if (da->git_rev) return cli_usage_error(cli, "`--git` is given twice");
      da->git_rev = v;
    } else if ((v = cli_opt_value(argc, argv, &i, "--limit"))) {
      char *end = NULL;
      errno = 0;
      unsigned long long n = strtoull(v, &end, 10);
      if (!*v || *end || v[0] == '-' || v[0] == '+' || errno)
        return cli_usage_error(cli, "`--limit` takes a number of accounts (0: all), found `%s`", v);
      da->opts.limit = n;
    } else if ((v = cli_opt_value(argc, argv, &i, "--min-change"))) {
      char *end = NULL;
      double n = strtod(v, &end);
      if (!*v || *end || !(n > 0 && n <= 100))
        return cli_usage_error(cli, "`--min-change` takes points of health above 0, up to 100, found `%s`",
                               v);
      da->opts.min_change = n;
    } else if ((v = cli_opt_value(argc, argv, &i, "--data"))) {
      if (!*v) return cli_usage_error(cli, "`--data` needs the old data file");
      da->old_data[da->nold_data++] = v;
    } else if (a[0] == '-' && a[1] != '\0') {
      return cli_usage_error(cli, "unknown option `%s` for `kenko diff`", a);
    } else {
      da->pos[da->npos++] = a;
    }
  }
  if (da->git_rev && da->nold_data)
    return cli_usage_error(cli,
                           "`--git` and `--data` cannot be combined: compare two rule versions, or two data "
                           "snapshots under one rule set");
  int rules = da->git_rev || da->nold_data ? 1 : 2;
  if (da->npos < rules + 1) return cli_usage_error(cli, "%s", diff_usage);
  return 0;
}

int cmd_diff(Cli *cli, int argc, char **argv) {
  DiffArgs da;
  memset(&da, 0, sizeof da);
  da.pos = calloc((size_t)argc + 1, sizeof *da.pos);
  const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
  da.old_data = calloc((size_t)argc + 1, sizeof *da.old_data);
  int rc = parse_diff_args(cli, argc, argv, &da);
  FILE *out = cli->out;
  if (rc == 0) { /* the inputs: rules and data, old and new */
    int n = 0;
    for (int i = 0; i < da.npos; i++)
      inputs[n++] = da.pos[i];
    for (int i = 0; i < da.nold_data; i++)
      inputs[n++] = da.old_data[i];
    rc = cli_check_output(cli, "--output", da.output, inputs, n);
    if (rc == 0 && da.output) out = cli_open_output(cli, "--output", da.output);
    if (!out) rc = KENKO_ERR_USAGE;
  }
  GitRules git;
  memset(&git, 0, sizeof git);
  if (rc == 0 && da.git_rev) rc = git_rules_init(cli, &git, da.git_rev);
  kenko_rules *old_rules = NULL, *new_rules = NULL;
  int status = rc;
  if (rc == 0) {
    int nrules = da.git_rev || da.nold_data ? 1 : 2;
    const char *old_path = da.pos[0], *new_path = da.pos[nrules - 1];
    kenko_load_opts lo = cli_load_opts(cli);
    if (da.git_rev) {
      lo.read_file = git_read_file;
      lo.read_ud = &git;
    }
    old_rules = cli_load(cli, old_path, &lo, &status);
    if (!old_rules && da.git_rev && status == KENKO_ERR_RULES)
      fprintf(stderr, _("kenko: note: these are the rules of %s at git revision %s\n"), old_path, da.git_rev);
    if (old_rules) {
      if (da.nold_data) {
        new_rules = old_rules;
      } else {
        lo = cli_load_opts(cli);
        new_rules = cli_load(cli, new_path, &lo, &status);
      }
    }
    if (old_rules && new_rules) {
      da.opts.old_data = da.old_data;
      da.opts.nold_data = da.nold_data;
      cli_run_opts(cli, &da.opts.run, true);
      kenko_run_stats stats;
      status = kenko_diff(old_rules, new_rules, da.pos + nrules, da.npos - nrules, &da.opts, out, &stats);
      if (cli_run_tail(&da.opts.run, out, &stats, status)) cli_print_summary(&stats);
    }
  }
  if (new_rules != old_rules) kenko_rules_free(new_rules);
  kenko_rules_free(old_rules);
  git_rules_free(&git);
  free(da.pos);
  free(da.old_data);
  free(inputs);
  return status;
}
