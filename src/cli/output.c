/* output.c — where the command line's output goes, and that none of it is
 * lost without an error (docs/cli.md, "Output"; docs/security.md, "Output
 * paths"):
 *   - descriptors 0–2 are made open at start-up, so that no file the run
 *     opens takes one of them (gnulib's stdopen does the same: a closed
 *     descriptor gets /dev/null opened the wrong way round, so that using
 *     it fails as it would have);
 *   - every output stream writes through one function that keeps the
 *     reason of the first failed write, and the run ends by flushing and
 *     closing each of them: a failure is an error naming the output and
 *     the reason, exit 2;
 *   - an output file (`--html`, `--output`) is refused when it is one of
 *     the run's inputs (same device and inode), checked before anything is
 *     opened for writing, and is written to a temporary file in its
 *     directory that is renamed over it only when the run succeeded, so a
 *     failed run leaves the old file as it was. `-` is standard output. */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/i18n.h"
#include "cli/cli.h"

struct CliOut {
  FILE *f;
  int fd;
  int err;          /* errno of the first failed write or close, or 0 */
  char *name;       /* as the user gave it: "standard output" or a path */
  char *final_path; /* renamed into place on success; NULL: written directly */
  char *tmp_path;   /* the temporary file beside it (mode 0600 until done) */
  mode_t mode;      /* the mode it gets when done */
  bool is_stdout;
  const char *opt; /* "--html", "--output" */
  bool existed;    /* the file existed: dev and ino are its */
  dev_t dev;
  ino_t ino;
};

/* A rule file read by the run (cli_load), by its device and inode. */
struct CliRuleFile {
  dev_t dev;
  ino_t ino;
  char *path;
};

void cli_std_fds(void) {
  for (int fd = 0; fd <= 2; fd++) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    /* opened the wrong way round: reading a closed stdin, or writing a
     * closed stdout or stderr, fails (EBADF) instead of doing nothing */
    int got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
    if (got < 0) _exit(KENKO_ERR_USAGE);
    if (got != fd) { /* cannot happen: the lowest free descriptor is fd */
      close(got);
      _exit(KENKO_ERR_USAGE);
    }
  }
}

/* The stream's write function: every byte or the reason why not. */
static ssize_t out_write(void *cookie, const char *data, size_t n) {
  CliOut *o = cookie;
  if (o->err) {
    errno = o->err;
    return -1;
  }
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(o->fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      o->err = w < 0 ? errno : EIO;
      errno = o->err;
      return done ? (ssize_t)done : -1;
    }
    done += (size_t)w;
  }
  return (ssize_t)n;
}

static int out_close(void *cookie) {
  CliOut *o = cookie;
  if (o->is_stdout) return 0; /* closed by cli_finish, after stdout */
  if (close(o->fd) != 0 && !o->err) o->err = errno;
  return o->err ? -1 : 0;
}

static CliOut *out_new(Cli *cli, int fd, const char *name) {
  if (cli->nouts == CLI_MAX_OUTS) return NULL;
  CliOut *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->fd = fd;
  o->name = strdup(name);
  cookie_io_functions_t io = {NULL, out_write, NULL, out_close};
  o->f = o->name ? fopencookie(o, "w", io) : NULL;
  if (!o->f) {
    free(o->name);
    free(o);
    return NULL;
  }
  setvbuf(o->f, NULL, _IOFBF, 1 << 16);
  cli->outs[cli->nouts++] = o;
  return o;
}

FILE *cli_stdout(Cli *cli) {
  for (int i = 0; i < cli->nouts; i++)
    if (cli->outs[i]->is_stdout) return cli->outs[i]->f;
  fflush(stdout);
  CliOut *o = out_new(cli, 1, "standard output");
  if (!o) return stdout;
  o->is_stdout = true;
  return o->f;
}

/* ---- output files that are inputs ----------------------------------------- */

/* Whether PATH names the file of ST. */
static bool same_file(const struct stat *st, const char *path) {
  struct stat in;
  if (stat(path, &in) != 0) return false;
  return in.st_dev == st->st_dev && in.st_ino == st->st_ino;
}

