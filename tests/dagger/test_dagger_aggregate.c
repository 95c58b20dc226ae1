// test_dagger_aggregate.c: DAgger's aggregation: a mixture rollout appended to a dataset grows
// it by exactly the steps rolled out, every step labelled with the expert's action at its state
// (executed: the expert's or the learner's, as the seeded coin fell, about beta of the time),
// sources tagged dagger:<k>, data/total right, and the same file for 1 and 2 workers; a stalled
// learner's steps beyond max_idle left out; and the
// compounding-error curves of the expert against itself are exactly zero while a biased learner's
// drift grows.
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dagger_internal.h"
#include "demogym/dataset.h"
#include "demogym/demogym.h"
#include "demogym/recorder.h"

// a learner that always proposes the same action: a steady push along +y with the gripper open
static int steady_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                      size_t errsz) {
  action[0] = 0.0, action[1] = 0.6, action[2] = 0.0, action[3] = -1.0;
  return DG_OK;
}
static const dg_policy_impl steady_impl = {"steady", NULL, steady_act, NULL};

// record 3 expert demos into path, then append a beta = 0.5 mixture rollout of 4 episodes
// (source dagger:2) with `workers` workers; return what the collection counted
static dg_collect_stats aggregate(const char* path, int workers, long* samples_before) {
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = 40;
  dg_env* env[2];
  dg_policy *learner[2], *expert[2], *gate[2];
  dg_mixture mix[2];
  for (int i = 0; i < 2; i++) {
    dg_gate_judge j;
    CHECK_OK(dg_env_make("Reach-v0", &eo, &env[i]));
    CHECK_OK(dg_policy_create(&steady_impl, NULL, "steady", &learner[i]));
    CHECK_OK(dg_policy_make_expert("Reach-v0", &expert[i]));
    CHECK_OK(dg_gate_make(learner[i], expert[i], &gate[i]));
    dg_mixture_init(&mix[i], 0.5, &j);
    CHECK_OK(dg_gate_set_judge(gate[i], &j));
  }
  // the initial demos
  dg_rec* rec;
  dg_rec_tap* tap;
  CHECK_OK(dg_rec_make(path, env[0], NULL, &rec));
  CHECK_OK(dg_rec_tap_make(rec, env[0], NULL, &tap));
  dg_rollout_options ro;
  dg_rollout_options_default(&ro);
  ro.episodes = 3;
  ro.taps = dg_rec_tap_get(tap);
  ro.ntaps = 1;
  CHECK_OK(dg_rollout_run(env[0], expert[0], &ro, NULL, NULL));
  CHECK_OK(dg_rec_finish(rec));
  dg_rec_stats rs;
  dg_rec_get_stats(rec, &rs);
  *samples_before = rs.samples_total;
  dg_rec_tap_close(&tap);
  dg_rec_close(&rec);
  // the DAgger iteration, appended
  dg_rec_options o;
  dg_rec_options_default(&o);
  o.mode = DG_REC_APPEND;
  o.source = "dagger:2";
  o.store_labels = 1;
  CHECK_OK(dg_rec_make(path, env[0], &o, &rec));
  dg_collect_job job = {env, gate, workers, rec, 1, 4, 77, NULL, 0.2, -1};
  dg_collect_stats st;
  CHECK_OK(dg_dagger_collect(&job, &st));
  CHECK_OK(dg_rec_finish(rec));
  dg_rec_get_stats(rec, &rs);
  CHECK(rs.samples_total == *samples_before + st.labels && rs.demos_written == 4);
  dg_rec_close(&rec);
  for (int i = 0; i < 2; i++) {
    dg_policy_close(&gate[i]);
    dg_policy_close(&learner[i]);
    dg_policy_close(&expert[i]);
    dg_env_close(&env[i]);
  }
  return st;
}

