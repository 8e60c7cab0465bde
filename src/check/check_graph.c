/* check_graph.c — the dependency graph of what is computed per account:
 * nodes, edges from references, cycles named in full, and the evaluation
 * order (every dependency before its dependents). */
#include <stdlib.h>
#include <string.h>

#include "check/check_int.h"
#include "base/vec.h"
#include "base/i18n.h"

static int32_t add_node(Checker *c, DepKind kind, int32_t index, int32_t sub) {
  c->nodes[c->nnodes].kind = (uint8_t)kind;
  c->nodes[c->nnodes].index = index;
  c->nodes[c->nnodes].sub = sub;
  return c->nnodes++;
}

/* Node ids for every indicator, threshold, segment, member, dimension,
 * flag, plus the persona, health and journey. */
void graph_build_nodes(Checker *c) {
  Program *p = c->p;
  int32_t members = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    members += p->dimensions[d].nmembers;
  int32_t total =
      p->nindicators + p->nthresholds + 1 + p->nsegments + members + p->ndimensions + 1 + p->nflags + 1;
  c->nodes = xcalloc((size_t)total + 1, sizeof *c->nodes);
  Arena *a = c->arena;
  c->node_indicator = arena_alloc(a, (size_t)(p->nindicators + 1) * sizeof(int32_t));
  c->node_threshold = arena_alloc(a, (size_t)(p->nthresholds + 1) * sizeof(int32_t));
  c->node_segment = arena_alloc(a, (size_t)(p->nsegments + 1) * sizeof(int32_t));
  c->node_dimension = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof(int32_t));
  c->member_base = arena_alloc(a, (size_t)(p->ndimensions + 1) * sizeof(int32_t));
  c->node_flag = arena_alloc(a, (size_t)(p->nflags + 1) * sizeof(int32_t));
  for (int32_t i = 0; i < p->nindicators; i++)
    c->node_indicator[i] = add_node(c, DEP_INDICATOR, i, -1);
  for (int32_t i = 0; i < p->nthresholds; i++)
    c->node_threshold[i] = add_node(c, DEP_THRESHOLD, i, -1);
  c->node_persona = add_node(c, DEP_PERSONA, -1, -1);
  for (int32_t i = 0; i < p->nsegments; i++)
    c->node_segment[i] = add_node(c, DEP_SEGMENT, i, -1);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    c->member_base[d] = c->nnodes;
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++)
      add_node(c, DEP_MEMBER, d, m);
  }
  for (int32_t d = 0; d < p->ndimensions; d++)
    c->node_dimension[d] = add_node(c, DEP_DIMENSION, d, -1);
  c->node_health = add_node(c, DEP_HEALTH, -1, -1);
  for (int32_t i = 0; i < p->nflags; i++)
    c->node_flag[i] = add_node(c, DEP_FLAG, i, -1);
  c->node_journey = add_node(c, DEP_JOURNEY, -1, -1);
}

static void add_edge(Checker *c, int32_t from, int32_t to, Span at) {
  VEC_GROW(c->edges, c->nedges, c->edges_cap, 64);
  c->edges[c->nedges].from = from;
  c->edges[c->nedges].to = to;
  c->edges[c->nedges].at = at;
  c->nedges++;
}

void graph_edge(Checker *c, int32_t to, Span at) {
  if (c->owner >= 0) add_edge(c, c->owner, to, at);
}

