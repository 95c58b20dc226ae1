// test_parallel.c: parallel rollouts give the sequential driver's episodes whatever the number
// of workers; worker taps see every transition, shared taps see episodes in index order on the
// calling thread within the window; failures, stops and misuse end the run with a clear status
// and a finished prefix; policy clones act like their original.
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"

#define EPISODES 14
#define FIRST    5
#define SEED     42

static dg_policy* make_noisy(void) {
  dg_policy *expert, *noisy;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  CHECK_OK(dg_policy_make_noisy(expert, 0.3, 0.1, &noisy));
  return noisy;
}

static dg_env* make_env(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  return env;
}

static void options(dg_rollout_options* o) {
  dg_rollout_options_default(o);
  o->episodes = EPISODES;
  o->first_episode = FIRST;
  o->seed = SEED;
}

// --- taps -------------------------------------------------------------------------------------

typedef struct worker_count {
  long steps;      // after_step calls
  long ends;       // episode_end calls
  long sum_index;  // sum of the episode indices it ended
  int bad;         // callbacks that saw something wrong
} worker_count;

static atomic_int delivered_count;  // episodes the shared tap has seen (read by worker taps)
static atomic_int window_violations;

static int w_begin(void* u, int ep, uint64_t seed, dg_env* env, const double* obs) {
  // a worker never runs further ahead of delivery than the window (4 per worker, 3 workers)
  if (ep - FIRST >= atomic_load(&delivered_count) + 4 * 3) atomic_fetch_add(&window_violations, 1);
  return 0;
}

static int w_after(void* u, dg_env* env, const double* obs, const double* a, const double* next,
                   const dg_step_result* r) {
  worker_count* c = u;
  c->steps++;
  double now[64];
  dg_env_observe(env, now);  // the worker's own env is at next
  if (memcmp(now, next, sizeof(double) * dg_env_obs_dim(env))) c->bad++;
  return 0;
}

static int w_end(void* u, dg_env* env, const dg_episode_stats* st) {
  worker_count* c = u;
  c->ends++;
  c->sum_index += st->index;
  return 0;
}

typedef struct shared_log {
  pthread_t caller;
  int n;
  int indices[64];
  int bad;      // calls off the calling thread or with an env
  int fail_at;  // fail at this index (-1: never)
} shared_log;

static int s_end(void* u, dg_env* env, const dg_episode_stats* st) {
  shared_log* l = u;
  if (!pthread_equal(pthread_self(), l->caller) || env != NULL) l->bad++;
  if (st->index == l->fail_at) {
    dg_set_last_errmsg("shared tap refuses episode %d", st->index);
    return DG_ERR_IO;
  }
  l->indices[l->n++] = st->index;
  atomic_store(&delivered_count, l->n);
  return 0;
}

// --- tests ------------------------------------------------------------------------------------

