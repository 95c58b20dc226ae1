// parallel.c: parallel rollouts: the episodes of one run spread over worker threads, each with
// its own env, policy and taps, and handed to the shared taps in index order.
//
// Each worker runs its episodes through dg_rollout_run itself (one episode per call, with
// first_episode set to the episode's index), so an episode is the very one the sequential driver
// runs. The calling thread does no episodes: it waits for finished episodes and delivers them to
// the shared taps in index order; workers stay within a window of episodes ahead of the oldest
// undelivered one, which bounds what a consumer must buffer.
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/rollout.h"
#include "env_internal.h"
#include "internal.h"

#define WINDOW_PER_WORKER 4  // episodes a worker may run ahead of delivery, per worker

typedef struct run {
  const dg_rollout_options* opt;
  int episodes;
  int window;
  pthread_mutex_t mu;
  pthread_cond_t cv;       // an episode finished, a worker left, or delivery moved on
  int next;                // next episode (0-based in this run) to hand out
  int delivered;           // episodes delivered to the shared taps, in order
  int running;             // workers still running
  uint8_t* finished;       // (episodes) 1 when episode k finished
  dg_episode_stats* all;   // (episodes)
  atomic_int abort_after;  // abandon episodes after this one (INT_MAX: none), set by a failure
  int err_rc;              // the failure of the lowest failing episode (0: none)
  int err_k;               // that episode
  char err_msg[DG_ERRMSG_SIZE];
} run;

typedef struct worker_ctx {
  run* r;
  dg_rollout_worker w;
  dg_tap* taps;   // the abort tap, then the worker's taps (w.ntaps + 1)
  int current;    // the episode (0-based in the run) the worker is running
  int abandoned;  // the abort tap ended it
} worker_ctx;

// record a failure of episode k (the lowest episode's failure wins) and abandon the episodes
// after it, so the episodes before a failure still finish; called with r->mu held
static void note_failure(run* r, int k, int rc, const char* msg) {
  if (!r->err_rc || k < r->err_k) {
    r->err_rc = rc;
    r->err_k = k;
    dg_strlcpy(r->err_msg, msg, sizeof(r->err_msg));
  }
  if (k < atomic_load(&r->abort_after)) atomic_store(&r->abort_after, k);
}

// the first tap of every worker: ends its episode when an earlier one failed
static int abort_before_step(void* user, dg_env* env, const double* obs, const double* action) {
  worker_ctx* c = user;
  if (c->current > atomic_load(&c->r->abort_after)) {
    c->abandoned = 1;
    dg_set_last_errmsg("episode abandoned: an earlier episode of the parallel run failed");
    return DG_ERR_INTERRUPTED;
  }
  return DG_OK;
}

static void* worker_main(void* arg) {
  worker_ctx* c = arg;
  run* r = c->r;
  dg_rollout_options o = *r->opt;
  o.episodes = 1;
  o.taps = c->taps;
  o.ntaps = c->w.ntaps + 1;
  pthread_mutex_lock(&r->mu);
  for (;;) {
    while (atomic_load(&r->abort_after) == INT_MAX && r->next < r->episodes &&
           r->next >= r->delivered + r->window)
      pthread_cond_wait(&r->cv, &r->mu);
    if (atomic_load(&r->abort_after) != INT_MAX || r->next >= r->episodes) break;
    int k = r->next++;
    c->current = k;
    c->abandoned = 0;
    pthread_mutex_unlock(&r->mu);

    o.first_episode = r->opt->first_episode + k;
    dg_episode_stats st;
    int rc = dg_rollout_run(c->w.env, c->w.policy, &o, &st, NULL);

    pthread_mutex_lock(&r->mu);
    if (rc == DG_OK) {
      r->all[k] = st;
      r->finished[k] = 1;
    } else if (!c->abandoned) {  // an abandoned episode is no failure of its own
      note_failure(r, k, rc, dg_last_errmsg());
    }
    pthread_cond_broadcast(&r->cv);
  }
  r->running--;
  pthread_cond_broadcast(&r->cv);
  pthread_mutex_unlock(&r->mu);
  return NULL;
}

static int check_workers(const dg_rollout_worker* w, int n, const dg_rollout_options* opt) {
  if (!w || n < 1)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rollout_run_parallel: need at least one worker");
  for (int i = 0; i < n; i++) {
    if (!w[i].env || !w[i].policy || w[i].ntaps < 0 || (w[i].ntaps > 0 && !w[i].taps))
      return dg_fail(NULL, 0, DG_ERR_INVALID,
                     "dg_rollout_run_parallel: worker %d lacks an env or a policy, or has bad taps",
                     i);
    if (strcmp(dg_env_id(w[i].env), dg_env_id(w[0].env)) != 0 ||
        dg_env_max_episode_steps(w[i].env) != dg_env_max_episode_steps(w[0].env))
      return dg_fail(NULL, 0, DG_ERR_INVALID,
                     "dg_rollout_run_parallel: worker %d's env (%s, limit %d) differs from worker "
                     "0's (%s, limit %d)",
                     i, dg_env_id(w[i].env), dg_env_max_episode_steps(w[i].env),
                     dg_env_id(w[0].env), dg_env_max_episode_steps(w[0].env));
    for (int j = 0; j < i; j++)
      if (w[i].env == w[j].env || w[i].policy == w[j].policy)
        return dg_fail(NULL, 0, DG_ERR_INVALID,
                       "dg_rollout_run_parallel: workers %d and %d share an env or a policy; "
                       "each worker needs its own",
                       j, i);
  }
  if (opt->episodes < 0 || opt->first_episode < 0 || opt->ntaps < 0 ||
      (opt->ntaps > 0 && !opt->taps))
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "dg_rollout_run_parallel: bad episodes, first_episode or taps");
  for (int t = 0; t < opt->ntaps; t++)
    if (opt->taps[t].episode_begin || opt->taps[t].before_step || opt->taps[t].after_step)
      return dg_fail(NULL, 0, DG_ERR_INVALID,
                     "dg_rollout_run_parallel: shared tap %d has per-step callbacks; shared taps "
                     "take only episode_end (give per-step taps to each worker)",
                     t);
  return DG_OK;
}

