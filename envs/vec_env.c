// vec_env.c: the batched vector env: N envs, a persistent pool of T - 1 threads that steps them
// with the caller, Gymnasium's autoreset modes, and the buffers the results land in.
//
// A reset or step is one job: the caller publishes it (a new generation number), wakes the pool,
// and every thread, the caller's included, takes envs one at a time until none is left: first
// from its own contiguous range (so an env stays on one core, with its data in that core's
// cache, and threads write rows of their own), then from the others' ranges (so a thread the
// machine slows down does not hold up the job). Each env's work reads its action row and writes
// its own rows only, so which thread runs an env never changes a result. Pool threads poll for
// the next job (spin_us) before they sleep, so back-to-back steps do not pay a wake-up each.
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demogym/vec_env.h"
#include "env_internal.h"
#include "internal.h"

enum { JOB_RESET = 1, JOB_STEP = 2, JOB_QUIT = 3 };

// one thread's range of envs, [start, end), and the next one of it to take; a cache line each
typedef struct vec_range {
  _Alignas(64) atomic_int next;
  int start, end;
} vec_range;

typedef struct pool_arg {
  struct dg_vec_env* v;
  int self;  // the thread's range (the caller's is 0)
} pool_arg;

struct dg_vec_env {
  int n;              // number of envs
  int nthreads;       // threads that work, the caller's included
  int od, ad;         // observation and action sizes
  int mode;           // dg_autoreset_mode
  int ready;          // 1 after a successful reset, 0 after a failure
  long long spin_ns;  // polling for a job (or its end) before sleeping
  dg_env** envs;      // (n)
  // results
  double* obs;           // (n x od)
  double* rewards;       // (n)
  uint8_t* terminated;   // (n)
  uint8_t* truncated;    // (n)
  uint8_t* autoreset;    // (n) next-step mode: reset on the next step
  dg_info* infos;        // (n)
  double* final_obs;     // (n x od) same-step mode
  dg_info* final_infos;  // (n) same-step mode
  int* status;           // (n) status of each env's part of the last job
  uint64_t* seeds;       // (n) seeds of the reset job
  // the current job
  atomic_int job;         // JOB_*
  int seeded;             // reset job: 1 when seeds holds a seed per env
  const double* actions;  // step job: (n x ad)
  // the pool
  pthread_t* threads;  // (nthreads - 1)
  pool_arg* args;      // (nthreads - 1)
  vec_range* ranges;   // (nthreads)
  int started;         // pool threads running
  pthread_mutex_t mu;
  pthread_cond_t wake;  // a new job was published
  pthread_cond_t done;  // the last env of a job finished
  atomic_uint generation;
  atomic_uint remaining;  // envs of the job not finished yet
  char errmsg[DG_ERRMSG_SIZE];
};

