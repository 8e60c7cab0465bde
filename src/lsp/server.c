/* server.c — `kenko lsp`: a Language Server Protocol server over two
 * streams (JSON-RPC 2.0, Content-Length framing; JSON through jansson).
 *
 * A thin loop over the checker the CLI uses: each open document is loaded
 * from its text (includes from open documents or disk) on open and on
 * every change, and its diagnostics are published. Requests are answered
 * from the last load (or, while the text has errors, from the last load
 * without errors): hover, definition, document symbols, completion,
 * formatting (kenko fmt), code lenses over `test` blocks (run). Positions
 * are UTF-16 code units unless the client offers UTF-8 (positionEncoding).
 * Every request gets an answer; nothing a client sends ends the server
 * but `exit` or the end of its input. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kenko.h"
#include "base/buf.h"
#include "check/check.h" /* program_load */
#include "front/program.h"
#include "engine/compile.h"
#include "run/run.h"
#include "front/diag.h"
#include "lsp/query.h"

enum {
  RPC_PARSE_ERROR = -32700,
  RPC_INVALID_REQUEST = -32600,
  RPC_METHOD_NOT_FOUND = -32601,
  RPC_INVALID_PARAMS = -32602,
  RPC_NOT_INITIALIZED = -32002,
  RPC_REQUEST_FAILED = -32803
};

/* Largest message accepted (a rule file may be 64 MiB; JSON escapes it). */
#define LSP_MAX_MESSAGE (256u * 1024u * 1024u)

typedef struct RawDiag {
  kenko_level level;
  Span span;
  char *message;
} RawDiag;

typedef struct Doc {
  char *uri;
  char *path; /* the file path the uri names */
  char *text;
  size_t len;
  Program *prog; /* the last load of text (it may have errors) */
  int errors;
  CProgram *cp;      /* compiled when the last load had no errors */
  Program *good;     /* the last load without errors, when prog has some */
  CProgram *good_cp; /* … compiled */
  char **inc_uris;   /* the included files it last published diagnostics to */
  int32_t ninc_uris;
} Doc;

typedef struct Server {
  FILE *in, *out;
  bool utf8; /* positions in UTF-8 bytes (else UTF-16 code units) */
  bool initialized, shutdown, exit;
  Doc *docs;
  int32_t ndocs, cap;
  RawDiag *diags; /* of the load in progress */
  int32_t ndiags, capdiags;
} Server;

/* ---- messages ------------------------------------------------------------ */

static void send(Server *s, json_t *msg) {
  char *text = json_dumps(msg, JSON_COMPACT);
  json_decref(msg);
  if (!text) return;
  size_t n = strlen(text);
  fprintf(s->out, "Content-Length: %zu\r\n\r\n", n);
  fwrite(text, 1, n, s->out);
  fflush(s->out);
  free(text);
}

static void reply(Server *s, json_t *id, json_t *result) {
  send(s, json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "result",
                    result ? result : json_null()));
}

static void reply_error(Server *s, json_t *id, int code, const char *message) {
  send(s, json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(), "error",
                    "code", code, "message", message));
}

static void notify(Server *s, const char *method, json_t *params) {
  send(s, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}

/* Reads one message body: 1 with *body (malloc'ed), 0 at the end of the
 * input, -1 for a message without a usable Content-Length (skipped). */
static int read_message(Server *s, char **body, size_t *len) {
  char *line = NULL;
  size_t cap = 0;
  long long length = -1;
  bool any = false;
  for (;;) {
    ssize_t got = getline(&line, &cap, s->in);
    if (got < 0) {
      free(line);
      return 0;
    }
    any = true;
    while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
      line[--got] = '\0';
    if (got == 0) break;
    if (strncasecmp(line, "Content-Length:", 15) == 0) {
      char *end;
      long long v = strtoll(line + 15, &end, 10);
      while (*end == ' ' || *end == '\t')
        end++;
      length = *end == '\0' && v >= 0 ? v : -2;
    }
  }
  free(line);
  if (!any) return 0;
  if (length < 0 || (unsigned long long)length > LSP_MAX_MESSAGE) return -1;
  char *buf = malloc((size_t)length + 1);
  if (!buf) return -1;
  if (fread(buf, 1, (size_t)length, s->in) != (size_t)length) {
    free(buf);
    return 0;
  }
  buf[length] = '\0';
  *body = buf;
  *len = (size_t)length;
  return 1;
}

/* ---- positions ----------------------------------------------------------- */

/* Units of bytes S[0..n) in the negotiated encoding. */
static int units(const Server *s, const char *text, size_t n) {
  if (s->utf8) return (int)n;
  int u = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if ((c & 0xC0) == 0x80) continue;
    u += c >= 0xF0 ? 2 : 1;
  }
  return u;
}

