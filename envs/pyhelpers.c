// pyhelpers.c: helpers exported for language bindings: an open-loop multi-step call, and the
// layout (sizes and field offsets) of the public structs that bindings mirror.
#include <stddef.h>
#include <string.h>

#include "demogym/env.h"
#include "demogym/rollout.h"
#include "demogym/vec_env.h"
#include "env_internal.h"
#include "internal.h"
#include "pyhelpers.h"

int dg_env_step_many(dg_env* env, int n, const double* actions, double* obs, double* rewards,
                     uint8_t* terminated, uint8_t* truncated, int* done) {
  if (done) *done = 0;
  if (!env || !actions || !obs || !done || n < 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "dg_env_step_many: env, actions, obs or done is NULL, or n < 0");
  int ad = dg_env_act_dim(env), od = dg_env_obs_dim(env);
  for (int k = 0; k < n; k++) {
    dg_step_result res;
    int rc = dg_env_step(env, actions + (size_t)k * ad, obs + (size_t)k * od, &res);
    if (rc) return rc;
    if (rewards) rewards[k] = res.reward;
    if (terminated) terminated[k] = (uint8_t)(res.terminated != 0);
    if (truncated) truncated[k] = (uint8_t)(res.truncated != 0);
    *done = k + 1;
    if (res.terminated || res.truncated) break;
  }
  return DG_OK;
}

int dg_env_registry_max_episode_steps(const char* id) {
  const dg_task* task = id ? dg_task_find(id) : NULL;
  return task ? task->max_episode_steps : -1;
}

// one row per struct (field NULL: its size) and per field (its offset)
typedef struct layout_row {
  const char* type;
  const char* field;
  long value;
} layout_row;

#define SIZE(T) {#T, NULL, (long)sizeof(T)}
#define FIELD(T, F) {#T, #F, (long)offsetof(T, F)}

static const layout_row rows[] = {
    SIZE(dg_env_options),
    FIELD(dg_env_options, max_episode_steps),
    FIELD(dg_env_options, terminate_on_success),
    FIELD(dg_env_options, render_width),
    FIELD(dg_env_options, render_height),
    FIELD(dg_env_options, render_camera),
    FIELD(dg_env_options, render_mode),
    SIZE(dg_box),
    FIELD(dg_box, dim),
    FIELD(dg_box, low),
    FIELD(dg_box, high),
    SIZE(dg_obs_key),
    FIELD(dg_obs_key, name),
    FIELD(dg_obs_key, offset),
    FIELD(dg_obs_key, size),
    SIZE(dg_info),
    FIELD(dg_info, success),
    FIELD(dg_info, diverged),
    FIELD(dg_info, action_clipped),
    FIELD(dg_info, elapsed_steps),
    SIZE(dg_step_result),
    FIELD(dg_step_result, reward),
    FIELD(dg_step_result, terminated),
    FIELD(dg_step_result, truncated),
    FIELD(dg_step_result, info),
    SIZE(dg_episode_stats),
    FIELD(dg_episode_stats, index),
    FIELD(dg_episode_stats, seed),
    FIELD(dg_episode_stats, success),
    FIELD(dg_episode_stats, length),
    FIELD(dg_episode_stats, ret),
    FIELD(dg_episode_stats, terminated),
    FIELD(dg_episode_stats, truncated),
    FIELD(dg_episode_stats, diverged),
    SIZE(dg_rollout_summary),
    FIELD(dg_rollout_summary, episodes),
    FIELD(dg_rollout_summary, successes),
    FIELD(dg_rollout_summary, success_rate),
    FIELD(dg_rollout_summary, ci95_lo),
    FIELD(dg_rollout_summary, ci95_hi),
    FIELD(dg_rollout_summary, mean_return),
    FIELD(dg_rollout_summary, std_return),
    FIELD(dg_rollout_summary, mean_length),
    FIELD(dg_rollout_summary, total_steps),
    SIZE(dg_rollout_options),
    FIELD(dg_rollout_options, episodes),
    FIELD(dg_rollout_options, seed),
    FIELD(dg_rollout_options, first_episode),
    FIELD(dg_rollout_options, taps),
    FIELD(dg_rollout_options, ntaps),
    FIELD(dg_rollout_options, stop),
    SIZE(dg_vec_options),
    FIELD(dg_vec_options, num_envs),
    FIELD(dg_vec_options, num_threads),
    FIELD(dg_vec_options, autoreset_mode),
    FIELD(dg_vec_options, env),
    FIELD(dg_vec_options, spin_us),
};

long dg_py_layout(const char* type, const char* field) {
  if (!type) return -1;
  for (int i = 0; i < DG_ARRAY_LEN(rows); i++) {
    if (strcmp(rows[i].type, type) != 0) continue;
    if (!field && !rows[i].field) return rows[i].value;
    if (field && rows[i].field && strcmp(rows[i].field, field) == 0) return rows[i].value;
  }
  return -1;
}
