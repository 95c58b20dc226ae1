// stack.c: Stack-v0, pick cube A (4 cm) and stack it on cube B (5 cm); and its scripted expert.
//
// Reset: the arm at its home pose with each joint jittered by up to 0.05 rad; both cubes resting
// on the table at x [0.32, 0.58], y [-0.18, 0.18] (metres, table frame), yaw [-pi/4, pi/4], their
// centres 10 to 25 cm apart.
// Observation: eef_pos (3), eef_vel (3), gripper (opening m, opening speed m/s), cube_a_pos (3),
// cube_a_quat (4, w x y z), cube_a_vel (3, m/s), cube_a_rel = A - eef (3), touch (2: the left
// and right finger touch A, 0 or 1), cube_b_pos (3), cube_b_quat (4), cube_b_rel = B - eef (3),
// target_rel = (B + (0, 0, 4.5 cm)) - A, where A's centre belongs when stacked (3).
// Reward: 0.25 (1 - tanh(10 |A - eef|)) + 0.25 while A is grasped (both fingers press it with
// their inner faces)
// + 0.5 (1 - tanh(10 |target_rel|)), plus 1 in a success state.
// Success: A rests on B (centres within 2 cm horizontally, A's centre 4.5 cm above B's within
// 1 cm, A slower than 5 cm/s), the gripper is open (wider than 5 cm) and clear (no part of the
// arm touches either cube, the fingertips above A's top). Failure (terminates): a cube fell off
// the table (centre below -5 cm).
// Time limit: 200 steps (10 s at 20 Hz); the expert needs 45 on average (500 seeds).
// Expert: not holding A, it grasps it (dg_arm_grasp_action), unless A already sits on B, where
// it opens and rises clear, or A lies so close to B that an open finger would land on B, where
// it first pushes A along x, clear of B (dg_arm_push_action); holding A, it lifts A until its
// bottom clears B's top by 3 cm, carries it over B, lowers it onto B and lets go.
#include <math.h>
#include <stdio.h>

#include "env_internal.h"

#define STACK_HALF_A     0.02   // half size of cube A (m)
#define STACK_HALF_B     0.025  // half size of cube B (m)
#define STACK_XY_TOL     0.02   // A's horizontal offset from B for success
#define STACK_Z_TOL      0.01   // A's height error on B for success
#define STACK_REST_SPEED 0.05   // A is at rest below this speed (m/s)
#define STACK_OPEN       0.05   // the gripper is open wider than this (m)
#define STACK_FALL_Z     -0.05  // a cube's centre below this height fell off the table
#define STACK_MIN_SEP    0.10   // initial distance of the cubes' centres, lower bound
#define STACK_MAX_SEP    0.25   // ... upper bound
// cubes start this far above the table (a face exactly flush with it trips MuJoCo 2.2's box-box
// collision)
#define STACK_GAP 0.0002

// the expert's margins (m)
#define STACK_CLEARANCE 0.03   // A's bottom over B's top while carrying
#define STACK_ALIGNED   0.006  // horizontal error under which A is lowered onto B
#define STACK_RELEASE   0.004  // height of A's lowest point over B's top under which A is let go
#define STACK_GAIN      0.8
#define STACK_FINGER_X  0.013  // half width of a finger along x
#define STACK_FINGER_Y  0.06   // outer face of a fully open finger from the grip site along y

typedef struct stack_ctx {
  int qadr[2];  // qpos addresses of A's and B's free joints
  int dadr[2];  // dof addresses of A's and B's free joints
  int body[2];  // the bodies of A and B
} stack_ctx;

static const double CUBE_LO[2] = {0.32, -0.18};
static const double CUBE_HI[2] = {0.58, 0.18};

static int stack_init(dg_env* env, void* vctx, char* err, int errsz) {
  stack_ctx* ctx = vctx;
  const char* names[2] = {"cube_a", "cube_b"};
  for (int k = 0; k < 2; k++) {
    int joint = mj_name2id(env->m, mjOBJ_JOINT, names[k]);
    if (joint < 0 || env->m->jnt_type[joint] != mjJNT_FREE) {
      snprintf(err, errsz, "Stack-v0 model lacks the free joint '%s'", names[k]);
      return -1;
    }
    ctx->qadr[k] = env->m->jnt_qposadr[joint];
    ctx->dadr[k] = env->m->jnt_dofadr[joint];
    ctx->body[k] = env->m->jnt_bodyid[joint];
  }
  return 0;
}

static void place_cube(double* q, double half, dg_rng* rng) {
  q[0] = dg_rng_range(rng, CUBE_LO[0], CUBE_HI[0]);
  q[1] = dg_rng_range(rng, CUBE_LO[1], CUBE_HI[1]);
  q[2] = half + STACK_GAP;
  double yaw = dg_rng_range(rng, -M_PI / 4, M_PI / 4);
  q[3] = cos(yaw / 2), q[4] = 0, q[5] = 0, q[6] = sin(yaw / 2);
}

