// test_drawer.c: Drawer-v0: the expert opens the drawer in at least 98% of 60 seeded episodes; it
// is state-based and recovers when the state is perturbed mid-episode (the drawer pushed shut,
// the gripper opened, the arm displaced, the cabinet moved); the success test, observation keys
// and reward mean what the task's header says.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perturb.h"

#define ID    "Drawer-v0"
#define SEEDS 60
#ifndef RECOVERY_SEEDS
#define RECOVERY_SEEDS 20
#endif
#define TRAVEL 0.20

static int key_offset(const dg_env* env, const char* name) {
  for (int k = 0; k < dg_env_obs_key_count(env); k++)
    if (strcmp(dg_env_obs_key(env, k)->name, name) == 0) return dg_env_obs_key(env, k)->offset;
  CHECK_MSG(0, "no observation key %s", name);
  return -1;
}

static int drawer_qadr(const dg_env* env) {
  return env->m->jnt_qposadr[mj_name2id(env->m, mjOBJ_JOINT, "drawer")];
}

static void expert_succeeds(void) {
  dg_env* env;
  dg_policy* expert;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  CHECK_OK(dg_policy_make_expert(ID, &expert));
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = SEEDS;
  o.seed = 0;
  dg_rollout_summary sum;
  CHECK_OK(dg_rollout_run(env, expert, &o, NULL, &sum));
  printf("%s expert: %d/%d successes, mean length %.1f steps (limit %d)\n", ID, sum.successes,
         sum.episodes, sum.mean_length, dg_env_max_episode_steps(env));
  CHECK_MSG(sum.success_rate >= 0.98, "success rate %.3f", sum.success_rate);
  CHECK(sum.mean_length < 0.5 * dg_env_max_episode_steps(env));
  dg_policy_close(&expert);
  dg_env_close(&env);
}

// the drawer's opening decides success at 80% of the travel; the keys hold what they say
static void success_and_observation(void) {
  dg_env* env;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  int od = dg_env_obs_dim(env), n = dg_env_state_dim(env);
  double *obs = malloc(sizeof(double) * od), *closed = malloc(sizeof(double) * od);
  double* state = malloc(sizeof(double) * n);
  int q = layout_of(env).qpos + drawer_qadr(env);
  int eef = key_offset(env, "eef_pos"), hp = key_offset(env, "handle_pos");
  int hr = key_offset(env, "handle_rel"), dq = key_offset(env, "drawer_qpos");
  int ax = key_offset(env, "drawer_axis");
  for (uint64_t seed = 0; seed < 5; seed++) {
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    CHECK(obs[dq] >= 0.0 && obs[dq] <= 0.03 && !dg_env_is_success(env));
    CHECK_NEAR(hypot(obs[ax], obs[ax + 1]), 1.0, 1e-9);
    CHECK(obs[ax] < -0.95);  // the drawer opens towards the arm
    for (int i = 0; i < 3; i++) CHECK_NEAR(obs[hr + i], obs[hp + i] - obs[eef + i], 1e-12);
    CHECK_OK(dg_env_get_state(env, state));
    state[q] = 0.0;
    CHECK_OK(dg_env_set_state(env, state, closed));
    state[q] = 0.8 * TRAVEL - 1e-3;
    CHECK_OK(dg_env_set_state(env, state, obs));
    CHECK_NEAR(obs[dq], 0.8 * TRAVEL - 1e-3, 1e-12);
    CHECK(!dg_env_is_success(env));
    // the handle moved along the drawer's axis by the opening
    for (int i = 0; i < 2; i++)
      CHECK_NEAR(obs[hp + i] - closed[hp + i], (0.8 * TRAVEL - 1e-3) * obs[ax + i], 1e-9);
    CHECK_NEAR(obs[hp + 2], closed[hp + 2], 1e-9);
    state[q] = 0.8 * TRAVEL + 1e-3;
    CHECK_OK(dg_env_set_state(env, state, obs));
    CHECK(dg_env_is_success(env));
  }
  free(obs), free(closed), free(state);
  dg_env_close(&env);
}

// with the arm still, the reward grows with the drawer's opening
static void reward_follows_opening(void) {
  dg_env* env;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  int od = dg_env_obs_dim(env), n = dg_env_state_dim(env);
  double *obs = malloc(sizeof(double) * od), *state = malloc(sizeof(double) * n);
  int q = layout_of(env).qpos + drawer_qadr(env);
  uint64_t seed = 8;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  CHECK_OK(dg_env_get_state(env, state));
  double still[4] = {0, 0, 0, 1}, prev = -HUGE_VAL;
  for (int k = 0; k < 4; k++) {
    state[q] = 0.05 * k;
    CHECK_OK(dg_env_set_state(env, state, obs));
    dg_step_result r;
    CHECK_OK(dg_env_step(env, still, obs, &r));
    CHECK_MSG(r.reward > prev + 0.3, "reward %.3f at opening %.2f after %.3f", r.reward, 0.05 * k,
              prev);
    prev = r.reward;
  }
  free(obs), free(state);
  dg_env_close(&env);
}

