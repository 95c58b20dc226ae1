// writer.c: the recorder: episodes in index order (a reorder buffer for parallel producers),
// each written whole into HDF5 and committed through the shadow file, by the submitting thread
// or by a writer thread behind a short queue, and the rollout tap.
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/recorder.h"
#include "episode.h"
#include "h5util.h"
#include "internal.h"
#include "recorder_internal.h"
#include "shadow.h"

struct dg_rec {
  char* path;
  dg_rec_options opt;
  char* source;
  dg_rec_layout lay;      // env id, version, keys, sizes
  dg_shadow* shadow;
  hid_t file;
  hid_t data;             // the data group
  int next_demo;          // number of the next demo_<i>
  long total;             // samples in the file
  int next_index;         // the episode index written next
  int cap;                // slots of the reorder buffer
  dg_rec_episode** held;  // held[index % cap]: an episode that arrived early (or NULL)
  int* held_index;        // the index held in each slot (-1: free)
  int nheld;
  double* scratch;        // one key's columns of an episode (rows x size)
  int scratch_rows;
  int status;             // first failure (the recorder refuses work after it)
  int finished;
  dg_rec_stats stats;
  pthread_mutex_t lock;
  pthread_cond_t moved;   // next_index advanced, or the recorder failed
  // the writer thread (opt.write_behind > 0): episodes in order wait in a ring for it
  dg_rec_episode** queue; // write_behind slots, reused
  int qhead, qlen;
  int stopping;           // finish asked the writer to drain and end
  int has_writer;
  pthread_t writer;
  pthread_cond_t queued;  // an episode was queued, or stopping was set
  pthread_cond_t space;   // the writer took an episode off the queue, or failed
  char errmsg[1024];
};

void dg_rec_options_default(dg_rec_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->mode = DG_REC_CREATE;
  opt->source = "expert";
  opt->compression = 4;
  opt->max_pending = 256;
  opt->write_behind = 2;
  opt->terminate_on_success = 1;
}

static int rec_fail(dg_rec* r, int code, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
static int rec_fail(dg_rec* r, int code, const char* fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return dg_fail_msg(r->errmsg, sizeof(r->errmsg), code, msg);
}

// an HDF5 failure while writing: name the cause (the shadow's errno: disk full, ...)
static int rec_fail_h5(dg_rec* r, const char* what) {
  int e = r->shadow ? dg_shadow_io_errno(r->shadow) : 0;
  if (e)
    return dg_h5_fail(r->errmsg, sizeof(r->errmsg), DG_ERR_IO,
                      "%s: %s failed: %s; the file keeps the demos committed before", r->path,
                      what, strerror(e));
  return dg_h5_fail(r->errmsg, sizeof(r->errmsg), DG_ERR_IO,
                    "%s: %s failed; the file keeps the demos committed before", r->path, what);
}

// --- the file ------------------------------------------------------------------------------

static char* env_args_json(const dg_rec* r) {
  cJSON* root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "env_name", r->lay.env_id);
  cJSON_AddNumberToObject(root, "type", 2);  // robomimic's EnvType.GYM_TYPE
  cJSON* kw = cJSON_AddObjectToObject(root, "env_kwargs");
  cJSON_AddNumberToObject(kw, "max_episode_steps", r->lay.max_episode_steps);
  cJSON_AddBoolToObject(kw, "terminate_on_success", r->opt.terminate_on_success != 0);
  char* text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  return text;
}

