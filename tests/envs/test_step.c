// test_step.c: step's contract: non-finite actions are refused with the state untouched,
// out-of-range actions are clipped, the time limit truncates at exactly max_episode_steps,
// success terminates (or not, as the option says), a physics divergence truncates with
// info.diverged and finite observations, and MuJoCo errors become status codes.
#include <math.h>
#include <string.h>

#include <mujoco/mujoco.h>

#include "helpers.h"
#include "mjtrap.h"

static void nonfinite_action_is_refused(const char* id) {
  dg_env *env, *twin;
  CHECK_OK(dg_env_make(id, NULL, &env));
  CHECK_OK(dg_env_make(id, NULL, &twin));
  int n = dg_env_state_dim(env), od = dg_env_obs_dim(env);
  double *before = malloc(sizeof(double) * n), *after = malloc(sizeof(double) * n);
  double *obs = malloc(sizeof(double) * od), *obs2 = malloc(sizeof(double) * od);
  uint64_t s = 11;
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));
  CHECK_OK(dg_env_reset(twin, &s, obs2, NULL));
  double good[4] = {0.3, 0.1, -0.2, 0.5};
  dg_step_result r;
  CHECK_OK(dg_env_step(env, good, obs, &r));
  CHECK_OK(dg_env_step(twin, good, obs2, &r));
  const double bad_values[3] = {NAN, INFINITY, -INFINITY};
  for (int b = 0; b < 3; b++) {
    for (int i = 0; i < 4; i++) {
      double bad[4] = {0.1, 0.1, 0.1, 0.1};
      bad[i] = bad_values[b];
      CHECK_OK(dg_env_get_state(env, before));
      memcpy(obs2, obs, sizeof(double) * od);
      CHECK(dg_env_step(env, bad, obs, &r) == DG_ERR_INVALID);
      CHECK_MSG(strstr(dg_env_errmsg(env), "finite") != NULL, "message: %s", dg_env_errmsg(env));
      CHECK_OK(dg_env_get_state(env, after));
      CHECK(memcmp(before, after, sizeof(double) * n) == 0);
      CHECK(memcmp(obs, obs2, sizeof(double) * od) == 0);  // the output was not written
    }
  }
  // the refused actions left no trace: both envs go on identically
  for (int k = 0; k < 5; k++) {
    CHECK_OK(dg_env_step(env, good, obs, &r));
    CHECK_OK(dg_env_step(twin, good, obs2, &r));
    CHECK(memcmp(obs, obs2, sizeof(double) * od) == 0);
  }
  free(before), free(after), free(obs), free(obs2);
  dg_env_close(&env), dg_env_close(&twin);
}

static void out_of_range_actions_are_clipped(const char* id) {
  dg_env *a, *b;
  CHECK_OK(dg_env_make(id, NULL, &a));
  CHECK_OK(dg_env_make(id, NULL, &b));
  int od = dg_env_obs_dim(a);
  double *oa = malloc(sizeof(double) * od), *ob = malloc(sizeof(double) * od);
  uint64_t s = 4;
  CHECK_OK(dg_env_reset(a, &s, oa, NULL));
  CHECK_OK(dg_env_reset(b, &s, ob, NULL));
  double wild[4] = {5.0, -7.0, 0.3, 1e9}, tame[4] = {1.0, -1.0, 0.3, 1.0};
  dg_step_result ra, rb;
  for (int k = 0; k < 4; k++) {
    CHECK_OK(dg_env_step(a, wild, oa, &ra));
    CHECK_OK(dg_env_step(b, tame, ob, &rb));
    CHECK(ra.info.action_clipped && !rb.info.action_clipped);
    CHECK(memcmp(oa, ob, sizeof(double) * od) == 0);
    CHECK(ra.reward == rb.reward);
  }
  free(oa), free(ob);
  dg_env_close(&a), dg_env_close(&b);
}