static json_t *position_at(const Server *s, const char *text, size_t len, uint32_t off) {
  if (off > len) off = (uint32_t)len;
  int line = 0;
  size_t start = 0;
  for (size_t i = 0; i < off; i++)
    if (text[i] == '\n') {
      line++;
      start = i + 1;
    }
  return json_pack("{s:i, s:i}", "line", line, "character", units(s, text + start, off - start));
}

static json_t *range_of(const Server *s, const char *text, size_t len, uint32_t begin, uint32_t end) {
  return json_pack("{s:o, s:o}", "start", position_at(s, text, len, begin), "end",
                   position_at(s, text, len, end));
}

/* The byte offset of an LSP position in TEXT (clamped to its line). */
static uint32_t offset_of(const Server *s, const char *text, size_t len, json_t *pos) {
  json_int_t line = json_integer_value(json_object_get(pos, "line"));
  json_int_t ch = json_integer_value(json_object_get(pos, "character"));
  size_t i = 0;
  for (json_int_t l = 0; l < line && i < len; i++)
    if (text[i] == '\n') l++;
  json_int_t u = 0;
  while (i < len && text[i] != '\n' && text[i] != '\r' && u < ch) {
    unsigned char c = (unsigned char)text[i];
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    u += s->utf8 ? (json_int_t)n : (c >= 0xF0 ? 2 : 1);
    i += n;
  }
  return (uint32_t)(i > len ? len : i);
}

/* ---- documents ---------------------------------------------------------- */

/* The path a file: URI names (percent-escapes decoded), malloc'ed. */
static char *uri_path(const char *uri) {
  const char *p = strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
  char *out = xmalloc(strlen(p) + 1), *o = out;
  for (; *p; p++) {
    if (*p == '%' && p[1] && p[2]) {
      char hex[3] = {p[1], p[2], 0};
      char *end;
      long v = strtol(hex, &end, 16);
      if (*end == '\0') {
        *o++ = (char)v;
        p += 2;
        continue;
      }
    }
    *o++ = *p;
  }
  *o = '\0';
  return out;
}

static char *path_uri(const char *path) {
  Buf b;
  buf_init(&b, NULL);
  buf_puts(&b, "file://");
  for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
    if (*p == '%' || *p == ' ' || *p == '#' || *p == '?')
      buf_printf(&b, "%%%02X", *p);
    else
      buf_putc(&b, (char)*p);
  }
  buf_putc(&b, '\0');
  return b.data;
}

static Doc *find_doc(Server *s, const char *uri) {
  for (int32_t i = 0; i < s->ndocs; i++)
    if (strcmp(s->docs[i].uri, uri) == 0) return &s->docs[i];
  return NULL;
}

static void drop_programs(Doc *d) {
  compile_free(d->cp);
  program_free(d->prog);
  compile_free(d->good_cp);
  program_free(d->good);
  d->cp = d->good_cp = NULL;
  d->prog = d->good = NULL;
}

static void drop_inc_uris(Doc *d) {
  for (int32_t i = 0; i < d->ninc_uris; i++)
    free(d->inc_uris[i]);
  free(d->inc_uris);
  d->inc_uris = NULL;
  d->ninc_uris = 0;
}

static void doc_free(Doc *d) {
  drop_programs(d);
  drop_inc_uris(d);
  free(d->uri);
  free(d->path);
  free(d->text);
}

