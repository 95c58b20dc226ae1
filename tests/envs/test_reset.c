// test_reset.c: seeding and reset: a seed fixes a whole episode bit for bit, another seed gives
// another episode, reset restores the whole simulation state, unseeded resets continue the
// env's generator, and get/set_state reproduces the future exactly.
#include <math.h>
#include <string.h>

#include "helpers.h"

static void same_seed_same_episode(const char* id) {
  dg_env *a, *b;
  CHECK_OK(dg_env_make(id, NULL, &a));
  CHECK_OK(dg_env_make(id, NULL, &b));
  uint64_t s1 = 42, s2 = 43;
  trace t1 = run_expert(a, &s1, 60);
  trace t2 = run_expert(b, &s1, 60);
  CHECK_MSG(trace_equal(&t1, &t2), "%s: seed 42 gave two different episodes", id);
  trace t3 = run_expert(b, &s2, 60);
  CHECK_MSG(memcmp(t1.obs, t3.obs, sizeof(double) * t1.obs_dim) != 0,
            "%s: seeds 42 and 43 gave the same first observation", id);
  trace_free(&t1), trace_free(&t2), trace_free(&t3);
  dg_env_close(&a), dg_env_close(&b);
}

// step a while, then reset with a seed: everything matches a fresh env reset with that seed
static void reset_restores_whole_state(const char* id) {
  dg_env *used, *fresh;
  CHECK_OK(dg_env_make(id, NULL, &used));
  CHECK_OK(dg_env_make(id, NULL, &fresh));
  uint64_t s0 = 5, s1 = 9;
  trace junk = run_expert(used, &s0, 25);
  trace_free(&junk);
  int n = dg_env_state_dim(used), od = dg_env_obs_dim(used);
  double *sa = malloc(sizeof(double) * n), *sb = malloc(sizeof(double) * n);
  double *oa = malloc(sizeof(double) * od), *ob = malloc(sizeof(double) * od);
  CHECK_OK(dg_env_reset(used, &s1, oa, NULL));
  CHECK_OK(dg_env_reset(fresh, &s1, ob, NULL));
  CHECK_OK(dg_env_get_state(used, sa));
  CHECK_OK(dg_env_get_state(fresh, sb));
  CHECK_MSG(memcmp(sa, sb, sizeof(double) * n) == 0, "%s: state after reset differs", id);
  CHECK(memcmp(oa, ob, sizeof(double) * od) == 0);
  trace ta = run_expert(used, &s1, 60), tb = run_expert(fresh, &s1, 60);
  CHECK_MSG(trace_equal(&ta, &tb), "%s: a used env's episode differs from a fresh one's", id);
  trace_free(&ta), trace_free(&tb);
  free(sa), free(sb), free(oa), free(ob);
  dg_env_close(&used), dg_env_close(&fresh);
}

// reset() without a seed continues the generator: seeded, then unseeded, is reproducible
static void unseeded_reset_continues_generator(const char* id) {
  dg_env *a, *b;
  CHECK_OK(dg_env_make(id, NULL, &a));
  CHECK_OK(dg_env_make(id, NULL, &b));
  int od = dg_env_obs_dim(a);
  double *o1 = malloc(sizeof(double) * od), *o2 = malloc(sizeof(double) * od);
  double *o3 = malloc(sizeof(double) * od);
  uint64_t s = 77;
  CHECK_OK(dg_env_reset(a, &s, o1, NULL));
  CHECK_OK(dg_env_reset(b, &s, o2, NULL));
  CHECK_OK(dg_env_reset(a, NULL, o1, NULL));
  CHECK_OK(dg_env_reset(b, NULL, o2, NULL));
  CHECK_MSG(memcmp(o1, o2, sizeof(double) * od) == 0, "%s: unseeded resets diverged", id);
  CHECK_OK(dg_env_reset(a, &s, o3, NULL));
  CHECK_MSG(memcmp(o1, o3, sizeof(double) * od) != 0, "%s: unseeded reset repeated the seed", id);
  free(o1), free(o2), free(o3);
  dg_env_close(&a), dg_env_close(&b);
}

// a state taken mid-episode, restored later, gives the same future bit for bit
static void set_state_reproduces_future(const char* id) {
  dg_env* env;
  CHECK_OK(dg_env_make(id, NULL, &env));
  int n = dg_env_state_dim(env), od = dg_env_obs_dim(env);
  double* state = malloc(sizeof(double) * n);
  double* obs = malloc(sizeof(double) * od);
  double* obs2 = malloc(sizeof(double) * od);
  double* future = malloc(sizeof(double) * 10 * od);
  uint64_t s = 3;
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));
  double act[4] = {0.5, -0.3, 0.2, 1.0};
  dg_step_result r;
  for (int k = 0; k < 5; k++) CHECK_OK(dg_env_step(env, act, obs, &r));
  CHECK_OK(dg_env_get_state(env, state));
  memcpy(obs2, obs, sizeof(double) * od);
  for (int k = 0; k < 10; k++) CHECK_OK(dg_env_step(env, act, future + k * od, &r));
  // wander off, then come back
  uint64_t s2 = 99;
  CHECK_OK(dg_env_reset(env, &s2, obs, NULL));
  CHECK_OK(dg_env_set_state(env, state, obs));
  CHECK_MSG(memcmp(obs, obs2, sizeof(double) * od) == 0, "%s: set_state observation differs", id);
  dg_info info;
  (void)info;
  for (int k = 0; k < 10; k++) {
    CHECK_OK(dg_env_step(env, act, obs, &r));
    CHECK_MSG(memcmp(obs, future + k * od, sizeof(double) * od) == 0,
              "%s: restored future differs at step %d", id, k);
  }
  CHECK(r.info.elapsed_steps == 15);
  // a non-finite state is refused and changes nothing
  double* before = malloc(sizeof(double) * n);
  CHECK_OK(dg_env_get_state(env, before));
  state[1] = NAN;
  CHECK(dg_env_set_state(env, state, obs) == DG_ERR_INVALID);
  CHECK_OK(dg_env_get_state(env, state));
  CHECK(memcmp(before, state, sizeof(double) * n) == 0);
  free(before), free(state), free(obs), free(obs2), free(future);
  dg_env_close(&env);
}

int main(void) {
  for (int i = 0; i < dg_env_registry_count(); i++) {
    const char* id = dg_env_registry_id(i);
    same_seed_same_episode(id);
    reset_restores_whole_state(id);
    unseeded_reset_continues_generator(id);
    set_state_reproduces_future(id);
  }
  printf("reset and seeding: ok for %d envs\n", dg_env_registry_count());
  return 0;
}
