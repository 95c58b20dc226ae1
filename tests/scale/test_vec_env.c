// test_vec_env.c: the vector env keeps Gymnasium's semantics: reset(seed) seeds env i with
// seed + i, next-step and same-step autoreset match a plain env driven by hand, results do not
// depend on the number of threads, and bad input (NaN actions, wrong sizes, bad options, step
// before reset) is refused with a clear message and changes nothing.
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"

#define N     5
#define LIMIT 12  // a time limit near the expert's episode length: episodes end both ways
#define STEPS 40

// the actions of step k: the expert's for even envs, a fixed sweep for odd ones (row i of a)
static void make_actions(dg_env* const* envs, dg_policy* const* experts, const double* obs, int od,
                         int ad, int k, double* a) {
  for (int i = 0; i < N; i++) {
    if (i % 2 == 0) {
      CHECK_OK(dg_policy_act(experts[i], obs + i * od, envs[i], a + i * ad));
    } else {
      for (int j = 0; j < ad; j++) a[i * ad + j] = 0.8 * sin(0.3 * k + i + j);
    }
  }
}

static int spin_us = -1;  // the pool's polling time in make_vec (-1: the default)

static dg_vec_env* make_vec(int threads, int mode) {
  dg_vec_options o;
  dg_vec_options_default(&o);
  if (spin_us >= 0) o.spin_us = spin_us;
  o.num_envs = N;
  o.num_threads = threads;
  o.autoreset_mode = mode;
  o.env.max_episode_steps = LIMIT;
  dg_vec_env* v;
  CHECK_OK(dg_vec_make("Reach-v0", &o, &v));
  CHECK(dg_vec_num_envs(v) == N);
  CHECK(dg_vec_num_threads(v) == threads);
  CHECK(dg_vec_autoreset_mode(v) == mode);
  return v;
}

// Everything a run produced, step by step.
typedef struct history {
  double obs[STEPS + 1][N * 64];
  double final_obs[STEPS + 1][N * 64];
  double rewards[STEPS + 1][N];
  uint8_t term[STEPS + 1][N], trunc[STEPS + 1][N];
  dg_info infos[STEPS + 1][N];
} history;

static void snap(const dg_vec_env* v, history* h, int k) {
  int od = dg_vec_obs_dim(v);
  memcpy(h->obs[k], dg_vec_obs(v), sizeof(double) * N * od);
  memcpy(h->final_obs[k], dg_vec_final_obs(v), sizeof(double) * N * od);
  memcpy(h->rewards[k], dg_vec_rewards(v), sizeof(double) * N);
  memcpy(h->term[k], dg_vec_terminated(v), N);
  memcpy(h->trunc[k], dg_vec_truncated(v), N);
  memcpy(h->infos[k], dg_vec_infos(v), sizeof(dg_info) * N);
}

// Run the vector env from reset(seed 100) with the experts of its own envs; record everything.
static void run_vec(int threads, int mode, history* h) {
  dg_vec_env* v = make_vec(threads, mode);
  int od = dg_vec_obs_dim(v), ad = dg_vec_act_dim(v);
  dg_env* envs[N];
  dg_policy* experts[N];
  for (int i = 0; i < N; i++) {
    envs[i] = dg_vec_env_at(v, i);
    CHECK_OK(dg_policy_make_expert("Reach-v0", &experts[i]));
    CHECK_OK(dg_policy_reset(experts[i], 0));
  }
  memset(h, 0, sizeof(*h));
  uint64_t seed = 100;
  CHECK_OK(dg_vec_reset(v, &seed));
  snap(v, h, 0);
  double a[N * 16];
  for (int k = 0; k < STEPS; k++) {
    make_actions(envs, experts, dg_vec_obs(v), od, ad, k, a);
    CHECK_OK(dg_vec_step(v, a, (size_t)N * ad));
    snap(v, h, k + 1);
  }
  for (int i = 0; i < N; i++) dg_policy_close(&experts[i]);
  dg_vec_close(&v);
  CHECK(v == NULL);
}