/* Includes come from the open documents first, else from disk. */
static char *read_rule_file(void *ud, const char *path, size_t *len, const char **err) {
  Server *s = ud;
  for (int32_t i = 0; i < s->ndocs; i++) {
    char *norm = kenko_normalize_path(s->docs[i].path);
    bool same = strcmp(norm, path) == 0;
    free(norm);
    if (same) {
      char *copy = xmalloc(s->docs[i].len + 1);
      memcpy(copy, s->docs[i].text, s->docs[i].len + 1);
      *len = s->docs[i].len;
      return copy;
    }
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    *err = "cannot read the file";
    return NULL;
  }
  Buf b;
  buf_init(&b, NULL);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_put(&b, chunk, n);
  fclose(f);
  buf_putc(&b, '\0');
  *len = b.len - 1;
  return b.data;
}

static void collect_diag(void *ud, kenko_level level, Span span, const char *message) {
  Server *s = ud;
  if (s->ndiags == s->capdiags) {
    s->capdiags = s->capdiags ? s->capdiags * 2 : 16;
    s->diags = xrealloc(s->diags, (size_t)s->capdiags * sizeof *s->diags);
  }
  RawDiag *r = &s->diags[s->ndiags++];
  r->level = level;
  r->span = span;
  r->message = strdup(message);
}

static void clear_diags(Server *s) {
  for (int32_t i = 0; i < s->ndiags; i++)
    free(s->diags[i].message);
  s->ndiags = 0;
}

/* The program the questions about D are answered from. */
static const Program *query_prog(const Doc *d) { return d->errors && d->good ? d->good : d->prog; }

static json_t *location_of(const Server *s, const Program *p, Span span) {
  if (span.file < 0 || span.file >= p->sources.count) return NULL;
  const Source *src = p->sources.files[span.file];
  char *uri = path_uri(src->path);
  json_t *loc =
      json_pack("{s:s, s:o}", "uri", uri, "range", range_of(s, src->text, src->len, span.begin, span.end));
  free(uri);
  return loc;
}

/* The span in the main file for SPAN: itself, or the `include` line that
 * brought its file in. */
static Span in_main_file(const Program *p, Span span, const char **from) {
  *from = NULL;
  while (span.file > 0 && span.file < p->sources.count) {
    const Source *src = p->sources.files[span.file];
    if (!*from) *from = src->path;
    span = src->include_span;
  }
  return span;
}

/* Is the file PATH open as a document of its own (which publishes its
 * own diagnostics)? */
static bool is_open(const Server *s, const char *path) {
  bool open = false;
  for (int32_t i = 0; i < s->ndocs && !open; i++) {
    char *norm = kenko_normalize_path(s->docs[i].path);
    open = strcmp(norm, path) == 0;
    free(norm);
  }
  return open;
}

/* The file R is shown in: 0 (the document), or the included file's index
 * when it is not open itself (its diagnostics go to that file's URI, at
 * their place there); else -1: on the document's `include` line. */
static int32_t shown_in(const Server *s, const Program *p, const RawDiag *r) {
  if (r->span.file <= 0 || r->span.file >= p->sources.count) return 0;
  return is_open(s, p->sources.files[r->span.file]->path) ? -1 : r->span.file;
}

static json_t *diagnostic_json(const Server *s, const Doc *d, const RawDiag *r) {
  const Program *p = d->prog;
  const char *from = NULL;
  json_t *range;
  int32_t file = shown_in(s, p, r);
  if (file > 0) {
    const Source *src = p->sources.files[file];
    range = range_of(s, src->text, src->len, r->span.begin, r->span.end);
  } else {
    Span at = in_main_file(p, r->span, &from);
    range =
        at.file == 0 ? range_of(s, d->text, d->len, at.begin, at.end) : range_of(s, d->text, d->len, 0, 0);
  }
  Buf msg;
  buf_init(&msg, NULL);
  if (from) buf_printf(&msg, "in %s: ", from);
  buf_puts(&msg, r->message);
  buf_putc(&msg, '\0');
  json_t *diag = json_pack("{s:o, s:i, s:s, s:s}", "range", range, "severity",
                           r->level == KENKO_ERROR ? 1 : 2, "source", "kenko", "message", msg.data);
  buf_free(&msg);
  /* "did you mean `NAME`?": where NAME is declared */
  const char *dym = strstr(r->message, "did you mean `");
  const Program *names = query_prog(d);
  if (dym && names) {
    dym += strlen("did you mean `");
    const char *end = strchr(dym, '`');
    if (end) {
      char *name = strndup(dym, (size_t)(end - dym));
      const Node *decl = query_decl_named(names, name);
      json_t *loc =
          decl ? location_of(s, names,
                             decl->name_span.end > decl->name_span.begin ? decl->name_span : decl->span)
               : NULL;
      if (loc) {
        char text[300];
        snprintf(text, sizeof text, "`%s` is declared here", name);
        json_object_set_new(diag, "relatedInformation",
                            json_pack("[{s:o, s:s}]", "location", loc, "message", text));
      }
      free(name);
    }
  }
  return diag;
}

