// dagger_collect.c: DAgger's data collection: rollouts through gates whose supervisor is the
// expert, every step (DAgger) or only the expert's segments (HG-DAgger) labelled with the
// expert's proposal, handed to the recorder in episode order whatever the number of workers.
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dagger_internal.h"
#include "envs/internal.h"

// one finished episode's transitions, buffered by its worker until its turn comes
typedef struct ep_buf {
  int n, cap;
  int od, ad, sd;
  double* obs;         // (n x od)
  double* next;        // (n x od)
  double* state;       // (n x sd) before each step
  double* action;      // (n x ad) executed
  double* label;       // (n x ad) the supervisor's proposal
  double* reward;      // (n)
  double* dis;         // (n) |learner's proposal - supervisor's|
  double* moved;       // (n) how far the end effector moved in the step (m; 1 without eef_pos)
  signed char* actor;  // (n) dg_gate_actor who acted
  uint64_t seed;
  int success, terminated, truncated;
} ep_buf;

static void buf_free(ep_buf* b) {
  if (!b) return;
  free(b->obs);
  free(b->next);
  free(b->state);
  free(b->action);
  free(b->label);
  free(b->reward);
  free(b->dis);
  free(b->moved);
  free(b->actor);
  free(b);
}

static int buf_grow(ep_buf* b, int cap) {
  if (cap <= b->cap) return 0;
  size_t c = (size_t)cap;
  double** arr[8] = {&b->obs,   &b->next,   &b->state, &b->action,
                     &b->label, &b->reward, &b->dis,   &b->moved};
  size_t width[8] = {
      (size_t)b->od, (size_t)b->od, (size_t)b->sd, (size_t)b->ad, (size_t)b->ad, 1, 1, 1};
  int failed = 0;
  for (int i = 0; i < 8; i++) {
    // keep whatever realloc moved, so a failure leaves b consistent and freeable
    double* p = realloc(*arr[i], sizeof(double) * c * width[i]);
    if (p) *arr[i] = p;
    failed |= !p;
  }
  signed char* a = realloc(b->actor, c);
  if (a) b->actor = a;
  if (failed) return -1;
  if (!a) return -1;
  b->cap = cap;
  return 0;
}

static ep_buf* buf_new(const dg_env* env) {
  ep_buf* b = calloc(1, sizeof(ep_buf));
  if (!b) return NULL;
  b->od = dg_env_obs_dim(env);
  b->ad = dg_env_act_dim(env);
  b->sd = dg_env_state_dim(env);
  if (buf_grow(b, 64)) {
    buf_free(b);
    return NULL;
  }
  return b;
}

// what the workers and the in-order consumer share
typedef struct shared {
  pthread_mutex_t mu;
  ep_buf** slots;  // (episodes) finished episodes waiting for their turn
  int episodes;
  int label_all;
  dg_rec* rec;
  dg_rec_episode* ep;  // the consumer's demo buffer
  int next_demo;       // index of the next demo submitted
  double agree;        // see dg_collect_job
  int max_idle;        // see dg_collect_job
  dg_collect_stats stats;
} shared;

// one worker's tap
typedef struct wtap {
  shared* sh;
  dg_env* env;
  dg_policy* gate;
  ep_buf* cur;    // the episode being run
  double* state;  // (sd) the state before the pending step
  double* label;  // (ad) the supervisor's proposal for the pending step
  double* la;     // (ad) the learner's proposal for the pending step
  int actor;      // who acted at the pending step
  int eef;        // offset of eef_pos in the observation (-1: none)
} wtap;

static int w_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  wtap* w = user;
  if (!w->cur && !(w->cur = buf_new(env)))
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory buffering a DAgger episode");
  w->cur->n = 0;
  w->cur->seed = seed;
  return DG_OK;
}

static int w_before(void* user, dg_env* env, const double* obs, const double* action) {
  wtap* w = user;
  int rc = dg_env_get_state(env, w->state);
  if (!rc) rc = dg_gate_last_actions(w->gate, w->la, w->label);
  w->actor = dg_gate_last_actor(w->gate);
  return rc;
}

