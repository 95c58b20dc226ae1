// test_dagger_gate.c: HG-DAgger's gate: the safe-set rule takes over above `enter`, hands back
// only after `hold` calm steps below `leave` (hysteresis) and `min_steps`; a gate with a judge
// asks both policies and returns the chosen one's action; a gated collection labels and stores
// exactly the expert's segments, each as its own demo, with the expert's actions.
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dagger_internal.h"
#include "demogym/dataset.h"
#include "demogym/demogym.h"
#include "demogym/recorder.h"

// the rule alone, on scripted disagreements (the learner's action is d away in component 0)
static void test_rule(void) {
  dg_hg_options o;
  dg_hg_options_default(&o);
  CHECK(o.enter > o.leave && o.hold >= 1);
  o.enter = 0.5, o.leave = 0.2, o.hold = 3, o.min_steps = 0;
  dg_hg_rule r;
  dg_gate_judge j;
  CHECK_OK(dg_hg_rule_init(&r, &o, &j));
  CHECK(j.user == &r && j.choose && j.reset);
  // disagreement per step, and who must act
  const double d[] = {0.1, 0.4, 0.5, 0.6, 0.4, 0.1, 0.1, 0.3, 0.1, 0.1, 0.1, 0.1, 0.45, 0.9};
  const int want[] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1};
  //  0.4 and 0.5 stay below enter (strictly above takes over); in control the expert keeps it
  //  while 0.4 > leave; two calm steps, then 0.3 breaks the run; three calm steps hand back;
  //  0.45 lies between the thresholds: the learner keeps control
  int cur = DG_GATE_LEARNER;
  double la[4] = {0}, ea[4] = {0};
  for (int t = 0; t < (int)(sizeof(d) / sizeof(d[0])); t++) {
    la[0] = d[t];
    cur = dg_hg_rule_choose(&r, cur, la, ea, 4);
    CHECK_MSG(cur == want[t], "step %d (disagreement %g): actor %d, want %d", t, d[t], cur,
              want[t]);
    CHECK_NEAR(r.last_disagreement, d[t], 1e-15);
  }

  // min_steps keeps the expert in control even when calm at once
  o.hold = 1, o.min_steps = 5;
  CHECK_OK(dg_hg_rule_init(&r, &o, NULL));
  cur = DG_GATE_LEARNER;
  la[0] = 1.0;
  cur = dg_hg_rule_choose(&r, cur, la, ea, 4);  // intervention: step 1 of it
  CHECK(cur == DG_GATE_SUPERVISOR);
  la[0] = 0.0;
  for (int t = 2; t <= 5; t++) CHECK(dg_hg_rule_choose(&r, cur, la, ea, 4) == DG_GATE_SUPERVISOR);
  CHECK(dg_hg_rule_choose(&r, cur, la, ea, 4) == DG_GATE_LEARNER);  // the 6th step

  // the Euclidean norm over all components
  CHECK_OK(dg_hg_rule_init(&r, &o, NULL));
  double a[4] = {0.3, 0.4, 0, 0}, b[4] = {0, 0, 0, 0};
  dg_hg_rule_choose(&r, DG_GATE_LEARNER, a, b, 4);
  CHECK_NEAR(r.last_disagreement, 0.5, 1e-15);

  // refused: leave above enter, hold < 1, negative min_steps
  dg_hg_options bad = o;
  bad.leave = 0.9, bad.enter = 0.5;
  CHECK(dg_hg_rule_init(&r, &bad, NULL) == DG_ERR_INVALID);
  bad = o, bad.hold = 0;
  CHECK(dg_hg_rule_init(&r, &bad, NULL) == DG_ERR_INVALID);
  bad = o, bad.min_steps = -1;
  CHECK(dg_hg_rule_init(&r, &bad, NULL) == DG_ERR_INVALID);
}

// a learner that copies the expert for 10 steps, then proposes an action 1 away from the
// expert's (in the gripper) for 10 steps, and so on; it counts its own acts
typedef struct wobbly {
  dg_policy* expert;
  int t;
} wobbly;

static int wobbly_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  wobbly* w = self;
  w->t = 0;
  return dg_policy_reset(w->expert, seed);
}

