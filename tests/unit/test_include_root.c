/* test_include_root.c — the include root through the library
 * (kenko_load_opts.include_root), as the language server will use it:
 * rule text from memory, includes on disk or through a read_file hook.
 * The CLI's cases are in tests/regressions/include_*. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kenko.h"

typedef struct Seen {
  char messages[2048];
  int asked;          /* read_file calls */
  char last_ask[256]; /* the last path read_file was asked for */
} Seen;

static void keep(void *ud, const kenko_diag *d) {
  Seen *s = ud;
  size_t n = strlen(s->messages);
  snprintf(s->messages + n, sizeof s->messages - n, "%s\n", d->message);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

/* A scratch tree: DIR/rules/ (the main file's directory), DIR/shared/x.kenko
 * and DIR/secret.env. */
static char *make_tree(void) {
  char *dir = strdup("/tmp/kenko-incroot-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  char path[512];
  snprintf(path, sizeof path, "%s/rules", dir);
  cr_assert_eq(mkdir(path, 0700), 0);
  snprintf(path, sizeof path, "%s/shared", dir);
  cr_assert_eq(mkdir(path, 0700), 0);
  snprintf(path, sizeof path, "%s/shared/x.kenko", dir);
  write_file(path, "input x: number\n");
  snprintf(path, sizeof path, "%s/secret.env", dir);
  write_file(path, "SECRET_TOKEN=hunter2\n");
  return dir;
}

static void remove_tree(char *dir) {
  char path[512];
  const char *files[] = {"shared/x.kenko", "secret.env", "shared", "rules", ""};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    remove(path);
  }
  free(dir);
}

static const char main_text[] = "include \"../shared/x.kenko\"\n"
                                "dimension d {\n  rule r : x > 1\n}\n";

Test(include_root, text_refused_outside_the_main_files_directory) {
  char *dir = make_tree();
  char path[512], root[512];
  snprintf(path, sizeof path, "%s/rules/main.kenko", dir);
  Seen seen = {0};
  kenko_load_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.diag = keep;
  opts.diag_ud = &seen;
  int status = -1;
  kenko_rules *rules = kenko_load_text(path, main_text, strlen(main_text), &opts, &status);
  cr_expect_null(rules);
  cr_expect_eq(status, KENKO_ERR_RULES);
  cr_expect(strstr(seen.messages, "outside the include root") != NULL, "%s", seen.messages);

  /* Widened: the same text loads. */
  memset(&seen, 0, sizeof seen);
  snprintf(root, sizeof root, "%s/shared", dir);
  opts.include_root = root;
  rules = kenko_load_text(path, main_text, strlen(main_text), &opts, &status);
  cr_expect_not_null(rules, "%s", seen.messages);
  cr_expect_eq(status, KENKO_OK);
  kenko_rules_free(rules);

  /* Widened elsewhere: the secret beside the rules' directory stays out,
   * and its text is never in a message. */
  memset(&seen, 0, sizeof seen);
  static const char secret_text[] = "include \"../secret.env\"\n";
  rules = kenko_load_text(path, secret_text, strlen(secret_text), &opts, &status);
  cr_expect_null(rules);
  cr_expect(strstr(seen.messages, "outside the include roots") != NULL, "%s", seen.messages);
  cr_expect(strstr(seen.messages, "hunter2") == NULL);

  /* An include root that is not a directory is a usage error. */
  memset(&seen, 0, sizeof seen);
  snprintf(root, sizeof root, "%s/secret.env", dir);
  rules = kenko_load_text(path, main_text, strlen(main_text), &opts, &status);
  cr_expect_null(rules);
  cr_expect_eq(status, KENKO_ERR_USAGE);
  cr_expect(strstr(seen.messages, "not a directory") != NULL, "%s", seen.messages);
  remove_tree(dir);
}

static char *serve_anything(void *ud, const char *path, size_t *len, const char **err) {
  Seen *s = ud;
  (void)err;
  s->asked++;
  snprintf(s->last_ask, sizeof s->last_ask, "%s", path);
  static const char text[] = "input x: number\n";
  *len = strlen(text);
  return strdup(text);
}

/* With a read_file hook the root is compared as text, and a refused
 * include is never asked for. */
Test(include_root, hook_is_not_asked_outside_the_root) {
  Seen seen = {0};
  kenko_load_opts opts;
  memset(&opts, 0, sizeof opts);
  opts.diag = keep;
  opts.diag_ud = &seen;
  opts.read_file = serve_anything;
  opts.read_ud = &seen;
  int status = -1;
  static const char text[] = "include \"../../etc/x.kenko\"\ninclude \"/etc/y.kenko\"\n"
                             "dimension d {\n  rule r : x > 1\n}\n";
  kenko_rules *rules = kenko_load_text("rules/main.kenko", text, strlen(text), &opts, &status);
  cr_expect_null(rules);
  cr_expect_eq(seen.asked, 0, "asked for %s", seen.last_ask);
  cr_expect(strstr(seen.messages, "outside the include root") != NULL, "%s", seen.messages);
  cr_expect(strstr(seen.messages, "an absolute path") != NULL, "%s", seen.messages);

  /* Inside the root (after "..") it is asked for, by its clean path. */
  memset(&seen, 0, sizeof seen);
  static const char ok[] = "include \"sub/../x.kenko\"\ndimension d {\n  rule r : x > 1\n}\n";
  rules = kenko_load_text("rules/main.kenko", ok, strlen(ok), &opts, &status);
  cr_expect_not_null(rules, "%s", seen.messages);
  cr_expect_eq(seen.asked, 1);
  cr_expect_str_eq(seen.last_ask, "rules/x.kenko");
  kenko_rules_free(rules);

  /* include_root widens it by text too. */
  memset(&seen, 0, sizeof seen);
  static const char shared[] = "include \"../shared/x.kenko\"\ndimension d {\n  rule r : x > 1\n}\n";
  opts.include_root = "shared";
  rules = kenko_load_text("rules/main.kenko", shared, strlen(shared), &opts, &status);
  cr_expect_not_null(rules, "%s", seen.messages);
  cr_expect_str_eq(seen.last_ask, "shared/x.kenko");
  kenko_rules_free(rules);
}
