// policy.c: the policy handle around an implementation, and the scripted experts as policies.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/policy.h"
#include "env_internal.h"
#include "internal.h"

struct dg_policy {
  const dg_policy_impl* impl;
  void* self;
  char name[256];
  char errmsg[DG_ERRMSG_SIZE];
};

int dg_policy_create(const dg_policy_impl* impl, void* self, const char* name, dg_policy** out) {
  if (!out || !impl || !impl->act) {
    if (impl && impl->destroy) impl->destroy(self);
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_create: out, impl or impl->act is NULL");
  }
  *out = NULL;
  dg_policy* p = calloc(1, sizeof(dg_policy));
  if (!p) {
    if (impl->destroy) impl->destroy(self);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a policy");
  }
  p->impl = impl;
  p->self = self;
  dg_strlcpy(p->name, name ? name : impl->kind, sizeof(p->name));
  *out = p;
  return DG_OK;
}

void dg_policy_close(dg_policy** handle) {
  if (!handle || !*handle) return;
  dg_policy* policy = *handle;
  *handle = NULL;
  if (policy->impl->destroy) policy->impl->destroy(policy->self);
  free(policy);
}

const char* dg_policy_name(const dg_policy* policy) { return policy->name; }
const char* dg_policy_kind(const dg_policy* policy) { return policy->impl->kind; }
const char* dg_policy_errmsg(const dg_policy* policy) { return policy ? policy->errmsg : ""; }
void* dg_policy_self(const dg_policy* policy) { return policy->self; }

int dg_policy_reset(dg_policy* policy, uint64_t seed) {
  if (!policy) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_reset: policy is NULL");
  if (!policy->impl->reset) return DG_OK;
  policy->errmsg[0] = 0;
  int rc = policy->impl->reset(policy->self, seed, policy->errmsg, sizeof(policy->errmsg));
  if (rc) return dg_fail_msg(NULL, 0, rc, policy->errmsg[0] ? policy->errmsg : dg_strerror(rc));
  return DG_OK;
}

int dg_policy_act(dg_policy* policy, const double* obs, const dg_env* env, double* action) {
  if (!policy || !obs || !env || !action)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_act: NULL argument");
  policy->errmsg[0] = 0;
  int rc = policy->impl->act(policy->self, obs, env, action, policy->errmsg,
                             sizeof(policy->errmsg));
  if (rc) return dg_fail_msg(NULL, 0, rc, policy->errmsg[0] ? policy->errmsg : dg_strerror(rc));
  int n = dg_env_act_dim(env);
  for (int i = 0; i < n; i++) {
    if (!isfinite(action[i]))
      return dg_fail(policy->errmsg, sizeof(policy->errmsg), DG_ERR_INVALID,
                     "policy %s produced a non-finite action[%d]", policy->name, i);
    if (action[i] > 1.0) action[i] = 1.0;
    if (action[i] < -1.0) action[i] = -1.0;
  }
  return DG_OK;
}

// --- scripted experts -----------------------------------------------------------------------

typedef struct expert {
  const dg_task* task;
  void* state;  // the task's per-episode expert state (task->expert_size bytes)
} expert;

static int expert_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  expert* e = self;
  if (e->task->expert_reset) e->task->expert_reset(e->state, seed);
  return DG_OK;
}

static int expert_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                      size_t errsz) {
  expert* e = self;
  if (env->task != e->task)
    return dg_fail(err, errsz, DG_ERR_INVALID, "the expert of %s cannot act in %s", e->task->id,
                   env->task->id);
  if (env->phase == 0)
    return dg_fail(err, errsz, DG_ERR_STATE, "the expert of %s acts in a reset env",
                   e->task->id);
  e->task->expert_act(e->state, env, env->ctx, obs, action);
  return DG_OK;
}

static void expert_destroy(void* self) {
  expert* e = self;
  if (!e) return;
  free(e->state);
  free(e);
}

static const dg_policy_impl expert_impl = {"expert", expert_reset, expert_act, expert_destroy};

int dg_policy_make_expert(const char* env_id, dg_policy** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_make_expert: out is NULL");
  *out = NULL;
  const dg_task* task = env_id ? dg_task_find(env_id) : NULL;
  if (!task)
    return dg_fail(NULL, 0, DG_ERR_NOTFOUND, "no expert for unknown env id '%s'",
                   env_id ? env_id : "(null)");
  expert* e = calloc(1, sizeof(expert));
  if (!e) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making an expert");
  e->task = task;
  e->state = calloc(1, task->expert_size ? task->expert_size : 1);
  if (!e->state) {
    free(e);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making an expert");
  }
  return dg_policy_create(&expert_impl, e, "expert", out);
}