/* Publishes the diagnostics of D: its own at their place; those of an
 * included file that is not open at their place in that file (the
 * file's URI: editors list them under it), or, when it is open (it
 * publishes its own), on the `include` line; and an empty list to the
 * included files that had diagnostics from D last time and have none
 * now. */
static void publish(Server *s, Doc *d) {
  const Program *p = d->prog;
  int32_t nfiles = p ? p->sources.count : 1;
  json_t **lists = xcalloc((size_t)nfiles + 1, sizeof *lists);
  lists[0] = json_array();
  json_t *list = lists[0];
  json_t *last = NULL;
  for (int32_t i = 0; i < s->ndiags; i++) {
    const RawDiag *r = &s->diags[i];
    if (r->level == KENKO_NOTE) {
      json_t *loc = location_of(s, d->prog, r->span);
      if (last && loc) {
        json_t *rel = json_object_get(last, "relatedInformation");
        if (!rel) {
          rel = json_array();
          json_object_set_new(last, "relatedInformation", rel);
        }
        json_array_append_new(rel, json_pack("{s:o, s:s}", "location", loc, "message", r->message));
      } else {
        json_decref(loc);
      }
      continue;
    }
    last = diagnostic_json(s, d, r);
    int32_t file = p ? shown_in(s, p, r) : 0;
    if (file > 0 && !lists[file]) lists[file] = json_array();
    json_array_append_new(file > 0 ? lists[file] : list, last);
  }
  notify(s, "textDocument/publishDiagnostics", json_pack("{s:s, s:o}", "uri", d->uri, "diagnostics", list));
  char **uris = xcalloc((size_t)nfiles + 1, sizeof *uris);
  int32_t nuris = 0;
  for (int32_t f = 1; f < nfiles; f++) {
    if (!lists[f]) continue;
    uris[nuris] = path_uri(p->sources.files[f]->path);
    notify(s, "textDocument/publishDiagnostics",
           json_pack("{s:s, s:o}", "uri", uris[nuris], "diagnostics", lists[f]));
    nuris++;
  }
  for (int32_t i = 0; i < d->ninc_uris; i++) {
    bool again = false;
    for (int32_t k = 0; k < nuris && !again; k++)
      again = strcmp(uris[k], d->inc_uris[i]) == 0;
    if (!again)
      notify(s, "textDocument/publishDiagnostics",
             json_pack("{s:s, s:[]}", "uri", d->inc_uris[i], "diagnostics"));
  }
  drop_inc_uris(d);
  d->inc_uris = uris;
  d->ninc_uris = nuris;
  free(lists);
}

/* Loads D's text (with its includes), keeps the result and publishes its
 * diagnostics. */
static void analyze(Server *s, Doc *d) {
  clear_diags(s);
  Diag diag;
  diag_init(&diag, NULL, NULL, NULL);
  diag.on_span = collect_diag;
  diag.span_ud = s;
  RuleReader reader = {read_rule_file, s, NULL};
  int errors = 0;
  Program *p = program_load_with(d->path, d->text, d->len, &reader, &diag, &errors);
  CProgram *cp = errors == 0 ? compile_program(p, &diag) : NULL;
  if (errors == 0 && !cp) errors = 1;
  if (errors == 0) {
    compile_free(d->good_cp);
    program_free(d->good);
    compile_free(d->cp);
    program_free(d->prog);
    d->good = NULL;
    d->good_cp = NULL;
  } else if (d->errors == 0 && d->prog) {
    compile_free(d->good_cp);
    program_free(d->good);
    d->good = d->prog; /* the last load without errors stays for questions */
    d->good_cp = d->cp;
  } else {
    compile_free(d->cp);
    program_free(d->prog);
  }
  d->prog = p;
  d->cp = cp;
  d->errors = errors;
  publish(s, d);
  clear_diags(s);
}