static int w_after(void* user, dg_env* env, const double* obs, const double* action,
                   const double* next_obs, const dg_step_result* res) {
  wtap* w = user;
  ep_buf* b = w->cur;
  if (b->n == b->cap && buf_grow(b, 2 * b->cap))
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory buffering a DAgger episode");
  size_t t = (size_t)b->n++;
  memcpy(b->obs + t * b->od, obs, sizeof(double) * b->od);
  memcpy(b->next + t * b->od, next_obs, sizeof(double) * b->od);
  memcpy(b->state + t * b->sd, w->state, sizeof(double) * b->sd);
  memcpy(b->action + t * b->ad, action, sizeof(double) * b->ad);
  memcpy(b->label + t * b->ad, w->label, sizeof(double) * b->ad);
  b->reward[t] = res->reward;
  b->actor[t] = (signed char)w->actor;
  double d = 0, m = 0;
  for (int i = 0; i < b->ad; i++) d += (w->la[i] - w->label[i]) * (w->la[i] - w->label[i]);
  for (int i = 0; w->eef >= 0 && i < 3; i++)
    m += (next_obs[w->eef + i] - obs[w->eef + i]) * (next_obs[w->eef + i] - obs[w->eef + i]);
  b->dis[t] = sqrt(d);
  b->moved[t] = w->eef >= 0 ? sqrt(m) : 1.0;
  return DG_OK;
}

static int w_end(void* user, dg_env* env, const dg_episode_stats* st) {
  wtap* w = user;
  ep_buf* b = w->cur;
  b->success = st->success;
  b->terminated = st->terminated;
  b->truncated = st->truncated;
  pthread_mutex_lock(&w->sh->mu);
  w->sh->slots[st->index] = b;
  pthread_mutex_unlock(&w->sh->mu);
  w->cur = NULL;
  return DG_OK;
}

// the consumer, on the calling thread in episode order: cut the episode into labelled segments
// and submit each as a demo
static int consume(void* user, dg_env* unused, const dg_episode_stats* st) {
  shared* sh = user;
  pthread_mutex_lock(&sh->mu);
  ep_buf* b = sh->slots[st->index];
  sh->slots[st->index] = NULL;
  pthread_mutex_unlock(&sh->mu);
  if (!b) return dg_fail(NULL, 0, DG_ERR_STATE, "DAgger episode %d was not buffered", st->index);
  unsigned char* take = malloc((size_t)b->n + 1);
  if (!take) {
    buf_free(b);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory aggregating a DAgger episode");
  }
  dg_collect_stats* s = &sh->stats;
  s->episodes++;
  s->successes += b->success ? 1 : 0;
  s->steps += b->n;
  // which steps are labelled: every step (DAgger) or the expert's (HG-DAgger), less the steps
  // of a stall beyond max_idle
  for (int t = 0, idle = 0; t < b->n; t++) {
    int sup = b->actor[t] == DG_GATE_SUPERVISOR;
    s->expert_steps += sup;
    if (sup && (t == 0 || b->actor[t - 1] != DG_GATE_SUPERVISOR)) s->interventions++;
    idle = b->moved[t] < DG_COLLECT_IDLE ? idle + 1 : 0;
    take[t] = (sh->label_all || sup) && !(sh->max_idle >= 0 && idle > sh->max_idle);
    if (!take[t]) continue;
    s->labels++;
    s->labels_agreeing += b->dis[t] < sh->agree;
    s->labels_idle += b->moved[t] < DG_COLLECT_IDLE;
  }
  // each maximal run of labelled steps is a demo
  int rc = DG_OK, open = 0;
  for (int t = 0; t < b->n && !rc && sh->rec; t++) {
    if (!take[t]) continue;
    if (!open) {
      rc = dg_rec_episode_begin(sh->ep, sh->next_demo, b->seed);
      open = 1;
    }
    size_t o = (size_t)t * b->od, a = (size_t)t * b->ad;
    if (!rc)
      rc = dg_rec_episode_add(sh->ep, b->obs + o, b->state + (size_t)t * b->sd, b->action + a,
                              b->label + a, b->reward[t], b->next + o);
    int last = t == b->n - 1;
    if (!rc && (last || !take[t + 1])) {
      // a segment cut off before the episode's end (a hand-back, a stall) ends for a reason
      // outside the task: truncated, as a time limit would (every demo still ends terminated or
      // truncated)
      rc = dg_rec_episode_end(sh->ep, last && b->success, last && b->terminated,
                              last ? b->truncated : 1);
      if (!rc) rc = dg_rec_submit(sh->rec, sh->ep);
      if (!rc) {
        sh->next_demo++;
        s->demos++;
      }
      open = 0;
    }
  }
  free(take);
  buf_free(b);
  return rc;
}

