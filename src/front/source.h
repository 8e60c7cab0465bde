/* source.h — source files: loading, line maps, UTF-8 validation, and
 * turning a byte offset into a line and a display column.
 *
 * A Span names bytes [begin, end) of one file of a SourceSet. Line and
 * column are computed only when a diagnostic is rendered. Columns are
 * display columns (1-based): an East Asian wide or fullwidth character
 * counts 2, a combining mark 0, a tab advances to the next multiple of 8. */
#ifndef KENKO_SOURCE_H
#define KENKO_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct Span {
  int32_t file;   /* index into SourceSet.files; -1 for no location */
  uint32_t begin; /* byte offset of the first byte */
  uint32_t end;   /* byte offset one past the last byte */
} Span;

#define SPAN_NONE ((Span){-1, 0, 0})

typedef struct Source {
  int32_t id;            /* index in its SourceSet */
  char *path;            /* as given (or resolved for includes) */
  char *text;            /* file bytes, NUL-terminated (may hold NULs) */
  uint32_t len;          /* bytes in text, excluding the final NUL */
  uint32_t *line_starts; /* byte offset of each line's first byte */
  uint32_t nlines;
  int32_t included_from; /* file id of the includer, or -1 */
  Span include_span;     /* the `include` declaration that brought it in */
} Source;

typedef struct SourceSet {
  Source **files;
  int32_t count;
  int32_t cap;
} SourceSet;

/* Largest rule file accepted (bytes). */
#define KENKO_MAX_SOURCE_BYTES (64u * 1024u * 1024u)

void src_init(SourceSet *set);
void src_free(SourceSet *set);
/* Adds a file read from PATH. Returns its id, or -1 when it cannot be read
 * (then *errmsg is set to a static or strerror text). */
int32_t src_load_file(SourceSet *set, const char *path, const char **errmsg);
/* The same for the file at OPEN_PATH, known as PATH. With REGULAR_ONLY
 * (includes), anything but a regular file — a FIFO, a device, a directory,
 * a socket — is refused at once ("not a regular file (a FIFO)"), without
 * waiting on it. */
int32_t src_load_file_at(SourceSet *set, const char *path, const char *open_path, bool regular_only,
                         const char **errmsg);
/* Adds a file from memory (tests, `kenko diff --git`); text is copied. */
int32_t src_add_text(SourceSet *set, const char *path, const char *text, size_t len);
const Source *src_get(const SourceSet *set, int32_t id);

/* 1-based line of OFFSET, and the 1-based display column within it. */
void src_line_col(const Source *s, uint32_t offset, int *line, int *col);
/* Bytes of line LINE (1-based), without its line terminator (\n or \r\n). */
const char *src_line_text(const Source *s, int line, uint32_t *len);

/* Display width of one code point (0, 1 or 2). */
int utf8_cp_width(uint32_t cp);
/* Decodes one UTF-8 sequence at S (N bytes available). Returns its length,
 * or 0 when the bytes are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated). */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);
/* Display width of a string: tabs count to the next multiple of 8 from
 * START_COL (0-based); invalid bytes count 1. */
int utf8_display_width(const char *s, size_t n, int start_col);
/* Offset of the first invalid UTF-8 byte in S, or -1 when all is valid. */
long utf8_first_invalid(const char *s, size_t n);

#endif
