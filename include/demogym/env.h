// demogym/env.h: environments with Gymnasium's semantics (registry, spaces, reset, step, state).
//
// An env is one MuJoCo simulation of the shared arm and one task. Actions are float64 vectors in
// [-1, 1]^A: out-of-range components are clipped to the box (info.action_clipped says so), and an
// action holding NaN or Inf is refused with DG_ERR_INVALID and leaves the state untouched.
// Observations are flat float64 vectors made of named keys (name, offset, size).
// `truncated` comes from the time limit (or a physics divergence, with info.diverged set);
// `terminated` from the task (success when options.terminate_on_success is set).
// A handle is used by one thread at a time; two handles share nothing mutable.
#ifndef DEMOGYM_ENV_H
#define DEMOGYM_ENV_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dg_env dg_env;
struct mjModel_;
struct mjData_;

// Render modes, as Gymnasium names them.
typedef enum dg_render_mode {
  DG_RENDER_RGB_ARRAY = 0,  // dg_env_render returns frames (H x W x 3); nothing else is drawn
  DG_RENDER_HUMAN = 1       // a window (the viewer, viewer.h) shows every reset and step, paced
                            // to render_fps; needs a display
} dg_render_mode;

// Options for dg_env_make; fill with dg_env_options_default, then change what you need.
typedef struct dg_env_options {
  int max_episode_steps;     // time limit in env steps; 0: the task's default; -1: no limit
  int terminate_on_success;  // 1: success ends the episode (terminated); 0: it goes on
  int render_width;          // rgb_array frame width in pixels (default 480)
  int render_height;         // rgb_array frame height in pixels (default 480)
  const char* render_camera; // camera name; NULL: the task's default; "free": a free camera
  int render_mode;           // a dg_render_mode (default DG_RENDER_RGB_ARRAY)
} dg_env_options;

// A Box space of float64 values; low/high point into memory owned by the env (dim x 1).
typedef struct dg_box {
  int dim;             // number of components (the shape is (dim,))
  const double* low;   // lower bounds (dim x 1); -HUGE_VAL where unbounded
  const double* high;  // upper bounds (dim x 1); +HUGE_VAL where unbounded
} dg_box;

// A named slice of the observation vector.
typedef struct dg_obs_key {
  const char* name;  // e.g. "eef_pos"
  int offset;        // first index in the observation vector
  int size;          // number of components
} dg_obs_key;

// What Gymnasium returns as `info`.
typedef struct dg_info {
  int success;         // the task's success test holds in this state
  int diverged;        // the physics diverged during this step (the episode is truncated)
  int action_clipped;  // the action had components outside [-1, 1], which were clipped
  int elapsed_steps;   // env steps since the last reset
} dg_info;

// The result of one step, besides the observation.
typedef struct dg_step_result {
  double reward;   // the task's dense reward for this transition
  int terminated;  // the task ended the episode (success, if options.terminate_on_success)
  int truncated;   // the time limit was reached, or the physics diverged
  dg_info info;
} dg_step_result;

// Fill opt with the defaults described at each field.
DG_API void dg_env_options_default(dg_env_options* opt);

// Return the number of registered env ids.
DG_API int dg_env_registry_count(void);

// Return the i-th registered env id (sorted by name), NULL when out of range.
DG_API const char* dg_env_registry_id(int i);

// Make the env registered as id; *out receives the handle (NULL on failure).
// Nullable: opt (defaults). An unknown id fails with DG_ERR_NOTFOUND, listing the known ids in
// dg_last_errmsg(). The env must be reset before its first step.
DG_API int dg_env_make(const char* id, const dg_env_options* opt, dg_env** out);

// Free *env and everything it owns, and set *env to NULL, so closing twice is safe.
// Nullable: env and *env (no-op).
DG_API void dg_env_close(dg_env** env);

// Return the message of the last failure on this env ("" if none).
DG_API const char* dg_env_errmsg(const dg_env* env);

