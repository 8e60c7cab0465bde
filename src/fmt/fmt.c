/* fmt.c — `kenko fmt`: one canonical layout of a rule file, made by
 * changing only the white space between the real scanner's tokens.
 *
 * The file becomes a sequence of pieces (tokens and comments), each with
 * the line breaks before it (none, one, or a blank line). The syntax tree
 * marks which pieces start an item (a declaration, member, band, grade,
 * override, case, step, rate or test line), which braces are blocks and
 * which `:` belongs to a member. Then:
 *   1. breaks: every item starts a line; a block's `{` joins its header,
 *      its `}` gets a line of its own; at most one blank line;
 *   2. layout: each line's indentation from the open brackets and items
 *      (two spaces inside a block, four for a continued line), canonical
 *      spaces between the tokens of a line, display columns;
 *   3. a line over FMT_MAX_WIDTH columns is broken before `and`/`or`;
 *   4. consecutive one-line items of a kind are aligned in columns, then
 *      trailing comments of consecutive lines;
 *   5. the text is written, scanned again and compared with the input
 *      token by token and comment by comment. */
#include "fmt/fmt.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "front/ast.h"
#include "front/parse.h"
#include "parser.h"

enum { PIECE_COMMENT = -1 };

enum {
  PF_ITEM = 1 << 0,         /* starts an item */
  PF_BLOCK = 1 << 1,        /* a `{` or `}` of a block (items inside) */
  PF_MEMBER_COLON = 1 << 2, /* the `:` of a rule/score member: spaced */
  PF_UNARY = 1 << 3,        /* a unary minus */
  PF_RIGHT = 1 << 4         /* right-aligned in its column (numbers) */
};

typedef struct Piece {
  int kind;            /* token kind, or PIECE_COMMENT */
  uint32_t begin, end; /* bytes in the file (a comment without its trailing white space) */
  uint8_t nl;          /* before it: 0 same line, 1 line break, 2 blank line */
  uint8_t flags;       /* PF_* */
  int32_t match;       /* a bracket: its partner; else -1 */
  int32_t indent;      /* the first piece of a line: its indentation */
  int32_t pad;         /* spaces added before it (alignment) */
  int32_t col, endcol; /* display columns (0-based), set by layout */
} Piece;

/* The kinds of items aligned in columns (LANGUAGE.md §9). */
typedef enum AlignKind {
  AL_NONE,
  AL_MEMBER,  /* rule/score: keyword, name, label, weight, then `:` */
  AL_BAND,    /* value, then `when`/`otherwise` */
  AL_GRADE,   /* name, label, then `>=`/`otherwise` */
  AL_PERSONA, /* `persona`, name, label, then `when`/`otherwise` */
  AL_CASE,    /* name, label, then `when`/`otherwise` */
  AL_STEP,    /* `step`, name, label, then `when` */
  AL_RATE,    /* name, then the rate */
  AL_KPI      /* `kpi`, name, label, then `=` */
} AlignKind;

#define CELLS 4

typedef struct Item {
  int32_t first, last; /* its first and last token pieces */
  int32_t next;        /* the next item of the same block (or file), or -1 */
  AlignKind align;
  int32_t cell[CELLS]; /* first piece of each column, or -1 when absent */
  int32_t rest;        /* first piece after the columns */
} Item;

typedef struct Fmt {
  const Source *src;
  Piece *p;
  int32_t n;
  Item *items;
  int32_t nitems, capitems;
} Fmt;

static bool is_opener(int k) { return k == '(' || k == '[' || k == '{'; }
static bool is_closer(int k) { return k == ')' || k == ']' || k == '}'; }

/* ---- pieces ---------------------------------------------------------- */

