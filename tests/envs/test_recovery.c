// test_recovery.c: the scripted experts of Push-v0, PickPlace-v0 and Stack-v0 are state-based
// oracles: perturbed mid-episode (the cube moved elsewhere; the gripper opened while it carries
// the cube, or the pushed cube shoved sideways; the arm knocked to another pose; the cube knocked
// over), they still succeed in most episodes, because their phase comes from the state, not from
// a timeline.
#include <math.h>
#include <string.h>

#include "env_internal.h"
#include "helpers.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define SEEDS    8
#define MIN_RATE 0.75  // each perturbation, each task
#define MIN_MEAN 0.9   // over all perturbations of a task

enum { MOVE_CUBE, DROP_OR_SHOVE, DISPLACE_ARM, KNOCK_OVER, NPERTURB };
static const char* perturb_names[2][NPERTURB] = {
    {"cube moved", "cube shoved", "arm displaced", "cube knocked over"},
    {"cube moved", "gripper opened", "arm displaced", "cube knocked over"}};

typedef struct task_info {
  const char* id;
  const char* cube;   // the free joint the expert handles
  const char* other;  // a second cube to keep clear of (NULL if none)
  double half;        // the cube's half size
  int pick;           // 1: a pick task (perturb while carrying), 0: a push task
} task_info;

static const task_info tasks[] = {
    {"Push-v0", "cube", NULL, 0.02, 0},
    {"PickPlace-v0", "cube", NULL, 0.02, 1},
    {"Stack-v0", "cube_a", "cube_b", 0.02, 1},
};

// the moment to perturb: carrying the cube (pick tasks) or pushing it (push task), else a fixed
// step; returns 1 when reached
static int trigger(const dg_env* env, const task_info* t, int body, int kind, int step) {
  const double* c = env->d->xpos + 3 * body;
  if (kind == MOVE_CUBE || kind == KNOCK_OVER) return step == 12;
  if (t->pick) return dg_arm_is_grasping(&env->arm, env->m, env->d, body) && c[2] > 0.06;
  return step == 25;
}

// perturb the state vector s of env (layout of dg_env_get_state) with rng
static void perturb(const dg_env* env, const task_info* t, int kind, double* s, dg_rng* rng) {
  const mjModel* m = env->m;
  double* qpos = s + 1;
  double* qvel = s + 1 + m->nq;
  int j = mj_name2id(m, mjOBJ_JOINT, t->cube);
  double* q = qpos + m->jnt_qposadr[j];
  double* v = qvel + m->jnt_dofadr[j];
  const double* other = NULL;
  if (t->other) other = qpos + m->jnt_qposadr[mj_name2id(m, mjOBJ_JOINT, t->other)];
  switch (kind) {
    case MOVE_CUBE:
    case KNOCK_OVER: {
      // somewhere else on the table (clear of the other cube), either resting or standing on an
      // edge, tilted by 20 to 40 degrees, so that it topples
      for (int tries = 0; tries < 100; tries++) {
        q[0] = dg_rng_range(rng, 0.32, 0.58);
        q[1] = dg_rng_range(rng, -0.18, 0.18);
        if (!other || hypot(q[0] - other[0], q[1] - other[1]) > 0.1) break;
      }
      double yaw = dg_rng_range(rng, -M_PI, M_PI);
      double tilt = kind == KNOCK_OVER ? dg_rng_range(rng, 0.35, 0.7) : 0;
      double qy[4] = {cos(yaw / 2), 0, 0, sin(yaw / 2)},
             qt[4] = {cos(tilt / 2), sin(tilt / 2), 0, 0};
      mju_mulQuat(q + 3, qy, qt);
      q[2] = t->half * (cos(tilt) + sin(tilt)) + 0.0002;  // the lowest edge on the table
      for (int i = 0; i < 6; i++) v[i] = 0;
      break;
    }
    case DROP_OR_SHOVE:
      if (!t->pick) {
        // the pushed cube shoved sideways at 0.4 m/s
        double dir = dg_rng_range(rng, -M_PI, M_PI);
        v[0] = 0.4 * cos(dir), v[1] = 0.4 * sin(dir);
        break;
      }
      // the fingers spring open and the carried cube drops
      for (int side = 0; side < 2; side++) {
        qpos[env->arm.finger_qadr[side]] = DG_ARM_FINGER_OPEN;
        qvel[env->arm.finger_dadr[side]] = 0;
      }
      break;
    case DISPLACE_ARM:
      // every arm joint knocked by up to 0.3 rad, at rest (see displace_arm)
      for (int k = 0; k < DG_ARM_NJOINT; k++) {
        double x = qpos[env->arm.qadr[k]] + dg_rng_range(rng, -0.3, 0.3);
        qpos[env->arm.qadr[k]] = dg_clamp(x, env->arm.lo[k], env->arm.hi[k]);
        qvel[env->arm.dadr[k]] = 0;
      }
      break;
  }
}

