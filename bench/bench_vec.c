// bench_vec.c: throughput of the vector env with 1, 2, ... threads against N plain envs stepped
// one after the other by the caller, and of parallel rollouts (the expert, episodes over worker
// threads) against the sequential driver, measured side by side in one run. A reference runs
// beside them: T threads stepping fixed, disjoint slices of the plain envs that meet only at the
// start and end of a round (a static split), what the cores give to code that never waits for
// the others per step (but never rebalances either when the host slows one core). Prints
// ratios; --json FILE also writes them as JSON.
//
// usage: bench_vec [--env ID] [--envs N] [--threads T] [--rounds R] [--json FILE]
// Rounds alternate the variants (plain loop, then T = 1, 2, ... threads) so a change in the
// machine's load falls on all of them alike; each ratio is taken within a round, and its median
// over rounds printed. The load average at the start and the end is reported: on a shared
// machine, scaling figures mean something only when it stays below the number of CPUs minus the
// threads measured.
#define _DEFAULT_SOURCE  // getloadavg
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "demogym/demogym.h"

#define MAX_T 16

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

// the median of v[0..n), which is left as it is (rounds stay paired with each other)
static double median(const double* v, int n) {
  double* s = malloc(sizeof(double) * n);
  memcpy(s, v, sizeof(double) * n);
  qsort(s, n, sizeof(double), cmp);
  double m = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  free(s);
  return m;
}

// the median over n rounds of num[r] / den[r] (taken within a round, so drift between rounds
// cancels)
static double median_ratio(const double* num, const double* den, int n) {
  double* q = malloc(sizeof(double) * n);
  for (int r = 0; r < n; r++) q[r] = num[r] / den[r];
  double m = median(q, n);
  free(q);
  return m;
}

static void die(const char* what) {
  fprintf(stderr, "bench_vec: %s: %s\n", what, dg_last_errmsg());
  exit(1);
}

// the actions of batch k: smooth, different per env, within the box
static void fill_actions(double* a, int n, int ad, long k) {
  for (int i = 0; i < n; i++)
    for (int j = 0; j < ad; j++) a[i * ad + j] = 0.7 * sin(0.05 * k + 0.9 * i + 1.7 * j);
}

// seconds per batch of n plain envs stepped in a loop (autoreset by hand, next-step style)
static double time_plain(dg_env** envs, int n, int od, int ad, int batches, long* k) {
  double* obs = malloc(sizeof(double) * od);
  double* a = malloc(sizeof(double) * n * ad);
  double t0 = now();
  for (int b = 0; b < batches; b++, (*k)++) {
    fill_actions(a, n, ad, *k);
    for (int i = 0; i < n; i++) {
      dg_step_result r;
      if (dg_env_step(envs[i], a + i * ad, obs, &r)) die("plain step");
      if (r.terminated || r.truncated)
        if (dg_env_reset(envs[i], NULL, obs, NULL)) die("plain reset");
    }
  }
  double t = (now() - t0) / batches;
  free(obs);
  free(a);
  return t;
}

// the static split: T persistent threads, each stepping its own slice of the plain envs batch
// after batch without waiting for the others; they meet only at the start and end of a round
typedef struct split_pool split_pool;
typedef struct split_slice {
  split_pool* pool;
  dg_env** envs;
  int n;
} split_slice;
struct split_pool {
  int t, od, ad, batches, quit;
  long k;
  pthread_t th[MAX_T];
  split_slice f[MAX_T];
  pthread_barrier_t start, end;
};

static void run_slice(split_slice* f) {
  long k = f->pool->k;
  time_plain(f->envs, f->n, f->pool->od, f->pool->ad, f->pool->batches, &k);
}

static void* split_main(void* arg) {
  split_slice* f = arg;
  for (;;) {
    pthread_barrier_wait(&f->pool->start);
    if (f->pool->quit) return NULL;
    run_slice(f);
    pthread_barrier_wait(&f->pool->end);
  }
}

