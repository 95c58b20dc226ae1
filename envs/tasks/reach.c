// reach.c: Reach-v0, move the gripper's grip point to a random target; and its scripted expert.
//
// Reset: the arm at its home pose with each joint jittered by up to 0.05 rad; the target uniform
// in x [0.30, 0.65], y [-0.25, 0.25], z [0.05, 0.35] (metres, table frame).
// Observation: eef_pos (3), eef_vel (3), gripper (opening m, opening speed m/s), target_pos (3),
// target_rel = target - eef (3).
// Reward: minus the distance to the target (m). Success: distance < 2 cm.
// Time limit: 100 steps (5 s at 20 Hz); the expert needs about 20.
// Expert: a proportional step towards the target, clipped to the action box; gripper open.
#include <math.h>
#include <stdio.h>

#include "env_internal.h"

#define REACH_SUCCESS_DIST 0.02
#define REACH_EXPERT_GAIN 0.8

typedef struct reach_ctx {
  int mocap;  // mocap index of the target body
} reach_ctx;

static const double TARGET_LO[3] = {0.30, -0.25, 0.05};
static const double TARGET_HI[3] = {0.65, 0.25, 0.35};

static int reach_init(dg_env* env, void* vctx, char* err, int errsz) {
  reach_ctx* ctx = vctx;
  int body = mj_name2id(env->m, mjOBJ_BODY, "target");
  if (body < 0 || env->m->body_mocapid[body] < 0) {
    snprintf(err, errsz, "Reach-v0 model lacks the mocap body 'target'");
    return -1;
  }
  ctx->mocap = env->m->body_mocapid[body];
  return 0;
}

static void reach_reset(dg_env* env, void* vctx, dg_rng* rng) {
  reach_ctx* ctx = vctx;
  dg_arm_place(&env->arm, env->m, env->d, NULL, 0.05, rng);
  double* t = env->d->mocap_pos + 3 * ctx->mocap;
  for (int i = 0; i < 3; i++) t[i] = dg_rng_range(rng, TARGET_LO[i], TARGET_HI[i]);
}

static const double* target_of(const dg_env* env, const reach_ctx* ctx) {
  return env->d->mocap_pos + 3 * ctx->mocap;
}

static void reach_observe(const dg_env* env, const void* vctx, double* obs) {
  const reach_ctx* ctx = vctx;
  const double* t = target_of(env, ctx);
  dg_arm_eef_pos(&env->arm, env->d, obs);
  dg_arm_eef_vel(&env->arm, env->m, env->d, obs + 3);
  dg_arm_gripper(&env->arm, env->d, obs + 6, obs + 7);
  for (int i = 0; i < 3; i++) {
    obs[8 + i] = t[i];
    obs[11 + i] = t[i] - obs[i];
  }
}

static double reach_distance(const dg_env* env, const reach_ctx* ctx) {
  double eef[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  return dg_dist3(eef, target_of(env, ctx));
}

static double reach_reward(const dg_env* env, const void* vctx) {
  return -reach_distance(env, vctx);
}

static int reach_success(const dg_env* env, const void* vctx) {
  return reach_distance(env, vctx) < REACH_SUCCESS_DIST;
}

static void reach_expert_act(void* expert, const dg_env* env, const void* vctx, const double* obs,
                             double* action) {
  const reach_ctx* ctx = vctx;
  const double* t = target_of(env, ctx);
  double eef[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  for (int i = 0; i < 3; i++)
    action[i] = dg_clamp(REACH_EXPERT_GAIN * (t[i] - eef[i]) / DG_ARM_MAX_STEP, -1, 1);
  action[3] = -1.0;
}

const dg_task dg_task_reach = {
    .id = "Reach-v0",
    .xml = "reach.xml",
    .summary = "move the gripper to a random point (success within 2 cm)",
    .version = 1,
    .frame_skip = 25,
    .max_episode_steps = 100,
    .camera = "corner",
    .nkeys = 5,
    .keys = {{"eef_pos", 3}, {"eef_vel", 3}, {"gripper", 2}, {"target_pos", 3}, {"target_rel", 3}},
    .ctx_size = sizeof(reach_ctx),
    .init = reach_init,
    .reset = reach_reset,
    .observe = reach_observe,
    .reward = reach_reward,
    .success = reach_success,
    .failure = NULL,
    .expert_size = 0,
    .expert_reset = NULL,
    .expert_act = reach_expert_act,
};
