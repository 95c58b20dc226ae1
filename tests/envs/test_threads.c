// test_threads.c: two envs in two threads share nothing mutable: each thread's episodes equal
// the same episodes run one after the other in one thread.
#include <pthread.h>
#include <string.h>

#include "helpers.h"

#define EPISODES 4

typedef struct job {
  const char* id;
  uint64_t first_seed;
  trace traces[EPISODES];
} job;

static void* run_job(void* arg) {
  job* j = arg;
  dg_env* env;
  CHECK_OK(dg_env_make(j->id, NULL, &env));
  for (int e = 0; e < EPISODES; e++) {
    uint64_t s = j->first_seed + e;
    j->traces[e] = run_expert(env, &s, 80);
  }
  dg_env_close(&env);
  return NULL;
}

int main(void) {
  for (int i = 0; i < dg_env_registry_count(); i++) {
    const char* id = dg_env_registry_id(i);
    job seq[2] = {{id, 100, {{0}}}, {id, 200, {{0}}}};
    job par[2] = {{id, 100, {{0}}}, {id, 200, {{0}}}};
    run_job(&seq[0]);
    run_job(&seq[1]);
    pthread_t th[2];
    for (int t = 0; t < 2; t++) CHECK(pthread_create(&th[t], NULL, run_job, &par[t]) == 0);
    for (int t = 0; t < 2; t++) pthread_join(th[t], NULL);
    for (int t = 0; t < 2; t++)
      for (int e = 0; e < EPISODES; e++) {
        CHECK_MSG(trace_equal(&seq[t].traces[e], &par[t].traces[e]),
                  "%s: thread %d episode %d differs from the sequential run", id, t, e);
        trace_free(&seq[t].traces[e]);
        trace_free(&par[t].traces[e]);
      }
  }
  printf("threads: ok\n");
  return 0;
}
