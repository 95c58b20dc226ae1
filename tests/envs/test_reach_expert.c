// test_reach_expert.c: Reach-v0's scripted expert succeeds on at least 99% of 200 seeds, and it
// is state-based: its action depends only on the current state, so it can label any state.
#include <string.h>

#include "helpers.h"

static void success_rate(void) {
  dg_env* env;
  dg_policy* expert;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = 200;
  o.seed = 0;
  dg_rollout_summary sum;
  CHECK_OK(dg_rollout_run(env, expert, &o, NULL, &sum));
  printf("Reach-v0 expert: %d/%d successes, mean length %.1f\n", sum.successes, sum.episodes,
         sum.mean_length);
  CHECK_MSG(sum.success_rate >= 0.99, "success rate %.3f", sum.success_rate);
  dg_policy_close(&expert);
  dg_env_close(&env);
}

// the expert's action at a state is the same whatever history led there
static void state_based(void) {
  dg_env *a, *b;
  dg_policy* expert;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &a));
  CHECK_OK(dg_env_make("Reach-v0", NULL, &b));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  int n = dg_env_state_dim(a);
  double* state = malloc(sizeof(double) * n);
  double oa[64], ob[64], act_a[4], act_b[4], act_b2[4];
  uint64_t s = 21, s2 = 500;
  CHECK_OK(dg_env_reset(a, &s, oa, NULL));
  CHECK_OK(dg_policy_reset(expert, 1));
  double wander[4] = {-1, 1, 0.5, 0};
  dg_step_result r;
  for (int k = 0; k < 6; k++) CHECK_OK(dg_env_step(a, wander, oa, &r));  // off the expert's path
  CHECK_OK(dg_policy_act(expert, oa, a, act_a));
  CHECK_OK(dg_env_get_state(a, state));
  CHECK_OK(dg_env_reset(b, &s2, ob, NULL));
  CHECK_OK(dg_policy_reset(expert, 2));
  CHECK_OK(dg_env_set_state(b, state, ob));
  CHECK_OK(dg_policy_act(expert, ob, b, act_b));
  CHECK_OK(dg_policy_act(expert, ob, b, act_b2));
  CHECK(memcmp(act_a, act_b, sizeof(act_a)) == 0);
  CHECK(memcmp(act_b, act_b2, sizeof(act_b)) == 0);
  // an expert for one task refuses to act in another task's env (when there is another)
  free(state);
  dg_policy_close(&expert);
  dg_env_close(&a), dg_env_close(&b);
}

int main(void) {
  success_rate();
  state_based();
  return 0;
}
