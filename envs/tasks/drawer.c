// drawer.c: Drawer-v0, pull a cabinet's drawer open by hooking its handle; and its scripted expert.
//
// Scene (drawer.xml): a cabinet 0.24 m deep, 0.32 m wide and 0.17 m tall stands on the table,
// open towards the arm; its drawer runs on a slide joint (travel 0.20 m, damping 8 N s/m, dry
// friction 1.5 N) and carries a bar handle 0.13 m long, 0.07 m in front of the drawer's face, at
// 0.085 m above the table.
// Reset: the arm at its home pose with each joint jittered by up to 0.05 rad; the cabinet's front
// face centred at x [0.56, 0.64], y [-0.15, 0.15] (metres, table frame), turned about z by a yaw
// in [-0.15, 0.15] rad; the drawer open by [0, 0.03] m.
// Observation: eef_pos (3), eef_vel (3), gripper (opening m, opening speed m/s), handle_pos (3,
// the middle of the handle bar), handle_rel = handle - eef (3), drawer_qpos (1, opening m),
// drawer_qvel (1, m/s), drawer_axis (2, the unit direction in which the drawer opens, in the
// table plane).
// Reward: 2 x the opened fraction of the travel minus the distance from the grip point to the
// hook point between the handle bar and the drawer's face (m, capped at 0.5).
// Success: the drawer open by at least 80% of its travel (0.16 m). No failure state.
// Time limit: 150 steps (7.5 s at 20 Hz); the expert needs 28 on average, at most 35.
// Expert: fingers closed; rise to a height safe for where the grip point is, move above the gap
// between the bar and the drawer's face, descend into it and pull along the drawer's axis.
// Every phase is read from the state, so the expert resumes after any perturbation.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "env_internal.h"

#define DRAWER_TRAVEL       0.20   // slide range (m)
#define DRAWER_SUCCESS_FRAC 0.8    // fraction of the travel that counts as open
#define DRAWER_HALF_WIDTH   0.16   // cabinet half width (m)
#define DRAWER_TOP          0.171  // height of the cabinet's top above the table (m)

// the expert's geometry, in the cabinet frame relative to the handle bar: `out` is the distance
// from the bar towards the arm (negative: into the gap between the bar and the drawer's face),
// `lat` along the bar, `up` above it. The closed fingers reach 16 mm from the grip point along
// the cabinet's axis, the palm (68 mm above the grip point) up to 32 mm.
#define HOOK_OUT      (-0.030)  // grip point in the gap: 6 mm clear of the bar, 24 mm of the face
#define FACE_OUT      (-0.070)  // the drawer's face
#define COL_OUT_LO    (-0.060)  // the column above the gap, where the fingers are clear of both
#define COL_OUT_HI    (-0.016)
#define COL_LAT       0.03   // half width of that column (the posts are at +-0.06)
#define ALIGNED       0.008  // distance from HOOK_OUT within which the grip point descends
#define HOOKED_UP     0.012  // below this the fingers hold the bar: pull
#define FRONT_SAFE_UP 0.045  // travel height in front of the face (fingertips clear the bar)
#define OVER_SAFE_UP  0.125  // travel height over the cabinet and the drawer's face
#define CLOSED_ENOUGH 0.03   // gripper opening (m) narrow enough to enter the gap
#define EXPERT_GAIN   0.8

typedef struct drawer_ctx {
  int mocap;    // mocap index of the cabinet
  int qadr;     // qpos address of the drawer's slide joint
  int dadr;     // dof address of the drawer's slide joint
  int handle;   // the handle site (middle of the bar)
  int cabinet;  // the cabinet body
} drawer_ctx;

static int drawer_init(dg_env* env, void* vctx, char* err, int errsz) {
  drawer_ctx* ctx = vctx;
  const mjModel* m = env->m;
  int body = mj_name2id(m, mjOBJ_BODY, "cabinet");
  int joint = mj_name2id(m, mjOBJ_JOINT, "drawer");
  ctx->handle = mj_name2id(m, mjOBJ_SITE, "handle");
  if (body < 0 || m->body_mocapid[body] < 0 || joint < 0 || ctx->handle < 0) {
    snprintf(err, errsz,
             "Drawer-v0 model lacks the mocap body 'cabinet', the joint 'drawer' or "
             "the site 'handle'");
    return -1;
  }
  ctx->cabinet = body;
  ctx->mocap = m->body_mocapid[body];
  ctx->qadr = m->jnt_qposadr[joint];
  ctx->dadr = m->jnt_dofadr[joint];
  return 0;
}