static int create_file(dg_rec* r) {
  hid_t fapl = dg_shadow_fapl(r->shadow);
  if (fapl < 0) return rec_fail_h5(r, "setting up the file driver");
  hid_t fcpl = dg_h5_fcpl();
  r->file = H5Fcreate(r->path, H5F_ACC_TRUNC, fcpl, fapl);
  H5Pclose(fcpl);
  H5Pclose(fapl);
  if (r->file < 0) return rec_fail_h5(r, "creating the HDF5 file");
  r->data = dg_h5_group_create(r->file, "data");
  if (r->data < 0) return rec_fail_h5(r, "creating group data");
  char* env_args = env_args_json(r);
  char* keys = dg_layout_keys_json(&r->lay);
  int bad = !env_args || !keys;
  bad = bad || dg_h5_attr_int(r->data, "total", 0) < 0;
  bad = bad || dg_h5_attr_string(r->data, "env_args", env_args) < 0;
  bad = bad || dg_h5_attr_int(r->data, "dg_format_version", DG_DATASET_FORMAT_VERSION) < 0;
  bad = bad || dg_h5_attr_string(r->data, "dg_version", dg_version()) < 0;
  bad = bad || dg_h5_attr_int(r->data, "dg_env_version", r->lay.env_version) < 0;
  bad = bad || dg_h5_attr_string(r->data, "dg_obs_keys", keys) < 0;
  bad = bad || dg_h5_attr_int(r->data, "dg_action_dim", r->lay.act_dim) < 0;
  bad = bad || dg_h5_attr_int(r->data, "dg_state_dim", r->lay.state_dim) < 0;
  free(env_args);
  free(keys);
  if (bad) return rec_fail_h5(r, "writing the data group's attributes");
  return DG_OK;
}

static int open_for_append(dg_rec* r) {
  hid_t fapl = dg_shadow_fapl(r->shadow);
  if (fapl < 0) return rec_fail_h5(r, "setting up the file driver");
  r->file = H5Fopen(r->path, H5F_ACC_RDWR, fapl);
  H5Pclose(fapl);
  if (r->file < 0)
    return dg_h5_fail(r->errmsg, sizeof(r->errmsg), DG_ERR_FORMAT,
                      "%s cannot be opened as HDF5 (truncated or damaged?)", r->path);
  dg_rec_layout have;
  int rc = dg_layout_read(r->file, r->path, &have, r->errmsg, sizeof(r->errmsg));
  if (rc) return rc;
  if (strcmp(have.env_id, r->lay.env_id) != 0)
    return rec_fail(r, DG_ERR_INVALID, "%s holds demos of %s, not %s; append to a dataset of %s",
                    r->path, have.env_id, r->lay.env_id, r->lay.env_id);
  if (have.env_version != r->lay.env_version)
    return rec_fail(r, DG_ERR_INVALID, "%s was recorded with %s version %d, this is version %d",
                    r->path, have.env_id, have.env_version, r->lay.env_version);
  if (!dg_layout_same_keys(&have, &r->lay))
    return rec_fail(r, DG_ERR_INVALID, "%s has other observation keys than %s", r->path,
                    r->lay.env_id);
  r->data = H5Gopen2(r->file, "data", H5P_DEFAULT);
  if (r->data < 0) return rec_fail_h5(r, "opening group data");
  int64_t total = 0;
  if (dg_h5_read_attr_int(r->data, "total", &total) < 0)
    return rec_fail(r, DG_ERR_FORMAT, "%s: data has no integer attribute total", r->path);
  int ndemos = 0;
  if (dg_list_demos(r->data, NULL, &ndemos) != 0)
    return rec_fail(r, DG_ERR_FORMAT, "%s: cannot list the demos", r->path);
  r->total = (long)total;
  r->next_demo = ndemos;
  // the numbering must continue without a clash: demo_<ndemos> must be free
  char name[32];
  snprintf(name, sizeof(name), "demo_%d", ndemos);
  if (dg_h5_exists(r->data, name))
    return rec_fail(r, DG_ERR_FORMAT, "%s: demos are not numbered demo_0..demo_%d", r->path,
                    ndemos - 1);
  r->stats.demos_total = ndemos;
  r->stats.samples_total = r->total;
  return DG_OK;
}

// write one key's columns [offset, offset + size) of rows x dim values as name under g
static int write_columns(dg_rec* r, hid_t g, const char* name, const double* rows, int n, int dim,
                         int offset, int size) {
  for (int t = 0; t < n; t++)
    memcpy(r->scratch + (size_t)t * size, rows + (size_t)t * dim + offset, sizeof(double) * size);
  return dg_h5_write_array(g, name, H5T_NATIVE_DOUBLE, r->scratch, n, size, r->opt.compression);
}