// The same run by hand with N plain envs, following the mode's rules, checked against h.
static void check_against_plain(int mode, const history* h) {
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = LIMIT;
  dg_env* envs[N];
  dg_policy* experts[N];
  int ended[N] = {0};
  int od = 0, ad = 0, ends = 0, terminations = 0;
  double obs[N * 64], last[64];
  for (int i = 0; i < N; i++) {
    CHECK_OK(dg_env_make("Reach-v0", &eo, &envs[i]));
    CHECK_OK(dg_policy_make_expert("Reach-v0", &experts[i]));
    CHECK_OK(dg_policy_reset(experts[i], 0));
    od = dg_env_obs_dim(envs[i]);
    ad = dg_env_act_dim(envs[i]);
    uint64_t s = 100 + (uint64_t)i;  // seed + i
    dg_info info;
    CHECK_OK(dg_env_reset(envs[i], &s, obs + i * od, &info));
    CHECK_MSG(memcmp(&info, &h->infos[0][i], sizeof(info)) == 0, "reset info of env %d", i);
  }
  CHECK_MSG(memcmp(obs, h->obs[0], sizeof(double) * N * od) == 0,
            "reset(seed) must seed env i with seed + i");
  double a[N * 16];
  for (int k = 0; k < STEPS; k++) {
    make_actions(envs, experts, obs, od, ad, k, a);
    for (int i = 0; i < N; i++) {
      double* o = obs + i * od;
      const dg_info* vi = &h->infos[k + 1][i];
      if (mode == DG_AUTORESET_NEXT_STEP && ended[i]) {
        // the step after an episode's end resets the env and ignores the action
        dg_info info;
        CHECK_OK(dg_env_reset(envs[i], NULL, o, &info));
        ended[i] = 0;
        CHECK_MSG(h->rewards[k + 1][i] == 0 && !h->term[k + 1][i] && !h->trunc[k + 1][i],
                  "next-step autoreset of env %d at step %d: reward 0 and both flags false", i, k);
        CHECK_MSG(memcmp(&info, vi, sizeof(info)) == 0, "autoreset info of env %d", i);
        continue;
      }
      dg_step_result r;
      CHECK_OK(dg_env_step(envs[i], a + i * ad, o, &r));
      CHECK_MSG(h->rewards[k + 1][i] == r.reward, "reward of env %d at step %d", i, k);
      CHECK_MSG(h->term[k + 1][i] == r.terminated && h->trunc[k + 1][i] == r.truncated,
                "flags of env %d at step %d", i, k);
      if (!(r.terminated || r.truncated)) {
        CHECK_MSG(memcmp(&r.info, vi, sizeof(r.info)) == 0, "info of env %d at step %d", i, k);
        continue;
      }
      ends++;
      terminations += r.terminated;
      if (mode == DG_AUTORESET_NEXT_STEP) {
        ended[i] = 1;
        CHECK_MSG(memcmp(&r.info, vi, sizeof(r.info)) == 0, "info of env %d at step %d", i, k);
      } else {
        // same step: the final observation and info are kept apart, the env reset at once
        CHECK_MSG(memcmp(o, h->final_obs[k + 1] + i * od, sizeof(double) * od) == 0,
                  "final obs of env %d at step %d", i, k);
        memcpy(last, o, sizeof(double) * od);
        dg_info info;
        CHECK_OK(dg_env_reset(envs[i], NULL, o, &info));
        CHECK_MSG(memcmp(last, o, sizeof(double) * od) != 0, "the reset must change the obs");
        CHECK_MSG(memcmp(&info, vi, sizeof(info)) == 0, "reset info of env %d at step %d", i, k);
        CHECK(info.elapsed_steps == 0);
      }
    }
    CHECK_MSG(memcmp(obs, h->obs[k + 1], sizeof(double) * N * od) == 0,
              "observations after step %d differ from the plain envs' (mode %d)", k, mode);
  }
  // the run must have exercised both endings, or it pins nothing
  CHECK_MSG(ends >= N && terminations > 0 && terminations < ends,
            "the test needs terminations and truncations (ends %d, terminations %d)", ends,
            terminations);
  for (int i = 0; i < N; i++) {
    dg_policy_close(&experts[i]);
    dg_env_close(&envs[i]);
  }
}

