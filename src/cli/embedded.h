/* embedded.h — files compiled into the kenko binary (generated from
 * templates/init/ by scripts/embed-files.sh): what `kenko init` writes. */
#ifndef KENKO_CLI_EMBEDDED_H
#define KENKO_CLI_EMBEDDED_H

#include <stddef.h>

typedef struct EmbeddedFile {
  const char *path; /* relative to the new directory, `/`-separated */
  size_t size;      /* bytes in data */
  const char *data;
} EmbeddedFile;

extern const EmbeddedFile embedded_files[]; /* ended by a NULL path */

#endif
