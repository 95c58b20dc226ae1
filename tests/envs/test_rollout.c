// test_rollout.c: the rollout driver: seeded runs repeat, a run split into parts equals the whole,
// taps see every transition in order with the env at the right state, a failing tap or a stop
// request ends the run with its status, and the Wilson interval is right.
#include <string.h>

#include "helpers.h"

typedef struct counter {
  int begins, befores, afters, ends;
  int obs_dim;
  int mismatches;
  int fail_at;  // after_step count at which to fail (0: never)
  const volatile int* stop_src;
  volatile int* stop;
  int stop_at;
} counter;

static int on_begin(void* u, int ep, uint64_t seed, dg_env* env, const double* obs) {
  counter* c = u;
  c->begins++;
  double now[64];
  dg_env_observe(env, now);
  if (memcmp(now, obs, sizeof(double) * c->obs_dim)) c->mismatches++;
  return 0;
}

static int on_before(void* u, dg_env* env, const double* obs, const double* action) {
  counter* c = u;
  c->befores++;
  double now[64];
  dg_env_observe(env, now);  // the env is still at the state obs came from
  if (memcmp(now, obs, sizeof(double) * c->obs_dim)) c->mismatches++;
  return 0;
}

static int on_after(void* u, dg_env* env, const double* obs, const double* action,
                    const double* next, const dg_step_result* r) {
  counter* c = u;
  c->afters++;
  double now[64];
  dg_env_observe(env, now);
  if (memcmp(now, next, sizeof(double) * c->obs_dim)) c->mismatches++;
  if (c->fail_at && c->afters == c->fail_at) {
    dg_set_last_errmsg("tap refuses");
    return DG_ERR_IO;
  }
  if (c->stop && c->afters == c->stop_at) *c->stop = 1;
  return 0;
}

static int on_end(void* u, dg_env* env, const dg_episode_stats* st) {
  ((counter*)u)->ends++;
  return 0;
}

static dg_tap make_tap(counter* c) {
  dg_tap t = {c, on_begin, on_before, on_after, on_end};
  return t;
}

static void run(dg_env* env, dg_policy* p, int episodes, int first, uint64_t seed,
                dg_episode_stats* st, counter* c) {
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = episodes;
  o.first_episode = first;
  o.seed = seed;
  dg_tap tap = make_tap(c);
  o.taps = &tap;
  o.ntaps = 1;
  CHECK_OK(dg_rollout_run(env, p, &o, st, NULL));
}

int main(void) {
  dg_env* env;
  dg_policy* p;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  int od = dg_env_obs_dim(env);

  // a seeded run repeats; taps see every transition with the env in the right state
  dg_episode_stats a[10], b[10], parts[10];
  counter ca = {0}, cb = {0}, cp = {0};
  ca.obs_dim = cb.obs_dim = cp.obs_dim = od;
  run(env, p, 10, 0, 123, a, &ca);
  run(env, p, 10, 0, 123, b, &cb);
  CHECK(memcmp(a, b, sizeof(a)) == 0);
  int steps = 0;
  for (int i = 0; i < 10; i++) steps += a[i].length;
  CHECK(ca.begins == 10 && ca.ends == 10 && ca.befores == steps && ca.afters == steps);
  CHECK(ca.mismatches == 0);

  // a run split in two parts gives the same episodes as the whole
  run(env, p, 4, 0, 123, parts, &cp);
  run(env, p, 6, 4, 123, parts + 4, &cp);
  CHECK(memcmp(a, parts, sizeof(a)) == 0);
  for (int i = 0; i < 10; i++) CHECK(a[i].index == i);
  // another base seed gives other episodes
  counter cc = {0};
  cc.obs_dim = od;
  run(env, p, 10, 0, 124, b, &cc);
  CHECK(a[0].seed != b[0].seed);

  // a failing tap ends the run with its status and message
  counter cf = {0};
  cf.obs_dim = od;
  cf.fail_at = 3;
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = 5;
  dg_tap tap = make_tap(&cf);
  o.taps = &tap;
  o.ntaps = 1;
  dg_rollout_summary sum;
  CHECK(dg_rollout_run(env, p, &o, NULL, &sum) == DG_ERR_IO);
  CHECK(strcmp(dg_last_errmsg(), "tap refuses") == 0);
  CHECK(cf.afters == 3 && sum.episodes == 0);

  // a stop request ends the run after the current step
  volatile int stop = 0;
  counter cs = {0};
  cs.obs_dim = od;
  cs.stop = &stop;
  cs.stop_at = 15;
  tap = make_tap(&cs);
  o.taps = &tap;
  o.stop = &stop;
  o.episodes = 50;
  CHECK(dg_rollout_run(env, p, &o, NULL, &sum) == DG_ERR_INTERRUPTED);
  CHECK(cs.afters == 15);

  // Wilson score intervals (95%), checked against published values
  double lo, hi;
  dg_wilson_interval(0, 10, 1.959963984540054, &lo, &hi);
  CHECK_NEAR(lo, 0.0, 1e-12);
  CHECK_NEAR(hi, 0.2775, 1e-4);
  dg_wilson_interval(5, 10, 1.959963984540054, &lo, &hi);
  CHECK_NEAR(lo, 0.2366, 1e-4);
  CHECK_NEAR(hi, 0.7634, 1e-4);
  dg_wilson_interval(200, 200, 1.959963984540054, &lo, &hi);
  CHECK_NEAR(lo, 0.9812, 1e-4);
  CHECK_NEAR(hi, 1.0, 1e-12);
  dg_wilson_interval(0, 0, 1.96, &lo, &hi);
  CHECK(lo == 0 && hi == 1);

  // summaries
  dg_episode_stats st[3] = {{0}};
  st[0].success = 1, st[0].ret = 1.0, st[0].length = 10;
  st[1].success = 0, st[1].ret = 3.0, st[1].length = 20;
  st[2].success = 1, st[2].ret = 2.0, st[2].length = 30;
  dg_rollout_summarize(st, 3, &sum);
  CHECK(sum.successes == 2 && sum.total_steps == 60);
  CHECK_NEAR(sum.mean_return, 2.0, 1e-12);
  CHECK_NEAR(sum.std_return, 1.0, 1e-12);
  CHECK_NEAR(sum.mean_length, 20.0, 1e-12);

  dg_policy_close(&p);
  dg_env_close(&env);
  printf("rollout: ok\n");
  return 0;
}