void graph_persona_defaults_begin(Checker *c) {
  Program *p = c->p;
  int32_t n = c->nnodes;
  /* the edges so far (indicators' and thresholds') by their source */
  c->by_first = xcalloc((size_t)n + 2, sizeof *c->by_first);
  c->by_to = xmalloc(((size_t)c->nedges + 1) * sizeof *c->by_to);
  for (int32_t e = 0; e < c->nedges; e++)
    c->by_first[c->edges[e].from + 1]++;
  for (int32_t i = 0; i < n; i++)
    c->by_first[i + 1] += c->by_first[i];
  int32_t *fill = xmalloc(((size_t)n + 1) * sizeof *fill);
  memcpy(fill, c->by_first, (size_t)n * sizeof *fill);
  for (int32_t e = 0; e < c->nedges; e++)
    c->by_to[fill[c->edges[e].from]++] = c->edges[e].to;
  /* Marks by an iterative depth-first search over indicators (no input
   * can overflow the C stack): 0 not seen, 1 on the stack, 2 done. */
  uint8_t *state = xcalloc((size_t)p->nindicators + 1, 1);
  int32_t *stack = xmalloc(((size_t)p->nindicators + 1) * sizeof *stack);
  for (int32_t root = 0; root < p->nindicators; root++) {
    if (state[root]) continue;
    int32_t top = 0;
    stack[top++] = root;
    state[root] = 1;
    fill[c->node_indicator[root]] = c->by_first[c->node_indicator[root]];
    while (top > 0) {
      int32_t i = stack[top - 1], u = c->node_indicator[i];
      if (fill[u] < c->by_first[u + 1]) {
        const DepNode *v = &c->nodes[c->by_to[fill[u]++]];
        if (v->kind == DEP_THRESHOLD && p->thresholds[v->index].overridden) {
          p->indicators[i].persona_defaults = true;
        } else if (v->kind == DEP_INDICATOR && state[v->index] == 0) {
          state[v->index] = 1;
          fill[c->node_indicator[v->index]] = c->by_first[c->node_indicator[v->index]];
          stack[top++] = v->index;
        } else if (v->kind == DEP_INDICATOR && p->indicators[v->index].persona_defaults) {
          p->indicators[i].persona_defaults = true;
        }
        continue;
      }
      state[i] = 2;
      top--;
      if (top > 0 && p->indicators[i].persona_defaults) p->indicators[stack[top - 1]].persona_defaults = true;
    }
  }
  free(state);
  free(stack);
  free(fill);
}

void graph_persona_indicator(Checker *c, int32_t indicator, Span at) {
  const Program *p = c->p;
  /* what the indicator uses, through the marked indicators it uses */
  bool *seen = xcalloc((size_t)p->nindicators + 1, 1);
  int32_t *stack = xmalloc(((size_t)p->nindicators + 1) * sizeof *stack);
  int32_t top = 0;
  stack[top++] = indicator;
  seen[indicator] = true;
  while (top > 0) {
    int32_t u = c->node_indicator[stack[--top]];
    for (int32_t e = c->by_first[u]; e < c->by_first[u + 1]; e++) {
      int32_t to = c->by_to[e];
      const DepNode *v = &c->nodes[to];
      if (v->kind == DEP_THRESHOLD && p->thresholds[v->index].overridden) continue; /* the default */
      if (v->kind == DEP_INDICATOR && p->indicators[v->index].persona_defaults) {
        if (!seen[v->index]) {
          seen[v->index] = true;
          stack[top++] = v->index;
        }
        continue;
      }
      graph_edge(c, to, at);
    }
  }
  free(seen);
  free(stack);
}

void graph_persona_defaults_end(Checker *c) {
  free(c->by_first);
  free(c->by_to);
  c->by_first = c->by_to = NULL;
}

/* "indicator `x`", "member `utilization.logins`", "health", … */
static const char *node_text(Checker *c, int32_t id) {
  const Program *p = c->p;
  const DepNode *n = &c->nodes[id];
  switch ((DepKind)n->kind) {
  case DEP_INDICATOR: return arena_printf(c->arena, _("indicator `%s`"), p->indicators[n->index].name);
  case DEP_THRESHOLD: return arena_printf(c->arena, _("threshold `%s`"), p->thresholds[n->index].name);
  case DEP_PERSONA: return _("persona");
  case DEP_SEGMENT: return arena_printf(c->arena, _("segment `%s`"), p->segments[n->index].name);
  case DEP_MEMBER:
    return arena_printf(c->arena, _("member `%s.%s`"), p->dimensions[n->index].name,
                        p->dimensions[n->index].members[n->sub].name);
  case DEP_DIMENSION: return arena_printf(c->arena, _("dimension `%s`"), p->dimensions[n->index].name);
  case DEP_HEALTH: return _("health");
  case DEP_FLAG: return arena_printf(c->arena, _("flag `%s`"), p->flags[n->index].name);
  case DEP_JOURNEY: return _("journey");
  }
  return "?";
}