static void time_limit_truncates_exactly(const char* id) {
  dg_env_options o;
  dg_env_options_default(&o);
  o.max_episode_steps = 7;
  o.terminate_on_success = 0;
  dg_env* env;
  CHECK_OK(dg_env_make(id, &o, &env));
  CHECK(dg_env_max_episode_steps(env) == 7);
  double obs[256], zero[4] = {0, 0, 0, 0};
  uint64_t s = 2;
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));
  dg_step_result r;
  for (int k = 1; k <= 7; k++) {
    CHECK_OK(dg_env_step(env, zero, obs, &r));
    CHECK(r.info.elapsed_steps == k);
    CHECK_MSG(r.truncated == (k == 7), "truncated=%d at step %d", r.truncated, k);
    CHECK(!r.terminated);
  }
  dg_env_close(&env);
  // no limit: -1
  o.max_episode_steps = -1;
  CHECK_OK(dg_env_make(id, &o, &env));
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));
  for (int k = 0; k < 300; k++) {
    CHECK_OK(dg_env_step(env, zero, obs, &r));
    CHECK(!r.truncated);
  }
  dg_env_close(&env);
}

static void success_terminates_when_asked(void) {
  dg_env_options o;
  dg_env_options_default(&o);
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env));
  uint64_t s = 1;
  trace t = run_expert(env, &s, 100);
  CHECK(t.success && t.steps < 100);
  trace_free(&t);
  dg_env_close(&env);
  o.terminate_on_success = 0;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env));
  t = run_expert(env, &s, 1000);
  CHECK(t.steps == dg_env_max_episode_steps(env));  // it went on to the time limit
  CHECK(t.success);                                  // holding the target
  trace_free(&t);
  dg_env_close(&env);
}

static void divergence_truncates_with_finite_obs(const char* id) {
  dg_env* env;
  CHECK_OK(dg_env_make(id, NULL, &env));
  int n = dg_env_state_dim(env), od = dg_env_obs_dim(env);
  double *state = malloc(sizeof(double) * n), *obs = malloc(sizeof(double) * od);
  uint64_t s = 8;
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));
  CHECK_OK(dg_env_get_state(env, state));
  const mjModel* m = dg_env_mj_model(env);
  for (int i = 0; i < m->nv; i++) state[1 + m->nq + i] = 1e300;  // beyond MuJoCo's limit
  CHECK(dg_env_set_state(env, state, obs) == DG_ERR_INVALID);
  for (int i = 0; i < m->nv; i++) state[1 + m->nq + i] = 1e9;  // absurd, but accepted
  CHECK_OK(dg_env_set_state(env, state, obs));
  double zero[4] = {0, 0, 0, 0};
  dg_step_result r;
  CHECK_OK(dg_env_step(env, zero, obs, &r));
  CHECK_MSG(r.info.diverged && r.truncated && !r.terminated, "diverged=%d truncated=%d",
            r.info.diverged, r.truncated);
  for (int i = 0; i < od; i++) CHECK(isfinite(obs[i]));
  CHECK(isfinite(r.reward));
  CHECK(dg_env_step(env, zero, obs, &r) == DG_ERR_STATE);  // the episode is over
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));             // and a reset recovers
  CHECK_OK(dg_env_step(env, zero, obs, &r));
  CHECK(!r.info.diverged);
  free(state), free(obs);
  dg_env_close(&env);
}

// MuJoCo's error hook jumps back to the trap instead of exiting the process
static void mujoco_errors_become_status(void) {
  dg_mjtrap trap;
  volatile int reached = 0;
  if (DG_MJTRAP_ENTER(&trap)) {
    mju_error("a deliberate test error");
    reached = 1;
    dg_mjtrap_leave(&trap);
  }
  CHECK(!reached);
  CHECK(strstr(trap.msg, "deliberate") != NULL);
  // nested traps: the inner one catches, the outer one stays armed
  dg_mjtrap outer, inner;
  volatile int outer_caught = 0;
  if (DG_MJTRAP_ENTER(&outer)) {
    if (DG_MJTRAP_ENTER(&inner)) {
      mju_error("inner");
      dg_mjtrap_leave(&inner);
    }
    CHECK(strstr(inner.msg, "inner") != NULL);
    mju_error("outer");
    dg_mjtrap_leave(&outer);
  } else {
    outer_caught = 1;
  }
  CHECK(outer_caught && strstr(outer.msg, "outer") != NULL);
}

int main(void) {
  for (int i = 0; i < dg_env_registry_count(); i++) {
    const char* id = dg_env_registry_id(i);
    nonfinite_action_is_refused(id);
    out_of_range_actions_are_clipped(id);
    time_limit_truncates_exactly(id);
    divergence_truncates_with_finite_obs(id);
  }
  success_terminates_when_asked();
  mujoco_errors_become_status();
  printf("step contract: ok\n");
  return 0;
}
