/* buf.c — the output buffer (see buf.h). */
#include "base/buf.h"
#include "base/shown.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/arena.h"
#include "base/numfmt.h"

void buf_init(Buf *b, FILE *out) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->out = out;
  b->nums = NULL;
}

void buf_free(Buf *b) {
  free(b->data);
  free(b->nums);
  b->data = NULL;
  b->nums = NULL;
  b->len = b->cap = 0;
}

void buf_grow(Buf *b, size_t more) {
  if (b->len + more + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + more + 1)
    cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void buf_printf(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0) return;
  buf_reserve(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void buf_num2(Buf *b, double x) {
  if (isnan(x)) {
    buf_puts(b, "n/a");
    return;
  }
  char tmp[64];
  buf_put(b, tmp, (size_t)num_format2(x, tmp));
}

void buf_num_cache_make(Buf *b) {
  b->nums = xmalloc(sizeof *b->nums);
  for (size_t i = 0; i < sizeof b->nums->e / sizeof *b->nums->e; i++)
    b->nums->e[i] = (NumEntry){.bits = 0, .len = 1, .text = "0"}; /* +0.0 */
}

void buf_num_any(Buf *b, double x) {
  buf_reserve(b, NUM_ROOM);
  b->len += buf_num_at(b, b->data + b->len, x);
}

#ifdef __SSE2__
/* Whether a byte of V needs escaping in a JSON string: below 0x20 (the
 * unsigned minimum with 0x1F is the byte), '"' or '\\'. */
static inline bool json_sift16(__m128i v) {
  __m128i low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
  __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
  return _mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(quote, slash))) != 0;
}
#endif

void buf_json_str(Buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  buf_reserve(b, n * 6 + 2); /* the worst case: every byte \u00XX */
  char *out = b->data + b->len;
  *out++ = '"';
  size_t i = 0;
#ifdef __SSE2__
  /* 16 bytes at a time while none needs escaping, the last 16 (some
   * already written, the same) for the rest; a string of 4 to 16 bytes
   * as its first and last 8 (or 4) bytes in one register. Nothing is
   * read outside S[0..n). */
  if (n >= 16) {
    for (; i + 16 <= n; i += 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
      if (json_sift16(v)) break;
      _mm_storeu_si128((__m128i *)(void *)(out + i), v);
    }
    if (i < n && i + 16 > n) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
      if (!json_sift16(v)) {
        _mm_storeu_si128((__m128i *)(void *)(out + n - 16), v);
        i = n;
      }
    }
  } else if (n >= 4) {
    uint64_t head, tail;
    if (n >= 8) {
      memcpy(&head, s, 8);
      memcpy(&tail, s + n - 8, 8);
    } else {
      uint32_t h4, t4;
      memcpy(&h4, s, 4);
      memcpy(&t4, s + n - 4, 4);
      head = h4 * 0x100000001ull; /* each half of the word the same four bytes */
      tail = t4 * 0x100000001ull;
    }
    if (!json_sift16(_mm_set_epi64x((int64_t)tail, (int64_t)head))) {
      if (n >= 8) {
        memcpy(out, &head, 8);
        memcpy(out + n - 8, &tail, 8);
      } else {
        memcpy(out, &head, 4);
        memcpy(out + n - 4, &tail, 4);
      }
      i = n;
    }
  }
  out += i;
#else
  /* eight bytes at a time while none needs escaping: no byte below 0x20
   * ((v − 0x20…) & ~v has a byte's top bit set exactly when some byte is
   * below 0x20; bytes of 0x80 and up, UTF-8, have theirs set in v), and
   * none equal to '"' or '\\' (a zero byte of v XOR the character, found
   * the same way below 0x01) */
  const uint64_t ones = 0x0101010101010101ull, tops = 0x8080808080808080ull;
  for (; i + 8 <= n; i += 8) {
    uint64_t v, quote, slash;
    memcpy(&v, s + i, 8);
    quote = v ^ (ones * '"');
    slash = v ^ (ones * '\\');
    if ((((v - ones * 0x20) & ~v) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) & tops) break;
    memcpy(out, &v, 8);
    out += 8;
  }
  if (i < n && i >= 8 && i + 8 > n) { /* the last 1 to 7 bytes, after words that needed nothing: as the
                                          last eight (some already written, the same) when none needs it */
    uint64_t v, quote, slash;
    memcpy(&v, s + n - 8, 8);
    quote = v ^ (ones * '"');
    slash = v ^ (ones * '\\');
    if (!((((v - ones * 0x20) & ~v) | ((quote - ones) & ~quote) | ((slash - ones) & ~slash)) & tops)) {
      memcpy(out - (i + 8 - n), &v, 8); /* i + 8 > n: back 1 to 7 bytes */
      out += n - i;
      i = n;
    }
  }
