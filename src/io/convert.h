/* convert.h — the usual spellings of data cells (plain decimals,
 * true/false, YYYY-MM-DD, valid text), converted inline by the readers:
 * every cell of every account comes through here, and a call to
 * convert_cell (reader.h), which handles everything else and writes the
 * messages, costs more than the conversion itself. Internal to the
 * readers (convert.c, read_csv.c, read_yaml.c). */
#ifndef KENKO_CONVERT_H
#define KENKO_CONVERT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/arena.h"
#include "io/reader.h"
#include "base/value.h"

/* Powers of ten that a double holds exactly. */
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The common case, [-]digits[.digits] with at most 19 digits, in one
 * tight loop; false for anything else (then parse_number goes on). */
static inline bool simple_decimal(const char *s, size_t n, double *out) {
  size_t i = s[0] == '-';
  uint64_t mantissa = 0;
  size_t int_start = i;
  unsigned digit;
  while (i < n && (digit = (unsigned char)s[i] - '0') <= 9) {
    mantissa = mantissa * 10 + digit;
    i++;
  }
  size_t digits = i - int_start, frac = 0;
  if (i < n && s[i] == '.') {
    size_t frac_start = ++i;
    while (i < n && (digit = (unsigned char)s[i] - '0') <= 9) {
      mantissa = mantissa * 10 + digit;
      i++;
    }
    frac = i - frac_start;
  }
  if (i != n || digits + frac == 0 || digits + frac > 19 || mantissa > (UINT64_C(1) << 53)) return false;
  double x = (double)mantissa;
  if (frac) x /= exact_pow10[frac];
  *out = s[0] == '-' ? -x : x;
  return true;
}

/* S[0..N) as an integer when it is 0 to 8 ASCII digits (none: 0), all at
 * once (no loop whose end the branch predictor has to guess); S must be
 * readable for 8 bytes. False otherwise, and on big-endian machines. The
 * digits, less '0', are lined up at the top of a little-endian word (the
 * bytes below are 0: leading zeros), checked together (each byte at most
 * 9: no high nibble, before or after adding 6; a byte that carries into
 * the next is a bad one already), then combined pairwise. Up to 4 bytes
 * in half a word, fewer steps; the empty cell among them without a branch
 * of its own (its 4 bytes shifted past the half word), so that a column
 * of short numbers with empty cells here and there costs no mispredicted
 * branch (fast_step in read_csv.c). */
static inline __attribute__((always_inline)) bool digits_short(const char *s, size_t n, uint64_t *value) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n <= 4) {
    uint32_t h;
    memcpy(&h, s, 4);
    h = (uint32_t)((uint64_t)(h ^ 0x30303030u) << (32 - 8 * n)); /* (4 - n) bytes up */
    if ((h | (h + 0x06060606u)) & 0xF0F0F0F0u) return false;
    h = h * 10 + (h >> 8); /* byte 0: the first pair, byte 2: the second */
    /* first * 100 + second in bits 16..31 of one product (the rest of it
     * below them, or past 32 bits) */
    *value = ((h & 0xFF00FFu) * (1 + (100u << 16))) >> 16;
    return true;
  }
  if (n > 8) return false;
  uint64_t w;
  memcpy(&w, s, 8);
  w = (w ^ UINT64_C(0x3030303030303030)) << ((8 - n) * 8);
  if ((w | (w + UINT64_C(0x0606060606060606))) & UINT64_C(0xF0F0F0F0F0F0F0F0)) return false;
  w = w * 10 + (w >> 8);
  w = (((w & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32))) +
       (((w >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32)))) >>
      32;
  *value = w;
  return true;
#else
  (void)s, (void)n, (void)value;
  return false;
#endif
}

/* digits_short for 1 to 8 digits (the empty cell refused). */
static inline __attribute__((always_inline)) bool digits8(const char *s, size_t n, uint64_t *value) {
  return n && digits_short(s, n, value);
}

/* The commonest bool cells without a branch on the length: true or
 * false in any case, or nothing at all (N = 0), S readable for 8 bytes.
 * True with *B set (false for the empty cell), false for anything else
 * (then bool_usual goes on) and on big-endian machines. The cell's first
 * 8 bytes are one word, lowered by `| 0x20` as in bool_usual (which
 * leaves no byte zero) and cut to N bytes (the bytes past it zero), and
 * both words are compared with it at once: only a cell of 4 bytes can
 * equal "true" and its 4 zero bytes, of 5 "false", and only the empty
 * cell is 0. */
