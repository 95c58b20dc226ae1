// episode.c: the in-memory episode buffer: transitions appended during a rollout, written whole.
#include "episode.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int grow(dg_rec_episode* ep, int cap) {
  if (cap <= ep->cap) return 0;
  double** arrays[6] = {&ep->obs, &ep->next_obs, &ep->actions, &ep->labels, &ep->rewards,
                        &ep->states};
  int widths[6] = {ep->obs_dim, ep->obs_dim, ep->act_dim, ep->act_dim, 1, ep->state_dim};
  for (int i = 0; i < 6; i++) {
    double* p = realloc(*arrays[i], sizeof(double) * (size_t)cap * (size_t)widths[i]);
    if (!p) return -1;
    *arrays[i] = p;
  }
  ep->cap = cap;
  return 0;
}

dg_rec_episode* dg_rec_episode_new(int obs_dim, int act_dim, int state_dim, int cap) {
  dg_rec_episode* ep = calloc(1, sizeof(dg_rec_episode));
  if (!ep) return NULL;
  ep->obs_dim = obs_dim;
  ep->act_dim = act_dim;
  ep->state_dim = state_dim;
  if (grow(ep, cap > 0 ? cap : 256) != 0) {
    dg_rec_episode_close(&ep);
    return NULL;
  }
  return ep;
}

int dg_rec_episode_make(const dg_env* env, dg_rec_episode** out) {
  if (!env || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_episode_make: NULL argument");
  int limit = dg_env_max_episode_steps(env);
  *out = dg_rec_episode_new(dg_env_obs_dim(env), dg_env_act_dim(env), dg_env_state_dim(env),
                            limit > 0 ? limit : 256);
  return *out ? DG_OK : dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for an episode buffer");
}

void dg_rec_episode_close(dg_rec_episode** handle) {
  if (!handle || !*handle) return;
  dg_rec_episode* ep = *handle;
  *handle = NULL;
  free(ep->obs);
  free(ep->next_obs);
  free(ep->actions);
  free(ep->labels);
  free(ep->rewards);
  free(ep->states);
  free(ep);
}

int dg_rec_episode_begin(dg_rec_episode* ep, int index, uint64_t seed) {
  if (!ep) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_episode_begin: NULL episode");
  if (index < 0) return dg_fail(NULL, 0, DG_ERR_INVALID, "episode index %d < 0", index);
  ep->index = index;
  ep->seed = seed;
  ep->n = 0;
  ep->begun = 1;
  ep->ended = 0;
  ep->success = ep->terminated = ep->truncated = 0;
  return DG_OK;
}

int dg_rec_episode_add(dg_rec_episode* ep, const double* obs, const double* state,
                       const double* action, const double* label, double reward,
                       const double* next_obs) {
  if (!ep || !obs || !state || !action || !next_obs)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_episode_add: NULL argument");
  if (!ep->begun || ep->ended)
    return dg_fail(NULL, 0, DG_ERR_STATE, "dg_rec_episode_add: the episode is not running");
  if (ep->n == ep->cap && grow(ep, 2 * ep->cap) != 0)
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory growing an episode to %d steps",
                   2 * ep->cap);
  size_t t = (size_t)ep->n;
  memcpy(ep->obs + t * ep->obs_dim, obs, sizeof(double) * ep->obs_dim);
  memcpy(ep->next_obs + t * ep->obs_dim, next_obs, sizeof(double) * ep->obs_dim);
  memcpy(ep->actions + t * ep->act_dim, action, sizeof(double) * ep->act_dim);
  memcpy(ep->labels + t * ep->act_dim, label ? label : action, sizeof(double) * ep->act_dim);
  memcpy(ep->states + t * ep->state_dim, state, sizeof(double) * ep->state_dim);
  ep->rewards[t] = reward;
  ep->n++;
  return DG_OK;
}

int dg_rec_episode_end(dg_rec_episode* ep, int success, int terminated, int truncated) {
  if (!ep) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_episode_end: NULL episode");
  if (!ep->begun || ep->ended)
    return dg_fail(NULL, 0, DG_ERR_STATE, "dg_rec_episode_end: the episode is not running");
  if (ep->n == 0)
    return dg_fail(NULL, 0, DG_ERR_STATE, "dg_rec_episode_end: the episode has no steps");
  ep->ended = 1;
  ep->success = success != 0;
  ep->terminated = terminated != 0;
  ep->truncated = truncated != 0;
  return DG_OK;
}

int dg_rec_episode_length(const dg_rec_episode* ep) { return ep ? ep->n : 0; }

int dg_rec_episode_copy(dg_rec_episode** dst, const dg_rec_episode* src) {
  if (!*dst) {
    *dst = dg_rec_episode_new(src->obs_dim, src->act_dim, src->state_dim, src->n);
    if (!*dst) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory copying an episode");
  }
  dg_rec_episode* d = *dst;
  if (d->obs_dim != src->obs_dim || d->act_dim != src->act_dim ||
      d->state_dim != src->state_dim)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "episode buffers of different sizes");
  if (grow(d, src->n) != 0)
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory copying an episode");
  size_t n = (size_t)src->n;
  memcpy(d->obs, src->obs, sizeof(double) * n * src->obs_dim);
  memcpy(d->next_obs, src->next_obs, sizeof(double) * n * src->obs_dim);
  memcpy(d->actions, src->actions, sizeof(double) * n * src->act_dim);
  memcpy(d->labels, src->labels, sizeof(double) * n * src->act_dim);
  memcpy(d->states, src->states, sizeof(double) * n * src->state_dim);
  memcpy(d->rewards, src->rewards, sizeof(double) * n);
  d->index = src->index;
  d->seed = src->seed;
  d->n = src->n;
  d->begun = src->begun;
  d->ended = src->ended;
  d->success = src->success;
  d->terminated = src->terminated;
  d->truncated = src->truncated;
  return DG_OK;
}
