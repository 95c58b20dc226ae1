// registry.c: the list of registered tasks, sorted by id.
#include <string.h>

#include "env_internal.h"

extern const dg_task dg_task_reach;

static const dg_task* const tasks[] = {
    &dg_task_reach,
};

const dg_task* const* dg_task_list(int* count) {
  *count = (int)(sizeof(tasks) / sizeof(tasks[0]));
  return tasks;
}

const dg_task* dg_task_find(const char* id) {
  int n;
  const dg_task* const* list = dg_task_list(&n);
  for (int i = 0; i < n; i++)
    if (strcmp(list[i]->id, id) == 0) return list[i];
  return NULL;
}
