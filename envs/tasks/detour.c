// detour.c: Detour-v0, carry a cube around a wall to a target pad; a deliberately multimodal task
// whose scripted expert goes round the wall on the left or on the right, chosen per episode.
//
// Scene (detour.xml): a wall 0.08 m deep (x), 0.18 m wide (y) and 0.15 m tall stands between a
// 4 cm cube (0.1 kg) and a target pad. The layout lies on a line parallel to x at y0, so the two
// ways round the wall are mirror images of each other, equally long.
// Reset: the arm at its home pose with each joint jittered by up to 0.05 rad; y0 uniform in
// [-0.06, 0.06]; the wall's centre at x [0.46, 0.48], y = y0; the cube at x [0.28, 0.32],
// y = y0, yaw [-0.25, 0.25] rad, on the table; the target pad at x [0.62, 0.66], y = y0 (metres,
// table frame). Cube, wall and target share y0 exactly, so no start favours a side.
// Observation: eef_pos (3), eef_vel (3), gripper (opening m, opening speed m/s), cube_pos (3),
// cube_rel = cube - eef (3), wall_pos (3, the wall's centre), wall_rel = wall - cube (3),
// target_pos (3), target_rel = target - cube (3). The expert's choice of side is not observed.
// Reward: minus the shortest distance in the table plane from the cube to the target around the
// wall (grown by the cube's half size and a margin), minus half the distance from the grip point
// to the cube (capped at 0.5), plus 0.25 while the cube is grasped.
// Success: the cube's centre within 3 cm of the target's centre in the table plane and below
// 3 cm (set down on the pad). Failure: anything (the cube, the fingers, the palm) touches the
// wall, or the cube has fallen off the table.
// Time limit: 200 steps (10 s at 20 Hz); the expert needs 65.5 on average, at most 69 (500 runs).
// Expert: grasp the cube (going over the wall first if the wall stands between the gripper and
// the cube), lift it to 6 cm, carry it at full speed in a straight line to the entry of the
// corridor on the chosen side (0.17 m off the wall's centre line, the cube's centre 1.8 cm
// before the wall's near face: the palm, 13 cm wide, hangs below the wall's top and passes the
// wall's corner with 1.5 cm to spare), along the corridor, then to the target, and set it
// down. Right after the lift the two sides' actions point diagonally in opposite directions;
// their mean drives the cube straight into the wall, and a policy that commits to a side a
// couple of steps late clips the wall's corner with the palm. The side is the episode's choice
// (from the policy's seed, 50/50) until the cube has committed to one: once the cube is beside
// the wall past its edge, the expert keeps to that side whatever its choice. Every phase is read
// from the state.
#include <math.h>
#include <stdio.h>

#include "demogym/rng.h"
#include "detour.h"
#include "env_internal.h"

#define WALL_HX      0.04   // wall half depth (x)
#define WALL_HY      0.09   // wall half width (y)
#define WALL_TOP     0.151  // height of the wall's top above the table
#define CUBE_H       0.02   // cube half size
#define CARRY_Z      0.06   // height of the cube's centre while carried
#define CORRIDOR     0.17   // lateral offset of the carry corridor from the wall's centre line
#define CORRIDOR_TOL 0.005  // lateral error accepted as "in the corridor"
#define ENTRY_BACK   0.018  // the corridor's entry: the cube's centre this far before the near face
#define FACE_CLEAR   0.05   // clearance of the cube's centre from the wall's faces in x
#define GRIP_REACH_X 0.025  // the open fingers' reach from the grip point, in x (with margin)
#define GRIP_REACH_Y 0.065  // ... and in y
#define OVER_WALL    0.06   // height of the grip point above the wall's top when going over it
#define PLACE_TOL    0.01   // horizontal error under which the cube is set down
#define SUCCESS_XY   0.03
#define SUCCESS_Z    0.03
#define ROUTE_MARGIN 0.035  // growth of the wall in the reward's route distance
#define EXPERT_GAIN  0.8

typedef struct detour_ctx {
  int wall;    // mocap index of the wall
  int target;  // mocap index of the target pad
  int cube;    // the cube's body
  int qadr;    // qpos address of the cube's free joint
  int geom;    // the wall's collision geom
} detour_ctx;

typedef struct detour_expert {
  int side;  // DG_DETOUR_LEFT or DG_DETOUR_RIGHT: this episode's choice
} detour_expert;

static int mocap_of(const mjModel* m, const char* name) {
  int body = mj_name2id(m, mjOBJ_BODY, name);
  return body < 0 ? -1 : m->body_mocapid[body];
}

