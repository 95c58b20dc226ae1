// test_detour.c: Detour-v0 is truly multimodal: the expert succeeds in at least 98% of 60 seeded
// episodes, going round the wall on the side it chose from its seed; its choices are balanced
// (each side 40-60% of 500 seeds); at the decision point the two sides' actions point opposite
// ways, and a policy executing their mean at every step fails while each side alone succeeds;
// once the cube is past the wall's edge the expert keeps to that side whatever its choice; the
// success and failure tests and the observation keys mean what the task's header says.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "perturb.h"
#include "tasks/detour.h"

#define ID         "Detour-v0"
#define SEEDS      60
#define MEAN_SEEDS 12

static int key_offset(const dg_env* env, const char* name) {
  for (int k = 0; k < dg_env_obs_key_count(env); k++)
    if (strcmp(dg_env_obs_key(env, k)->name, name) == 0) return dg_env_obs_key(env, k)->offset;
  CHECK_MSG(0, "no observation key %s", name);
  return -1;
}

// a policy seed for which the expert chooses side
static uint64_t seed_for(int side) {
  uint64_t s = 0;
  while (dg_detour_choice(s) != side) s++;
  return s;
}

// --- the expert through the rollout driver, with a tap that records the side taken ------------

typedef struct sides {
  int side[SEEDS];  // the side the cube passed the wall on, per episode (0: never beside it)
  int episode;
} sides;

static int tap_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  sides* s = user;
  s->episode = episode;
  s->side[episode] = 0;
  return 0;
}

static int tap_after(void* user, dg_env* env, const double* obs, const double* action,
                     const double* next, const dg_step_result* res) {
  sides* s = user;
  int now = dg_detour_passing_side(env);
  if (now) {
    CHECK_MSG(s->side[s->episode] == 0 || s->side[s->episode] == now,
              "episode %d passed the wall on both sides", s->episode);
    s->side[s->episode] = now;
  }
  return 0;
}

static void expert_succeeds_on_its_side(void) {
  dg_env* env;
  dg_policy* expert;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  CHECK_OK(dg_policy_make_expert(ID, &expert));
  sides s;
  memset(&s, 0, sizeof(s));
  dg_tap tap = {&s, tap_begin, NULL, tap_after, NULL};
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = SEEDS;
  o.seed = 0;
  o.taps = &tap;
  o.ntaps = 1;
  dg_rollout_summary sum;
  CHECK_OK(dg_rollout_run(env, expert, &o, NULL, &sum));
  int left = 0;
  for (int i = 0; i < SEEDS; i++) {
    int choice = dg_detour_choice(dg_seed_derive(o.seed, 1, (uint64_t)i));
    CHECK_MSG(s.side[i] == choice, "episode %d: chose %d, passed on %d", i, choice, s.side[i]);
    left += s.side[i] == DG_DETOUR_LEFT;
  }
  printf("%s expert: %d/%d successes, mean length %.1f steps (limit %d), %d left / %d right\n", ID,
         sum.successes, sum.episodes, sum.mean_length, dg_env_max_episode_steps(env), left,
         SEEDS - left);
  CHECK_MSG(sum.success_rate >= 0.98, "success rate %.3f", sum.success_rate);
  CHECK(sum.mean_length < 0.5 * dg_env_max_episode_steps(env));
  CHECK(left >= 0.3 * SEEDS && left <= 0.7 * SEEDS);
  dg_policy_close(&expert);
  dg_env_close(&env);
}

// over 500 episodes of a run, each side is chosen 40-60% of the time
static void choices_are_balanced(void) {
  for (uint64_t base = 0; base < 3; base++) {
    int left = 0;
    for (int i = 0; i < 500; i++)
      left += dg_detour_choice(dg_seed_derive(base, 1, (uint64_t)i)) == DG_DETOUR_LEFT;
    printf("%s: run seed %d: %d of 500 episodes choose left\n", ID, (int)base, left);
    CHECK(left >= 200 && left <= 300);
  }
}

// with exploration noise (0.1, epsilon 0.05) the expert still mostly succeeds
static void noisy_expert_mostly_succeeds(void) {
  dg_env* env;
  dg_policy *expert, *noisy;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  CHECK_OK(dg_policy_make_expert(ID, &expert));
  CHECK_OK(dg_policy_make_noisy(expert, 0.1, 0.05, &noisy));
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = 20;
  o.seed = 1;
  dg_rollout_summary sum;
  CHECK_OK(dg_rollout_run(env, noisy, &o, NULL, &sum));
  printf("%s noisy expert (0.1, 0.05): %d/%d successes\n", ID, sum.successes, sum.episodes);
  CHECK(sum.success_rate >= 0.9);
  dg_policy_close(&noisy);
  dg_env_close(&env);
}

