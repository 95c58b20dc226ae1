// env_internal.h: the env handle and the task interface, for the env runtime and task files.
#ifndef DEMOGYM_ENV_INTERNAL_H
#define DEMOGYM_ENV_INTERNAL_H

#include <math.h>

#include <mujoco/mujoco.h>

#include "arm.h"
#include "demogym/env.h"
#include "demogym/rng.h"

#define DG_MAX_OBS_KEYS 16
#define DG_ERRMSG_SIZE 1024

typedef struct dg_env dg_env;

// An observation key as a task declares it.
typedef struct dg_obs_key_spec {
  const char* name;
  int size;
} dg_obs_key_spec;

// Everything about one task; each task file defines one and registry.c lists them.
typedef struct dg_task {
  const char* id;            // registered id, e.g. "Reach-v0"
  const char* xml;           // embedded MJCF file name (includes arm.xml)
  const char* xml_text;      // or the MJCF itself (tests); used when xml is NULL
  const char* summary;       // one line for `demogym list`
  int version;               // bumped when dynamics, observations or rewards change
  int frame_skip;            // physics steps per env step
  int max_episode_steps;     // default time limit
  const char* camera;        // default render camera
  int nkeys;                 // observation keys
  dg_obs_key_spec keys[DG_MAX_OBS_KEYS];
  size_t ctx_size;           // bytes of task state kept in the env (zeroed at make)
  // Resolve names in the model; return 0, or -1 with a message in err.
  int (*init)(dg_env* env, void* ctx, char* err, int errsz);
  // Sample the initial state from rng into env->d (qpos, qvel, mocap, ctrl), on freshly reset
  // data; the env runtime then computes derived quantities.
  void (*reset)(dg_env* env, void* ctx, dg_rng* rng);
  // Write the observation (obs_dim x 1) from fresh derived quantities.
  void (*observe)(const dg_env* env, const void* ctx, double* obs);
  // Return the dense reward of the current state (called after each step).
  double (*reward)(const dg_env* env, const void* ctx);
  // Return the success test in the current state.
  int (*success)(const dg_env* env, const void* ctx);
  // Return 1 when the task failed beyond recovery (terminates the episode). Nullable.
  int (*failure)(const dg_env* env, const void* ctx);
  // The scripted expert: its per-episode state, reset from a seed, and its action.
  size_t expert_size;
  void (*expert_reset)(void* expert, uint64_t seed);
  void (*expert_act)(void* expert, const dg_env* env, const void* ctx, const double* obs,
                     double* action);
} dg_task;

// The env handle.
struct dg_env {
  const dg_task* task;
  dg_env_options opt;
  mjModel* m;
  mjData* d;
  dg_arm arm;
  void* ctx;                // task state (task->ctx_size bytes)
  dg_rng rng;               // the env's generator: initial states
  int obs_dim;
  int act_dim;
  int state_dim;
  int max_steps;            // time limit in force (-1: none)
  int nkeys;
  dg_obs_key keys[DG_MAX_OBS_KEYS];
  double* obs_low;          // (obs_dim x 1)
  double* obs_high;         // (obs_dim x 1)
  double* act_low;          // (act_dim x 1)
  double* act_high;         // (act_dim x 1)
  double* scratch;          // arena for the arm's Jacobians (6 x nv)
  double* pre_state;        // the state before the current step (state_dim x 1)
  double action[DG_ARM_ACT_DIM];  // the last clipped action
  int phase;                // 0: needs reset; 1: running; 2: ended
  int elapsed;              // steps since reset
  struct dg_render_ctx* render;  // offscreen renderer, made on first render
  char camera[64];          // copy of opt.render_camera
  char errmsg[DG_ERRMSG_SIZE];
};

// Make an env of a task that need not be registered (tests); as dg_env_make otherwise.
int dg_env_make_task(const dg_task* task, const dg_env_options* opt, dg_env** out);

// The registered tasks, sorted by id.
const dg_task* const* dg_task_list(int* count);

// Return the task registered as id, NULL if none.
const dg_task* dg_task_find(const char* id);

// Renderer state of an env (render.c).
void dg_render_ctx_free(struct dg_render_ctx* ctx);

// Draw the env's state in its window (DG_RENDER_HUMAN), after a reset (res NULL) or a step;
// failures are logged once and returned (render.c).
int dg_render_human(dg_env* env, const dg_step_result* res);

// Small vector helpers for tasks.
static inline double dg_dist3(const double* a, const double* b) {
  double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return sqrt(dx * dx + dy * dy + dz * dz);
}
static inline double dg_dist2(const double* a, const double* b) {
  double dx = a[0] - b[0], dy = a[1] - b[1];
  return sqrt(dx * dx + dy * dy);
}
static inline double dg_clamp(double x, double lo, double hi) {
  return x < lo ? lo : (x > hi ? hi : x);
}

#endif  // DEMOGYM_ENV_INTERNAL_H
