// demogym/dagger.h: DAgger and HG-DAgger with the scripted expert as the oracle, and the
// compounding-error curves that show why they help.
//
// DAgger (Ross et al., 2011) starts from expert demonstrations (iteration 0, all expert: beta_0 =
// 1) and repeats, for iterations i = 1..K: roll out the mixture policy (at each step, with
// probability beta_i the expert's action is executed, otherwise the learner's, drawn from a
// generator seeded per episode), label every visited state with the expert's action, append those
// episodes to the dataset (source "dagger:<i>"), retrain, evaluate. Beta schedules:
//   indicator   beta_0 = 1, beta_i = 0 for i >= 1
//   exp:P       beta_i = P^i              (0 <= P <= 1)
//   linear:R    beta_i = max(0, 1 - i/R)  (R > 0)
// HG-DAgger (Kelly et al., 2019) lets the learner drive and a gate (gate.h) hand control to the
// expert when the state leaves a safe set and back when it returns; only the expert's segments
// are labelled and aggregated, each expert segment as its own demo (dg_truncated = 1 when a
// hand-back cut it, so every demo still ends terminated or truncated).
#ifndef DEMOGYM_DAGGER_H
#define DEMOGYM_DAGGER_H

#include "bc.h"
#include "common.h"
#include "env.h"
#include "gate.h"
#include "policy.h"
#include "rng.h"

