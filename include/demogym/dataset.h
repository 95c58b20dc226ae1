// demogym/dataset.h: reading demonstration datasets (HDF5, robomimic's layout) as flat arrays of
// samples, the form learners train on.
//
// Observations come back as the env's flat observation vector: the dataset's obs/<key> arrays
// concatenated in the env's key order (the order dg_env_obs_key lists), so a policy trained on
// them reads dg_env_step's observations unchanged.
#ifndef DEMOGYM_DATASET_H
#define DEMOGYM_DATASET_H

#include "common.h"

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

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_DATASET_H
