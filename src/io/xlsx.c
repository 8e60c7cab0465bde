/* xlsx.c — Excel workbooks through libxlsxwriter (xlsx.h).
 *
 * The library is opened when a workbook is begun (dlopen), not linked:
 * it links libcrypto, and the two bind about 4,000 symbols when they are
 * loaded, which every run paid at its start (some 4 million instructions,
 * as much as scoring a thousand accounts) whether it wrote a workbook or
 * not. The functions called are looked up by name, each typed as the
 * header declares it. */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "io/xlsx.h"
#include "front/source.h"

enum {
  XLSX_MAX_COLS = 16384, /* Excel's columns */
  XLSX_MAX_WIDTH = 60,   /* the widest a column is made, in characters */
  XLSX_MAX_COLORS = 16,  /* distinct fill colours kept as formats */
  XLSX_MAX_CELL = 32767, /* Excel's longest cell text, in bytes here */
  XLSX_ROWS = 1048576    /* Excel's rows */
};

/* The library's functions xlsx.c calls. */
#define XLSX_FUNCTIONS(X)                                                                                    \
  X(workbook_new_opt)                                                                                        \
  X(workbook_add_format)                                                                                     \
  X(workbook_add_worksheet)                                                                                  \
  X(workbook_set_properties)                                                                                 \
  X(workbook_close)                                                                                          \
  X(format_set_bold)                                                                                         \
  X(format_set_bg_color)                                                                                     \
  X(format_set_font_color)                                                                                   \
  X(format_set_num_format)                                                                                   \
  X(worksheet_set_column)                                                                                    \
  X(worksheet_autofilter)                                                                                    \
  X(worksheet_freeze_panes)                                                                                  \
  X(worksheet_write_string)                                                                                  \
  X(worksheet_write_number)                                                                                  \
  X(lxw_strerror)

typedef struct XlsxLib {
  void *handle;
#define XLSX_POINTER(name) __typeof__(&name) name;
  XLSX_FUNCTIONS(XLSX_POINTER)
#undef XLSX_POINTER
} XlsxLib;

/* Opens the library (the soname of the header built against) and finds
 * its functions; false after reporting through DIAG. */
static bool lib_open(XlsxLib *lib, Diag *diag) {
  static const char so[] = "libxlsxwriter.so." LXW_SOVERSION;
  lib->handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle) {
    diag_at(diag, KENKO_ERROR, NULL, 0, 0,
            "xlsx: cannot load %s, which writes workbooks (%s): install it (Debian: libxlsxwriter%s)", so,
            dlerror(), LXW_SOVERSION);
    return false;
  }
  const char *missing = NULL;
  void *sym;
  /* memcpy: a function pointer is not converted from dlsym's void * */
#define XLSX_FIND(name)                                                                                      \
  sym = dlsym(lib->handle, #name);                                                                           \
  if (!sym && !missing) missing = #name;                                                                     \
  memcpy(&lib->name, &sym, sizeof lib->name);
  XLSX_FUNCTIONS(XLSX_FIND)
#undef XLSX_FIND
  if (missing) {
    diag_at(diag, KENKO_ERROR, NULL, 0, 0, "xlsx: %s has no function %s: install libxlsxwriter %s or later",
            so, missing, LXW_VERSION);
    dlclose(lib->handle);
    return false;
  }
  return true;
}

typedef struct XlsxFill {
  uint32_t rgb;
  lxw_format *fmt;
} XlsxFill;

struct Xlsx {
  XlsxLib lib;
  lxw_workbook *wb;
  lxw_worksheet *ws;
  Diag *diag;
  char path[64];             /* the temporary file */
  lxw_format *head, *num[4]; /* by XlsxNum; General: NULL */
  XlsxFill fills[XLSX_MAX_COLORS];
  int nfills;
  uint32_t row;
  int col, ncols;
  int *width; /* [ncols] the widest cell of each column */
  bool full;  /* the sheet reached Excel's last row */
  int nsheets;
  const char *title;
};

