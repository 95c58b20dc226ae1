// dagger_internal.h: what the DAgger files share inside the library: data collection through a
// gate, in episode order, into the recorder.
#ifndef DEMOGYM_DAGGER_INTERNAL_H
#define DEMOGYM_DAGGER_INTERNAL_H

#include "demogym/dagger.h"
#include "demogym/recorder.h"

// What a collection run came to.
typedef struct dg_collect_stats {
  int episodes;          // rollout episodes finished
  int successes;         // of those, ended in success
  int demos;             // demos (segments) submitted to the recorder
  long steps;            // steps rolled out
  long expert_steps;     // steps where the expert's (supervisor's) action was executed
  long labels;           // labelled steps submitted (the expert labels this run added)
  long interventions;    // switches from learner to expert (an episode starting with the expert
                         // counts one)
  long labels_agreeing;  // labels where the learner's proposal was within `agree` of the expert's
  long labels_idle;      // labels at idle steps (the end effector moved under DG_COLLECT_IDLE)
} dg_collect_stats;

// A collection run: `episodes` episodes (indices 0..episodes-1 of a run seeded with `seed`) on
// `workers` workers, each acting through its own gate (whose learner and supervisor the caller
// made, a judge set). label_all: every step is labelled with the supervisor's proposal and an
// episode lands whole (DAgger); otherwise only the supervisor's steps, each maximal run of them
// as its own demo (HG-DAgger). Demos are submitted to rec (nullable: count only) numbered from 0
// in episode order, so the file does not depend on the number of workers.
typedef struct dg_collect_job {
  dg_env** envs;      // (workers) the workers' envs
  dg_policy** gates;  // (workers) the workers' gates
  int workers;
  dg_rec* rec;  // nullable
  int label_all;
  int episodes;
  uint64_t seed;
  const volatile int* stop;  // nullable
  double agree;  // disagreement under which a label counts as agreeing (labels_agreeing)
  int max_idle;  // label at most this many consecutive idle steps (the end effector
                 // moving under DG_COLLECT_IDLE); -1: no limit
} dg_collect_job;

#define DG_COLLECT_IDLE 1e-3  // an end effector moving less than this in a step (m) is idle

// Run job; write what it came to into out. Returns a dg_status (the recorder's, a policy's, ...).
int dg_dagger_collect(const dg_collect_job* job, dg_collect_stats* out);

#endif  // DEMOGYM_DAGGER_INTERNAL_H
