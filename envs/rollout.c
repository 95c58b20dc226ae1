// rollout.c: the rollout driver (one loop for every job, with taps) and episode statistics.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/rng.h"
#include "demogym/rollout.h"
#include "internal.h"

void dg_rollout_options_default(dg_rollout_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->episodes = 10;
  opt->seed = 0;
}

void dg_wilson_interval(int k, int n, double z, double* lo, double* hi) {
  if (n <= 0) {
    *lo = 0.0;
    *hi = 1.0;
    return;
  }
  double p = (double)k / n, z2 = z * z;
  double denom = 1.0 + z2 / n;
  double centre = (p + z2 / (2.0 * n)) / denom;
  double half = z * sqrt(p * (1.0 - p) / n + z2 / (4.0 * (double)n * n)) / denom;
  *lo = centre - half < 0.0 ? 0.0 : centre - half;
  *hi = centre + half > 1.0 ? 1.0 : centre + half;
}

void dg_rollout_summarize(const dg_episode_stats* stats, int n, dg_rollout_summary* out) {
  memset(out, 0, sizeof(*out));
  out->episodes = n;
  double sum = 0, sumsq = 0, len = 0;
  for (int i = 0; i < n; i++) {
    out->successes += stats[i].success ? 1 : 0;
    sum += stats[i].ret;
    len += stats[i].length;
    out->total_steps += stats[i].length;
  }
  if (n > 0) {
    out->success_rate = (double)out->successes / n;
    out->mean_return = sum / n;
    out->mean_length = len / n;
    for (int i = 0; i < n; i++) {
      double dev = stats[i].ret - out->mean_return;
      sumsq += dev * dev;
    }
    out->std_return = n > 1 ? sqrt(sumsq / (n - 1)) : 0.0;
  }
  dg_wilson_interval(out->successes, n, 1.959963984540054, &out->ci95_lo, &out->ci95_hi);
}

#define CALL_TAPS(fn, ...)                                               \
  for (int t = 0; t < opt->ntaps; t++) {                                 \
    if (opt->taps[t].fn) {                                               \
      int trc = opt->taps[t].fn(opt->taps[t].user, __VA_ARGS__);         \
      if (trc) {                                                         \
        rc = trc;                                                        \
        goto done;                                                       \
      }                                                                  \
    }                                                                    \
  }

int dg_rollout_run(dg_env* env, dg_policy* policy, const dg_rollout_options* options,
                   dg_episode_stats* stats, dg_rollout_summary* summary) {
  if (!env || !policy) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rollout_run: NULL argument");
  dg_rollout_options defaults;
  if (!options) dg_rollout_options_default(&defaults);
  const dg_rollout_options* opt = options ? options : &defaults;
  if (opt->episodes < 0 || opt->first_episode < 0 || (opt->ntaps > 0 && !opt->taps))
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rollout_run: bad episodes, first_episode or taps");

  int rc = DG_OK, done_episodes = 0;
  int od = dg_env_obs_dim(env), ad = dg_env_act_dim(env);
  double* buf = malloc(sizeof(double) * (2 * od + ad));
  dg_episode_stats* all = calloc(opt->episodes ? opt->episodes : 1, sizeof(dg_episode_stats));
  if (!buf || !all) {
    rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for a rollout");
    goto done;
  }
  double *obs = buf, *next = buf + od, *action = buf + 2 * od;

  for (int k = 0; k < opt->episodes; k++) {
    int index = opt->first_episode + k;
    uint64_t env_seed = dg_seed_derive(opt->seed, 0, (uint64_t)index);
    uint64_t policy_seed = dg_seed_derive(opt->seed, 1, (uint64_t)index);
    dg_episode_stats* st = &all[k];
    st->index = index;
    st->seed = env_seed;
    if ((rc = dg_env_reset(env, &env_seed, obs, NULL)) != DG_OK) goto done;
    if ((rc = dg_policy_reset(policy, policy_seed)) != DG_OK) goto done;
    CALL_TAPS(episode_begin, index, env_seed, env, obs);
    for (;;) {
      if (opt->stop && *opt->stop) {
        rc = dg_fail(NULL, 0, DG_ERR_INTERRUPTED, "rollout interrupted in episode %d", index);
        goto done;
      }
      if ((rc = dg_policy_act(policy, obs, env, action)) != DG_OK) goto done;
      CALL_TAPS(before_step, env, obs, action);
      dg_step_result res;
      if ((rc = dg_env_step(env, action, next, &res)) != DG_OK) goto done;
      st->length++;
      st->ret += res.reward;
      CALL_TAPS(after_step, env, obs, action, next, &res);
      memcpy(obs, next, sizeof(double) * od);
      if (res.terminated || res.truncated) {
        st->success = res.info.success;
        st->terminated = res.terminated;
        st->truncated = res.truncated;
        st->diverged = res.info.diverged;
        break;
      }
    }
    CALL_TAPS(episode_end, env, st);
    done_episodes++;
  }

done:
  if (stats && all) memcpy(stats, all, sizeof(dg_episode_stats) * done_episodes);
  if (summary && all) dg_rollout_summarize(all, done_episodes, summary);
  free(buf);
  free(all);
  return rc;
}
