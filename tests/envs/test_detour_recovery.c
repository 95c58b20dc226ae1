// test_detour_recovery.c: Detour-v0's expert is state-based and recovers when the state is
// perturbed mid-carry: the gripper opened (the cube drops), the cube moved elsewhere in front of
// the wall or behind it (the expert goes over the wall to fetch it), the arm displaced, the
// target moved; each in at least 90% of 20 seeded episodes.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perturb.h"
#include "tasks/detour.h"

#define ID "Detour-v0"
#ifndef RECOVERY_SEEDS
#define RECOVERY_SEEDS 20
#endif
#define PERTURB_STEP 35  // the cube is in the gripper, on its way round the wall

enum { GRIPPER_OPENED, CUBE_MOVED_NEAR, CUBE_MOVED_FAR, ARM_DISPLACED, TARGET_MOVED, NKINDS };
static const char* kind_name[NKINDS] = {
    "gripper opened (cube dropped)", "cube moved in front of the wall",
    "cube moved behind the wall", "arm displaced", "target moved"};

static void perturb(const dg_env* env, double* state, int kind, dg_rng* rng) {
  state_layout l = layout_of(env);
  const mjModel* m = env->m;
  int wall = m->body_mocapid[mj_name2id(m, mjOBJ_BODY, "wall")];
  int target = m->body_mocapid[mj_name2id(m, mjOBJ_BODY, "target")];
  double* q = state + l.qpos + m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, "cube")];
  double* v = state + l.qvel + m->jnt_dofadr[mj_name2id(m, mjOBJ_JOINT, "cube")];
  const double* w = state + l.mocap_pos + 3 * wall;
  if (kind == GRIPPER_OPENED) {
    open_fingers(env, state, DG_ARM_FINGER_OPEN);
  } else if (kind == CUBE_MOVED_NEAR || kind == CUBE_MOVED_FAR) {
    double yaw = dg_rng_range(rng, -0.5, 0.5);
    q[0] = kind == CUBE_MOVED_NEAR ? dg_rng_range(rng, 0.25, 0.36) : dg_rng_range(rng, 0.58, 0.68);
    q[1] = w[1] + dg_rng_range(rng, -0.15, 0.15);
    q[2] = 0.02;
    q[3] = cos(0.5 * yaw), q[4] = 0, q[5] = 0, q[6] = sin(0.5 * yaw);
    for (int i = 0; i < 6; i++) v[i] = 0;
  } else if (kind == ARM_DISPLACED) {
    displace_arm(env, state, 0.25, rng);
  } else {
    double* t = state + l.mocap_pos + 3 * target;
    t[0] = dg_rng_range(rng, 0.60, 0.68);
    t[1] = dg_rng_range(rng, -0.15, 0.15);
  }
}

int main(void) {
  dg_env* env;
  dg_policy* expert;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  CHECK_OK(dg_policy_make_expert(ID, &expert));
  int od = dg_env_obs_dim(env), n = dg_env_state_dim(env);
  double *obs = malloc(sizeof(double) * od), *state = malloc(sizeof(double) * n);
  double* saved = malloc(sizeof(double) * n);
  dg_rng rng;
  dg_rng_seed(&rng, 99);
  for (int kind = 0; kind < NKINDS; kind++) {
    int ok = 0;
    for (int i = 0; i < RECOVERY_SEEDS; i++) {
      uint64_t es = dg_seed_derive(5, 0, (uint64_t)i);
      CHECK_OK(dg_env_reset(env, &es, obs, NULL));
      CHECK_OK(dg_policy_reset(expert, dg_seed_derive(5, 1, (uint64_t)i)));
      dg_step_result r;
      CHECK_MSG(!run_steps(env, expert, obs, PERTURB_STEP, &r), "episode %d ended early", i);
      CHECK_MSG(
          dg_arm_is_grasping(&env->arm, env->m, env->d, mj_name2id(env->m, mjOBJ_BODY, "cube")),
          "episode %d: the cube is not in the gripper at step %d", i, PERTURB_STEP);
      CHECK_OK(dg_env_get_state(env, saved));
      // draw perturbations until one leaves no body inside another
      int tries = 0;
      do {
        CHECK_MSG(++tries < 50, "%s: no physical perturbation found", kind_name[kind]);
        memcpy(state, saved, sizeof(double) * n);
        perturb(env, state, kind, &rng);
        CHECK_OK(dg_env_set_state(env, state, obs));
      } while (deepest_contact(env) > 0.002);
      int success = finish(env, expert, obs);
      if (!success) fprintf(stderr, "%s: episode %d failed\n", kind_name[kind], i);
      ok += success;
    }
    printf("%s recovery, %s: %d/%d\n", ID, kind_name[kind], ok, RECOVERY_SEEDS);
    CHECK_MSG(ok >= 0.9 * RECOVERY_SEEDS, "%s: only %d of %d recovered", kind_name[kind], ok,
              RECOVERY_SEEDS);
  }
  free(obs), free(state), free(saved);
  dg_policy_close(&expert);
  dg_env_close(&env);
  return 0;
}