/* Re-checks the open documents that include PATH (their diagnostics may
 * change with it). */
static void analyze_includers(Server *s, const Doc *changed) {
  char *norm = kenko_normalize_path(changed->path);
  for (int32_t i = 0; i < s->ndocs; i++) {
    Doc *d = &s->docs[i];
    if (d == changed || !d->prog) continue;
    for (int32_t f = 1; f < d->prog->sources.count; f++)
      if (strcmp(d->prog->sources.files[f]->path, norm) == 0) {
        analyze(s, d);
        break;
      }
  }
  free(norm);
}

/* ---- requests ------------------------------------------------------------- */

static Doc *doc_param(Server *s, json_t *params) {
  const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
  return uri ? find_doc(s, uri) : NULL;
}

static void on_initialize(Server *s, json_t *id, json_t *params) {
  json_t *encs = json_object_get(json_object_get(json_object_get(params, "capabilities"), "general"),
                                 "positionEncodings");
  size_t i;
  json_t *e;
  s->utf8 = false;
  json_array_foreach(encs, i, e) if (json_is_string(e) && strcmp(json_string_value(e), "utf-8") == 0)
      s->utf8 = true;
  s->initialized = true;
  json_t *caps = json_pack("{s:s, s:{s:b, s:i, s:{s:b}}, s:b, s:b, s:b, s:{s:[s]}, s:b, s:{s:b}, s:{s:[s]}}",
                           "positionEncoding", s->utf8 ? "utf-8" : "utf-16", "textDocumentSync", "openClose",
                           1, "change", 1, "save", "includeText", 0, "hoverProvider", 1, "definitionProvider",
                           1, "documentSymbolProvider", 1, "completionProvider", "triggerCharacters", ".",
                           "documentFormattingProvider", 1, "codeLensProvider", "resolveProvider", 0,
                           "executeCommandProvider", "commands", "kenko.runTest");
  reply(s, id,
        json_pack("{s:o, s:{s:s, s:s}}", "capabilities", caps, "serverInfo", "name", "kenko", "version",
                  KENKO_VERSION));
}

static void set_text(Doc *d, const char *text, size_t len) {
  free(d->text);
  d->text = xmalloc(len + 1);
  memcpy(d->text, text, len);
  d->text[len] = '\0';
  d->len = len;
}

static void on_open(Server *s, json_t *params) {
  json_t *td = json_object_get(params, "textDocument");
  const char *uri = json_string_value(json_object_get(td, "uri"));
  json_t *text = json_object_get(td, "text");
  if (!uri || !json_is_string(text)) return;
  Doc *d = find_doc(s, uri);
  if (!d) {
    if (s->ndocs == s->cap) {
      s->cap = s->cap ? s->cap * 2 : 8;
      s->docs = xrealloc(s->docs, (size_t)s->cap * sizeof *s->docs);
    }
    d = &s->docs[s->ndocs++];
    memset(d, 0, sizeof *d);
    d->uri = strdup(uri);
    d->path = uri_path(uri);
  }
  set_text(d, json_string_value(text), json_string_length(text));
  analyze(s, d);
  analyze_includers(s, d);
}

static void on_change(Server *s, json_t *params) {
  Doc *d = doc_param(s, params);
  json_t *changes = json_object_get(params, "contentChanges");
  if (!d || !json_is_array(changes) || json_array_size(changes) == 0) return;
  /* full sync: the last change holds the whole text */
  json_t *text = json_object_get(json_array_get(changes, json_array_size(changes) - 1), "text");
  if (!json_is_string(text)) return;
  set_text(d, json_string_value(text), json_string_length(text));
  analyze(s, d);
  analyze_includers(s, d);
}

