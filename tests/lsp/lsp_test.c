/* lsp_test.c — a scripted LSP client for `kenko lsp`: starts the server
 * over pipes, speaks JSON-RPC (Content-Length framing, jansson) and checks
 * every answer:
 *   lsp_test KENKO            the test suite; last line "lsp: N passed, N failed"
 *   lsp_test KENKO bench RULES  diagnostics after an edit of RULES (ms)
 * KENKO_LSP_WRAPPER (e.g. "valgrind -q --error-exitcode=99 …") runs the
 * server under that command (.ci/run: memcheck, whose errors and leaks
 * make the server's exit status wrong, so a check fails);
 * KENKO_LSP_EDITS sets the long session's length (default 10,000).
 * The suite: requests before initialize, initialize (UTF-16, and UTF-8 in
 * a second session), diagnostics on open (with "did you mean" related
 * information) and after an edit that fixes the error, an included
 * file's errors at their place in it, columns after
 * Japanese text, hover, definition into an include, document symbols,
 * completion after `DIM.`, formatting, the test code lenses and running a
 * test, malformed JSON, a message without Content-Length, unknown
 * methods, shutdown/exit; then 10,000 edits, after which the server's
 * resident memory has not grown (skipped under AddressSanitizer, whose
 * quarantine grows by design; its leak check runs at exit instead). */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int passed, failed;

static void check(int ok, const char *fmt, ...) {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  va_list ap;
  va_start(ap, fmt);
  fputs("FAIL ", stdout);
  vprintf(fmt, ap);
  fputc('\n', stdout);
  va_end(ap);
}

typedef struct Client {
  pid_t pid;
  FILE *to, *from;
  int next_id;
  json_t *pending; /* notifications read while waiting for a reply */
} Client;

static void start(Client *c, const char *kenko) {
  int in[2], out[2];
  if (pipe(in) != 0 || pipe(out) != 0) exit(2);
  c->pid = fork();
  if (c->pid < 0) exit(2);
  if (c->pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    close(in[1]);
    close(out[0]);
    const char *wrapper = getenv("KENKO_LSP_WRAPPER");
    if (wrapper && *wrapper) {
      /* e.g. valgrind: the shell splits the wrapper's words */
      char cmd[4600];
      snprintf(cmd, sizeof cmd, "exec %s \"$0\" lsp", wrapper);
      execl("/bin/sh", "sh", "-c", cmd, kenko, (char *)NULL);
    } else
      execl(kenko, kenko, "lsp", (char *)NULL);
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  c->to = fdopen(in[1], "w");
  c->from = fdopen(out[0], "r");
  c->next_id = 1;
  c->pending = json_array();
}

static void send_raw(Client *c, const char *body, size_t n) {
  fprintf(c->to, "Content-Length: %zu\r\n\r\n", n);
  fwrite(body, 1, n, c->to);
  fflush(c->to);
}

static void send_json(Client *c, json_t *msg) {
  char *text = json_dumps(msg, JSON_COMPACT);
  send_raw(c, text, strlen(text));
  free(text);
  json_decref(msg);
}

/* The next message from the server, or NULL at its end. */
static json_t *receive(Client *c) {
  char line[512];
  long length = -1;
  for (;;) {
    if (!fgets(line, sizeof line, c->from)) return NULL;
    if (strcmp(line, "\r\n") == 0) break;
    if (strncmp(line, "Content-Length: ", 16) == 0) length = atol(line + 16);
  }
  if (length < 0) return NULL;
  char *body = malloc((size_t)length + 1);
  if (fread(body, 1, (size_t)length, c->from) != (size_t)length) {
    free(body);
    return NULL;
  }
  json_error_t err;
  json_t *msg = json_loadb(body, (size_t)length, 0, &err);
  free(body);
  return msg;
}

static int request(Client *c, const char *method, json_t *params) {
  int id = c->next_id++;
  send_json(c, json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", id, "method", method, "params",
                         params ? params : json_object()));
  return id;
}

static void notify(Client *c, const char *method, json_t *params) {
  send_json(c, json_pack("{s:s, s:s, s:o}", "jsonrpc", "2.0", "method", method, "params", params));
}

