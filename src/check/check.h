/* check.h — the checker: fills a Program (front/program.h) from the
 * parsed declarations: names resolved, expressions typed, the dependency
 * graph ordered, warnings. Its internals are in check_int.h. */
#ifndef KENKO_CHECK_H
#define KENKO_CHECK_H

#include "front/program.h"

/* Checks a parsed program (called by program_load). */
void check_program(Program *p, Node **decls, int32_t ndecls, Diag *diag);

#endif
