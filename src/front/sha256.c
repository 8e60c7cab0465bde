/* sha256.c — SHA-256 (FIPS 180-4), used to fingerprint rule files so an
 * output line names the exact rules that scored it (see source.h).
 *
 * Two ways to fold blocks into the state: the portable one (plain C),
 * and on x86 processors with the SHA extensions (SHA-NI, with SSSE3 and
 * SSE4.1), their instructions, about ten times fewer. sha256_init picks
 * the second where the processor has it (asked with CPUID, each time: a
 * fingerprint is taken once a run); both are tested against the FIPS
 * vectors (tests/unit/test_source.c). */
#include "front/sha256.h"

#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define SHA256_HAVE_X86 1
#include <cpuid.h>
#include <immintrin.h>
#endif

/* The first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes (FIPS 180-4, 4.2.2). */
static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/* The first 32 bits of the fractional parts of the square roots of the
 * first 8 primes (FIPS 180-4, 5.3.3). */
static const uint32_t initial_hash[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static uint32_t load_be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v >> 24);
  p[1] = (unsigned char)(v >> 16);
  p[2] = (unsigned char)(v >> 8);
  p[3] = (unsigned char)v;
}

/* One round of FIPS 180-4, 6.2.2 step 3, with the eight working
 * variables named in the order of that round: instead of shifting them
 * along (h = g, g = f, ...), each round names them one place further on,
 * so eight rounds written out (SHA_EIGHT) end with them back in place.
 * Ch(e,f,g) = g ^ (e & (f ^ g)) and Maj(a,b,c) = (a & b) | (c & (a | b)),
 * and the sums as one rotation of nested ones (rotr(x,6) ^ rotr(x,11) ^
 * rotr(x,25) = rotr(x ^ rotr(x ^ rotr(x,14), 5), 6)): the same bits as
 * the standard's forms, in fewer operations. */
#define SHA_ROUND(a, b, c, d, e, f, g, h, t)                                                                 \
  do {                                                                                                       \
    uint32_t t1 =                                                                                            \
        h + rotr(e ^ rotr(e ^ rotr(e, 14), 5), 6) + (g ^ (e & (f ^ g))) + round_constants[t] + w[t];         \
    uint32_t t2 = rotr(a ^ rotr(a ^ rotr(a, 9), 11), 2) + ((a & b) | (c & (a | b)));                         \
    d += t1;                                                                                                 \
    h = t1 + t2;                                                                                             \
  } while (0)

#define SHA_EIGHT(t)                                                                                         \
  do {                                                                                                       \
    SHA_ROUND(a, b, c, d, e, f, g, k, (t));                                                                  \
    SHA_ROUND(k, a, b, c, d, e, f, g, (t) + 1);                                                              \
    SHA_ROUND(g, k, a, b, c, d, e, f, (t) + 2);                                                              \
    SHA_ROUND(f, g, k, a, b, c, d, e, (t) + 3);                                                              \
    SHA_ROUND(e, f, g, k, a, b, c, d, (t) + 4);                                                              \
    SHA_ROUND(d, e, f, g, k, a, b, c, (t) + 5);                                                              \
    SHA_ROUND(c, d, e, f, g, k, a, b, (t) + 6);                                                              \
    SHA_ROUND(b, c, d, e, f, g, k, a, (t) + 7);                                                              \
  } while (0)

/* Folds one 64-byte block into the hash state (FIPS 180-4, 6.2.2). */
static void compress(uint32_t h[8], const unsigned char block[64]) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = load_be32(block + 4 * t);
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = rotr(w[t - 15] ^ rotr(w[t - 15], 11), 7) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2] ^ rotr(w[t - 2], 2), 17) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  uint32_t e = h[4], f = h[5], g = h[6], k = h[7];
  for (int t = 0; t < 64; t += 8)
    SHA_EIGHT(t);
  h[0] += a, h[1] += b, h[2] += c, h[3] += d;
  h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void blocks_portable(uint32_t h[8], const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    compress(h, p + 64 * i);
}