// --- the mean of the two modes -----------------------------------------------------------------

// run one episode from env seed es: mode 0 executes the mean of both sides' actions, +-1 one side
// (walled: 1 when the episode ended as a failure with something touching the wall; nullable)
static int run_modes(dg_env* env, dg_policy* left, dg_policy* right, uint64_t es, int mode,
                     int* passed, double* decision_lateral, int* walled) {
  double obs[64], al[4], ar[4], a[4];
  CHECK_OK(dg_env_reset(env, &es, obs, NULL));
  CHECK_OK(dg_policy_reset(left, seed_for(DG_DETOUR_LEFT)));
  CHECK_OK(dg_policy_reset(right, seed_for(DG_DETOUR_RIGHT)));
  *passed = 0;
  int decided = 0;
  for (;;) {
    CHECK_OK(dg_policy_act(left, obs, env, al));
    CHECK_OK(dg_policy_act(right, obs, env, ar));
    if (!decided && memcmp(al, ar, sizeof(al)) != 0) {
      // the decision point: the first state where the sides disagree; they split sideways
      decided = 1;
      CHECK_MSG(al[1] > 0.5 && ar[1] < -0.5, "at the decision point: left dy %.2f, right %.2f",
                al[1], ar[1]);
      if (decision_lateral) *decision_lateral = 0.5 * (al[1] + ar[1]);
    }
    for (int i = 0; i < 4; i++)
      a[i] = mode == 0 ? 0.5 * (al[i] + ar[i]) : (mode > 0 ? al[i] : ar[i]);
    dg_step_result r;
    CHECK_OK(dg_env_step(env, a, obs, &r));
    int side = dg_detour_passing_side(env);
    if (side) *passed = side;
    if (r.terminated || r.truncated) {
      if (walled) *walled = r.terminated && !r.info.success && dg_detour_touching_wall(env);
      return r.info.success;
    }
  }
}

static void mean_of_modes_fails(void) {
  dg_env* env;
  dg_policy *left, *right;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  CHECK_OK(dg_policy_make_expert(ID, &left));
  CHECK_OK(dg_policy_make_expert(ID, &right));
  int ok_mean = 0, ok_left = 0, ok_right = 0, passed_mean = 0, walled_mean = 0;
  double worst_lateral = 0;
  for (int i = 0; i < MEAN_SEEDS; i++) {
    uint64_t es = dg_seed_derive(7, 0, (uint64_t)i);
    int passed;
    double lateral = 1;
    int walled = 0;
    ok_mean += run_modes(env, left, right, es, 0, &passed, &lateral, &walled);
    passed_mean += passed != 0;
    walled_mean += walled;
    if (fabs(lateral) > worst_lateral) worst_lateral = fabs(lateral);
    ok_left += run_modes(env, left, right, es, DG_DETOUR_LEFT, &passed, NULL, NULL);
    CHECK(passed == DG_DETOUR_LEFT);
    ok_right += run_modes(env, left, right, es, DG_DETOUR_RIGHT, &passed, NULL, NULL);
    CHECK(passed == DG_DETOUR_RIGHT);
  }
  printf(
      "%s: mean of both sides' actions %d/%d successes, %d ended against the wall (cube got "
      "past the wall's edge in %d, largest sideways mean at the decision point %.3f); left "
      "alone %d/%d, right alone %d/%d\n",
      ID, ok_mean, MEAN_SEEDS, walled_mean, passed_mean, worst_lateral, ok_left, MEAN_SEEDS,
      ok_right, MEAN_SEEDS);
  CHECK(ok_mean <= MEAN_SEEDS / 10);
  CHECK(walled_mean >= MEAN_SEEDS - 1);  // the mean drives the cube into the wall
  CHECK(worst_lateral < 0.05);
  CHECK(ok_left >= MEAN_SEEDS - 1 && ok_right >= MEAN_SEEDS - 1);
  dg_policy_close(&left), dg_policy_close(&right);
  dg_env_close(&env);
}