static void stack_reset(dg_env* env, void* vctx, dg_rng* rng) {
  stack_ctx* ctx = vctx;
  dg_arm_place(&env->arm, env->m, env->d, NULL, 0.05, rng);
  double* a = env->d->qpos + ctx->qadr[0];
  double* b = env->d->qpos + ctx->qadr[1];
  place_cube(a, STACK_HALF_A, rng);
  // B: redrawn until its distance to A is in range
  for (int tries = 0; tries < 1000; tries++) {
    place_cube(b, STACK_HALF_B, rng);
    double sep = dg_dist2(a, b);
    if (sep >= STACK_MIN_SEP && sep <= STACK_MAX_SEP) break;
  }
}

static const double* cube_of(const dg_env* env, const stack_ctx* ctx, int k) {
  return env->d->qpos + ctx->qadr[k];
}

// where A's centre belongs: on top of B
static void stack_target(const dg_env* env, const stack_ctx* ctx, double* t) {
  const double* b = cube_of(env, ctx, 1);
  t[0] = b[0], t[1] = b[1], t[2] = b[2] + STACK_HALF_A + STACK_HALF_B;
}

static void stack_observe(const dg_env* env, const void* vctx, double* obs) {
  const stack_ctx* ctx = vctx;
  const dg_arm* arm = &env->arm;
  const double* a = cube_of(env, ctx, 0);
  const double* b = cube_of(env, ctx, 1);
  double t[3];
  stack_target(env, ctx, t);
  dg_arm_eef_pos(arm, env->d, obs);
  dg_arm_eef_vel(arm, env->m, env->d, obs + 3);
  dg_arm_gripper(arm, env->d, obs + 6, obs + 7);
  for (int i = 0; i < 3; i++) obs[8 + i] = a[i];
  for (int i = 0; i < 4; i++) obs[11 + i] = a[3 + i];
  for (int i = 0; i < 3; i++) obs[15 + i] = env->d->qvel[ctx->dadr[0] + i];
  for (int i = 0; i < 3; i++) obs[18 + i] = a[i] - obs[i];
  for (int s = 0; s < 2; s++)
    obs[21 + s] = dg_arm_finger_touches(arm, env->m, env->d, ctx->body[0], s);
  for (int i = 0; i < 3; i++) obs[23 + i] = b[i];
  for (int i = 0; i < 4; i++) obs[26 + i] = b[3 + i];
  for (int i = 0; i < 3; i++) obs[30 + i] = b[i] - obs[i];
  for (int i = 0; i < 3; i++) obs[33 + i] = t[i] - a[i];
}

// A sits on B: centred within the tolerance, at the right height
static int a_on_b(const dg_env* env, const stack_ctx* ctx) {
  const double* a = cube_of(env, ctx, 0);
  double t[3];
  stack_target(env, ctx, t);
  return dg_dist2(a, t) < STACK_XY_TOL && fabs(a[2] - t[2]) < STACK_Z_TOL;
}

static int stack_success(const dg_env* env, const void* vctx) {
  const stack_ctx* ctx = vctx;
  const dg_arm* arm = &env->arm;
  if (!a_on_b(env, ctx)) return 0;
  const double* v = env->d->qvel + ctx->dadr[0];
  if (sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]) >= STACK_REST_SPEED) return 0;
  double e[3], opening;
  dg_arm_eef_pos(arm, env->d, e);
  dg_arm_gripper(arm, env->d, &opening, NULL);
  // the pads reach 2 cm below the grip site
  return opening > STACK_OPEN && e[2] - 0.02 > cube_of(env, ctx, 0)[2] + STACK_HALF_A &&
         !dg_arm_touches(arm, env->m, env->d, ctx->body[0]) &&
         !dg_arm_touches(arm, env->m, env->d, ctx->body[1]);
}