int dg_dagger_collect(const dg_collect_job* job, dg_collect_stats* out) {
  memset(out, 0, sizeof(*out));
  if (!job || job->workers < 1 || job->episodes < 0 || !job->envs || !job->gates)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dagger_collect: bad job");
  if (job->episodes == 0) return DG_OK;
  int W = job->workers, rc = DG_OK;
  shared sh;
  memset(&sh, 0, sizeof(sh));
  pthread_mutex_init(&sh.mu, NULL);
  sh.episodes = job->episodes;
  sh.label_all = job->label_all;
  sh.rec = job->rec;
  sh.agree = job->agree;
  sh.max_idle = job->max_idle;
  sh.slots = calloc((size_t)job->episodes, sizeof(ep_buf*));
  wtap* w = calloc((size_t)W, sizeof(wtap));
  dg_tap* taps = calloc((size_t)W, sizeof(dg_tap));
  dg_rollout_worker* workers = calloc((size_t)W, sizeof(dg_rollout_worker));
  if (!sh.slots || !w || !taps || !workers) {
    rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for a DAgger rollout");
    goto done;
  }
  if (job->rec && (rc = dg_rec_episode_make(job->envs[0], &sh.ep))) goto done;
  for (int i = 0; i < W; i++) {
    w[i].sh = &sh;
    w[i].env = job->envs[i];
    w[i].gate = job->gates[i];
    w[i].state = malloc(sizeof(double) * (size_t)dg_env_state_dim(job->envs[i]));
    w[i].label = malloc(sizeof(double) * (size_t)dg_env_act_dim(job->envs[i]));
    w[i].la = malloc(sizeof(double) * (size_t)dg_env_act_dim(job->envs[i]));
    w[i].eef = -1;
    for (int k = 0; k < dg_env_obs_key_count(job->envs[i]); k++) {
      const dg_obs_key* key = dg_env_obs_key(job->envs[i], k);
      if (strcmp(key->name, "eef_pos") == 0 && key->size == 3) w[i].eef = key->offset;
    }
    if (!w[i].state || !w[i].label || !w[i].la) {
      rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for a DAgger rollout");
      goto done;
    }
    taps[i] = (dg_tap){&w[i], w_begin, w_before, w_after, w_end};
    workers[i] = (dg_rollout_worker){job->envs[i], job->gates[i], &taps[i], 1};
  }
  dg_tap consumer = {0};
  consumer.user = &sh;
  consumer.episode_end = consume;
  dg_rollout_options ro;
  dg_rollout_options_default(&ro);
  ro.episodes = job->episodes;
  ro.seed = job->seed;
  ro.taps = &consumer;
  ro.ntaps = 1;
  ro.stop = job->stop;
  rc = dg_rollout_run_parallel(workers, W, &ro, NULL, NULL);

done:
  *out = sh.stats;
  if (sh.slots)
    for (int i = 0; i < job->episodes; i++) buf_free(sh.slots[i]);
  if (w)
    for (int i = 0; i < W; i++) {
      buf_free(w[i].cur);
      free(w[i].state);
      free(w[i].label);
      free(w[i].la);
    }
  dg_rec_episode_close(&sh.ep);
  pthread_mutex_destroy(&sh.mu);
  free(sh.slots);
  free(w);
  free(taps);
  free(workers);
  return rc;
}