bool cli_same_path(const char *a, const char *b) {
  struct stat st;
  return strcmp(a, b) == 0 || (stat(a, &st) == 0 && same_file(&st, b));
}

int cli_check_output(Cli *cli, const char *opt, const char *path, const char *const *inputs, int ninputs) {
  if (!path || strcmp(path, "-") == 0) {
    /* standard output: refused only when it is an input's regular file
     * (`kenko run r.kenko d.csv >> d.csv` would read what it writes) */
    struct stat st;
    if (fstat(1, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    for (int i = 0; i < ninputs; i++)
      if (inputs[i] && strcmp(inputs[i], "-") != 0 && same_file(&st, inputs[i]))
        return cli_usage_error(cli, "standard output is the file `%s`, an input of this run; write elsewhere",
                               inputs[i]);
    return 0;
  }
  struct stat st;
  if (stat(path, &st) != 0) return 0; /* a new file is no input */
  for (int i = 0; i < ninputs; i++)
    if (inputs[i] && strcmp(inputs[i], "-") != 0 && same_file(&st, inputs[i]))
      return cli_usage_error(cli, "`%s %s` is the file `%s`, an input of this run; refusing to overwrite it",
                             opt, path, inputs[i]);
  return 0;
}

/* ---- opening and finishing ------------------------------------------------- */

/* The directory part of PATH ("." when none), malloc'ed. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  if (slash == path) return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

FILE *cli_open_output(Cli *cli, const char *opt, const char *path) {
  if (strcmp(path, "-") == 0) return cli_stdout(cli);
  struct stat st;
  bool exists = stat(path, &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) {
    cli_usage_error(cli, "cannot write `%s %s`: it is a directory", opt, path);
    return NULL;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    /* a device, a FIFO, /dev/stdout: written in place, not replaced */
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      cli_usage_error(cli, "cannot write `%s %s`: %s", opt, path, strerror(errno));
      return NULL;
    }
    CliOut *o = out_new(cli, fd, path);
    if (!o) {
      close(fd);
      cli_usage_error(cli, "cannot write `%s %s`: out of memory", opt, path);
      return NULL;
    }
    return o->f;
  }
  /* a regular file (or a new one): a temporary file beside its real path
   * (a symbolic link is followed, not replaced), renamed over it at the end */
  char *real = exists ? realpath(path, NULL) : NULL;
  const char *target = real ? real : path;
  char *dir = dir_of(target);
  const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
  size_t n = strlen(dir) + strlen(base) + 32;
  char *tmp = malloc(n);
  if (!dir || !tmp) {
    free(real);
    free(dir);
    free(tmp);
    cli_usage_error(cli, "cannot write `%s %s`: out of memory", opt, path);
    return NULL;
  }
  snprintf(tmp, n, "%s/.%s.kenko-XXXXXX", dir, base);
  free(dir);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    cli_usage_error(cli, "cannot write `%s %s`: %s", opt, path, strerror(errno));
    free(real);
    free(tmp);
    return NULL;
  }
  CliOut *o = out_new(cli, fd, path);
  if (!o) {
    close(fd);
    unlink(tmp);
    free(real);
    free(tmp);
    cli_usage_error(cli, "cannot write `%s %s`: out of memory", opt, path);
    return NULL;
  }
  o->tmp_path = tmp;
  o->final_path = real ? real : strdup(path);
  o->opt = opt;
  o->existed = exists;
  o->dev = st.st_dev;
  o->ino = st.st_ino;
  /* the mode the file would have had: the old file's, or as umask says */
  mode_t mask = umask(0);
  umask(mask);
  o->mode = exists ? (st.st_mode & 07777) : (0666 & ~mask);
  return o->f;
}

FILE *cli_output(Cli *cli, const char *opt, const char *path, const char *const *inputs, int ninputs,
                 FILE *dflt) {
  if (cli_check_output(cli, opt, path, inputs, ninputs)) return NULL;
  return path ? cli_open_output(cli, opt, path) : dflt;
}

