// demogym/vec_env.h: batched envs: N envs of one id stepped together by a persistent pool of T
// threads, with Gymnasium's vector-env semantics and contiguous float64 buffers.
//
// Layout: actions are given as one (N x act_dim) row-major float64 array, row i for env i; the
// results land in buffers the vector env owns (N x obs_dim observations, N rewards, N terminated
// and N truncated flags as uint8, N infos), whose addresses stay fixed from dg_vec_make to
// dg_vec_close, so a binding can wrap them once (e.g. as numpy arrays) and read them after each
// call without copying. Their contents change with every reset and step.
//
// Seeding (as Gymnasium's vector envs): dg_vec_reset with seed S resets env i with seed S + i;
// without a seed each env continues its own generator. Autoresets continue the env's generator.
//
// Autoreset modes (Gymnasium's names):
// - DG_AUTORESET_NEXT_STEP (default): when env i's episode ends in a step (terminated or
//   truncated), its next step ignores its action and resets it, returning the reset observation
//   with reward 0, both flags 0 and the reset's info. dg_vec_autoreset_mask says which envs the
//   next step will reset.
// - DG_AUTORESET_SAME_STEP: an env whose episode ends is reset at once, in the same step: that
//   step returns the reset observation and reset info with the step's reward and flags, and the
//   episode's last observation and info in dg_vec_final_obs / dg_vec_final_infos (row i valid
//   where terminated[i] or truncated[i]).
//
// Every result is independent of the number of threads: T = 1, 2, 3 give identical buffers.
// A handle is used by one thread at a time (its pool threads are its own).
#ifndef DEMOGYM_VEC_ENV_H
#define DEMOGYM_VEC_ENV_H

#include "common.h"
#include "env.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dg_vec_env dg_vec_env;

// When an env whose episode ended is reset.
typedef enum dg_autoreset_mode {
  DG_AUTORESET_NEXT_STEP = 0,  // on the env's next step, which ignores its action (default)
  DG_AUTORESET_SAME_STEP = 1   // in the step that ended the episode; final obs kept apart
} dg_autoreset_mode;

#define DG_VEC_MAX_ENVS    65536  // the most envs one vector env holds
#define DG_VEC_MAX_THREADS 1024   // the most threads one vector env runs

// Options for dg_vec_make; fill with dg_vec_options_default, then change what you need.
typedef struct dg_vec_options {
  int num_envs;        // N, envs in the batch, 1..DG_VEC_MAX_ENVS (default 1)
  int num_threads;     // T, threads stepping them, the caller's included (default 1; 0: one per
                       // online CPU); more threads than envs are clamped to N
  int autoreset_mode;  // a dg_autoreset_mode (default DG_AUTORESET_NEXT_STEP)
  dg_env_options env;  // options of every env (default: dg_env_options_default)
  int spin_us;         // how long an idle pool thread polls for the next job before it sleeps,
                       // in microseconds (default 1000: back-to-back steps never wait for a
                       // wake-up; 0: sleep at once, for callers that do long work between steps)
} dg_vec_options;

// Fill opt with the defaults described at each field.
DG_API void dg_vec_options_default(dg_vec_options* opt);

// Make N envs of the env registered as id and the pool of T - 1 threads that steps them with the
// caller; *out receives the handle (NULL on failure). Nullable: opt (defaults: one env, one
// thread). Bad options fail with DG_ERR_INVALID, an unknown id with DG_ERR_NOTFOUND. The vector
// env must be reset before its first step.
DG_API int dg_vec_make(const char* id, const dg_vec_options* opt, dg_vec_env** out);

// Stop the pool, free *v and its envs, and set *v to NULL. Nullable: v and *v (no-op).
DG_API void dg_vec_close(dg_vec_env** v);

// Return the message of the last failure on this vector env ("" if none).
DG_API const char* dg_vec_errmsg(const dg_vec_env* v);

// Return N, the number of envs.
DG_API int dg_vec_num_envs(const dg_vec_env* v);

// Return T, the number of threads that step the envs (the caller's included), after clamping.
DG_API int dg_vec_num_threads(const dg_vec_env* v);

// Return the autoreset mode in force (a dg_autoreset_mode).
DG_API int dg_vec_autoreset_mode(const dg_vec_env* v);

// Return the size of one env's observation.
DG_API int dg_vec_obs_dim(const dg_vec_env* v);

// Return the size of one env's action.
DG_API int dg_vec_act_dim(const dg_vec_env* v);

// Return env i (0 <= i < N), for reading its spaces and state, acting with an expert or
// rendering; NULL when out of range. Do not reset or step it directly: the vector env keeps
// its episode bookkeeping. Valid until dg_vec_close.
DG_API dg_env* dg_vec_env_at(dg_vec_env* v, int i);

// Reset every env: with seed, env i with *seed + i; without (NULL), each env continues its own
// generator. Writes the observations and infos; rewards and flags become 0. Nullable: seed.
DG_API int dg_vec_reset(dg_vec_env* v, const uint64_t* seed);

// Reset every env, env i with seeds[i]; n_seeds must equal N (DG_ERR_INVALID otherwise).
DG_API int dg_vec_reset_seeds(dg_vec_env* v, const uint64_t* seeds, size_t n_seeds);

// Step every env with its row of actions (N x act_dim, row-major); n_actions is the number of
// doubles in actions and must equal N * act_dim. Writes observations, rewards, flags and infos,
// autoresetting as the mode says. Refused with DG_ERR_INVALID, nothing stepped, when the size is
// wrong or any action holds NaN or Inf (the message names the env and the component; actions an
// autoreset ignores are checked too), and with DG_ERR_STATE before the first reset. A MuJoCo
// error in an env fails with DG_ERR_MUJOCO naming the lowest such env; the batch is then partly
// stepped and must be reset.
DG_API int dg_vec_step(dg_vec_env* v, const double* actions, size_t n_actions);

// Return the observations (N x obs_dim) of the last reset or step.
DG_API const double* dg_vec_obs(const dg_vec_env* v);

// Return the rewards (N) of the last step (0 after a reset, and for an env the step reset).
DG_API const double* dg_vec_rewards(const dg_vec_env* v);

// Return the terminated flags (N, 0 or 1) of the last step: the task ended env i's episode.
DG_API const uint8_t* dg_vec_terminated(const dg_vec_env* v);

// Return the truncated flags (N, 0 or 1) of the last step: the time limit or a divergence.
DG_API const uint8_t* dg_vec_truncated(const dg_vec_env* v);

// Return the infos (N) of the last reset or step (the reset's info for an env it reset).
DG_API const dg_info* dg_vec_infos(const dg_vec_env* v);

// Return the autoreset mask (N, 0 or 1): next-step mode, env i's episode has ended and the next
// step resets it; same-step mode, always 0.
DG_API const uint8_t* dg_vec_autoreset_mask(const dg_vec_env* v);

// Return the final observations (N x obs_dim) of same-step mode: row i is the last observation
// of the episode env i ended in the last step (valid where terminated[i] or truncated[i]).
DG_API const double* dg_vec_final_obs(const dg_vec_env* v);

// Return the final infos (N) of same-step mode, valid like dg_vec_final_obs's rows.
DG_API const dg_info* dg_vec_final_infos(const dg_vec_env* v);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_VEC_ENV_H