static int ensure_scratch(dg_rec* r, int n) {
  if (n <= r->scratch_rows) return 0;
  int width = r->lay.obs_dim > r->lay.act_dim ? r->lay.obs_dim : r->lay.act_dim;
  double* p = realloc(r->scratch, sizeof(double) * (size_t)n * (size_t)(width + 1));
  if (!p) return -1;
  r->scratch = p;
  r->scratch_rows = n;
  return 0;
}

static int commit(dg_rec* r) {
  if (H5Fflush(r->file, H5F_SCOPE_LOCAL) < 0) return rec_fail_h5(r, "flushing");
  return dg_shadow_commit(r->shadow, r->errmsg, sizeof(r->errmsg));
}

// write ep as the next demo and commit it (the stats are count_written's, under the lock)
static int write_demo(dg_rec* r, const dg_rec_episode* ep) {
  int n = ep->n;
  if (ensure_scratch(r, n) != 0) return rec_fail(r, DG_ERR_NOMEM, "out of memory");
  char name[32];
  snprintf(name, sizeof(name), "demo_%d", r->next_demo);
  hid_t g = dg_h5_group_create(r->data, name), go = -1, gn = -1;
  int bad = g < 0;
  bad = bad || dg_h5_attr_int(g, "num_samples", n) < 0;
  bad = bad || dg_h5_attr_int(g, "dg_episode", ep->index) < 0;
  bad = bad || dg_h5_attr_uint(g, "dg_seed", ep->seed) < 0;
  bad = bad || dg_h5_attr_int(g, "dg_success", ep->success) < 0;
  bad = bad || dg_h5_attr_int(g, "dg_terminated", ep->terminated) < 0;
  bad = bad || dg_h5_attr_int(g, "dg_truncated", ep->truncated) < 0;
  bad = bad || dg_h5_attr_string(g, "dg_source", r->source) < 0;
  if (!bad) bad = (go = dg_h5_group_create(g, "obs")) < 0 || (gn = dg_h5_group_create(g, "next_obs")) < 0;
  for (int k = 0; k < r->lay.nkeys && !bad; k++) {
    const dg_layout_key* key = &r->lay.keys[k];
    bad = write_columns(r, go, key->name, ep->obs, n, ep->obs_dim, key->offset, key->size) < 0 ||
          write_columns(r, gn, key->name, ep->next_obs, n, ep->obs_dim, key->offset,
                        key->size) < 0;
  }
  int level = r->opt.compression;
  bad = bad || dg_h5_write_array(g, "actions", H5T_NATIVE_DOUBLE, ep->actions, n, ep->act_dim,
                                 level) < 0;
  bad = bad || dg_h5_write_array(g, "rewards", H5T_NATIVE_DOUBLE, ep->rewards, n, 0, level) < 0;
  if (!bad) {
    int64_t* dones = (int64_t*)r->scratch;
    for (int t = 0; t < n; t++) dones[t] = t == n - 1;
    bad = dg_h5_write_array(g, "dones", H5T_NATIVE_INT64, dones, n, 0, level) < 0;
  }
  bad = bad || dg_h5_write_array(g, "states", H5T_NATIVE_DOUBLE, ep->states, n, ep->state_dim,
                                 level) < 0;
  if (r->opt.store_labels)
    bad = bad || dg_h5_write_array(g, "dg_labels", H5T_NATIVE_DOUBLE, ep->labels, n,
                                   ep->act_dim, level) < 0;
  bad = bad || dg_h5_attr_int(r->data, "total", r->total + n) < 0;
  if (gn >= 0) H5Gclose(gn);
  if (go >= 0) H5Gclose(go);
  if (g >= 0) H5Gclose(g);
  if (bad) return rec_fail_h5(r, name);
  int rc = commit(r);
  if (rc) return rc;
  r->next_demo++;
  r->total += n;
  return DG_OK;
}

// count a demo of n samples that write_demo committed (with the lock held)
static void count_written(dg_rec* r, int n) {
  r->stats.demos_written++;
  r->stats.demos_total++;
  r->stats.samples_written += n;
  r->stats.samples_total = r->total;
  r->stats.bytes = dg_shadow_bytes_written(r->shadow);
}

