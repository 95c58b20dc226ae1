// pickplace.c: PickPlace-v0, pick a 4 cm cube and place it at a target; and its scripted expert.
//
// Reset: the arm at its home pose with each joint jittered by up to 0.05 rad; the cube resting on
// the table at x [0.32, 0.58], y [-0.18, 0.18] (metres, table frame), yaw [-pi/4, pi/4]. The
// target is a ghost cube (mocap): with probability 1/2 on the table (centre z = 2 cm) at
// x [0.30, 0.62], y [-0.22, 0.22], at least 10 cm from the cube; otherwise in the air at
// x [0.32, 0.60], y [-0.20, 0.20], z [0.10, 0.25]. The target's height says which.
// Observation: eef_pos (3), eef_vel (3), gripper (opening m, opening speed m/s), cube_pos (3),
// cube_quat (4, w x y z), cube_vel (3, m/s), cube_rel = cube - eef (3), touch (2: the left and
// right finger touch the cube, 0 or 1), target_pos (3), target_rel = target - cube (3).
// Reward: 0.25 (1 - tanh(10 |cube - eef|)) + 0.25 while grasped (both fingers press the cube
// with their inner faces)
// + 0.5 (1 - tanh(10 |cube - target|)), plus 1 in a success state.
// Success: the cube's centre within 3 cm of the target and, for a target on the table, released
// there (no finger touches it, it rests: centre below 2.5 cm, speed below 5 cm/s); for a target
// in the air, held there (grasped). Failure (terminates): the cube fell off the
// table (centre below -5 cm).
// Time limit: 200 steps (10 s at 20 Hz); the expert needs 39 on average (500 seeds).
// Expert: not holding the cube, it grasps it (dg_arm_grasp_action); holding it, it lifts it to
// 8 cm, carries it over the target and lowers it there, then opens (table) or holds it (air);
// once the cube rests at a table target it rises with the gripper open.
#include <math.h>
#include <stdio.h>

#include "env_internal.h"

#define PP_CUBE_HALF    0.02   // half size of the cube (m)
#define PP_SUCCESS_DIST 0.03   // distance of the cube to the target for success
#define PP_REST_Z       0.025  // the cube's centre below this height rests on the table
#define PP_REST_SPEED   0.05   // ... and moves slower than this (m/s)
#define PP_FALL_Z       -0.05  // the cube's centre below this height fell off the table
#define PP_AIR_Z        0.05   // targets above this height are in the air
#define PP_MIN_SEP      0.10   // a table target's initial distance to the cube, lower bound
// the cube starts this far above the table (a face exactly flush with it trips MuJoCo 2.2's box-box
// collision)
#define PP_GAP 0.0002

// the expert's waypoints (heights of the cube's centre, m)
#define PP_CARRY_Z 0.08   // carry height over the table
#define PP_LIFT_Z  0.05   // below this, a held cube away from its goal rises first
#define PP_ALIGNED 0.01   // horizontal error under which the cube is lowered onto the target
#define PP_RELEASE 0.006  // height of the cube's lowest point under which it is let go
#define PP_GAIN    0.8

typedef struct pickplace_ctx {
  int qadr;   // qpos address of the cube's free joint
  int dadr;   // dof address of the cube's free joint
  int body;   // the cube body
  int mocap;  // mocap index of the target
} pickplace_ctx;

static const double CUBE_LO[2] = {0.32, -0.18};
static const double CUBE_HI[2] = {0.58, 0.18};
static const double TABLE_LO[2] = {0.30, -0.22};
static const double TABLE_HI[2] = {0.62, 0.22};
static const double AIR_LO[3] = {0.32, -0.20, 0.10};
static const double AIR_HI[3] = {0.60, 0.20, 0.25};