static void split_make(split_pool* p, dg_env** envs, int n, int od, int ad, int t) {
  p->t = t, p->od = od, p->ad = ad, p->quit = 0;
  pthread_barrier_init(&p->start, NULL, (unsigned)t);
  pthread_barrier_init(&p->end, NULL, (unsigned)t);
  for (int j = 0; j < t; j++) {
    p->f[j] = (split_slice){p, envs + n * j / t, n * (j + 1) / t - n * j / t};
    if (j > 0 && pthread_create(&p->th[j], NULL, split_main, &p->f[j]) != 0) die("thread");
  }
}

static void split_close(split_pool* p) {
  p->quit = 1;
  pthread_barrier_wait(&p->start);
  for (int j = 1; j < p->t; j++) pthread_join(p->th[j], NULL);
  pthread_barrier_destroy(&p->start);
  pthread_barrier_destroy(&p->end);
}

// seconds per batch of the plain envs split over the pool's threads
static double time_split(split_pool* p, int batches, long* k) {
  p->batches = batches;
  p->k = *k;
  double t0 = now();
  pthread_barrier_wait(&p->start);
  run_slice(&p->f[0]);
  pthread_barrier_wait(&p->end);
  *k += batches;
  return (now() - t0) / batches;
}

// seconds per batch of the vector env
static double time_vec(dg_vec_env* v, int batches, long* k) {
  int n = dg_vec_num_envs(v), ad = dg_vec_act_dim(v);
  double* a = malloc(sizeof(double) * n * ad);
  double t0 = now();
  for (int b = 0; b < batches; b++, (*k)++) {
    fill_actions(a, n, ad, *k);
    if (dg_vec_step(v, a, (size_t)n * ad)) die("vector step");
  }
  double t = (now() - t0) / batches;
  free(a);
  return t;
}