Xlsx *xlsx_new(const char *title, Diag *diag) {
  Xlsx *x = calloc(1, sizeof *x);
  x->diag = diag;
  if (!lib_open(&x->lib, diag)) {
    free(x);
    return NULL;
  }
  const char *dir = getenv("TMPDIR");
  if (!dir || !*dir || strlen(dir) > 40) dir = "/tmp";
  snprintf(x->path, sizeof x->path, "%s/kenko-xlsx-XXXXXX", dir);
  int fd = mkstemp(x->path);
  if (fd < 0) {
    diag_at(diag, KENKO_ERROR, NULL, 0, 0, "xlsx: cannot make a temporary file in %s: %s", dir,
            strerror(errno));
    dlclose(x->lib.handle);
    free(x);
    return NULL;
  }
  close(fd);
  lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_FALSE};
  x->wb = x->lib.workbook_new_opt(x->path, &o);
  if (!x->wb) {
    diag_at(diag, KENKO_ERROR, NULL, 0, 0, "xlsx: cannot start a workbook in %s", x->path);
    unlink(x->path);
    dlclose(x->lib.handle);
    free(x);
    return NULL;
  }
  x->title = title;
  x->head = x->lib.workbook_add_format(x->wb);
  x->lib.format_set_bold(x->head);
  x->lib.format_set_bg_color(x->head, 0xEEF1F5);
  static const char *const shown[] = {"0.0", "0", "0.0%"};
  for (int i = 0; i < 3; i++) {
    x->num[i] = x->lib.workbook_add_format(x->wb);
    x->lib.format_set_num_format(x->num[i], shown[i]);
  }
  return x;
}

static void xlsx_styled(Xlsx *x, const char *s, lxw_format *fmt);

/* Widens column COL to hold text of display width W. */
static void widen(Xlsx *x, int w) {
  if (x->col < x->ncols && w > x->width[x->col]) x->width[x->col] = w;
}

/* The column widths and the filter of the sheet being written. */
static void sheet_end(Xlsx *x) {
  if (!x->ws) return;
  for (int c = 0; c < x->ncols; c++) {
    int w = x->width[c] + 2;
    x->lib.worksheet_set_column(x->ws, (lxw_col_t)c, (lxw_col_t)c, w > XLSX_MAX_WIDTH ? XLSX_MAX_WIDTH : w,
                                NULL);
  }
  if (x->ncols > 0)
    x->lib.worksheet_autofilter(x->ws, 0, 0, x->row > 0 ? x->row - 1 : 0, (lxw_col_t)(x->ncols - 1));
  free(x->width);
  x->width = NULL;
  x->ws = NULL;
}

void xlsx_sheet(Xlsx *x, const char *name, const char *const *head, int n) {
  sheet_end(x);
  /* Excel refuses []:*?/\ in a sheet name and more than 31 characters */
  char safe[32 * 4 + 1];
  size_t o = 0;
  int chars = 0;
  for (const char *s = name; *s && chars < 31;) {
    uint32_t cp;
    int len = utf8_decode((const unsigned char *)s, strlen(s), &cp);
    if (len <= 0) break;
    if (len == 1 && strchr("[]:*?/\\", *s)) {
      safe[o++] = '_';
    } else {
      memcpy(safe + o, s, (size_t)len);
      o += (size_t)len;
    }
    s += len;
    chars++;
  }
  safe[o] = '\0';
  x->nsheets++;
  if (o == 0) snprintf(safe, sizeof safe, "Sheet%d", x->nsheets);
  x->ws = x->lib.workbook_add_worksheet(x->wb, safe);
  if (!x->ws) {
    snprintf(safe, sizeof safe, "Sheet%d", x->nsheets); /* a duplicate name */
    x->ws = x->lib.workbook_add_worksheet(x->wb, safe);
  }
  x->ncols = n < XLSX_MAX_COLS ? n : XLSX_MAX_COLS;
  x->width = calloc((size_t)x->ncols + 1, sizeof *x->width);
  x->row = 0;
  x->col = 0;
  x->full = false;
  for (int c = 0; c < x->ncols; c++) /* the header row in bold over a pale fill */
    xlsx_styled(x, head[c], x->head);
  if (x->ws) x->lib.worksheet_freeze_panes(x->ws, 1, 0);
  xlsx_row(x);
}

/* Text as a cell with format FMT: cut at Excel's longest cell (on a
 * character boundary) when longer. */
