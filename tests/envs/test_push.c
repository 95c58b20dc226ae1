// test_push.c: Push-v0: the expert succeeds on at least 97% of 60 seeds well within the time limit
// and on at least 90% of 20 with exploration noise; it is state-based; resets draw the documented
// ranges; the observation keys hold what they name; success needs the cube resting on the table
// within 3 cm of the target; a cube that falls off the table ends the episode.
#include "cube_checks.h"

static void resets_in_range(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("Push-v0", NULL, &env));
  double obs[64];
  int cube = obs_offset(env, "cube_pos"), tgt = obs_offset(env, "target_pos");
  int crel = obs_offset(env, "cube_rel"), trel = obs_offset(env, "target_rel");
  for (uint64_t seed = 0; seed < 200; seed++) {
    dg_info info;
    CHECK_OK(dg_env_reset(env, &seed, obs, &info));
    const double *c = obs + cube, *t = obs + tgt;
    CHECK(c[0] >= 0.32 && c[0] <= 0.58 && fabs(c[1]) <= 0.18 && fabs(c[2] - 0.02) < 0.001);
    CHECK(t[0] >= 0.30 && t[0] <= 0.62 && fabs(t[1]) <= 0.22 && t[2] == 0);
    double sep = hypot(t[0] - c[0], t[1] - c[1]);
    CHECK_MSG(sep >= 0.12 && sep <= 0.30, "seed %d: cube-target distance %.3f", (int)seed, sep);
    for (int i = 0; i < 3; i++) {
      CHECK_NEAR(obs[crel + i], c[i] - obs[i], 1e-12);
      CHECK_NEAR(obs[trel + i], t[i] - c[i], 1e-12);
    }
    CHECK(!info.success);
  }
  dg_env_close(&env);
}

// pose the cube at (target + (dx, 0, 0)) at height z and step once with zero action
static dg_step_result cube_at(dg_env* env, double dx, double z) {
  double obs[64], zero[4] = {0, 0, 0, 0};
  double* s = malloc(sizeof(double) * dg_env_state_dim(env));
  uint64_t seed = 3;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  const double* t = obs + obs_offset(env, "target_pos");
  CHECK_OK(dg_env_get_state(env, s));
  state_put_cube(env, s, "cube", t[0] + dx, t[1], z);
  CHECK_OK(dg_env_set_state(env, s, obs));
  dg_step_result r;
  CHECK_OK(dg_env_step(env, zero, obs, &r));
  free(s);
  return r;
}

static void success_and_failure(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("Push-v0", NULL, &env));
  dg_step_result in = cube_at(env, 0.02, 0.0202);
  CHECK(in.info.success && in.terminated);
  dg_step_result out = cube_at(env, 0.04, 0.0202);
  CHECK(!out.info.success && !out.terminated);
  CHECK_MSG(in.reward > out.reward + 1.0, "reward at the target %.3f, 4 cm off %.3f", in.reward,
            out.reward);
  dg_step_result far = cube_at(env, 0.15, 0.0202);
  CHECK(out.reward > far.reward);
  dg_step_result lifted = cube_at(env, 0.0, 0.10);  // over the target, not on the table
  CHECK(!lifted.info.success);
  dg_step_result fell = cube_at(env, 0.0, -0.2);  // below the table top: it fell off
  CHECK(fell.terminated && !fell.truncated && !fell.info.success);
  dg_env_close(&env);
}

int main(void) {
  resets_in_range();
  success_and_failure();
  check_state_based("Push-v0");
  check_restore_exact("Push-v0", 4);
  dg_rollout_summary clean = expert_rate("Push-v0", 60, 0, 0, 0);
  CHECK_MSG(clean.success_rate >= 0.97, "success rate %.3f", clean.success_rate);
  CHECK_MSG(clean.mean_length < 100, "the expert needs %.1f steps on average", clean.mean_length);
  dg_rollout_summary noisy = expert_rate("Push-v0", 20, 1, 0.1, 0.05);
  CHECK_MSG(noisy.success_rate >= 0.9, "success rate with noise %.3f", noisy.success_rate);
  return 0;
}
