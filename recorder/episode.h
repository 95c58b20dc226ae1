// episode.h: the in-memory episode buffer the recorder writes whole (shared by its files).
#ifndef DEMOGYM_EPISODE_H
#define DEMOGYM_EPISODE_H

#include <stdint.h>

#include "demogym/recorder.h"

struct dg_rec_episode {
  int obs_dim;        // size of one observation
  int act_dim;        // size of one action
  int state_dim;      // size of one full simulation state
  int index;          // place in the run's order
  uint64_t seed;      // the env's reset seed
  int n;              // transitions so far
  int cap;            // transitions the arrays hold
  double* obs;        // (cap x obs_dim)
  double* next_obs;   // (cap x obs_dim)
  double* actions;    // (cap x act_dim)
  double* labels;     // (cap x act_dim)
  double* rewards;    // (cap)
  double* states;     // (cap x state_dim)
  int begun;          // begin was called
  int ended;          // end was called
  int success;        // outcome, set by end
  int terminated;
  int truncated;
};

// Make an empty episode buffer for the given sizes; NULL when out of memory.
dg_rec_episode* dg_rec_episode_new(int obs_dim, int act_dim, int state_dim, int cap);

// Copy src (finished) into *dst, growing or making *dst as needed. Return a dg_status.
int dg_rec_episode_copy(dg_rec_episode** dst, const dg_rec_episode* src);

#endif  // DEMOGYM_EPISODE_H
