/* convert.c — a data cell's text to the type its input declares, with the
 * message that rejects it when it does not fit (shared by the CSV and YAML
 * readers; see reader.h).
 *
 * Accepted forms:
 *   number  [+-]digits[.digits][(e|E)[+-]digits], or .5 / 5. ; finite
 *           only; "1,234,567" (groups of three) only in a quoted cell with
 *           opts->thousands == ','; a number followed by '%' is a percent
 *           (Excel's "2%" = 0.02, as the language's own 2%)
 *   bool    true false yes no 1 0, in any case; はい いいえ
 *   date    YYYY-MM-DD or YYYY/MM/DD, month and day also unpadded
 *           (Excel's 2023/4/1), and 2023年4月1日; a real calendar date
 *   text    any valid UTF-8 without NUL bytes; checked against `in [...]`
 * Numbers, bools and dates ignore ASCII spaces and tabs around them, and
 * read full-width digits, signs, decimal point, comma, percent and slash
 * (what Japanese input methods type) as their ASCII forms, with full-width
 * spaces around them ignored too; text is taken exactly as given (the CSV
 * reader has already trimmed unquoted cells).
 *
 * A value still refused says which option would accept it when one would:
 * a CSV cell that spells "missing" (NA, #N/A, -, なし, …) names `--na`, a
 * grouped number `--thousands ,`, bytes that are not UTF-8 `--encoding`. */
#include "io/reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/convert.h"
#include "front/source.h"
#include "base/i18n.h"

/* Bytes of a bad value quoted in a message before it is cut with "…". */
#define QUOTED_VALUE_MAX 40

/* More `in [...]` values than this are not all listed in a message. */
#define ALLOWED_SHOWN_MAX 10

/* ---- quoting values in messages ----------------------------------------- */

/* Appends the C string S to DST[*J] (size DSTSZ) if it fits whole. */
static bool put_piece(char *dst, size_t dstsz, size_t *j, const char *s, size_t n) {
  if (*j + n + 1 > dstsz) return false;
  memcpy(dst + *j, s, n);
  *j += n;
  dst[*j] = '\0';
  return true;
}

void text_for_message(char *dst, size_t dstsz, const char *s, size_t n, size_t max) {
  if (dstsz == 0) return;
  dst[0] = '\0';
  size_t cut = n;
  bool truncated = false;
  if (max && n > max) {
    cut = max;
    /* Do not split a UTF-8 sequence: back up to its lead byte. */
    for (int back = 0; back < 3 && cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80; back++)
      cut--;
    truncated = true;
  }
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, j = 0;
  while (i < cut) {
    uint32_t cp;
    int len = utf8_decode(p + i, cut - i, &cp);
    char esc[12];
    const char *piece = esc;
    size_t piece_len;
    if (len == 0) {
      piece_len = (size_t)snprintf(esc, sizeof esc, "\\x%02X", p[i]);
      len = 1;
    } else if (cp == '"' || cp == '\\') {
      esc[0] = '\\', esc[1] = (char)cp, piece_len = 2;
    } else if (cp == '\n') {
      piece = "\\n", piece_len = 2;
    } else if (cp == '\t') {
      piece = "\\t", piece_len = 2;
    } else if (cp == '\r') {
      piece = "\\r", piece_len = 2;
    } else if (cp < 0x20 || cp == 0x7F) {
      piece_len = (size_t)snprintf(esc, sizeof esc, "\\x%02X", (unsigned)cp);
    } else if (cp >= 0x80 && cp <= 0x9F) { /* C1: its two bytes */
      piece_len = (size_t)snprintf(esc, sizeof esc, "\\x%02X\\x%02X", p[i], p[i + 1]);
    } else {
      piece = s + i, piece_len = (size_t)len;
    }
    /* Keep room for the ellipsis unless this is the very last piece. */
    bool last = !truncated && i + (size_t)len == cut;
    if (j + piece_len + (last ? 0 : 3) + 1 > dstsz) {
      truncated = true;
      break;
    }
    put_piece(dst, dstsz, &j, piece, piece_len);
    i += (size_t)len;
  }
  if (truncated) put_piece(dst, dstsz, &j, "\xE2\x80\xA6", 3);
}