// the expert's action depends on the state only: the same in a fresh env set to that state
static void state_based(void) {
  dg_env *a, *b;
  dg_policy* expert;
  CHECK_OK(dg_env_make(ID, NULL, &a));
  CHECK_OK(dg_env_make(ID, NULL, &b));
  CHECK_OK(dg_policy_make_expert(ID, &expert));
  int od = dg_env_obs_dim(a), n = dg_env_state_dim(a);
  double *oa = malloc(sizeof(double) * od), *ob = malloc(sizeof(double) * od);
  double* state = malloc(sizeof(double) * n);
  double act_a[4], act_b[4];
  uint64_t s = 21, s2 = 500;
  CHECK_OK(dg_env_reset(a, &s, oa, NULL));
  CHECK_OK(dg_policy_reset(expert, 1));
  double wander[4] = {-1, 1, -0.5, 0};
  dg_step_result r;
  for (int k = 0; k < 6; k++) CHECK_OK(dg_env_step(a, wander, oa, &r));
  for (int k = 0; k < 12; k++) {  // along the expert's way from the wandered-off state
    CHECK_OK(dg_policy_act(expert, oa, a, act_a));
    CHECK_OK(dg_env_get_state(a, state));
    CHECK_OK(dg_env_reset(b, &s2, ob, NULL));
    CHECK_OK(dg_env_set_state(b, state, ob));
    CHECK_OK(dg_policy_act(expert, ob, b, act_b));
    CHECK(memcmp(act_a, act_b, sizeof(act_a)) == 0);
    CHECK_OK(dg_env_step(a, act_a, oa, &r));
  }
  free(oa), free(ob), free(state);
  dg_policy_close(&expert);
  dg_env_close(&a), dg_env_close(&b);
}

// --- recovery ----------------------------------------------------------------------------------

enum { SHUT, GRIPPER_OPENED, ARM_DISPLACED, CABINET_MOVED, NKINDS };
static const char* kind_name[NKINDS] = {"drawer pushed shut (arm pulled away)", "gripper opened",
                                        "arm displaced", "cabinet moved"};
static const int kind_step[NKINDS] = {18, 18, 18, 6};  // mid-pull, or on the way to the handle

// perturb the state; `attempt` counts the draws for this episode (0 first)
static void perturb(const dg_env* env, double* state, int kind, int attempt, dg_rng* rng) {
  state_layout l = layout_of(env);
  int q = l.qpos + drawer_qadr(env);
  int dv = l.qvel + env->m->jnt_dofadr[mj_name2id(env->m, mjOBJ_JOINT, "drawer")];
  if (kind == SHUT) {
    displace_arm(env, state, 0.25, rng);
    state[q] = 0.0, state[dv] = 0.0;
  } else if (kind == GRIPPER_OPENED) {
    // wide open, short of the handle's posts; less when a finger would sweep into the bar
    open_fingers(env, state, 0.03 - 0.003 * attempt);
  } else if (kind == ARM_DISPLACED) {
    displace_arm(env, state, 0.25, rng);
  } else {
    int mocap = env->m->body_mocapid[mj_name2id(env->m, mjOBJ_BODY, "cabinet")];
    double* p = state + l.mocap_pos + 3 * mocap;
    double* quat = state + l.mocap_quat + 4 * mocap;
    p[0] += dg_rng_range(rng, -0.03, 0.03);
    p[1] += dg_rng_range(rng, -0.03, 0.03);
    double yaw = 2 * atan2(quat[3], quat[0]) + dg_rng_range(rng, -0.1, 0.1);
    quat[0] = cos(0.5 * yaw), quat[3] = sin(0.5 * yaw);
  }
}

static void recovery(void) {
  dg_env* env;
  dg_policy* expert;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  CHECK_OK(dg_policy_make_expert(ID, &expert));
  int od = dg_env_obs_dim(env), n = dg_env_state_dim(env);
  double *obs = malloc(sizeof(double) * od), *state = malloc(sizeof(double) * n);
  double* saved = malloc(sizeof(double) * n);
  int dq = key_offset(env, "drawer_qpos");
  dg_rng rng;
  dg_rng_seed(&rng, 2024);
  for (int kind = 0; kind < NKINDS; kind++) {
    int ok = 0;
    for (uint64_t seed = 0; seed < RECOVERY_SEEDS; seed++) {
      CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
      CHECK_OK(dg_policy_reset(expert, seed));
      dg_step_result r;
      CHECK_MSG(!run_steps(env, expert, obs, kind_step[kind], &r), "seed %d ended early",
                (int)seed);
      CHECK_OK(dg_env_get_state(env, saved));
      // draw perturbations until one leaves no body inside another
      int tries = 0;
      do {
        CHECK_MSG(tries < 10, "%s: no physical perturbation found", kind_name[kind]);
        memcpy(state, saved, sizeof(double) * n);
        perturb(env, state, kind, tries++, &rng);
        CHECK_OK(dg_env_set_state(env, state, obs));
      } while (deepest_contact(env) > 0.002);
      if (kind == SHUT) CHECK(obs[dq] == 0.0);
      ok += finish(env, expert, obs);
    }
    printf("%s recovery, %s: %d/%d\n", ID, kind_name[kind], ok, RECOVERY_SEEDS);
    CHECK_MSG(ok >= 0.9 * RECOVERY_SEEDS, "%s: only %d of %d recovered", kind_name[kind], ok,
              RECOVERY_SEEDS);
  }
  free(obs), free(state), free(saved);
  dg_policy_close(&expert);
  dg_env_close(&env);
}

int main(void) {
  expert_succeeds();
  success_and_observation();
  reward_follows_opening();
  state_based();
  recovery();
  return 0;
}