static void test_aggregation(void) {
  char dir[] = "/tmp/dg_dagger_agg_XXXXXX";
  CHECK(mkdtemp(dir));
  char a[256], b[256];
  snprintf(a, sizeof(a), "%s/one.hdf5", dir);
  snprintf(b, sizeof(b), "%s/two.hdf5", dir);
  long before = 0, before2 = 0;
  dg_collect_stats st = aggregate(a, 1, &before);
  // every step labelled, one demo per episode
  CHECK(st.episodes == 4 && st.demos == 4 && st.labels == st.steps && st.steps > 0);
  CHECK(st.expert_steps > 0 && st.expert_steps < st.steps);
  CHECK(st.labels_agreeing >= 0 && st.labels_agreeing < st.labels);
  CHECK(st.labels_idle >= 0 && st.labels_idle < st.labels);

  dg_dataset* ds;
  CHECK_OK(dg_dataset_open(a, &ds));
  dg_dataset_info info;
  CHECK_OK(dg_dataset_get_info(ds, &info));
  CHECK(info.ndemos == 7);
  CHECK_MSG(info.total == before + st.steps, "total %ld, want %ld + %ld", info.total, before,
            st.steps);
  dg_samples s;
  CHECK_OK(dg_dataset_load_samples(ds, NULL, &s));
  CHECK(s.n == info.total);
  dg_samples_free(&s);

  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = 40;
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &env));
  dg_policy* oracle;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &oracle));
  long steps = 0, by_expert = 0;
  for (int i = 0; i < 7; i++) {
    dg_demo d;
    CHECK_OK(dg_dataset_load_demo(ds, i, &d));
    CHECK(strcmp(d.source, i < 3 ? "expert" : "dagger:2") == 0);
    if (i < 3) {
      dg_demo_free(&d);
      continue;
    }
    CHECK(d.has_labels && d.episode == i - 3);
    steps += d.n;
    for (int t = 0; t < d.n; t++) {
      double e[4], obs[64];
      CHECK_OK(dg_env_set_state(env, d.states + (size_t)t * d.state_dim, obs));
      CHECK_OK(dg_policy_act(oracle, obs, env, e));
      const double* act = d.actions + t * 4;
      const double* lab = d.labels + t * 4;
      for (int k = 0; k < 4; k++) CHECK_NEAR(lab[k], e[k], 1e-9);  // the expert's label
      // executed: the expert's action, or the learner's steady one
      int expert_acted = memcmp(act, lab, sizeof(double) * 4) == 0;
      int learner_acted = act[0] == 0.0 && act[1] == 0.6 && act[2] == 0.0 && act[3] == -1.0;
      CHECK(expert_acted || learner_acted);
      by_expert += expert_acted && !learner_acted;
    }
    dg_demo_free(&d);
  }
  CHECK(steps == st.steps);
  CHECK_MSG(by_expert <= st.expert_steps && by_expert >= st.expert_steps - 2,
            "expert-executed steps %ld, counted %ld", by_expert, st.expert_steps);
  CHECK_MSG(st.expert_steps > 0.3 * st.steps && st.expert_steps < 0.7 * st.steps,
            "beta 0.5 executed the expert at %ld of %ld steps", st.expert_steps, st.steps);
  dg_dataset_close(&ds);

  // the same file whatever the number of workers
  dg_collect_stats st2 = aggregate(b, 2, &before2);
  CHECK(st2.steps == st.steps && st2.expert_steps == st.expert_steps && before2 == before);
  char ha[65], hb[65];
  CHECK_OK(dg_dataset_checksum(a, ha));
  CHECK_OK(dg_dataset_checksum(b, hb));
  CHECK_MSG(strcmp(ha, hb) == 0, "1 worker %s, 2 workers %s", ha, hb);
  dg_validation v;
  CHECK_OK(dg_dataset_validate(a, &v));
  CHECK_MSG(v.valid, "%s", v.nproblems ? v.problems[0] : "");
  dg_validation_free(&v);

  dg_policy_close(&oracle);
  dg_env_close(&env);
  unlink(a);
  unlink(b);
  rmdir(dir);
}

// a stalled learner's steps beyond max_idle are not aggregated: the learner pushes into the
// workspace's edge and stands there; the capped run stores the uncapped run's steps less the
// stall's tail, in segments
static void collect_stall(const char* path, int max_idle, dg_collect_stats* st) {
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = 50;
  dg_env* env;
  dg_policy *learner, *expert, *gate;
  dg_mixture mix;
  dg_gate_judge j;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &env));
  CHECK_OK(dg_policy_create(&steady_impl, NULL, "steady", &learner));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  CHECK_OK(dg_gate_make(learner, expert, &gate));
  dg_mixture_init(&mix, 0.0, &j);
  CHECK_OK(dg_gate_set_judge(gate, &j));
  dg_rec_options o;
  dg_rec_options_default(&o);
  o.store_labels = 1;
  dg_rec* rec;
  CHECK_OK(dg_rec_make(path, env, &o, &rec));
  dg_collect_job job = {&env, &gate, 1, rec, 1, 2, 5, NULL, 0.2, max_idle};
  CHECK_OK(dg_dagger_collect(&job, st));
  CHECK_OK(dg_rec_finish(rec));
  dg_rec_close(&rec);
  dg_policy_close(&gate);
  dg_policy_close(&learner);
  dg_policy_close(&expert);
  dg_env_close(&env);
}