static inline __attribute__((always_inline)) bool bool_short(const char *s, size_t n, bool *b) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  static const uint64_t first[9] = {0,
                                    0xFF,
                                    0xFFFF,
                                    0xFFFFFF,
                                    0xFFFFFFFF,
                                    UINT64_C(0xFFFFFFFFFF),
                                    UINT64_C(0xFFFFFFFFFFFF),
                                    UINT64_C(0xFFFFFFFFFFFFFF),
                                    ~UINT64_C(0)}; /* the first N bytes */
  uint64_t w;
  memcpy(&w, s, 8);
  w = (w | UINT64_C(0x2020202020202020)) & first[n < 8 ? n : 8];
  bool yes = w == UINT64_C(0x65757274), no = w == UINT64_C(0x65736c6166);
  *b = yes;
  return yes | no | (w == 0);
#else
  (void)s, (void)n, (void)b;
  return false;
#endif
}

/* True when S is plain ASCII without NUL bytes (the common case, checked
 * a word at a time). */
static inline bool plain_ascii(const char *s, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    /* High bit set in any byte, or any byte zero. */
    if ((w & UINT64_C(0x8080808080808080)) ||
        ((w - UINT64_C(0x0101010101010101)) & ~w & UINT64_C(0x8080808080808080)))
      return false;
  }
  for (; i < n; i++)
    if (s[i] == '\0' || (unsigned char)s[i] >= 0x80) return false;
  return true;
}

/* True when S is valid UTF-8 (as utf8_decode reads it: no overlongs,
 * surrogates or code points past U+10FFFF) without NUL bytes: one pass,
 * with the 3-byte sequences of Japanese text checked first. */
static inline bool clean_utf8(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s, *end = p + n;
  while (p < end) {
    unsigned char b = *p;
    if (b < 0x80) {
      if (b == 0) return false;
      p++;
    } else if (end - p >= 4 && (b & 0xF0) == 0xE0) {
      /* the 3-byte sequences of Japanese text, checked in one word:
       * continuation bytes, and neither E0 80..9F (overlong) nor ED A0..BF
       * (surrogates), told by E0/ED's low nibble and bit 5 of the second */
      uint32_t w;
      memcpy(&w, p, 4);
      uint32_t mark = w & 0x200F;
      if ((w & 0xC0C000) != 0x808000 || mark == 0 || mark == 0x200D) return false;
      p += 3;
    } else if (b >= 0xE0 && b <= 0xEF) {
      if (end - p < 3) return false;
      unsigned char lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
      if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return false;
      p += 3;
    } else if (b >= 0xC2 && b <= 0xDF) {
      if (end - p < 2 || (p[1] & 0xC0) != 0x80) return false;
      p += 2;
    } else if (b >= 0xF0 && b <= 0xF4) {
      if (end - p < 4) return false;
      unsigned char lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
      if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return false;
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

/* True when S, which holds no NUL byte, is valid UTF-8 (as clean_utf8
 * says), with S readable up to the next multiple of 16 bytes past N. A
 * cell of up to 62 bytes is read 16 bytes at a time into bit masks (bit
 * i: byte i): none of its bytes high (ASCII), or every high byte a
 * continuation byte or the lead of a 3-byte sequence (E1..EF but ED:
 * Japanese text), each lead followed by exactly two continuations.
 * Anything else (2- and 4-byte sequences, E0 and ED, whose second byte
 * has a narrower range, bad bytes) goes to clean_utf8. */
static inline bool utf8_padded(const char *s, size_t n) {
#ifdef __SSE2__
  if (n <= 62) {
    uint64_t in = (UINT64_C(1) << n) - 1, high = 0;
    for (size_t k = 0; k < n; k += 16)
      high |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + k)))
              << k;
    if (!(high &= in)) return true;
    const __m128i below_c0 = _mm_set1_epi8((char)0xC0), above_df = _mm_set1_epi8((char)0xDF),
                  below_f0 = _mm_set1_epi8((char)0xF0), e0 = _mm_set1_epi8((char)0xE0),
                  ed = _mm_set1_epi8((char)0xED);
    uint64_t cont = 0, lead = 0;
    for (size_t k = 0; k < n; k += 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + k));
      /* (signed compares: 0x80..0xBF are the lowest bytes) */
      __m128i is_lead = _mm_and_si128(_mm_cmpgt_epi8(v, above_df), _mm_cmplt_epi8(v, below_f0));
      is_lead = _mm_andnot_si128(_mm_or_si128(_mm_cmpeq_epi8(v, e0), _mm_cmpeq_epi8(v, ed)), is_lead);
      cont |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmplt_epi8(v, below_c0)) << k;
      lead |= (uint64_t)(uint16_t)_mm_movemask_epi8(is_lead) << k;
    }
    cont &= in, lead &= in;
    /* a lead's continuations past N (a sequence cut short) are not in CONT */
    if ((cont | lead) == high) return cont == ((lead << 1) | (lead << 2));
  }
