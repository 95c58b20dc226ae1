// synth.h: synthetic datasets for the learners' tests: dg_samples made in memory.
#ifndef DEMOGYM_TEST_SYNTH_H
#define DEMOGYM_TEST_SYNTH_H

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "demogym/bc.h"
#include "demogym/rng.h"

// Allocate samples of n transitions in one demo of env `env` (arrays as dg_samples_free frees).
static inline void synth_alloc(dg_samples* s, int n, int obs_dim, int act_dim, const char* env) {
  memset(s, 0, sizeof(*s));
  s->n = n, s->obs_dim = obs_dim, s->act_dim = act_dim, s->ndemos = 1;
  s->obs = calloc((size_t)n * obs_dim, sizeof(double));
  s->next_obs = calloc((size_t)n * obs_dim, sizeof(double));
  s->actions = calloc((size_t)n * act_dim, sizeof(double));
  s->labels = calloc((size_t)n * act_dim, sizeof(double));
  s->rewards = calloc((size_t)n, sizeof(double));
  s->demo = calloc((size_t)n, sizeof(int));
  s->step = calloc((size_t)n, sizeof(int));
  s->demo_start = calloc(2, sizeof(int));
  CHECK(s->obs && s->next_obs && s->actions && s->labels && s->rewards && s->demo && s->step &&
        s->demo_start);
  s->demo_start[1] = n;
  for (int i = 0; i < n; i++) s->step[i] = i;
  snprintf(s->env_name, sizeof(s->env_name), "%s", env);
}

static inline void synth_free(dg_samples* s) {
  free(s->obs), free(s->next_obs), free(s->actions), free(s->labels), free(s->rewards);
  free(s->demo), free(s->step), free(s->demo_start);
  memset(s, 0, sizeof(*s));
}

// Unimodal: obs uniform in [-1, 1]^3; action (0.8 sin(2 x0), 0.5 x1 - 0.3 x2).
static inline void synth_unimodal_action(const double* x, double* a) {
  a[0] = 0.8 * sin(2.0 * x[0]);
  a[1] = 0.5 * x[1] - 0.3 * x[2];
}

static inline void synth_unimodal(dg_samples* s, int n, uint64_t seed) {
  dg_rng rng;
  dg_rng_seed(&rng, seed);
  synth_alloc(s, n, 3, 2, "Synth-v0");
  for (int i = 0; i < n; i++) {
    double* x = s->obs + (size_t)i * 3;
    for (int j = 0; j < 3; j++) x[j] = dg_rng_range(&rng, -1, 1);
    synth_unimodal_action(x, s->labels + (size_t)i * 2);
  }
  memcpy(s->actions, s->labels, sizeof(double) * n * 2);
}

// Bimodal: obs uniform in [-1, 1]^2; action (+-0.7 with equal odds, 0.5 x0): the mean of the
// first component, 0, is an action no demonstration took.
#define SYNTH_MODE 0.7
static inline void synth_bimodal(dg_samples* s, int n, uint64_t seed) {
  dg_rng rng;
  dg_rng_seed(&rng, seed);
  synth_alloc(s, n, 2, 2, "Synth-v0");
  for (int i = 0; i < n; i++) {
    double* x = s->obs + (size_t)i * 2;
    for (int j = 0; j < 2; j++) x[j] = dg_rng_range(&rng, -1, 1);
    double* a = s->labels + (size_t)i * 2;
    a[0] = dg_rng_uniform(&rng) < 0.5 ? -SYNTH_MODE : SYNTH_MODE;
    a[1] = 0.5 * x[0];
  }
  memcpy(s->actions, s->labels, sizeof(double) * n * 2);
}

// Small, fast training options for class cls.
static inline void synth_options(dg_bc_train_options* o, const char* cls, long steps) {
  dg_bc_train_options_default(o, cls);
  o->config.hidden = 64;
  o->config.layers = 2;
  o->steps = steps;
  o->batch = 128;
  o->lr = 3e-3;
  o->seed = 1;
}

#endif  // DEMOGYM_TEST_SYNTH_H