/* The reply to request ID (other messages are kept); NULL if the server ended. */
static json_t *reply_to(Client *c, json_int_t id) {
  for (;;) {
    json_t *m = receive(c);
    if (!m) return NULL;
    json_t *mid = json_object_get(m, "id");
    if (json_is_integer(mid) && json_integer_value(mid) == id && !json_object_get(m, "method")) return m;
    json_array_append_new(c->pending, m);
  }
}

/* The next reply with a null id (an error about an unreadable message). */
static json_t *reply_null(Client *c) {
  for (;;) {
    json_t *m = receive(c);
    if (!m) return NULL;
    if (json_is_null(json_object_get(m, "id")) && json_object_get(m, "error")) return m;
    json_array_append_new(c->pending, m);
  }
}

/* The next publishDiagnostics for URI (pending ones first). */
static json_t *diagnostics_for(Client *c, const char *uri) {
  for (size_t i = 0; i < json_array_size(c->pending); i++) {
    json_t *m = json_array_get(c->pending, i);
    json_t *p = json_object_get(m, "params");
    if (strcmp(json_string_value(json_object_get(m, "method")) ?: "", "textDocument/publishDiagnostics") ==
            0 &&
        strcmp(json_string_value(json_object_get(p, "uri")) ?: "", uri) == 0) {
      json_incref(m);
      json_array_remove(c->pending, i);
      return m;
    }
  }
  for (;;) {
    json_t *m = receive(c);
    if (!m) return NULL;
    json_t *p = json_object_get(m, "params");
    if (strcmp(json_string_value(json_object_get(m, "method")) ?: "", "textDocument/publishDiagnostics") ==
            0 &&
        strcmp(json_string_value(json_object_get(p, "uri")) ?: "", uri) == 0)
      return m;
    json_array_append_new(c->pending, m);
  }
}

static int finish(Client *c) {
  fclose(c->to);
  fclose(c->from);
  json_decref(c->pending);
  int status = 0;
  waitpid(c->pid, &status, 0);
  return status;
}

static json_t *doc_pos(const char *uri, int line, int ch) {
  return json_pack("{s:{s:s}, s:{s:i, s:i}}", "textDocument", "uri", uri, "position", "line", line,
                   "character", ch);
}

static void open_doc(Client *c, const char *uri, const char *text) {
  notify(c, "textDocument/didOpen",
         json_pack("{s:{s:s, s:s, s:i, s:s}}", "textDocument", "uri", uri, "languageId", "kenko", "version",
                   1, "text", text));
}

static void change_doc(Client *c, const char *uri, int version, const char *text) {
  notify(c, "textDocument/didChange",
         json_pack("{s:{s:s, s:i}, s:[{s:s}]}", "textDocument", "uri", uri, "version", version,
                   "contentChanges", "text", text));
}

static void initialize(Client *c, int utf8, const char *want_encoding) {
  json_t *encs = utf8 ? json_pack("[s, s]", "utf-8", "utf-16") : json_pack("[s]", "utf-16");
  int id = request(c, "initialize",
                   json_pack("{s:i, s:{s:{s:o}}}", "processId", (int)getpid(), "capabilities", "general",
                             "positionEncodings", encs));
  json_t *r = reply_to(c, id);
  const char *enc = json_string_value(
      json_object_get(json_object_get(json_object_get(r, "result"), "capabilities"), "positionEncoding"));
  check(enc && strcmp(enc, want_encoding) == 0, "initialize: positionEncoding %s, expected %s",
        enc ? enc : "(none)", want_encoding);
  json_decref(r);
  notify(c, "initialized", json_object());
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) exit(2);
  fputs(text, f);
  fclose(f);
}

/* The whole file, read to its end (also a /proc file, whose size ftell
 * does not know: /proc/PID/maps was read as empty, so under_asan never
 * saw AddressSanitizer). */
static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t n = 0, cap = 4096;
  char *s = malloc(cap);
  size_t got;
  while ((got = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0) {
      cap *= 2;
      s = realloc(s, cap);
    }
  }
  s[n] = '\0';
  fclose(f);
  return s;
}

/* A rule file whose error (an unknown name) follows a Japanese label on
 * its line: line 3, UTF-16 column 21, UTF-8 column 35. */
