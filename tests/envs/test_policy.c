// test_policy.c: the policy handle: custom implementations, the noisy expert used for dataset
// diversity (its label is the clean expert action), reproducibility, and refused bad output.
#include <string.h>

#include "helpers.h"

static int nan_act(void* self, const double* obs, const dg_env* env, double* a, char* err,
                   size_t errsz) {
  for (int i = 0; i < 4; i++) a[i] = 0;
  a[2] = NAN;
  return 0;
}

static int big_act(void* self, const double* obs, const dg_env* env, double* a, char* err,
                   size_t errsz) {
  for (int i = 0; i < 4; i++) a[i] = 3.0 * (i - 1.5);
  return 0;
}

static const dg_policy_impl nan_impl = {"nan", NULL, nan_act, NULL};
static const dg_policy_impl big_impl = {"big", NULL, big_act, NULL};

int main(void) {
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  double obs[64], a[4], label[4], clean[4];
  uint64_t s = 5;
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));

  // a policy's output is checked: NaN is an error, out-of-range values are clipped
  dg_policy *p, *q;
  CHECK_OK(dg_policy_create(&nan_impl, NULL, "nan-policy", &p));
  CHECK(dg_policy_label(p, label) == DG_ERR_STATE);
  CHECK(dg_policy_act(p, obs, env, a) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "nan-policy") != NULL);
  dg_policy_close(&p);
  CHECK_OK(dg_policy_create(&big_impl, NULL, NULL, &p));
  CHECK(strcmp(dg_policy_name(p), "big") == 0 && strcmp(dg_policy_kind(p), "big") == 0);
  CHECK_OK(dg_policy_act(p, obs, env, a));
  for (int i = 0; i < 4; i++) CHECK(a[i] >= -1 && a[i] <= 1);
  CHECK_OK(dg_policy_label(p, label));
  CHECK(memcmp(a, label, sizeof(a)) == 0);
  dg_policy_close(&p);

  // noise 0, epsilon 0: the expert itself
  dg_policy* expert;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  CHECK_OK(dg_policy_act(expert, obs, env, clean));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  CHECK_OK(dg_policy_make_noisy(p, 0.0, 0.0, &q));
  CHECK_OK(dg_policy_reset(q, 1));
  CHECK_OK(dg_policy_act(q, obs, env, a));
  CHECK(memcmp(a, clean, sizeof(a)) == 0);
  dg_policy_close(&q);

  // noise: actions differ from the expert's, the label is the clean expert action, and the
  // same seed gives the same noise
  double a2[4];
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  CHECK_OK(dg_policy_make_noisy(p, 0.2, 0.1, &q));
  CHECK(strstr(dg_policy_name(q), "noise") != NULL);
  CHECK_OK(dg_policy_reset(q, 9));
  double dev = 0;
  int random_steps = 0;
  for (int k = 0; k < 400; k++) {
    CHECK_OK(dg_policy_act(q, obs, env, a));
    CHECK_OK(dg_policy_label(q, label));
    CHECK(memcmp(label, clean, sizeof(label)) == 0);
    for (int i = 0; i < 4; i++) CHECK(a[i] >= -1 && a[i] <= 1);
    dev += fabs(a[1] - clean[1]);
    if (fabs(a[0] - clean[0]) > 0.8) random_steps++;
  }
  CHECK(dev / 400 > 0.1);
  CHECK(random_steps > 5 && random_steps < 60);
  CHECK_OK(dg_policy_reset(q, 9));
  CHECK_OK(dg_policy_act(q, obs, env, a2));
  CHECK_OK(dg_policy_reset(q, 9));
  CHECK_OK(dg_policy_act(q, obs, env, a));
  CHECK(memcmp(a, a2, sizeof(a)) == 0);
  dg_policy_close(&q);

  // bad parameters are refused (and the inner policy is freed: ASan checks the leak)
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  CHECK(dg_policy_make_noisy(p, -1.0, 0.0, &q) == DG_ERR_INVALID && q == NULL);
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  CHECK(dg_policy_make_noisy(p, 0.1, 1.5, &q) == DG_ERR_INVALID);
  CHECK(dg_policy_make_expert("Nope-v0", &p) == DG_ERR_NOTFOUND);

  dg_policy_close(&expert);
  dg_env_close(&env);
  printf("policy: ok\n");
  return 0;
}