#ifdef SHA256_HAVE_X86
/* The same with the SHA extensions. The state is kept as the
 * instructions want it, ABEF and CDGH (a in the highest lane); each
 * sha256rnds2 does two rounds, taking the two message words plus round
 * constants from the low half of its third operand; sha256msg1 and
 * sha256msg2 compute the next four schedule words from the sixteen
 * before them (msg1: W[t-16] + sigma0(W[t-15]); then W[t-7] added by
 * hand; msg2: sigma1(W[t-2]), two lanes at a time). */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_x86(uint32_t h[8], const unsigned char *p,
                                                                   size_t n) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i dcba = _mm_loadu_si128((const __m128i *)(const void *)h);
  __m128i hgfe = _mm_loadu_si128((const __m128i *)(const void *)(h + 4));
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
  __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
  __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
  for (size_t b = 0; b < n; b++, p += 64) {
    __m128i abef_before = abef, cdgh_before = cdgh, w[4];
    for (int g = 0; g < 16; g++) { /* rounds 4g .. 4g+3 */
      if (g < 4) {
        w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * g)), byte_swap);
      } else {
        /* w[g % 4] holds W of group g-4, the others g-3, g-2, g-1 */
        __m128i t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
        t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
        w[g & 3] = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
      }
      __m128i k =
          _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)(const void *)(round_constants + 4 * g)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
    }
    abef = _mm_add_epi32(abef, abef_before);
    cdgh = _mm_add_epi32(cdgh, cdgh_before);
  }
  __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128((__m128i *)(void *)h, _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128((__m128i *)(void *)(h + 4), _mm_alignr_epi8(dchg, feba, 8));
}

/* Whether the processor has SHA-NI, SSSE3 and SSE4.1 (CPUID leaves 7
 * and 1). */
static bool have_x86_sha(void) {
  unsigned a, b, c, d;
  if (__get_cpuid_max(0, NULL) < 7 || !__get_cpuid(1, &a, &b, &c, &d)) return false;
  if (!(c & (1u << 9)) || !(c & (1u << 19))) return false; /* SSSE3, SSE4.1 */
  __cpuid_count(7, 0, a, b, c, d);
  return (b & (1u << 29)) != 0; /* SHA */
}
#endif

bool sha256_way_available(Sha256Way way) {
  switch (way) {
  case SHA256_PORTABLE: return true;
#ifdef SHA256_HAVE_X86
  case SHA256_X86_SHA: return have_x86_sha();
#endif
  default: return false;
  }
}

bool sha256_init_way(Sha256 *c, Sha256Way way) {
  if (!sha256_way_available(way)) return false;
  memcpy(c->h, initial_hash, sizeof c->h);
  c->total = 0;
  c->buflen = 0;
  c->blocks = blocks_portable;
#ifdef SHA256_HAVE_X86
  if (way == SHA256_X86_SHA) c->blocks = blocks_x86;
#endif
  return true;
}

void sha256_init(Sha256 *c) {
  if (!sha256_init_way(c, SHA256_X86_SHA)) sha256_init_way(c, SHA256_PORTABLE);
}

void sha256_update(Sha256 *c, const void *data, size_t len) {
  const unsigned char *p = data;
  c->total += len;
  if (c->buflen > 0) {
    size_t take = 64 - c->buflen < len ? 64 - c->buflen : len;
    memcpy(c->buf + c->buflen, p, take);
    c->buflen += take;
    p += take;
    len -= take;
    if (c->buflen < 64) return;
    c->blocks(c->h, c->buf, 1);
    c->buflen = 0;
  }
  c->blocks(c->h, p, len / 64);
  p += len / 64 * 64;
  len %= 64;
  if (len > 0) memcpy(c->buf, p, len);
  c->buflen = len;
}

/* Pads with 0x80, zeros and the bit length (big-endian), then writes the
 * digest. C must be re-initialised before it is used again. */
void sha256_final(Sha256 *c, unsigned char digest[32]) {
  uint64_t bits = c->total * 8;
  c->buf[c->buflen++] = 0x80;
  if (c->buflen > 56) {
    memset(c->buf + c->buflen, 0, 64 - c->buflen);
    c->blocks(c->h, c->buf, 1);
    c->buflen = 0;
  }
  memset(c->buf + c->buflen, 0, 56 - c->buflen);
  store_be32(c->buf + 56, (uint32_t)(bits >> 32));
  store_be32(c->buf + 60, (uint32_t)bits);
  c->blocks(c->h, c->buf, 1);
  for (int i = 0; i < 8; i++)
    store_be32(digest + 4 * i, c->h[i]);
}

void sha256_hex(const unsigned char *data, size_t len, char out[65]) {
  static const char hex[] = "0123456789abcdef";
  Sha256 c;
  unsigned char digest[32];
  sha256_init(&c);
  sha256_update(&c, data, len);
  sha256_final(&c, digest);
  for (int i = 0; i < 32; i++) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  out[64] = '\0';
}
