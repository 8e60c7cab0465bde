/* load.c — loading a rule set: the main file and its includes (in order,
 * each file once), the fingerprint, then the checker. It sits in the
 * check layer, above both the parser and the checker it calls. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/check.h"
#include "front/parse.h"
#include "front/sha256.h"
#include "base/vec.h"
#include "base/i18n.h"

/* Deepest chain of includes. */
#define KENKO_MAX_INCLUDE_DEPTH 32

typedef struct Loader {
  Program *p;
  Diag *diag;
  Node **decls; /* all declarations, includes spliced in place */
  int32_t ndecls, cap;
  char **real_paths; /* canonical path of each loaded file (by file id) */
  int32_t *stack;    /* file ids of the include chain being read */
  int32_t depth;
  const RuleReader *reader; /* files from elsewhere than disk, or NULL */
  /* The include roots: the main file's directory, then the one the
   * caller added (kenko_load_opts.include_root). An include must resolve
   * inside one of their trees. */
  int nroots;
  const char *root_shown[2]; /* as given, for messages */
  char *root_text[2];        /* absolute, normalized by text */
  char *root_real[2];        /* on disk: canonical (symlinks resolved) */
} Loader;

static void push_decl(Loader *l, Node *n) {
  VEC_GROW(l->decls, l->ndecls, l->cap, 64);
  l->decls[l->ndecls++] = n;
}

/* kenko.h: by the text alone, since the files a read_file hook serves need
 * not exist on disk. */
char *kenko_normalize_path(const char *path) {
  size_t n = strlen(path);
  char *out = xmalloc(n + 2);
  size_t len = 0;
  bool absolute = path[0] == '/';
  if (absolute) out[len++] = '/';
  size_t root = len; /* ".." never climbs above this */
  const char *s = path;
  while (*s) {
    while (*s == '/')
      s++;
    const char *end = s;
    while (*end && *end != '/')
      end++;
    size_t part = (size_t)(end - s);
    if (part == 0) break;
    if (part == 1 && s[0] == '.') {
      /* "." adds nothing */
    } else if (part == 2 && s[0] == '.' && s[1] == '.') {
      size_t start = len;
      while (start > root && out[start - 1] != '/')
        start--;
      bool parent_is_dots = len - start == 2 && out[start] == '.' && out[start + 1] == '.';
      if (len > root && !parent_is_dots) {
        len = start > root ? start - 1 : root;
      } else if (!absolute) {
        if (len > root) out[len++] = '/';
        out[len++] = '.';
        out[len++] = '.';
      }
    } else {
      if (len > root) out[len++] = '/';
      memcpy(out + len, s, part);
      len += part;
    }
    s = end;
  }
  if (len == 0) out[len++] = '.';
  out[len] = '\0';
  return out;
}

/* PATH made absolute (joined to the current directory) and normalized by
 * text. malloc'ed. */
static char *absolute_text(const char *path) {
  if (path[0] == '/') return kenko_normalize_path(path);
  char *cwd = getcwd(NULL, 0);
  if (!cwd) return kenko_normalize_path(path);
  size_t c = strlen(cwd), n = strlen(path);
  char *joined = xmalloc(c + n + 2);
  memcpy(joined, cwd, c);
  joined[c] = '/';
  memcpy(joined + c + 1, path, n + 1);
  free(cwd);
  char *out = kenko_normalize_path(joined);
  free(joined);
  return out;
}

/* The directory part of PATH as text ("rules/a.kenko" → "rules", "a.kenko"
 * → ".", "/a.kenko" → "/"). malloc'ed. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return xstrdup(".");
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  char *out = xmalloc(n + 1);
  memcpy(out, path, n);
  out[n] = '\0';
  return out;
}

/* Whether PATH (absolute, normalized) is ROOT or inside ROOT's tree. */
static bool path_within(const char *path, const char *root) {
  size_t r = strlen(root);
  if (r == 1 && root[0] == '/') return path[0] == '/';
  return strncmp(path, root, r) == 0 && (path[r] == '\0' || path[r] == '/');
}

static bool within_roots(char *const *roots, int n, const char *path) {
  for (int i = 0; i < n; i++)
    if (roots[i] && path_within(path, roots[i])) return true;
  return false;
}

/* Adds ROOT (a directory, as given) to the loader's include roots. On disk
 * an explicit root must be a directory; false with *err set when not. */
static bool add_root(Loader *l, const char *root, bool explicit_root, const char **err) {
  int i = l->nroots;
  l->root_shown[i] = root;
  l->root_text[i] = absolute_text(root);
  l->root_real[i] = NULL;
  if (!l->reader) {
    struct stat st;
    if (explicit_root && stat(root, &st) != 0) {
      *err = strerror(errno);
      free(l->root_text[i]);
      return false;
    }
    if (explicit_root && !S_ISDIR(st.st_mode)) {
      *err = "not a directory";
      free(l->root_text[i]);
      return false;
    }
    l->root_real[i] = realpath(root, NULL);
  }
  l->nroots++;
  return true;
}