// --- the writer thread -----------------------------------------------------------------------

// Write the queued episodes in order until finish sets stopping and the queue is empty, or a
// write fails (the failure becomes the recorder's status; what was queued is dropped).
static void* writer_main(void* arg) {
  dg_rec* r = arg;
  dg_h5_quiet();  // HDF5's error printing is per thread
  pthread_mutex_lock(&r->lock);
  for (;;) {
    while (r->qlen == 0 && !r->stopping) pthread_cond_wait(&r->queued, &r->lock);
    if (r->qlen == 0) break;
    dg_rec_episode* ep = r->queue[r->qhead];  // its slot stays taken until written
    pthread_mutex_unlock(&r->lock);
    int rc = write_demo(r, ep);
    if (rc == DG_OK && r->opt.on_commit)
      r->opt.on_commit(r->opt.on_commit_user, ep->index, r->next_demo - 1);
    pthread_mutex_lock(&r->lock);
    if (rc == DG_OK) count_written(r, ep->n);
    r->qhead = (r->qhead + 1) % r->opt.write_behind;
    r->qlen--;
    if (rc) {
      r->status = rc;
      r->qlen = 0;
    }
    pthread_cond_broadcast(&r->space);
    if (rc) {
      pthread_cond_broadcast(&r->moved);
      break;
    }
  }
  pthread_mutex_unlock(&r->lock);
  return NULL;
}

// hand ep to the writer thread (with the lock held): wait for a free slot, copy it in
static int enqueue(dg_rec* r, const dg_rec_episode* ep) {
  int cap = r->opt.write_behind;
  while (!r->status && r->qlen == cap) pthread_cond_wait(&r->space, &r->lock);
  if (r->status) return r->status;
  int slot = (r->qhead + r->qlen) % cap;
  int rc = dg_rec_episode_copy(&r->queue[slot], ep);
  if (rc) return rc;
  r->qlen++;
  pthread_cond_signal(&r->queued);
  return DG_OK;
}

// end the writer thread after it has written what is queued (called without the lock)
static void stop_writer(dg_rec* r) {
  if (!r->has_writer) return;
  pthread_mutex_lock(&r->lock);
  r->stopping = 1;
  pthread_cond_signal(&r->queued);
  pthread_mutex_unlock(&r->lock);
  pthread_join(r->writer, NULL);
  r->has_writer = 0;
}

// --- making and closing ----------------------------------------------------------------------

