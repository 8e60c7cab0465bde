/* source.c — rule source files: loading, line maps, UTF-8 decoding and
 * display widths, offset -> line and display column (see source.h). */
#include "front/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/vec.h"
#include "base/i18n.h"

/* ---- source sets ------------------------------------------------------ */

void src_init(SourceSet *set) {
  set->files = NULL;
  set->count = 0;
  set->cap = 0;
}

void src_free(SourceSet *set) {
  for (int32_t i = 0; i < set->count; i++) {
    Source *s = set->files[i];
    free(s->path);
    free(s->text);
    free(s->line_starts);
    free(s);
  }
  free(set->files);
  src_init(set);
}

/* Fills s->line_starts: line 1 starts at 0, and every '\n' starts a new
 * line after it (so a file ending in '\n' has an empty last line). */
static void build_line_map(Source *s) {
  uint32_t nlines = 1;
  const char *end = s->text + s->len;
  for (const char *nl = s->text; (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL; nl++)
    nlines++;
  s->line_starts = xmalloc(nlines * sizeof *s->line_starts);
  s->line_starts[0] = 0;
  uint32_t line = 1;
  for (const char *nl = s->text; (nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL; nl++)
    s->line_starts[line++] = (uint32_t)(nl - s->text) + 1;
  s->nlines = nlines;
}

/* Takes ownership of TEXT (LEN bytes plus a NUL) and appends a Source. */
static int32_t add_source(SourceSet *set, const char *path, char *text, uint32_t len) {
  VEC_GROW(set->files, set->count, set->cap, 4);
  Source *s = xmalloc(sizeof *s);
  s->id = set->count;
  s->path = xstrdup(path);
  s->text = text;
  s->len = len;
  s->included_from = -1;
  s->include_span = SPAN_NONE;
  build_line_map(s);
  set->files[set->count] = s;
  return set->count++;
}

int32_t src_add_text(SourceSet *set, const char *path, const char *text, size_t len) {
  if (len > KENKO_MAX_SOURCE_BYTES) return -1;
  char *copy = xmalloc(len + 1);
  if (len) memcpy(copy, text, len);
  copy[len] = '\0';
  return add_source(set, path, copy, (uint32_t)len);
}

/* What a file that is not a regular file is, for the refusal. */
static const char *not_regular(mode_t mode) {
  if (S_ISDIR(mode)) return _("not a regular file (a directory)");
  if (S_ISFIFO(mode)) return _("not a regular file (a FIFO)");
  if (S_ISCHR(mode) || S_ISBLK(mode)) return _("not a regular file (a device)");
  if (S_ISSOCK(mode)) return _("not a regular file (a socket)");
  return _("not a regular file");
}

int32_t src_load_file_at(SourceSet *set, const char *path, const char *open_path, bool regular_only,
                         const char **errmsg) {
  static const char too_large[] = N_("file is larger than 64 MiB");
  /* O_NONBLOCK: opening a FIFO with no writer must not wait; a regular
   * file reads the same with it. */
  int fd = open(open_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (regular_only ? O_NONBLOCK : 0));
  if (fd < 0) {
    *errmsg = strerror(errno);
    return -1;
  }
  struct stat st;
  if (regular_only && fstat(fd, &st) != 0) {
    *errmsg = strerror(errno);
    close(fd);
    return -1;
  }
  if (regular_only && !S_ISREG(st.st_mode)) {
    *errmsg = not_regular(st.st_mode);
    close(fd);
    return -1;
  }
  size_t cap = 0, len = 0;
  char *text = NULL;
  int read_errno = 0;
  for (;;) {
    VEC_RESERVE(text, cap, len + 2, 64 * 1024); /* room to read, and the NUL */
    ssize_t got = read(fd, text + len, cap - len - 1);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) read_errno = errno;
    if (got <= 0) break;
    len += (size_t)got;
    if (len > KENKO_MAX_SOURCE_BYTES) break;
  }
  close(fd);
  if (read_errno || len > KENKO_MAX_SOURCE_BYTES) {
    free(text);
    *errmsg = read_errno ? strerror(read_errno) : _(too_large);
    return -1;
  }
  text[len] = '\0';
  return add_source(set, path, text, (uint32_t)len);
}

int32_t src_load_file(SourceSet *set, const char *path, const char **errmsg) {
  return src_load_file_at(set, path, path, false, errmsg);
}

const Source *src_get(const SourceSet *set, int32_t id) {
  if (id < 0 || id >= set->count) return NULL;
  return set->files[id];
}

/* ---- lines and columns ----------------------------------------------- */

/* 0-based index of the line holding OFFSET (binary search). */
static uint32_t line_index(const Source *s, uint32_t offset) {
  uint32_t lo = 0, hi = s->nlines; /* line_starts[lo] <= offset < [hi] */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (s->line_starts[mid] <= offset)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

void src_line_col(const Source *s, uint32_t offset, int *line, int *col) {
  if (offset > s->len) offset = s->len;
  uint32_t idx = line_index(s, offset);
  uint32_t start = s->line_starts[idx], content;
  *line = (int)idx + 1;
  src_line_text(s, *line, &content);
  /* An offset inside the line terminator ("\r\n") is at the line's end. */
  uint32_t before = offset - start < content ? offset - start : content;
  *col = 1 + utf8_display_width(s->text + start, before, 0);
}

const char *src_line_text(const Source *s, int line, uint32_t *len) {
  if (line < 1 || (uint32_t)line > s->nlines) {
    *len = 0;
    return s->text + s->len;
  }
  uint32_t start = s->line_starts[line - 1];
  uint32_t end = (uint32_t)line < s->nlines ? s->line_starts[line] - 1 : s->len;
  /* end is at the '\n' (or the end of the file); drop a '\r' before '\n'. */
  if ((uint32_t)line < s->nlines && end > start && s->text[end - 1] == '\r') end--;
  *len = end - start;
  return s->text + start;
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* The length of the character at S (N bytes left), 0 when it is not
 * valid UTF-8, its code point in *CP. Inlined in both callers: a caller
 * that drops *CP does not compute it. */
static inline int decode_at(const unsigned char *s, size_t n, uint32_t *cp) {
  if (n == 0) return 0;
  unsigned char b0 = s[0];
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  int len;
  uint32_t value;
  unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the 2nd byte */
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, value = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, value = b0 & 0x0Fu;
    if (b0 == 0xE0)
      lo = 0xA0; /* overlong */
    else if (b0 == 0xED)
      hi = 0x9F; /* surrogates D800-DFFF */
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, value = b0 & 0x07u;
    if (b0 == 0xF0)
      lo = 0x90; /* overlong */
    else if (b0 == 0xF4)
      hi = 0x8F; /* above U+10FFFF */
  } else {
    return 0; /* continuation byte, C0/C1 overlong lead, or F5-FF */
  }
  if (n < (size_t)len) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  value = (value << 6) | (s[1] & 0x3Fu);
  for (int i = 2; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    value = (value << 6) | (s[i] & 0x3Fu);
  }
  *cp = value;
  return len;
}

int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) { return decode_at(s, n, cp); }

/* ASCII is passed over eight bytes at a time (a word with no high bit
 * set), the rest a character at a time. */
long utf8_first_invalid(const char *s, size_t n) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    for (;;) {
      uint64_t w;
      if (i + sizeof w > n) break;
      memcpy(&w, p + i, sizeof w);
      if (w & 0x8080808080808080ull) break;
      i += sizeof w;
    }
    while (i < n && p[i] < 0x80)
      i++;
    if (i == n) break;
    uint32_t cp;
    int len = decode_at(p + i, n - i, &cp);
    if (len == 0) return (long)i;
    i += (size_t)len;
  }
  return -1;
}