/* "outside the include root rules" (or "roots rules and shared"). */
static void report_outside(Loader *l, const Node *inc, const char *path) {
  if (l->nroots == 1)
    diag_error(l->diag, inc->span,
               "cannot read included file \"%s\": outside the include root \"%s\" (the main rule file's "
               "directory; --include-root DIR widens it)",
               path, l->root_shown[0]);
  else
    diag_error(l->diag, inc->span,
               "cannot read included file \"%s\": outside the include roots \"%s\" and \"%s\"", path,
               l->root_shown[0], l->root_shown[1]);
}

/* Whether the include at PATH (joined to the including file's directory)
 * stays inside the include roots: by its canonical path RP on disk (".."
 * and symlinks resolved), by text through a read_file hook. When RP is
 * NULL (no such file), by text, so that a refusal does not depend on
 * whether a file outside the roots exists. */
static bool include_allowed(const Loader *l, const char *path, const char *rp) {
  if (rp && !l->reader) return within_roots(l->root_real, l->nroots, rp);
  char *abs = absolute_text(path);
  bool ok = within_roots(l->root_text, l->nroots, abs);
  free(abs);
  return ok;
}

/* The name a file is known by, to read each file once and find cycles:
 * its canonical path on disk, or (with a read_file hook) its path
 * normalized by text. */
static char *file_identity(const Loader *l, const char *path) {
  if (l->reader) return kenko_normalize_path(path);
  return realpath(path, NULL);
}

static void remember_real_path(Loader *l, int32_t id, const char *path) {
  l->real_paths = xrealloc(l->real_paths, (size_t)(id + 1) * sizeof *l->real_paths);
  char *rp = file_identity(l, path);
  l->real_paths[id] = rp ? rp : xstrdup(path);
}

/* Adds the rule file PATH to the source set through the loader's
 * read_file hook, or from disk. Returns its id, or -1 with *err set. */
static int32_t read_rule_file(const RuleReader *reader, SourceSet *sources, const char *path,
                              const char **err) {
  if (!reader) return src_load_file(sources, path, err);
  size_t len = 0;
  *err = NULL;
  char *text = reader->read_file(reader->ud, path, &len, err);
  if (!text) {
    if (!*err) *err = _("cannot be read");
    return -1;
  }
  int32_t id = src_add_text(sources, path, text, len);
  free(text);
  if (id < 0) *err = _("file is larger than 64 MiB");
  return id;
}

/* The path of INCLUDE relative to the directory of FROM. */
static char *include_path(const char *from, const char *include) {
  if (include[0] == '/') return xstrdup(include);
  const char *slash = strrchr(from, '/');
  size_t dir = slash ? (size_t)(slash - from) + 1 : 0;
  size_t n = strlen(include);
  char *out = xmalloc(dir + n + 1);
  memcpy(out, from, dir);
  memcpy(out + dir, include, n + 1);
  return out;
}

static void load_file(Loader *l, int32_t id);

/* "include cycle: a.kenko → b.kenko → a.kenko" for the chain of files
 * being read from l->stack[from], closed by INC. */
static void report_include_cycle(Loader *l, int32_t from, const Node *inc) {
  const Source *first = src_get(&l->p->sources, l->stack[from]);
  if (from + 1 == l->depth) {
    diag_error(l->diag, inc->span, "include cycle: %s includes itself", first->path);
    return;
  }
  size_t cap = 0, len = 0;
  char *chain = NULL;
  VEC_RESERVE(chain, cap, 64, 64);
  chain[0] = '\0';
  for (int32_t j = from; j <= l->depth; j++) {
    const Source *s = src_get(&l->p->sources, l->stack[j < l->depth ? j : from]);
    VEC_RESERVE(chain, cap, len + strlen(s->path) + 8, 256);
    len += (size_t)sprintf(chain + len, "%s%s", j == from ? "" : " → ", s->path);
  }
  diag_error(l->diag, inc->span, "include cycle: %s", chain);
  free(chain);
}

/* An `include` declaration: read the file (once) and splice its
 * declarations in here. */
