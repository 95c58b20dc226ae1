// cube_checks.h: checks shared by the tests of the cube tasks (Push-v0, PickPlace-v0, Stack-v0):
// the expert's success rate with and without exploration noise, its state-based behaviour, and
// helpers that read observation keys and pose the cubes through the state vector.
#ifndef DEMOGYM_TEST_CUBE_CHECKS_H
#define DEMOGYM_TEST_CUBE_CHECKS_H

#include <math.h>
#include <string.h>

#include <mujoco/mujoco.h>

#include "helpers.h"

// Return the offset of observation key name in env's vector (fails the test if absent).
static inline int obs_offset(const dg_env* env, const char* name) {
  for (int k = 0; k < dg_env_obs_key_count(env); k++)
    if (strcmp(dg_env_obs_key(env, k)->name, name) == 0) return dg_env_obs_key(env, k)->offset;
  CHECK_MSG(0, "%s has no observation key %s", dg_env_id(env), name);
  return -1;
}

// Return a pointer to the qpos of free joint `joint` inside a state vector of env.
static inline double* state_qpos(const dg_env* env, double* state, const char* joint) {
  const mjModel* m = dg_env_mj_model(env);
  int j = mj_name2id(m, mjOBJ_JOINT, joint);
  CHECK_MSG(j >= 0, "%s has no joint %s", dg_env_id(env), joint);
  return state + 1 + m->jnt_qposadr[j];
}

// Return a pointer to the qvel of free joint `joint` inside a state vector of env.
static inline double* state_qvel(const dg_env* env, double* state, const char* joint) {
  const mjModel* m = dg_env_mj_model(env);
  int j = mj_name2id(m, mjOBJ_JOINT, joint);
  return state + 1 + m->nq + m->jnt_dofadr[j];
}

// Write a cube pose into a state vector: centre (x, y, z), upright, at rest.
static inline void state_put_cube(const dg_env* env, double* state, const char* joint, double x,
                                  double y, double z) {
  double* q = state_qpos(env, state, joint);
  double* v = state_qvel(env, state, joint);
  q[0] = x, q[1] = y, q[2] = z, q[3] = 1, q[4] = q[5] = q[6] = 0;
  for (int i = 0; i < 6; i++) v[i] = 0;
}

// Run the expert of id (wrapped with exploration noise when noise or epsilon > 0) for `episodes`
// seeded episodes; return the summary and print it.
static inline dg_rollout_summary expert_rate(const char* id, int episodes, uint64_t seed,
                                             double noise, double epsilon) {
  dg_env* env;
  dg_policy* policy;
  CHECK_OK(dg_env_make(id, NULL, &env));
  CHECK_OK(dg_policy_make_expert(id, &policy));
  if (noise > 0 || epsilon > 0) {
    dg_policy* noisy;
    CHECK_OK(dg_policy_make_noisy(policy, noise, epsilon, &noisy));
    policy = noisy;
  }
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = episodes;
  o.seed = seed;
  dg_rollout_summary sum;
  CHECK_OK(dg_rollout_run(env, policy, &o, NULL, &sum));
  printf("%s expert (noise %.2f, epsilon %.2f): %d/%d successes, mean length %.1f of %d\n", id,
         noise, epsilon, sum.successes, sum.episodes, sum.mean_length,
         dg_env_max_episode_steps(env));
  dg_policy_close(&policy);
  dg_env_close(&env);
  return sum;
}