#endif
  return clean_utf8(s, n);
}

/* A number cell in the usual shapes (1 to 8 digits, or a plain decimal):
 * true with *X set, false when it needs convert_cell. PADDED: S is
 * readable for 8 bytes whatever N. */
static inline __attribute__((always_inline)) bool number_usual(const char *s, size_t n, bool padded,
                                                               double *x) {
  uint64_t digits;
  if (padded && digits8(s, n, &digits)) {
    *x = (double)digits;
    return true;
  }
  return n && simple_decimal(s, n, x);
}

/* A bool cell in the usual spellings: true/false, yes/no, 1/0 in any case
 * (TRUE is what Excel writes), はい/いいえ; false when it needs
 * convert_cell. PADDED as for number_usual. Each length has one or two
 * spellings, compared a word at a time: `| 0x20` lowers an ASCII letter
 * and maps no other byte onto a lower-case letter. */
static inline __attribute__((always_inline)) bool bool_usual(const char *s, size_t n, bool padded, bool *b) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  uint32_t h = 0;
  uint64_t w = 0;
  /* (the commonest first, without the switch's table) */
  if (n == 4) { /* "true" */
    memcpy(&h, s, 4);
    *b = true;
    return (h | 0x20202020u) == 0x65757274u;
  }
  if (n == 5) { /* "false" */
    memcpy(&w, s, padded ? 8 : 5);
    *b = false;
    return ((w | UINT64_C(0x2020202020)) & UINT64_C(0xFFFFFFFFFF)) == UINT64_C(0x65736c6166);
  }
  switch (n) {
  case 1:
    if (s[0] != '1' && s[0] != '0') return false;
    *b = s[0] == '1';
    return true;
  case 2: /* little-endian "no" */
    memcpy(&h, s, 2);
    *b = false;
    return (h | 0x2020u) == 0x6f6eu;
  case 3: /* "yes" */
    memcpy(&h, s, padded ? 4 : 3);
    *b = true;
    return ((h | 0x202020u) & 0xFFFFFFu) == 0x736579u;
  case 6: /* はい (E3 81 AF E3 81 84) */ *b = true; return memcmp(s, "\xE3\x81\xAF\xE3\x81\x84", 6) == 0;
  case 9: /* いいえ (E3 81 84 E3 81 84 E3 81 88) */
    *b = false;
    return memcmp(s, "\xE3\x81\x84\xE3\x81\x84\xE3\x81\x88", 9) == 0;
  default: return false;
  }
#else
  (void)padded;
  static const char *const spellings[] = {"0",
                                          "1",
                                          "no",
                                          "yes",
                                          "false",
                                          "true",
                                          "\xE3\x81\x84\xE3\x81\x84\xE3\x81\x88",
                                          "\xE3\x81\xAF\xE3\x81\x84"};
  for (int k = 0; k < 8; k++) {
    const char *t = spellings[k];
    size_t i = 0;
    while (i < n && t[i] && (k < 2 || k > 5 ? s[i] : (char)(s[i] | 0x20)) == t[i])
      i++;
    if (i == n && !t[i]) {
      *b = k % 2;
      return true;
    }
  }
  return false;
#endif
}

/* The dates Excel and people write besides YYYY-MM-DD: year, month, day
 * with '/' or '-' and an unpadded month or day (2023/4/1), or
 * 2023年4月1日. 1: a date in *DAYS; -1: the shape of a date that is not in
 * the calendar; 0: not that shape (convert.c). */
int date_loose(const char *s, size_t n, int32_t *days);

/* A date cell YYYY-MM-DD or YYYY/MM/DD, or with an unpadded month or day
 * (Excel's 2023/4/1): true with *DAYS set; false when it needs
 * convert_cell (another shape, or not a calendar date). */