int dg_rollout_run_parallel(const dg_rollout_worker* workers, int nworkers,
                            const dg_rollout_options* options, dg_episode_stats* stats,
                            dg_rollout_summary* summary) {
  dg_rollout_options defaults;
  if (!options) dg_rollout_options_default(&defaults);
  const dg_rollout_options* opt = options ? options : &defaults;
  int rc = check_workers(workers, nworkers, opt);
  if (rc) return rc;

  run r;
  memset(&r, 0, sizeof(r));
  r.opt = opt;
  r.episodes = opt->episodes;
  r.window = WINDOW_PER_WORKER * nworkers;
  atomic_store(&r.abort_after, INT_MAX);
  size_t ne = opt->episodes ? (size_t)opt->episodes : 1;
  r.finished = calloc(ne, 1);
  r.all = calloc(ne, sizeof(dg_episode_stats));
  worker_ctx* ctx = calloc((size_t)nworkers, sizeof(worker_ctx));
  pthread_t* th = calloc((size_t)nworkers, sizeof(pthread_t));
  int ok = r.finished && r.all && ctx && th;
  for (int i = 0; ok && i < nworkers; i++) {
    ctx[i].r = &r;
    ctx[i].w = workers[i];
    ctx[i].taps = calloc((size_t)workers[i].ntaps + 1, sizeof(dg_tap));
    if (!ctx[i].taps) {
      ok = 0;
      break;
    }
    ctx[i].taps[0].user = &ctx[i];
    ctx[i].taps[0].before_step = abort_before_step;
    if (workers[i].ntaps > 0)
      memcpy(ctx[i].taps + 1, workers[i].taps, sizeof(dg_tap) * workers[i].ntaps);
  }
  if (!ok) {
    rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for a parallel rollout");
    goto cleanup;
  }
  pthread_mutex_init(&r.mu, NULL);
  pthread_cond_init(&r.cv, NULL);

  // start the workers
  int started = 0;
  pthread_mutex_lock(&r.mu);
  for (; started < nworkers; started++) {
    r.running++;
    if (pthread_create(&th[started], NULL, worker_main, &ctx[started]) != 0) {
      r.running--;
      note_failure(&r, -1, DG_ERR_NOMEM, "cannot start a rollout worker thread");
      break;
    }
  }

  // deliver finished episodes in index order until every worker has left (or a shared tap failed)
  int tap_failed = 0;
  for (;;) {
    while (!tap_failed && r.delivered < r.episodes && r.finished[r.delivered]) {
      dg_episode_stats st = r.all[r.delivered];
      pthread_mutex_unlock(&r.mu);
      int trc = DG_OK;
      for (int t = 0; t < opt->ntaps && !trc; t++)
        if (opt->taps[t].episode_end) trc = opt->taps[t].episode_end(opt->taps[t].user, NULL, &st);
      pthread_mutex_lock(&r.mu);
      if (trc) {
        note_failure(&r, r.delivered, trc, dg_last_errmsg());
        tap_failed = 1;
        pthread_cond_broadcast(&r.cv);
        break;
      }
      r.delivered++;
      pthread_cond_broadcast(&r.cv);
    }
    if (r.running == 0) break;
    pthread_cond_wait(&r.cv, &r.mu);
  }
  pthread_mutex_unlock(&r.mu);
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  pthread_cond_destroy(&r.cv);
  pthread_mutex_destroy(&r.mu);

  if (stats) memcpy(stats, r.all, sizeof(dg_episode_stats) * r.delivered);
  if (summary) dg_rollout_summarize(r.all, r.delivered, summary);
  rc = r.err_rc ? dg_fail_msg(NULL, 0, r.err_rc, r.err_msg) : DG_OK;

cleanup:
  if (ctx)
    for (int i = 0; i < nworkers; i++) free(ctx[i].taps);
  free(ctx);
  free(th);
  free(r.finished);
  free(r.all);
  return rc;
}

int dg_rollout_run_threads(dg_env* env, dg_policy* policy, int nthreads,
                           const dg_rollout_options* opt, dg_episode_stats* stats,
                           dg_rollout_summary* summary) {
  if (!env || !policy || nthreads < 1)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "dg_rollout_run_threads: needs an env, a policy and at least one thread");
  dg_rollout_worker* w = calloc((size_t)nthreads, sizeof(dg_rollout_worker));
  if (!w) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for rollout workers");
  int rc = DG_OK, made = 1;
  w[0].env = env;
  w[0].policy = policy;
  for (; made < nthreads; made++) {
    if ((rc = dg_env_make_task(env->task, &env->opt, &w[made].env)) != DG_OK) break;
    if ((rc = dg_policy_clone(policy, &w[made].policy)) != DG_OK) {
      dg_env_close(&w[made].env);
      break;
    }
  }
  if (rc == DG_OK) rc = dg_rollout_run_parallel(w, nthreads, opt, stats, summary);
  for (int i = 1; i < made; i++) {
    dg_env_close(&w[i].env);
    dg_policy_close(&w[i].policy);
  }
  free(w);
  return rc;
}