// The expert's action is a function of the state: an env that wandered off the expert's path
// and a second env set to the same state get the same action, and asking twice changes nothing.
static inline void check_state_based(const char* id) {
  dg_env *a, *b;
  dg_policy* expert;
  CHECK_OK(dg_env_make(id, NULL, &a));
  CHECK_OK(dg_env_make(id, NULL, &b));
  CHECK_OK(dg_policy_make_expert(id, &expert));
  int n = dg_env_state_dim(a), od = dg_env_obs_dim(a);
  double* state = malloc(sizeof(double) * n);
  double *oa = malloc(sizeof(double) * od), *ob = malloc(sizeof(double) * od);
  double act_a[4], act_b[4], act_b2[4];
  uint64_t s = 21, s2 = 500;
  CHECK_OK(dg_env_reset(a, &s, oa, NULL));
  CHECK_OK(dg_policy_reset(expert, 1));
  double wander[4] = {-1, 1, -0.5, 0.3};
  dg_step_result r;
  for (int k = 0; k < 6; k++) CHECK_OK(dg_env_step(a, wander, oa, &r));
  CHECK_OK(dg_policy_act(expert, oa, a, act_a));
  CHECK_OK(dg_env_get_state(a, state));
  CHECK_OK(dg_env_reset(b, &s2, ob, NULL));
  CHECK_OK(dg_policy_reset(expert, 2));
  CHECK_OK(dg_env_set_state(b, state, ob));
  CHECK_OK(dg_policy_act(expert, ob, b, act_b));
  CHECK_OK(dg_policy_act(expert, ob, b, act_b2));
  CHECK_MSG(memcmp(act_a, act_b, sizeof(act_a)) == 0, "%s: the expert's action depends on history",
            id);
  CHECK(memcmp(act_b, act_b2, sizeof(act_b)) == 0);
  free(state), free(oa), free(ob);
  dg_policy_close(&expert);
  dg_env_close(&a), dg_env_close(&b);
}

// A state taken anywhere in an expert episode and restored in a second env reproduces the next
// steps bit for bit, free-joint quaternions included (MuJoCo 2.2 renormalizes them in place).
static inline void check_restore_exact(const char* id, int episodes) {
  dg_env *a, *b;
  dg_policy* expert;
  CHECK_OK(dg_env_make(id, NULL, &a));
  CHECK_OK(dg_env_make(id, NULL, &b));
  CHECK_OK(dg_policy_make_expert(id, &expert));
  int n = dg_env_state_dim(a), od = dg_env_obs_dim(a);
  double* state = malloc(sizeof(double) * n);
  double *oa = malloc(sizeof(double) * od), *ob = malloc(sizeof(double) * od);
  int restored = 0;
  for (uint64_t seed = 0; seed < (uint64_t)episodes; seed++) {
    CHECK_OK(dg_env_reset(a, &seed, oa, NULL));
    CHECK_OK(dg_policy_reset(expert, seed));
    dg_step_result r = {0};
    for (int k = 0; !r.terminated && !r.truncated; k++) {
      double act[4];
      CHECK_OK(dg_policy_act(expert, oa, a, act));
      if (k % 7 == 3) {
        // take the state here, run 5 steps of this action, replay them from the restored state
        CHECK_OK(dg_env_get_state(a, state));
        uint64_t other = seed + 1000;
        CHECK_OK(dg_env_reset(b, &other, ob, NULL));
        CHECK_OK(dg_env_set_state(b, state, ob));
        CHECK_MSG(memcmp(oa, ob, sizeof(double) * od) == 0,
                  "%s seed %d step %d: restored "
                  "observation differs",
                  id, (int)seed, k);
        for (int j = 1; j <= 5 && !r.terminated && !r.truncated; j++) {
          dg_step_result rb;
          CHECK_OK(dg_env_step(a, act, oa, &r));
          CHECK_OK(dg_env_step(b, act, ob, &rb));
          CHECK_MSG(memcmp(oa, ob, sizeof(double) * od) == 0 && r.reward == rb.reward,
                    "%s seed %d: the future from a restored state differs at step %d", id,
                    (int)seed, k + j);
        }
        restored++;
        continue;
      }
      CHECK_OK(dg_env_step(a, act, oa, &r));
    }
  }
  CHECK(restored > episodes);
  free(state), free(oa), free(ob);
  dg_policy_close(&expert);
  dg_env_close(&a), dg_env_close(&b);
}

#endif  // DEMOGYM_TEST_CUBE_CHECKS_H