static void put_text(Xlsx *x, const char *s, lxw_format *fmt) {
  size_t n = strlen(s);
  widen(x, utf8_display_width(s, n > 4096 ? 4096 : n, 0));
  if (x->full || !x->ws || x->col >= x->ncols) return;
  if (n <= XLSX_MAX_CELL) {
    x->lib.worksheet_write_string(x->ws, x->row, (lxw_col_t)x->col, s, fmt);
    return;
  }
  size_t cut = XLSX_MAX_CELL;
  while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
    cut--;
  char *part = strndup(s, cut);
  x->lib.worksheet_write_string(x->ws, x->row, (lxw_col_t)x->col, part, fmt);
  free(part);
}

/* A text cell in format FMT (NULL: plain). */
static void xlsx_styled(Xlsx *x, const char *s, lxw_format *fmt) {
  if (s && *s) put_text(x, s, fmt);
  x->col++;
}

void xlsx_text(Xlsx *x, const char *s) { xlsx_styled(x, s, NULL); }

/* The format filling a cell with COLOR ("#rrggbb"), made once per colour. */
static lxw_format *fill(Xlsx *x, const char *color) {
  uint32_t rgb = (uint32_t)strtoul(color + 1, NULL, 16);
  for (int i = 0; i < x->nfills; i++)
    if (x->fills[i].rgb == rgb) return x->fills[i].fmt;
  if (x->nfills == XLSX_MAX_COLORS) return NULL;
  lxw_format *f = x->lib.workbook_add_format(x->wb);
  x->lib.format_set_bg_color(f, rgb);
  x->lib.format_set_font_color(f, 0xFFFFFF);
  x->lib.format_set_bold(f);
  x->fills[x->nfills++] = (XlsxFill){rgb, f};
  return f;
}

void xlsx_colored(Xlsx *x, const char *s, const char *color) {
  xlsx_styled(x, s, color ? fill(x, color) : NULL);
}

void xlsx_num(Xlsx *x, double v, XlsxNum how) {
  if (!isnan(v) && !isinf(v)) {
    char t[64];
    int w = snprintf(t, sizeof t,
                     how == XLSX_INT   ? "%.0f"
                     : how == XLSX_PCT ? "%.1f%%"
                     : how == XLSX_GEN ? "%.10g"
                                       : "%.1f",
                     how == XLSX_PCT ? v * 100 : v);
    widen(x, w);
    if (!x->full && x->ws && x->col < x->ncols)
      x->lib.worksheet_write_number(x->ws, x->row, (lxw_col_t)x->col, v, x->num[how]);
  }
  x->col++;
}

bool xlsx_row(Xlsx *x) {
  x->col = 0;
  if (x->full) return false;
  if (++x->row < XLSX_ROWS) return true;
  x->full = true;
  diag_at(x->diag, KENKO_ERROR, NULL, 0, 0,
          "xlsx: a sheet holds at most %d rows (Excel's limit): the rest are left out; use --format csv",
          XLSX_ROWS - 1);
  return false;
}

/* Copies the file at PATH to OUT. */
static bool copy_file(const char *path, FILE *out) {
  FILE *in = fopen(path, "rb");
  if (!in) return false;
  char buf[1 << 16];
  size_t n;
  bool ok = true;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) ok = false;
  if (ferror(in)) ok = false;
  fclose(in);
  return ok;
}

bool xlsx_finish(Xlsx *x, int32_t date, FILE *out) {
  sheet_end(x);
  lxw_doc_properties props = {0};
  props.title = (char *)(x->title ? x->title : "");
  props.created = (time_t)date * 86400; /* the run's date, not the clock: the same bytes every time */
  x->lib.workbook_set_properties(x->wb, &props);
  lxw_error e = x->lib.workbook_close(x->wb);
  bool ok = e == LXW_NO_ERROR;
  if (!ok)
    diag_at(x->diag, KENKO_ERROR, NULL, 0, 0, "xlsx: the workbook could not be written: %s",
            x->lib.lxw_strerror(e));
  else if (!copy_file(x->path, out))
    ok = false; /* the output stream's failure is the caller's to report */
  unlink(x->path);
  dlclose(x->lib.handle);
  free(x);
  return ok;
}

void xlsx_discard(Xlsx *x) {
  if (!x) return;
  sheet_end(x);
  x->lib.workbook_close(x->wb);
  unlink(x->path);
  dlclose(x->lib.handle);
  free(x);
}
