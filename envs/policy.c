// policy.c: the policy handle around an implementation, and the scripted experts as policies.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/policy.h"
#include "demogym/rng.h"
#include "env_internal.h"
#include "internal.h"

struct dg_policy {
  const dg_policy_impl* impl;
  void* self;
  char name[256];
  char errmsg[DG_ERRMSG_SIZE];
  double label[DG_MAX_ACT_DIM];  // the clean label of the last action
  int label_dim;                 // 0 before the first act
  dg_policy_clone_fn clone;      // copies self for dg_policy_clone. Nullable
};

static const dg_policy_impl noisy_impl;
static void noisy_label(const void* self, double* label, int n);

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

int dg_policy_set_clone(dg_policy* policy, dg_policy_clone_fn fn) {
  if (!policy) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_set_clone: policy is NULL");
  policy->clone = fn;
  return DG_OK;
}

int dg_policy_clone(const dg_policy* policy, dg_policy** out) {
  if (!policy || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_clone: NULL argument");
  *out = NULL;
  if (!policy->clone)
    return dg_fail(NULL, 0, DG_ERR_UNSUPPORTED,
                   "policy %s (class %s) cannot be copied for another thread: its class sets no "
                   "clone function (dg_policy_set_clone)",
                   policy->name, policy->impl->kind);
  void* self = NULL;
  char err[DG_ERRMSG_SIZE] = "";
  int rc = policy->clone(policy->self, &self, err, sizeof(err));
  if (rc) return dg_fail(NULL, 0, rc, "cannot copy policy %s: %s", policy->name,
                         err[0] ? err : dg_strerror(rc));
  rc = dg_policy_create(policy->impl, self, policy->name, out);
  if (rc) return rc;
  (*out)->clone = policy->clone;
  memcpy((*out)->label, policy->label, sizeof(policy->label));
  (*out)->label_dim = policy->label_dim;
  return DG_OK;
}

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
  if (policy->impl == &noisy_impl) {
    noisy_label(policy->self, policy->label, n);
  } else {
    memcpy(policy->label, action, sizeof(double) * n);
  }
  policy->label_dim = n;
  return DG_OK;
}

int dg_policy_label(const dg_policy* policy, double* label) {
  if (!policy || !label) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_label: NULL argument");
  if (!policy->label_dim)
    return dg_fail(NULL, 0, DG_ERR_STATE, "policy %s has not acted yet", policy->name);
  memcpy(label, policy->label, sizeof(double) * policy->label_dim);
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

static int expert_clone(const void* self, void** out, char* err, size_t errsz) {
  const expert* e = self;
  expert* c = calloc(1, sizeof(expert));
  size_t size = e->task->expert_size ? e->task->expert_size : 1;
  if (c) c->state = malloc(size);
  if (!c || !c->state) {
    free(c);
    return dg_fail(err, errsz, DG_ERR_NOMEM, "out of memory copying an expert");
  }
  c->task = e->task;
  memcpy(c->state, e->state, size);
  *out = c;
  return DG_OK;
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
  int rc = dg_policy_create(&expert_impl, e, "expert", out);
  if (rc == DG_OK) dg_policy_set_clone(*out, expert_clone);
  return rc;
}

// --- exploration noise around another policy -------------------------------------------------

typedef struct noisy {
  dg_policy* inner;
  double noise;
  double epsilon;
  dg_rng rng;
  double clean[DG_MAX_ACT_DIM];
} noisy;

static int noisy_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  noisy* p = self;
  dg_rng_seed(&p->rng, dg_seed_derive(seed, 0x6e6f697365ULL, 0));
  int rc = dg_policy_reset(p->inner, seed);
  if (rc) dg_strlcpy(err, dg_policy_errmsg(p->inner), errsz);
  return rc;
}

static int noisy_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                     size_t errsz) {
  noisy* p = self;
  int n = dg_env_act_dim(env);
  int rc = dg_policy_act(p->inner, obs, env, p->clean);
  if (rc) {
    dg_strlcpy(err, dg_policy_errmsg(p->inner), errsz);
    return rc;
  }
  // draw the same number of random values whichever branch is taken, so the stream stays
  // aligned across steps
  double u = dg_rng_uniform(&p->rng);
  for (int i = 0; i < n; i++) {
    double z = dg_rng_normal(&p->rng), r = dg_rng_range(&p->rng, -1.0, 1.0);
    double a = u < p->epsilon ? r : p->clean[i] + p->noise * z;
    action[i] = a > 1.0 ? 1.0 : (a < -1.0 ? -1.0 : a);
  }
  return DG_OK;
}

static void noisy_destroy(void* self) {
  noisy* p = self;
  if (!p) return;
  dg_policy_close(&p->inner);
  free(p);
}

static void noisy_label(const void* self, double* label, int n) {
  memcpy(label, ((const noisy*)self)->clean, sizeof(double) * n);
}

static int noisy_clone(const void* self, void** out, char* err, size_t errsz) {
  const noisy* p = self;
  noisy* c = malloc(sizeof(noisy));
  if (!c) return dg_fail(err, errsz, DG_ERR_NOMEM, "out of memory copying a noisy policy");
  *c = *p;
  c->inner = NULL;
  int rc = dg_policy_clone(p->inner, &c->inner);
  if (rc) {
    dg_strlcpy(err, dg_last_errmsg(), errsz);
    free(c);
    return rc;
  }
  *out = c;
  return DG_OK;
}

static const dg_policy_impl noisy_impl = {"noisy", noisy_reset, noisy_act, noisy_destroy};

int dg_policy_make_noisy(dg_policy* inner, double noise, double epsilon, dg_policy** out) {
  if (!out || !inner) {
    dg_policy_close(&inner);
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_policy_make_noisy: NULL argument");
  }
  *out = NULL;
  if (!(noise >= 0) || !(epsilon >= 0 && epsilon <= 1) || !isfinite(noise)) {
    dg_policy_close(&inner);
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "noise must be >= 0 and epsilon in [0, 1] (got noise %g, epsilon %g)", noise,
                   epsilon);
  }
  noisy* p = calloc(1, sizeof(noisy));
  if (!p) {
    dg_policy_close(&inner);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a noisy policy");
  }
  p->inner = inner;
  p->noise = noise;
  p->epsilon = epsilon;
  char name[300];
  snprintf(name, sizeof(name), "%s+noise(%g,%g)", dg_policy_name(inner), noise, epsilon);
  int rc = dg_policy_create(&noisy_impl, p, name, out);
  if (rc == DG_OK) dg_policy_set_clone(*out, noisy_clone);
  return rc;
}
