/* tight_floor.c — the tight floor for kenko's CSV speed: the least a CSV
 * scorer must do, done as fast as we know how. The file is mapped; each
 * 64-byte block gets bit masks of its quotes, delimiters and line feeds
 * (SSE2 compares), the quoted stretches are the prefix XOR of the quote
 * bits (carried from block to block), and the delimiters and line feeds
 * outside them split the cells; a cell of 1 to 8 digits is converted in
 * one go (SWAR), other numbers digit by digit. Nothing is checked, typed,
 * located or written. csv_floor.c is the older, looser floor (a byte loop
 * and strtod), kept so that figures stay comparable over time.
 *
 *   tight_floor FILE     prints "ROWS rows, SECONDS s, RATE rows/s"
 */
#include <emmintrin.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bits of the 64 bytes at P equal to C. */
static inline uint64_t eq_bits(const char *p, char c) {
  const __m128i v = _mm_set1_epi8(c);
  uint64_t bits = 0;
  for (int k = 0; k < 4; k++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    bits |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, v)) << (16 * k);
  }
  return bits;
}

/* Bit i set when an odd number of bits 0..i of X are set. */
static inline uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

/* 1 to 8 ASCII digits at S (readable for 8 bytes) as a number, at once. */
static inline int digits8(const char *s, size_t n, uint64_t *out) {
  if (n - 1 >= 8) return 0;
  uint64_t w;
  memcpy(&w, s, 8);
  unsigned shift = (unsigned)(8 - n) * 8;
  if (shift) w = (w << shift) | (UINT64_C(0x3030303030303030) >> (64 - shift));
  if ((w & UINT64_C(0xF0F0F0F0F0F0F0F0)) != UINT64_C(0x3030303030303030) ||
      ((w + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) != UINT64_C(0x3030303030303030))
    return 0;
  w -= UINT64_C(0x3030303030303030);
  w = w * 10 + (w >> 8);
  w = (((w & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32))) +
       (((w >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32)))) >>
      32;
  *out = w;
  return 1;
}

typedef struct Floor {
  unsigned long long rows, cells;
  double sum; /* keeps the conversions from being optimized out */
} Floor;

/* One cell S[0..N) (a CR before a line feed dropped, quotes kept); S is
 * readable up to LIMIT. */
static inline void cell(Floor *f, const char *s, size_t n, const char *limit) {
  f->cells++;
  if (n && s[n - 1] == '\r') n--;
  uint64_t v;
  if (s + 8 <= limit && digits8(s, n, &v)) {
    f->sum += (double)v;
  } else if (n && ((unsigned char)(s[0] - '0') <= 9 || s[0] == '-')) {
    double x = 0, scale = 0;
    for (size_t i = s[0] == '-'; i < n; i++) {
      if (s[i] == '.')
        scale = 1;
      else if ((unsigned char)(s[i] - '0') <= 9)
        x = x * 10 + (s[i] - '0'), scale *= 10;
      else
        return;
    }
    f->sum += scale > 0 ? x / scale : x;
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: tight_floor FILE\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    perror(argv[1]);
    return 2;
  }
  size_t size = (size_t)st.st_size;
  const char *data = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
  if (data == MAP_FAILED) {
    perror("mmap");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  Floor f = {0, 0, 0};
  uint64_t inside = 0; /* all ones while a quoted stretch runs on */
  const char *start = data;
  char tail[64 + 8];
  for (size_t at = 0; at < size; at += 64) {
    const char *block = data + at;
    if (size - at < 64) { /* the last block, padded with NULs */
      memset(tail, 0, sizeof tail);
      memcpy(tail, block, size - at);
      block = tail;
    }
    uint64_t quoted = prefix_xor(eq_bits(block, '"')) ^ inside;
    inside = (uint64_t)((int64_t)quoted >> 63);
    uint64_t newline = eq_bits(block, '\n') & ~quoted;
    uint64_t stops = (eq_bits(block, ',') & ~quoted) | newline;
    while (stops) {
      int i = __builtin_ctzll(stops);
      const char *end = data + at + i;
      /* the cell's bytes: in the file, or in the padded copy at its end */
      if (block == tail && start >= data + at)
        cell(&f, tail + (start - data - at), (size_t)(end - start), tail + sizeof tail);
      else
        cell(&f, start, (size_t)(end - start), data + size);
      if (newline >> i & 1) f.rows++;
      start = end + 1;
      stops &= stops - 1;
    }
  }
  if (start < data + size) f.rows++;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  unsigned long long rows = f.rows ? f.rows - 1 : 0; /* minus the header */
  printf("%llu rows, %llu cells, %.3f s, %.0f rows/s (checksum %g)\n", rows, f.cells, secs,
         secs > 0 ? (double)rows / secs : 0.0, f.sum);
  return 0;
}