/* Writes "PREFIX, got \"VALUE\"" (the value quoted for a message) to ERR. */
static void err_got(char *err, size_t errsz, const char *prefix, const char *s, size_t n) {
  char quoted[QUOTED_VALUE_MAX * 4 + 8];
  text_for_message(quoted, sizeof quoted, s, n, QUOTED_VALUE_MAX);
  snprintf(err, errsz, _("%s, got \"%s\""), prefix, quoted);
}

/* ---- numbers -------------------------------------------------------------- */

typedef enum NumResult {
  NUM_OK,       /* *out holds the value */
  NUM_SHAPE,    /* not a decimal number */
  NUM_NONFINITE /* inf, nan, or too large for a double */
} NumResult;

/* Reads S with strtod after dropping thousands separators. The shape was
 * already checked, so strtod reads all of it. */
static NumResult number_by_strtod(const char *s, size_t n, double *out) {
  char small[128];
  char *copy = n < sizeof small ? small : malloc(n + 1);
  if (!copy) return NUM_SHAPE;
  size_t j = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] != ',') copy[j++] = s[i];
  copy[j] = '\0';
  double x = strtod(copy, NULL);
  if (copy != small) free(copy);
  if (!isfinite(x)) return NUM_NONFINITE;
  *out = x;
  return NUM_OK;
}

/* Parses a decimal number, all of S. Up to 19 significant digits are
 * gathered into an integer; when it is at most 2^53 and the power of ten
 * is within ±22, one IEEE multiplication or division of two exact values
 * gives the correctly rounded result, the same double strtod returns.
 * Anything else goes to strtod. COMMAS allows "1,234" grouping. */
static NumResult parse_number(const char *s, size_t n, bool commas, double *out) {
  if (n && simple_decimal(s, n, out)) return NUM_OK;
  size_t i = 0;
  bool negative = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';

  uint64_t mantissa = 0;
  int significant = 0; /* digits in mantissa */
  int exponent10 = 0;  /* value = mantissa * 10^exponent10 */
  bool slow = false;   /* too many digits for the fast path */
  int int_digits = 0, frac_digits = 0;
  int group = -1; /* digits since the last ',' (-1: none seen) */

  for (; i < n; i++) {
    unsigned digit = (unsigned char)s[i] - '0';
    if (digit <= 9) {
      int_digits++;
      if (group >= 0) group++;
      if (significant < 19) {
        mantissa = mantissa * 10 + digit;
        if (mantissa) significant++;
      } else {
        slow = true;
      }
    } else if (s[i] == ',' && commas) {
      if (group < 0 ? int_digits == 0 || int_digits > 3 : group != 3) return NUM_SHAPE;
      group = 0;
    } else {
      break;
    }
  }
  if (group >= 0 && group != 3) return NUM_SHAPE;
  if (i < n && s[i] == '.') {
    for (i++; i < n; i++) {
      unsigned digit = (unsigned char)s[i] - '0';
      if (digit > 9) break;
      frac_digits++;
      if (significant < 19) {
        mantissa = mantissa * 10 + digit;
        if (mantissa) significant++;
        exponent10--;
      } else {
        slow = true;
      }
    }
  }
  if (int_digits + frac_digits == 0) return NUM_SHAPE;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    bool exp_negative = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    size_t exp_start = i;
    int exp_value = 0;
    for (; i < n; i++) {
      unsigned digit = (unsigned char)s[i] - '0';
      if (digit > 9) break;
      if (exp_value < 100000) exp_value = exp_value * 10 + (int)digit;
    }
    if (i == exp_start) return NUM_SHAPE;
    exponent10 += exp_negative ? -exp_value : exp_value;
  }
  if (i != n) return NUM_SHAPE;

  if (!slow && mantissa <= (UINT64_C(1) << 53)) {
    double x = (double)mantissa;
    if (mantissa == 0 || exponent10 == 0) {
      *out = negative ? -x : x;
      return NUM_OK;
    }
    if (exponent10 > 0 && exponent10 <= 22) {
      x *= exact_pow10[exponent10];
      *out = negative ? -x : x;
      return NUM_OK;
    }
    if (exponent10 < 0 && exponent10 >= -22) {
      x /= exact_pow10[-exponent10];
      *out = negative ? -x : x;
      return NUM_OK;
    }
  }
  return number_by_strtod(s, n, out);
}