static int vec_fail(dg_vec_env* v, int code, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int vec_fail(dg_vec_env* v, int code, const char* fmt, ...) {
  char msg[DG_ERRMSG_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return dg_fail_msg(v ? v->errmsg : NULL, v ? sizeof(v->errmsg) : 0, code, msg);
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

// poll until *counter differs from value (differ = 1) or equals it (differ = 0), for at most
// spin_ns; return 1 when the condition came true
static int spin_until(atomic_uint* counter, unsigned value, int differ, long long spin_ns) {
  long long deadline = 0;
  for (int k = 0;; k++) {
    if ((atomic_load(counter) != value) == differ) return 1;
    cpu_relax();
    if ((k & 63) == 63) {
      long long t = now_ns();
      if (!deadline) deadline = t + spin_ns;
      if (t > deadline) return 0;
    }
  }
}

void dg_vec_options_default(dg_vec_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->num_envs = 1;
  opt->num_threads = 1;
  opt->autoreset_mode = DG_AUTORESET_NEXT_STEP;
  dg_env_options_default(&opt->env);
  // measured (bench_vec, Reach-v0, 32 envs, 2 threads): 50 us of polling gave 1.63-1.75x the
  // 1-thread throughput, 1 ms 1.83-1.85x: a pool thread that finishes its envs early would
  // otherwise sleep before the next step and pay a wake-up (an interprocessor interrupt, slow
  // in a VM) every step
  opt->spin_us = 1000;
}

// --- one env's part of a job ------------------------------------------------------------------

static int reset_one(dg_vec_env* v, int i, const uint64_t* seed) {
  dg_env* env = v->envs[i];
  int rc = dg_env_reset(env, seed, v->obs + (size_t)i * v->od, &v->infos[i]);
  v->rewards[i] = 0.0;
  v->terminated[i] = 0;
  v->truncated[i] = 0;
  v->autoreset[i] = 0;
  return rc;
}

static int step_one(dg_vec_env* v, int i) {
  dg_env* env = v->envs[i];
  double* obs = v->obs + (size_t)i * v->od;
  if (v->mode == DG_AUTORESET_NEXT_STEP && v->autoreset[i]) return reset_one(v, i, NULL);
  dg_step_result r;
  int rc = dg_env_step(env, v->actions + (size_t)i * v->ad, obs, &r);
  if (rc) return rc;
  v->rewards[i] = r.reward;
  v->terminated[i] = (uint8_t)(r.terminated != 0);
  v->truncated[i] = (uint8_t)(r.truncated != 0);
  v->infos[i] = r.info;
  int ended = r.terminated || r.truncated;
  if (v->mode == DG_AUTORESET_NEXT_STEP) {
    v->autoreset[i] = (uint8_t)ended;
    return DG_OK;
  }
  // same-step: keep the episode's last observation and info, then reset at once
  if (ended) {
    memcpy(v->final_obs + (size_t)i * v->od, obs, sizeof(double) * v->od);
    v->final_infos[i] = r.info;
    rc = dg_env_reset(env, NULL, obs, &v->infos[i]);
  }
  return rc;
}

// take envs, from range self first, then from the others, until none is left; signal when the
// job's last one finishes
static void work(dg_vec_env* v, int self) {
  for (int k = 0; k < v->nthreads; k++) {
    vec_range* r = &v->ranges[(self + k) % v->nthreads];
    int i;
    while ((i = atomic_fetch_add(&r->next, 1)) < r->end) {
      int rc;
      if (atomic_load(&v->job) == JOB_RESET) {
        rc = reset_one(v, i, v->seeded ? &v->seeds[i] : NULL);
      } else {
        rc = step_one(v, i);
      }
      v->status[i] = rc;
      if (atomic_fetch_sub(&v->remaining, 1) == 1) {
        pthread_mutex_lock(&v->mu);
        pthread_cond_signal(&v->done);
        pthread_mutex_unlock(&v->mu);
      }
    }
  }
}

static void* pool_main(void* arg) {
  dg_vec_env* v = ((pool_arg*)arg)->v;
  int self = ((pool_arg*)arg)->self;
  unsigned seen = 0;
  for (;;) {
    if (!spin_until(&v->generation, seen, 1, v->spin_ns)) {
      pthread_mutex_lock(&v->mu);
      while (atomic_load(&v->generation) == seen) pthread_cond_wait(&v->wake, &v->mu);
      pthread_mutex_unlock(&v->mu);
    }
    seen = atomic_load(&v->generation);
    if (atomic_load(&v->job) == JOB_QUIT) return NULL;
    work(v, self);
  }
}

// publish a job, take part in it, and wait until every env is done
static void run_job(dg_vec_env* v, int job) {
  // remaining before the ranges: a thread still leaving the last job may take an env of this
  // one as soon as a range is reopened, and must find the count already in place
  atomic_store(&v->job, job);
  atomic_store(&v->remaining, v->n);
  for (int t = 0; t < v->nthreads; t++) atomic_store(&v->ranges[t].next, v->ranges[t].start);
  if (v->started > 0) {
    atomic_fetch_add(&v->generation, 1);
    pthread_mutex_lock(&v->mu);
    pthread_cond_broadcast(&v->wake);
    pthread_mutex_unlock(&v->mu);
  }
  work(v, 0);
  if (!spin_until(&v->remaining, 0, 0, v->spin_ns)) {
    pthread_mutex_lock(&v->mu);
    while (atomic_load(&v->remaining) > 0) pthread_cond_wait(&v->done, &v->mu);
    pthread_mutex_unlock(&v->mu);
  }
}

// report the failure of the lowest env that failed in the last job, if any
static int job_status(dg_vec_env* v, const char* what) {
  for (int i = 0; i < v->n; i++) {
    if (v->status[i] == DG_OK) continue;
    v->ready = 0;
    return vec_fail(v, v->status[i], "env %d: %s failed: %s (reset the vector env)", i, what,
                    dg_env_errmsg(v->envs[i]));
  }
  return DG_OK;
}

// --- the handle ---------------------------------------------------------------------------------

static int make_fail(dg_vec_env* v, int code) {
  char msg[DG_ERRMSG_SIZE];
  dg_strlcpy(msg, dg_last_errmsg(), sizeof(msg));
  dg_vec_close(&v);
  return dg_fail_msg(NULL, 0, code, msg);
}

int dg_vec_make(const char* id, const dg_vec_options* opt, dg_vec_env** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_vec_make: out is NULL");
  *out = NULL;
  if (!id) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_vec_make: id is NULL");
  dg_vec_options o;
  if (opt) {
    o = *opt;
  } else {
    dg_vec_options_default(&o);
  }
  if (o.num_envs < 1 || o.num_envs > DG_VEC_MAX_ENVS)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "num_envs %d is outside 1..%d", o.num_envs,
                   DG_VEC_MAX_ENVS);
  if (o.num_threads < 0 || o.num_threads > DG_VEC_MAX_THREADS)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "num_threads %d is outside 0..%d (0: one per online CPU)", o.num_threads,
                   DG_VEC_MAX_THREADS);
  if (o.autoreset_mode != DG_AUTORESET_NEXT_STEP && o.autoreset_mode != DG_AUTORESET_SAME_STEP)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "autoreset_mode %d is unknown (0: next step, 1: same step)", o.autoreset_mode);
  if (o.spin_us < 0 || o.spin_us > 1000000)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "spin_us %d is outside 0..1000000", o.spin_us);
  int threads = o.num_threads;
  if (threads == 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    threads = cpus < 1 ? 1 : (cpus > DG_VEC_MAX_THREADS ? DG_VEC_MAX_THREADS : (int)cpus);
  }
  if (threads > o.num_envs) threads = o.num_envs;

  dg_vec_env* v = calloc(1, sizeof(dg_vec_env));
  if (!v) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a vector env");
  pthread_mutex_init(&v->mu, NULL);
  pthread_cond_init(&v->wake, NULL);
  pthread_cond_init(&v->done, NULL);
  v->n = o.num_envs;
  v->nthreads = threads;
  v->mode = o.autoreset_mode;
  v->spin_ns = 1000LL * o.spin_us;
  v->envs = calloc((size_t)v->n, sizeof(dg_env*));
  if (!v->envs) {
    dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a vector env");
    return make_fail(v, DG_ERR_NOMEM);
  }
  for (int i = 0; i < v->n; i++) {
    int rc = dg_env_make(id, &o.env, &v->envs[i]);
    if (rc) return make_fail(v, rc);
  }
  v->od = dg_env_obs_dim(v->envs[0]);
  v->ad = dg_env_act_dim(v->envs[0]);
  size_t n = (size_t)v->n;
  v->obs = calloc(n * v->od, sizeof(double));
  v->final_obs = calloc(n * v->od, sizeof(double));
  v->rewards = calloc(n, sizeof(double));
  v->terminated = calloc(n, 1);
  v->truncated = calloc(n, 1);
  v->autoreset = calloc(n, 1);
  v->infos = calloc(n, sizeof(dg_info));
  v->final_infos = calloc(n, sizeof(dg_info));
  v->status = calloc(n, sizeof(int));
  v->seeds = calloc(n, sizeof(uint64_t));
  v->threads = calloc((size_t)threads, sizeof(pthread_t));
  v->args = calloc((size_t)threads, sizeof(pool_arg));
  v->ranges = aligned_alloc(_Alignof(vec_range), sizeof(vec_range) * (size_t)threads);
  if (!v->obs || !v->final_obs || !v->rewards || !v->terminated || !v->truncated || !v->autoreset ||
      !v->infos || !v->final_infos || !v->status || !v->seeds || !v->threads || !v->args ||
      !v->ranges) {
    dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for the buffers of %d envs", v->n);
    return make_fail(v, DG_ERR_NOMEM);
  }
  for (int t = 0; t < threads; t++) {
    v->ranges[t].start = (int)((long)v->n * t / threads);
    v->ranges[t].end = (int)((long)v->n * (t + 1) / threads);
    atomic_init(&v->ranges[t].next, v->ranges[t].end);  // no job yet: every range is empty
  }
  for (int t = 0; t < threads - 1; t++) {
    v->args[t].v = v;
    v->args[t].self = t + 1;
    int err = pthread_create(&v->threads[t], NULL, pool_main, &v->args[t]);
    if (err) {
      dg_fail(NULL, 0, DG_ERR_NOMEM, "cannot start pool thread %d of %d: %s", t + 1, threads - 1,
              strerror(err));
      return make_fail(v, DG_ERR_NOMEM);
    }
    v->started++;
  }
  *out = v;
  return DG_OK;
}

