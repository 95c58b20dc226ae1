// replay.c: replaying stored actions from stored start states, measuring how far the simulation
// strays from the stored states and observations (0 for demogym's deterministic envs).
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/dataset.h"
#include "internal.h"
#include "recorder_internal.h"

static double max_abs_diff(const double* a, const double* b, int n) {
  double m = 0;
  for (int i = 0; i < n; i++) {
    double d = fabs(a[i] - b[i]);
    if (!(d <= m)) m = d;  // NaN counts as the largest difference
  }
  return m;
}

// replay one demo in env; raise the result's maxima
static int replay_demo(dg_env* env, const dg_demo* d, dg_replay_fn fn, void* user,
                       dg_replay_result* out, double* state, double* obs) {
  int rc = dg_env_set_state(env, d->states, obs);
  if (rc) return rc;
  double err = max_abs_diff(obs, d->obs, d->obs_dim);
  if (err > out->max_obs_error || isnan(err)) out->max_obs_error = err;
  if (fn && (rc = fn(user, d, 0, env)) != 0) return rc;
  for (int t = 0; t < d->n; t++) {
    dg_step_result res;
    rc = dg_env_step(env, d->actions + (size_t)t * d->act_dim, obs, &res);
    if (rc) return rc;
    out->steps++;
    double oe = max_abs_diff(obs, d->next_obs + (size_t)t * d->obs_dim, d->obs_dim);
    if (oe > out->max_obs_error || isnan(oe)) out->max_obs_error = oe;
    if (t + 1 < d->n) {
      dg_env_get_state(env, state);
      double se = max_abs_diff(state, d->states + (size_t)(t + 1) * d->state_dim, d->state_dim);
      if (se > out->max_state_error || isnan(se)) {
        out->max_state_error = se;
        dg_strlcpy(out->worst_demo, d->name, sizeof(out->worst_demo));
      }
      if (res.terminated || res.truncated)
        return dg_fail(NULL, 0, DG_ERR_FORMAT,
                       "%s: the env ended the episode at step %d of %d stored steps", d->name,
                       t + 1, d->n);
    }
    if (fn && (rc = fn(user, d, t + 1, env)) != 0) return rc;
  }
  return DG_OK;
}

int dg_dataset_replay_each(dg_dataset* ds, const char* demo, dg_replay_fn fn, void* user,
                           dg_replay_result* out) {
  if (!ds || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_replay: NULL argument");
  memset(out, 0, sizeof(*out));
  dg_dataset_info info;
  dg_dataset_get_info(ds, &info);
  int only = -1;
  if (demo) {
    for (int i = 0; i < info.ndemos && only < 0; i++)
      if (!strcmp(dg_dataset_demo_name(ds, i), demo)) only = i;
    if (only < 0)
      return dg_fail(NULL, 0, DG_ERR_NOTFOUND, "%s has no demo '%s' (it has demo_0..demo_%d)",
                     dg_dataset_path(ds), demo, info.ndemos - 1);
  }
  dg_env* env = NULL;
  char err[1024];
  int rc = dg_layout_make_env(dg_dataset_layout(ds), &env, err, sizeof(err));
  if (rc) return rc;
  double* state = malloc(sizeof(double) * (size_t)info.state_dim);
  double* obs = malloc(sizeof(double) * (size_t)info.obs_dim);
  if (!state || !obs) rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory replaying");
  for (int i = 0; i < info.ndemos && !rc; i++) {
    if (only >= 0 && i != only) continue;
    dg_demo d;
    rc = dg_dataset_load_demo(ds, i, &d);
    if (rc) break;
    rc = replay_demo(env, &d, fn, user, out, state, obs);
    if (rc && dg_last_errmsg()[0] == 0) dg_fail(NULL, 0, rc, "replaying %s failed", d.name);
    dg_demo_free(&d);
    out->demos++;
  }
  free(state);
  free(obs);
  dg_env_close(&env);
  return rc;
}

int dg_dataset_replay(dg_dataset* ds, const char* demo, dg_replay_result* out) {
  return dg_dataset_replay_each(ds, demo, NULL, NULL, out);
}