kenko_rules *cli_load(Cli *cli, const char *path, const kenko_load_opts *opts, int *status) {
  kenko_rules *rules = kenko_load(path, opts, status);
  for (int i = 0; rules && i < kenko_rules_file_count(rules); i++) {
    struct stat st;
    const char *file = kenko_rules_file(rules, i);
    if (!file || stat(file, &st) != 0) continue;
    struct CliRuleFile *grown = realloc(cli->rule_files, ((size_t)cli->nrule_files + 1) * sizeof *grown);
    char *copy = strdup(file);
    if (!grown || !copy) { /* out of memory: the check is lost, not the run */
      if (grown) cli->rule_files = grown;
      free(copy);
      break;
    }
    cli->rule_files = grown;
    cli->rule_files[cli->nrule_files++] = (struct CliRuleFile){st.st_dev, st.st_ino, copy};
  }
  return rules;
}

/* The rule file that output O would replace, or NULL. Checked again at
 * the end because includes are known only once the rules are read; the
 * output has gone to its temporary file, so the include is untouched. */
static const char *replaces_rule_file(const Cli *cli, const CliOut *o) {
  if (!o->tmp_path || !o->existed) return NULL;
  for (int i = 0; i < cli->nrule_files; i++)
    if (cli->rule_files[i].dev == o->dev && cli->rule_files[i].ino == o->ino) return cli->rule_files[i].path;
  return NULL;
}

/* Flushes and closes O; true when every byte was written. */
static bool out_finish(CliOut *o) {
  if (fflush(o->f) != 0 && !o->err) o->err = errno ? errno : EIO;
  if (o->tmp_path && fchmod(o->fd, o->mode) != 0 && !o->err) o->err = errno;
  if (fclose(o->f) != 0 && !o->err) o->err = errno ? errno : EIO;
  if (o->is_stdout) {
    /* the descriptor itself, and whatever went to stdout directly */
    if ((fflush(stdout) != 0 || ferror(stdout)) && !o->err) o->err = errno ? errno : EIO;
    if (fclose(stdout) != 0 && !o->err) o->err = errno ? errno : EIO;
  }
  return o->err == 0;
}

int cli_finish(Cli *cli, int status) {
  bool failed = false;
  for (int i = 0; i < cli->nouts; i++) {
    CliOut *o = cli->outs[i];
    if (!out_finish(o)) {
      if (o->is_stdout)
        fprintf(stderr, _("kenko: error: cannot write standard output: %s\n"), strerror(o->err));
      else
        fprintf(stderr, _("kenko: error: cannot write %s: %s\n"), o->name, strerror(o->err));
      failed = true;
    }
  }
  for (int i = 0; i < cli->nouts; i++) {
    const char *rule_file = replaces_rule_file(cli, cli->outs[i]);
    if (!rule_file) continue;
    fprintf(stderr,
            _("kenko: error: `%s %s` is the rule file `%s`, read by this run; refusing to overwrite it\n"),
            cli->outs[i]->opt, cli->outs[i]->name, rule_file);
    failed = true;
  }
  for (int i = 0; i < cli->nrule_files; i++)
    free(cli->rule_files[i].path);
  free(cli->rule_files);
  cli->rule_files = NULL;
  cli->nrule_files = 0;
  bool keep = !failed && (status == KENKO_OK || status == KENKO_ERR_DATA);
  for (int i = 0; i < cli->nouts; i++) {
    CliOut *o = cli->outs[i];
    if (o->tmp_path && !keep) {
      unlink(o->tmp_path);
    } else if (o->tmp_path && rename(o->tmp_path, o->final_path) != 0) {
      fprintf(stderr, _("kenko: error: cannot write %s: %s\n"), o->name, strerror(errno));
      unlink(o->tmp_path);
      failed = true;
    }
    free(o->tmp_path);
    free(o->final_path);
    free(o->name);
    free(o);
  }
  cli->nouts = 0;
  if (failed) status = KENKO_ERR_USAGE;
  /* stderr: its failure cannot be told, only shown in the exit status */
  if (fflush(stderr) != 0 || ferror(stderr)) status = KENKO_ERR_USAGE;
  return status;
}
