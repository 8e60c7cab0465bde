/* check.h — the checker: fills a Program (front/program.h) from the
 * parsed declarations: names resolved, expressions typed, the dependency
 * graph ordered, warnings. Its internals are in check_int.h. */
#ifndef KENKO_CHECK_H
#define KENKO_CHECK_H

#include "front/program.h"

/* Checks a parsed program (called by program_load). */
void check_program(Program *p, Node **decls, int32_t ndecls, Diag *diag);

/* load.c: loads PATH and its includes, parses and checks them. Always returns a
 * Program (free with program_free); *errors receives the error count
 * (the Program must not be compiled when it is non-zero). When TEXT is
 * not NULL it is used instead of reading PATH. */
Program *program_load(const char *path, const char *text, size_t len, Diag *diag, int *errors);

/* Where rule files come from when not from disk (kenko_load_opts.read_file,
 * e.g. a git revision): returns malloc'ed bytes and sets *len, or NULL
 * with *err set. */
typedef struct RuleReader {
  char *(*read_file)(void *ud, const char *path, size_t *len, const char **err); /* NULL: disk */
  void *ud;
  /* A directory whose tree includes may read besides the main file's
   * (kenko_load_opts.include_root), or NULL. */
  const char *include_root;
} RuleReader;

/* program_load, reading the main file (unless TEXT is given) and every
 * include through READER->read_file when it is set. Includes are then
 * told apart by their paths normalized as text ("a/../b" is "b"), since
 * the files need not exist on disk. Includes stay inside the main file's
 * directory tree and READER->include_root's (docs/security.md). */
Program *program_load_with(const char *path, const char *text, size_t len, const RuleReader *reader,
                           Diag *diag, int *errors);

#endif
