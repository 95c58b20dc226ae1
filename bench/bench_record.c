// bench_record.c: the cost of recording: the same seeded expert rollout with the recorder
// attached (writing and committing every episode to HDF5) against it without, measured side by
// side in one run for every registered env. Rounds alternate, and each round's recorded time is
// divided by the plain time of the same round, so that the machine's drift cancels; the median
// of those ratios is printed (wall clock, and CPU time of all the process's threads, the
// recorder's writer thread included), with the file size per 1000 steps.
// Usage: bench_record [--rounds N] [--env ID] [--write-behind N] (0: commit in the rollout)
//                     [--json FILE]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "demogym/demogym.h"
#include "demogym/recorder.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static double cpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp);
  return v[n / 2];
}

static int write_behind = -1;  // the recorder's queue (--write-behind); -1: its default

// one round: episodes of the expert, recorded into path when path is not NULL; returns steps
static long round_run(dg_env* env, dg_policy* p, int episodes, const char* path, long long* bytes) {
  dg_rec* rec = NULL;
  dg_rec_tap* tap = NULL;
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = episodes;
  o.seed = 1;
  if (path) {
    unlink(path);
    dg_rec_options ro;
    dg_rec_options_default(&ro);
    if (write_behind >= 0) ro.write_behind = write_behind;
    if (dg_rec_make(path, env, &ro, &rec) || dg_rec_tap_make(rec, env, p, &tap)) {
      fprintf(stderr, "%s\n", dg_last_errmsg());
      exit(1);
    }
    o.taps = dg_rec_tap_get(tap);
    o.ntaps = 1;
  }
  dg_rollout_summary sum;
  if (dg_rollout_run(env, p, &o, NULL, &sum) || (rec && dg_rec_finish(rec))) {
    fprintf(stderr, "%s\n", dg_last_errmsg());
    exit(1);
  }
  dg_rec_tap_close(&tap);
  dg_rec_close(&rec);
  if (path) {
    struct stat st;
    stat(path, &st);
    *bytes = (long long)st.st_size;
  }
  return sum.total_steps;
}

int main(int argc, char** argv) {
  int rounds = 9;
  const char* only = NULL;
  const char* json_path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = atoi(argv[++i]);
    if (!strcmp(argv[i], "--env") && i + 1 < argc) only = argv[++i];
    if (!strcmp(argv[i], "--write-behind") && i + 1 < argc) write_behind = atoi(argv[++i]);
    if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
  }
  FILE* json = json_path ? fopen(json_path, "w") : NULL;
  if (json_path && !json) {
    perror(json_path);
    return 1;
  }
  if (json)
    fprintf(json, "{\"benchmark\": \"recording_overhead\", \"write_behind\": %d, \"results\": [",
            write_behind);
  int nresults = 0;
  if (rounds < 1 || rounds > 99) rounds = 9;
  char dir[] = "/tmp/dg_bench_record_XXXXXX";
  if (!mkdtemp(dir)) return 1;
  char path[256];
  snprintf(path, sizeof(path), "%s/bench.hdf5", dir);
  printf("%-14s %9s %10s %10s %8s %8s %12s\n", "env", "steps", "plain ms", "rec ms", "wall", "cpu",
         "kB/1k steps");
  for (int e = 0; e < dg_env_registry_count(); e++) {
    const char* id = dg_env_registry_id(e);
    if (only && strcmp(only, id)) continue;
    dg_env* env;
    dg_policy* p;
    if (dg_env_make(id, NULL, &env) || dg_policy_make_expert(id, &p)) {
      fprintf(stderr, "%s: %s\n", id, dg_last_errmsg());
      return 1;
    }
    // about 2000 steps per round
    long long bytes = 0;
    long steps = round_run(env, p, 4, NULL, &bytes);
    int episodes = (int)(4 * 2000 / (steps > 0 ? steps : 1)) + 1;
    double plain[99], rec[99], wall_ratio[99], cpu_ratio[99];
    for (int r = 0; r < rounds; r++) {
      double t0 = now(), c0 = cpu();
      steps = round_run(env, p, episodes, NULL, &bytes);
      double t1 = now(), c1 = cpu();
      round_run(env, p, episodes, path, &bytes);
      double t2 = now(), c2 = cpu();
      plain[r] = t1 - t0, rec[r] = t2 - t1;
      wall_ratio[r] = rec[r] / plain[r];
      cpu_ratio[r] = (c2 - c1) / (c1 - c0);
    }
    double pw = median(plain, rounds), rw = median(rec, rounds);
    double wr = median(wall_ratio, rounds), cr = median(cpu_ratio, rounds);
    double kb = bytes / 1024.0 * 1000.0 / (double)steps;
    printf("%-14s %9ld %10.1f %10.1f %7.3fx %7.3fx %12.1f\n", id, steps, 1e3 * pw, 1e3 * rw, wr,
           cr, kb);
    if (json)
      fprintf(json,
              "%s{\"name\": \"%s recorded / plain (wall)\", \"env\": \"%s\", \"steps\": %ld, "
              "\"plain_ms\": %.1f, \"recorded_ms\": %.1f, \"ratio\": %.4f, \"cpu_ratio\": %.4f, "
              "\"kb_per_1000_steps\": %.1f}",
              nresults++ ? ", " : "", id, id, steps, 1e3 * pw, 1e3 * rw, wr, cr, kb);
    dg_policy_close(&p);
    dg_env_close(&env);
  }
  if (json) {
    fprintf(json, "]}\n");
    fclose(json);
  }
  unlink(path);
  rmdir(dir);
  return 0;
}
