/* program.c — the checked program's own helpers (program.h): freeing it,
 * its members in order. Loading one is check/load.c. */
#include <stdlib.h>

#include "front/program.h"

void program_free(Program *p) {
  if (!p) return;
  src_free(&p->sources);
  arena_free(&p->arena);
  free(p);
}

int32_t program_members(const Program *p, const Member **member, int32_t *dim) {
  int32_t flat = 0;
  for (int32_t d = 0; d < p->ndimensions; d++)
    for (int32_t m = 0; m < p->dimensions[d].nmembers; m++, flat++) {
      if (member) member[flat] = &p->dimensions[d].members[m];
      if (dim) dim[flat] = d;
    }
  return flat;
}