static int detour_init(dg_env* env, void* vctx, char* err, int errsz) {
  detour_ctx* ctx = vctx;
  const mjModel* m = env->m;
  ctx->wall = mocap_of(m, "wall");
  ctx->target = mocap_of(m, "target");
  ctx->cube = mj_name2id(m, mjOBJ_BODY, "cube");
  ctx->geom = mj_name2id(m, mjOBJ_GEOM, "wall");
  int joint = mj_name2id(m, mjOBJ_JOINT, "cube");
  if (ctx->wall < 0 || ctx->target < 0 || ctx->cube < 0 || joint < 0 || ctx->geom < 0) {
    snprintf(err, errsz,
             "Detour-v0 model lacks the mocap bodies 'wall' and 'target', the geom 'wall' or "
             "the body and joint 'cube'");
    return -1;
  }
  ctx->qadr = m->jnt_qposadr[joint];
  return 0;
}

static void detour_reset(dg_env* env, void* vctx, dg_rng* rng) {
  detour_ctx* ctx = vctx;
  mjData* d = env->d;
  dg_arm_place(&env->arm, env->m, d, NULL, 0.05, rng);
  double y0 = dg_rng_range(rng, -0.06, 0.06);
  double* wall = d->mocap_pos + 3 * ctx->wall;
  wall[0] = dg_rng_range(rng, 0.46, 0.48);
  wall[1] = y0;
  wall[2] = WALL_TOP / 2 + 0.0005;
  double* q = d->qpos + ctx->qadr;
  double yaw = dg_rng_range(rng, -0.25, 0.25);
  q[0] = dg_rng_range(rng, 0.28, 0.32);
  q[1] = y0;
  q[2] = CUBE_H;
  q[3] = cos(0.5 * yaw), q[4] = 0, q[5] = 0, q[6] = sin(0.5 * yaw);
  double* target = d->mocap_pos + 3 * ctx->target;
  target[0] = dg_rng_range(rng, 0.62, 0.66);
  target[1] = y0;
  target[2] = 0.0005;
}

static const double* cube_of(const dg_env* env, const detour_ctx* ctx) {
  return env->d->xpos + 3 * ctx->cube;
}

static void detour_observe(const dg_env* env, const void* vctx, double* obs) {
  const detour_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  const double* w = env->d->mocap_pos + 3 * ctx->wall;
  const double* t = env->d->mocap_pos + 3 * ctx->target;
  dg_arm_eef_pos(&env->arm, env->d, obs);
  dg_arm_eef_vel(&env->arm, env->m, env->d, obs + 3);
  dg_arm_gripper(&env->arm, env->d, obs + 6, obs + 7);
  for (int i = 0; i < 3; i++) {
    obs[8 + i] = c[i];
    obs[11 + i] = c[i] - obs[i];
    obs[14 + i] = w[i];
    obs[17 + i] = w[i] - c[i];
    obs[20 + i] = t[i];
    obs[23 + i] = t[i] - c[i];
  }
}

// --- geometry in the table plane --------------------------------------------------------------

// an axis-aligned rectangle [x0, x1] x [y0, y1]
typedef struct rect {
  double x0, x1, y0, y1;
} rect;

static rect wall_rect(const double* w, double grow_x, double grow_y) {
  rect r = {w[0] - WALL_HX - grow_x, w[0] + WALL_HX + grow_x, w[1] - WALL_HY - grow_y,
            w[1] + WALL_HY + grow_y};
  return r;
}

static int rect_contains(const rect* r, const double* p) {
  return p[0] > r->x0 && p[0] < r->x1 && p[1] > r->y0 && p[1] < r->y1;
}

// 1 when the segment p-q runs through the rectangle's interior (touching its edges is not)
static int segment_crosses(const rect* r, const double* p, const double* q) {
  double t0 = 0, t1 = 1;
  double dp[2] = {q[0] - p[0], q[1] - p[1]};
  double lo[2] = {r->x0, r->y0}, hi[2] = {r->x1, r->y1};
  for (int i = 0; i < 2; i++) {
    if (fabs(dp[i]) < 1e-12) {
      if (p[i] <= lo[i] || p[i] >= hi[i]) return 0;
      continue;
    }
    double a = (lo[i] - p[i]) / dp[i], b = (hi[i] - p[i]) / dp[i];
    if (a > b) {
      double s = a;
      a = b, b = s;
    }
    if (a > t0) t0 = a;
    if (b < t1) t1 = b;
  }
  return t1 - t0 > 1e-9;
}