int main(int argc, char** argv) {
  const char* id = "Reach-v0";
  const char* json_path = NULL;
  int n = 16, rounds = 11, max_t = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--env") && i + 1 < argc)
      id = argv[++i];
    else if (!strcmp(argv[i], "--envs") && i + 1 < argc)
      n = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      max_t = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--json") && i + 1 < argc)
      json_path = argv[++i];
    else {
      fprintf(stderr,
              "usage: bench_vec [--env ID] [--envs N] [--threads T] [--rounds R] [--json FILE]\n");
      return 2;
    }
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (max_t <= 0) max_t = cpus < 2 ? 2 : (int)cpus;
  if (max_t > MAX_T) max_t = MAX_T;
  if (n < 1 || rounds < 1) {
    fprintf(stderr, "bench_vec: --envs and --rounds must be positive\n");
    return 2;
  }
  FILE* json = json_path ? fopen(json_path, "w") : NULL;
  if (json_path && !json) {
    perror(json_path);
    return 1;
  }
  double load0[3] = {0}, load1[3] = {0};
  getloadavg(load0, 3);

  // the variants: N plain envs, and a vector env per thread count
  dg_env_options eo;
  dg_env_options_default(&eo);
  dg_env** plain = calloc(n, sizeof(dg_env*));
  for (int i = 0; i < n; i++) {
    if (dg_env_make(id, &eo, &plain[i])) die(id);
    uint64_t s = 1000 + i;
    double obs[256];
    if (dg_env_reset(plain[i], &s, obs, NULL)) die("reset");
  }
  int od = dg_env_obs_dim(plain[0]), ad = dg_env_act_dim(plain[0]);
  dg_vec_env* vec[MAX_T + 1] = {0};
  split_pool* pools = calloc(MAX_T + 1, sizeof(split_pool));
  for (int t = 2; t <= max_t; t++) split_make(&pools[t], plain, n, od, ad, t);
  for (int t = 1; t <= max_t; t++) {
    dg_vec_options o;
    dg_vec_options_default(&o);
    o.num_envs = n;
    o.num_threads = t;
    if (dg_vec_make(id, &o, &vec[t])) die("vector env");
    uint64_t s = 1000;
    if (dg_vec_reset(vec[t], &s)) die("vector reset");
  }

  // a round: about 0.3 s of the plain loop, the same number of batches for each variant
  long k_plain = 0, k_vec[MAX_T + 1] = {0};
  time_plain(plain, n, od, ad, 2, &k_plain);  // warm up
  double t_probe = time_plain(plain, n, od, ad, 3, &k_plain);
  int batches = (int)(0.3 / t_probe);
  if (batches < 3) batches = 3;
  double* tp = calloc(rounds, sizeof(double));
  double* tv[MAX_T + 1];
  double* ts[MAX_T + 1];  // the static split's times (T >= 2)
  for (int t = 1; t <= max_t; t++) {
    tv[t] = calloc(rounds, sizeof(double));
    ts[t] = calloc(rounds, sizeof(double));
    time_vec(vec[t], 2, &k_vec[t]);
  }
  for (int r = 0; r < rounds; r++) {
    // alternate the order from round to round; the static split of T runs beside vector T
    if (r % 2 == 0) tp[r] = time_plain(plain, n, od, ad, batches, &k_plain);
    for (int q = 1; q <= max_t; q++) {
      int t = r % 2 == 0 ? q : max_t + 1 - q;
      if (r % 2 == 0) tv[t][r] = time_vec(vec[t], batches, &k_vec[t]);
      if (t > 1) ts[t][r] = time_split(&pools[t], batches, &k_plain);
      if (r % 2 == 1) tv[t][r] = time_vec(vec[t], batches, &k_vec[t]);
    }
    if (r % 2 == 1) tp[r] = time_plain(plain, n, od, ad, batches, &k_plain);
  }
  // medians of times (for the rates printed) and of ratios within a round (the ratios printed)
  double mp = median(tp, rounds), mv[MAX_T + 1], ms[MAX_T + 1], sv[MAX_T + 1], sp[MAX_T + 1],
         ss[MAX_T + 1], sg[MAX_T + 1];
  for (int t = 1; t <= max_t; t++) {
    mv[t] = median(tv[t], rounds);
    sv[t] = median_ratio(tv[1], tv[t], rounds);  // vector T / vector 1
    sp[t] = median_ratio(tp, tv[t], rounds);     // vector T / plain loop
    if (t == 1) continue;
    ms[t] = median(ts[t], rounds);
    ss[t] = median_ratio(tp, ts[t], rounds);  // static split T / plain loop
    double* g = calloc(rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) g[r] = (tv[1][r] / tv[t][r]) / (tp[r] / ts[t][r]);
    sg[t] = median(g, rounds);  // the vector env's scaling / the static split's
    free(g);
  }

  // parallel rollouts: the expert's episodes over 1..max_t workers vs the sequential driver
  dg_policy* expert;
  if (dg_policy_make_expert(id, &expert)) die("expert");
  dg_rollout_options ro;
  dg_rollout_options_default(&ro);
  ro.seed = 7;
  dg_rollout_summary sum;
  double t_seq0 = now();
  ro.episodes = 4;
  if (dg_rollout_run(plain[0], expert, &ro, NULL, &sum)) die("rollout");
  double per_episode = (now() - t_seq0) / 4;
  ro.episodes = (int)(1.0 / per_episode);
  if (ro.episodes < 4 * max_t) ro.episodes = 4 * max_t;
  // the workers are made once (envs and expert copies), as a long run would use them
  dg_rollout_worker wk[MAX_T];
  dg_policy* clones[MAX_T] = {0};
  for (int j = 0; j < max_t && j < n; j++) {
    if (dg_policy_clone(expert, &clones[j])) die("expert clone");
    wk[j] = (dg_rollout_worker){plain[j], clones[j], NULL, 0};
  }
  int max_w = max_t < n ? max_t : n;
  enum { EROUNDS = 5 };
  double te[MAX_T + 1][EROUNDS];
  for (int r = 0; r < EROUNDS; r++)
    for (int q = 1; q <= max_w; q++) {
      int t = r % 2 == 0 ? q : max_w + 1 - q;
      double t0 = now();
      int rc = t == 1 ? dg_rollout_run(plain[0], expert, &ro, NULL, &sum)
                      : dg_rollout_run_parallel(wk, t, &ro, NULL, &sum);
      if (rc) die("rollout");
      te[t][r] = now() - t0;
    }
  double me[MAX_T + 1], se[MAX_T + 1];
  for (int t = 1; t <= max_w; t++)
    me[t] = median(te[t], EROUNDS), se[t] = median_ratio(te[1], te[t], EROUNDS);
  getloadavg(load1, 3);

  printf(
      "%s: %d envs, %d rounds of %d batches, %d episodes per rollout; load average %.2f at "
      "start, %.2f at end; %ld CPUs\n",
      id, n, rounds, batches, ro.episodes, load0[0], load1[0], cpus);
  printf("%-30s %14s %12s %12s\n", "variant", "env steps/s", "/ plain", "/ 1 thread");
  printf("%-30s %14.0f %12s %12s\n", "plain loop (baseline)", n / mp, "1.000", "");
  if (json)
    fprintf(json,
            "{\"benchmark\": \"vec_env_throughput\", \"env\": \"%s\", \"num_envs\": %d, "
            "\"cpus\": %ld, \"loadavg_start\": %.2f, \"loadavg_end\": %.2f, \"results\": [",
            id, n, cpus, load0[0], load1[0]);
  for (int t = 1; t <= max_t; t++) {
    char name[64];
    snprintf(name, sizeof(name), "vector env, %d thread%s", t, t > 1 ? "s" : "");
    printf("%-30s %14.0f %12.3f %12.3f\n", name, n / mv[t], sp[t], sv[t]);
    if (json)
      fprintf(json,
              "%s{\"name\": \"vec %s T=%d throughput / 1 thread\", \"threads\": %d, "
              "\"steps_per_s\": %.1f, \"ratio\": %.4f, \"vs_plain\": %.4f}",
              t > 1 ? ", " : "", id, t, t, n / mv[t], sv[t], sp[t]);
  }
  // the static split's scaling, and the vector env's against it
  for (int t = 2; t <= max_t; t++) {
    char name[64];
    snprintf(name, sizeof(name), "static split, %d threads", t);
    double limit = ss[t], got = sg[t];
    printf("%-30s %14.0f %12.3f %12s   (vector env: %.0f%% of its scaling)\n", name, n / ms[t],
           limit, "", 100 * got);
    if (json)
      fprintf(json,
              ", {\"name\": \"static split %s %d threads / plain\", "
              "\"threads\": %d, \"ratio\": %.4f}, {\"name\": \"vec %s %d-thread scaling / "
              "static split scaling\", \"threads\": %d, \"ratio\": %.4f}",
              id, t, t, limit, id, t, t, got);
  }
  printf("%-30s %14s %12s %12s\n", "rollout (expert episodes)", "episodes/s", "", "/ 1 worker");
  for (int t = 1; t <= max_w; t++) {
    char name[64];
    snprintf(name, sizeof(name), "%d worker%s", t, t > 1 ? "s" : "");
    printf("%-30s %14.1f %12s %12.3f\n", name, ro.episodes / me[t], "", se[t]);
    if (json)
      fprintf(json,
              ", {\"name\": \"rollout %s %d workers / sequential\", \"workers\": %d, "
              "\"episodes_per_s\": %.2f, \"ratio\": %.4f}",
              id, t, t, ro.episodes / me[t], se[t]);
  }
  if (json) {
    fprintf(json, "]}\n");
    fclose(json);
  }

  dg_policy_close(&expert);
  for (int j = 0; j < MAX_T; j++) dg_policy_close(&clones[j]);
  for (int t = 1; t <= max_t; t++) {
    dg_vec_close(&vec[t]);
    free(tv[t]);
    free(ts[t]);
  }
  for (int t = 2; t <= max_t; t++) split_close(&pools[t]);
  free(pools);
  for (int i = 0; i < n; i++) dg_env_close(&plain[i]);
  free(plain);
  free(tp);
  return 0;
}