static void add_piece(Fmt *f, int32_t *cap, int kind, uint32_t begin, uint32_t end, int nl) {
  if (f->n == *cap) {
    *cap = *cap ? *cap * 2 : 256;
    f->p = xrealloc(f->p, (size_t)*cap * sizeof *f->p);
  }
  Piece *q = &f->p[f->n++];
  memset(q, 0, sizeof *q);
  q->kind = kind;
  q->begin = begin;
  q->end = end;
  q->nl = (uint8_t)(f->n == 1 ? 0 : nl > 2 ? 2 : nl);
  q->match = -1;
}

/* Reads the white space and comments in [at, end) into pieces; *nl counts
 * the line breaks not yet given to a piece. False when the gap holds
 * anything else (a byte the scanner reported and skipped). */
static bool scan_gap(Fmt *f, int32_t *cap, uint32_t at, uint32_t end, int *nl) {
  const char *s = f->src->text;
  while (at < end) {
    char c = s[at];
    if (c == '\n') {
      (*nl)++;
      at++;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      at++;
    } else if (c == '#') {
      const char *eol = memchr(s + at, '\n', end - at);
      uint32_t stop = eol ? (uint32_t)(eol - s) : end, last = stop;
      while (last > at && (s[last - 1] == ' ' || s[last - 1] == '\t' || s[last - 1] == '\r'))
        last--;
      add_piece(f, cap, PIECE_COMMENT, at, last, *nl);
      *nl = 0;
      at = stop;
    } else {
      return false;
    }
  }
  return true;
}

static bool build_pieces(Fmt *f, const LexToken *t, int32_t nt, uint32_t base) {
  int32_t cap = 0;
  int nl = 0;
  uint32_t at = base;
  for (int32_t i = 0; i <= nt; i++) {
    uint32_t next = i < nt ? t[i].begin : f->src->len;
    if (next < at || !scan_gap(f, &cap, at, next, &nl)) return false;
    if (i == nt) break;
    add_piece(f, &cap, t[i].kind, t[i].begin, t[i].end, nl);
    nl = 0;
    at = t[i].end;
  }
  return true;
}

/* Pairs the brackets; false when they do not pair (never after a clean parse). */
static bool match_brackets(Fmt *f) {
  int32_t *stack = xmalloc(((size_t)f->n + 1) * sizeof *stack);
  int32_t depth = 0;
  bool ok = true;
  for (int32_t i = 0; i < f->n && ok; i++) {
    if (is_opener(f->p[i].kind)) {
      stack[depth++] = i;
    } else if (is_closer(f->p[i].kind)) {
      if (depth == 0) {
        ok = false;
        break;
      }
      int32_t o = stack[--depth];
      f->p[o].match = i;
      f->p[i].match = o;
    }
  }
  free(stack);
  return ok && depth == 0;
}

/* Tokens after which a `-` is a binary minus (they end an operand). */
static bool ends_operand(int k) {
  switch (k) {
  case IDENT:
  case STRING:
  case NUMBER:
  case PERCENT:
  case DATE:
  case TRUE:
  case FALSE:
  case MISSING:
  case AS_OF:
  case PERSONA:
  case OUTCOME:
  case ')':
  case ']':
  case '}': return true;
  default: return false;
  }
}

static void mark_unary(Fmt *f) {
  int prev = 0;
  for (int32_t i = 0; i < f->n; i++) {
    if (f->p[i].kind == PIECE_COMMENT) continue;
    if (f->p[i].kind == '-' && !ends_operand(prev)) f->p[i].flags |= PF_UNARY;
    prev = f->p[i].kind;
  }
}

/* ---- the syntax tree's marks ---------------------------------------- */

/* The token piece that begins at byte BEGIN, or -1. */
static int32_t piece_at(const Fmt *f, uint32_t begin) {
  int32_t lo = 0, hi = f->n - 1;
  while (lo <= hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (f->p[mid].begin < begin)
      lo = mid + 1;
    else if (f->p[mid].begin > begin)
      hi = mid - 1;
    else
      return f->p[mid].kind == PIECE_COMMENT ? -1 : mid;
  }
  return -1;
}