static void test_same_episodes(void) {
  dg_rollout_options o;
  options(&o);
  dg_env* env = make_env();
  dg_policy* p = make_noisy();
  dg_episode_stats seq[EPISODES];
  dg_rollout_summary seq_sum;
  CHECK_OK(dg_rollout_run(env, p, &o, seq, &seq_sum));

  for (int nw = 1; nw <= 3; nw++) {
    dg_rollout_worker w[3];
    worker_count counts[3];
    dg_tap taps[3];
    memset(counts, 0, sizeof(counts));
    for (int i = 0; i < nw; i++) {
      w[i].env = make_env();
      w[i].policy = make_noisy();
      taps[i] = (dg_tap){&counts[i], w_begin, NULL, w_after, w_end};
      w[i].taps = &taps[i];
      w[i].ntaps = 1;
    }
    shared_log log = {pthread_self(), 0, {0}, 0, -1};
    dg_tap shared = {&log, NULL, NULL, NULL, s_end};
    o.taps = &shared;
    o.ntaps = 1;
    atomic_store(&delivered_count, 0);
    dg_episode_stats par[EPISODES];
    dg_rollout_summary sum;
    CHECK_OK(dg_rollout_run_parallel(w, nw, &o, par, &sum));
    CHECK_MSG(memcmp(seq, par, sizeof(seq)) == 0, "%d workers: episodes differ from sequential",
              nw);
    CHECK_MSG(memcmp(&seq_sum, &sum, sizeof(sum)) == 0, "%d workers: summary differs", nw);
    CHECK(log.bad == 0 && log.n == EPISODES);
    for (int k = 0; k < EPISODES; k++) CHECK_MSG(log.indices[k] == FIRST + k, "order at %d", k);
    long steps = 0, ends = 0, sum_index = 0;
    for (int i = 0; i < nw; i++) {
      CHECK(counts[i].bad == 0);
      steps += counts[i].steps;
      ends += counts[i].ends;
      sum_index += counts[i].sum_index;
    }
    CHECK(steps == seq_sum.total_steps && ends == EPISODES);
    CHECK(sum_index == EPISODES * FIRST + EPISODES * (EPISODES - 1) / 2);
    for (int i = 0; i < nw; i++) {
      dg_env_close(&w[i].env);
      dg_policy_close(&w[i].policy);
    }
  }
  CHECK_MSG(atomic_load(&window_violations) == 0, "workers ran %d episodes beyond the window",
            atomic_load(&window_violations));

  // the convenience form: env and policy are worker 0, the others copies
  o.taps = NULL;
  o.ntaps = 0;
  for (int nt = 1; nt <= 3; nt++) {
    dg_episode_stats par[EPISODES];
    dg_rollout_summary sum;
    CHECK_OK(dg_rollout_run_threads(env, p, nt, &o, par, &sum));
    CHECK_MSG(memcmp(seq, par, sizeof(seq)) == 0, "run_threads(%d) differs", nt);
    CHECK(memcmp(&seq_sum, &sum, sizeof(sum)) == 0);
  }
  dg_policy_close(&p);
  dg_env_close(&env);
}

// a policy that fails in the episode whose policy seed is that of episode FIRST + 4
typedef struct failing {
  dg_policy* inner;
  int armed;
} failing;

static int f_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  failing* f = self;
  f->armed = seed == dg_seed_derive(SEED, 1, FIRST + 4);
  return dg_policy_reset(f->inner, seed);
}

static int f_act(void* self, const double* obs, const dg_env* env, double* a, char* err,
                 size_t errsz) {
  failing* f = self;
  if (f->armed) {
    snprintf(err, errsz, "failing policy gives up");
    return DG_ERR_STATE;
  }
  return dg_policy_act(f->inner, obs, env, a);
}

static void f_destroy(void* self) {
  failing* f = self;
  dg_policy_close(&f->inner);
  free(f);
}

static const dg_policy_impl failing_impl = {"failing", f_reset, f_act, f_destroy};

static dg_policy* make_failing(void) {
  failing* f = calloc(1, sizeof(failing));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &f->inner));
  dg_policy* p;
  CHECK_OK(dg_policy_create(&failing_impl, f, "failing", &p));
  return p;
}

