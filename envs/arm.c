// arm.c: the shared arm: name lookup, placement, and the damped-least-squares IK controller.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arm.h"

const double dg_arm_home[DG_ARM_NJOINT] = {0.0, 0.276, 1.972, 0.894, 0.0};

static const char* joint_names[DG_ARM_NJOINT] = {"j1", "j2", "j3", "j4", "j5"};
static const char* act_names[DG_ARM_NJOINT] = {"a1", "a2", "a3", "a4", "a5"};

// the grip site's wanted orientation, columns of the rotation matrix: the hand's x axis points to
// world -x, its y axis (the fingers' closing direction) to world +y, its z axis (the tool) down
static const double R_DOWN[3][3] = {{-1, 0, 0}, {0, 1, 0}, {0, 0, -1}};  // [column][row]

static const double WS_LO[3] = {0.20, -0.32, 0.022};
static const double WS_HI[3] = {0.72, 0.32, 0.45};

static double dg_arm_clamp(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

static int lookup(const mjModel* m, int type, const char* name, char* err, int errsz) {
  int id = mj_name2id(m, type, name);
  if (id < 0) snprintf(err, errsz, "arm model has no element named '%s'", name);
  return id;
}

int dg_arm_init(dg_arm* arm, const mjModel* m, double* scratch, char* err, int errsz) {
  memset(arm, 0, sizeof(*arm));
  for (int j = 0; j < DG_ARM_NJOINT; j++) {
    int jid = lookup(m, mjOBJ_JOINT, joint_names[j], err, errsz);
    int aid = lookup(m, mjOBJ_ACTUATOR, act_names[j], err, errsz);
    if (jid < 0 || aid < 0) return -1;
    arm->qadr[j] = m->jnt_qposadr[jid];
    arm->dadr[j] = m->jnt_dofadr[jid];
    arm->act[j] = aid;
    arm->lo[j] = m->jnt_range[2 * jid];
    arm->hi[j] = m->jnt_range[2 * jid + 1];
  }
  const char* fj[2] = {"finger_l", "finger_r"};
  const char* fa[2] = {"grip_l", "grip_r"};
  for (int s = 0; s < 2; s++) {
    int jid = lookup(m, mjOBJ_JOINT, fj[s], err, errsz);
    int aid = lookup(m, mjOBJ_ACTUATOR, fa[s], err, errsz);
    int bid = lookup(m, mjOBJ_BODY, fj[s], err, errsz);
    if (jid < 0 || aid < 0 || bid < 0) return -1;
    arm->finger_qadr[s] = m->jnt_qposadr[jid];
    arm->finger_dadr[s] = m->jnt_dofadr[jid];
    arm->finger_act[s] = aid;
    arm->finger_body[s] = bid;
  }
  arm->site = lookup(m, mjOBJ_SITE, "grip", err, errsz);
  arm->hand_body = lookup(m, mjOBJ_BODY, "hand", err, errsz);
  if (arm->site < 0 || arm->hand_body < 0) return -1;
  memcpy(arm->ws_lo, WS_LO, sizeof(WS_LO));
  memcpy(arm->ws_hi, WS_HI, sizeof(WS_HI));
  arm->jacp = scratch;
  arm->jacr = scratch + 3 * m->nv;
  return 0;
}

void dg_arm_place(const dg_arm* arm, const mjModel* m, mjData* d, const double* q, double jitter,
                  dg_rng* rng) {
  if (!q) q = dg_arm_home;
  for (int j = 0; j < DG_ARM_NJOINT; j++) {
    double qj = q[j];
    if (jitter > 0) qj += dg_rng_range(rng, -jitter, jitter);
    if (qj < arm->lo[j]) qj = arm->lo[j];
    if (qj > arm->hi[j]) qj = arm->hi[j];
    d->qpos[arm->qadr[j]] = qj;
    d->qvel[arm->dadr[j]] = 0;
    d->ctrl[arm->act[j]] = qj;
  }
  for (int s = 0; s < 2; s++) {
    d->qpos[arm->finger_qadr[s]] = DG_ARM_FINGER_OPEN;
    d->qvel[arm->finger_dadr[s]] = 0;
    d->ctrl[arm->finger_act[s]] = DG_ARM_FINGER_OPEN;
  }
}

void dg_arm_control(dg_arm* arm, const mjModel* m, mjData* d, const double* action) {
  const int n = DG_ARM_NJOINT, nv = m->nv;
  const double* x = d->site_xpos + 3 * arm->site;
  const double* R = d->site_xmat + 9 * arm->site;  // row-major

  // error: position goal inside the workspace, then orientation towards pointing down
  double e[6];
  for (int i = 0; i < 3; i++) {
    double goal = x[i] + action[i] * DG_ARM_MAX_STEP;
    if (goal < arm->ws_lo[i]) goal = arm->ws_lo[i];
    if (goal > arm->ws_hi[i]) goal = arm->ws_hi[i];
    e[i] = goal - x[i];
  }
  double er[3] = {0, 0, 0};
  for (int c = 0; c < 3; c++) {
    double col[3] = {R[c], R[3 + c], R[6 + c]}, cross[3];
    mju_cross(cross, col, R_DOWN[c]);
    for (int i = 0; i < 3; i++) er[i] += 0.5 * cross[i];
  }
  double ern = mju_norm3(er);
  if (ern > 0.2) mju_scl3(er, er, 0.2 / ern);
  mju_copy3(e + 3, er);

  // Jacobian of the grip site restricted to the arm's joints: J (6 x n)
  mj_jacSite(m, d, arm->jacp, arm->jacr, arm->site);
  double J[6][DG_ARM_NJOINT];
  for (int j = 0; j < n; j++) {
    int c = arm->dadr[j];
    for (int i = 0; i < 3; i++) {
      J[i][j] = arm->jacp[i * nv + c];
      J[3 + i][j] = arm->jacr[i * nv + c];
    }
  }

  // damped least squares: (J'J + lambda^2 I) dq = J'e
  double A[DG_ARM_NJOINT * DG_ARM_NJOINT], b[DG_ARM_NJOINT], dq[DG_ARM_NJOINT];
  for (int r = 0; r < n; r++) {
    b[r] = 0;
    for (int i = 0; i < 6; i++) b[r] += J[i][r] * e[i];
    for (int c = 0; c < n; c++) {
      double s = 0;
      for (int i = 0; i < 6; i++) s += J[i][r] * J[i][c];
      A[r * n + c] = s + (r == c ? DG_ARM_DAMPING * DG_ARM_DAMPING : 0);
    }
  }
  mju_cholFactor(A, n, 1e-10);
  mju_cholSolve(dq, A, b, n);

  // servo targets: the measured angles plus the displacement, within the limits; the joints'
  // damping is kp x dt, so a servo offset of dq settles into a velocity of dq / dt
  for (int j = 0; j < n; j++) {
    double q = d->qpos[arm->qadr[j]];
    double step = dg_arm_clamp(dq[j], -DG_ARM_MAX_LEAD, DG_ARM_MAX_LEAD);
    d->ctrl[arm->act[j]] = dg_arm_clamp(q + step, arm->lo[j], arm->hi[j]);
  }

  // gravity (and Coriolis) compensation for the arm and fingers, from this step's state
  for (int j = 0; j < n; j++) d->qfrc_applied[arm->dadr[j]] = d->qfrc_bias[arm->dadr[j]];
  for (int s = 0; s < 2; s++)
    d->qfrc_applied[arm->finger_dadr[s]] = d->qfrc_bias[arm->finger_dadr[s]];

  // fingers: -1 fully open, +1 closed
  double target = DG_ARM_FINGER_OPEN * 0.5 * (1.0 - action[3]);
  d->ctrl[arm->finger_act[0]] = target;
  d->ctrl[arm->finger_act[1]] = target;
}

void dg_arm_eef_pos(const dg_arm* arm, const mjData* d, double* pos) {
  mju_copy3(pos, d->site_xpos + 3 * arm->site);
}

void dg_arm_eef_vel(const dg_arm* arm, const mjModel* m, const mjData* d, double* vel) {
  double v[6];
  mj_objectVelocity(m, d, mjOBJ_SITE, arm->site, v, 0);
  mju_copy3(vel, v + 3);
}

void dg_arm_gripper(const dg_arm* arm, const mjData* d, double* opening, double* speed) {
  double o = d->qpos[arm->finger_qadr[0]] + d->qpos[arm->finger_qadr[1]] - 0.002;
  if (opening) *opening = o > 0 ? o : 0;
  if (speed) *speed = d->qvel[arm->finger_dadr[0]] + d->qvel[arm->finger_dadr[1]];
}

int dg_arm_is_finger_geom(const dg_arm* arm, const mjModel* m, int g, int side) {
  return m->geom_bodyid[g] == arm->finger_body[side];
}

int dg_arm_finger_touches(const dg_arm* arm, const mjModel* m, const mjData* d, int body,
                          int side) {
  for (int i = 0; i < d->ncon; i++) {
    int g1 = d->contact[i].geom1, g2 = d->contact[i].geom2;
    if ((m->geom_bodyid[g1] == body && dg_arm_is_finger_geom(arm, m, g2, side)) ||
        (m->geom_bodyid[g2] == body && dg_arm_is_finger_geom(arm, m, g1, side)))
      return 1;
  }
  return 0;
}

// 1 when a finger presses body with its inner face: a contact whose normal runs along the
// fingers' closing axis (the hand's y axis), not a push with the fingertip or the finger's edge
static int finger_squeezes(const dg_arm* arm, const mjModel* m, const mjData* d, int body,
                           int side) {
  const double* R = d->xmat + 9 * arm->hand_body;
  double axis[3] = {R[1], R[4], R[7]};
  for (int i = 0; i < d->ncon; i++) {
    int g1 = d->contact[i].geom1, g2 = d->contact[i].geom2;
    if (((m->geom_bodyid[g1] == body && dg_arm_is_finger_geom(arm, m, g2, side)) ||
         (m->geom_bodyid[g2] == body && dg_arm_is_finger_geom(arm, m, g1, side))) &&
        fabs(mju_dot3(d->contact[i].frame, axis)) > 0.7)
      return 1;
  }
  return 0;
}

int dg_arm_is_grasping(const dg_arm* arm, const mjModel* m, const mjData* d, int body) {
  return finger_squeezes(arm, m, d, body, 0) && finger_squeezes(arm, m, d, body, 1);
}

int dg_arm_touches(const dg_arm* arm, const mjModel* m, const mjData* d, int body) {
  int root = m->body_rootid[arm->hand_body];
  for (int i = 0; i < d->ncon; i++) {
    int b1 = m->geom_bodyid[d->contact[i].geom1], b2 = m->geom_bodyid[d->contact[i].geom2];
    if ((b1 == body && m->body_rootid[b2] == root) || (b2 == body && m->body_rootid[b1] == root))
      return 1;
  }
  return 0;
}

void dg_arm_toward(double* action, const double* from, const double* to, double gain,
                   double limit) {
  double big = 0;
  for (int i = 0; i < 3; i++) {
    action[i] = gain * (to[i] - from[i]) / DG_ARM_MAX_STEP;
    if (fabs(action[i]) > big) big = fabs(action[i]);
  }
  if (big > limit)
    for (int i = 0; i < 3; i++) action[i] *= limit / big;
}

// the grasp approach: heights relative to the box, in metres (the pads reach 2 cm below the
// grip site)
#define GRASP_ALIGNED 0.01   // horizontal error below which the gripper descends onto the box
#define GRASP_LOW_SLACK 0.015  // ... and at which, already low, it still closes around it
#define GRASP_CLEAR 0.025    // grip site height above the box top under which the pads are low
#define GRASP_HOVER 0.045    // grip site height above the box top before the descent
#define GRASP_MARGIN 0.006   // height error accepted as "at grasp height"

void dg_arm_grasp_action(double* action, const dg_arm* arm, const mjData* d, const double* c,
                         double h) {
  double e[3], opening;
  dg_arm_eef_pos(arm, d, e);
  dg_arm_gripper(arm, d, &opening, NULL);
  double exy = hypot(c[0] - e[0], c[1] - e[1]);
  double top = c[2] + h;
  double grasp_z = fmax(c[2] + 0.3 * h, arm->ws_lo[2]);
  double goal[3] = {c[0], c[1], top + GRASP_HOVER};
  double grip = -1.0;
  int low = e[2] < top + GRASP_CLEAR;
  int open = opening > 2 * h + 0.02;  // wide enough for the box at any yaw
  if (!low) {
    // above the box: line up, open, then descend
    if (exy < GRASP_ALIGNED && open) goal[2] = grasp_z;
  } else if (exy > GRASP_LOW_SLACK) {
    // low but off the box: rise straight up before moving across
    goal[0] = e[0], goal[1] = e[1];
  } else if (e[2] > grasp_z + GRASP_MARGIN) {
    // around the box's top: keep descending once the fingers are open, else open in place
    goal[2] = open ? grasp_z : e[2];
  } else if (opening < 2 * h - 0.008) {
    // closed narrower than the box, so not around it: a missed grasp; reopen and rise to retry
    goal[0] = e[0], goal[1] = e[1];
  } else {
    // at grasp height around the box: close
    goal[2] = grasp_z;
    grip = 1.0;
  }
  dg_arm_toward(action, e, goal, 0.8, 1.0);
  action[3] = grip;
}

// the push: grip site heights and horizontal offsets from the box's centre, beyond its half size
#define PUSH_Z 0.005         // grip site height above the box's centre while pushing
#define PUSH_SAFE_Z 0.05     // grip site height above the box's top while travelling
#define PUSH_STANDOFF 0.035  // where the descent behind the box ends
#define PUSH_BEHIND 0.005    // the pusher is behind the box when further back than this
#define PUSH_LATERAL 0.016   // largest offset from the push line while pushing
#define PUSH_NEAR 0.10       // closer than this, a low gripper rises before moving across

void dg_arm_push_action(double* action, const dg_arm* arm, const mjData* d, const double* c,
                        double h, const double* goal) {
  double e[3];
  dg_arm_eef_pos(arm, d, e);
  action[3] = 1.0;  // closed: the fingers make a compact pusher
  double dg[2] = {goal[0] - c[0], goal[1] - c[1]};
  double dist = hypot(dg[0], dg[1]);
  if (dist < DG_ARM_PUSH_DONE) {  // there: hold still
    action[0] = action[1] = action[2] = 0;
    return;
  }
  // the push line runs from the goal through the box; along < 0 is behind the box
  double u[2] = {dg[0] / dist, dg[1] / dist}, perp[2] = {-u[1], u[0]};
  double q[2] = {e[0] - c[0], e[1] - c[1]};
  double along = q[0] * u[0] + q[1] * u[1], lat = q[0] * perp[0] + q[1] * perp[1];
  double push_z = fmax(c[2] + PUSH_Z, arm->ws_lo[2]), safe_z = c[2] + h + PUSH_SAFE_Z;
  int low = e[2] < push_z + 0.015;
  int on_line = fabs(lat) < PUSH_LATERAL;
  if (low && on_line && along < -(h + PUSH_BEHIND)) {
    // push: along the line, slowing near the goal, steering back onto the line
    double speed = dg_arm_clamp(0.8 * dist / DG_ARM_MAX_STEP, 0.15, 0.6);
    for (int i = 0; i < 2; i++) action[i] = u[i] * speed - perp[i] * lat / DG_ARM_MAX_STEP;
    action[2] = dg_arm_clamp(0.8 * (push_z - e[2]) / DG_ARM_MAX_STEP, -1, 1);
    return;
  }
  double standoff = h + PUSH_STANDOFF;
  double w[3] = {c[0] - u[0] * standoff, c[1] - u[1] * standoff, safe_z};
  if (on_line && along < -(standoff - 0.01)) {
    w[2] = push_z;  // behind the box: descend to pushing height
  } else if (e[2] < safe_z - 0.01 && hypot(q[0], q[1]) < h + PUSH_NEAR) {
    w[0] = e[0], w[1] = e[1];  // low beside the box: rise before moving across
  }
  dg_arm_toward(action, e, w, 0.8, 1.0);
}
