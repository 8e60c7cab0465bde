/* cmd_init.c — `kenko init DIR`: a new rules repository for a CS team
 * (a starter あいうえお scorecard, sample data, CI, pre-commit), written
 * from the files compiled in from templates/init/ (embedded.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "base/i18n.h"
#include "cli/cli.h"
#include "cli/embedded.h"

/* True when PATH does not exist or is an empty directory. */
static bool usable_target(const char *path) {
  DIR *d = opendir(path);
  if (!d) return errno == ENOENT;
  struct dirent *e;
  bool empty = true;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
  closedir(d);
  return empty;
}

/* mkdir -p of the directories in PATH (up to its last `/`). */
static int make_parents(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    int rc = mkdir(path, 0777);
    *p = '/';
    if (rc != 0 && errno != EEXIST) return -1;
  }
  return 0;
}

static int write_new_file(const char *path, const char *data, size_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return -1;
    }
    done += (size_t)n;
  }
  return close(fd);
}

int cmd_init(Cli *cli, int argc, char **argv) {
  if (argc != 1) return cli_usage_error(cli, "usage: kenko init DIR");
  const char *dir = argv[0];
  if (!usable_target(dir))
    return cli_usage_error(
        cli, "`%s` already exists and is not an empty directory; kenko init makes a new one", dir);
  if (mkdir(dir, 0777) != 0 && errno != EEXIST)
    return cli_usage_error(cli, "cannot create `%s`: %s", dir, strerror(errno));
  for (const EmbeddedFile *f = embedded_files; f->path; f++) {
    size_t len = strlen(dir) + 1 + strlen(f->path) + 1;
    char *path = malloc(len);
    if (!path) return cli_usage_error(cli, "out of memory");
    snprintf(path, len, "%s/%s", dir, f->path);
    if (make_parents(path) != 0 || write_new_file(path, f->data, f->size) != 0) {
      int err = errno;
      free(path);
      return cli_usage_error(cli, "cannot write `%s/%s`: %s", dir, f->path, strerror(err));
    }
    fprintf(cli->out, _("created %s\n"), path);
    free(path);
  }
  fprintf(cli->out,
          "\nnext:\n"
          "  cd %s && git init\n"
          "  kenko check rules/scorecard.kenko --data data/accounts.csv\n"
          "  kenko test rules/scorecard.kenko\n"
          "  kenko run rules/scorecard.kenko data/accounts.csv\n",
          dir);
  return KENKO_OK;
}
