/* fmt.h — `kenko fmt`: the canonical layout of a rule file (LANGUAGE.md §9).
 *
 * The formatter works on the real scanner's tokens and changes only the
 * white space between them: the token sequence and every comment are
 * kept, and the result is checked for that before it is returned. The
 * parser's syntax tree only says where declarations and members start,
 * which braces are blocks, and what lines up in columns. */
#ifndef KENKO_FMT_H
#define KENKO_FMT_H

#include <stddef.h>

#include "front/diag.h"
#include "front/source.h"

/* Formats FILE of SOURCES. Returns the formatted text (malloc'ed, *len
 * bytes, NUL-terminated), or NULL when the file has syntax errors
 * (reported to DIAG: a file that does not parse is never formatted). */
char *fmt_source(const SourceSet *sources, int32_t file, Diag *diag, size_t *len);

/* Widest line fmt makes by breaking before `and`/`or` (display columns). */
#define FMT_MAX_WIDTH 100

#endif
