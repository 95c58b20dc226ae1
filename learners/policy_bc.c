// policy_bc.c: a trained model as a dg_policy: normalise the observation, draw an action from the
// class's head, undo the action normalisation.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc_internal.h"
#include "envs/internal.h"

typedef struct bc_policy {
  dg_bc_model* model;     // the policy's own copy, sized for one sample per forward
  dg_bc_sampler sampler;  // its random numbers
  float* obs;             // normalised observation (obs_dim)
} bc_policy;

static int bc_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  bc_policy* p = self;
  dg_bc_sampler_reset(&p->sampler, seed);
  return DG_OK;
}

static int bc_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                  size_t errsz) {
  bc_policy* p = self;
  dg_bc_model* m = p->model;
  if (dg_env_obs_dim(env) != m->obs_dim || dg_env_act_dim(env) != m->act_dim)
    return dg_fail(err, errsz, DG_ERR_INVALID,
                   "the %s policy reads %d and writes %d values; env %s has obs_dim %d, "
                   "act_dim %d",
                   m->cfg.policy_class, m->obs_dim, m->act_dim, dg_env_id(env),
                   dg_env_obs_dim(env), dg_env_act_dim(env));
  dg_bc_act(m, &p->sampler, obs, p->obs, action);
  return DG_OK;
}

static void bc_destroy(void* self) {
  bc_policy* p = self;
  if (!p) return;
  dg_bc_model_close(&p->model);
  dg_bc_sampler_free(&p->sampler);
  free(p->obs);
  free(p);
}

// one implementation table per class, so that dg_policy_kind names the class
#define BC_IMPL(cls) {#cls, bc_reset, bc_act, bc_destroy}
static const dg_policy_impl impls[] = {BC_IMPL(mse), BC_IMPL(gaussian), BC_IMPL(gmm), BC_IMPL(ar),
                                       BC_IMPL(diffusion)};

int dg_bc_policy_make(const dg_bc_model* model, const char* env_id, const char* name,
                      dg_policy** out) {
  if (!model || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_bc_policy_make: NULL argument");
  *out = NULL;
  if (env_id && model->env_name[0] && strcmp(env_id, model->env_name) != 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "the %s model was trained in %s, not %s",
                   model->cfg.policy_class, model->env_name, env_id);
  const dg_policy_impl* impl = NULL;
  for (int i = 0; i < DG_ARRAY_LEN(impls); i++)
    if (strcmp(impls[i].kind, model->cfg.policy_class) == 0) impl = &impls[i];
  if (!impl)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "unknown policy class '%s'", model->cfg.policy_class);
  bc_policy* p = calloc(1, sizeof(bc_policy));
  if (!p) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a policy");
  int rc = dg_bc_model_clone(model, 1, &p->model);
  if (!rc) rc = dg_bc_sampler_init(&p->sampler, model, model->cfg.sampling);
  if (!rc && !(p->obs = calloc((size_t)model->obs_dim, sizeof(float))))
    rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a policy");
  if (rc) {
    bc_destroy(p);
    return rc;
  }
  return dg_policy_create(impl, p, name ? name : model->cfg.policy_class, out);
}

int dg_bc_policy_load(const char* path, const char* env_id, dg_policy** out) {
  if (!path || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_bc_policy_load: NULL argument");
  *out = NULL;
  dg_bc_model* m = NULL;
  int rc = dg_bc_load(path, &m);
  if (rc) return rc;
  const char* base = strrchr(path, '/');
  rc = dg_bc_policy_make(m, env_id, base ? base + 1 : path, out);
  if (rc) {
    // say which file was refused
    char msg[1024];
    snprintf(msg, sizeof(msg), "%s: %s", path, dg_last_errmsg());
    dg_fail_msg(NULL, 0, rc, msg);
  }
  dg_bc_model_close(&m);
  return rc;
}