static double stack_reward(const dg_env* env, const void* vctx) {
  const stack_ctx* ctx = vctx;
  const double* a = cube_of(env, ctx, 0);
  double eef[3], t[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  stack_target(env, ctx, t);
  double reach = 1 - tanh(10 * dg_dist3(a, eef));
  double grasp = dg_arm_is_grasping(&env->arm, env->m, env->d, ctx->body[0]);
  double align = 1 - tanh(10 * dg_dist3(a, t));
  return 0.25 * reach + 0.25 * grasp + 0.5 * align + (stack_success(env, vctx) ? 1.0 : 0.0);
}

static int stack_failure(const dg_env* env, const void* vctx) {
  const stack_ctx* ctx = vctx;
  return cube_of(env, ctx, 0)[2] < STACK_FALL_Z || cube_of(env, ctx, 1)[2] < STACK_FALL_Z;
}

// A lies on the table so close to B that an open finger coming down around A would land on B;
// writes the direction (+1 or -1 along x) in which to push A clear of B
static int a_blocked(const dg_env* env, const stack_ctx* ctx, double* sx) {
  const double* a = cube_of(env, ctx, 0);
  const double* b = cube_of(env, ctx, 1);
  const double* R = env->d->xmat + 9 * ctx->body[1];
  double ext_x = STACK_HALF_B * (fabs(R[0]) + fabs(R[1]) + fabs(R[2]));
  double ext_y = STACK_HALF_B * (fabs(R[3]) + fabs(R[4]) + fabs(R[5]));
  double reach_x = STACK_FINGER_X + ext_x + 0.006;
  if (a[2] > STACK_HALF_A + 0.01 || fabs(a[0] - b[0]) > reach_x ||
      fabs(a[1] - b[1]) > STACK_FINGER_Y + ext_y + 0.005)
    return 0;
  // away from B along x, unless that leaves the workspace
  *sx = a[0] >= b[0] ? 1 : -1;
  double x = b[0] + *sx * (reach_x + 0.02);
  if (x > env->arm.ws_hi[0] - 0.08 || x < env->arm.ws_lo[0] + 0.08) *sx = -*sx;
  return 1;
}

// the height of the lowest point of cube A (tilted in the grip or not)
static double a_bottom(const dg_env* env, const stack_ctx* ctx) {
  const double* R = env->d->xmat + 9 * ctx->body[0];
  double reach = STACK_HALF_A * (fabs(R[6]) + fabs(R[7]) + fabs(R[8]));
  return cube_of(env, ctx, 0)[2] - reach;
}

static void stack_expert_act(void* expert, const dg_env* env, const void* vctx, const double* obs,
                             double* action) {
  const stack_ctx* ctx = vctx;
  const dg_arm* arm = &env->arm;
  const double* a = cube_of(env, ctx, 0);
  double e[3], t[3], opening;
  dg_arm_eef_pos(arm, env->d, e);
  dg_arm_gripper(arm, env->d, &opening, NULL);
  stack_target(env, ctx, t);
  if (!dg_arm_is_grasping(arm, env->m, env->d, ctx->body[0])) {
    if (a_on_b(env, ctx)) {
      // stacked: open fully, then rise clear
      double up[3] = {e[0], e[1], a[2] + STACK_HALF_A + 0.05};
      if (opening < STACK_OPEN + 0.01) up[2] = e[2];
      dg_arm_toward(action, e, up, STACK_GAIN, 1.0);
      action[3] = -1.0;
      return;
    }
    double sx;
    if (a_blocked(env, ctx, &sx)) {
      // push A along x until the fingers can reach around it without touching B
      const double* b = cube_of(env, ctx, 1);
      double goal[2] = {b[0] + sx * 0.075, a[1]};
      dg_arm_push_action(action, arm, env->d, a, STACK_HALF_A, goal);
      return;
    }
    dg_arm_grasp_action(action, arm, env->d, a, STACK_HALF_A);
    return;
  }
  // holding A: steer A itself; lift it clear of B's top, carry it over B, lower it onto B
  double dxy = dg_dist2(a, t);
  double clear_z = t[2] + STACK_CLEARANCE;
  double goal[3] = {t[0], t[1], clear_z};
  if (dxy < STACK_ALIGNED) goal[2] = t[2] - STACK_RELEASE;
  if (a[2] < clear_z - 0.015 && dxy > 5 * STACK_ALIGNED) goal[0] = a[0], goal[1] = a[1];
  dg_arm_toward(action, a, goal, STACK_GAIN, 1.0);
  action[3] = 1.0;
  if (dxy < STACK_ALIGNED && a_bottom(env, ctx) < t[2] - STACK_HALF_A + STACK_RELEASE) {
    // on B: let go
    action[0] = action[1] = action[2] = 0;
    action[3] = -1.0;
  }
}

const dg_task dg_task_stack = {
    .id = "Stack-v0",
    .xml = "stack.xml",
    .summary = "stack a 4 cm cube on a 5 cm cube and let go",
    .version = 1,
    .frame_skip = 25,
    .max_episode_steps = 200,
    .camera = "corner",
    .nkeys = 12,
    .keys = {{"eef_pos", 3},
             {"eef_vel", 3},
             {"gripper", 2},
             {"cube_a_pos", 3},
             {"cube_a_quat", 4},
             {"cube_a_vel", 3},
             {"cube_a_rel", 3},
             {"touch", 2},
             {"cube_b_pos", 3},
             {"cube_b_quat", 4},
             {"cube_b_rel", 3},
             {"target_rel", 3}},
    .ctx_size = sizeof(stack_ctx),
    .init = stack_init,
    .reset = stack_reset,
    .observe = stack_observe,
    .reward = stack_reward,
    .success = stack_success,
    .failure = stack_failure,
    .expert_size = 0,
    .expert_reset = NULL,
    .expert_act = stack_expert_act,
};