/* Case-insensitive equality of S (N bytes) with the lower-case WORD. */
static bool word_is(const char *s, size_t n, const char *word) {
  size_t len = strlen(word);
  if (n != len) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

/* inf, infinity, nan with an optional sign or YAML's leading '.'. */
static bool names_nonfinite(const char *s, size_t n) {
  if (n && (*s == '+' || *s == '-')) s++, n--;
  if (n && *s == '.') s++, n--;
  return word_is(s, n, "inf") || word_is(s, n, "infinity") || word_is(s, n, "nan");
}

/* ---- Excel's spellings ---------------------------------------------------- */

/* Longest cell that is folded (full-width forms to ASCII); longer cells
 * are read as they are. */
#define FOLD_MAX 256

/* Copies S (N bytes) to DST (room for N bytes) with the full-width forms
 * of ASCII (U+FF01..U+FF5E: digits, signs, point, comma, percent, slash,
 * letters) and the minus sign U+2212 as ASCII, the ideographic space
 * U+3000 and no-break space as ' '; returns the new length (never more
 * than N: every folded character shrinks). */
static size_t fold_fullwidth(const char *s, size_t n, char *dst) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, j = 0;
  while (i < n) {
    uint32_t cp;
    int len = p[i] < 0x80 ? 0 : utf8_decode(p + i, n - i, &cp);
    char ascii = 0;
    if (len > 0) {
      if (cp >= 0xFF01 && cp <= 0xFF5E)
        ascii = (char)(cp - 0xFF01 + 0x21);
      else if (cp == 0x2212)
        ascii = '-';
      else if (cp == 0x3000 || cp == 0xA0)
        ascii = ' ';
    }
    if (ascii) {
      dst[j++] = ascii;
      i += (size_t)len;
    } else {
      dst[j++] = s[i++];
    }
  }
  return j;
}

/* Cells that say "no value" in the spellings spreadsheets and people use:
 * `--na` would read them as missing. Excel's error values (#N/A, #DIV/0!,
 * #VALUE!, …) all start with '#'. */
static bool na_like(const char *s, size_t n) {
  static const char *const words[] = {"na",   "n/a",      "n.a.", "null",   "none", "nil",  "-",
                                      "--",   "?",        "ー",   "―",      "－",   "なし", "無し",
                                      "不明", "該当なし", "未定", "未入力", "空欄", "欠損"};
  if (n == 0) return false;
  if (s[0] == '#') return n > 1 && !memchr(s, ',', n);
  for (size_t k = 0; k < sizeof words / sizeof *words; k++)
    if (word_is(s, n, words[k])) return true;
  return false;
}

/* "PREFIX, got \"VALUE\"" with the option that would accept the value
 * when one would: `--na VALUE` for a cell that spells missing (NA_HINT: the
 * cells are CSV's, which --na applies to), `--encoding` for bytes that are
 * not UTF-8. */
static void err_refused(char *err, size_t errsz, const char *prefix, const char *s, size_t n, bool na_hint) {
  char quoted[QUOTED_VALUE_MAX * 4 + 8];
  text_for_message(quoted, sizeof quoted, s, n, QUOTED_VALUE_MAX);
  if (utf8_first_invalid(s, n) >= 0)
    snprintf(err, errsz, _("%s, got \"%s\" (not UTF-8: give the file's encoding with `--encoding`)"), prefix,
             quoted);
  else if (na_hint && na_like(s, n))
    snprintf(err, errsz, _("%s, got \"%s\" (if it means missing, say so with `--na %s`)"), prefix, quoted,
             quoted);
  else
    snprintf(err, errsz, _("%s, got \"%s\""), prefix, quoted);
}

/* Each converter reads S (N bytes: blanks trimmed, full-width forms
 * folded) and quotes W (WN bytes: the cell as written) in its message. */