/* The last token piece that ends at or before byte END, or -1. */
static int32_t piece_ending(const Fmt *f, uint32_t end) {
  int32_t lo = 0, hi = f->n - 1, found = -1;
  while (lo <= hi) {
    int32_t mid = lo + (hi - lo) / 2;
    if (f->p[mid].begin < end) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  while (found >= 0 && f->p[found].kind == PIECE_COMMENT)
    found--;
  return found;
}

static int32_t find_kind(const Fmt *f, int32_t from, int32_t to, int kind) {
  for (int32_t i = from; i <= to; i++)
    if (f->p[i].kind == kind) return i;
  return -1;
}

/* The columns of an item: [keyword] name [label] …, then the rest. */
static void set_cells(Fmt *f, Item *it, const Node *n) {
  for (int k = 0; k < CELLS; k++)
    it->cell[k] = -1;
  int32_t i = it->first, j;
  switch ((NodeKind)n->kind) {
  case P_RULE:
  case P_SCORE:
  case P_BANDS:
    it->rest = find_kind(f, i, it->last, n->kind == P_BANDS ? '{' : ':');
    if (it->rest < 0 || it->rest < i + 2) return;
    it->align = AL_MEMBER;
    it->cell[0] = i;
    it->cell[1] = i + 1;
    j = i + 2;
    if (j < it->rest && f->p[j].kind == STRING) it->cell[2] = j++;
    if (j < it->rest && f->p[j].kind == WEIGHT) it->cell[3] = j;
    return;
  case P_BAND:
    it->align = AL_BAND;
    it->cell[0] = i;
    it->rest = i + 1;
    if (f->p[i].kind == NUMBER || f->p[i].kind == PERCENT) f->p[i].flags |= PF_RIGHT;
    return;
  case P_GRADE:
  case P_CASE:
    it->align = n->kind == P_GRADE ? AL_GRADE : AL_CASE;
    it->cell[0] = i;
    j = i + 1;
    if (f->p[j].kind == STRING) it->cell[1] = j++;
    it->rest = j;
    return;
  case D_PERSONA:
  case P_STEP:
  case D_KPI:
    it->align = n->kind == P_STEP ? AL_STEP : n->kind == D_KPI ? AL_KPI : AL_PERSONA;
    it->cell[0] = i;
    it->cell[1] = i + 1;
    j = i + 2;
    if (f->p[j].kind == STRING) it->cell[2] = j++;
    it->rest = j;
    return;
  case P_RATE:
    it->align = AL_RATE;
    it->cell[0] = i;
    it->rest = i + 1;
    return;
  default: return;
  }
}

static bool has_block(NodeKind k) {
  return k == D_DIMENSION || k == P_BANDS || k == D_GRADES || k == D_PERSONA || k == D_SEGMENT ||
         k == D_JOURNEY || k == D_FORECAST || k == D_TEST;
}

/* Marks the items of LIST (one block, or the file) and, inside them, the
 * items of their blocks. */
static void mark_items(Fmt *f, const NodeList *list) {
  int32_t prev = -1;
  for (int32_t k = 0; k < list->count; k++) {
    const Node *n = list->items[k];
    int32_t first = piece_at(f, n->span.begin), last = piece_ending(f, n->span.end);
    if (first < 0 || last < first) continue;
    if (f->nitems == f->capitems) {
      f->capitems = f->capitems ? f->capitems * 2 : 64;
      f->items = xrealloc(f->items, (size_t)f->capitems * sizeof *f->items);
    }
    int32_t idx = f->nitems++;
    Item *it = &f->items[idx];
    memset(it, 0, sizeof *it);
    it->first = first;
    it->last = last;
    it->next = -1;
    it->align = AL_NONE;
    if (prev >= 0) f->items[prev].next = idx;
    prev = idx;
    f->p[first].flags |= PF_ITEM;
    set_cells(f, it, n);
    if (n->kind == P_RULE || n->kind == P_SCORE) {
      int32_t colon = find_kind(f, first, last, ':');
      if (colon >= 0) f->p[colon].flags |= PF_MEMBER_COLON;
    }
    if (has_block((NodeKind)n->kind)) {
      int32_t open = find_kind(f, first, last, '{');
      if (open >= 0 && f->p[open].match >= 0) {
        f->p[open].flags |= PF_BLOCK;
        f->p[f->p[open].match].flags |= PF_BLOCK;
        mark_items(f, &n->list);
      }
    }
  }
}

/* ---- line breaks, indentation, spacing ------------------------------ */

static void force_breaks(Fmt *f) {
  for (int32_t i = 1; i < f->n; i++) {
    Piece *q = &f->p[i];
    const Piece *before = &f->p[i - 1];
    if ((q->flags & PF_ITEM) && q->nl == 0) q->nl = 1;
    if (q->kind == '{' && (q->flags & PF_BLOCK) && before->kind != PIECE_COMMENT) q->nl = 0;
    if (q->kind == '}' && (q->flags & PF_BLOCK)) q->nl = q->match == i - 1 ? 0 : (q->nl ? q->nl : 1);
    if (q->nl == 2 && (is_closer(q->kind) || is_opener(before->kind))) q->nl = 1;
  }
}

/* Spaces between pieces A and B = A + 1 on one line, before alignment. */
static int space_between(const Fmt *f, int32_t b) {
  const Piece *pa = &f->p[b - 1], *pb = &f->p[b];
  int ka = pa->kind, kb = pb->kind;
  if (kb == PIECE_COMMENT) return 2;
  if (ka == '(' || ka == '[') return 0;
  if (kb == ')' || kb == ']') return 0;
  if (ka == '{') return kb == '}' ? 0 : 1;
  if (kb == '}') return 1;
  if (kb == ',') return 0;
  if (ka == '.' || kb == '.') return 0;
  if (kb == ':') return (pb->flags & PF_MEMBER_COLON) ? 1 : 0;
  if (kb == '(') return ka == IDENT || ka == OUTCOME ? 0 : 1;
  if (ka == '-' && (pa->flags & PF_UNARY)) return 0;
  return 1;
}

typedef struct Frame {
  int32_t open;        /* the opening bracket */
  bool block;          /* a block: items inside */
  int32_t base;        /* block: its item's indent; else the opener line's */
  int32_t item_indent; /* a block: the indent of its current item */
} Frame;

typedef struct Layout {
  Frame *frames;
  int32_t nframes;
  int32_t top_item_indent; /* the current top-level item's indent */
} Layout;

static int32_t content_indent(const Frame *fr) { return fr->block ? fr->base + 2 : fr->base + 4; }

/* The indentation of a line whose first piece is I. */
static int32_t line_indent(const Fmt *f, const Layout *lo, int32_t i) {
  const Frame *top = lo->nframes ? &lo->frames[lo->nframes - 1] : NULL;
  int32_t t = i;
  if (is_closer(f->p[i].kind)) return top ? top->base : 0;
  while (t < f->n && f->p[t].kind == PIECE_COMMENT)
    t++;
  if (t == f->n || (t != i && is_closer(f->p[t].kind))) return top ? content_indent(top) : 0;
  if (f->p[t].flags & PF_ITEM) return top ? content_indent(top) : 0;
  if (!top) return lo->top_item_indent + 4;
  return top->block ? top->item_indent + 4 : top->base + 4;
}

static int32_t piece_width(const Fmt *f, const Piece *q, int32_t col) {
  return utf8_display_width(f->src->text + q->begin, q->end - q->begin, col);
}

/* Indentation and display columns of every piece under the current breaks
 * and pads. */
static void layout(Fmt *f) {
  Layout lo = {xmalloc(((size_t)f->n + 1) * sizeof(Frame)), 0, 0};
  int32_t cur_line_indent = 0;
  for (int32_t i = 0; i < f->n; i++) {
    Piece *q = &f->p[i];
    if (i == 0 || q->nl) {
      q->indent = line_indent(f, &lo, i);
      cur_line_indent = q->indent;
      q->col = q->indent + q->pad;
    } else {
      q->col = f->p[i - 1].endcol + space_between(f, i) + q->pad;
    }
    q->endcol = q->col + piece_width(f, q, q->col);
    Frame *top = lo.nframes ? &lo.frames[lo.nframes - 1] : NULL;
    if (q->flags & PF_ITEM) {
      if (top)
        top->item_indent = cur_line_indent;
      else
        lo.top_item_indent = cur_line_indent;
    }
    if (is_opener(q->kind)) {
      Frame *fr = &lo.frames[lo.nframes++];
      fr->open = i;
      fr->block = (q->flags & PF_BLOCK) != 0;
      fr->base = fr->block ? (top ? top->item_indent : lo.top_item_indent) : cur_line_indent;
      fr->item_indent = fr->base + 2;
    } else if (is_closer(q->kind) && lo.nframes > 0) {
      lo.nframes--;
    }
  }
  free(lo.frames);
}

/* The last code piece of the line starting at S (before a trailing
 * comment), and the next line's first piece in *next; -1 for a comment line. */
static int32_t line_code_end(const Fmt *f, int32_t s, int32_t *next) {
  int32_t e = s + 1;
  while (e < f->n && f->p[e].nl == 0)
    e++;
  *next = e;
  if (f->p[s].kind == PIECE_COMMENT) return -1;
  int32_t last = e - 1;
  if (f->p[last].kind == PIECE_COMMENT) last--;
  return last;
}

/* Breaks each line wider than FMT_MAX_WIDTH once, before the rightmost
 * `and`/`or` that leaves the first part within the width (or the first
 * one when none does). True when a break was added. */
static bool break_long_lines(Fmt *f) {
  bool changed = false;
  for (int32_t s = 0, next; s < f->n; s = next) {
    int32_t last = line_code_end(f, s, &next);
    if (last < 0 || f->p[last].endcol <= FMT_MAX_WIDTH) continue;
    int32_t best = -1, first = -1;
    for (int32_t k = s + 1; k <= last; k++) {
      if (f->p[k].kind != AND && f->p[k].kind != OR) continue;
      if (first < 0) first = k;
      if (f->p[k - 1].endcol <= FMT_MAX_WIDTH) best = k;
    }
    if (best < 0) best = first;
    if (best >= 0) {
      f->p[best].nl = 1;
      changed = true;
    }
  }
  return changed;
}

/* ---- alignment -------------------------------------------------------- */

static bool one_line(const Fmt *f, const Item *it) {
  for (int32_t i = it->first + 1; i <= it->last; i++)
    if (f->p[i].nl) return false;
  return true;
}

/* Does item B continue the alignment group of item A (its previous item)? */
static bool joins(const Fmt *f, const Item *a, const Item *b) {
  if (a->align != b->align || a->align == AL_NONE) return false;
  if (!one_line(f, a) || !one_line(f, b) || f->p[b->first].nl != 1) return false;
  for (int32_t i = a->last + 1; i < b->first; i++)
    if (f->p[i].kind != PIECE_COMMENT || f->p[i].nl) return false;
  return true;
}

/* Where the cell SLOT of IT ends (its last piece). */
static int32_t cell_end(const Item *it, int slot) {
  for (int k = slot + 1; k < CELLS; k++)
    if (it->cell[k] >= 0) return it->cell[k] - 1;
  return it->rest - 1;
}

static int32_t cell_width(const Fmt *f, const Item *it, int slot) {
  return f->p[cell_end(it, slot)].endcol - f->p[it->cell[slot]].col;
}

/* Aligns the group of N items MEMBERS (indexes into f->items). Members
 * whose aligned line would be wider than FMT_MAX_WIDTH leave the group. */
static void align_group(Fmt *f, int32_t *members, int32_t n) {
  int32_t width[CELLS];
  bool present[CELLS];
  for (;;) {
    for (int k = 0; k < CELLS; k++) {
      width[k] = 0;
      present[k] = false;
    }
    for (int32_t m = 0; m < n; m++) {
      const Item *it = &f->items[members[m]];
      for (int k = 0; k < CELLS; k++)
        if (it->cell[k] >= 0) {
          present[k] = true;
          int32_t w = cell_width(f, it, k);
          if (w > width[k]) width[k] = w;
        }
    }
    int32_t wide = -1;
    for (int32_t m = 0; m < n && wide < 0; m++) {
      const Item *it = &f->items[members[m]];
      int32_t w = f->p[it->first].indent;
      for (int k = 0; k < CELLS; k++)
        if (present[k]) w += width[k] + 1;
      w += f->p[it->last].endcol - f->p[it->rest].col;
      if (w > FMT_MAX_WIDTH) wide = m;
    }
    if (wide < 0) break;
    memmove(members + wide, members + wide + 1, (size_t)(n - wide - 1) * sizeof *members);
    n--;
  }
  if (n < 2) return;
  for (int32_t m = 0; m < n; m++) {
    const Item *it = &f->items[members[m]];
    int32_t pending = 0;
    for (int k = 0; k < CELLS; k++) {
      if (!present[k]) continue;
      int32_t c = it->cell[k];
      if (c < 0) {
        pending += width[k] + 1;
        continue;
      }
      int32_t w = cell_width(f, it, k);
      if (f->p[c].flags & PF_RIGHT) {
        f->p[c].pad += pending + width[k] - w;
        pending = 0;
      } else {
        f->p[c].pad += pending;
        pending = width[k] - w;
      }
    }
    f->p[it->rest].pad += pending;
  }
}

static void align_items(Fmt *f) {
  int32_t *members = xmalloc(((size_t)f->nitems + 1) * sizeof *members);
  bool *in_group = xcalloc((size_t)f->nitems + 1, sizeof *in_group);
  for (int32_t i = 0; i < f->nitems; i++) {
    if (in_group[i] || f->items[i].align == AL_NONE) continue;
    int32_t n = 0;
    members[n++] = i;
    for (int32_t j = i; f->items[j].next >= 0 && joins(f, &f->items[j], &f->items[f->items[j].next]);
         j = f->items[j].next) {
      members[n++] = f->items[j].next;
      in_group[f->items[j].next] = true;
    }
    if (n > 1) align_group(f, members, n);
  }
  free(in_group);
  free(members);
}

/* Trailing comments of consecutive lines start in one column, two spaces
 * after the widest line's code. */
static void align_comments(Fmt *f) {
  int32_t run_start = -1, target = 0;
  for (int32_t s = 0, next; s <= f->n; s = next) {
    int32_t last = s < f->n ? line_code_end(f, s, &next) : -1;
    if (s == f->n) next = f->n + 1;
    bool trailing = last >= 0 && last + 1 < next && f->p[last + 1].kind == PIECE_COMMENT;
    bool joins_run = trailing && run_start >= 0 && f->p[s].nl == 1;
    if (!joins_run && run_start >= 0) {
      /* close the run [run_start, s) */
      for (int32_t r = run_start, rn; r < s; r = rn) {
        int32_t rl = line_code_end(f, r, &rn);
        f->p[rl + 1].pad = target - (f->p[rl].endcol + 2);
      }
      run_start = -1;
    }
    if (trailing) {
      if (run_start < 0) {
        run_start = s;
        target = 0;
      }
      if (f->p[last].endcol + 2 > target) target = f->p[last].endcol + 2;
    }
  }
}

/* ---- writing and checking ---------------------------------------------- */

static void put_spaces(Buf *b, int32_t n) {
  for (int32_t i = 0; i < n; i++)
    buf_putc(b, ' ');
}

static void emit(const Fmt *f, Buf *out, bool bom, const char *eol) {
  if (bom) buf_puts(out, "\xEF\xBB\xBF");
  for (int32_t i = 0; i < f->n; i++) {
    const Piece *q = &f->p[i];
    if (i > 0 && q->nl) {
      buf_puts(out, eol);
      if (q->nl == 2) buf_puts(out, eol);
    }
    if (i == 0 || q->nl)
      put_spaces(out, q->indent + q->pad);
    else
      put_spaces(out, q->col - f->p[i - 1].endcol);
    buf_put(out, f->src->text + q->begin, q->end - q->begin);
  }
  if (f->n > 0) buf_puts(out, eol);
}

/* Scans FILE into pieces (tokens and comments), NULL-free on failure. */
static bool scan_pieces(Fmt *f, const SourceSet *sources, int32_t file, Diag *diag) {
  f->src = src_get(sources, file);
  int32_t nt = 0;
  LexToken *t = parse_lex(sources, file, diag, &nt);
  if (!t) return false;
  uint32_t base = f->src->len >= 3 && memcmp(f->src->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
  bool ok = build_pieces(f, t, nt, base);
  free(t);
  return ok;
}

/* Same tokens and comments, in the same order, as the original? */
static bool same_pieces(const Fmt *a, const Fmt *b) {
  if (a->n != b->n) return false;
  for (int32_t i = 0; i < a->n; i++) {
    const Piece *x = &a->p[i], *y = &b->p[i];
    if (x->kind != y->kind || x->end - x->begin != y->end - y->begin ||
        memcmp(a->src->text + x->begin, b->src->text + y->begin, x->end - x->begin) != 0)
      return false;
  }
  return true;
}

static bool verify(const Fmt *orig, const char *text, size_t len) {
  SourceSet set;
  src_init(&set);
  int32_t id = src_add_text(&set, "fmt", text, len);
  Diag quiet;
  diag_init(&quiet, &set, NULL, NULL);
  Fmt again;
  memset(&again, 0, sizeof again);
  bool ok = scan_pieces(&again, &set, id, &quiet) && quiet.errors == 0 && same_pieces(orig, &again);
  free(again.p);
  src_free(&set);
  return ok;
}

char *fmt_source(const SourceSet *sources, int32_t file, Diag *diag, size_t *len) {
  *len = 0;
  int errors_before = diag->errors;
  Arena arena;
  arena_init(&arena, 0);
  Ast *ast = parse_file(sources, file, &arena, diag);
  if (diag->errors > errors_before) {
    arena_free(&arena);
    return NULL;
  }
  Fmt f;
  memset(&f, 0, sizeof f);
  char *result = NULL;
  if (!scan_pieces(&f, sources, file, diag) || !match_brackets(&f)) {
    diag_error(diag, SPAN_NONE, "cannot format %s: its tokens could not be read again", f.src->path);
    goto done;
  }
  mark_unary(&f);
  mark_items(&f, &ast->decls);
  force_breaks(&f);
  layout(&f);
  while (break_long_lines(&f))
    layout(&f);
  align_items(&f);
  layout(&f);
  align_comments(&f);
  layout(&f);
  const char *nl = memchr(f.src->text, '\n', f.src->len);
  bool crlf = nl && nl > f.src->text && nl[-1] == '\r';
  bool bom = f.src->len >= 3 && memcmp(f.src->text, "\xEF\xBB\xBF", 3) == 0;
  Buf out;
  buf_init(&out, NULL);
  emit(&f, &out, bom, crlf ? "\r\n" : "\n");
  buf_putc(&out, '\0');
  out.len--;
  if (!verify(&f, out.data, out.len)) {
    diag_error(diag, SPAN_NONE, "internal error: formatting %s would change its tokens; it is left as it is",
               f.src->path);
    buf_free(&out);
    goto done;
  }
  result = out.data;
  *len = out.len;
done:
  free(f.p);
  free(f.items);
  arena_free(&arena);
  return result;
}
