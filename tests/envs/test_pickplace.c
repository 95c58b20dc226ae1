// test_pickplace.c: PickPlace-v0: the expert succeeds on at least 97% of 60 seeds well within the
// time limit and on at least 90% of 20 with exploration noise; it is state-based; resets draw the
// documented ranges, half the targets in the air; a target on the table counts only once the cube
// is released there, one in the air only while the cube is held there, and the expert keeps
// that success when the episode goes on; a cube that falls off the table ends the episode.
#include "cube_checks.h"

static void resets_in_range(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("PickPlace-v0", NULL, &env));
  double obs[64];
  int cube = obs_offset(env, "cube_pos"), tgt = obs_offset(env, "target_pos");
  int touch = obs_offset(env, "touch"), trel = obs_offset(env, "target_rel");
  int air = 0;
  for (uint64_t seed = 0; seed < 200; seed++) {
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    const double *c = obs + cube, *t = obs + tgt;
    CHECK(c[0] >= 0.32 && c[0] <= 0.58 && fabs(c[1]) <= 0.18 && fabs(c[2] - 0.02) < 0.001);
    if (t[2] > 0.05) {
      air++;
      CHECK(t[0] >= 0.32 && t[0] <= 0.60 && fabs(t[1]) <= 0.20 && t[2] >= 0.10 && t[2] <= 0.25);
    } else {
      CHECK(t[0] >= 0.30 && t[0] <= 0.62 && fabs(t[1]) <= 0.22 && t[2] == 0.02);
      CHECK(hypot(t[0] - c[0], t[1] - c[1]) >= 0.10);
    }
    CHECK(obs[touch] == 0 && obs[touch + 1] == 0);
    for (int i = 0; i < 3; i++) CHECK_NEAR(obs[trel + i], t[i] - c[i], 1e-12);
  }
  CHECK_MSG(air >= 70 && air <= 130, "%d of 200 targets in the air", air);
  dg_env_close(&env);
}

// the first seed from `from` whose target is in the air (air = 1) or on the table (air = 0)
static uint64_t seed_with(dg_env* env, int air, uint64_t from) {
  double obs[64];
  for (uint64_t seed = from;; seed++) {
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    if ((obs[obs_offset(env, "target_pos") + 2] > 0.05) == air) return seed;
  }
}

// run the expert to the time limit without ending at success: success must never hold while
// the cube is held at a table target, or while it is not held at an air target; it holds at the
// end of the episode
static void success_semantics(int air) {
  dg_env_options o;
  dg_env_options_default(&o);
  o.terminate_on_success = 0;
  dg_env* env;
  dg_policy* expert;
  CHECK_OK(dg_env_make("PickPlace-v0", &o, &env));
  CHECK_OK(dg_policy_make_expert("PickPlace-v0", &expert));
  int touch = obs_offset(env, "touch"), trel = obs_offset(env, "target_rel");
  int cube = obs_offset(env, "cube_pos");
  uint64_t from = 0;
  for (int episode = 0; episode < 2; episode++) {
    uint64_t seed = seed_with(env, air, from);
    from = seed + 1;
    double obs[64], a[4];
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    CHECK_OK(dg_policy_reset(expert, seed));
    dg_step_result r;
    int first = -1;
    do {
      CHECK_OK(dg_policy_act(expert, obs, env, a));
      CHECK_OK(dg_env_step(env, a, obs, &r));
      int held = obs[touch] && obs[touch + 1];
      double dist = sqrt(obs[trel] * obs[trel] + obs[trel + 1] * obs[trel + 1] +
                         obs[trel + 2] * obs[trel + 2]);
      if (r.info.success) {
        CHECK_MSG(dist < 0.03, "success %.3f m from the target", dist);
        CHECK_MSG(air ? held : !obs[touch] && !obs[touch + 1],
                  "seed %d (%s target): success with touch %g %g", (int)seed, air ? "air" : "table",
                  obs[touch], obs[touch + 1]);
        if (first < 0) first = r.info.elapsed_steps;
      }
    } while (!r.truncated);
    CHECK_MSG(first > 0, "seed %d: the expert never succeeded", (int)seed);
    CHECK_MSG(r.info.success, "seed %d: the success at step %d did not last", (int)seed, first);
    if (air) CHECK(obs[cube + 2] > 0.09);
    if (!air) CHECK(fabs(obs[cube + 2] - 0.02) < 0.002);
  }
  dg_policy_close(&expert);
  dg_env_close(&env);
}

// a cube put at an air target without being held is no success; below the table, a failure
static void posed_cube(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("PickPlace-v0", NULL, &env));
  double obs[64], zero[4] = {0, 0, 0, 0};
  double* s = malloc(sizeof(double) * dg_env_state_dim(env));
  uint64_t seed = seed_with(env, 1, 0);
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  const double* t = obs + obs_offset(env, "target_pos");
  CHECK_OK(dg_env_get_state(env, s));
  state_put_cube(env, s, "cube", t[0], t[1], t[2]);
  CHECK_OK(dg_env_set_state(env, s, obs));
  dg_step_result r;
  CHECK_OK(dg_env_step(env, zero, obs, &r));  // it falls, but is still near the target
  CHECK(fabs(obs[obs_offset(env, "target_rel") + 2]) < 0.03);
  CHECK(!r.info.success && !r.terminated);
  state_put_cube(env, s, "cube", 0.4, 0.0, -0.2);
  CHECK_OK(dg_env_set_state(env, s, obs));
  CHECK_OK(dg_env_step(env, zero, obs, &r));
  CHECK(r.terminated && !r.info.success);
  free(s);
  dg_env_close(&env);
}

int main(void) {
  resets_in_range();
  posed_cube();
  success_semantics(0);
  success_semantics(1);
  check_state_based("PickPlace-v0");
  check_restore_exact("PickPlace-v0", 4);
  dg_rollout_summary clean = expert_rate("PickPlace-v0", 60, 0, 0, 0);
  CHECK_MSG(clean.success_rate >= 0.97, "success rate %.3f", clean.success_rate);
  CHECK_MSG(clean.mean_length < 100, "the expert needs %.1f steps on average", clean.mean_length);
  dg_rollout_summary noisy = expert_rate("PickPlace-v0", 20, 1, 0.1, 0.05);
  CHECK_MSG(noisy.success_rate >= 0.9, "success rate with noise %.3f", noisy.success_rate);
  return 0;
}
