// arm.h: the shared arm and its end-effector controller (damped-least-squares differential IK).
//
// Action = (dx, dy, dz, grip) in [-1, 1]^4. (dx, dy, dz) scaled by DG_ARM_MAX_STEP is the wanted
// displacement of the grip site during one env step; the goal is kept inside the workspace box.
// The controller solves for a joint displacement dq with damped least squares on the grip site's
// 6 x 5 Jacobian (the position error plus the error from the fixed "pointing down"
// orientation) and sets each joint servo's target to the measured angle plus dq. Each joint's
// damping is its servo gain times the control period, so the offset settles into the velocity
// dq / dt: the arm moves by about the commanded displacement per step and holds still at zero
// action, without the windup of an integrating target. Gravity and Coriolis forces of the arm are
// compensated (qfrc_applied, recomputed from the state before every step, so the state vector
// need not hold it). Offsets are capped at DG_ARM_MAX_LEAD, which bounds the force the arm can
// exert when blocked. grip = -1 opens the fingers fully, +1 closes them; values between set
// the opening.
#ifndef DEMOGYM_ARM_H
#define DEMOGYM_ARM_H

#include <mujoco/mujoco.h>

#include "demogym/rng.h"

#define DG_ARM_NJOINT 5         // revolute joints of the arm
#define DG_ARM_ACT_DIM 4        // dx, dy, dz, grip
#define DG_ARM_MAX_STEP 0.02    // metres of end-effector motion per env step at |action| = 1
#define DG_ARM_MAX_LEAD 0.25    // radians a servo target may lead its joint
#define DG_ARM_DAMPING 0.05     // damping of the least-squares solve
#define DG_ARM_FINGER_OPEN 0.045  // finger travel from closed to fully open, per finger (m)
#define DG_ARM_PUSH_DONE 0.008    // dg_arm_push_action stops this close to its goal (m)

// Indices into the model, resolved once at init.
typedef struct dg_arm {
  int qadr[DG_ARM_NJOINT];   // qpos addresses of the arm joints
  int dadr[DG_ARM_NJOINT];   // dof addresses of the arm joints
  int act[DG_ARM_NJOINT];    // servo actuators of the arm joints
  double lo[DG_ARM_NJOINT];  // joint lower limits
  double hi[DG_ARM_NJOINT];  // joint upper limits
  int finger_qadr[2];        // qpos addresses of the left and right finger
  int finger_dadr[2];        // dof addresses of the fingers
  int finger_act[2];         // finger servo actuators
  int site;                  // the grip site (between the finger pads)
  int hand_body;             // the hand body
  int finger_body[2];        // the left and right finger bodies
  double ws_lo[3];           // workspace box of the grip site, lower corner
  double ws_hi[3];           // workspace box of the grip site, upper corner
  double* jacp;              // scratch: position Jacobian (3 x nv)
  double* jacr;              // scratch: rotation Jacobian (3 x nv)
} dg_arm;

// The joint angles of the home pose: grip site near (0.45, 0, 0.25), gripper pointing down.
extern const double dg_arm_home[DG_ARM_NJOINT];

// Resolve the arm's names in m; scratch must hold 6 * m->nv doubles and outlive the arm.
// Returns 0, or -1 with a message in err when a name is missing.
int dg_arm_init(dg_arm* arm, const mjModel* m, double* scratch, char* err, int errsz);

// Put the arm at q (DG_ARM_NJOINT angles, NULL: home) at rest, fingers open, servo targets
// matching; jitter > 0 adds uniform noise of that many radians to each joint from rng.
void dg_arm_place(const dg_arm* arm, const mjModel* m, mjData* d, const double* q, double jitter,
                  dg_rng* rng);

// Turn a clipped action into servo targets (d->ctrl); needs fresh kinematics in d.
void dg_arm_control(dg_arm* arm, const mjModel* m, mjData* d, const double* action);

// Write the grip site's position (3).
void dg_arm_eef_pos(const dg_arm* arm, const mjData* d, double* pos);

// Write the grip site's linear velocity in world coordinates (3).
void dg_arm_eef_vel(const dg_arm* arm, const mjModel* m, const mjData* d, double* vel);

// Write the gripper's opening (distance between the pads, m) and its rate of change (m/s).
void dg_arm_gripper(const dg_arm* arm, const mjData* d, double* opening, double* speed);

// Return 1 when geom g belongs to the left (side 0) or right (side 1) finger.
int dg_arm_is_finger_geom(const dg_arm* arm, const mjModel* m, int g, int side);

// Return 1 when a contact in d joins the left (side 0) or right (side 1) finger with body.
int dg_arm_finger_touches(const dg_arm* arm, const mjModel* m, const mjData* d, int body,
                          int side);

// Return 1 when both fingers press body with their inner faces (contact normals along the
// closing axis): the gripper holds it. A push with the fingertips is no grasp.
int dg_arm_is_grasping(const dg_arm* arm, const mjModel* m, const mjData* d, int body);

// Return 1 when any geom of the arm (links, hand or fingers) touches body.
int dg_arm_touches(const dg_arm* arm, const mjModel* m, const mjData* d, int body);

// Write into action (3) the displacement command that moves a point from `from` towards `to`:
// gain x the error in units of DG_ARM_MAX_STEP, scaled down as a whole (keeping its direction)
// so that no component exceeds limit (<= 1).
void dg_arm_toward(double* action, const double* from, const double* to, double gain,
                   double limit);

// Write the action (DG_ARM_ACT_DIM) that brings the open gripper around a free box of half size
// h centred at c, lying on a surface, and grasps it; a function of the state only, so it
// resumes from anywhere: rise clear of the box, go above it, open, descend, close; reopen and
// rise after a missed grasp. Once dg_arm_is_grasping holds, the task takes over.
void dg_arm_grasp_action(double* action, const dg_arm* arm, const mjData* d, const double* c,
                         double h);

// Write the action (DG_ARM_ACT_DIM) that pushes a box of half size h resting on the table
// (centre c) towards goal (xy) with the closed gripper, a function of the state only: behind the
// box on the line from the goal through it and at pushing height, push along that line and steer
// back onto it; otherwise rise clear of the box, travel to a point behind it and descend there.
// Holds still once the box is within DG_ARM_PUSH_DONE of the goal.
void dg_arm_push_action(double* action, const dg_arm* arm, const mjData* d, const double* c,
                        double h, const double* goal);

#endif  // DEMOGYM_ARM_H
