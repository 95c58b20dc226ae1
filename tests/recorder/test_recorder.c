// test_recorder.c: the writer and the reader: a recorded run reads back exactly (observations in
// the env's key order, executed actions and clean labels, rewards, demo boundaries); episodes
// submitted out of order by several threads give the same file, byte for byte, as in order;
// appending keeps numbering and total and refuses another env; only-success drops failures;
// masks select demos; bad calls are refused.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "demogym/dataset.h"
#include "demogym/demogym.h"
#include "demogym/recorder.h"
#include "episode.h"
#include "recorder_internal.h"

static char dir[256];

static void path_of(char* out, const char* name) { sprintf(out, "%s/%s", dir, name); }

// what a run produced, captured by a tap of our own next to the recorder's
typedef struct capture {
  int n, obs_dim, act_dim;
  double obs[4096 * 16], next_obs[4096 * 16], actions[4096 * 4], labels[4096 * 4], rewards[4096];
  const dg_policy* policy;
} capture;

static int cap_after(void* user, dg_env* env, const double* obs, const double* action,
                     const double* next, const dg_step_result* res) {
  capture* c = user;
  CHECK(c->n < 4096);
  memcpy(c->obs + c->n * c->obs_dim, obs, sizeof(double) * c->obs_dim);
  memcpy(c->next_obs + c->n * c->obs_dim, next, sizeof(double) * c->obs_dim);
  memcpy(c->actions + c->n * c->act_dim, action, sizeof(double) * c->act_dim);
  CHECK_OK(dg_policy_label(c->policy, c->labels + c->n * c->act_dim));
  c->rewards[c->n] = res->reward;
  c->n++;
  return 0;
}

static int record(const char* path, int mode, int episodes, uint64_t seed, double noise,
                  int only_success, int max_steps, capture* cap, dg_rec_stats* stats) {
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = max_steps;
  dg_env* env;
  dg_policy* p;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &env));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  if (noise > 0) CHECK_OK(dg_policy_make_noisy(p, noise, 0.05, &p));
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.mode = mode;
  ro.store_labels = noise > 0;
  ro.only_success = only_success;
  dg_rec* rec;
  int rc = dg_rec_make(path, env, &ro, &rec);
  if (rc) {
    dg_policy_close(&p);
    dg_env_close(&env);
    return rc;
  }
  dg_rec_tap* tap;
  CHECK_OK(dg_rec_tap_make(rec, env, p, &tap));
  dg_tap taps[2] = {*dg_rec_tap_get(tap), {cap, NULL, NULL, cap ? cap_after : NULL, NULL}};
  if (cap) {
    memset(cap, 0, sizeof(*cap));
    cap->obs_dim = dg_env_obs_dim(env);
    cap->act_dim = dg_env_act_dim(env);
    cap->policy = p;
  }
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = episodes;
  o.seed = seed;
  o.taps = taps;
  o.ntaps = 2;
  CHECK_OK(dg_rollout_run(env, p, &o, NULL, NULL));
  CHECK_OK(dg_rec_finish(rec));
  if (stats) dg_rec_get_stats(rec, stats);
  dg_rec_close(&rec);
  dg_rec_tap_close(&tap);
  dg_policy_close(&p);
  dg_env_close(&env);
  return DG_OK;
}