int dg_rec_make(const char* path, const dg_env* env, const dg_rec_options* options, dg_rec** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_make: out is NULL");
  *out = NULL;
  if (!path || !env) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_make: NULL path or env");
  if (dg_h5_quiet() != 0) return dg_fail(NULL, 0, DG_ERR_UNSUPPORTED, "HDF5 cannot start");
  dg_rec_options defaults;
  dg_rec_options_default(&defaults);
  const dg_rec_options* opt = options ? options : &defaults;
  if (opt->mode < DG_REC_CREATE || opt->mode > DG_REC_APPEND || opt->compression < 0 ||
      opt->compression > 9 || opt->first_episode < 0 || opt->max_pending < 1 ||
      opt->write_behind < 0 || opt->write_behind > 1024)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "dg_rec_make: bad mode, compression (0-9), first_episode, max_pending or "
                   "write_behind (0-1024)");
  if (opt->source && (!opt->source[0] || strlen(opt->source) > 200))
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_make: the source must be 1-200 characters");

  dg_rec* r = calloc(1, sizeof(dg_rec));
  if (!r) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a recorder");
  r->file = r->data = -1;
  r->opt = *opt;
  r->path = strdup(path);
  r->source = strdup(opt->source ? opt->source : "expert");
  r->opt.source = r->source;
  r->cap = opt->max_pending;
  r->held = calloc((size_t)r->cap, sizeof(dg_rec_episode*));
  r->held_index = malloc(sizeof(int) * (size_t)r->cap);
  r->next_index = opt->first_episode;
  if (opt->write_behind > 0) r->queue = calloc((size_t)opt->write_behind, sizeof(dg_rec_episode*));
  pthread_mutex_init(&r->lock, NULL);
  pthread_cond_init(&r->moved, NULL);
  pthread_cond_init(&r->queued, NULL);
  pthread_cond_init(&r->space, NULL);
  int rc = DG_OK;
  if (!r->path || !r->source || !r->held || !r->held_index || (opt->write_behind > 0 && !r->queue)) {
    rc = rec_fail(r, DG_ERR_NOMEM, "out of memory making a recorder");
    goto fail;
  }
  for (int i = 0; i < r->cap; i++) r->held_index[i] = -1;
  if ((rc = dg_layout_from_env(env, &r->lay, r->errmsg, sizeof(r->errmsg))) != DG_OK) goto fail;
  dg_shadow_mode mode = opt->mode == DG_REC_APPEND      ? DG_SHADOW_APPEND
                        : opt->mode == DG_REC_OVERWRITE ? DG_SHADOW_OVERWRITE
                                                        : DG_SHADOW_CREATE;
  if (mode == DG_SHADOW_APPEND) {
    // refuse a file that is not ours before making its shadow
    char why[512];
    int probe = dg_h5_probe(path, why, sizeof(why));
    if (probe <= 0) {
      rc = rec_fail(r, probe < 0 ? DG_ERR_NOTFOUND : DG_ERR_FORMAT, "%s", why);
      goto fail;
    }
  }
  if ((rc = dg_shadow_open(path, mode, opt->sync, &r->shadow, r->errmsg, sizeof(r->errmsg))))
    goto fail;
  rc = mode == DG_SHADOW_APPEND ? open_for_append(r) : create_file(r);
  if (rc) goto fail;
  if (opt->write_behind > 0) {
    if (pthread_create(&r->writer, NULL, writer_main, r) != 0) {
      rc = rec_fail(r, DG_ERR_NOMEM, "cannot start the recorder's writer thread");
      goto fail;
    }
    r->has_writer = 1;
  }
  *out = r;
  return DG_OK;
fail:
  r->status = rc;
  r->finished = 1;
  dg_rec_close(&r);
  return rc;
}

static int write_held_in_order(dg_rec* r, int skip_gaps);

int dg_rec_finish(dg_rec* r) {
  if (!r) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_finish: NULL recorder");
  dg_h5_quiet();
  pthread_mutex_lock(&r->lock);
  if (r->finished) {
    int st = r->status;
    pthread_mutex_unlock(&r->lock);
    return st ? dg_fail_msg(NULL, 0, st, r->errmsg)
              : dg_fail(NULL, 0, DG_ERR_STATE, "%s: the recorder has finished", r->path);
  }
  r->finished = 1;
  if (!r->status && r->nheld > 0) {
    dg_logf(DG_LOG_WARN, "%s: episode %d never arrived; writing the %d held after it", r->path,
            r->next_index, r->nheld);
    int rc = write_held_in_order(r, 1);
    if (rc && !r->status) r->status = rc;
  }
  // let the writer thread write what is queued and end
  pthread_mutex_unlock(&r->lock);
  stop_writer(r);
  pthread_mutex_lock(&r->lock);
  // close HDF5 (its last writes go to the shadow), then publish; after a failure HDF5's writes
  // are dropped, so that it can close
  if (r->status) dg_shadow_discard(r->shadow);
  if (r->data >= 0) H5Gclose(r->data);
  r->data = -1;
  if (r->file >= 0 && H5Fclose(r->file) < 0) {
    if (!r->status) r->status = rec_fail_h5(r, "closing");
    dg_shadow_discard(r->shadow);  // HDF5 keeps a file it failed to close: let it go
    H5Fclose(r->file);
    H5Eclear2(H5E_DEFAULT);
  }
  r->file = -1;
  if (!r->status) r->status = dg_shadow_commit(r->shadow, r->errmsg, sizeof(r->errmsg));
  if (!r->status) r->stats.bytes = dg_shadow_bytes_written(r->shadow);
  dg_shadow_close(&r->shadow);
  int st = r->status;
  pthread_cond_broadcast(&r->moved);
  pthread_mutex_unlock(&r->lock);
  return st ? dg_fail_msg(NULL, 0, st, r->errmsg) : DG_OK;
}