// the deepest penetration of any contact in env's current state (m, >= 0)
static double deepest_contact(const dg_env* env) {
  double deepest = 0;
  for (int i = 0; i < env->d->ncon; i++)
    if (-env->d->contact[i].dist > deepest) deepest = -env->d->contact[i].dist;
  return deepest;
}

// knock the arm to a random pose that a real knock could reach: the grip site at least 5 cm
// above the table and nothing driven into anything; redrawn until so. Sets the state.
static void displace_arm(dg_env* env, const task_info* t, const double* s, double* obs,
                         dg_rng* rng) {
  int n = dg_env_state_dim(env);
  double* trial = malloc(sizeof(double) * n);
  for (int tries = 0; tries < 100; tries++) {
    memcpy(trial, s, sizeof(double) * n);
    perturb(env, t, DISPLACE_ARM, trial, rng);
    CHECK_OK(dg_env_set_state(env, trial, obs));
    if (obs[2] > 0.05 && deepest_contact(env) < 0.002) break;
  }
  free(trial);
}

// run one perturbed episode; return 1 on success
static int run_one(dg_env* env, dg_policy* expert, const task_info* t, int kind, uint64_t seed,
                   int* perturbed) {
  int body = env->m->jnt_bodyid[mj_name2id(env->m, mjOBJ_JOINT, t->cube)];
  double obs[256], a[4];
  double* s = malloc(sizeof(double) * dg_env_state_dim(env));
  dg_rng rng;
  dg_rng_seed(&rng, seed ^ 0xabcdef);
  CHECK_OK(dg_policy_reset(expert, seed));
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  *perturbed = 0;
  dg_step_result r = {0};
  for (int step = 0;; step++) {
    if (!*perturbed && trigger(env, t, body, kind, step)) {
      CHECK_OK(dg_env_get_state(env, s));
      if (kind == DISPLACE_ARM) {
        displace_arm(env, t, s, obs, &rng);
      } else {
        perturb(env, t, kind, s, &rng);
        CHECK_OK(dg_env_set_state(env, s, obs));
      }
      *perturbed = 1;
    }
    CHECK_OK(dg_policy_act(expert, obs, env, a));
    CHECK_OK(dg_env_step(env, a, obs, &r));
    if (r.terminated || r.truncated) break;
  }
  free(s);
  return r.info.success;
}

int main(void) {
  dg_env_options opt;
  dg_env_options_default(&opt);
  opt.max_episode_steps = 300;  // room for the detour a perturbation causes
  for (int ti = 0; ti < (int)(sizeof(tasks) / sizeof(tasks[0])); ti++) {
    const task_info* t = &tasks[ti];
    dg_env* env;
    dg_policy* expert;
    CHECK_OK(dg_env_make(t->id, &opt, &env));
    CHECK_OK(dg_policy_make_expert(t->id, &expert));
    double sum = 0;
    for (int kind = 0; kind < NPERTURB; kind++) {
      int ok = 0, hit = 0;
      for (uint64_t seed = 0; seed < SEEDS; seed++) {
        int perturbed;
        int success = run_one(env, expert, t, kind, 1000 + seed, &perturbed);
        if (!success)
          fprintf(stderr, "  %s, %s: seed %d failed\n", t->id, perturb_names[t->pick][kind],
                  1000 + (int)seed);
        ok += success;
        hit += perturbed;
      }
      double rate = (double)ok / SEEDS;
      printf("%-13s %-18s %2d/%d recovered (%d perturbed)\n", t->id, perturb_names[t->pick][kind],
             ok, SEEDS, hit);
      CHECK_MSG(hit == SEEDS, "%s: the perturbation '%s' was reached in only %d of %d episodes",
                t->id, perturb_names[t->pick][kind], hit, SEEDS);
      CHECK_MSG(rate >= MIN_RATE, "%s: recovered from '%s' in only %d of %d episodes", t->id,
                perturb_names[t->pick][kind], ok, SEEDS);
      sum += rate;
    }
    CHECK_MSG(sum / NPERTURB >= MIN_MEAN, "%s: mean recovery rate %.2f", t->id, sum / NPERTURB);
    dg_policy_close(&expert);
    dg_env_close(&env);
  }
  printf("recovery: ok\n");
  return 0;
}