static long file_bytes(const char* path, unsigned char** out) {
  FILE* f = fopen(path, "rb");
  CHECK(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *out = malloc((size_t)n);
  CHECK(fread(*out, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
  return n;
}

static int same_file(const char* a, const char* b) {
  unsigned char *x, *y;
  long n = file_bytes(a, &x), m = file_bytes(b, &y);
  int same = n == m && !memcmp(x, y, (size_t)n);
  free(x);
  free(y);
  return same;
}

// --- parallel producers --------------------------------------------------------------------

typedef struct producer {
  dg_rec* rec;
  int first, stride, count;  // episodes first, first + stride, ...
  uint64_t seed;
} producer;

static void* produce(void* arg) {
  producer* pr = arg;
  dg_env* env;
  dg_policy* p;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &p));
  dg_rec_tap* tap;
  CHECK_OK(dg_rec_tap_make(pr->rec, env, p, &tap));
  for (int k = 0; k < pr->count; k++) {
    dg_rollout_options o;
    dg_rollout_options_default(&o);
    o.episodes = 1;
    o.first_episode = pr->first + k * pr->stride;
    o.seed = pr->seed;
    o.taps = dg_rec_tap_get(tap);
    o.ntaps = 1;
    CHECK_OK(dg_rollout_run(env, p, &o, NULL, NULL));
  }
  dg_rec_tap_close(&tap);
  dg_policy_close(&p);
  dg_env_close(&env);
  return NULL;
}

static void record_threads(const char* path, int nthreads, int episodes, uint64_t seed) {
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.max_pending = 4;  // small, so producers wait for each other
  dg_rec* rec;
  CHECK_OK(dg_rec_make(path, env, &ro, &rec));
  pthread_t th[8];
  producer pr[8];
  for (int t = 0; t < nthreads; t++) {
    // interleaved indices, the last thread first in time order: arrivals are out of order
    pr[t] = (producer){rec, t, nthreads, episodes / nthreads, seed};
    CHECK(pthread_create(&th[t], NULL, produce, &pr[t]) == 0);
  }
  for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
  CHECK_OK(dg_rec_finish(rec));
  dg_rec_close(&rec);
  dg_env_close(&env);
}

int main(void) {
  snprintf(dir, sizeof(dir), "/tmp/dg_rec_XXXXXX");
  CHECK(mkdtemp(dir));
  char a[300], b[300], c[300];
  static capture cap;

  // 1. a noisy run reads back exactly: flat observations in key order, actions, labels
  path_of(a, "noisy.hdf5");
  dg_rec_stats st;
  CHECK_OK(record(a, DG_REC_CREATE, 6, 11, 0.3, 0, 0, &cap, &st));
  CHECK(st.demos_written == 6 && st.samples_written == cap.n && st.bytes > 0);
  dg_dataset* ds;
  CHECK_OK(dg_dataset_open(a, &ds));
  dg_samples s;
  CHECK_OK(dg_dataset_load_samples(ds, NULL, &s));
  CHECK(s.n == cap.n && s.ndemos == 6 && s.obs_dim == cap.obs_dim && s.act_dim == 4);
  CHECK(!strcmp(s.env_name, "Reach-v0"));
  CHECK(!memcmp(s.obs, cap.obs, sizeof(double) * s.n * s.obs_dim));
  CHECK(!memcmp(s.next_obs, cap.next_obs, sizeof(double) * s.n * s.obs_dim));
  CHECK(!memcmp(s.actions, cap.actions, sizeof(double) * s.n * 4));
  CHECK(!memcmp(s.labels, cap.labels, sizeof(double) * s.n * 4));
  CHECK(!memcmp(s.rewards, cap.rewards, sizeof(double) * s.n));
  CHECK_MSG(memcmp(s.actions, s.labels, sizeof(double) * s.n * 4), "noise left labels = actions");
  CHECK(s.demo_start[0] == 0 && s.demo_start[6] == s.n);
  for (int i = 0; i < s.n; i++) {
    CHECK(s.demo[i] >= 0 && s.demo[i] < 6);
    CHECK(s.step[i] == i - s.demo_start[s.demo[i]]);
  }
  // an unknown filter key is refused
  dg_samples none;
  CHECK(dg_dataset_load_samples(ds, "nosuch", &none) == DG_ERR_NOTFOUND);
  CHECK(strstr(dg_dataset_errmsg(ds), "nosuch"));
  dg_samples_free(&s);
  dg_dataset_close(&ds);

  // 2. masks select demos, in file order
  int ntrain, nvalid;
  CHECK_OK(dg_dataset_split(a, 0.34, 1, &ntrain, &nvalid));
  CHECK(ntrain == 4 && nvalid == 2);
  CHECK_OK(dg_dataset_open(a, &ds));
  dg_samples tr, va;
  CHECK_OK(dg_dataset_load_samples(ds, "train", &tr));
  CHECK_OK(dg_dataset_load_samples(ds, "valid", &va));
  CHECK(tr.ndemos == 4 && va.ndemos == 2 && tr.n + va.n == cap.n);
  dg_samples_free(&tr);
  dg_samples_free(&va);
  dg_dataset_close(&ds);

  // 3. the same run twice: the same bytes; out of order from 3 threads: the same bytes again
  path_of(b, "seq.hdf5");
  path_of(c, "threads.hdf5");
  CHECK_OK(record(b, DG_REC_CREATE, 12, 4, 0, 0, 0, NULL, NULL));
  record_threads(c, 3, 12, 4);
  CHECK_MSG(same_file(b, c), "3 producers wrote another file than 1");
  CHECK_OK(record(c, DG_REC_OVERWRITE, 12, 4, 0, 0, 0, NULL, NULL));
  CHECK_MSG(same_file(b, c), "the same run wrote two different files");

  // 4. appending continues the numbering and total, tags the source; another env is refused
  CHECK_OK(dg_dataset_open(b, &ds));
  dg_dataset_info before;
  dg_dataset_get_info(ds, &before);
  dg_dataset_close(&ds);
  CHECK_OK(record(b, DG_REC_APPEND, 3, 99, 0, 0, 0, NULL, &st));
  CHECK(st.demos_total == 15 && st.demos_written == 3);
  CHECK_OK(dg_dataset_open(b, &ds));
  dg_dataset_info after;
  dg_dataset_get_info(ds, &after);
  CHECK(after.ndemos == 15 && after.total == st.samples_total && after.total > before.total);
  CHECK(!strcmp(dg_dataset_demo_name(ds, 14), "demo_14"));
  dg_dataset_close(&ds);
  dg_env* push = NULL;
  if (dg_env_make("Push-v0", NULL, &push) == DG_OK) {
    dg_rec_options ro;
    dg_rec_options_default(&ro);
    ro.mode = DG_REC_APPEND;
    dg_rec* rec;
    CHECK(dg_rec_make(b, push, &ro, &rec) == DG_ERR_INVALID);
    CHECK(strstr(dg_last_errmsg(), "Reach-v0"));
    dg_env_close(&push);
  }
  // creating over an existing file is refused and leaves it alone
  unsigned char* bytes;
  long nbytes = file_bytes(b, &bytes);
  CHECK(record(b, DG_REC_CREATE, 1, 0, 0, 0, 0, NULL, NULL) == DG_ERR_INVALID);
  unsigned char* again;
  CHECK(file_bytes(b, &again) == nbytes && !memcmp(bytes, again, (size_t)nbytes));
  free(bytes);
  free(again);

  // 5. only-success drops failures (a 3-step limit makes most episodes fail)
  path_of(c, "success.hdf5");
  CHECK_OK(record(c, DG_REC_CREATE, 20, 2, 0, 1, 3, NULL, &st));
  CHECK(st.episodes_seen == 20 && st.demos_written < 20);
  CHECK_OK(dg_dataset_open(c, &ds));
  for (int i = 0; i < st.demos_written; i++) {
    dg_demo d;
    CHECK_OK(dg_dataset_load_demo(ds, i, &d));
    CHECK(d.success && d.n <= 3);
    dg_demo_free(&d);
  }
  dg_dataset_close(&ds);

  // 6. bad calls: an unfinished episode, an index twice, a gap written at finish
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  path_of(c, "gap.hdf5");
  dg_rec* rec;
  CHECK_OK(dg_rec_make(c, env, NULL, &rec));
  dg_rec_episode* ep;
  CHECK_OK(dg_rec_episode_make(env, &ep));
  double obs[64] = {0}, state[64] = {0}, act[4] = {0};
  CHECK_OK(dg_rec_episode_begin(ep, 1, 7));
  CHECK_OK(dg_rec_episode_add(ep, obs, state, act, NULL, 0.5, obs));
  CHECK(dg_rec_submit(rec, ep) == DG_ERR_INVALID);  // not ended
  CHECK_OK(dg_rec_episode_end(ep, 0, 0, 1));
  CHECK_OK(dg_rec_submit(rec, ep));                 // held: episode 0 has not arrived
  CHECK(dg_rec_submit(rec, ep) == DG_ERR_INVALID);  // twice
  CHECK_OK(dg_rec_finish(rec));                      // written after the gap
  dg_rec_close(&rec);
  CHECK_OK(dg_dataset_open(c, &ds));
  dg_dataset_get_info(ds, &after);
  CHECK(after.ndemos == 1 && after.total == 1);
  dg_dataset_close(&ds);
  dg_rec_episode_close(&ep);
  dg_rec_close(&rec);  // NULL: harmless
  dg_env_close(&env);

  char cmd[300];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
  printf("test_recorder: ok\n");
  return 0;
}