static Span node_span(Checker *c, int32_t id) {
  const Program *p = c->p;
  const DepNode *n = &c->nodes[id];
  switch ((DepKind)n->kind) {
  case DEP_INDICATOR: return p->indicators[n->index].node->name_span;
  case DEP_THRESHOLD: return p->thresholds[n->index].node->name_span;
  case DEP_SEGMENT: return p->segments[n->index].node->name_span;
  case DEP_MEMBER: return p->dimensions[n->index].members[n->sub].node->name_span;
  case DEP_DIMENSION: return p->dimensions[n->index].node->name_span;
  case DEP_FLAG: return p->flags[n->index].node->name_span;
  default: return SPAN_NONE;
  }
}

static int cmp_edge(const void *x, const void *y) {
  const Edge *a = x, *b = y;
  if (a->from != b->from) return a->from < b->from ? -1 : 1;
  /* keep the order references were made (their source order) */
  if (a->at.file != b->at.file) return a->at.file < b->at.file ? -1 : 1;
  if (a->at.begin != b->at.begin) return a->at.begin < b->at.begin ? -1 : 1;
  return a->to < b->to ? -1 : a->to > b->to;
}

/* Implicit dependencies: a dimension needs its members and the persona
 * (weights, grades); health needs every dimension and the persona; a
 * threshold some persona overrides needs the persona; a segment is
 * decided after the persona (its cases see the persona's thresholds), so
 * a persona condition that uses one, even through indicators, is a cycle. */
static void implicit_edges(Checker *c) {
  const Program *p = c->p;
  for (int32_t t = 0; t < p->nthresholds; t++)
    if (p->thresholds[t].overridden) add_edge(c, c->node_threshold[t], c->node_persona, SPAN_NONE);
  for (int32_t s = 0; s < p->nsegments; s++)
    add_edge(c, c->node_segment[s], c->node_persona, SPAN_NONE);
  for (int32_t d = 0; d < p->ndimensions; d++) {
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++)
      add_edge(c, c->node_dimension[d], c->member_base[d] + m, SPAN_NONE);
    add_edge(c, c->node_dimension[d], c->node_persona, SPAN_NONE);
    add_edge(c, c->node_health, c->node_dimension[d], SPAN_NONE);
  }
  add_edge(c, c->node_health, c->node_persona, SPAN_NONE);
}

/* Appends S to the malloc'ed text *BUF of length *LEN (capacity *CAP). */
static void text_append(char **buf, size_t *len, size_t *cap, const char *s) {
  size_t n = strlen(s);
  VEC_RESERVE(*buf, *cap, *len + n + 1, 256);
  memcpy(*buf + *len, s, n + 1);
  *len += n;
}

/* The location of a reference from graph node U to V, or SPAN_NONE.
 * FIRST indexes the sorted edges by their source node. */
static Span edge_span(const Checker *c, const int32_t *first, int32_t u, int32_t v) {
  for (int32_t e = first[u]; e < first[u + 1]; e++)
    if (c->edges[e].to == v && c->edges[e].at.file >= 0) return c->edges[e].at;
  return SPAN_NONE;
}

/* Reports the cycle STACK[from..top) → STACK[from]. It is told from the
 * persona when the persona is in it (the usual mistake), else from where
 * the search entered it. The caret points at the reference that makes
 * its first step, or when that one is implicit (a dimension needs its
 * members), at the next one written in the rules. */