// the shortest distance from p to q in the plane around the rectangle: Dijkstra over p, q and
// the rectangle's corners (a point inside first goes to the nearest edge)
static double route_distance(const rect* r, const double* p_in, const double* q) {
  double p[2] = {p_in[0], p_in[1]}, lead = 0;
  if (rect_contains(r, p)) {
    double e[4] = {p[0] - r->x0, r->x1 - p[0], p[1] - r->y0, r->y1 - p[1]};
    int k = 0;
    for (int i = 1; i < 4; i++)
      if (e[i] < e[k]) k = i;
    lead = e[k];
    if (k == 0) p[0] = r->x0;
    if (k == 1) p[0] = r->x1;
    if (k == 2) p[1] = r->y0;
    if (k == 3) p[1] = r->y1;
  }
  double node[6][2] = {{p[0], p[1]},   {r->x0, r->y0}, {r->x1, r->y0},
                       {r->x1, r->y1}, {r->x0, r->y1}, {q[0], q[1]}};
  double dist[6];
  int done[6] = {0};
  for (int i = 0; i < 6; i++) dist[i] = HUGE_VAL;
  dist[0] = 0;
  for (int it = 0; it < 6; it++) {
    int u = -1;
    for (int i = 0; i < 6; i++)
      if (!done[i] && (u < 0 || dist[i] < dist[u])) u = i;
    done[u] = 1;
    if (u == 5) break;
    for (int v = 0; v < 6; v++) {
      if (done[v] || segment_crosses(r, node[u], node[v])) continue;
      double len = hypot(node[v][0] - node[u][0], node[v][1] - node[u][1]);
      if (dist[u] + len < dist[v]) dist[v] = dist[u] + len;
    }
  }
  return lead + dist[5];
}

static int cube_grasped(const dg_env* env, const detour_ctx* ctx) {
  return dg_arm_is_grasping(&env->arm, env->m, env->d, ctx->cube);
}