// a yaw quaternion that MuJoCo's normalisation leaves bit for bit unchanged: mj_kinematics
// normalises mocap quaternions in place, and some roundings flip between two values at every
// call, which would make a restored state's future differ in the last bits
static void stable_yaw_quat(double* quat, double yaw) {
  for (int k = 0; k < 64; k++, yaw += 1e-12) {
    double q[4] = {cos(0.5 * yaw), 0, 0, sin(0.5 * yaw)};
    memcpy(quat, q, sizeof(q));
    mju_normalize4(q);
    if (memcmp(q, quat, sizeof(q)) == 0) return;
  }
}

static void drawer_reset(dg_env* env, void* vctx, dg_rng* rng) {
  drawer_ctx* ctx = vctx;
  dg_arm_place(&env->arm, env->m, env->d, NULL, 0.05, rng);
  double* pos = env->d->mocap_pos + 3 * ctx->mocap;
  double* quat = env->d->mocap_quat + 4 * ctx->mocap;
  pos[0] = dg_rng_range(rng, 0.56, 0.64);
  pos[1] = dg_rng_range(rng, -0.15, 0.15);
  pos[2] = 0.001;
  stable_yaw_quat(quat, dg_rng_range(rng, -0.15, 0.15));
  env->d->qpos[ctx->qadr] = dg_rng_range(rng, 0.0, 0.03);
}

// the cabinet's frame: its x axis (into the cabinet) and y axis in the table plane
static void cabinet_axes(const dg_env* env, const drawer_ctx* ctx, double* ax, double* ay) {
  const double* R = env->d->xmat + 9 * ctx->cabinet;  // row-major
  ax[0] = R[0], ax[1] = R[3];
  ay[0] = R[1], ay[1] = R[4];
}

// the hook point: between the bar and the drawer's face, at the bar's height
static void hook_point(const dg_env* env, const drawer_ctx* ctx, double* hook) {
  double ax[2], ay[2];
  cabinet_axes(env, ctx, ax, ay);
  const double* h = env->d->site_xpos + 3 * ctx->handle;
  hook[0] = h[0] - HOOK_OUT * ax[0];
  hook[1] = h[1] - HOOK_OUT * ax[1];
  hook[2] = h[2];
}

static void drawer_observe(const dg_env* env, const void* vctx, double* obs) {
  const drawer_ctx* ctx = vctx;
  const double* h = env->d->site_xpos + 3 * ctx->handle;
  double ax[2], ay[2];
  cabinet_axes(env, ctx, ax, ay);
  dg_arm_eef_pos(&env->arm, env->d, obs);
  dg_arm_eef_vel(&env->arm, env->m, env->d, obs + 3);
  dg_arm_gripper(&env->arm, env->d, obs + 6, obs + 7);
  for (int i = 0; i < 3; i++) {
    obs[8 + i] = h[i];
    obs[11 + i] = h[i] - obs[i];
  }
  obs[14] = env->d->qpos[ctx->qadr];
  obs[15] = env->d->qvel[ctx->dadr];
  obs[16] = -ax[0];
  obs[17] = -ax[1];
}

