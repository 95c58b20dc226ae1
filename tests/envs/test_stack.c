// test_stack.c: Stack-v0: the expert succeeds on at least 97% of 60 seeds well within the time
// limit and on at least 90% of 20 with exploration noise; it is state-based; resets draw the
// documented ranges; success needs A resting on B with the gripper open and clear (never while
// the fingers touch A), and the expert keeps it when the episode goes on; a cube that falls off
// the table ends the episode.
#include "cube_checks.h"

static void resets_in_range(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("Stack-v0", NULL, &env));
  double obs[64];
  int a = obs_offset(env, "cube_a_pos"), b = obs_offset(env, "cube_b_pos");
  int trel = obs_offset(env, "target_rel"), brel = obs_offset(env, "cube_b_rel");
  for (uint64_t seed = 0; seed < 200; seed++) {
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    const double *pa = obs + a, *pb = obs + b;
    CHECK(pa[0] >= 0.32 && pa[0] <= 0.58 && fabs(pa[1]) <= 0.18 && fabs(pa[2] - 0.02) < 0.001);
    CHECK(pb[0] >= 0.32 && pb[0] <= 0.58 && fabs(pb[1]) <= 0.18 && fabs(pb[2] - 0.025) < 0.001);
    double sep = hypot(pa[0] - pb[0], pa[1] - pb[1]);
    CHECK_MSG(sep >= 0.10 && sep <= 0.25, "seed %d: cubes %.3f m apart", (int)seed, sep);
    CHECK_NEAR(obs[trel + 2], pb[2] + 0.045 - pa[2], 1e-12);
    for (int i = 0; i < 2; i++) CHECK_NEAR(obs[trel + i], pb[i] - pa[i], 1e-12);
    for (int i = 0; i < 3; i++) CHECK_NEAR(obs[brel + i], pb[i] - obs[i], 1e-12);
  }
  dg_env_close(&env);
}

// pose A at B + (dx, 0, dz) with the arm at its home pose, open, and step once with zero action
static dg_step_result pose_a(dg_env* env, double dx, double dz, double by) {
  double obs[64], zero[4] = {0, 0, 0, 0};
  double* s = malloc(sizeof(double) * dg_env_state_dim(env));
  uint64_t seed = 5;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  CHECK_OK(dg_env_get_state(env, s));
  state_put_cube(env, s, "cube_b", 0.45, by, 0.0252);
  state_put_cube(env, s, "cube_a", 0.45 + dx, by, 0.0252 + dz);
  CHECK_OK(dg_env_set_state(env, s, obs));
  dg_step_result r;
  CHECK_OK(dg_env_step(env, zero, obs, &r));
  free(s);
  return r;
}

static void posed_cubes(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("Stack-v0", NULL, &env));
  dg_step_result on = pose_a(env, 0.0, 0.0452, 0.15);
  CHECK_MSG(on.info.success && on.terminated, "A on B: success %d", on.info.success);
  dg_step_result beside = pose_a(env, 0.07, -0.0052, 0.15);
  CHECK(!beside.info.success && !beside.terminated);
  CHECK(on.reward > beside.reward + 1.0);
  dg_step_result off_centre = pose_a(env, 0.03, 0.0452, 0.15);  // overhangs B by 2.5 cm
  CHECK(!off_centre.info.success);
  // B below the table: a failure
  double obs[64], zero[4] = {0, 0, 0, 0};
  double* s = malloc(sizeof(double) * dg_env_state_dim(env));
  uint64_t seed = 5;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  CHECK_OK(dg_env_get_state(env, s));
  state_put_cube(env, s, "cube_b", 0.45, 0.0, -0.2);
  CHECK_OK(dg_env_set_state(env, s, obs));
  dg_step_result r;
  CHECK_OK(dg_env_step(env, zero, obs, &r));
  CHECK(r.terminated && !r.info.success);
  free(s);
  dg_env_close(&env);
}

// run the expert to the time limit without ending at success: success never holds while a
// finger touches A or the gripper is not open, and it holds at the end with A on B
static void success_semantics(void) {
  dg_env_options o;
  dg_env_options_default(&o);
  o.terminate_on_success = 0;
  dg_env* env;
  dg_policy* expert;
  CHECK_OK(dg_env_make("Stack-v0", &o, &env));
  CHECK_OK(dg_policy_make_expert("Stack-v0", &expert));
  int touch = obs_offset(env, "touch"), trel = obs_offset(env, "target_rel");
  int grip = obs_offset(env, "gripper");
  for (uint64_t seed = 0; seed < 2; seed++) {
    double obs[64], a[4];
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    CHECK_OK(dg_policy_reset(expert, seed));
    dg_step_result r;
    int first = -1;
    do {
      CHECK_OK(dg_policy_act(expert, obs, env, a));
      CHECK_OK(dg_env_step(env, a, obs, &r));
      if (r.info.success) {
        CHECK(!obs[touch] && !obs[touch + 1] && obs[grip] > 0.05);
        CHECK(fabs(obs[trel]) < 0.02 && fabs(obs[trel + 1]) < 0.02 && fabs(obs[trel + 2]) < 0.01);
        if (first < 0) first = r.info.elapsed_steps;
      }
    } while (!r.truncated);
    CHECK_MSG(first > 0, "seed %d: the expert never succeeded", (int)seed);
    CHECK_MSG(r.info.success, "seed %d: the success at step %d did not last", (int)seed, first);
  }
  dg_policy_close(&expert);
  dg_env_close(&env);
}

int main(void) {
  resets_in_range();
  posed_cubes();
  success_semantics();
  check_state_based("Stack-v0");
  check_restore_exact("Stack-v0", 4);
  dg_rollout_summary clean = expert_rate("Stack-v0", 60, 0, 0, 0);
  CHECK_MSG(clean.success_rate >= 0.97, "success rate %.3f", clean.success_rate);
  CHECK_MSG(clean.mean_length < 100, "the expert needs %.1f steps on average", clean.mean_length);
  dg_rollout_summary noisy = expert_rate("Stack-v0", 20, 1, 0.1, 0.05);
  CHECK_MSG(noisy.success_rate >= 0.9, "success rate with noise %.3f", noisy.success_rate);
  return 0;
}
