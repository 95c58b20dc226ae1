// demogym/recorder.h: recording demonstrations to HDF5 in robomimic's layout, whole episodes or
// nothing, from one rollout or from several producers (threads, processes' shards) at once.
//
// Layout (robomimic's, plus demogym's additions, which robomimic ignores):
//   data                      attrs total (samples), env_args (JSON: env_name, type 2, env_kwargs),
//                             dg_format_version, dg_version, dg_env_version, dg_obs_keys (JSON)
//   data/demo_<i>             attrs num_samples, dg_episode, dg_seed, dg_success, dg_terminated,
//                             dg_truncated, dg_source ("expert", "dagger:<k>", "human", ...)
//   data/demo_<i>/obs/<key>       (N, size) float64, one per observation key
//   data/demo_<i>/next_obs/<key>  (N, size) float64
//   data/demo_<i>/actions     (N, A) float64 in [-1, 1], the executed actions
//   data/demo_<i>/rewards     (N,) float64
//   data/demo_<i>/dones       (N,) int64, 1 at the last step only
//   data/demo_<i>/states      (N, S) float64, dg_env_get_state before each step
//   data/demo_<i>/dg_labels   (N, A) float64, the clean expert labels (when recorded)
//   mask/<name>               fixed-length byte strings naming demos (train, valid, ...)
//
// Crash safety: each episode is buffered in memory and written at its end, then committed: the
// file is flushed into a shadow copy (<path>.shadow) that replaces <path> in one rename(2).
// <path> is never written in place, so a process killed at any moment leaves it holding every
// committed episode, intact, and it opens without repair. By default a writer thread writes and
// commits behind the producers, so they do not wait for HDF5: an episode is committed about a
// millisecond after it ends, and a kill loses at most the write_behind episodes still queued
// and the one being committed (write_behind 0 commits each before dg_rec_submit returns).
// The shadow doubles the disk space used
// while recording and is removed at dg_rec_close (a killed writer leaves it behind; the next
// writer of <path> reuses it).
#ifndef DEMOGYM_RECORDER_H
#define DEMOGYM_RECORDER_H

#include "common.h"
#include "env.h"
#include "policy.h"
#include "rollout.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DG_DATASET_FORMAT_VERSION 1  // written as data/dg_format_version, checked at read

typedef struct dg_rec dg_rec;
typedef struct dg_rec_episode dg_rec_episode;
typedef struct dg_rec_tap dg_rec_tap;

// How dg_rec_make treats an existing file.
typedef enum dg_rec_mode {
  DG_REC_CREATE = 0,     // the file must not exist (DG_ERR_INVALID otherwise; nothing is touched)
  DG_REC_OVERWRITE = 1,  // an existing file is replaced at the first commit, not before
  DG_REC_APPEND = 2      // add demos to an existing dataset of the same env (numbering continues)
} dg_rec_mode;

// Options for dg_rec_make; fill with dg_rec_options_default.
typedef struct dg_rec_options {
  int mode;                 // dg_rec_mode (default DG_REC_CREATE)
  const char* source;       // the demos' source: "expert" (default), "dagger:<k>", "human"
  int only_success;         // 1: drop episodes that did not end in success (default 0)
  int store_labels;         // 1: write dg_labels, the clean labels (default 0)
  int compression;          // deflate level 0-9 after a byte shuffle (default 4; 0: none)
  int first_episode;        // index of the first episode to expect (default 0)
  int max_pending;          // episodes held out of order before submitters wait (default 256)
  int write_behind;         // episodes queued for the writer thread before submitters wait
                            // (default 2; 0: no thread, dg_rec_submit writes and commits)
  int sync;                 // 1: fsync at each commit, to survive power loss too (default 0)
  int terminate_on_success; // the env's option, stored in env_kwargs for replay (default 1)
  // called by the writing thread after each demo is committed (NULL: none): the episode's
  // index and its demo number; keep it short, it holds up the writing
  void (*on_commit)(void* user, int episode, int demo);
  void* on_commit_user;
} dg_rec_options;

// What a recorder has written.
typedef struct dg_rec_stats {
  int episodes_seen;      // episodes submitted and put in order
  int demos_written;      // demos written by this recorder
  int demos_total;        // demos in the file (appended ones included)
  long samples_written;   // samples written by this recorder
  long samples_total;     // samples in the file (data/total)
  long long bytes;        // bytes HDF5 wrote (data and metadata), before the shadow's replay
} dg_rec_stats;

// Fill opt with the defaults described at each field.
DG_API void dg_rec_options_default(dg_rec_options* opt);

// Open path for recording demos of env (its id, version, observation keys and sizes). Nullable:
// opt (defaults). Fails with DG_ERR_INVALID when path exists (DG_REC_CREATE), DG_ERR_IO when it
// cannot be written,
// and, appending, with DG_ERR_FORMAT for a file that is not a demogym dataset and
// DG_ERR_INVALID for a dataset of another env or other observation keys. Nothing on disk
// changes before the first episode is committed.
DG_API int dg_rec_make(const char* path, const dg_env* env, const dg_rec_options* opt,
                       dg_rec** out);

// Hand a finished episode to the recorder. Thread-safe. Episodes are written in the order of
// their index (first_episode, first_episode + 1, ...), whatever the order they arrive in: an
// early one is copied and held until those before it arrive, so the file does not depend on the
// number of producers. Each producer must submit its own episodes in increasing index order;
// a submitter waits while max_pending episodes are held. An episode in order is copied to the
// writer thread's queue (waiting while write_behind are queued), or with write_behind 0 written
// and committed before the call returns. The caller keeps ep (it can be reused at once).
// Fails with DG_ERR_INVALID for an unfinished episode or an index already submitted, and with
// the status of a failed write (DG_ERR_IO: disk full, ...; a queued episode's failure shows at
// the next submit or at dg_rec_finish), after which the recorder refuses further work.
DG_API int dg_rec_submit(dg_rec* rec, const dg_rec_episode* ep);