static bool convert_number(const char *s, size_t n, const char *w, size_t wn, const ReadOpts *opts,
                           bool quoted, Value *out, char *err, size_t errsz) {
  double x;
  bool commas = quoted && opts && opts->thousands == ',';
  /* Excel's percent cells: "2%" is 0.02, as the language's own 2%. */
  bool percent = n > 1 && s[n - 1] == '%';
  NumResult r = parse_number(s, percent ? n - 1 : n, commas, &x);
  if (r == NUM_OK) {
    *out = val_num(percent ? x / 100.0 : x);
    return true;
  }
  if (r == NUM_NONFINITE || names_nonfinite(s, n)) {
    err_got(err, errsz, _("expected a finite number"), w, wn);
  } else if (!commas && memchr(s, ',', n) && parse_number(s, percent ? n - 1 : n, true, &x) == NUM_OK) {
    char quoted_value[QUOTED_VALUE_MAX * 4 + 8];
    text_for_message(quoted_value, sizeof quoted_value, w, wn, QUOTED_VALUE_MAX);
    snprintf(err, errsz,
             _("expected number, got \"%s\" (a thousands separator is only "
               "read in a quoted cell with --thousands ,)"),
             quoted_value);
  } else {
    err_refused(err, errsz, _("expected number"), w, wn, opts && opts->na_hint);
  }
  return false;
}

/* ---- bool, date, text ------------------------------------------------------ */

static bool convert_bool(const char *s, size_t n, const char *w, size_t wn, bool na_hint, Value *out,
                         char *err, size_t errsz) {
  if (word_is(s, n, "true") || word_is(s, n, "yes") || word_is(s, n, "1") || word_is(s, n, "はい")) {
    *out = val_bool(true);
    return true;
  }
  if (word_is(s, n, "false") || word_is(s, n, "no") || word_is(s, n, "0") || word_is(s, n, "いいえ")) {
    *out = val_bool(false);
    return true;
  }
  err_refused(err, errsz, _("expected bool (true/false, yes/no, 1/0, はい/いいえ)"), w, wn, na_hint);
  return false;
}

/* Reads 1 to MAX ASCII digits at S[*I] into *V. */
static bool read_digits(const char *s, size_t n, size_t *i, int max, int *v) {
  int k = 0;
  *v = 0;
  while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
    *v = *v * 10 + (s[*i] - '0');
    (*i)++, k++;
  }
  return k > 0 && !(*i < n && s[*i] >= '0' && s[*i] <= '9');
}

/* S at *I starts with SEP (N bytes): steps over it. */
static bool take(const char *s, size_t n, size_t *i, const char *sep) {
  size_t len = strlen(sep);
  if (n - *i < len || memcmp(s + *i, sep, len) != 0) return false;
  *i += len;
  return true;
}

int date_loose(const char *s, size_t n, int32_t *days) {
  size_t i = 0;
  int y, m, d;
  if (!read_digits(s, n, &i, 4, &y) || i != 4) return 0;
  if (take(s, n, &i, "年")) {
    if (!read_digits(s, n, &i, 2, &m) || !take(s, n, &i, "月") || !read_digits(s, n, &i, 2, &d) ||
        !take(s, n, &i, "日") || i != n)
      return 0;
  } else {
    char sep = i < n ? s[i] : 0;
    if (sep != '/' && sep != '-') return 0;
    i++;
    if (!read_digits(s, n, &i, 2, &m) || i >= n || s[i] != sep) return 0;
    i++;
    if (!read_digits(s, n, &i, 2, &d) || i != n) return 0;
  }
  if (!date_valid(y, m, d)) return -1;
  *days = date_from_ymd(y, m, d);
  return 1;
}

static bool convert_date(const char *s, size_t n, const char *w, size_t wn, bool na_hint, Value *out,
                         char *err, size_t errsz) {
  int32_t days;
  int r = date_parse(s, n, &days);
  if (r == 0) r = date_loose(s, n, &days);
  if (r == 1) {
    *out = val_date(days);
    return true;
  }
  if (r == -1) {
    char quoted[QUOTED_VALUE_MAX * 4 + 8];
    text_for_message(quoted, sizeof quoted, w, wn, QUOTED_VALUE_MAX);
    snprintf(err, errsz, _("invalid date \"%s\""), quoted);
  } else {
    err_refused(err, errsz, _("expected date (YYYY-MM-DD, YYYY/M/D or YYYY年M月D日)"), w, wn, na_hint);
  }
  return false;
}

