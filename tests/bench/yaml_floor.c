/* yaml_floor.c — the floor for kenko's YAML speed: libyaml's event parser
 * alone over the file, counting the mappings of the account sequence.
 * Nothing is converted or kept.
 *
 *   yaml_floor FILE     prints "ACCOUNTS accounts, SECONDS s, RATE accounts/s"
 */
#include <stdio.h>
#include <time.h>
#include <yaml.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: yaml_floor FILE\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  unsigned long long accounts = 0;
  int depth = 0;
  for (;;) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&parser, &ev)) {
      fprintf(stderr, "yaml_floor: parse error\n");
      return 1;
    }
    yaml_event_type_t type = ev.type;
    if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
      depth++;
      if (type == YAML_MAPPING_START_EVENT && depth == 3) accounts++;
    } else if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT) {
      depth--;
    }
    yaml_event_delete(&ev);
    if (type == YAML_STREAM_END_EVENT) break;
  }
  yaml_parser_delete(&parser);
  fclose(f);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%llu accounts, %.3f s, %.0f accounts/s\n", accounts, s, (double)accounts / s);
  return 0;
}
