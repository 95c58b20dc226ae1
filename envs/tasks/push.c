// push.c: Push-v0, push a 4 cm cube across the table into a target region; and its scripted expert.
//
// Reset: the arm at its home pose with each joint jittered by up to 0.05 rad; the cube resting on
// the table at x [0.32, 0.58], y [-0.18, 0.18] (metres, table frame), yaw [-pi/4, pi/4]; the
// target (a mocap disc on the table) at x [0.30, 0.62], y [-0.22, 0.22], 12 to 30 cm from the cube.
// Observation: eef_pos (3), eef_vel (3), gripper (opening m, opening speed m/s), cube_pos (3),
// cube_quat (4, w x y z), cube_vel (3, m/s), cube_rel = cube - eef (3), target_pos (3, on the
// table: z = 0), target_rel = target - cube (3).
// Reward: 0.2 (1 - tanh(10 |cube - eef|)) + 0.8 (1 - tanh(10 d)), d the cube's horizontal
// distance to the target, plus 1 in a success state.
// Success: the cube's centre within 3 cm of the target (xy) while it rests on the table (centre
// at 2 cm height, within 5 mm). Failure (terminates): the cube fell off the table (centre below -5
// cm). Time limit: 200 steps (10 s at 20 Hz); the expert needs 52 on average (500 seeds). Expert
// (dg_arm_push_action): the gripper closed as a pusher. Behind the cube on the line from the target
// through the cube and at pushing height, it pushes along that line, correcting its lateral offset;
// otherwise it rises clear of the cube, travels to a point behind it and descends there. The cube's
// friction (0.3, ruling its contacts) lets a push at mid-height slide it rather than tip it over.
#include <math.h>
#include <stdio.h>

#include "env_internal.h"

#define PUSH_CUBE_HALF    0.02   // half size of the cube (m)
#define PUSH_SUCCESS_DIST 0.03   // horizontal distance of the cube to the target for success
#define PUSH_REST_Z       0.005  // the cube rests on the table: its centre within this of 2 cm
#define PUSH_FALL_Z       -0.05  // the cube's centre below this height fell off the table
#define PUSH_MIN_SEP      0.12   // initial cube-target distance, lower bound
#define PUSH_MAX_SEP      0.30   // ... upper bound
// the cube starts this far above the table (a face exactly flush with it trips MuJoCo 2.2's box-box
// collision)
#define PUSH_GAP 0.0002

typedef struct push_ctx {
  int qadr;   // qpos address of the cube's free joint
  int dadr;   // dof address of the cube's free joint
  int body;   // the cube body
  int mocap;  // mocap index of the target
} push_ctx;

static const double CUBE_LO[2] = {0.32, -0.18};
static const double CUBE_HI[2] = {0.58, 0.18};
static const double TARGET_LO[2] = {0.30, -0.22};
static const double TARGET_HI[2] = {0.62, 0.22};

static int push_init(dg_env* env, void* vctx, char* err, int errsz) {
  push_ctx* ctx = vctx;
  int joint = mj_name2id(env->m, mjOBJ_JOINT, "cube");
  int target = mj_name2id(env->m, mjOBJ_BODY, "target");
  if (joint < 0 || env->m->jnt_type[joint] != mjJNT_FREE || target < 0 ||
      env->m->body_mocapid[target] < 0) {
    snprintf(err, errsz, "Push-v0 model lacks the free joint 'cube' or the mocap body 'target'");
    return -1;
  }
  ctx->qadr = env->m->jnt_qposadr[joint];
  ctx->dadr = env->m->jnt_dofadr[joint];
  ctx->body = env->m->jnt_bodyid[joint];
  ctx->mocap = env->m->body_mocapid[target];
  return 0;
}

