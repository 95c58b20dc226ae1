// perturb.h: helpers of the expert recovery tests: run an expert, edit the full simulation state
// (objects, gripper, arm) mid-episode through dg_env_get_state/set_state, and finish the episode.
#ifndef DEMOGYM_TEST_PERTURB_H
#define DEMOGYM_TEST_PERTURB_H

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"
#include "env_internal.h"

// Offsets of the parts of the state vector written by dg_env_get_state.
typedef struct state_layout {
  int qpos, qvel, ctrl, mocap_pos, mocap_quat;
} state_layout;

static inline state_layout layout_of(const dg_env* env) {
  const mjModel* m = env->m;
  state_layout l;
  l.qpos = 1;
  l.qvel = l.qpos + m->nq;
  l.ctrl = l.qvel + m->nv + m->na + m->nv;
  l.mocap_pos = l.ctrl + m->nu;
  l.mocap_quat = l.mocap_pos + 3 * m->nmocap;
  return l;
}

// Take up to k steps of policy from obs; return 1 when the episode ended (res holds the last
// result), 0 otherwise.
static inline int run_steps(dg_env* env, dg_policy* policy, double* obs, int k,
                            dg_step_result* res) {
  double action[DG_MAX_ACT_DIM];
  for (int i = 0; i < k; i++) {
    CHECK_OK(dg_policy_act(policy, obs, env, action));
    CHECK_OK(dg_env_step(env, action, obs, res));
    if (res->terminated || res->truncated) return 1;
  }
  return 0;
}

// Run policy to the end of the episode; return the success of its last state.
static inline int finish(dg_env* env, dg_policy* policy, double* obs) {
  dg_step_result res;
  while (!run_steps(env, policy, obs, 1000, &res)) {
  }
  return res.info.success;
}

// Return the deepest penetration (m, >= 0) among the current contacts.
static inline double deepest_contact(const dg_env* env) {
  double deepest = 0;
  for (int i = 0; i < env->d->ncon; i++)
    if (-env->d->contact[i].dist > deepest) deepest = -env->d->contact[i].dist;
  return deepest;
}

// Open the fingers by q (m each, at most DG_ARM_FINGER_OPEN) at rest, servo targets open.
static inline void open_fingers(const dg_env* env, double* state, double q) {
  state_layout l = layout_of(env);
  for (int s = 0; s < 2; s++) {
    state[l.qpos + env->arm.finger_qadr[s]] = q;
    state[l.qvel + env->arm.finger_dadr[s]] = 0;
    state[l.ctrl + env->arm.finger_act[s]] = DG_ARM_FINGER_OPEN;
  }
}

// Put the arm at rest at the home pose with each of its first four joints moved by up to
// `spread` radians (uniform, from rng), the wrist roll at home, servo targets matching.
static inline void displace_arm(const dg_env* env, double* state, double spread, dg_rng* rng) {
  state_layout l = layout_of(env);
  for (int j = 0; j < DG_ARM_NJOINT; j++) {
    double q = dg_arm_home[j] + (j < 4 ? dg_rng_range(rng, -spread, spread) : 0.0);
    if (q < env->arm.lo[j]) q = env->arm.lo[j];
    if (q > env->arm.hi[j]) q = env->arm.hi[j];
    state[l.qpos + env->arm.qadr[j]] = q;
    state[l.qvel + env->arm.dadr[j]] = 0;
    state[l.ctrl + env->arm.act[j]] = q;
  }
}

#endif  // DEMOGYM_TEST_PERTURB_H
