/* sha256.h — SHA-256 (FIPS 180-4), for the rules' fingerprint: in one
 * call, or fed piece by piece. */
#ifndef KENKO_SHA256_H
#define KENKO_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SHA-256 of DATA as 64 lowercase hex digits (and a NUL). */
void sha256_hex(const unsigned char *data, size_t len, char out[65]);

typedef struct Sha256 {
  uint32_t h[8];
  uint64_t total;
  unsigned char buf[64];
  size_t buflen;
  /* folds N 64-byte blocks at P into H (the way sha256_init chose) */
  void (*blocks)(uint32_t h[8], const unsigned char *p, size_t n);
} Sha256;

/* The ways to compute it: plain C, or the x86 SHA extensions. */
typedef enum Sha256Way { SHA256_PORTABLE, SHA256_X86_SHA } Sha256Way;

/* Starts C the fastest way this processor has. */
void sha256_init(Sha256 *c);
/* Starts C computing WAY's way; false (C untouched) when this processor
 * or build lacks it. For the tests, which check every way. */
bool sha256_init_way(Sha256 *c, Sha256Way way);
bool sha256_way_available(Sha256Way way);
void sha256_update(Sha256 *c, const void *data, size_t len);
void sha256_final(Sha256 *c, unsigned char digest[32]);

#endif