#endif
  for (; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') {
      *out++ = (char)c;
      continue;
    }
    *out++ = '\\';
    switch (c) {
    case '"': *out++ = '"'; break;
    case '\\': *out++ = '\\'; break;
    case '\n': *out++ = 'n'; break;
    case '\r': *out++ = 'r'; break;
    case '\t': *out++ = 't'; break;
    default:
      *out++ = 'u';
      *out++ = '0';
      *out++ = '0';
      *out++ = hex[c >> 4];
      *out++ = hex[c & 15];
    }
  }
  *out++ = '"';
  b->len = (size_t)(out - b->data);
}

bool text_has_controls(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9F)
      return true;
  }
  return false;
}

char *shown_dup(const char *s, size_t n) {
  Buf b;
  buf_init(&b, NULL);
  buf_shown(&b, s, n, false);
  buf_putc(&b, '\0');
  return b.data;
}

void buf_shown(Buf *b, const char *s, size_t n, bool quoted) {
  static const char hex[] = "0123456789ABCDEF";
  if (quoted) buf_putc(b, '"');
  size_t from = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    bool c1 = c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9F;
    if (!(c < 0x20 || c == 0x7F || c1 || (quoted && (c == '"' || c == '\\')))) continue;
    buf_put(b, s + from, i - from);
    char esc[8] = {'\\', 0};
    size_t len = 2;
    switch (c) {
    case '\t': esc[1] = 't'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '"':
    case '\\': esc[1] = (char)c; break;
    default: /* the bytes: \xHH, or \xC2\xHH for a C1 character */
      len = 0;
      for (size_t k = 0; k <= (size_t)c1; k++) {
        unsigned char byte = (unsigned char)s[i + k];
        esc[len++] = '\\';
        esc[len++] = 'x';
        esc[len++] = hex[byte >> 4];
        esc[len++] = hex[byte & 15];
      }
      break;
    }
    i += c1;
    from = i + 1;
    buf_put(b, esc, len);
  }
  buf_put(b, s + from, n - from);
  if (quoted) buf_putc(b, '"');
}

void buf_csv_cell_safe(Buf *b, const char *s, size_t n) {
  if (n == 0 || !strchr("=+-@\t\r", s[0])) {
    buf_csv_cell(b, s, n);
    return;
  }
  buf_reserve(b, 2 * n + 3);
  char *out = b->data + b->len;
  *out++ = '"';
  *out++ = '\'';
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') *out++ = '"';
    *out++ = s[i];
  }
  *out++ = '"';
  b->len = (size_t)(out - b->data);
}

/* Whether S[0..n) holds one of , " CR LF: words of 8 (or 4) bytes
 * sifted for a byte below 0x2D (csv_sift), the bytes looked at one by
 * one only after that (a space, '!', '#'...'+'). */
static bool csv_needs_quotes(const char *s, size_t n) {
  uint64_t low = 0;
  if (n >= 8) {
    uint64_t v;
    for (size_t i = 0; i + 8 < n; i += 8) {
      memcpy(&v, s + i, 8);
      low |= csv_sift(v);
    }
    memcpy(&v, s + n - 8, 8); /* the last 8 (overlapping the word before) */
    low |= csv_sift(v);
  } else if (n >= 4) {
    uint32_t v, w; /* the first 4 and the last 4 */
    memcpy(&v, s, 4);
    memcpy(&w, s + n - 4, 4);
    low = csv_sift((uint64_t)v << 32 | w);
  } else {
    for (size_t i = 0; i < n; i++)
      low |= (unsigned char)s[i] < 0x2D;
  }
  if (!low) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

char *csv_cell_any(char *out, const char *s, size_t n) {
  if (!csv_needs_quotes(s, n)) {
    memcpy(out, s, n);
    return out + n;
  }
  *out++ = '"';
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') *out++ = '"';
    *out++ = s[i];
  }
  *out++ = '"';
  return out;
}

void buf_csv_cell(Buf *b, const char *s, size_t n) {
  buf_reserve(b, CSV_CELL_ROOM(n));
  b->len = (size_t)(csv_cell_at(b->data + b->len, s, n) - b->data);
}

void buf_flush(Buf *b, size_t limit) {
  if (b->len == 0 || b->len < limit) return;
  if (b->out) fwrite(b->data, 1, b->len, b->out);
  b->len = 0;
}

void buf_json_num(Buf *b, double x) {
  if (isnan(x) || isinf(x))
    buf_puts(b, "null");
  else
    buf_num(b, x);
}

void buf_json_cstr(Buf *b, const char *s) {
  if (s)
    buf_json_str(b, s, strlen(s));
  else
    buf_puts(b, "null");
}

void buf_u64(Buf *b, uint64_t n) {
  buf_reserve(b, 20);
  b->len += (size_t)uint_text(b->data + b->len, n);
}

void buf_account(Buf *b, const char *id, const char *name) {
  buf_shown(b, id, strlen(id), false);
  if (!name) return;
  buf_puts(b, " (");
  buf_shown(b, name, strlen(name), false);
  buf_putc(b, ')');
}