static void report_cycle(Checker *c, const int32_t *stack, int32_t from, int32_t top, const int32_t *first,
                         bool *in_cycle) {
  int32_t len = top - from, start = 0;
  bool persona = false;
  for (int32_t i = 0; i < len; i++) {
    in_cycle[stack[from + i]] = true;
    if (c->nodes[stack[from + i]].kind == DEP_PERSONA) {
      persona = true;
      start = i;
    }
  }
#define CYCLE_NODE(k) stack[from + (start + (k)) % len]
  char *text = NULL;
  size_t text_len = 0, text_cap = 0;
  text_append(&text, &text_len, &text_cap, node_text(c, CYCLE_NODE(0)));
  if (len == 1) {
    text_append(&text, &text_len, &text_cap, _(" uses itself"));
  } else {
    for (int32_t k = 1; k <= len; k++) {
      text_append(&text, &text_len, &text_cap, " → ");
      text_append(&text, &text_len, &text_cap, node_text(c, CYCLE_NODE(k)));
    }
  }
  Span at = SPAN_NONE;
  for (int32_t k = 0; k < len && at.file < 0; k++)
    at = edge_span(c, first, CYCLE_NODE(k), CYCLE_NODE(k + 1));
  for (int32_t k = 0; k < len && at.file < 0; k++)
    at = node_span(c, CYCLE_NODE(k));
#undef CYCLE_NODE
  diag_error(c->diag, at, "dependency cycle: %s%s", text,
             persona ? _(" (a persona condition cannot depend on segments, scores, grades or flags)") : "");
  free(text);
}

void check_graph(Checker *c) {
  Program *p = c->p;
  implicit_edges(c);
  int32_t n = c->nnodes;
  qsort(c->edges, (size_t)c->nedges, sizeof *c->edges, cmp_edge);
  int32_t *first = xcalloc((size_t)n + 1, sizeof *first);
  for (int32_t i = 0; i < c->nedges; i++)
    first[c->edges[i].from + 1]++;
  for (int32_t i = 0; i < n; i++)
    first[i + 1] += first[i];

  /* iterative depth-first search: 0 white, 1 on the stack, 2 done */
  uint8_t *color = xcalloc((size_t)n + 1, 1);
  int32_t *stack = xmalloc(((size_t)n + 1) * sizeof *stack);
  int32_t *next = xmalloc(((size_t)n + 1) * sizeof *next);
  bool *in_cycle = xcalloc((size_t)n + 1, 1);
  p->order = arena_alloc(c->arena, ((size_t)n + 1) * sizeof *p->order);
  p->norder = 0;
  for (int32_t root = 0; root < n; root++) {
    if (color[root]) continue;
    int32_t top = 0;
    stack[top] = root;
    next[top] = first[root];
    top++;
    color[root] = 1;
    while (top > 0) {
      int32_t u = stack[top - 1];
      if (next[top - 1] < first[u + 1]) {
        const Edge *e = &c->edges[next[top - 1]++];
        int32_t v = e->to;
        if (color[v] == 0) {
          color[v] = 1;
          stack[top] = v;
          next[top] = first[v];
          top++;
        } else if (color[v] == 1 && !in_cycle[v]) {
          int32_t from = top - 1;
          while (stack[from] != v)
            from--;
          report_cycle(c, stack, from, top, first, in_cycle);
        }
        continue;
      }
      color[u] = 2;
      top--;
      const DepNode *dn = &c->nodes[u];
      bool keep = true;
      if (dn->kind == DEP_THRESHOLD && !p->thresholds[dn->index].overridden) keep = false;
      if (dn->kind == DEP_JOURNEY && !p->has_journey) keep = false;
      if (keep) p->order[p->norder++] = *dn;
    }
  }
  free(first);
  free(color);
  free(stack);
  free(next);
  free(in_cycle);
}