static int wobbly_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                      size_t errsz) {
  wobbly* w = self;
  int rc = dg_policy_act(w->expert, obs, env, action);
  if (rc) return rc;
  if ((w->t++ / 10) % 2 == 1) action[3] += action[3] >= 0 ? -1.0 : 1.0;
  return DG_OK;
}

static void wobbly_destroy(void* self) {
  wobbly* w = self;
  dg_policy_close(&w->expert);
  free(w);
}

static const dg_policy_impl wobbly_impl = {"wobbly", wobbly_reset, wobbly_act, wobbly_destroy};

static dg_policy* make_wobbly(void) {
  wobbly* w = calloc(1, sizeof(wobbly));
  CHECK(w);
  CHECK_OK(dg_policy_make_expert("Reach-v0", &w->expert));
  dg_policy* p;
  CHECK_OK(dg_policy_create(&wobbly_impl, w, "wobbly", &p));
  return p;
}

// the gate asks both policies when judged and returns the chosen one's proposal
static void test_gate_judge(void) {
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.terminate_on_success = 0;
  eo.max_episode_steps = 60;
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &env));
  dg_policy *learner = make_wobbly(), *expert, *gate;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  CHECK_OK(dg_gate_make(learner, expert, &gate));
  double la[4], ea[4];
  CHECK(dg_gate_last_actions(gate, la, ea) == DG_ERR_STATE);  // no act yet
  dg_hg_options o;
  dg_hg_options_default(&o);
  o.enter = 0.5, o.leave = 0.2, o.hold = 4, o.min_steps = 4;
  dg_hg_rule rule;
  dg_gate_judge j;
  CHECK_OK(dg_hg_rule_init(&rule, &o, &j));
  CHECK_OK(dg_gate_set_judge(gate, &j));
  dg_gate_judge nochoose = {NULL, NULL, NULL};
  CHECK(dg_gate_set_judge(gate, &nochoose) == DG_ERR_INVALID);
  CHECK(dg_gate_set_judge(expert, &j) == DG_ERR_INVALID);  // not a gate

  // the learner strays at steps 10-19, 30-39, 50-59: the expert acts from the first stray step
  // until the learner has agreed for 4 steps (20-23), so at 10-22, 30-42 and 50-59
  double obs[64], next[64], act[4];
  uint64_t seed = 5;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  CHECK_OK(dg_policy_reset(gate, 9));
  for (int t = 0; t < 60; t++) {
    CHECK_OK(dg_policy_act(gate, obs, env, act));
    CHECK_OK(dg_gate_last_actions(gate, la, ea));
    int m = t % 20;
    int want = (t >= 10 && (m >= 10 || m <= 2)) ? DG_GATE_SUPERVISOR : DG_GATE_LEARNER;
    CHECK_MSG(dg_gate_last_actor(gate) == want, "step %d: actor %d, want %d", t,
              dg_gate_last_actor(gate), want);
    CHECK(memcmp(act, want == DG_GATE_SUPERVISOR ? ea : la, sizeof(act)) == 0);
    CHECK_NEAR(la[3], ea[3] + (m >= 10 ? (ea[3] >= 0 ? -1.0 : 1.0) : 0.0), 1e-15);
    dg_step_result r;
    CHECK_OK(dg_env_step(env, act, next, &r));
    memcpy(obs, next, sizeof(obs));
  }
  dg_gate_stats gs;
  CHECK_OK(dg_gate_get_stats(gate, &gs));
  CHECK(gs.interventions == 3 && gs.supervisor_steps == 13 + 13 + 10 && gs.learner_steps == 24);

  // removing the judge: only the actor in control is asked again
  CHECK_OK(dg_gate_set_judge(gate, NULL));
  CHECK_OK(dg_policy_act(gate, obs, env, act));
  CHECK(dg_gate_last_actions(gate, la, ea) == DG_ERR_STATE);
  dg_policy_close(&gate);
  dg_policy_close(&expert);
  dg_policy_close(&learner);
  dg_env_close(&env);
}