// once the cube is past the wall's edge on one side, an expert that chose the other side keeps
// to the side the cube is on, and finishes there
static void committed_side_wins(void) {
  dg_env* env;
  dg_policy *first, *second;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  CHECK_OK(dg_policy_make_expert(ID, &first));
  CHECK_OK(dg_policy_make_expert(ID, &second));
  double obs[64];
  for (int i = 0; i < 10; i++) {
    int side = i % 2 ? DG_DETOUR_LEFT : DG_DETOUR_RIGHT;
    uint64_t es = dg_seed_derive(11, 0, (uint64_t)i);
    CHECK_OK(dg_env_reset(env, &es, obs, NULL));
    CHECK_OK(dg_policy_reset(first, seed_for(side)));
    CHECK_OK(dg_policy_reset(second, seed_for(-side)));
    dg_step_result r;
    int k = 0;
    while (dg_detour_passing_side(env) != side) {
      CHECK_MSG(!run_steps(env, first, obs, 1, &r) && ++k < 150, "never reached the wall");
    }
    int ended = 0;
    while (!ended) {
      ended = run_steps(env, second, obs, 1, &r);
      CHECK_MSG(dg_detour_passing_side(env) != -side, "episode %d switched sides", i);
    }
    CHECK_MSG(r.info.success, "episode %d failed after the switch", i);
  }
  dg_policy_close(&first), dg_policy_close(&second);
  dg_env_close(&env);
}

// --- success, failure, observation -------------------------------------------------------------

static void success_failure_and_observation(void) {
  dg_env* env;
  CHECK_OK(dg_env_make(ID, NULL, &env));
  int od = dg_env_obs_dim(env), n = dg_env_state_dim(env);
  double *obs = malloc(sizeof(double) * od), *state = malloc(sizeof(double) * n);
  state_layout l = layout_of(env);
  int cq = l.qpos + env->m->jnt_qposadr[mj_name2id(env->m, mjOBJ_JOINT, "cube")];
  int eef = key_offset(env, "eef_pos"), cp = key_offset(env, "cube_pos");
  int cr = key_offset(env, "cube_rel"), wp = key_offset(env, "wall_pos");
  int wr = key_offset(env, "wall_rel"), tp = key_offset(env, "target_pos");
  int tr = key_offset(env, "target_rel");
  for (uint64_t seed = 0; seed < 5; seed++) {
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    for (int i = 0; i < 3; i++) {
      CHECK_NEAR(obs[cr + i], obs[cp + i] - obs[eef + i], 1e-12);
      CHECK_NEAR(obs[wr + i], obs[wp + i] - obs[cp + i], 1e-12);
      CHECK_NEAR(obs[tr + i], obs[tp + i] - obs[cp + i], 1e-12);
    }
    // cube, wall and target on a line: the wall between the two, the ways round it mirrored
    CHECK(obs[cp] < obs[wp] - 0.1 && obs[tp] > obs[wp] + 0.1);
    CHECK_NEAR(obs[cp + 1], obs[wp + 1], 1e-12);
    CHECK_NEAR(obs[tp + 1], obs[wp + 1], 1e-12);
    CHECK(!dg_env_is_success(env));
    CHECK_OK(dg_env_get_state(env, state));
    // on the pad: 2.5 cm off its centre counts, 3.5 cm does not, nor 2 cm above it
    double dx[3] = {0.025, 0.035, 0.0}, z[3] = {0.02, 0.02, 0.045};
    int want[3] = {1, 0, 0};
    for (int k = 0; k < 3; k++) {
      state[cq] = obs[tp] + dx[k], state[cq + 1] = obs[tp + 1], state[cq + 2] = z[k];
      CHECK_OK(dg_env_set_state(env, state, NULL));
      CHECK_MSG(dg_env_is_success(env) == want[k], "case %d", k);
    }
  }
  // a cube pushed off the table ends the episode as a failure
  uint64_t seed = 3;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  CHECK_OK(dg_env_get_state(env, state));
  state[cq] = 0.5, state[cq + 1] = 0.66, state[cq + 2] = 0.05;  // beyond the table's edge
  CHECK_OK(dg_env_set_state(env, state, obs));
  double still[4] = {0, 0, 0, -1};
  dg_step_result r;
  int k = 0;
  do {
    CHECK_OK(dg_env_step(env, still, obs, &r));
  } while (!r.terminated && !r.truncated && ++k < 50);
  CHECK(r.terminated && !r.truncated && !r.info.success && r.info.elapsed_steps < 20);
  free(obs), free(state);
  dg_env_close(&env);
}

int main(void) {
  expert_succeeds_on_its_side();
  choices_are_balanced();
  noisy_expert_mostly_succeeds();
  mean_of_modes_fails();
  committed_side_wins();
  success_failure_and_observation();
  return 0;
}