void dg_vec_close(dg_vec_env** handle) {
  if (!handle || !*handle) return;
  dg_vec_env* v = *handle;
  *handle = NULL;
  if (v->started > 0) {
    atomic_store(&v->job, JOB_QUIT);
    atomic_fetch_add(&v->generation, 1);
    pthread_mutex_lock(&v->mu);
    pthread_cond_broadcast(&v->wake);
    pthread_mutex_unlock(&v->mu);
    for (int t = 0; t < v->started; t++) pthread_join(v->threads[t], NULL);
  }
  if (v->envs)
    for (int i = 0; i < v->n; i++) dg_env_close(&v->envs[i]);
  free(v->envs);
  free(v->obs);
  free(v->final_obs);
  free(v->rewards);
  free(v->terminated);
  free(v->truncated);
  free(v->autoreset);
  free(v->infos);
  free(v->final_infos);
  free(v->status);
  free(v->seeds);
  free(v->threads);
  free(v->args);
  free(v->ranges);
  pthread_cond_destroy(&v->wake);
  pthread_cond_destroy(&v->done);
  pthread_mutex_destroy(&v->mu);
  free(v);
}

// clang-format off
const char* dg_vec_errmsg(const dg_vec_env* v) { return v ? v->errmsg : ""; }
int dg_vec_num_envs(const dg_vec_env* v) { return v->n; }
int dg_vec_num_threads(const dg_vec_env* v) { return v->nthreads; }
int dg_vec_autoreset_mode(const dg_vec_env* v) { return v->mode; }
int dg_vec_obs_dim(const dg_vec_env* v) { return v->od; }
int dg_vec_act_dim(const dg_vec_env* v) { return v->ad; }
dg_env* dg_vec_env_at(dg_vec_env* v, int i) { return v && i >= 0 && i < v->n ? v->envs[i] : NULL; }
const double* dg_vec_obs(const dg_vec_env* v) { return v->obs; }
const double* dg_vec_rewards(const dg_vec_env* v) { return v->rewards; }
const uint8_t* dg_vec_terminated(const dg_vec_env* v) { return v->terminated; }
const uint8_t* dg_vec_truncated(const dg_vec_env* v) { return v->truncated; }
const dg_info* dg_vec_infos(const dg_vec_env* v) { return v->infos; }
const uint8_t* dg_vec_autoreset_mask(const dg_vec_env* v) { return v->autoreset; }
const double* dg_vec_final_obs(const dg_vec_env* v) { return v->final_obs; }
const dg_info* dg_vec_final_infos(const dg_vec_env* v) { return v->final_infos; }
// clang-format on