static void test_idle_cap(void) {
  char dir[] = "/tmp/dg_dagger_idle_XXXXXX";
  CHECK(mkdtemp(dir));
  char a[256], b[256];
  snprintf(a, sizeof(a), "%s/all.hdf5", dir);
  snprintf(b, sizeof(b), "%s/capped.hdf5", dir);
  dg_collect_stats all, capped;
  collect_stall(a, -1, &all);
  collect_stall(b, 2, &capped);
  CHECK(all.steps == 100 && all.labels == 100 && all.demos == 2);
  CHECK_MSG(all.labels_idle > 10, "the steady learner stalled only %ld steps", all.labels_idle);
  // from the uncapped run's stored steps: which the cap keeps
  dg_dataset* ds;
  CHECK_OK(dg_dataset_open(a, &ds));
  long want = 0, want_idle = 0;
  for (int i = 0; i < 2; i++) {
    dg_demo d;
    CHECK_OK(dg_dataset_load_demo(ds, i, &d));
    int idle = 0;
    for (int t = 0; t < d.n; t++) {
      double m = 0;
      for (int k = 0; k < 3; k++) {
        double dd = d.next_obs[t * d.obs_dim + k] - d.obs[t * d.obs_dim + k];  // eef_pos first
        m += dd * dd;
      }
      idle = sqrt(m) < DG_COLLECT_IDLE ? idle + 1 : 0;
      if (idle <= 2) want++, want_idle += idle > 0;
    }
    dg_demo_free(&d);
  }
  dg_dataset_close(&ds);
  CHECK_MSG(capped.labels == want && capped.labels_idle == want_idle,
            "capped: %ld labels (%ld idle), want %ld (%ld)", capped.labels, capped.labels_idle,
            want, want_idle);
  CHECK(capped.steps == 100 && capped.labels < all.labels);
  dg_validation v;
  CHECK_OK(dg_dataset_validate(b, &v));
  CHECK_MSG(v.valid, "%s", v.nproblems ? v.problems[0] : "");
  CHECK(v.samples == want);
  dg_validation_free(&v);
  unlink(a);
  unlink(b);
  rmdir(dir);
}

// the expert against itself drifts nowhere; a learner pushing steadily sideways drifts away
static void test_compounding(void) {
  dg_compounding_options o;
  dg_compounding_options_default(&o);
  o.episodes = 3;
  o.horizon = 30;
  o.seed = 4;
  dg_policy* expert;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  dg_compounding_curve c;
  CHECK_OK(dg_compounding_run("Reach-v0", expert, &o, &c));
  CHECK(c.horizon == 30 && c.episodes == 3 && c.obj_dist == NULL && c.object_key[0] == 0);
  // both end at the same step (success); the error is counted while they run
  CHECK(c.n_own[0] == 3 && c.n_own[29] == 0);
  for (int t = 0; t < 30; t++) {
    CHECK(c.eef_dist[t] == 0.0);
    CHECK(c.alive[t] == c.n_own[t] && c.n_own[t] == c.n_expert[t]);
    CHECK(c.n_own[t] ? c.err_own[t] == 0.0 && c.err_expert[t] == 0.0
                     : isnan(c.err_own[t]) && isnan(c.err_expert[t]));
  }
  CHECK(c.learner_success == 1.0 && c.expert_success == 1.0);
  dg_compounding_curve_free(&c);
  dg_compounding_curve_free(&c);  // twice is harmless

  dg_policy* steady;
  CHECK_OK(dg_policy_create(&steady_impl, NULL, "steady", &steady));
  CHECK_OK(dg_compounding_run("Reach-v0", steady, &o, &c));
  CHECK(c.eef_dist[0] == 0.0);  // the same start
  CHECK_MSG(c.eef_dist[10] > c.eef_dist[2] && c.eef_dist[2] > 0, "drift %g at 2, %g at 10",
            c.eef_dist[2], c.eef_dist[10]);
  CHECK(c.learner_success == 0.0 && c.expert_success == 1.0);
  // the learner runs the whole horizon, the expert ends early and keeps its last state
  for (int t = 0; t < 30; t++) CHECK(c.n_own[t] == 3 && c.err_own[t] > 0);
  CHECK(c.n_expert[0] == 3 && c.n_expert[29] == 0 && c.alive[29] == 0);
  CHECK(c.eef_dist[29] > c.eef_dist[10]);
  dg_compounding_curve_free(&c);

  // an unknown object key is refused, naming it
  o.object_key = "cube_pos";
  CHECK(dg_compounding_run("Reach-v0", expert, &o, &c) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "cube_pos") != NULL);
  dg_policy_close(&steady);
  dg_policy_close(&expert);
}

int main(void) {
  test_aggregation();
  test_idle_cap();
  test_compounding();
  printf("test_dagger_aggregate: ok\n");
  return 0;
}
