/* udiff.c — a unified diff of two texts (`kenko fmt --check`): common
 * lines at both ends set aside, a longest common subsequence of the lines
 * between (when that table is small enough; otherwise the middle is shown
 * as replaced), hunks with three lines of context. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "cli/cli.h"

typedef struct Line {
  const char *s;
  size_t n; /* bytes, with the '\n' when there is one */
} Line;

/* The lines of TEXT (malloc'ed array, *count entries). */
static Line *split_lines(const char *text, size_t len, size_t *count) {
  size_t n = 0, cap = 64;
  Line *lines = xmalloc(cap * sizeof *lines);
  size_t at = 0;
  while (at < len) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t end = nl ? (size_t)(nl - text) + 1 : len;
    if (n == cap) {
      cap *= 2;
      lines = xrealloc(lines, cap * sizeof *lines);
    }
    lines[n].s = text + at;
    lines[n].n = end - at;
    n++;
    at = end;
  }
  *count = n;
  return lines;
}

static bool same_line(Line a, Line b) { return a.n == b.n && memcmp(a.s, b.s, a.n) == 0; }

/* An edit script: ' ' keep, '-' only in A, '+' only in B. */
typedef struct Edit {
  char op;
  size_t ai, bi; /* line indexes (A for ' ' and '-', B for '+') */
} Edit;

enum { LCS_MAX_CELLS = 4 * 1000 * 1000 };

/* Edits for A[a0..a1) against B[b0..b1), appended to E. */
static size_t middle_edits(const Line *a, size_t a0, size_t a1, const Line *b, size_t b0, size_t b1, Edit *e,
                           size_t ne) {
  size_t n = a1 - a0, m = b1 - b0;
  if (n == 0 || m == 0 || (double)(n + 1) * (double)(m + 1) > LCS_MAX_CELLS) {
    for (size_t i = a0; i < a1; i++)
      e[ne++] = (Edit){'-', i, 0};
    for (size_t j = b0; j < b1; j++)
      e[ne++] = (Edit){'+', 0, j};
    return ne;
  }
  /* len[i][j]: LCS of A[a0+i..a1) and B[b0+j..b1) */
  uint32_t *len = xcalloc((n + 1) * (m + 1), sizeof *len);
#define LEN(i, j) len[(i) * (m + 1) + (j)]
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      LEN(i, j) = same_line(a[a0 + i], b[b0 + j])  ? LEN(i + 1, j + 1) + 1
                  : LEN(i + 1, j) >= LEN(i, j + 1) ? LEN(i + 1, j)
                                                   : LEN(i, j + 1);
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && same_line(a[a0 + i], b[b0 + j])) {
      e[ne++] = (Edit){' ', a0 + i, b0 + j};
      i++;
      j++;
    } else if (j == m || (i < n && LEN(i + 1, j) >= LEN(i, j + 1))) {
      e[ne++] = (Edit){'-', a0 + i, 0};
      i++;
    } else {
      e[ne++] = (Edit){'+', 0, b0 + j};
      j++;
    }
  }
#undef LEN
  free(len);
  return ne;
}

static void put_line(FILE *out, char op, Line l) {
  fputc(op, out);
  fwrite(l.s, 1, l.n, out);
  if (l.n == 0 || l.s[l.n - 1] != '\n') fputs("\n\\ No newline at end of file\n", out);
}

/* Writes the hunk of edits E[from..to) (context included). */
static void put_hunk(FILE *out, const Edit *e, size_t from, size_t to, const Line *a, const Line *b) {
  size_t astart = 0, bstart = 0, acount = 0, bcount = 0;
  bool aset = false, bset = false;
  /* line numbers: A's from the first edit touching A, B's likewise */
  size_t ai = 0, bi = 0;
  for (size_t k = 0; k < from; k++) {
    if (e[k].op != '+') ai++;
    if (e[k].op != '-') bi++;
  }
  for (size_t k = from; k < to; k++) {
    if (e[k].op != '+') {
      if (!aset) astart = ai, aset = true;
      acount++, ai++;
    }
    if (e[k].op != '-') {
      if (!bset) bstart = bi, bset = true;
      bcount++, bi++;
    }
  }
  /* 1-based first line; an empty range names the line before it */
  astart = aset ? astart + 1 : ai;
  bstart = bset ? bstart + 1 : bi;
  fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", astart, acount, bstart, bcount);
  for (size_t k = from; k < to; k++)
    put_line(out, e[k].op, e[k].op == '+' ? b[e[k].bi] : a[e[k].ai]);
}

void cli_unified_diff(FILE *out, const char *name_a, const char *a_text, size_t a_len, const char *name_b,
                      const char *b_text, size_t b_len) {
  size_t na, nb;
  Line *a = split_lines(a_text, a_len, &na);
  Line *b = split_lines(b_text, b_len, &nb);
  size_t pre = 0;
  while (pre < na && pre < nb && same_line(a[pre], b[pre]))
    pre++;
  size_t suf = 0;
  while (suf < na - pre && suf < nb - pre && same_line(a[na - 1 - suf], b[nb - 1 - suf]))
    suf++;
  Edit *e = xmalloc((na + nb + 1) * sizeof *e);
  size_t ne = 0;
  for (size_t i = 0; i < pre; i++)
    e[ne++] = (Edit){' ', i, i};
  ne = middle_edits(a, pre, na - suf, b, pre, nb - suf, e, ne);
  for (size_t k = suf; k > 0; k--)
    e[ne++] = (Edit){' ', na - k, nb - k};
  fprintf(out, "--- %s\n+++ %s\n", name_a, name_b);
  enum { CONTEXT = 3 };
  size_t k = 0;
  while (k < ne) {
    while (k < ne && e[k].op == ' ')
      k++;
    if (k == ne) break;
    size_t from = k >= CONTEXT ? k - CONTEXT : 0, to = k;
    /* extend while the next change is within 2 * CONTEXT kept lines */
    for (;;) {
      while (to < ne && e[to].op != ' ')
        to++;
      size_t keep = to;
      while (keep < ne && e[keep].op == ' ' && keep - to < 2 * CONTEXT + 1)
        keep++;
      if (keep < ne && e[keep].op != ' ' && keep - to <= 2 * CONTEXT) {
        to = keep;
        continue;
      }
      to = to + CONTEXT < ne ? to + CONTEXT : ne;
      break;
    }
    put_hunk(out, e, from, to, a, b);
    k = to;
  }
  free(e);
  free(a);
  free(b);
}