static void test_semantics_and_threads(void) {
  static history h1, h2, h3;
  for (int mode = 0; mode < 2; mode++) {
    run_vec(1, mode, &h1);
    check_against_plain(mode, &h1);
    run_vec(2, mode, &h2);
    run_vec(3, mode, &h3);
    CHECK_MSG(memcmp(&h1, &h2, sizeof(h1)) == 0, "T = 2 differs from T = 1 (mode %d)", mode);
    CHECK_MSG(memcmp(&h1, &h3, sizeof(h1)) == 0, "T = 3 differs from T = 1 (mode %d)", mode);
    // pool threads that sleep at once between steps instead of polling: the same results
    spin_us = 0;
    run_vec(2, mode, &h2);
    spin_us = -1;
    CHECK_MSG(memcmp(&h1, &h2, sizeof(h1)) == 0, "T = 2 without polling differs (mode %d)", mode);
  }
}

static void test_autoreset_mask(void) {
  dg_vec_options o;
  dg_vec_options_default(&o);
  o.num_envs = 2;
  o.env.max_episode_steps = 2;
  dg_vec_env* v;
  CHECK_OK(dg_vec_make("Reach-v0", &o, &v));
  uint64_t seed = 1;
  CHECK_OK(dg_vec_reset(v, &seed));
  double a[8] = {0};
  CHECK_OK(dg_vec_step(v, a, 8));
  CHECK(!dg_vec_autoreset_mask(v)[0] && !dg_vec_autoreset_mask(v)[1]);
  CHECK_OK(dg_vec_step(v, a, 8));
  CHECK(dg_vec_truncated(v)[0] && dg_vec_truncated(v)[1]);
  CHECK(dg_vec_autoreset_mask(v)[0] && dg_vec_autoreset_mask(v)[1]);
  CHECK_OK(dg_vec_step(v, a, 8));  // the autoreset step
  CHECK(!dg_vec_autoreset_mask(v)[0] && dg_vec_infos(v)[0].elapsed_steps == 0);
  // a seeded reset again gives the first episode back
  double first[64];
  CHECK_OK(dg_vec_reset(v, &seed));
  memcpy(first, dg_vec_obs(v), sizeof(double) * 2 * dg_vec_obs_dim(v));
  CHECK_OK(dg_vec_step(v, a, 8));
  CHECK_OK(dg_vec_reset(v, &seed));
  CHECK(memcmp(first, dg_vec_obs(v), sizeof(double) * 2 * dg_vec_obs_dim(v)) == 0);
  // per-env seeds
  uint64_t seeds[2] = {2, 1};
  CHECK_OK(dg_vec_reset_seeds(v, seeds, 2));
  int od = dg_vec_obs_dim(v);
  CHECK_MSG(memcmp(first, dg_vec_obs(v) + od, sizeof(double) * od) == 0,
            "env 1 reset with seed 1 equals env 0 reset with seed 1");
  CHECK_MSG(memcmp(first + od, dg_vec_obs(v), sizeof(double) * od) == 0,
            "env 0 reset with seed 2 equals env 1 reset with seed 1 + 1");
  dg_vec_close(&v);
}