static const char broken_text[] = "include \"common.kenko\"\n"
                                  "input seats \"席数\": number\n"
                                  "dimension d \"次元\" {\n"
                                  "  rule r \"日本語のラベル\" : seatz > min_seats\n"
                                  "  rule q : seats > 0\n"
                                  "}\n"
                                  "test \"passes\" {\n"
                                  "  given { seats: 9 }\n"
                                  "  expect d.r == 100\n"
                                  "}\n"
                                  "test \"fails\" {\n"
                                  "  given { seats: 1 }\n"
                                  "  expect d.r == 100\n"
                                  "}\n";

static char *fixed_text(void) {
  char *t = strdup(broken_text);
  char *at = strstr(t, "seatz");
  at[4] = 's';
  return t;
}

static const json_t *first_diag(json_t *pub) {
  return json_array_get(json_object_get(json_object_get(pub, "params"), "diagnostics"), 0);
}

static json_int_t diag_char(const json_t *d, const char *which) {
  return json_integer_value(
      json_object_get(json_object_get(json_object_get(d, "range"), which), "character"));
}

static json_int_t diag_line(const json_t *d) {
  return json_integer_value(json_object_get(json_object_get(json_object_get(d, "range"), "start"), "line"));
}

static int has_item(json_t *items, const char *label) {
  size_t i;
  json_t *it;
  json_array_foreach(items, i, it) if (strcmp(json_string_value(json_object_get(it, "label")) ?: "", label) ==
                                       0) return 1;
  return 0;
}

/* The resident memory of process PID (kB). */
static long rss_kb(pid_t pid) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) kb = atol(line + 6);
  if (f) fclose(f);
  return kb;
}

/* Whether the server runs under AddressSanitizer: its runtime is mapped
 * into the process. /proc files report a size of 0, so the map is read
 * line by line (read_file's size-first read would see nothing). The build
 * says so too (make asan-test sets KENKO_SAN). */
static int under_asan(pid_t pid) {
  const char *san = getenv("KENKO_SAN");
  if (san && strstr(san, "address")) return 1;
  char path[64], line[4096];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int yes = 0;
  while (!yes && fgets(line, sizeof line, f))
    yes = strstr(line, "asan") != NULL;
  fclose(f);
  return yes;
}

