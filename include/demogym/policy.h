// demogym/policy.h: one interface for scripted experts and learned policies.
//
// A policy maps an observation to an action in [-1, 1]^A. Experts may also read privileged state
// through the env handle; learned policies read only the observation. Stochastic policies draw
// from a generator reseeded by dg_policy_reset, so a seed fixes their choices.
#ifndef DEMOGYM_POLICY_H
#define DEMOGYM_POLICY_H

#include "common.h"
#include "env.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dg_policy dg_policy;

#define DG_MAX_ACT_DIM 16  // the largest action size a policy handle supports

// The functions behind a policy. `self` is the implementation's state. Each fallible function
// returns a dg_status; on failure it may write a message into err (errsz bytes).
typedef struct dg_policy_impl {
  const char* kind;  // short name of the policy class, e.g. "expert", "mse", "gmm"
  // Start an episode; seed fixes every random choice the policy makes in it. Nullable.
  int (*reset)(void* self, uint64_t seed, char* err, size_t errsz);
  // Write the action (act_dim x 1) for obs (obs_dim x 1); env is the env being acted in.
  int (*act)(void* self, const double* obs, const dg_env* env, double* action, char* err,
             size_t errsz);
  // Free self. Nullable.
  void (*destroy)(void* self);
} dg_policy_impl;

// Wrap an implementation as a policy; the policy takes ownership of self (impl->destroy frees it
// at close, also when this call fails). impl must outlive the policy. name labels it in outputs.
DG_API int dg_policy_create(const dg_policy_impl* impl, void* self, const char* name,
                            dg_policy** out);

// Make the scripted expert of the env registered as env_id. It acts only in envs of that id.
DG_API int dg_policy_make_expert(const char* env_id, dg_policy** out);

// Start an episode with a seed for the policy's random choices (e.g. the expert's mode).
DG_API int dg_policy_reset(dg_policy* policy, uint64_t seed);

// Write the policy's action for obs in env into action (act_dim x 1). The result is finite
// and within [-1, 1].
DG_API int dg_policy_act(dg_policy* policy, const double* obs, const dg_env* env,
                         double* action);

// Free *policy and set *policy to NULL, so closing twice is safe. Nullable: policy, *policy.
DG_API void dg_policy_close(dg_policy** policy);

// Return the policy's label (e.g. "expert" or a checkpoint's file name).
DG_API const char* dg_policy_name(const dg_policy* policy);

// Return the policy class ("expert", "mse", ...).
DG_API const char* dg_policy_kind(const dg_policy* policy);

// Return the message of the last failure on this policy ("" if none).
DG_API const char* dg_policy_errmsg(const dg_policy* policy);

// Make a policy that executes inner's actions perturbed, for exploration and dataset diversity:
// with probability epsilon a uniform random action in [-1, 1]^A, otherwise inner's action plus
// Gaussian noise of standard deviation `noise` per component, clipped to [-1, 1]. The noise comes
// from the wrapper's own generator, reseeded by dg_policy_reset (inner is reset with the same
// seed, so its per-episode choices match the clean policy's). Takes ownership of inner, also on
// failure. Its label (dg_policy_label) is inner's clean action.
DG_API int dg_policy_make_noisy(dg_policy* inner, double noise, double epsilon, dg_policy** out);

// Write the label of the last action dg_policy_act returned (act_dim x 1): the clean action
// before exploration noise for a noisy policy, the action itself otherwise.
// Fails with DG_ERR_STATE before the first act.
DG_API int dg_policy_label(const dg_policy* policy, double* label);

// Return the implementation state given to dg_policy_create (for the module that made it).
DG_API void* dg_policy_self(const dg_policy* policy);

// Copy a policy's implementation state: write a new, independent state to *out (freed by the
// impl's destroy). On failure return a dg_status and a message in err (errsz bytes).
typedef int (*dg_policy_clone_fn)(const void* self, void** out, char* err, size_t errsz);

// Let dg_policy_clone copy policy with fn. Policy classes set it right after dg_policy_create;
// a class without one cannot run in parallel rollouts (dg_rollout_run_threads, --workers).
// The experts and the noisy wrapper have one; learned policy classes must provide theirs.
DG_API int dg_policy_set_clone(dg_policy* policy, dg_policy_clone_fn fn);

// Make *out an independent copy of policy (same class, label, parameters and random state), for
// another thread. Fails with DG_ERR_UNSUPPORTED when the class set no clone function.
DG_API int dg_policy_clone(const dg_policy* policy, dg_policy** out);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_POLICY_H
