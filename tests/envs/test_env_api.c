// test_env_api.c: the env handle's contract: registry, unknown ids, options, spaces, keys, close.
#include <math.h>
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"

static void unknown_id_lists_known_ids(void) {
  dg_env* env = (dg_env*)0x1;
  int rc = dg_env_make("NoSuchEnv-v9", NULL, &env);
  CHECK(rc == DG_ERR_NOTFOUND);
  CHECK(env == NULL);
  const char* msg = dg_last_errmsg();
  CHECK_MSG(strstr(msg, "NoSuchEnv-v9") != NULL, "message: %s", msg);
  for (int i = 0; i < dg_env_registry_count(); i++)
    CHECK_MSG(strstr(msg, dg_env_registry_id(i)) != NULL, "message lacks %s: %s",
              dg_env_registry_id(i), msg);
  CHECK(dg_env_make(NULL, NULL, &env) == DG_ERR_INVALID);
  CHECK(dg_env_make("Reach-v0", NULL, NULL) == DG_ERR_INVALID);
}

static void close_is_safe(void) {
  dg_env_close(NULL);
  dg_policy_close(NULL);
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  dg_env_close(&env);
  CHECK(env == NULL);
  dg_env_close(&env);  // closing twice is a no-op
  dg_policy* p;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  dg_policy_close(&p);
  CHECK(p == NULL);
  dg_policy_close(&p);
}

static void bad_options_are_refused(void) {
  dg_env_options o;
  dg_env_options_default(&o);
  o.render_width = 0;
  dg_env* env = NULL;
  CHECK(dg_env_make("Reach-v0", &o, &env) == DG_ERR_INVALID && env == NULL);
  dg_env_options_default(&o);
  o.max_episode_steps = -5;
  CHECK(dg_env_make("Reach-v0", &o, &env) == DG_ERR_INVALID && env == NULL);
  dg_env_options_default(&o);
  o.render_camera = "no_such_camera";
  CHECK(dg_env_make("Reach-v0", &o, &env) == DG_ERR_NOTFOUND && env == NULL);
  CHECK(strstr(dg_last_errmsg(), "no_such_camera") != NULL);
}

static void registry_is_sorted_and_complete(void) {
  int n = dg_env_registry_count();
  CHECK(n >= 1);
  for (int i = 1; i < n; i++) CHECK(strcmp(dg_env_registry_id(i - 1), dg_env_registry_id(i)) < 0);
  CHECK(dg_env_registry_id(n) == NULL);
  CHECK(dg_env_registry_id(-1) == NULL);
}

static void spaces_and_keys(const char* id) {
  dg_env* env;
  CHECK_OK(dg_env_make(id, NULL, &env));
  CHECK(strcmp(dg_env_id(env), id) == 0);
  dg_box a = dg_env_action_space(env);
  CHECK(a.dim == dg_env_act_dim(env) && a.dim == 4);
  for (int i = 0; i < a.dim; i++) CHECK(a.low[i] == -1.0 && a.high[i] == 1.0);
  dg_box o = dg_env_observation_space(env);
  CHECK(o.dim == dg_env_obs_dim(env) && o.dim > 0);
  // keys tile the observation vector in order, with distinct names
  int off = 0;
  for (int k = 0; k < dg_env_obs_key_count(env); k++) {
    const dg_obs_key* key = dg_env_obs_key(env, k);
    CHECK(key && key->offset == off && key->size > 0);
    for (int j = 0; j < k; j++) CHECK(strcmp(dg_env_obs_key(env, j)->name, key->name) != 0);
    off += key->size;
  }
  CHECK(off == o.dim);
  CHECK(dg_env_obs_key(env, dg_env_obs_key_count(env)) == NULL);
  // about 20 Hz control, render_fps = 1 / dt
  CHECK(dg_env_dt(env) > 0.03 && dg_env_dt(env) < 0.07);
  CHECK_NEAR(dg_env_render_fps(env) * dg_env_dt(env), 1.0, 1e-12);
  CHECK(dg_env_max_episode_steps(env) > 0);
  CHECK(dg_env_state_dim(env) > dg_env_obs_dim(env) / 2);
  dg_env_close(&env);
}

static void step_before_reset_and_after_end(void) {
  dg_env_options o;
  dg_env_options_default(&o);
  o.max_episode_steps = 3;
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env));
  double obs[64], act[4] = {0, 0, 0, 0};
  dg_step_result r;
  CHECK(dg_env_step(env, act, obs, &r) == DG_ERR_STATE);
  CHECK(strstr(dg_env_errmsg(env), "reset") != NULL);
  uint64_t seed = 1;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  for (int t = 0; t < 3; t++) CHECK_OK(dg_env_step(env, act, obs, &r));
  CHECK(r.truncated);
  CHECK(dg_env_step(env, act, obs, &r) == DG_ERR_STATE);
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  CHECK_OK(dg_env_step(env, act, obs, &r));
  dg_env_close(&env);
}

int main(void) {
  unknown_id_lists_known_ids();
  close_is_safe();
  bad_options_are_refused();
  registry_is_sorted_and_complete();
  for (int i = 0; i < dg_env_registry_count(); i++) spaces_and_keys(dg_env_registry_id(i));
  step_before_reset_and_after_end();
  printf("env api: ok\n");
  return 0;
}
