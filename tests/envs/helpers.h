// helpers.h: small shared pieces of the env tests: running seeded episodes into buffers.
#ifndef DEMOGYM_TEST_HELPERS_H
#define DEMOGYM_TEST_HELPERS_H

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"

// One recorded episode: observations (steps+1 x obs_dim), rewards, actions.
typedef struct trace {
  int steps;
  int obs_dim;
  double* obs;      // ((steps + 1) x obs_dim)
  double* rewards;  // (steps)
  int success;
} trace;

// Run up to max_steps of the expert from reset(seed) (NULL: unseeded); record everything.
static inline trace run_expert(dg_env* env, const uint64_t* seed, int max_steps) {
  trace t;
  memset(&t, 0, sizeof(t));
  t.obs_dim = dg_env_obs_dim(env);
  t.obs = calloc((size_t)(max_steps + 1) * t.obs_dim, sizeof(double));
  t.rewards = calloc((size_t)max_steps, sizeof(double));
  dg_policy* expert;
  CHECK_OK(dg_policy_make_expert(dg_env_id(env), &expert));
  CHECK_OK(dg_policy_reset(expert, 7));
  CHECK_OK(dg_env_reset(env, seed, t.obs, NULL));
  double action[16];
  for (int k = 0; k < max_steps; k++) {
    dg_step_result r;
    CHECK_OK(dg_policy_act(expert, t.obs + (size_t)k * t.obs_dim, env, action));
    CHECK_OK(dg_env_step(env, action, t.obs + (size_t)(k + 1) * t.obs_dim, &r));
    t.rewards[k] = r.reward;
    t.steps = k + 1;
    t.success = r.info.success;
    if (r.terminated || r.truncated) break;
  }
  dg_policy_close(&expert);
  return t;
}

// Return 1 when two traces are identical bit for bit.
static inline int trace_equal(const trace* a, const trace* b) {
  if (a->steps != b->steps || a->obs_dim != b->obs_dim) return 0;
  return memcmp(a->obs, b->obs, sizeof(double) * (a->steps + 1) * a->obs_dim) == 0 &&
         memcmp(a->rewards, b->rewards, sizeof(double) * a->steps) == 0;
}

static inline void trace_free(trace* t) {
  free(t->obs);
  free(t->rewards);
}

#endif  // DEMOGYM_TEST_HELPERS_H