void dg_rec_close(dg_rec** handle) {
  if (!handle || !*handle) return;
  dg_rec* r = *handle;
  *handle = NULL;
  if (!r->finished) {
    dg_rec_finish(r);
  } else {
    // a recorder that failed to make: drop what HDF5 holds, the shadow goes with it
    dg_h5_quiet();
    dg_shadow_discard(r->shadow);
    if (r->data >= 0) H5Gclose(r->data);
    if (r->file >= 0) H5Fclose(r->file);
    H5Eclear2(H5E_DEFAULT);
    dg_shadow_close(&r->shadow);
  }
  for (int i = 0; i < r->cap && r->held; i++) dg_rec_episode_close(&r->held[i]);
  for (int i = 0; i < r->opt.write_behind && r->queue; i++) dg_rec_episode_close(&r->queue[i]);
  free(r->queue);
  free(r->held);
  free(r->held_index);
  free(r->scratch);
  free(r->path);
  free(r->source);
  pthread_mutex_destroy(&r->lock);
  pthread_cond_destroy(&r->moved);
  pthread_cond_destroy(&r->queued);
  pthread_cond_destroy(&r->space);
  free(r);
}

const char* dg_rec_errmsg(const dg_rec* r) { return r ? r->errmsg : ""; }

void dg_rec_get_stats(dg_rec* r, dg_rec_stats* out) {
  pthread_mutex_lock(&r->lock);
  *out = r->stats;
  pthread_mutex_unlock(&r->lock);
}

// --- episodes in order -----------------------------------------------------------------------

// consume an episode in order (with the lock held): unless filtered out, hand it to the writer
// thread, or write it here when there is none
static int take(dg_rec* r, const dg_rec_episode* ep) {
  r->stats.episodes_seen++;
  if (r->opt.only_success && !ep->success) return DG_OK;
  if (r->has_writer) return enqueue(r, ep);
  int rc = write_demo(r, ep);
  if (rc == DG_OK) {
    count_written(r, ep->n);
    if (r->opt.on_commit) r->opt.on_commit(r->opt.on_commit_user, ep->index, r->next_demo - 1);
  }
  return rc;
}

// write the held episodes that are next in order (all of them, past gaps, when skip_gaps)
static int write_held_in_order(dg_rec* r, int skip_gaps) {
  while (r->nheld > 0) {
    int slot = r->next_index % r->cap;
    if (r->held_index[slot] != r->next_index) {
      if (!skip_gaps) break;
      r->next_index++;
      continue;
    }
    int rc = take(r, r->held[slot]);
    r->held_index[slot] = -1;
    r->nheld--;
    r->next_index++;
    if (rc) return rc;
  }
  return DG_OK;
}

int dg_rec_submit(dg_rec* r, const dg_rec_episode* ep) {
  if (!r || !ep) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_submit: NULL argument");
  if (!ep->ended)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_submit: episode %d has not ended",
                   ep->index);
  if (ep->obs_dim != r->lay.obs_dim || ep->act_dim != r->lay.act_dim ||
      ep->state_dim != r->lay.state_dim)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_submit: the episode has the sizes of another env");
  // HDF5 is called here only without a writer thread (with one, its API lock would make this
  // thread wait for the writer's HDF5 call in progress)
  if (!r->has_writer) dg_h5_quiet();
  pthread_mutex_lock(&r->lock);
  int rc = DG_OK;
  while (!r->status && !r->finished && ep->index - r->next_index >= r->cap)
    pthread_cond_wait(&r->moved, &r->lock);
  if (r->status) {
    rc = dg_fail_msg(NULL, 0, r->status, r->errmsg);
  } else if (r->finished) {
    rc = dg_fail(NULL, 0, DG_ERR_STATE, "%s: the recorder has finished", r->path);
  } else if (ep->index < r->next_index || r->held_index[ep->index % r->cap] == ep->index) {
    rc = dg_fail(NULL, 0, DG_ERR_INVALID, "%s: episode %d was already submitted", r->path,
                 ep->index);
  } else if (ep->index == r->next_index) {
    rc = take(r, ep);
    r->next_index++;
    if (!rc) rc = write_held_in_order(r, 0);
    if (rc) r->status = rc;
    pthread_cond_broadcast(&r->moved);
  } else {
    int slot = ep->index % r->cap;
    rc = dg_rec_episode_copy(&r->held[slot], ep);
    if (!rc) {
      r->held_index[slot] = ep->index;
      r->nheld++;
    }
  }
  if (rc && r->status == rc) dg_fail_msg(NULL, 0, rc, r->errmsg);
  pthread_mutex_unlock(&r->lock);
  return rc;
}