static void test_failures(void) {
  dg_rollout_options o;
  options(&o);
  dg_rollout_worker w[2];
  for (int i = 0; i < 2; i++) {
    w[i].env = make_env();
    w[i].policy = make_failing();
    w[i].taps = NULL;
    w[i].ntaps = 0;
  }
  // a failing policy: its status and message; the episodes before it are reported
  dg_episode_stats st[EPISODES];
  dg_rollout_summary sum;
  CHECK(dg_rollout_run_parallel(w, 2, &o, st, &sum) == DG_ERR_STATE);
  CHECK_MSG(strstr(dg_last_errmsg(), "failing policy gives up"), "%s", dg_last_errmsg());
  CHECK(sum.episodes == 4);
  for (int k = 0; k < 4; k++) CHECK(st[k].index == FIRST + k);

  // a policy without a clone function cannot be copied
  dg_policy* copy = NULL;
  CHECK(dg_policy_clone(w[0].policy, &copy) == DG_ERR_UNSUPPORTED && copy == NULL);
  CHECK(strstr(dg_last_errmsg(), "failing"));
  CHECK(dg_rollout_run_threads(w[0].env, w[0].policy, 2, &o, NULL, NULL) == DG_ERR_UNSUPPORTED);
  for (int i = 0; i < 2; i++) dg_policy_close(&w[i].policy);

  // a failing shared tap ends the run at its episode
  for (int i = 0; i < 2; i++) w[i].policy = make_noisy();
  shared_log log = {pthread_self(), 0, {0}, 0, FIRST + 6};
  dg_tap shared = {&log, NULL, NULL, NULL, s_end};
  o.taps = &shared;
  o.ntaps = 1;
  CHECK(dg_rollout_run_parallel(w, 2, &o, st, &sum) == DG_ERR_IO);
  CHECK(strstr(dg_last_errmsg(), "shared tap refuses episode 11"));
  CHECK(log.n == 6 && sum.episodes == 6);

  // a stop request
  volatile int stop = 1;
  o.taps = NULL;
  o.ntaps = 0;
  o.stop = &stop;
  CHECK(dg_rollout_run_parallel(w, 2, &o, st, &sum) == DG_ERR_INTERRUPTED);
  CHECK(sum.episodes == 0);
  o.stop = NULL;

  // misuse
  dg_tap per_step = {&log, NULL, NULL, w_after, NULL};
  o.taps = &per_step;
  o.ntaps = 1;
  CHECK(dg_rollout_run_parallel(w, 2, &o, NULL, NULL) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "shared taps take only episode_end"));
  o.taps = NULL;
  o.ntaps = 0;
  dg_rollout_worker same[2] = {w[0], w[0]};
  same[1].policy = w[1].policy;
  CHECK(dg_rollout_run_parallel(same, 2, &o, NULL, NULL) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "each worker needs its own"));
  CHECK(dg_rollout_run_parallel(w, 0, &o, NULL, NULL) == DG_ERR_INVALID);
  CHECK(dg_rollout_run_parallel(NULL, 2, &o, NULL, NULL) == DG_ERR_INVALID);
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = 7;
  dg_env* other;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &other));
  dg_rollout_worker mixed[2] = {w[0], {other, w[1].policy, NULL, 0}};
  CHECK(dg_rollout_run_parallel(mixed, 2, &o, NULL, NULL) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "differs from worker 0"));
  dg_env_close(&other);
  CHECK(dg_rollout_run_threads(w[0].env, w[0].policy, 0, &o, NULL, NULL) == DG_ERR_INVALID);
  for (int i = 0; i < 2; i++) {
    dg_env_close(&w[i].env);
    dg_policy_close(&w[i].policy);
  }
}

static void test_clone(void) {
  dg_env* env = make_env();
  dg_policy* p = make_noisy();
  dg_policy* c;
  CHECK_OK(dg_policy_clone(p, &c));
  CHECK(strcmp(dg_policy_name(c), dg_policy_name(p)) == 0);
  CHECK(strcmp(dg_policy_kind(c), "noisy") == 0);
  dg_policy* cc;
  CHECK_OK(dg_policy_clone(c, &cc));  // a clone clones too
  dg_policy_close(&p);                // and outlives its original
  double obs[64], a1[16], a2[16], l1[16], l2[16];
  uint64_t s = 3;
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));
  CHECK_OK(dg_policy_reset(c, 9));
  CHECK_OK(dg_policy_reset(cc, 9));
  for (int k = 0; k < 5; k++) {
    CHECK_OK(dg_policy_act(c, obs, env, a1));
    CHECK_OK(dg_policy_act(cc, obs, env, a2));
    CHECK(memcmp(a1, a2, sizeof(double) * 4) == 0);
    CHECK_OK(dg_policy_label(c, l1));
    CHECK_OK(dg_policy_label(cc, l2));
    CHECK(memcmp(l1, l2, sizeof(double) * 4) == 0);
    CHECK(memcmp(a1, l1, sizeof(double) * 4) != 0);  // the noise is there, labels are clean
    dg_step_result r;
    CHECK_OK(dg_env_step(env, a1, obs, &r));
  }
  dg_policy_close(&c);
  dg_policy_close(&cc);
  CHECK(dg_policy_clone(NULL, &c) == DG_ERR_INVALID);
  dg_env_close(&env);
}

int main(void) {
  test_same_episodes();
  test_failures();
  test_clone();
  printf("parallel: ok\n");
  return 0;
}