static void do_include(Loader *l, int32_t from_id, const Node *inc) {
  const Source *from = src_get(&l->p->sources, from_id);
  if (inc->str[0] == '/') {
    diag_error(l->diag, inc->span,
               "cannot read included file \"%s\": an absolute path (include a file by its path relative to "
               "the including file)",
               inc->str);
    return;
  }
  char *path = include_path(from->path, inc->str);
  if (l->reader) {
    /* The hook gets clean paths ("rules/../x" is "x"). */
    char *clean = kenko_normalize_path(path);
    free(path);
    path = clean;
  }
  char *rp = file_identity(l, path);
  if (!include_allowed(l, path, rp)) {
    report_outside(l, inc, path);
    free(rp);
    free(path);
    return;
  }
  if (!rp) {
    diag_error(l->diag, inc->span, "cannot read included file \"%s\": no such file", path);
    free(path);
    return;
  }
  for (int32_t i = 0; i < l->depth; i++) {
    if (strcmp(l->real_paths[l->stack[i]], rp) == 0) {
      report_include_cycle(l, i, inc);
      for (int32_t j = i + 1; j < l->depth; j++) {
        const Source *s = src_get(&l->p->sources, l->stack[j]);
        diag_note(l->diag, s->include_span, "%s is included here", s->path);
      }
      free(rp);
      free(path);
      return;
    }
  }
  for (int32_t i = 0; i < l->p->sources.count; i++) {
    if (strcmp(l->real_paths[i], rp) == 0) {
      /* Already read elsewhere: each file's declarations count once. */
      free(rp);
      free(path);
      return;
    }
  }
  if (l->depth >= KENKO_MAX_INCLUDE_DEPTH) {
    diag_error(l->diag, inc->span, "includes nested too deeply (limit is %d files in a chain)",
               KENKO_MAX_INCLUDE_DEPTH);
    free(rp);
    free(path);
    return;
  }
  const char *err = NULL;
  /* On disk the canonical path is opened, the one that was checked. */
  int32_t id = l->reader ? read_rule_file(l->reader, &l->p->sources, path, &err)
                         : src_load_file_at(&l->p->sources, path, rp, true, &err);
  free(rp);
  if (id < 0) {
    diag_error(l->diag, inc->span, "cannot read included file \"%s\": %s", path, err);
    free(path);
    return;
  }
  free(path);
  Source *s = l->p->sources.files[id];
  s->included_from = from_id;
  s->include_span = inc->span;
  remember_real_path(l, id, s->path);
  load_file(l, id);
}

static void load_file(Loader *l, int32_t id) {
  Ast *ast = parse_file(&l->p->sources, id, &l->p->arena, l->diag);
  l->stack = xrealloc(l->stack, (size_t)(l->depth + 1) * sizeof *l->stack);
  l->stack[l->depth++] = id;
  for (int32_t i = 0; i < ast->decls.count; i++) {
    Node *d = ast->decls.items[i];
    if (d->kind == D_INCLUDE)
      do_include(l, id, d);
    else
      push_decl(l, d);
  }
  l->depth--;
}

static void fingerprint(Program *p) {
  Sha256 c;
  unsigned char digest[32];
  sha256_init(&c);
  for (int32_t i = 0; i < p->sources.count; i++)
    sha256_update(&c, p->sources.files[i]->text, p->sources.files[i]->len);
  sha256_final(&c, digest);
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 32; i++) {
    p->fingerprint[2 * i] = hex[digest[i] >> 4];
    p->fingerprint[2 * i + 1] = hex[digest[i] & 15];
  }
  p->fingerprint[64] = '\0';
}

Program *program_load_with(const char *path, const char *text, size_t len, const RuleReader *reader,
                           Diag *diag, int *errors) {
  const char *include_root = reader ? reader->include_root : NULL;
  if (reader && !reader->read_file) reader = NULL;
  Program *p = xcalloc(1, sizeof *p);
  arena_init(&p->arena, 256 * 1024);
  src_init(&p->sources);
  p->default_grades = -1;
  p->outcome_input = -1;
  p->key_input = -1;
  p->snapshot_input = -1;
  p->display_input = -1;
  diag->sources = &p->sources;
  int before = diag->errors;

  int32_t id;
  const char *err = _("file is larger than 64 MiB"); /* src_add_text's only failure */
  if (text)
    id = src_add_text(&p->sources, path, text, len);
  else
    id = read_rule_file(reader, &p->sources, path, &err);
  if (id < 0) {
    diag_error(diag, SPAN_NONE, "cannot read %s: %s", path, err);
    p->unreadable = true;
    *errors = diag->errors - before;
    return p;
  }
  Loader l = {0};
  l.p = p;
  l.diag = diag;
  l.reader = reader;
  char *main_dir = dir_of(path);
  add_root(&l, main_dir, false, &err);
  if (include_root && !add_root(&l, include_root, true, &err)) {
    diag_error(diag, SPAN_NONE, "cannot use the include root %s: %s", include_root, err);
    p->unreadable = true;
  }
  remember_real_path(&l, id, path);
  if (!p->unreadable) load_file(&l, id);
  fingerprint(p);
  /* After syntax errors (or an include that failed) the checker would
   * mostly report their consequences — unknown names, empty blocks —
   * so it runs only on rules that parsed. */
  if (diag->errors == before) check_program(p, l.decls, l.ndecls, diag);
  for (int32_t i = 0; i < p->sources.count; i++)
    free(l.real_paths[i]);
  free(l.real_paths);
  for (int i = 0; i < l.nroots; i++) {
    free(l.root_text[i]);
    free(l.root_real[i]);
  }
  free(main_dir);
  free(l.stack);
  free(l.decls);
  *errors = diag->errors - before;
  return p;
}

Program *program_load(const char *path, const char *text, size_t len, Diag *diag, int *errors) {
  return program_load_with(path, text, len, NULL, diag, errors);
}
