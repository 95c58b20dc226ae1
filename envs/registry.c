// registry.c: the list of registered tasks, sorted by id.
#include <string.h>

#include "env_internal.h"

extern const dg_task dg_task_detour;
extern const dg_task dg_task_drawer;
extern const dg_task dg_task_pickplace;
extern const dg_task dg_task_push;
extern const dg_task dg_task_reach;
extern const dg_task dg_task_stack;

static const dg_task* const tasks[] = {
    &dg_task_detour,
    &dg_task_drawer,
    &dg_task_pickplace,
    &dg_task_push,
    &dg_task_reach,
    &dg_task_stack,
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