static void on_close(Server *s, json_t *params) {
  Doc *d = doc_param(s, params);
  if (!d) return;
  notify(s, "textDocument/publishDiagnostics", json_pack("{s:s, s:[]}", "uri", d->uri, "diagnostics"));
  for (int32_t i = 0; i < d->ninc_uris; i++)
    notify(s, "textDocument/publishDiagnostics",
           json_pack("{s:s, s:[]}", "uri", d->inc_uris[i], "diagnostics"));
  doc_free(d);
  *d = s->docs[--s->ndocs];
}

static void on_hover(Server *s, json_t *id, json_t *params) {
  Doc *d = doc_param(s, params);
  const Program *p = d ? query_prog(d) : NULL;
  if (!p) {
    reply(s, id, NULL);
    return;
  }
  uint32_t off = offset_of(s, d->text, d->len, json_object_get(params, "position"));
  QueryRef r = query_at(p, 0, off);
  if (!r.found) {
    reply(s, id, NULL);
    return;
  }
  Buf b;
  buf_init(&b, NULL);
  query_hover(p, &r, &b);
  buf_putc(&b, '\0');
  const Source *src = p->sources.files[0];
  reply(s, id,
        json_pack("{s:{s:s, s:s}, s:o}", "contents", "kind", "markdown", "value", b.data, "range",
                  range_of(s, src->text, src->len, r.span.begin, r.span.end)));
  buf_free(&b);
}

static void on_definition(Server *s, json_t *id, json_t *params) {
  Doc *d = doc_param(s, params);
  const Program *p = d ? query_prog(d) : NULL;
  QueryRef r = {0};
  if (p) r = query_at(p, 0, offset_of(s, d->text, d->len, json_object_get(params, "position")));
  if (!r.found || !r.decl) {
    reply(s, id, NULL);
    return;
  }
  Span at = r.decl->name_span.end > r.decl->name_span.begin ? r.decl->name_span : r.decl->span;
  reply(s, id, location_of(s, p, at));
}

static void on_symbols(Server *s, json_t *id, json_t *params) {
  Doc *d = doc_param(s, params);
  const Program *p = d ? query_prog(d) : NULL;
  json_t *list = json_array();
  if (p) {
    int32_t n = 0;
    QuerySymbol *syms = query_symbols(p, 0, &n);
    const Source *src = p->sources.files[0];
    json_t *parent = NULL;
    for (int32_t i = 0; i < n; i++) {
      json_t *sym = json_pack(
          "{s:s, s:i, s:o, s:o, s:[]}", "name", syms[i].name, "kind", syms[i].kind, "range",
          range_of(s, src->text, src->len, syms[i].span.begin, syms[i].span.end), "selectionRange",
          range_of(s, src->text, src->len, syms[i].name_span.begin, syms[i].name_span.end), "children");
      if (syms[i].detail) json_object_set_new(sym, "detail", json_string(syms[i].detail));
      if (syms[i].depth > 0 && parent) {
        json_array_append_new(json_object_get(parent, "children"), sym);
      } else {
        json_array_append_new(list, sym);
        parent = sym;
      }
    }
    free(syms);
  }
  reply(s, id, list);
}

static void add_item(void *ud, const QueryItem *it) {
  json_t *item = json_pack("{s:s, s:i}", "label", it->label, "kind", it->kind);
  if (it->detail) json_object_set_new(item, "detail", json_string(it->detail));
  json_array_append_new(ud, item);
}

