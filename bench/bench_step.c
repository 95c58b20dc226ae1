// bench_step.c: cost of an env step against the raw mj_step calls it makes (the physical limit),
// measured side by side in one run, for every registered env. Prints ratios; --json FILE also
// writes them as JSON.
//
// env: dg_env_step with a slowly varying action (controller + physics + observation + reward).
// raw: the same controls the env computed, replayed from the same state through frame_skip
// plain mj_step calls per step. Rounds alternate env and raw blocks; medians are compared.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demogym/demogym.h"
#include "env_internal.h"

#define ROUNDS 7
#define STEPS_PER_ROUND 400

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v, int n) {
  qsort(v, n, sizeof(double), cmp);
  return v[n / 2];
}

int main(int argc, char** argv) {
  const char* json_path = NULL;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
  FILE* json = json_path ? fopen(json_path, "w") : NULL;
  if (json) fprintf(json, "{\"benchmark\": \"env_step_vs_raw_physics\", \"results\": [");

  printf("%-14s %14s %14s %8s\n", "env", "raw us/step", "env us/step", "ratio");
  for (int e = 0; e < dg_env_registry_count(); e++) {
    const char* id = dg_env_registry_id(e);
    dg_env_options o;
    dg_env_options_default(&o);
    o.max_episode_steps = -1;
    o.terminate_on_success = 0;
    dg_env* env;
    if (dg_env_make(id, &o, &env)) {
      fprintf(stderr, "%s: %s\n", id, dg_last_errmsg());
      return 1;
    }
    double obs[256];
    uint64_t seed = 0;
    dg_env_reset(env, &seed, obs, NULL);
    mjData* raw = mj_makeData(env->m);
    mjData* start = mj_makeData(env->m);
    int nu = env->m->nu, nv = env->m->nv, fs = env->task->frame_skip;
    double* ctrl = malloc(sizeof(double) * nu * STEPS_PER_ROUND);
    double* frc = malloc(sizeof(double) * nv * STEPS_PER_ROUND);
    double t_raw[ROUNDS], t_env[ROUNDS];
    long step = 0;
    int retries = 0;
    for (int r = 0; r < ROUNDS; r++) {
      // env: controller + physics + observation + reward; keep the controls it computed
      // (a task's failure, e.g. touching Detour-v0's wall, ends the round early; the raw side
      // replays the same steps, and the next round starts from a fresh episode)
      mj_copyData(start, env->m, env->d);
      int n = 0, ended = 0;
      double t0 = now();
      for (int k = 0; k < STEPS_PER_ROUND && !ended; k++, step++) {
        double a[4] = {0.5 * sin(step * 0.05), 0.5 * cos(step * 0.03), 0.3 * sin(step * 0.02),
                       sin(step * 0.1)};
        dg_step_result res;
        if (dg_env_step(env, a, obs, &res) != DG_OK) {
          fprintf(stderr, "%s: %s\n", id, dg_last_errmsg());
          return 1;
        }
        memcpy(ctrl + k * nu, env->d->ctrl, sizeof(double) * nu);
        memcpy(frc + k * nv, env->d->qfrc_applied, sizeof(double) * nv);
        n++;
        ended = res.terminated || res.truncated;
      }
      double t1 = now();
      // raw: the same controls from the same state through plain mj_step
      mj_copyData(raw, env->m, start);
      double t2 = now();
      for (int k = 0; k < n; k++) {
        memcpy(raw->ctrl, ctrl + k * nu, sizeof(double) * nu);
        memcpy(raw->qfrc_applied, frc + k * nv, sizeof(double) * nv);
        for (int s = 0; s < fs; s++) mj_step(env->m, raw);
      }
      double t3 = now();
      t_env[r] = (t1 - t0) / n;
      t_raw[r] = (t3 - t2) / n;
      if (ended) {
        seed++;
        dg_env_reset(env, &seed, obs, NULL);
        if (n < STEPS_PER_ROUND / 4 && retries++ < 20) r--;  // too short to time: again
      }
    }
    free(ctrl);
    free(frc);
    mj_deleteData(start);
    double mr = median(t_raw, ROUNDS), me = median(t_env, ROUNDS);
    printf("%-14s %14.1f %14.1f %8.3f\n", id, 1e6 * mr, 1e6 * me, me / mr);
    if (json)
      fprintf(json,
              "%s{\"name\": \"%s step / raw mj_step\", \"env\": \"%s\", \"raw_us\": %.3f, "
              "\"env_us\": %.3f, \"ratio\": %.4f}",
              e ? ", " : "", id, id, 1e6 * mr, 1e6 * me, me / mr);
    mj_deleteData(raw);
    dg_env_close(&env);
  }
  if (json) {
    fprintf(json, "]}\n");
    fclose(json);
  }
  return 0;
}