static void session_utf16(const char *kenko, const char *dir) {
  char uri[4200], common_uri[4200], path[4200];
  snprintf(uri, sizeof uri, "file://%s/main.kenko", dir);
  snprintf(common_uri, sizeof common_uri, "file://%s/common.kenko", dir);
  snprintf(path, sizeof path, "%s/common.kenko", dir);
  write_file(path, "# shared thresholds\nthreshold min_seats \"最低席数\" = 5\n");

  Client c;
  start(&c, kenko);
  /* before initialize: refused with -32002, the server stays */
  int id = request(&c, "textDocument/hover", doc_pos(uri, 0, 0));
  json_t *r = reply_to(&c, id);
  check(json_integer_value(json_object_get(json_object_get(r, "error"), "code")) == -32002,
        "a request before initialize gets -32002");
  json_decref(r);
  initialize(&c, 0, "utf-16");

  /* diagnostics on open: the unknown name, at UTF-16 columns */
  open_doc(&c, uri, broken_text);
  json_t *pub = diagnostics_for(&c, uri);
  const json_t *d = first_diag(pub);
  const char *msg = json_string_value(json_object_get(d, "message"));
  check(msg && strstr(msg, "unknown name `seatz`; did you mean `seats`?"), "diagnostic message: %s",
        msg ? msg : "(none)");
  check(diag_line(d) == 3 && diag_char(d, "start") == 21 && diag_char(d, "end") == 26,
        "diagnostic range in UTF-16 after Japanese text: line %lld, %lld..%lld (want 3, 21..26)",
        (long long)diag_line(d), (long long)diag_char(d, "start"), (long long)diag_char(d, "end"));
  check(json_integer_value(json_object_get(d, "severity")) == 1, "the diagnostic is an error");
  json_t *rel = json_array_get(json_object_get(d, "relatedInformation"), 0);
  check(rel && json_integer_value(json_object_get(
                   json_object_get(json_object_get(json_object_get(rel, "location"), "range"), "start"),
                   "line")) == 1,
        "did-you-mean related information points at `seats` (line 1)");
  json_decref(pub);

  /* an edit that fixes it: no diagnostics */
  char *fixed = fixed_text();
  change_doc(&c, uri, 2, fixed);
  pub = diagnostics_for(&c, uri);
  check(json_array_size(json_object_get(json_object_get(pub, "params"), "diagnostics")) == 0,
        "after the fix, no diagnostics");
  json_decref(pub);

  /* hover over `seats` in line 4 (`  rule q : seats > 0`) */
  id = request(&c, "textDocument/hover", doc_pos(uri, 4, 12));
  r = reply_to(&c, id);
  const char *hover =
      json_string_value(json_object_get(json_object_get(json_object_get(r, "result"), "contents"), "value"));
  check(hover && strstr(hover, "**input** `seats` \"席数\": number") && strstr(hover, "main.kenko:2"),
        "hover on an input: %s", hover ? hover : "(none)");
  json_decref(r);
  /* hover over the member name `r`: its dimension and weight */
  id = request(&c, "textDocument/hover", doc_pos(uri, 3, 7));
  r = reply_to(&c, id);
  hover =
      json_string_value(json_object_get(json_object_get(json_object_get(r, "result"), "contents"), "value"));
  check(hover && strstr(hover, "member of dimension `d`, weight 1"), "hover on a member: %s",
        hover ? hover : "(none)");
  json_decref(r);
  /* hover over a built-in: `scale` is not used; use the threshold */
  id = request(&c, "textDocument/hover", doc_pos(uri, 3, 32));
  r = reply_to(&c, id);
  hover =
      json_string_value(json_object_get(json_object_get(json_object_get(r, "result"), "contents"), "value"));
  check(hover && strstr(hover, "**threshold** `min_seats`") && strstr(hover, "`= 5`"),
        "hover on a threshold from an include: %s", hover ? hover : "(none)");
  json_decref(r);

  /* definition of `min_seats`: in the include */
  id = request(&c, "textDocument/definition", doc_pos(uri, 3, 32));
  r = reply_to(&c, id);
  json_t *loc = json_object_get(r, "result");
  const char *def_uri = json_string_value(json_object_get(loc, "uri"));
  check(def_uri && strcmp(def_uri, common_uri) == 0 &&
            json_integer_value(
                json_object_get(json_object_get(json_object_get(loc, "range"), "start"), "line")) == 1 &&
            json_integer_value(
                json_object_get(json_object_get(json_object_get(loc, "range"), "start"), "character")) == 10,
        "definition into the include: %s", def_uri ? def_uri : "(none)");
  json_decref(r);

  /* document symbols: the dimension with its members, the tests */
  id = request(&c, "textDocument/documentSymbol", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
  r = reply_to(&c, id);
  json_t *syms = json_object_get(r, "result");
  int dim_ok = 0, tests = 0;
  size_t i;
  json_t *sym;
  json_array_foreach(syms, i, sym) {
    const char *name = json_string_value(json_object_get(sym, "name"));
    json_t *kids = json_object_get(sym, "children");
    if (name && strcmp(name, "d") == 0 && json_array_size(kids) == 2 &&
        strcmp(json_string_value(json_object_get(json_array_get(kids, 0), "name")) ?: "", "r") == 0)
      dim_ok = 1;
    if (json_integer_value(json_object_get(sym, "kind")) == 12) tests++;
  }
  check(dim_ok && tests == 2 && json_array_size(syms) == 4,
        "document symbols: dimension d {r, q}, seats, 2 tests");
  json_decref(r);

  /* completion after `d.` (the text does not parse while it is typed) */
  char *typing = malloc(strlen(fixed) + 16);
  strcpy(typing, fixed);
  strcat(typing, "flag f when d.");
  change_doc(&c, uri, 3, typing);
  json_decref(diagnostics_for(&c, uri));
  id = request(&c, "textDocument/completion", doc_pos(uri, 14, 14));
  r = reply_to(&c, id);
  json_t *items = json_object_get(json_object_get(r, "result"), "items");
  check(has_item(items, "r") && has_item(items, "q") && has_item(items, "grade") && !has_item(items, "seats"),
        "completion after `d.`: the members and grade");
  json_decref(r);
  id = request(&c, "textDocument/completion", doc_pos(uri, 14, 12));
  r = reply_to(&c, id);
  items = json_object_get(json_object_get(r, "result"), "items");
  check(has_item(items, "seats") && has_item(items, "min_seats") && has_item(items, "scale") &&
            has_item(items, "when"),
        "completion of a name: inputs, thresholds, built-ins, keywords");
  json_decref(r);
  free(typing);

  /* formatting: one edit giving kenko fmt's text */
  change_doc(&c, uri, 4, "grades {\ngood >= 70\nbad otherwise\n}\n");
  json_decref(diagnostics_for(&c, uri));
  id = request(&c, "textDocument/formatting",
               json_pack("{s:{s:s}, s:{s:i, s:b}}", "textDocument", "uri", uri, "options", "tabSize", 2,
                         "insertSpaces", 1));
  r = reply_to(&c, id);
  const char *new_text =
      json_string_value(json_object_get(json_array_get(json_object_get(r, "result"), 0), "newText"));
  check(new_text && strcmp(new_text, "grades {\n  good >= 70\n  bad  otherwise\n}\n") == 0, "formatting: %s",
        new_text ? new_text : "(none)");
  json_decref(r);

  /* code lenses over the tests, and running one */
  change_doc(&c, uri, 5, fixed);
  json_decref(diagnostics_for(&c, uri));
  id = request(&c, "textDocument/codeLens", json_pack("{s:{s:s}}", "textDocument", "uri", uri));
  r = reply_to(&c, id);
  json_t *lenses = json_object_get(r, "result");
  const char *t1 =
      json_string_value(json_object_get(json_object_get(json_array_get(lenses, 0), "command"), "title"));
  const char *t2 =
      json_string_value(json_object_get(json_object_get(json_array_get(lenses, 1), "command"), "title"));
  check(json_array_size(lenses) == 2 && t1 && strcmp(t1, "✓ passes") == 0 && t2 &&
            strcmp(t2, "✗ fails: expect d.r == 100  → false") == 0,
        "code lenses: %s / %s", t1 ? t1 : "(none)", t2 ? t2 : "(none)");
  json_decref(r);
  id = request(&c, "workspace/executeCommand",
               json_pack("{s:s, s:[s, s]}", "command", "kenko.runTest", "arguments", uri, "fails"));
  r = reply_to(&c, id);
  const char *report = json_string_value(json_object_get(r, "result"));
  check(report && strncmp(report, "FAIL fails (", 12) == 0 && strstr(report, "expect d.r == 100  → false") &&
            strstr(report, "d.r = 0"),
        "running a test gives its report: %s", report ? report : "(none)");
  json_decref(r);
  free(fixed);

  /* malformed JSON, a message without a Content-Length, unknown methods */
  send_raw(&c, "{\"jsonrpc\": \"2.0\", \"id\": ", 25);
  r = reply_null(&c);
  check(json_integer_value(json_object_get(json_object_get(r, "error"), "code")) == -32700,
        "malformed JSON gets -32700");
  json_decref(r);
  fputs("X-Nothing: 1\r\n\r\n", c.to);
  fflush(c.to);
  r = reply_null(&c);
  check(json_integer_value(json_object_get(json_object_get(r, "error"), "code")) == -32700,
        "a message without Content-Length gets -32700");
  json_decref(r);
  send_raw(&c, "[1, 2]", 6);
  r = reply_null(&c);
  check(json_integer_value(json_object_get(json_object_get(r, "error"), "code")) == -32600,
        "a message that is not an object gets -32600");
  json_decref(r);
  id = request(&c, "textDocument/unknownThing", json_object());
  r = reply_to(&c, id);
  check(json_integer_value(json_object_get(json_object_get(r, "error"), "code")) == -32601,
        "an unknown method gets -32601");
  json_decref(r);
  notify(&c, "$/unknownNotification", json_object()); /* ignored */
  id = request(&c, "textDocument/hover", json_pack("{s:i}", "textDocument", 5));
  r = reply_to(&c, id);
  check(r && json_object_get(r, "result") && json_is_null(json_object_get(r, "result")),
        "a hover with bad params is answered (null)");
  json_decref(r);

  /* hover on the names of KPIs, tests and forecasts */
  char kpi_uri[4200];
  snprintf(kpi_uri, sizeof kpi_uri, "file://%s/kpi.kenko", dir);
  open_doc(&c, kpi_uri,
           "input id: text key\n"                                                            /* 0 */
           "input arr: number\n"                                                             /* 1 */
           "dimension d {\n  rule r : arr > 1\n}\n"                                          /* 2-4 */
           "grades {\n  good >= 50\n  bad otherwise\n}\n"                                    /* 5-8 */
           "forecast ret {\n  good 95%\n  bad 60%\n}\n"                                      /* 9-12 */
           "kpi good_share \"構成比\" = share(accounts where grade == good) target >= 60%\n" /* 13 */
           "test \"kpis\" {\n  given [{ id: \"a\", arr: 1 }]\n  expect kpi good_share >= 0%\n}\n");
  json_decref(diagnostics_for(&c, kpi_uri));
  static const struct {
    int line, col;
    const char *want, *what;
  } hovers[] = {
      {13, 5, "**KPI** `good_share` \"構成比\"", "a KPI's declaration"},
      {13, 5, "target >= 60%", "a KPI's target"},
      {13, 27, "`share(accounts where C)` in a KPI", "a KPI's aggregate"},
      {13, 33, "**accounts**", "`accounts`"},
      {16, 16, "**KPI** `good_share`", "the KPI of `expect kpi`"},
      {15, 20, "**input** `arr`", "a `given` field"},
      {10, 3, "**grade** `good`", "a forecast's grade"},
      {14, 7, "**test** `kpis`", "a test's name"},
  };
  for (size_t k = 0; k < sizeof hovers / sizeof hovers[0]; k++) {
    id = request(&c, "textDocument/hover", doc_pos(kpi_uri, hovers[k].line, hovers[k].col));
    r = reply_to(&c, id);
    hover = json_string_value(
        json_object_get(json_object_get(json_object_get(r, "result"), "contents"), "value"));
    check(hover && strstr(hover, hovers[k].want), "hover on %s: %s", hovers[k].what,
          hover ? hover : "(none)");
    json_decref(r);
  }

  /* an error in an included file (not open): shown in that file, at its
   * place there (UTF-16 columns after Japanese text), not on the
   * `include` line; gone (an empty list) once the include is dropped */
  char inc_uri[4200], inc_main_uri[4200];
  snprintf(path, sizeof path, "%s/bad_inc.kenko", dir);
  write_file(path, "# a threshold with a typo\nthreshold lo \"下限\" = hgh / 2\n");
  snprintf(inc_uri, sizeof inc_uri, "file://%s/bad_inc.kenko", dir);
  snprintf(inc_main_uri, sizeof inc_main_uri, "file://%s/inc_main.kenko", dir);
  open_doc(&c, inc_main_uri,
           "include \"bad_inc.kenko\"\ninput n: number\ndimension d {\n  rule r : n > lo\n}\n");
  json_t *inc_pub = diagnostics_for(&c, inc_uri);
  const json_t *inc_d = first_diag(inc_pub);
  const char *inc_msg = json_string_value(json_object_get(inc_d, "message"));
  check(inc_msg && strstr(inc_msg, "unknown name `hgh`") && !strstr(inc_msg, "in "),
        "an included file's error is published to its URI: %s", inc_msg ? inc_msg : "(none)");
  check(diag_line(inc_d) == 1 && diag_char(inc_d, "start") == 20 && diag_char(inc_d, "end") == 23,
        "at its place in the included file: line %lld, %lld..%lld (want 1, 20..23)",
        (long long)diag_line(inc_d), (long long)diag_char(inc_d, "start"),
        (long long)diag_char(inc_d, "end"));
  json_decref(inc_pub);
  pub = diagnostics_for(&c, inc_main_uri);
  check(json_array_size(json_object_get(json_object_get(pub, "params"), "diagnostics")) == 0,
        "the including document has no diagnostic on its include line");
  json_decref(pub);
  change_doc(&c, inc_main_uri, 2, "input n: number\ndimension d {\n  rule r : n > 1\n}\n");
  inc_pub = diagnostics_for(&c, inc_uri);
  check(json_array_size(json_object_get(json_object_get(inc_pub, "params"), "diagnostics")) == 0,
        "the include dropped: its diagnostics are cleared");
  json_decref(inc_pub);
  unlink(path);

  /* shutdown, then exit: status 0 */
  id = request(&c, "shutdown", NULL);
  r = reply_to(&c, id);
  check(r && json_is_null(json_object_get(r, "result")), "shutdown answers null");
  json_decref(r);
  notify(&c, "exit", json_object());
  int status = finish(&c);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit after shutdown: status 0 (got %d)", status);
}

static void session_utf8_and_edits(const char *kenko, const char *dir, int edits) {
  char uri[4200];
  snprintf(uri, sizeof uri, "file://%s/main.kenko", dir);
  Client c;
  start(&c, kenko);
  initialize(&c, 1, "utf-8");
  open_doc(&c, uri, broken_text);
  json_t *pub = diagnostics_for(&c, uri);
  const json_t *d = first_diag(pub);
  check(diag_line(d) == 3 && diag_char(d, "start") == 35 && diag_char(d, "end") == 40,
        "diagnostic range in UTF-8: %lld..%lld (want 35..40)", (long long)diag_char(d, "start"),
        (long long)diag_char(d, "end"));
  json_decref(pub);
  /* a long session: broken and fixed texts in turn; memory stays flat */
  char *fixed = fixed_text();
  long rss_early = 0;
  int answered = 0;
  for (int k = 1; k <= edits; k++) {
    change_doc(&c, uri, k + 1, k % 2 ? fixed : broken_text);
    json_t *m = diagnostics_for(&c, uri);
    if (m) answered++;
    json_decref(m);
    if (k == edits / 5) rss_early = rss_kb(c.pid);
  }
  long rss_late = rss_kb(c.pid);
  check(answered == edits, "%d edits, %d diagnostics published", edits, answered);
  const char *wrapper = getenv("KENKO_LSP_WRAPPER");
  if (wrapper && *wrapper)
    printf(
        "skip: resident memory over %d edits (the server runs under %s; its own leak check runs at exit)\n",
        edits, wrapper);
  else if (under_asan(c.pid))
    printf("skip: resident memory over %d edits (AddressSanitizer's quarantine grows by design)\n", edits);
  else
    check(rss_early > 0 && rss_late - rss_early < 1024,
          "resident memory from edit %d to %d: %ld kB -> %ld kB (must grow < 1 MB)", edits / 5, edits,
          rss_early, rss_late);
  free(fixed);
  int id = request(&c, "shutdown", NULL);
  json_decref(reply_to(&c, id));
  notify(&c, "exit", json_object());
  int status = finish(&c);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "second session exits 0 (status %d)", status);
  /* the end of the input without shutdown: exit status 2 */
  start(&c, kenko);
  initialize(&c, 0, "utf-16");
  status = finish(&c);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 2, "end of input without shutdown: status 2 (got %d)",
        status);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Diagnostics after an edit of RULES: the time from didChange to
 * publishDiagnostics, over 50 edits. */