static bool name_byte(unsigned char c) {
  return c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

static void on_completion(Server *s, json_t *id, json_t *params) {
  Doc *d = doc_param(s, params);
  json_t *items = json_array();
  if (d) {
    const Program *p = query_prog(d);
    uint32_t off = offset_of(s, d->text, d->len, json_object_get(params, "position"));
    uint32_t start = off;
    while (start > 0 && name_byte((unsigned char)d->text[start - 1]))
      start--;
    bool members = false;
    if (start > 0 && d->text[start - 1] == '.') {
      uint32_t oend = start - 1, obeg = oend;
      while (obeg > 0 && name_byte((unsigned char)d->text[obeg - 1]))
        obeg--;
      members = oend > obeg && query_members(p, d->text + obeg, oend - obeg, add_item, items);
      if (!members && d->good && p != d->good)
        members = query_members(d->good, d->text + obeg, oend - obeg, add_item, items);
    }
    if (!members) query_names(p, add_item, items);
  }
  reply(s, id, json_pack("{s:b, s:o}", "isIncomplete", 0, "items", items));
}

static json_t *whole_range(const Server *s, const Doc *d) {
  return range_of(s, d->text, d->len, 0, (uint32_t)d->len);
}

static void on_formatting(Server *s, json_t *id, json_t *params) {
  Doc *d = doc_param(s, params);
  if (!d) {
    reply_error(s, id, RPC_INVALID_PARAMS, "unknown document");
    return;
  }
  char *out = NULL;
  size_t outlen = 0;
  if (kenko_fmt(d->path, d->text, d->len, NULL, &out, &outlen) != KENKO_OK) {
    reply_error(s, id, RPC_REQUEST_FAILED, "the file has syntax errors: it is not formatted");
    return;
  }
  json_t *edits = json_array();
  if (outlen != d->len || memcmp(out, d->text, outlen) != 0)
    json_array_append_new(edits,
                          json_pack("{s:o, s:s%}", "range", whole_range(s, d), "newText", out, outlen));
  free(out);
  reply(s, id, edits);
}

typedef struct LensRun {
  Server *s;
  const Doc *d;
  const Program *p;
  json_t *lenses;
  const char *only; /* executeCommand: the test's name; else NULL */
  json_t *report;
} LensRun;

static void lens_for_test(void *ud, int32_t test, bool ok, const char *report, size_t len) {
  LensRun *run = ud;
  const TestDecl *t = &run->p->tests[test];
  if (t->node->span.file != 0) return;
  if (run->only) {
    if (strcmp(t->name, run->only) == 0 && !run->report) run->report = json_stringn(report, len);
    return;
  }
  char title[200];
  if (ok) {
    snprintf(title, sizeof title, "✓ passes");
  } else {
    /* the first failing expectation: its line after "    expect " */
    const char *first = memchr(report, '\n', len);
    const char *what = first ? strstr(first, "expect ") : NULL;
    const char *end = what ? strstr(what, "  (") : NULL;
    if (what && end)
      snprintf(title, sizeof title, "✗ fails: %.*s", (int)(end - what), what);
    else
      snprintf(title, sizeof title, "✗ fails");
  }
  const Source *src = run->p->sources.files[0];
  Span at = t->node->span;
  json_array_append_new(run->lenses, json_pack("{s:o, s:{s:s, s:s, s:[s, s]}}", "range",
                                               range_of(run->s, src->text, src->len, at.begin, at.begin),
                                               "command", "title", title, "command", "kenko.runTest",
                                               "arguments", run->d->uri, t->name));
}

static void on_code_lens(Server *s, json_t *id, json_t *params) {
  Doc *d = doc_param(s, params);
  json_t *lenses = json_array();
  if (d && d->cp && d->errors == 0) {
    LensRun run = {s, d, d->prog, lenses, NULL, NULL};
    test_each(d->cp, false, lens_for_test, &run);
  }
  reply(s, id, lenses);
}

static void on_execute(Server *s, json_t *id, json_t *params) {
  const char *cmd = json_string_value(json_object_get(params, "command"));
  json_t *args = json_object_get(params, "arguments");
  const char *uri = json_string_value(json_array_get(args, 0));
  const char *name = json_string_value(json_array_get(args, 1));
  Doc *d = uri ? find_doc(s, uri) : NULL;
  if (!cmd || strcmp(cmd, "kenko.runTest") != 0 || !d || !name) {
    reply_error(s, id, RPC_INVALID_PARAMS, "kenko.runTest takes a document URI and a test name");
    return;
  }
  if (!d->cp || d->errors) {
    reply_error(s, id, RPC_REQUEST_FAILED, "the rules have errors: the test cannot run");
    return;
  }
  LensRun run = {s, d, d->prog, NULL, name, NULL};
  test_each(d->cp, false, lens_for_test, &run);
  if (!run.report) {
    reply_error(s, id, RPC_INVALID_PARAMS, "no test of that name in the document");
    return;
  }
  reply(s, id, run.report);
}

/* ---- dispatch ------------------------------------------------------------ */

static void handle(Server *s, json_t *msg) {
  const char *method = json_string_value(json_object_get(msg, "method"));
  json_t *id = json_object_get(msg, "id");
  json_t *params = json_object_get(msg, "params");
  if (id && !json_is_string(id) && !json_is_integer(id)) {
    reply_error(s, NULL, RPC_INVALID_REQUEST, "the id must be a number or a string");
    return;
  }
  if (!method) {
    if (id && (json_object_get(msg, "result") || json_object_get(msg, "error"))) return; /* a reply to us */
    reply_error(s, id, RPC_INVALID_REQUEST, "a request needs a method");
    return;
  }
  if (strcmp(method, "exit") == 0) {
    s->exit = true;
    return;
  }
  if (!s->initialized && strcmp(method, "initialize") != 0) {
    if (id) reply_error(s, id, RPC_NOT_INITIALIZED, "the server is not initialized");
    return;
  }
  if (s->shutdown) {
    if (id) reply_error(s, id, RPC_INVALID_REQUEST, "the server is shut down");
    return;
  }
  if (params && !json_is_object(params) && !json_is_array(params)) {
    if (id) reply_error(s, id, RPC_INVALID_PARAMS, "params must be an object");
    return;
  }
  bool request = id != NULL;
  if (strcmp(method, "initialize") == 0 && request) {
    on_initialize(s, id, params);
  } else if (strcmp(method, "initialized") == 0 && !request) {
  } else if (strcmp(method, "shutdown") == 0 && request) {
    s->shutdown = true;
    reply(s, id, NULL);
  } else if (strcmp(method, "textDocument/didOpen") == 0 && !request) {
    on_open(s, params);
  } else if (strcmp(method, "textDocument/didChange") == 0 && !request) {
    on_change(s, params);
  } else if (strcmp(method, "textDocument/didClose") == 0 && !request) {
    on_close(s, params);
  } else if (strcmp(method, "textDocument/didSave") == 0 && !request) {
  } else if (strcmp(method, "textDocument/hover") == 0 && request) {
    on_hover(s, id, params);
  } else if (strcmp(method, "textDocument/definition") == 0 && request) {
    on_definition(s, id, params);
  } else if (strcmp(method, "textDocument/documentSymbol") == 0 && request) {
    on_symbols(s, id, params);
  } else if (strcmp(method, "textDocument/completion") == 0 && request) {
    on_completion(s, id, params);
  } else if (strcmp(method, "textDocument/formatting") == 0 && request) {
    on_formatting(s, id, params);
  } else if (strcmp(method, "textDocument/codeLens") == 0 && request) {
    on_code_lens(s, id, params);
  } else if (strcmp(method, "workspace/executeCommand") == 0 && request) {
    on_execute(s, id, params);
  } else if (request) {
    reply_error(s, id, RPC_METHOD_NOT_FOUND, "method not found");
  } /* an unknown notification ($/cancelRequest, …) is ignored */
}

int kenko_lsp(FILE *in, FILE *out) {
  Server s;
  memset(&s, 0, sizeof s);
  s.in = in;
  s.out = out;
  while (!s.exit) {
    char *body = NULL;
    size_t len = 0;
    int r = read_message(&s, &body, &len);
    if (r == 0) break;
    if (r < 0) {
      reply_error(&s, NULL, RPC_PARSE_ERROR, "a message needs a Content-Length header");
      continue;
    }
    json_error_t err;
    json_t *msg = json_loadb(body, len, 0, &err);
    free(body);
    if (!msg) {
      reply_error(&s, NULL, RPC_PARSE_ERROR, err.text);
    } else if (!json_is_object(msg)) {
      reply_error(&s, NULL, RPC_INVALID_REQUEST, "a message is a JSON object");
    } else {
      handle(&s, msg);
    }
    json_decref(msg);
  }
  for (int32_t i = 0; i < s.ndocs; i++)
    doc_free(&s.docs[i]);
  free(s.docs);
  clear_diags(&s);
  free(s.diags);
  return s.shutdown ? KENKO_OK : KENKO_ERR_USAGE;
}
