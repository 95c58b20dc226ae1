// demogym/dataset.h: reading demonstration datasets (HDF5, robomimic's layout) as flat arrays of
// samples, the form learners train on.
//
// Observations come back as the env's flat observation vector: the dataset's obs/<key> arrays
// concatenated in the env's key order (the order dg_env_obs_key lists), so a policy trained on
// them reads dg_env_step's observations unchanged.
#ifndef DEMOGYM_DATASET_H
#define DEMOGYM_DATASET_H

#include "common.h"
#include "env.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dg_dataset dg_dataset;

// Every sample of a selection of demos, in file order (demo_0, demo_1, ... by integer).
typedef struct dg_samples {
  int n;              // number of samples (transitions)
  int obs_dim;        // size of one observation
  int act_dim;        // size of one action
  int ndemos;         // number of demos loaded
  double* obs;        // observations (n x obs_dim)
  double* next_obs;   // next observations (n x obs_dim)
  double* actions;    // executed actions (n x act_dim)
  double* labels;     // clean expert labels (n x act_dim); equal to actions when none stored
  double* rewards;    // rewards (n)
  int* demo;          // index (0..ndemos-1) of each sample's demo (n)
  int* step;          // step of each sample within its demo (n)
  int* demo_start;    // first sample of each demo (ndemos + 1); demo_start[ndemos] = n
  char env_name[64];  // the env the demos were recorded in (env_args' env_name)
} dg_samples;

// Open a dataset for reading; checks the format version and the layout's required parts.
// A file that is not HDF5, is truncated, or lacks the layout fails with DG_ERR_FORMAT.
DG_API int dg_dataset_open(const char* path, dg_dataset** out);

// Close *ds and set it to NULL. Nullable: ds, *ds.
DG_API void dg_dataset_close(dg_dataset** ds);

// Return the message of the last failure on this dataset ("" if none).
DG_API const char* dg_dataset_errmsg(const dg_dataset* ds);

// Load the samples of the demos named by mask/<filter_key> (NULL: every demo) into out, which
// the caller frees with dg_samples_free. An unknown filter key fails with DG_ERR_NOTFOUND.
DG_API int dg_dataset_load_samples(dg_dataset* ds, const char* filter_key, dg_samples* out);

// Free the arrays of s and zero it. Nullable.
DG_API void dg_samples_free(dg_samples* s);


// --- beyond the samples: the dataset's description and whole demos (tools, replay) ---------

// What a dataset holds.
typedef struct dg_dataset_info {
  char env_name[64];         // env_args' env_name
  int env_version;           // the env's version when recorded
  int format_version;        // demogym's dataset format version
  int ndemos;                // demos under data
  long total;                // data/total: samples over all demos
  int obs_dim;               // size of one (flat) observation
  int act_dim;               // size of one action
  int state_dim;             // size of one full simulation state
  int nkeys;                 // observation keys
  int nfilters;              // masks (filter keys)
  int max_episode_steps;     // env_kwargs' time limit when recorded
  int terminate_on_success;  // env_kwargs' terminate_on_success
} dg_dataset_info;

// One demo in full. Arrays are owned by the struct; free with dg_demo_free.
typedef struct dg_demo {
  char name[32];       // "demo_<i>"
  int n;               // samples
  int obs_dim;
  int act_dim;
  int state_dim;
  double* obs;         // flat observations (n x obs_dim), keys in the env's order
  double* next_obs;    // (n x obs_dim)
  double* actions;     // (n x act_dim)
  double* labels;      // (n x act_dim): dg_labels, or a copy of actions when none stored
  double* rewards;     // (n)
  double* states;      // (n x state_dim)
  int64_t* dones;      // (n)
  int has_labels;      // the file stores dg_labels for this demo
  int episode;         // dg_episode: the episode's index in its run
  uint64_t seed;       // dg_seed: the env's reset seed
  int success;         // dg_success
  int terminated;      // dg_terminated
  int truncated;       // dg_truncated
  char source[256];    // dg_source
} dg_demo;

// Write the dataset's description into out.
DG_API int dg_dataset_get_info(const dg_dataset* ds, dg_dataset_info* out);

// Return the name of the i-th demo in integer order ("demo_0", "demo_1", ...); NULL when out
// of range.
DG_API const char* dg_dataset_demo_name(const dg_dataset* ds, int i);

// Return the name and size of the i-th observation key in the env's order; NULL / 0 when out of
// range. Nullable: size.
DG_API const char* dg_dataset_obs_key(const dg_dataset* ds, int i, int* size);

// Return the name of the i-th filter key (mask/<name>); NULL when out of range.
DG_API const char* dg_dataset_filter_name(const dg_dataset* ds, int i);

// Load the i-th demo (integer order) into out, which the caller frees with dg_demo_free. Fails
// with DG_ERR_FORMAT (naming the part) when a dataset is missing or has the wrong shape.
DG_API int dg_dataset_load_demo(dg_dataset* ds, int i, dg_demo* out);

// Free the arrays of d and zero it. Nullable.
DG_API void dg_demo_free(dg_demo* d);

// The result of dg_dataset_validate.
typedef struct dg_validation {
  int valid;         // 1 when no problem was found
  int nproblems;     // problems found (at most 1000 are kept)
  char** problems;   // one line each, e.g. "demo_3: next_obs[4] != obs[5] (key eef_pos)"
  int ndemos;        // demos checked
  long samples;      // samples checked
} dg_validation;

// Check path's layout and invariants: HDF5 and the format version, env_args, every demo's
// datasets and shapes, num_samples and total, next_obs[t] == obs[t+1], actions finite and in
// [-1, 1], dones, states finite, masks naming existing demos, sizes matching the registered
// env. A file that cannot be read as a dataset is reported as a problem (valid 0). Fails only
// when path cannot be read (DG_ERR_NOTFOUND / DG_ERR_IO) or memory runs out. Free out with
// dg_validation_free.
DG_API int dg_dataset_validate(const char* path, dg_validation* out);

// Free the problems of v and zero it. Nullable.
DG_API void dg_validation_free(dg_validation* v);

// The result of dg_dataset_replay.
typedef struct dg_replay_result {
  int demos;               // demos replayed
  long steps;              // steps replayed
  double max_state_error;  // largest |state - stored state| over every step (0: exact)
  double max_obs_error;    // largest |observation - stored next_obs|
  char worst_demo[32];     // the demo where max_state_error was met ("" when 0)
} dg_replay_result;

// Replay demos in the env they were recorded in (made with the stored env_kwargs): reset to the
// stored first state, take the stored actions, compare each state and observation with the
// stored ones. demo: a demo name, or NULL for every demo. Fails with DG_ERR_NOTFOUND for an
// unknown demo or env, DG_ERR_FORMAT for a damaged demo.
DG_API int dg_dataset_replay(dg_dataset* ds, const char* demo, dg_replay_result* out);

// A per-demo hook for dg_dataset_replay_each (e.g. to render the replayed states): called after
// the reset and after every step with the env at the replayed state; nonzero stops the replay.
typedef int (*dg_replay_fn)(void* user, const dg_demo* demo, int step, dg_env* env);

// As dg_dataset_replay, calling fn (nullable) at every replayed state.
DG_API int dg_dataset_replay_each(dg_dataset* ds, const char* demo, dg_replay_fn fn, void* user,
                                  dg_replay_result* out);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_DATASET_H
