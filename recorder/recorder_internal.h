// recorder_internal.h: what the recorder's files share: the dataset's layout description (env,
// keys, sizes) read from an env or a file, and the listing of demos.
#ifndef DEMOGYM_RECORDER_INTERNAL_H
#define DEMOGYM_RECORDER_INTERNAL_H

#include <hdf5.h>
#include <stddef.h>

#include "demogym/dataset.h"
#include "demogym/env.h"
#include "demogym/recorder.h"

#define DG_LAYOUT_MAX_KEYS 32

typedef struct dg_layout_key {
  char name[64];
  int offset;  // first index in the flat observation
  int size;    // components
} dg_layout_key;

// Everything a dataset's demos must agree with.
typedef struct dg_rec_layout {
  char env_id[64];
  int env_version;
  int format_version;
  int nkeys;
  dg_layout_key keys[DG_LAYOUT_MAX_KEYS];
  int obs_dim;
  int act_dim;
  int state_dim;
  int max_episode_steps;
  int terminate_on_success;
} dg_rec_layout;

// Describe env's layout. Return a dg_status (message in err).
int dg_layout_from_env(const dg_env* env, dg_rec_layout* out, char* err, size_t errsz);

// Read a dataset file's layout from its data group: format version (checked), env_args, keys,
// sizes. Fails with DG_ERR_FORMAT naming what is missing (message in err).
int dg_layout_read(hid_t file, const char* path, dg_rec_layout* out, char* err, size_t errsz);

// Return the observation keys as JSON, [{"name": ..., "size": ...}, ...] (caller frees).
char* dg_layout_keys_json(const dg_rec_layout* lay);

// Return 1 when a and b have the same keys (names and sizes, in order) and sizes.
int dg_layout_same_keys(const dg_rec_layout* a, const dg_rec_layout* b);

// List the demo_<i> groups under data, sorted by i: *numbers (caller frees; nullable, then only
// the count) and *n. Names that are not demo_<i> are ignored. Return 0 or -1.
int dg_list_demos(hid_t data, int** numbers, int* n);

// Open path read-only as HDF5 (probe first: DG_ERR_NOTFOUND, DG_ERR_FORMAT for a file that is
// not HDF5 or is truncated). Return the file id in *out.
int dg_h5_open_read(const char* path, hid_t* out, char* err, size_t errsz);

// Make an env for a dataset's layout (its env_kwargs). Return a dg_status.
int dg_layout_make_env(const dg_rec_layout* lay, dg_env** out, char* err, size_t errsz);

// The open dataset's HDF5 file and its layout (for the tools built on the reader).
hid_t dg_dataset_h5_file(const dg_dataset* ds);
const dg_rec_layout* dg_dataset_layout(const dg_dataset* ds);
const char* dg_dataset_path(const dg_dataset* ds);

// Testing aid: kill this process at the n-th file operation of rec's shadow from now.
void dg_rec_debug_kill_after(dg_rec* rec, long n);

#endif  // DEMOGYM_RECORDER_INTERNAL_H