static inline __attribute__((always_inline)) bool date_usual(const char *s, size_t n, int32_t *days) {
  if (n == 10) return date_parse10(s, days) == 1;
  return (n == 8 || n == 9) && date_loose(s, n, days) == 1;
}

/* Whether S is one of FIELD's allowed values, if it has them. */
static inline bool text_allowed(const FieldSchema *field, const char *s, size_t n) {
  if (!field->allowed) return true;
  for (int32_t k = 0; k < field->nallowed; k++)
    if (strlen(field->allowed[k]) == n && memcmp(field->allowed[k], s, n) == 0) return true;
  return false;
}

/* A text input's allowed values as allowed_usual compares them: each
 * one's length, its first 8 bytes as a word (zeros past its end) and,
 * when it is longer, its last 8. */
typedef struct AllowedText {
  uint64_t head, tail;
  uint32_t len;
} AllowedText;

/* The first 8 bytes of S (N bytes, readable for 8) as a word, the bytes
 * past N zero. */
static inline uint64_t text_head(const char *s, size_t n) {
  uint64_t w;
  memcpy(&w, s, 8);
  if (n >= 8) return w;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  return n ? w & ~(~UINT64_C(0) >> (8 * n)) : 0;
#else
  return w & ((UINT64_C(1) << (8 * n)) - 1);
#endif
}

/* FIELD's allowed values (none: NULL) prepared for allowed_usual, in a
 * malloc'ed array. */
static inline AllowedText *allowed_prepare(const FieldSchema *field) {
  if (!field->allowed) return NULL;
  AllowedText *a = xmalloc(((size_t)field->nallowed + 1) * sizeof *a);
  for (int32_t k = 0; k < field->nallowed; k++) {
    char head[8] = {0};
    size_t len = strlen(field->allowed[k]);
    memcpy(head, field->allowed[k], len < 8 ? len : 8);
    a[k].len = (uint32_t)len;
    a[k].head = text_head(head, len);
    a[k].tail = len > 8 ? text_head(field->allowed[k] + len - 8, 8) : 0;
  }
  return a;
}

/* text_allowed with ALLOWED from allowed_prepare (NULL: FIELD has no
 * allowed values) and S readable for 8 bytes: a value is compared by its
 * length and first word, and its last word when longer (up to 16 bytes,
 * the two words cover it), by memcmp only past 16 bytes. */
static inline bool allowed_usual(const FieldSchema *field, const AllowedText *allowed, const char *s,
                                 size_t n) {
  if (!allowed) return true;
  uint64_t head = text_head(s, n), tail = n > 8 ? text_head(s + n - 8, 8) : 0;
  for (int32_t k = 0; k < field->nallowed; k++)
    if (allowed[k].len == n && allowed[k].head == head && allowed[k].tail == tail &&
        (n <= 16 || memcmp(field->allowed[k] + 8, s + 8, n - 16) == 0))
      return true;
  return false;
}

/* Whether text cell S may be taken as it is: valid UTF-8 without NUL
 * bytes, and allowed (text_allowed). */
static inline bool text_usual(const FieldSchema *field, const char *s, size_t n) {
  return (plain_ascii(s, n) || clean_utf8(s, n)) && text_allowed(field, s, n);
}

/* The usual spellings: plain numbers, true/false, YYYY-MM-DD dates and
 * valid text (one of the allowed values, if any). False when the cell
 * needs the full treatment (or is bad). PADDED: S is readable for 8
 * bytes whatever N. */
static inline __attribute__((always_inline)) bool
convert_usual(const FieldSchema *field, const char *s, size_t n, bool padded, Arena *arena, Value *out) {
  double x;
  int32_t days;
  bool b;
  switch (field->type) {
  case T_NUMBER:
    if (!number_usual(s, n, padded, &x)) return false;
    *out = val_num(x);
    return true;
  case T_BOOL:
    if (!bool_usual(s, n, padded, &b)) return false;
    *out = val_bool(b);
    return true;
  case T_DATE:
    if (!date_usual(s, n, &days)) return false;
    *out = val_date(days);
    return true;
  case T_TEXT:
    if (!text_usual(field, s, n)) return false;
    *out = val_text(arena_strndup(arena, s, n), (uint32_t)n);
    return true;
  default: return false;
  }
}

#endif