static double drawer_reward(const dg_env* env, const void* vctx) {
  const drawer_ctx* ctx = vctx;
  double eef[3], hook[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  hook_point(env, ctx, hook);
  double frac = env->d->qpos[ctx->qadr] / DRAWER_TRAVEL;
  return 2.0 * frac - fmin(dg_dist3(eef, hook), 0.5);
}

static int drawer_success(const dg_env* env, const void* vctx) {
  const drawer_ctx* ctx = vctx;
  return env->d->qpos[ctx->qadr] >= DRAWER_SUCCESS_FRAC * DRAWER_TRAVEL;
}

// --- the scripted expert ----------------------------------------------------------------------

static void drawer_expert_act(void* expert, const dg_env* env, const void* vctx, const double* obs,
                              double* action) {
  const drawer_ctx* ctx = vctx;
  const mjData* d = env->d;
  double ax[2], ay[2], eef[3], opening;
  cabinet_axes(env, ctx, ax, ay);
  dg_arm_eef_pos(&env->arm, d, eef);
  dg_arm_gripper(&env->arm, d, &opening, NULL);
  const double* bar = d->site_xpos + 3 * ctx->handle;
  const double* cab = d->mocap_pos + 3 * ctx->mocap;

  // the grip point relative to the bar, in the cabinet's frame
  double rx = eef[0] - bar[0], ry = eef[1] - bar[1];
  double out = -(rx * ax[0] + ry * ax[1]);
  double lat = rx * ay[0] + ry * ay[1];
  double up = eef[2] - bar[2];
  // ... and relative to the cabinet's front (positive: behind the front plane)
  double cx = eef[0] - cab[0], cy = eef[1] - cab[1];
  double depth = cx * ax[0] + cy * ax[1];
  double side = cx * ay[0] + cy * ay[1];

  // wanted displacement in the cabinet frame (d_out, d_lat) and vertically, in metres
  double d_out = 0, d_lat = 0, d_up = 0;
  int in_column = out > COL_OUT_LO && out < COL_OUT_HI && fabs(lat) < COL_LAT;
  if (in_column && up < HOOKED_UP) {
    // hooked: pull along the drawer's axis, keeping the grip point level and centred
    double open = d->qpos[ctx->qadr];
    d_out = open < DRAWER_TRAVEL - 0.01 ? DG_ARM_MAX_STEP / EXPERT_GAIN : 0.0;
    d_lat = -lat;
    d_up = -up;
  } else if (in_column) {
    // above the gap: line up, then descend once the fingers are closed
    d_out = HOOK_OUT - out;
    d_lat = -lat;
    int aligned = fabs(HOOK_OUT - out) < ALIGNED && fabs(lat) < ALIGNED;
    d_up = aligned && opening < CLOSED_ENOUGH ? -up : 0.0;
  } else if (depth > -0.005 && fabs(side) < DRAWER_HALF_WIDTH + 0.01 &&
             eef[2] < DRAWER_TOP + 0.01) {
    // under the cabinet's top (inside the open drawer): back out along the axis first
    d_out = 2 * DG_ARM_MAX_STEP;
  } else {
    // elsewhere: rise to a height that clears what lies between here and the gap, then travel
    double safe = out < FACE_OUT ? OVER_SAFE_UP : FRONT_SAFE_UP;
    if (up < safe - 0.01) {
      d_up = safe - up + 0.01;
    } else {
      d_out = HOOK_OUT - out;
      d_lat = -lat;
      d_up = safe - up;
    }
  }

  // back to the table frame: out is -x of the cabinet, lat is its y
  double goal[3];
  goal[0] = -d_out * ax[0] + d_lat * ay[0];
  goal[1] = -d_out * ax[1] + d_lat * ay[1];
  goal[2] = d_up;
  double zero[3] = {0, 0, 0};
  dg_arm_toward(action, zero, goal, EXPERT_GAIN, 1.0);
  action[3] = 1.0;
}

const dg_task dg_task_drawer = {
    .id = "Drawer-v0",
    .xml = "drawer.xml",
    .summary = "pull a drawer open by its handle (success: open at least 80% of its travel)",
    .version = 1,
    .frame_skip = 25,
    .max_episode_steps = 150,
    .camera = "drawer",
    .nkeys = 8,
    .keys = {{"eef_pos", 3},
             {"eef_vel", 3},
             {"gripper", 2},
             {"handle_pos", 3},
             {"handle_rel", 3},
             {"drawer_qpos", 1},
             {"drawer_qvel", 1},
             {"drawer_axis", 2}},
    .ctx_size = sizeof(drawer_ctx),
    .init = drawer_init,
    .reset = drawer_reset,
    .observe = drawer_observe,
    .reward = drawer_reward,
    .success = drawer_success,
    .failure = NULL,
    .expert_size = 0,
    .expert_reset = NULL,
    .expert_act = drawer_expert_act,
};