#ifdef __cplusplus
extern "C" {
#endif

// --- beta schedules ------------------------------------------------------------------------------

// The kinds of beta schedule.
typedef enum dg_beta_kind {
  DG_BETA_INDICATOR = 0,  // 1 at iteration 0, then 0
  DG_BETA_EXP = 1,        // P^i
  DG_BETA_LINEAR = 2      // max(0, 1 - i/R)
} dg_beta_kind;

// A beta schedule: the probability that the expert's action is executed at iteration i.
typedef struct dg_beta {
  int kind;      // dg_beta_kind
  double param;  // P for exp (in [0, 1]), R for linear (> 0); unused for indicator
} dg_beta;

// Parse "indicator", "exp:P" or "linear:R" into out. Fails with DG_ERR_INVALID (saying what is
// expected) on anything else, a P outside [0, 1] or an R <= 0.
DG_API int dg_beta_parse(const char* text, dg_beta* out);

// Return beta at iteration i >= 0 (1 at i = 0 for every schedule).
DG_API double dg_beta_at(const dg_beta* beta, int i);

// Write the schedule as dg_beta_parse reads it into buf (size bytes).
DG_API void dg_beta_format(const dg_beta* beta, char* buf, size_t size);

// --- judges for the gate (gate.h) ----------------------------------------------------------------

// DAgger's mixture: per step, the supervisor (expert) acts with probability beta, the learner
// otherwise. Plain data: fill with dg_mixture_init, keep it alive while the gate uses it.
typedef struct dg_mixture {
  double beta;  // probability of the expert's action at each step
  dg_rng rng;   // the per-episode generator, reseeded from the gate's reset seed
} dg_mixture;

// Set m's beta (clamped to [0, 1]) and write into judge the gate judge that reads m.
DG_API void dg_mixture_init(dg_mixture* m, double beta, dg_gate_judge* judge);

// HG-DAgger's safe-set rule, with the scripted expert standing in for the person watching: the
// state is unsafe when the learner's proposal is farther than `enter` (Euclidean norm in the
// action space [-1, 1]^A) from the expert's; the expert then takes over and keeps control until
// the learner's proposal has stayed within `leave` (< enter) of the expert's for `hold`
// consecutive steps (hysteresis in both the threshold and time), and for at least `min_steps`.
typedef struct dg_hg_options {
  double enter;   // take over above this disagreement (default 0.5)
  double leave;   // hand back below this one ... (default 0.2)
  int hold;       // ... held for this many consecutive steps (default 4)
  int min_steps;  // an intervention lasts at least this many steps (default 4)
} dg_hg_options;

// Fill o with the defaults described at each field.
DG_API void dg_hg_options_default(dg_hg_options* o);

// The rule's state. Plain data: fill with dg_hg_rule_init, keep it alive while a gate uses it.
typedef struct dg_hg_rule {
  dg_hg_options opt;
  int calm;                  // consecutive expert steps within `leave`
  int held;                  // steps of the current intervention
  double last_disagreement;  // at the last step
} dg_hg_rule;

// Check o and set r up; write into judge (nullable) the gate judge that runs r. Nullable: o
// (defaults). Fails with DG_ERR_INVALID unless 0 <= leave <= enter, hold >= 1, min_steps >= 0.
DG_API int dg_hg_rule_init(dg_hg_rule* r, const dg_hg_options* o, dg_gate_judge* judge);

// One decision of the rule: the actor who acts now, given the one in control and both
// proposals (act_dim x 1). This is the judge's choose (r as user), exposed for tests.
DG_API int dg_hg_rule_choose(dg_hg_rule* r, int current, const double* learner_action,
                             const double* expert_action, int act_dim);

// --- the DAgger loop -----------------------------------------------------------------------------

// One iteration's outcome (iteration 0: the learner trained on the initial demonstrations).
typedef struct dg_dagger_iteration {
  int iteration;           // 0..iterations
  double beta;             // the schedule's beta (DAgger), 0 for HG-DAgger's rollouts
  int episodes;            // rollout episodes this iteration (initial demos at iteration 0)
  long new_labels;         // expert labels added this iteration
  long expert_labels;      // cumulative expert labels the learner was trained on
  long samples;            // samples in the dataset (data/total)
  int demos;               // demos in the dataset
  long rollout_steps;      // steps rolled out this iteration
  long expert_steps;       // of those, the expert's action was executed
  long interventions;      // HG-DAgger: hand-overs to the expert this iteration
  long labels_agreeing;    // new labels where the learner's own proposal was already within
                           // hg.leave of the expert's (labels it did not need)
  long labels_idle;        // new labels at steps where the end effector moved under 1 mm (a
                           // learner standing still: near-copies of one label)
  double rollout_success;  // success rate of this iteration's rollouts (NAN at iteration 0)
  double success_rate;     // the learner trained at this iteration, over the evaluation episodes
  double ci95_lo;          // Wilson 95% interval of success_rate
  double ci95_hi;
  double mean_length;      // evaluation episodes' mean length
  double train_loss;       // final training loss
  double bc_success_rate;  // the BC baseline on expert_labels labels (NAN when not compared)
  double bc_ci95_lo;
  double bc_ci95_hi;
  long bc_labels;            // labels the baseline was trained on (= expert_labels)
  char checkpoint[1024];     // DIR/iter_<k>.h5
  char bc_checkpoint[1024];  // DIR/bc_<k>.h5 ("" when not compared)
  double seconds;            // wall time of the iteration
} dg_dagger_iteration;

// Options of dg_dagger_run; fill with dg_dagger_options_default.
typedef struct dg_dagger_options {
  const char* init_data;       // a dataset of the env to start from, copied into DIR/data.hdf5;
                               // NULL: record init_episodes expert episodes there
  int init_episodes;           // expert episodes recorded with seed `seed` (default 10)
  int iterations;              // DAgger iterations after iteration 0 (default 5)
  int episodes_per_iteration;  // rollout episodes per iteration (default 5)
  dg_beta beta;                // the schedule (default indicator)
  int gated;                   // 1: HG-DAgger (the learner drives, the rule gates the expert)
  dg_hg_options hg;            // the gate's rule for gated runs
  int max_idle_labels;         // label at most this many consecutive steps of a stalled learner
                               // (end effector moving under 1 mm per step); the rest of the
                               // stall is not aggregated. -1 (default): every step, as published
  int rollout_steps;           // each rollout episode ends (truncated, as at a time limit)
                               // after this many steps; 0 (default) or beyond the env's
                               // time limit: the env's time limit.
                               // A shorter horizon spends the labels on more episodes, so more
                               // initial states (see the README's DAgger section)
  int warm_start;              // 1: retrain from the previous iteration's model (default 0:
                               // from scratch, with normalisation refitted)
  int workers;                 // rollout and evaluation threads (default 1); results do not
                               // depend on it
  int eval_episodes;           // evaluation episodes per iteration (default 50)
  uint64_t seed;               // initial demos (as `record --seed`), rollouts, training
  uint64_t eval_seed;          // evaluation episodes, the same at every iteration (default 1000)
  dg_bc_train_options train;   // training: model class and size, steps, batch, lr; its seed is
                               // replaced by one derived from `seed` and the iteration
  int compare_bc;              // 1: also train BC on exactly expert_labels expert labels (the
                               // first ones of DIR/bc_pool.hdf5: the initial demos, then more
                               // expert episodes with seed `seed`) and evaluate it likewise
  int overwrite;               // 1: replace the files of an earlier run in DIR
  // called after every iteration (nullable); nonzero stops the run with that status
  int (*on_iteration)(void* user, const dg_dagger_iteration* it);
  void* user;                // passed to on_iteration
  const volatile int* stop;  // stop after the current episode or training step. Nullable
} dg_dagger_options;

// Fill o with the defaults described at each field (training: class cls, nullable: "mse").
DG_API void dg_dagger_options_default(dg_dagger_options* o, const char* cls);

// Run DAgger (or HG-DAgger) in env env_id, writing into directory dir (made if missing):
// data.hdf5 (the aggregated dataset), iter_<k>.h5 (every iteration's checkpoint), and with
// compare_bc bc_pool.hdf5 and bc_<k>.h5. iters receives iterations + 1 entries (0..K); *done
// (nullable) the number written, also on failure. Fails with DG_ERR_INVALID on bad options, an
// existing run in dir without overwrite, or init data of another env.
DG_API int dg_dagger_run(const char* env_id, const char* dir, const dg_dagger_options* opt,
                         dg_dagger_iteration* iters, int* done);

// --- compounding errors --------------------------------------------------------------------------

// Options of dg_compounding_run; fill with dg_compounding_options_default.
typedef struct dg_compounding_options {
  int episodes;            // paired episodes (default 20)
  uint64_t seed;           // episode i of both rollouts is reset as `eval --seed` does (default 0)
  int horizon;             // time limit of the rollouts (default: the task's)
  const char* object_key;  // observation key of the object (default: the first "*_pos" key
                           // other than eef_pos and target_pos; none for Reach-v0)
  const volatile int* stop;  // stop after the current step. Nullable
} dg_compounding_options;

// Fill o with the defaults described at each field.
DG_API void dg_compounding_options_default(dg_compounding_options* o);

// Per-step curves over paired episodes, t = 0..horizon-1 (state s_t before the t-th action).
typedef struct dg_compounding_curve {
  int horizon;             // steps
  int episodes;            // paired episodes
  char object_key[64];     // the object's key ("" when there is none)
  int* alive;              // (horizon) episodes where both rollouts still ran at step t
  double* eef_dist;        // (horizon) mean |eef_learner(t) - eef_expert(t)| (m) over every pair; a
                           // rollout that ended (success or failure) keeps its last state
  double* obj_dist;        // (horizon) same for the object; NULL without an object
  double* err_own;         // (horizon) mean |learner - expert| action on the learner's own states
  double* err_expert;      // (horizon) mean |learner - expert| action on the expert's states
  int* n_own;              // (horizon) learner rollouts still running at t (err_own's count)
  int* n_expert;           // (horizon) expert rollouts still running at t
  double learner_success;  // fraction of learner episodes that ended in success
  double expert_success;   // same for the expert
} dg_compounding_curve;

// Roll out learner and env_id's expert from the same seeds (episode i as `eval --seed` runs it,
// ending at success, failure or the time limit) and measure how their states drift apart and
// how the learner's action error grows on its own states against the expert's. The action error
// is |a_learner - a_expert| (Euclidean, in [-1, 1]^A), both asked at the same state.
// out is freed with dg_compounding_curve_free. Nullable: opt (defaults).
DG_API int dg_compounding_run(const char* env_id, dg_policy* learner,
                              const dg_compounding_options* opt, dg_compounding_curve* out);

// Free the arrays of c and zero it. Nullable.
DG_API void dg_compounding_curve_free(dg_compounding_curve* c);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_DAGGER_H