static double detour_reward(const dg_env* env, const void* vctx) {
  const detour_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  const double* w = env->d->mocap_pos + 3 * ctx->wall;
  const double* t = env->d->mocap_pos + 3 * ctx->target;
  double eef[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  rect r = wall_rect(w, ROUTE_MARGIN, ROUTE_MARGIN);
  double reward = -route_distance(&r, c, t) - 0.5 * fmin(dg_dist3(eef, c), 0.5);
  if (cube_grasped(env, ctx)) reward += 0.25;
  return reward;
}

static int detour_success(const dg_env* env, const void* vctx) {
  const detour_ctx* ctx = vctx;
  const double* c = cube_of(env, ctx);
  const double* t = env->d->mocap_pos + 3 * ctx->target;
  return dg_dist2(c, t) < SUCCESS_XY && c[2] < SUCCESS_Z;
}

int dg_detour_touching_wall(const dg_env* env) {
  const detour_ctx* ctx = env->ctx;
  for (int i = 0; i < env->d->ncon; i++)
    if (env->d->contact[i].geom1 == ctx->geom || env->d->contact[i].geom2 == ctx->geom) return 1;
  return 0;
}

static int detour_failure(const dg_env* env, const void* vctx) {
  return cube_of(env, vctx)[2] < -0.05 || dg_detour_touching_wall(env);
}

int dg_detour_passing_side(const dg_env* env) {
  const detour_ctx* ctx = env->ctx;
  const double* c = cube_of(env, ctx);
  const double* w = env->d->mocap_pos + 3 * ctx->wall;
  double dy = c[1] - w[1];
  if (fabs(c[0] - w[0]) > WALL_HX || fabs(dy) < WALL_HY) return 0;
  return dy > 0 ? DG_DETOUR_LEFT : DG_DETOUR_RIGHT;
}

// --- the scripted expert ----------------------------------------------------------------------

int dg_detour_choice(uint64_t seed) {
  dg_rng rng;
  dg_rng_seed(&rng, seed);
  return dg_rng_uniform(&rng) < 0.5 ? DG_DETOUR_LEFT : DG_DETOUR_RIGHT;
}

static void detour_expert_reset(void* vexpert, uint64_t seed) {
  detour_expert* expert = vexpert;
  expert->side = dg_detour_choice(seed);
}

// the grasp, going over the wall when it stands between the gripper and the cube: the open
// fingers stay above the wall's top while they could touch it, and descend only once clear
static void fetch_action(const dg_env* env, const detour_ctx* ctx, const double* eef,
                         double* action) {
  const double* c = cube_of(env, ctx);
  const double* w = env->d->mocap_pos + 3 * ctx->wall;
  rect reach = wall_rect(w, GRIP_REACH_X, GRIP_REACH_Y);
  if (rect_contains(&reach, c)) reach = wall_rect(w, 0.0, 0.0);  // a cube hugging the wall
  int over = rect_contains(&reach, eef), across = segment_crosses(&reach, eef, c);
  if (c[2] > WALL_TOP || (!over && !across)) {
    dg_arm_grasp_action(action, &env->arm, env->d, c, CUBE_H);
    return;
  }
  double high = WALL_TOP + OVER_WALL;
  double goal[3] = {c[0], c[1], high};
  if (eef[2] < high - 0.01) goal[0] = eef[0], goal[1] = eef[1];  // straight up first
  dg_arm_toward(action, eef, goal, EXPERT_GAIN, 1.0);
  action[3] = -1.0;
}

// the carry: lift, round the wall on `side` through its corridor, to the target, set down
static void carry_action(const dg_env* env, const detour_ctx* ctx, int side, double* action) {
  const double* c = cube_of(env, ctx);
  const double* w = env->d->mocap_pos + 3 * ctx->wall;
  const double* t = env->d->mocap_pos + 3 * ctx->target;
  double entry_x = w[0] - WALL_HX - ENTRY_BACK, far_x = w[0] + WALL_HX + FACE_CLEAR;
  double dy = c[1] - w[1];
  // the cube's side once it is past the wall's edge, else the episode's choice
  if (fabs(dy) > WALL_HY) side = dy > 0 ? DG_DETOUR_LEFT : DG_DETOUR_RIGHT;
  double lane = w[1] + side * CORRIDOR;

  double goal[3];  // where the cube's centre should go
  double gain = EXPERT_GAIN;
  rect body = wall_rect(w, CUBE_H + 0.015, CUBE_H + 0.015);
  int above_wall = rect_contains(&body, c) && c[2] > WALL_TOP;
  if (c[0] > far_x - 0.01) {
    // past the wall: to the target, then down onto it
    int over = dg_dist2(c, t) < PLACE_TOL;
    goal[0] = t[0], goal[1] = t[1], goal[2] = over ? CUBE_H - 0.005 : CARRY_Z;
  } else if (c[2] < CARRY_Z - 0.02 && !above_wall) {
    // just grasped: lift straight up
    goal[0] = c[0], goal[1] = c[1], goal[2] = CARRY_Z;
  } else if (side * (c[1] - lane) > -CORRIDOR_TOL) {
    // in the corridor: along it until clear of the far face
    goal[0] = far_x + 0.01, goal[1] = lane, goal[2] = CARRY_Z;
    gain = 4 * EXPERT_GAIN;  // full speed through the waypoint
  } else {
    // in front of the wall (or beside it, too close): straight, at full speed, to the
    // corridor's entry, where the palm's front reaches the wall's near face
    goal[0] = fmax(c[0], entry_x), goal[1] = lane, goal[2] = above_wall ? c[2] : CARRY_Z;
    gain = 4 * EXPERT_GAIN;
  }
  double d[3];
  dg_arm_toward(d, c, goal, gain, 1.0);
  action[0] = d[0], action[1] = d[1], action[2] = d[2];
  action[3] = 1.0;
}

static void detour_expert_act(void* vexpert, const dg_env* env, const void* vctx, const double* obs,
                              double* action) {
  const detour_expert* expert = vexpert;
  const detour_ctx* ctx = vctx;
  double eef[3];
  dg_arm_eef_pos(&env->arm, env->d, eef);
  if (cube_grasped(env, ctx)) {
    carry_action(env, ctx, expert->side, action);
  } else {
    fetch_action(env, ctx, eef, action);
  }
}

const dg_task dg_task_detour = {
    .id = "Detour-v0",
    .xml = "detour.xml",
    .summary = "carry a cube round a wall, left or right, onto a target pad (multimodal expert)",
    .version = 2,
    .frame_skip = 25,
    .max_episode_steps = 200,
    .camera = "detour",
    .nkeys = 9,
    .keys = {{"eef_pos", 3},
             {"eef_vel", 3},
             {"gripper", 2},
             {"cube_pos", 3},
             {"cube_rel", 3},
             {"wall_pos", 3},
             {"wall_rel", 3},
             {"target_pos", 3},
             {"target_rel", 3}},
    .ctx_size = sizeof(detour_ctx),
    .init = detour_init,
    .reset = detour_reset,
    .observe = detour_observe,
    .reward = detour_reward,
    .success = detour_success,
    .failure = detour_failure,
    .expert_size = sizeof(detour_expert),
    .expert_reset = detour_expert_reset,
    .expert_act = detour_expert_act,
};