// --- reset and step -----------------------------------------------------------------------------

static int reset_job(dg_vec_env* v) {
  memset(v->final_infos, 0, sizeof(dg_info) * v->n);
  run_job(v, JOB_RESET);
  int rc = job_status(v, "reset");
  v->ready = rc == DG_OK;
  return rc;
}

int dg_vec_reset(dg_vec_env* v, const uint64_t* seed) {
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_vec_reset: v is NULL");
  v->seeded = seed != NULL;
  if (seed)
    for (int i = 0; i < v->n; i++) v->seeds[i] = *seed + (uint64_t)i;
  return reset_job(v);
}

int dg_vec_reset_seeds(dg_vec_env* v, const uint64_t* seeds, size_t n_seeds) {
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_vec_reset_seeds: v is NULL");
  if (!seeds || n_seeds != (size_t)v->n)
    return vec_fail(v, DG_ERR_INVALID,
                    "dg_vec_reset_seeds: expected %d seeds (one per env), got %zu%s", v->n, n_seeds,
                    seeds ? "" : " and a NULL array");
  v->seeded = 1;
  memcpy(v->seeds, seeds, sizeof(uint64_t) * v->n);
  return reset_job(v);
}

int dg_vec_step(dg_vec_env* v, const double* actions, size_t n_actions) {
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_vec_step: v is NULL");
  size_t want = (size_t)v->n * v->ad;
  if (!actions || n_actions != want)
    return vec_fail(v, DG_ERR_INVALID,
                    "dg_vec_step: expected %zu actions (%d envs x %d), got %zu%s; nothing stepped",
                    want, v->n, v->ad, n_actions, actions ? "" : " and a NULL array");
  if (!v->ready)
    return vec_fail(v, DG_ERR_STATE, "%s: step before reset; call dg_vec_reset first",
                    dg_env_id(v->envs[0]));
  // refuse the whole batch before any env moves
  for (size_t k = 0; k < want; k++)
    if (!isfinite(actions[k]))
      return vec_fail(v, DG_ERR_INVALID,
                      "env %d: action[%d] is %s; actions must be finite (nothing stepped)",
                      (int)(k / v->ad), (int)(k % v->ad), isnan(actions[k]) ? "NaN" : "infinite");
  v->actions = actions;
  run_job(v, JOB_STEP);
  v->actions = NULL;
  return job_status(v, "step");
}