typedef struct CpRange {
  uint32_t first, last;
} CpRange;

/* East Asian Wide (W) and Fullwidth (F) code points, from Unicode 14's
 * EastAsianWidth.txt; neighbouring ranges are merged across unassigned
 * code points, and whole CJK and emoji blocks count as wide. */
static const CpRange wide_ranges[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x4DBF},   {0x4E00, 0xA4CF},   {0xA960, 0xA97C},   {0xAC00, 0xD7A3},
    {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6B},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},
    {0x16FE0, 0x1B2FB}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F64F}, {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6DF},
    {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7F0}, {0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAF6},
    {0x20000, 0x3FFFD}};

/* Zero-width code points: nonspacing and enclosing marks (Mn, Me), the
 * zero-width and bidi format characters, the BOM, variation selectors and
 * tags (Unicode 14). */
static const CpRange zero_ranges[] = {
    {0x0300, 0x036F},   {0x0483, 0x0489},   {0x0591, 0x05BD},   {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
    {0x05C4, 0x05C5},   {0x05C7, 0x05C7},   {0x0610, 0x061A},   {0x064B, 0x065F},   {0x0670, 0x0670},
    {0x06D6, 0x06DC},   {0x06DF, 0x06E4},   {0x06E7, 0x06E8},   {0x06EA, 0x06ED},   {0x0711, 0x0711},
    {0x0730, 0x074A},   {0x07A6, 0x07B0},   {0x07EB, 0x07F3},   {0x07FD, 0x07FD},   {0x0816, 0x0819},
    {0x081B, 0x0823},   {0x0825, 0x0827},   {0x0829, 0x082D},   {0x0859, 0x085B},   {0x0898, 0x089F},
    {0x08CA, 0x08E1},   {0x08E3, 0x0902},   {0x093A, 0x093A},   {0x093C, 0x093C},   {0x0941, 0x0948},
    {0x094D, 0x094D},   {0x0951, 0x0957},   {0x0962, 0x0963},   {0x0981, 0x0981},   {0x09BC, 0x09BC},
    {0x09C1, 0x09C4},   {0x09CD, 0x09CD},   {0x09E2, 0x09E3},   {0x09FE, 0x0A02},   {0x0A3C, 0x0A3C},
    {0x0A41, 0x0A51},   {0x0A70, 0x0A71},   {0x0A75, 0x0A75},   {0x0A81, 0x0A82},   {0x0ABC, 0x0ABC},
    {0x0AC1, 0x0AC8},   {0x0ACD, 0x0ACD},   {0x0AE2, 0x0AE3},   {0x0AFA, 0x0B01},   {0x0B3C, 0x0B3C},
    {0x0B3F, 0x0B3F},   {0x0B41, 0x0B44},   {0x0B4D, 0x0B56},   {0x0B62, 0x0B63},   {0x0B82, 0x0B82},
    {0x0BC0, 0x0BC0},   {0x0BCD, 0x0BCD},   {0x0C00, 0x0C00},   {0x0C04, 0x0C04},   {0x0C3C, 0x0C3C},
    {0x0C3E, 0x0C40},   {0x0C46, 0x0C56},   {0x0C62, 0x0C63},   {0x0C81, 0x0C81},   {0x0CBC, 0x0CBC},
    {0x0CBF, 0x0CBF},   {0x0CC6, 0x0CC6},   {0x0CCC, 0x0CCD},   {0x0CE2, 0x0CE3},   {0x0D00, 0x0D01},
    {0x0D3B, 0x0D3C},   {0x0D41, 0x0D44},   {0x0D4D, 0x0D4D},   {0x0D62, 0x0D63},   {0x0D81, 0x0D81},
    {0x0DCA, 0x0DCA},   {0x0DD2, 0x0DD6},   {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},
    {0x0EB1, 0x0EB1},   {0x0EB4, 0x0EBC},   {0x0EC8, 0x0ECD},   {0x0F18, 0x0F19},   {0x0F35, 0x0F35},
    {0x0F37, 0x0F37},   {0x0F39, 0x0F39},   {0x0F71, 0x0F7E},   {0x0F80, 0x0F84},   {0x0F86, 0x0F87},
    {0x0F8D, 0x0FBC},   {0x0FC6, 0x0FC6},   {0x102D, 0x1030},   {0x1032, 0x1037},   {0x1039, 0x103A},
    {0x103D, 0x103E},   {0x1058, 0x1059},   {0x105E, 0x1060},   {0x1071, 0x1074},   {0x1082, 0x1082},
    {0x1085, 0x1086},   {0x108D, 0x108D},   {0x109D, 0x109D},   {0x135D, 0x135F},   {0x1712, 0x1714},
    {0x1732, 0x1733},   {0x1752, 0x1753},   {0x1772, 0x1773},   {0x17B4, 0x17B5},   {0x17B7, 0x17BD},
    {0x17C6, 0x17C6},   {0x17C9, 0x17D3},   {0x17DD, 0x17DD},   {0x180B, 0x180D},   {0x180F, 0x180F},
    {0x1885, 0x1886},   {0x18A9, 0x18A9},   {0x1920, 0x1922},   {0x1927, 0x1928},   {0x1932, 0x1932},
    {0x1939, 0x193B},   {0x1A17, 0x1A18},   {0x1A1B, 0x1A1B},   {0x1A56, 0x1A56},   {0x1A58, 0x1A60},
    {0x1A62, 0x1A62},   {0x1A65, 0x1A6C},   {0x1A73, 0x1A7F},   {0x1AB0, 0x1B03},   {0x1B34, 0x1B34},
    {0x1B36, 0x1B3A},   {0x1B3C, 0x1B3C},   {0x1B42, 0x1B42},   {0x1B6B, 0x1B73},   {0x1B80, 0x1B81},
    {0x1BA2, 0x1BA5},   {0x1BA8, 0x1BA9},   {0x1BAB, 0x1BAD},   {0x1BE6, 0x1BE6},   {0x1BE8, 0x1BE9},
    {0x1BED, 0x1BED},   {0x1BEF, 0x1BF1},   {0x1C2C, 0x1C33},   {0x1C36, 0x1C37},   {0x1CD0, 0x1CD2},
    {0x1CD4, 0x1CE0},   {0x1CE2, 0x1CE8},   {0x1CED, 0x1CED},   {0x1CF4, 0x1CF4},   {0x1CF8, 0x1CF9},
    {0x1DC0, 0x1DFF},   {0x200B, 0x200F},   {0x202A, 0x202E},   {0x2060, 0x206F},   {0x20D0, 0x20F0},
    {0x2CEF, 0x2CF1},   {0x2D7F, 0x2D7F},   {0x2DE0, 0x2DFF},   {0x302A, 0x302D},   {0x3099, 0x309A},
    {0xA66F, 0xA672},   {0xA674, 0xA67D},   {0xA69E, 0xA69F},   {0xA6F0, 0xA6F1},   {0xA802, 0xA802},
    {0xA806, 0xA806},   {0xA80B, 0xA80B},   {0xA825, 0xA826},   {0xA82C, 0xA82C},   {0xA8C4, 0xA8C5},
    {0xA8E0, 0xA8F1},   {0xA8FF, 0xA8FF},   {0xA926, 0xA92D},   {0xA947, 0xA951},   {0xA980, 0xA982},
    {0xA9B3, 0xA9B3},   {0xA9B6, 0xA9B9},   {0xA9BC, 0xA9BD},   {0xA9E5, 0xA9E5},   {0xAA29, 0xAA2E},
    {0xAA31, 0xAA32},   {0xAA35, 0xAA36},   {0xAA43, 0xAA43},   {0xAA4C, 0xAA4C},   {0xAA7C, 0xAA7C},
    {0xAAB0, 0xAAB0},   {0xAAB2, 0xAAB4},   {0xAAB7, 0xAAB8},   {0xAABE, 0xAABF},   {0xAAC1, 0xAAC1},
    {0xAAEC, 0xAAED},   {0xAAF6, 0xAAF6},   {0xABE5, 0xABE5},   {0xABE8, 0xABE8},   {0xABED, 0xABED},
    {0xFB1E, 0xFB1E},   {0xFE00, 0xFE0F},   {0xFE20, 0xFE2F},   {0xFEFF, 0xFEFF},   {0x101FD, 0x101FD},
    {0x102E0, 0x102E0}, {0x10376, 0x1037A}, {0x10A01, 0x10A0F}, {0x10A38, 0x10A3F}, {0x10AE5, 0x10AE6},
    {0x10D24, 0x10D27}, {0x10EAB, 0x10EAC}, {0x10F46, 0x10F50}, {0x10F82, 0x10F85}, {0x11001, 0x11001},
    {0x11038, 0x11046}, {0x11070, 0x11070}, {0x11073, 0x11074}, {0x1107F, 0x11081}, {0x110B3, 0x110B6},
    {0x110B9, 0x110BA}, {0x110C2, 0x110C2}, {0x11100, 0x11102}, {0x11127, 0x1112B}, {0x1112D, 0x11134},
    {0x11173, 0x11173}, {0x11180, 0x11181}, {0x111B6, 0x111BE}, {0x111C9, 0x111CC}, {0x111CF, 0x111CF},
    {0x1122F, 0x11231}, {0x11234, 0x11234}, {0x11236, 0x11237}, {0x1123E, 0x1123E}, {0x112DF, 0x112DF},
    {0x112E3, 0x112EA}, {0x11300, 0x11301}, {0x1133B, 0x1133C}, {0x11340, 0x11340}, {0x11366, 0x11374},
    {0x11438, 0x1143F}, {0x11442, 0x11444}, {0x11446, 0x11446}, {0x1145E, 0x1145E}, {0x114B3, 0x114B8},
    {0x114BA, 0x114BA}, {0x114BF, 0x114C0}, {0x114C2, 0x114C3}, {0x115B2, 0x115B5}, {0x115BC, 0x115BD},
    {0x115BF, 0x115C0}, {0x115DC, 0x115DD}, {0x11633, 0x1163A}, {0x1163D, 0x1163D}, {0x1163F, 0x11640},
    {0x116AB, 0x116AB}, {0x116AD, 0x116AD}, {0x116B0, 0x116B5}, {0x116B7, 0x116B7}, {0x1171D, 0x1171F},
    {0x11722, 0x11725}, {0x11727, 0x1172B}, {0x1182F, 0x11837}, {0x11839, 0x1183A}, {0x1193B, 0x1193C},
    {0x1193E, 0x1193E}, {0x11943, 0x11943}, {0x119D4, 0x119DB}, {0x119E0, 0x119E0}, {0x11A01, 0x11A0A},
    {0x11A33, 0x11A38}, {0x11A3B, 0x11A3E}, {0x11A47, 0x11A47}, {0x11A51, 0x11A56}, {0x11A59, 0x11A5B},
    {0x11A8A, 0x11A96}, {0x11A98, 0x11A99}, {0x11C30, 0x11C3D}, {0x11C3F, 0x11C3F}, {0x11C92, 0x11CA7},
    {0x11CAA, 0x11CB0}, {0x11CB2, 0x11CB3}, {0x11CB5, 0x11CB6}, {0x11D31, 0x11D45}, {0x11D47, 0x11D47},
    {0x11D90, 0x11D91}, {0x11D95, 0x11D95}, {0x11D97, 0x11D97}, {0x11EF3, 0x11EF4}, {0x16AF0, 0x16AF4},
    {0x16B30, 0x16B36}, {0x16F4F, 0x16F4F}, {0x16F8F, 0x16F92}, {0x16FE4, 0x16FE4}, {0x1BC9D, 0x1BC9E},
    {0x1CF00, 0x1CF46}, {0x1D167, 0x1D169}, {0x1D17B, 0x1D182}, {0x1D185, 0x1D18B}, {0x1D1AA, 0x1D1AD},
    {0x1D242, 0x1D244}, {0x1DA00, 0x1DA36}, {0x1DA3B, 0x1DA6C}, {0x1DA75, 0x1DA75}, {0x1DA84, 0x1DA84},
    {0x1DA9B, 0x1DAAF}, {0x1E000, 0x1E02A}, {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF},
    {0x1E8D0, 0x1E8D6}, {0x1E944, 0x1E94A}, {0xE0001, 0xE01EF}};

static bool in_ranges(const CpRange *r, size_t n, uint32_t cp) {
  if (n == 0 || cp < r[0].first || cp > r[n - 1].last) return false;
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp > r[mid].last)
      lo = mid + 1;
    else if (cp < r[mid].first)
      hi = mid;
    else
      return true;
  }
  return false;
}

/* 0 for controls and zero-width characters, 2 for East Asian wide and
 * fullwidth ones, else 1. */
int utf8_cp_width(uint32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
  if (cp < 0x300) return 1;
  if (in_ranges(zero_ranges, sizeof zero_ranges / sizeof *zero_ranges, cp)) return 0;
  if (in_ranges(wide_ranges, sizeof wide_ranges / sizeof *wide_ranges, cp)) return 2;
  return 1;
}

/* Width of S: a tab advances to the next multiple of 8, an invalid byte
 * or a control character (shown as '?' by diagnostics) counts 1. */
int utf8_display_width(const char *s, size_t n, int start_col) {
  const unsigned char *p = (const unsigned char *)s;
  int col = start_col;
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    int len = utf8_decode(p + i, n - i, &cp);
    if (len == 0) {
      col++;
      i++;
      continue;
    }
    i += (size_t)len;
    if (cp == '\t')
      col += 8 - col % 8;
    else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
      col++;
    else
      col += utf8_cp_width(cp);
  }
  return col - start_col;
}
