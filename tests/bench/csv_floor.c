/* csv_floor.c — the floor for kenko's CSV speed: a minimal program that
 * only splits a CSV file into fields (quotes and "" honoured, nothing
 * checked) and converts the numeric-looking ones with strtod. No types, no
 * schema, no errors, no locations. The benchmark compares kenko's reader
 * with this.
 *
 *   csv_floor FILE     prints "ROWS rows, SECONDS s, RATE rows/s"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNK (1u << 20)

/* Field state carried across chunk boundaries. */
typedef struct Splitter {
  char field[4096]; /* the current field's bytes (cut if longer) */
  size_t len;
  int in_quotes;
  int after_quote; /* saw a '"' inside quotes: end or escape */
  unsigned long long rows;
  unsigned long long fields_in_row;
  double checksum; /* keeps the conversions from being optimized out */
} Splitter;

static void end_field(Splitter *s) {
  s->field[s->len] = '\0';
  char c = s->field[0];
  if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') s->checksum += strtod(s->field, NULL);
  s->len = 0;
  s->fields_in_row++;
}

static void feed(Splitter *s, const char *buf, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char c = buf[i];
    if (s->in_quotes) {
      if (s->after_quote) {
        s->after_quote = 0;
        if (c == '"') {
          if (s->len < sizeof s->field - 1) s->field[s->len++] = '"';
          continue;
        }
        s->in_quotes = 0; /* the quote closed the field; fall through */
      } else {
        if (c == '"')
          s->after_quote = 1;
        else if (s->len < sizeof s->field - 1)
          s->field[s->len++] = c;
        continue;
      }
    }
    if (c == ',') {
      end_field(s);
    } else if (c == '\n') {
      end_field(s);
      s->rows++;
      s->fields_in_row = 0;
    } else if (c == '"' && s->len == 0) {
      s->in_quotes = 1;
    } else if (c != '\r' && s->len < sizeof s->field - 1) {
      s->field[s->len++] = c;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: csv_floor FILE\n");
    return 2;
  }
  FILE *fp = fopen(argv[1], "rb");
  if (!fp) {
    perror(argv[1]);
    return 2;
  }
  char *buf = malloc(CHUNK);
  Splitter *s = calloc(1, sizeof *s);
  if (!buf || !s) return 2;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  size_t n;
  while ((n = fread(buf, 1, CHUNK, fp)) > 0)
    feed(s, buf, n);
  if (s->len || s->fields_in_row) {
    end_field(s);
    s->rows++;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  unsigned long long rows = s->rows ? s->rows - 1 : 0; /* minus the header */
  printf("%llu rows, %.3f s, %.0f rows/s (checksum %g)\n", rows, secs, secs > 0 ? (double)rows / secs : 0.0,
         s->checksum);
  fclose(fp);
  free(buf);
  free(s);
  return 0;
}