// Write the episodes still held (after a gap: an index never submitted) and queued, then close
// the HDF5 file and publish it. Returns the first failure. After it only dg_rec_close is allowed.
DG_API int dg_rec_finish(dg_rec* rec);

// Finish *rec if not done (ignoring failures; call dg_rec_finish to see them), free it and set
// *rec to NULL. Nullable: rec, *rec.
DG_API void dg_rec_close(dg_rec** rec);

// Return the message of the last failure on this recorder ("" if none).
DG_API const char* dg_rec_errmsg(const dg_rec* rec);

// Write what the recorder has written so far into out.
DG_API void dg_rec_get_stats(dg_rec* rec, dg_rec_stats* out);

// Make an episode buffer for env's sizes (observation, action, state). One per producer.
DG_API int dg_rec_episode_make(const dg_env* env, dg_rec_episode** out);

// Free *ep and set it to NULL. Nullable: ep, *ep.
DG_API void dg_rec_episode_close(dg_rec_episode** ep);

// Start episode `index` (its place in the file's order) that the env was reset with seed.
DG_API int dg_rec_episode_begin(dg_rec_episode* ep, int index, uint64_t seed);

// Add one transition: obs (obs_dim) observed in state (state_dim), action (act_dim) taken,
// label (act_dim) the clean action (NULL: the action itself), reward, next_obs (obs_dim).
DG_API int dg_rec_episode_add(dg_rec_episode* ep, const double* obs, const double* state,
                              const double* action, const double* label, double reward,
                              const double* next_obs);

// End the episode with its outcome; it can then be submitted.
DG_API int dg_rec_episode_end(dg_rec_episode* ep, int success, int terminated, int truncated);

// Return the number of transitions in ep.
DG_API int dg_rec_episode_length(const dg_rec_episode* ep);

// Make a rollout tap that records every episode of a run into rec: states come from the env,
// labels from labeller's dg_policy_label (NULL: the executed actions). Each producer (thread)
// makes its own tap with its own env; all may share one rec.
DG_API int dg_rec_tap_make(dg_rec* rec, const dg_env* env, const dg_policy* labeller,
                           dg_rec_tap** out);

// Return the dg_tap to put in dg_rollout_options.taps (valid until dg_rec_tap_close).
DG_API const dg_tap* dg_rec_tap_get(const dg_rec_tap* tap);

// Free *tap and set it to NULL. An unfinished episode in it is dropped. Nullable: tap, *tap.
DG_API void dg_rec_tap_close(dg_rec_tap** tap);

// --- dataset tools that write ------------------------------------------------------------------

// Write mask/train and mask/valid into the dataset at path: a seeded random choice of
// floor(valid_fraction x demos) demos (at least one when valid_fraction > 0 and there are two
// or more) for valid, the rest for train, each listed in demo order. Other masks are kept. The
// change is committed atomically (as recording is). Nullable: ntrain, nvalid.
DG_API int dg_dataset_split(const char* path, double valid_fraction, uint64_t seed, int* ntrain,
                            int* nvalid);

// Merge the datasets inputs[0..n-1] (same env, version, keys and env_kwargs) into a new file
// out: their demos renumbered demo_0, demo_1, ... in input order, copied as they are (datasets,
// attributes, compression); masks merged by name with the new demo names; total summed. out
// must not exist unless overwrite. Nothing is written unless every input is fine. Nullable:
// ndemos, nsamples.
DG_API int dg_dataset_merge(const char* out, const char* const* inputs, int n, int overwrite,
                            int* ndemos, long* nsamples);

// --- benchmark datasets: cards and checksums -----------------------------------------------------

// A dataset card: how a benchmark dataset is generated, and the checksum of its content.
typedef struct dg_card {
  char name[128];          // the card's name (its file name without .json)
  char env[64];            // env id
  int episodes;            // episodes recorded
  uint64_t seed;           // base seed of the run
  double noise;            // expert's Gaussian action noise (0: clean)
  double epsilon;          // probability of a random action per step
  int only_success;        // keep only successful episodes
  int max_episode_steps;   // time limit (0: the task's)
  char sha256[65];         // canonical content checksum, lowercase hex ("" when unknown)
  char description[256];   // one line for people
} dg_card;

// Read a card from a JSON file. Fails with DG_ERR_NOTFOUND or DG_ERR_FORMAT (naming the field).
DG_API int dg_card_load(const char* path, dg_card* out);

// Record the card's dataset into out (overwrite: replace an existing file) and write its
// canonical checksum to sha256_hex (65 bytes). Comparing it with card->sha256 is the caller's.
// Nullable: stop (as dg_rollout_options.stop).
DG_API int dg_card_build(const dg_card* card, const char* out, int overwrite,
                         const volatile int* stop, char* sha256_hex);

// Write the SHA-256 of path's canonical content (65 bytes of lowercase hex) to sha256_hex. The
// canonical content is what the demos say, not how HDF5 lays it out: a header (format tag, env id
// and version, env_kwargs, observation keys and sizes), then per demo in integer order its
// length, obs, next_obs, actions, dg_labels (when stored), rewards, states as little-endian
// float64, dones as little-endian int64, and its seed, success, terminated, truncated and source;
// then each mask (sorted by name) with its demo names. Chunking, compression, attribute order and
// the demogym version do not enter it. Fails like dg_dataset_open.
DG_API int dg_dataset_checksum(const char* path, char* sha256_hex);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_RECORDER_H