static int pp_init(dg_env* env, void* vctx, char* err, int errsz) {
  pickplace_ctx* ctx = vctx;
  int joint = mj_name2id(env->m, mjOBJ_JOINT, "cube");
  int target = mj_name2id(env->m, mjOBJ_BODY, "target");
  if (joint < 0 || env->m->jnt_type[joint] != mjJNT_FREE || target < 0 ||
      env->m->body_mocapid[target] < 0) {
    snprintf(err, errsz,
             "PickPlace-v0 model lacks the free joint 'cube' or the mocap body 'target'");
    return -1;
  }
  ctx->qadr = env->m->jnt_qposadr[joint];
  ctx->dadr = env->m->jnt_dofadr[joint];
  ctx->body = env->m->jnt_bodyid[joint];
  ctx->mocap = env->m->body_mocapid[target];
  return 0;
}

static void pp_reset(dg_env* env, void* vctx, dg_rng* rng) {
  pickplace_ctx* ctx = vctx;
  dg_arm_place(&env->arm, env->m, env->d, NULL, 0.05, rng);
  double* q = env->d->qpos + ctx->qadr;
  q[0] = dg_rng_range(rng, CUBE_LO[0], CUBE_HI[0]);
  q[1] = dg_rng_range(rng, CUBE_LO[1], CUBE_HI[1]);
  q[2] = PP_CUBE_HALF + PP_GAP;
  double yaw = dg_rng_range(rng, -M_PI / 4, M_PI / 4);
  q[3] = cos(yaw / 2), q[4] = 0, q[5] = 0, q[6] = sin(yaw / 2);
  double* t = env->d->mocap_pos + 3 * ctx->mocap;
  if (dg_rng_uniform(rng) < 0.5) {
    for (int i = 0; i < 3; i++) t[i] = dg_rng_range(rng, AIR_LO[i], AIR_HI[i]);
  } else {
    // on the table: redrawn until far enough from the cube
    for (int tries = 0; tries < 1000; tries++) {
      t[0] = dg_rng_range(rng, TABLE_LO[0], TABLE_HI[0]);
      t[1] = dg_rng_range(rng, TABLE_LO[1], TABLE_HI[1]);
      if (dg_dist2(t, q) >= PP_MIN_SEP) break;
    }
    t[2] = PP_CUBE_HALF;
  }
}

static const double* cube_of(const dg_env* env, const pickplace_ctx* ctx) {
  return env->d->qpos + ctx->qadr;
}

static const double* target_of(const dg_env* env, const pickplace_ctx* ctx) {
  return env->d->mocap_pos + 3 * ctx->mocap;
}

static void pp_observe(const dg_env* env, const void* vctx, double* obs) {
  const pickplace_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  const double* t = target_of(env, ctx);
  const dg_arm* arm = &env->arm;
  dg_arm_eef_pos(arm, env->d, obs);
  dg_arm_eef_vel(arm, env->m, env->d, obs + 3);
  dg_arm_gripper(arm, env->d, obs + 6, obs + 7);
  for (int i = 0; i < 3; i++) obs[8 + i] = c[i];
  for (int i = 0; i < 4; i++) obs[11 + i] = c[3 + i];
  for (int i = 0; i < 3; i++) obs[15 + i] = env->d->qvel[ctx->dadr + i];
  for (int i = 0; i < 3; i++) obs[18 + i] = c[i] - obs[i];
  for (int s = 0; s < 2; s++)
    obs[21 + s] = dg_arm_finger_touches(arm, env->m, env->d, ctx->body, s);
  for (int i = 0; i < 3; i++) obs[23 + i] = t[i];
  for (int i = 0; i < 3; i++) obs[26 + i] = t[i] - c[i];
}

static int pp_success(const dg_env* env, const void* vctx) {
  const pickplace_ctx* ctx = vctx;
  const dg_arm* arm = &env->arm;
  const double* c = cube_of(env, ctx);
  const double* t = target_of(env, ctx);
  if (dg_dist3(c, t) >= PP_SUCCESS_DIST) return 0;
  if (t[2] > PP_AIR_Z) return dg_arm_is_grasping(arm, env->m, env->d, ctx->body);
  const double* v = env->d->qvel + ctx->dadr;
  return c[2] < PP_REST_Z && sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) < PP_REST_SPEED &&
         !dg_arm_finger_touches(arm, env->m, env->d, ctx->body, 0) &&
         !dg_arm_finger_touches(arm, env->m, env->d, ctx->body, 1);
}