static void push_reset(dg_env* env, void* vctx, dg_rng* rng) {
  push_ctx* ctx = vctx;
  dg_arm_place(&env->arm, env->m, env->d, NULL, 0.05, rng);
  double* q = env->d->qpos + ctx->qadr;
  q[0] = dg_rng_range(rng, CUBE_LO[0], CUBE_HI[0]);
  q[1] = dg_rng_range(rng, CUBE_LO[1], CUBE_HI[1]);
  q[2] = PUSH_CUBE_HALF + PUSH_GAP;
  double yaw = dg_rng_range(rng, -M_PI / 4, M_PI / 4);
  q[3] = cos(yaw / 2), q[4] = 0, q[5] = 0, q[6] = sin(yaw / 2);
  // the target: uniform in its box, redrawn until its distance to the cube is in range
  double* t = env->d->mocap_pos + 3 * ctx->mocap;
  for (int tries = 0; tries < 1000; tries++) {
    t[0] = dg_rng_range(rng, TARGET_LO[0], TARGET_HI[0]);
    t[1] = dg_rng_range(rng, TARGET_LO[1], TARGET_HI[1]);
    double sep = dg_dist2(t, q);
    if (sep >= PUSH_MIN_SEP && sep <= PUSH_MAX_SEP) break;
  }
  t[2] = 0;
}

static const double* cube_of(const dg_env* env, const push_ctx* ctx) {
  return env->d->qpos + ctx->qadr;
}

static const double* target_of(const dg_env* env, const push_ctx* ctx) {
  return env->d->mocap_pos + 3 * ctx->mocap;
}

static void push_observe(const dg_env* env, const void* vctx, double* obs) {
  const push_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  const double* t = target_of(env, ctx);
  dg_arm_eef_pos(&env->arm, env->d, obs);
  dg_arm_eef_vel(&env->arm, env->m, env->d, obs + 3);
  dg_arm_gripper(&env->arm, env->d, obs + 6, obs + 7);
  for (int i = 0; i < 3; i++) obs[8 + i] = c[i];
  for (int i = 0; i < 4; i++) obs[11 + i] = c[3 + i];
  for (int i = 0; i < 3; i++) obs[15 + i] = env->d->qvel[ctx->dadr + i];
  for (int i = 0; i < 3; i++) obs[18 + i] = c[i] - obs[i];
  for (int i = 0; i < 3; i++) obs[21 + i] = t[i];
  for (int i = 0; i < 3; i++) obs[24 + i] = t[i] - c[i];
}

static int push_success(const dg_env* env, const void* vctx) {
  const push_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  return dg_dist2(c, target_of(env, ctx)) < PUSH_SUCCESS_DIST &&
         fabs(c[2] - PUSH_CUBE_HALF) < PUSH_REST_Z;
}

static double push_reward(const dg_env* env, const void* vctx) {
  const push_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  double eef[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  double reach = 1 - tanh(10 * dg_dist3(c, eef));
  double push = 1 - tanh(10 * dg_dist2(c, target_of(env, ctx)));
  return 0.2 * reach + 0.8 * push + (push_success(env, vctx) ? 1.0 : 0.0);
}

static int push_failure(const dg_env* env, const void* vctx) {
  return cube_of(env, vctx)[2] < PUSH_FALL_Z;
}

static void push_expert_act(void* expert, const dg_env* env, const void* vctx, const double* obs,
                            double* action) {
  const push_ctx* ctx = vctx;
  dg_arm_push_action(action, &env->arm, env->d, cube_of(env, ctx), PUSH_CUBE_HALF,
                     target_of(env, ctx));
}

const dg_task dg_task_push = {
    .id = "Push-v0",
    .xml = "push.xml",
    .summary = "push a 4 cm cube into a target region (success within 3 cm)",
    .version = 1,
    .frame_skip = 25,
    .max_episode_steps = 200,
    .camera = "corner",
    .nkeys = 9,
    .keys = {{"eef_pos", 3},
             {"eef_vel", 3},
             {"gripper", 2},
             {"cube_pos", 3},
             {"cube_quat", 4},
             {"cube_vel", 3},
             {"cube_rel", 3},
             {"target_pos", 3},
             {"target_rel", 3}},
    .ctx_size = sizeof(push_ctx),
    .init = push_init,
    .reset = push_reset,
    .observe = push_observe,
    .reward = push_reward,
    .success = push_success,
    .failure = push_failure,
    .expert_size = 0,
    .expert_reset = NULL,
    .expert_act = push_expert_act,
};
