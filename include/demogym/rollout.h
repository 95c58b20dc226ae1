// demogym/rollout.h: the rollout driver, the one loop every job shares, with taps for recording,
// labelling and rendering, and the statistics of its episodes.
//
// Episode i of a run with base seed S resets the env with seed dg_seed_derive(S, 0, i) and the
// policy with dg_seed_derive(S, 1, i), so an episode's content depends only on (S, i): the same
// episodes come out whatever the split of a run into parts (first_episode) or workers.
#ifndef DEMOGYM_ROLLOUT_H
#define DEMOGYM_ROLLOUT_H

#include "common.h"
#include "env.h"
#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

// What one episode came to.
typedef struct dg_episode_stats {
  int index;        // episode index within the run (first_episode + k)
  uint64_t seed;    // the seed the env was reset with
  int success;      // the task's success held at the end of the episode
  int length;       // steps taken
  double ret;       // undiscounted return
  int terminated;   // ended by the task
  int truncated;    // ended by the time limit or a divergence
  int diverged;     // the physics diverged
} dg_episode_stats;

// Summary over a run's episodes.
typedef struct dg_rollout_summary {
  int episodes;        // episodes run
  int successes;       // episodes that ended in success
  double success_rate; // successes / episodes
  double ci95_lo;      // Wilson 95% interval of the success rate, lower end
  double ci95_hi;      // Wilson 95% interval of the success rate, upper end
  double mean_return;  // mean undiscounted return
  double std_return;   // standard deviation of the return
  double mean_length;  // mean episode length in steps
  long total_steps;    // steps over all episodes
} dg_rollout_summary;

// Observers attached to a run. Every callback is nullable; a nonzero return stops the run with
// that status (the callback should set a message with dg_set_last_errmsg). The env pointer lets a
// tap read or render the state; a tap must not step or reset it.
typedef struct dg_tap {
  void* user;
  // After reset: the first observation of episode `episode` reset with `seed`.
  int (*episode_begin)(void* user, int episode, uint64_t seed, dg_env* env, const double* obs);
  // Before a step: the env is at the state where obs was observed, action is about to be taken.
  int (*before_step)(void* user, dg_env* env, const double* obs, const double* action);
  // After a step: obs was the observation before, next_obs the one after.
  int (*after_step)(void* user, dg_env* env, const double* obs, const double* action,
                    const double* next_obs, const dg_step_result* res);
  // The episode ended (terminated or truncated).
  int (*episode_end)(void* user, dg_env* env, const dg_episode_stats* stats);
} dg_tap;

// Options for dg_rollout_run; fill with dg_rollout_options_default.
typedef struct dg_rollout_options {
  int episodes;              // episodes to run (default 10)
  uint64_t seed;             // base seed of the run (default 0)
  int first_episode;         // index of the first episode, for runs split into parts (default 0)
  const dg_tap* taps;        // observers, called in order. Nullable
  int ntaps;                 // number of taps
  const volatile int* stop;  // when *stop becomes nonzero the run ends after the current step
                             // with DG_ERR_INTERRUPTED; the unfinished episode gets no
                             // episode_end. Nullable
} dg_rollout_options;

// Fill opt with the defaults described at each field.
DG_API void dg_rollout_options_default(dg_rollout_options* opt);

// Run opt->episodes episodes of policy in env; write each episode's statistics to stats
// (episodes x 1) and their summary to summary. Nullable: opt (defaults), stats, summary.
DG_API int dg_rollout_run(dg_env* env, dg_policy* policy, const dg_rollout_options* opt,
                          dg_episode_stats* stats, dg_rollout_summary* summary);

// One worker of a parallel run: its own env and policy (never shared with another worker), and
// its own taps, called on the worker's thread for the episodes it runs, as dg_rollout_run calls
// them (a tap may buffer an episode and hand it on at episode_end).
typedef struct dg_rollout_worker {
  dg_env* env;         // the worker's env; all workers' envs have one id and one time limit
  dg_policy* policy;   // the worker's policy
  const dg_tap* taps;  // the worker's taps. Nullable
  int ntaps;           // number of taps
} dg_rollout_worker;

// Run the episodes of dg_rollout_run over nworkers threads, one per worker: each free worker
// takes the next episode index, at most 4 x nworkers ahead of the oldest unfinished one. Every
// episode is the one dg_rollout_run would run (seeded from (opt->seed, index)), so stats and
// summary are identical for any nworkers. The shared taps (opt->taps) may only have episode_end,
// which is called on the calling thread in index order with env NULL. opt->stop and failures end
// the run: the episodes reported (stats, summary, shared taps) are then the prefix that finished,
// and the status is the failure of the lowest episode that failed. Nullable: stats, summary.
DG_API int dg_rollout_run_parallel(const dg_rollout_worker* workers, int nworkers,
                                   const dg_rollout_options* opt, dg_episode_stats* stats,
                                   dg_rollout_summary* summary);

// Run like dg_rollout_run over nthreads threads: env and policy are the first worker, the others
// get a new env of the same id and options and a copy of policy (dg_policy_clone, which fails
// with DG_ERR_UNSUPPORTED for a class without a clone function). Shared taps as in
// dg_rollout_run_parallel. Nullable: opt, stats, summary.
DG_API int dg_rollout_run_threads(dg_env* env, dg_policy* policy, int nthreads,
                                  const dg_rollout_options* opt, dg_episode_stats* stats,
                                  dg_rollout_summary* summary);

// Summarise n episodes' statistics.
DG_API void dg_rollout_summarize(const dg_episode_stats* stats, int n, dg_rollout_summary* out);

// Write the Wilson score interval for k successes in n trials at normal quantile z (1.96 for
// 95%); n = 0 gives [0, 1].
DG_API void dg_wilson_interval(int k, int n, double z, double* lo, double* hi);

// Set this thread's last error message (for taps and policies outside the library).
DG_API void dg_set_last_errmsg(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_ROLLOUT_H