static double pp_reward(const dg_env* env, const void* vctx) {
  const pickplace_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  double eef[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  double reach = 1 - tanh(10 * dg_dist3(c, eef));
  double grasp = dg_arm_is_grasping(&env->arm, env->m, env->d, ctx->body);
  double place = 1 - tanh(10 * dg_dist3(c, target_of(env, ctx)));
  return 0.25 * reach + 0.25 * grasp + 0.5 * place + (pp_success(env, vctx) ? 1.0 : 0.0);
}

static int pp_failure(const dg_env* env, const void* vctx) {
  return cube_of(env, vctx)[2] < PP_FALL_Z;
}

// the height of the lowest point of the cube (tilted in the grip or not)
static double cube_bottom(const dg_env* env, const pickplace_ctx* ctx) {
  const double* R = env->d->xmat + 9 * ctx->body;
  double reach = PP_CUBE_HALF * (fabs(R[6]) + fabs(R[7]) + fabs(R[8]));
  return cube_of(env, ctx)[2] - reach;
}

static void pp_expert_act(void* expert, const dg_env* env, const void* vctx, const double* obs,
                          double* action) {
  const pickplace_ctx* ctx = vctx;
  const dg_arm* arm = &env->arm;
  const double* c = cube_of(env, ctx);
  const double* t = target_of(env, ctx);
  int air = t[2] > PP_AIR_Z;
  double dxy = dg_dist2(c, t);
  if (!dg_arm_is_grasping(arm, env->m, env->d, ctx->body)) {
    if (!air && dg_dist3(c, t) < PP_SUCCESS_DIST / 2 && c[2] < PP_REST_Z) {
      // placed: rise clear with the gripper open
      double e[3], up[3];
      dg_arm_eef_pos(arm, env->d, e);
      up[0] = e[0], up[1] = e[1], up[2] = c[2] + 0.1;
      dg_arm_toward(action, e, up, PP_GAIN, 1.0);
      action[3] = -1.0;
      return;
    }
    dg_arm_grasp_action(action, arm, env->d, c, PP_CUBE_HALF);
    return;
  }
  // holding the cube: steer the cube itself towards the goal
  double goal[3] = {t[0], t[1], air ? t[2] : PP_CARRY_Z};
  if (!air && dxy < PP_ALIGNED) goal[2] = t[2] - PP_RELEASE;  // over a table target: lower it
  if (c[2] < PP_LIFT_Z && dxy > 3 * PP_ALIGNED) goal[0] = c[0], goal[1] = c[1];  // lift first
  dg_arm_toward(action, c, goal, PP_GAIN, 1.0);
  action[3] = 1.0;
  if (!air && dxy < PP_ALIGNED && cube_bottom(env, ctx) < PP_RELEASE) {
    // down on the target: let go
    action[0] = action[1] = action[2] = 0;
    action[3] = -1.0;
  }
}

const dg_task dg_task_pickplace = {
    .id = "PickPlace-v0",
    .xml = "pickplace.xml",
    .summary = "pick a 4 cm cube and place it on the table or hold it in the air (within 3 cm)",
    .version = 1,
    .frame_skip = 25,
    .max_episode_steps = 200,
    .camera = "corner",
    .nkeys = 10,
    .keys = {{"eef_pos", 3},
             {"eef_vel", 3},
             {"gripper", 2},
             {"cube_pos", 3},
             {"cube_quat", 4},
             {"cube_vel", 3},
             {"cube_rel", 3},
             {"touch", 2},
             {"target_pos", 3},
             {"target_rel", 3}},
    .ctx_size = sizeof(pickplace_ctx),
    .init = pp_init,
    .reset = pp_reset,
    .observe = pp_observe,
    .reward = pp_reward,
    .success = pp_success,
    .failure = pp_failure,
    .expert_size = 0,
    .expert_reset = NULL,
    .expert_act = pp_expert_act,
};