// Return the env's registered id, e.g. "Reach-v0".
DG_API const char* dg_env_id(const dg_env* env);

// Return the task's version (bumped whenever dynamics, observations or rewards change).
DG_API int dg_env_version(const dg_env* env);

// Return the size of the observation vector.
DG_API int dg_env_obs_dim(const dg_env* env);

// Return the size of the action vector.
DG_API int dg_env_act_dim(const dg_env* env);

// Return the size of the full simulation state vector (see dg_env_get_state).
DG_API int dg_env_state_dim(const dg_env* env);

// Return the time limit in steps in force for this env (-1: none).
DG_API int dg_env_max_episode_steps(const dg_env* env);

// Return the control period in seconds (physics timestep x frame skip).
DG_API double dg_env_dt(const dg_env* env);

// Return the frame rate of rendered episodes, 1 / dt.
DG_API double dg_env_render_fps(const dg_env* env);

// Return the observation space (bounds are infinite unless the task states them).
DG_API dg_box dg_env_observation_space(const dg_env* env);

// Return the action space, [-1, 1]^A.
DG_API dg_box dg_env_action_space(const dg_env* env);

// Return the number of observation keys.
DG_API int dg_env_obs_key_count(const dg_env* env);

// Return the i-th observation key, NULL when out of range. Keys tile the vector in order.
DG_API const dg_obs_key* dg_env_obs_key(const dg_env* env, int i);

// Start an episode. With seed, reseed the env's generator first, so the episode is fixed bit for
// bit by the seed; without (NULL), continue the generator. Writes the first observation to obs
// (obs_dim x 1) and info. Nullable: seed, info.
DG_API int dg_env_reset(dg_env* env, const uint64_t* seed, double* obs, dg_info* info);

// Advance one control step with action (act_dim x 1); write the next observation (obs_dim x 1)
// and the result. Fails with DG_ERR_INVALID on a non-finite action (state untouched) and with
// DG_ERR_STATE before the first reset or after the episode ended. Nullable: res.
DG_API int dg_env_step(dg_env* env, const double* action, double* obs, dg_step_result* res);

// Write the full simulation state (state_dim x 1): time, qpos, qvel, act, the solver's warm
// start, ctrl, mocap poses. Restoring it with dg_env_set_state reproduces the future exactly.
DG_API int dg_env_get_state(const dg_env* env, double* state);

// Restore a state written by dg_env_get_state and write the matching observation. The episode
// continues from there (elapsed steps = the state's time / dt). Nullable: obs.
// Fails with DG_ERR_INVALID (state untouched) when the state holds NaN, Inf, or a magnitude
// beyond MuJoCo's limit (1e10).
DG_API int dg_env_set_state(dg_env* env, const double* state, double* obs);

// Write the current observation without stepping (obs_dim x 1).
DG_API int dg_env_observe(const dg_env* env, double* obs);

// Return the task's success test in the current state.
DG_API int dg_env_is_success(const dg_env* env);

// Render the current state as RGB, rows top-down, into rgb (height x width x 3 bytes), using the
// options' size and camera. The first call makes an offscreen OpenGL context (EGL, or as
// DEMOGYM_GL=egl|glfw|osmesa says) owned by the env and bound to the calling thread.
// In DG_RENDER_HUMAN mode it draws the state in the env's window instead (rgb nullable, unused);
// reset and step draw there by themselves, and a failure to draw is logged, not returned.
DG_API int dg_env_render(dg_env* env, uint8_t* rgb);

// Return the rendered frame size from the options.
DG_API void dg_env_render_size(const dg_env* env, int* width, int* height);

// Return the env's MuJoCo model, for reading. Valid until dg_env_close.
DG_API const struct mjModel_* dg_env_mj_model(const dg_env* env);

// Return the env's MuJoCo data, for reading (experts, renderers). Valid until dg_env_close.
DG_API const struct mjData_* dg_env_mj_data(const dg_env* env);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_ENV_H