static int bench(const char *kenko, const char *rules) {
  char *text = read_file(rules);
  char *real = realpath(rules, NULL);
  if (!text || !real) return 2;
  char uri[4200];
  snprintf(uri, sizeof uri, "file://%s", real);
  Client c;
  start(&c, kenko);
  initialize(&c, 0, "utf-16");
  open_doc(&c, uri, text);
  json_decref(diagnostics_for(&c, uri));
  enum { N = 50 };
  double ms[N];
  size_t n = strlen(text);
  char *edited = malloc(n + 32);
  for (int k = 0; k < N; k++) {
    snprintf(edited, n + 32, "%s# edit %d\n", text, k);
    double t0 = now_ms();
    change_doc(&c, uri, k + 2, edited);
    json_decref(diagnostics_for(&c, uri));
    ms[k] = now_ms() - t0;
  }
  qsort(ms, N, sizeof ms[0], cmp_double);
  printf("lsp: diagnostics after an edit of %s: median %.2f ms, max %.2f ms (%d edits)\n", rules, ms[N / 2],
         ms[N - 1], N);
  int id = request(&c, "shutdown", NULL);
  json_decref(reply_to(&c, id));
  notify(&c, "exit", json_object());
  finish(&c);
  free(edited);
  free(text);
  free(real);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: lsp_test KENKO [bench RULES]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  char *kenko = realpath(argv[1], NULL);
  if (!kenko) return 2;
  if (argc == 4 && strcmp(argv[2], "bench") == 0) return bench(kenko, argv[3]);
  char tmpl[] = "/tmp/kenko-lsp-XXXXXX";
  char *dir = mkdtemp(tmpl);
  if (!dir) return 2;
  session_utf16(kenko, dir);
  const char *e = getenv("KENKO_LSP_EDITS");
  session_utf8_and_edits(kenko, dir, e ? atoi(e) : 10000);
  char path[4200];
  snprintf(path, sizeof path, "%s/common.kenko", dir);
  unlink(path);
  rmdir(dir);
  free(kenko);
  printf("lsp: %d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