static void test_bad_input(void) {
  dg_vec_options o;
  dg_vec_options_default(&o);
  dg_vec_env* v = (dg_vec_env*)&o;  // must be set to NULL on failure
  o.num_envs = 0;
  CHECK(dg_vec_make("Reach-v0", &o, &v) == DG_ERR_INVALID && v == NULL);
  CHECK(strstr(dg_last_errmsg(), "num_envs 0"));
  o.num_envs = DG_VEC_MAX_ENVS + 1;
  CHECK(dg_vec_make("Reach-v0", &o, &v) == DG_ERR_INVALID);
  o.num_envs = 3;
  o.num_threads = -1;
  CHECK(dg_vec_make("Reach-v0", &o, &v) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "num_threads -1"));
  o.num_threads = 1;
  o.autoreset_mode = 7;
  CHECK(dg_vec_make("Reach-v0", &o, &v) == DG_ERR_INVALID);
  o.autoreset_mode = DG_AUTORESET_NEXT_STEP;
  o.spin_us = -5;
  CHECK(dg_vec_make("Reach-v0", &o, &v) == DG_ERR_INVALID && v == NULL);
  CHECK(strstr(dg_last_errmsg(), "spin_us -5"));
  o.spin_us = 1000;
  CHECK(dg_vec_make("NoSuchEnv-v0", &o, &v) == DG_ERR_NOTFOUND && v == NULL);
  CHECK(strstr(dg_last_errmsg(), "Reach-v0"));
  o.env.render_width = 0;  // a bad env option fails the whole make, cleanly
  CHECK(dg_vec_make("Reach-v0", &o, &v) == DG_ERR_INVALID && v == NULL);
  o.env.render_width = 64;
  CHECK(dg_vec_make("Reach-v0", &o, NULL) == DG_ERR_INVALID);
  CHECK(dg_vec_make(NULL, &o, &v) == DG_ERR_INVALID);

  // more threads than envs are clamped; 0 means one per CPU (at most N)
  o.num_threads = 8;
  CHECK_OK(dg_vec_make("Reach-v0", &o, &v));
  CHECK(dg_vec_num_threads(v) == 3);
  CHECK(dg_vec_env_at(v, 3) == NULL && dg_vec_env_at(v, -1) == NULL && dg_vec_env_at(v, 2));
  int ad = dg_vec_act_dim(v), od = dg_vec_obs_dim(v);
  double a[3 * 16] = {0};

  // step before reset
  CHECK(dg_vec_step(v, a, 3 * ad) == DG_ERR_STATE);
  CHECK(strstr(dg_vec_errmsg(v), "reset"));
  uint64_t seed = 5;
  CHECK_OK(dg_vec_reset(v, &seed));
  CHECK_OK(dg_vec_step(v, a, 3 * ad));
  double before[3 * 64];
  memcpy(before, dg_vec_obs(v), sizeof(double) * 3 * od);
  double state[3][512];
  for (int i = 0; i < 3; i++) CHECK_OK(dg_env_get_state(dg_vec_env_at(v, i), state[i]));

  // wrong sizes
  CHECK(dg_vec_step(v, a, 3 * ad - 1) == DG_ERR_INVALID);
  CHECK_MSG(strstr(dg_vec_errmsg(v), "expected 12 actions (3 envs x 4), got 11"), "%s",
            dg_vec_errmsg(v));
  CHECK(strcmp(dg_last_errmsg(), dg_vec_errmsg(v)) == 0);
  CHECK(dg_vec_step(v, NULL, 3 * ad) == DG_ERR_INVALID);
  uint64_t seeds[2] = {1, 2};
  CHECK(dg_vec_reset_seeds(v, seeds, 2) == DG_ERR_INVALID);
  CHECK(strstr(dg_vec_errmsg(v), "expected 3 seeds"));

  // NaN or Inf in one env's action: the whole batch is refused, naming the env
  a[2 * ad + 1] = NAN;
  CHECK(dg_vec_step(v, a, 3 * ad) == DG_ERR_INVALID);
  CHECK_MSG(strstr(dg_vec_errmsg(v), "env 2: action[1] is NaN"), "%s", dg_vec_errmsg(v));
  a[2 * ad + 1] = 0;
  a[1 * ad + 3] = -INFINITY;
  CHECK(dg_vec_step(v, a, 3 * ad) == DG_ERR_INVALID);
  CHECK_MSG(strstr(dg_vec_errmsg(v), "env 1: action[3] is infinite"), "%s", dg_vec_errmsg(v));
  a[1 * ad + 3] = 0;
  // nothing moved: buffers and states are as before
  CHECK(memcmp(before, dg_vec_obs(v), sizeof(double) * 3 * od) == 0);
  double now[512];
  for (int i = 0; i < 3; i++) {
    CHECK_OK(dg_env_get_state(dg_vec_env_at(v, i), now));
    CHECK(memcmp(now, state[i], sizeof(double) * dg_env_state_dim(dg_vec_env_at(v, i))) == 0);
  }
  CHECK_OK(dg_vec_step(v, a, 3 * ad));  // and the vector env goes on
  CHECK(dg_vec_infos(v)[0].elapsed_steps == 2);
  dg_vec_close(&v);
  dg_vec_close(&v);  // twice is harmless
  dg_vec_close(NULL);

  // 0 threads: one per online CPU, clamped to N
  o.num_threads = 0;
  o.num_envs = 1;
  CHECK_OK(dg_vec_make("Reach-v0", &o, &v));
  CHECK(dg_vec_num_threads(v) == 1);
  dg_vec_close(&v);
}

int main(void) {
  test_semantics_and_threads();
  test_autoreset_mask();
  test_bad_input();
  printf("vec_env: ok\n");
  return 0;
}
