/* sha256.h — SHA-256 (FIPS 180-4), for the rules' fingerprint: in one
 * call, or fed piece by piece. */
#ifndef KENKO_SHA256_H
#define KENKO_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* SHA-256 of DATA as 64 lowercase hex digits (and a NUL). */
void sha256_hex(const unsigned char *data, size_t len, char out[65]);

typedef struct Sha256 {
  uint32_t h[8];
  uint64_t total;
  unsigned char buf[64];
  size_t buflen;
} Sha256;
void sha256_init(Sha256 *c);
void sha256_update(Sha256 *c, const void *data, size_t len);
void sha256_final(Sha256 *c, unsigned char digest[32]);

#endif
