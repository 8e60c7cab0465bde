/* shown.h — text for a terminal, for code that has its own output buffer
 * (diag.c): the escapes of buf_shown (base/buf.h). */
#ifndef KENKO_SHOWN_H
#define KENKO_SHOWN_H

#include <stddef.h>

/* S[0..n) with its control characters (C0, DEL, C1) shown as \t \n \r
 * or \xHH, as buf_shown does unquoted; malloc'ed, NUL-terminated. */
char *shown_dup(const char *s, size_t n);

#endif