/* "expected one of \"a\", \"b\", got \"c\"" into ERR. */
static void err_not_allowed(const FieldSchema *field, const char *s, size_t n, char *err, size_t errsz) {
  size_t j = 0;
  int written = snprintf(err, errsz, _("expected one of "));
  if (written < 0) return;
  j = (size_t)written;
  for (int32_t k = 0; k < field->nallowed && j < errsz; k++) {
    if (k == ALLOWED_SHOWN_MAX) {
      written = snprintf(err + j, errsz - j, "…, ");
    } else {
      char quoted[QUOTED_VALUE_MAX * 4 + 8];
      const char *allowed = field->allowed[k];
      text_for_message(quoted, sizeof quoted, allowed, strlen(allowed), QUOTED_VALUE_MAX);
      written = snprintf(err + j, errsz - j, "\"%s\", ", quoted);
    }
    if (written < 0) return;
    j += (size_t)written;
    if (k == ALLOWED_SHOWN_MAX) break;
  }
  if (j >= errsz) return;
  char quoted[QUOTED_VALUE_MAX * 4 + 8];
  text_for_message(quoted, sizeof quoted, s, n, QUOTED_VALUE_MAX);
  snprintf(err + j, errsz - j, _("got \"%s\""), quoted);
}

static bool convert_text(const FieldSchema *field, const char *s, size_t n, Arena *arena, Value *out,
                         char *err, size_t errsz) {
  if (!plain_ascii(s, n) && !clean_utf8(s, n)) {
    if (memchr(s, '\0', n)) {
      snprintf(err, errsz, _("NUL byte in text"));
      return false;
    }
    if (utf8_first_invalid(s, n) >= 0) {
      char quoted[QUOTED_VALUE_MAX * 4 + 8];
      text_for_message(quoted, sizeof quoted, s, n, QUOTED_VALUE_MAX);
      snprintf(err, errsz,
               _("invalid UTF-8 in text \"%s\" (not UTF-8: give the file's encoding with `--encoding`)"),
               quoted);
      return false;
    }
  }
  if (field->allowed) {
    bool found = false;
    for (int32_t k = 0; k < field->nallowed && !found; k++) {
      const char *allowed = field->allowed[k];
      found = strlen(allowed) == n && memcmp(allowed, s, n) == 0;
    }
    if (!found) {
      err_not_allowed(field, s, n, err, errsz);
      return false;
    }
  }
  *out = val_text(arena_strndup(arena, s, n), (uint32_t)n);
  return true;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Everything convert_cell's fast paths leave: blanks around the value,
 * full-width forms, other spellings, and the messages for bad values
 * (which quote the cell as written). */
__attribute__((noinline)) static bool convert_cell_slow(const FieldSchema *field, const char *s, size_t n,
                                                        const ReadOpts *opts, bool quoted, Arena *arena,
                                                        Value *out, char *err, size_t errsz) {
  if (field->type == T_TEXT) return convert_text(field, s, n, arena, out, err, errsz);
  while (n && is_blank(*s))
    s++, n--;
  while (n && is_blank(s[n - 1]))
    n--;
  const char *w = s; /* as written, for the messages */
  size_t wn = n;
  char folded[FOLD_MAX];
  if (n <= FOLD_MAX && !plain_ascii(s, n) && clean_utf8(s, n)) {
    n = fold_fullwidth(s, n, folded);
    s = folded;
    while (n && is_blank(*s))
      s++, n--;
    while (n && is_blank(s[n - 1]))
      n--;
  }
  switch (field->type) {
  case T_NUMBER: return convert_number(s, n, w, wn, opts, quoted, out, err, errsz);
  case T_BOOL: return convert_bool(s, n, w, wn, opts && opts->na_hint, out, err, errsz);
  case T_DATE: return convert_date(s, n, w, wn, opts && opts->na_hint, out, err, errsz);
  case T_LIST: err_got(err, errsz, _("expected a list"), w, wn); return false;
  default: break;
  }
  snprintf(err, errsz, _("cannot read a value of type %s"), value_type_name((ValueType)field->type));
  return false;
}

bool convert_cell(const FieldSchema *field, const char *s, size_t n, const ReadOpts *opts, bool quoted,
                  Arena *arena, Value *out, char *err, size_t errsz) {
  if (convert_usual(field, s, n, false, arena, out)) return true;
  return convert_cell_slow(field, s, n, opts, quoted, arena, out, err, errsz);
}