// --- the rollout tap -------------------------------------------------------------------------

struct dg_rec_tap {
  dg_tap tap;
  dg_rec* rec;
  const dg_policy* labeller;
  dg_rec_episode* ep;
  double* state;  // the state before the current step (state_dim)
  double* label;  // the label of the current action (act_dim)
  int has_label;
};

static int tap_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  dg_rec_tap* t = user;
  return dg_rec_episode_begin(t->ep, episode, seed);
}

static int tap_before(void* user, dg_env* env, const double* obs, const double* action) {
  dg_rec_tap* t = user;
  int rc = dg_env_get_state(env, t->state);
  if (rc) return rc;
  t->has_label = 0;
  if (t->labeller) {
    rc = dg_policy_label(t->labeller, t->label);
    if (rc) return rc;
    t->has_label = 1;
  }
  return DG_OK;
}

static int tap_after(void* user, dg_env* env, const double* obs, const double* action,
                     const double* next_obs, const dg_step_result* res) {
  dg_rec_tap* t = user;
  return dg_rec_episode_add(t->ep, obs, t->state, action, t->has_label ? t->label : NULL,
                            res->reward, next_obs);
}

static int tap_end(void* user, dg_env* env, const dg_episode_stats* st) {
  dg_rec_tap* t = user;
  int rc = dg_rec_episode_end(t->ep, st->success, st->terminated, st->truncated);
  return rc ? rc : dg_rec_submit(t->rec, t->ep);
}

int dg_rec_tap_make(dg_rec* rec, const dg_env* env, const dg_policy* labeller, dg_rec_tap** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_tap_make: out is NULL");
  *out = NULL;
  if (!rec || !env) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_rec_tap_make: NULL argument");
  if (strcmp(dg_env_id(env), rec->lay.env_id) != 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "a recorder of %s cannot record %s", rec->lay.env_id,
                   dg_env_id(env));
  dg_rec_tap* t = calloc(1, sizeof(dg_rec_tap));
  if (!t) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a recorder tap");
  t->rec = rec;
  t->labeller = labeller;
  t->state = malloc(sizeof(double) * (size_t)dg_env_state_dim(env));
  t->label = malloc(sizeof(double) * (size_t)dg_env_act_dim(env));
  int rc = dg_rec_episode_make(env, &t->ep);
  if (!rc && (!t->state || !t->label))
    rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a recorder tap");
  if (rc) {
    dg_rec_tap_close(&t);
    return rc;
  }
  t->tap.user = t;
  t->tap.episode_begin = tap_begin;
  t->tap.before_step = tap_before;
  t->tap.after_step = tap_after;
  t->tap.episode_end = tap_end;
  *out = t;
  return DG_OK;
}

const dg_tap* dg_rec_tap_get(const dg_rec_tap* t) { return t ? &t->tap : NULL; }

void dg_rec_tap_close(dg_rec_tap** handle) {
  if (!handle || !*handle) return;
  dg_rec_tap* t = *handle;
  *handle = NULL;
  dg_rec_episode_close(&t->ep);
  free(t->state);
  free(t->label);
  free(t);
}

void dg_rec_debug_kill_after(dg_rec* r, long n) {
  if (r->shadow) dg_shadow_debug_kill_after(r->shadow, n);
}