// a gated collection stores only the expert's segments, each whole and as its own demo
static void test_gated_collection(void) {
  char dir[] = "/tmp/dg_dagger_gate_XXXXXX";
  CHECK(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof(path), "%s/data.hdf5", dir);
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.terminate_on_success = 0;
  eo.max_episode_steps = 60;
  dg_env* env[2];
  dg_policy *learner[2], *expert[2], *gate[2];
  dg_hg_rule rule[2];
  dg_hg_options o;
  dg_hg_options_default(&o);
  o.enter = 0.5, o.leave = 0.2, o.hold = 4, o.min_steps = 4;
  for (int i = 0; i < 2; i++) {
    dg_gate_judge j;
    CHECK_OK(dg_env_make("Reach-v0", &eo, &env[i]));
    learner[i] = make_wobbly();
    CHECK_OK(dg_policy_make_expert("Reach-v0", &expert[i]));
    CHECK_OK(dg_gate_make(learner[i], expert[i], &gate[i]));
    CHECK_OK(dg_hg_rule_init(&rule[i], &o, &j));
    CHECK_OK(dg_gate_set_judge(gate[i], &j));
  }
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.source = "dagger:1";
  ro.store_labels = 1;
  ro.terminate_on_success = 0;
  dg_rec* rec;
  CHECK_OK(dg_rec_make(path, env[0], &ro, &rec));
  dg_collect_job job = {env, gate, 2, rec, 0, 3, 11, NULL, 0.2, -1};
  dg_collect_stats st;
  CHECK_OK(dg_dagger_collect(&job, &st));
  CHECK_OK(dg_rec_finish(rec));
  dg_rec_close(&rec);
  // 3 episodes of 60 steps, 3 interventions each: 13 + 13 + 10 expert steps
  CHECK(st.episodes == 3 && st.steps == 180);
  CHECK_MSG(st.labels == 3 * 36 && st.expert_steps == 3 * 36, "labels %ld, expert steps %ld",
            st.labels, st.expert_steps);
  CHECK(st.interventions == 9 && st.demos == 9);
  // the expert's last 3 steps of each full intervention come after the learner agrees again
  CHECK_MSG(st.labels_agreeing == 3 * 6, "agreeing labels %ld", st.labels_agreeing);
  CHECK(st.labels_idle >= 0 && st.labels_idle <= st.labels);

  dg_dataset* ds;
  CHECK_OK(dg_dataset_open(path, &ds));
  dg_dataset_info info;
  CHECK_OK(dg_dataset_get_info(ds, &info));
  CHECK(info.ndemos == 9 && info.total == 3 * 36);
  dg_env* check_env;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &check_env));
  dg_policy* oracle;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &oracle));
  for (int i = 0; i < 9; i++) {
    dg_demo d;
    CHECK_OK(dg_dataset_load_demo(ds, i, &d));
    CHECK_MSG(d.n == (i % 3 == 2 ? 10 : 13), "demo %d has %d samples", i, d.n);
    CHECK(d.has_labels && strcmp(d.source, "dagger:1") == 0);
    // segments cut by a hand-back, or by the time limit (the last), end truncated
    CHECK(d.truncated == 1 && d.terminated == 0);
    CHECK(i % 3 == 2 || d.success == 0);  // the last may end in a success state
    // every stored step is the expert's: its action, taken at the stored state
    for (int t = 0; t < d.n; t++) {
      double a[4], obs[64];
      CHECK_OK(dg_env_set_state(check_env, d.states + (size_t)t * d.state_dim, obs));
      CHECK_OK(dg_policy_act(oracle, obs, check_env, a));
      for (int k = 0; k < 4; k++) {
        CHECK(d.actions[t * 4 + k] == d.labels[t * 4 + k]);
        CHECK_NEAR(d.labels[t * 4 + k], a[k], 1e-9);
      }
    }
    dg_demo_free(&d);
  }
  dg_validation v;
  CHECK_OK(dg_dataset_validate(path, &v));
  CHECK_MSG(v.valid, "%s", v.nproblems ? v.problems[0] : "");
  dg_validation_free(&v);
  dg_policy_close(&oracle);
  dg_env_close(&check_env);
  dg_dataset_close(&ds);
  for (int i = 0; i < 2; i++) {
    dg_policy_close(&gate[i]);
    dg_policy_close(&learner[i]);
    dg_policy_close(&expert[i]);
    dg_env_close(&env[i]);
  }
  unlink(path);
  rmdir(dir);
}

int main(void) {
  test_rule();
  test_gate_judge();
  test_gated_collection();
  printf("test_dagger_gate: ok\n");
  return 0;
}
