/* numfmt.h — numbers as text, the one writer every output uses: the
 * shortest decimal that reads back to the same double (num_format), the
 * two-decimal form people read (num_format2), and unsigned integers
 * (uint_text). No locale, no allocation. */
#ifndef KENKO_NUMFMT_H
#define KENKO_NUMFMT_H

#include <stdint.h>
#include <string.h>

/* A number for people: at most two decimals, trailing zeros dropped, -0
 * as 0 ("52.5", "0.33", "100"). Returns the length; BUF holds 64 bytes.
 * The text outputs use it for scores, weights and lost points. */
int num_format2(double x, char *buf);

/* A number rounded for people to exactly DIGITS decimals (0 to 15;
 * `--digits`): "13.3", "70.0"; -0 as 0. Returns the length; BUF holds
 * 352 bytes (the largest double in full). */
int num_format_fixed(double x, int digits, char *buf);

/* The decimal digits of V at OUT (no sign, no NUL); returns their count
 * (1 to 20). The one integer writer of the outputs (numfmt.c). */
int uint_text(char *out, uint64_t v);
/* The same for V < 1000, inline (weights, scores, counts: most of the
 * integers an explanation writes). */
static inline int uint_text_small(char *out, uint32_t v) {
  static const char digits[] = "0123456789";
  if (v >= 100) {
    out[0] = digits[v / 100];
    out[1] = digits[v / 10 % 10];
    out[2] = digits[v % 10];
    return 3;
  }
  if (v >= 10) {
    out[0] = digits[v / 10];
    out[1] = digits[v % 10];
    return 2;
  }
  out[0] = digits[v];
  return 1;
}

/* The digits of 0 to 999, four bytes each: the digits, then zeros up to
 * the fourth, which holds their count (numfmt.c). */
extern const char small_int_text[1000][4];
/* The digits of V < 1000 at OUT, by one move of four bytes (the fourth
 * is not text: OUT needs 4 bytes of room); returns their count. */
static inline int small_int_in_room(char *out, uint32_t v) {
  memcpy(out, small_int_text[v], 4);
  return small_int_text[v][3];
}

/* buf_num's cache (buf.h): the texts of recently written numbers, in sets of
 * two chosen by their bits (a set is one 64-byte cache line), the one
 * used last first. Scores repeat a lot (every account whose members came
 * out the same has the same dimension score), and num_format's exact
 * search costs a couple of hundred instructions a number; some columns
 * (the health) hardly repeat, and the second entry keeps what they would
 * push out. An entry never written holds +0.0's text, "0", so that no
 * entry is empty. */
enum { NUM_CACHE_BITS = 12, NUM_CACHE_TEXT = 23 };
typedef struct NumEntry {
  uint64_t bits; /* the double's bits */
  uint8_t len;
  char text[NUM_CACHE_TEXT];
} NumEntry;
typedef struct NumCache {
  NumEntry e[2 << NUM_CACHE_BITS];
} NumCache;
/* The set for a double of these BITS: its first entry (the second
 * follows). */
static inline NumEntry *num_entry(NumCache *c, uint64_t bits) {
  return &c->e[2 * ((bits * 0x9e3779b97f4a7c15ull) >> (64 - NUM_CACHE_BITS))];
}

/* A number X whose set SET (num_entry) did not have it first: its text
 * at OUT (num_format's, NUM_CACHE_TEXT bytes or more of room), from the
 * set's second entry, which becomes the first, or made and kept there
 * (the first moved second). Returns its length. In numfmt.c, so that
 * the formatting is inline in it: one call for a number not cached. */
size_t num_cache_miss(NumEntry *set, char *out, double x);

/* Formats a double in the shortest form that reads back to the same value
 * ("52.5", "0.1", "1e+21", "100"); integers print without a decimal point.
 * Returns the length. BUF must hold 32 bytes. */
int num_format(double x, char *buf);

#endif
