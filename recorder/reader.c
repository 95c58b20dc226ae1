// reader.c: reading datasets (include/demogym/dataset.h): the layout from the data group, whole
// demos, and the flat samples learners train on.
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/dataset.h"
#include "demogym/recorder.h"
#include "h5util.h"
#include "internal.h"
#include "recorder_internal.h"

struct dg_dataset {
  char* path;
  hid_t file;
  hid_t data;
  dg_rec_layout lay;
  int ndemos;
  int* numbers;      // demo numbers in integer order (ndemos)
  char** names;      // "demo_<i>" (ndemos)
  int nfilters;
  char** filters;    // mask/<name> (nfilters)
  double* scratch;   // one key's columns of a demo
  size_t scratch_len;
  char errmsg[1024];
};

// --- layout ------------------------------------------------------------------------------------

int dg_layout_from_env(const dg_env* env, dg_rec_layout* out, char* err, size_t errsz) {
  memset(out, 0, sizeof(*out));
  dg_strlcpy(out->env_id, dg_env_id(env), sizeof(out->env_id));
  out->env_version = dg_env_version(env);
  out->format_version = DG_DATASET_FORMAT_VERSION;
  out->nkeys = dg_env_obs_key_count(env);
  if (out->nkeys > DG_LAYOUT_MAX_KEYS)
    return dg_fail(err, errsz, DG_ERR_UNSUPPORTED, "%s has %d observation keys (at most %d)",
                   out->env_id, out->nkeys, DG_LAYOUT_MAX_KEYS);
  for (int k = 0; k < out->nkeys; k++) {
    const dg_obs_key* key = dg_env_obs_key(env, k);
    dg_strlcpy(out->keys[k].name, key->name, sizeof(out->keys[k].name));
    out->keys[k].offset = key->offset;
    out->keys[k].size = key->size;
  }
  out->obs_dim = dg_env_obs_dim(env);
  out->act_dim = dg_env_act_dim(env);
  out->state_dim = dg_env_state_dim(env);
  out->max_episode_steps = dg_env_max_episode_steps(env);
  out->terminate_on_success = 1;
  return DG_OK;
}

char* dg_layout_keys_json(const dg_rec_layout* lay) {
  cJSON* arr = cJSON_CreateArray();
  for (int k = 0; k < lay->nkeys; k++) {
    cJSON* o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", lay->keys[k].name);
    cJSON_AddNumberToObject(o, "size", lay->keys[k].size);
    cJSON_AddItemToArray(arr, o);
  }
  char* text = cJSON_PrintUnformatted(arr);
  cJSON_Delete(arr);
  return text;
}

int dg_layout_same_keys(const dg_rec_layout* a, const dg_rec_layout* b) {
  if (a->nkeys != b->nkeys || a->obs_dim != b->obs_dim || a->act_dim != b->act_dim ||
      a->state_dim != b->state_dim)
    return 0;
  for (int k = 0; k < a->nkeys; k++)
    if (strcmp(a->keys[k].name, b->keys[k].name) || a->keys[k].size != b->keys[k].size) return 0;
  return 1;
}

int dg_layout_read(hid_t file, const char* path, dg_rec_layout* out, char* err, size_t errsz) {
  memset(out, 0, sizeof(*out));
  if (!dg_h5_exists(file, "data"))
    return dg_fail(err, errsz, DG_ERR_FORMAT, "%s has no group 'data': not a demo dataset", path);
  hid_t data = H5Gopen2(file, "data", H5P_DEFAULT);
  if (data < 0) return dg_h5_fail(err, errsz, DG_ERR_FORMAT, "%s: cannot open group data", path);
  int rc = DG_OK;
  char* env_args = NULL;
  char* keys = NULL;
  cJSON* args = NULL;
  cJSON* karr = NULL;
  int64_t v;
  if (dg_h5_read_attr_int(data, "dg_format_version", &v) < 0) {
    rc = dg_fail(err, errsz, DG_ERR_FORMAT,
                 "%s: data has no dg_format_version: not written by demogym", path);
    goto done;
  }
  out->format_version = (int)v;
  if (v < 1 || v > DG_DATASET_FORMAT_VERSION) {
    rc = dg_fail(err, errsz, DG_ERR_FORMAT,
                 "%s has dataset format version %lld; this demogym reads version %d", path,
                 (long long)v, DG_DATASET_FORMAT_VERSION);
    goto done;
  }
  env_args = dg_h5_read_attr_string(data, "env_args");
  args = env_args ? cJSON_Parse(env_args) : NULL;
  const cJSON* name = cJSON_GetObjectItemCaseSensitive(args, "env_name");
  const cJSON* kw = cJSON_GetObjectItemCaseSensitive(args, "env_kwargs");
  if (!cJSON_IsString(name) || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(args, "type")) ||
      !cJSON_IsObject(kw)) {
    rc = dg_fail(err, errsz, DG_ERR_FORMAT,
                 "%s: data/env_args is missing or is not JSON with env_name, type, env_kwargs",
                 path);
    goto done;
  }
  dg_strlcpy(out->env_id, name->valuestring, sizeof(out->env_id));
  const cJSON* limit = cJSON_GetObjectItemCaseSensitive(kw, "max_episode_steps");
  const cJSON* tos = cJSON_GetObjectItemCaseSensitive(kw, "terminate_on_success");
  out->max_episode_steps = cJSON_IsNumber(limit) ? limit->valueint : 0;
  out->terminate_on_success = tos ? cJSON_IsTrue(tos) : 1;
  int64_t ad, sd;
  if (dg_h5_read_attr_int(data, "dg_env_version", &v) < 0 ||
      dg_h5_read_attr_int(data, "dg_action_dim", &ad) < 0 ||
      dg_h5_read_attr_int(data, "dg_state_dim", &sd) < 0 || ad < 1 || sd < 1 || ad > 1 << 20 ||
      sd > 1 << 20) {
    rc = dg_fail(err, errsz, DG_ERR_FORMAT,
                 "%s: data lacks dg_env_version, dg_action_dim or dg_state_dim", path);
    goto done;
  }
  out->env_version = (int)v;
  out->act_dim = (int)ad;
  out->state_dim = (int)sd;
  keys = dg_h5_read_attr_string(data, "dg_obs_keys");
  karr = keys ? cJSON_Parse(keys) : NULL;
  int nkeys = cJSON_IsArray(karr) ? cJSON_GetArraySize(karr) : -1;
  if (nkeys < 1 || nkeys > DG_LAYOUT_MAX_KEYS) {
    rc = dg_fail(err, errsz, DG_ERR_FORMAT, "%s: data/dg_obs_keys is missing or malformed", path);
    goto done;
  }
  out->nkeys = nkeys;
  for (int k = 0; k < nkeys; k++) {
    const cJSON* item = cJSON_GetArrayItem(karr, k);
    const cJSON* kn = cJSON_GetObjectItemCaseSensitive(item, "name");
    const cJSON* ks = cJSON_GetObjectItemCaseSensitive(item, "size");
    if (!cJSON_IsString(kn) || !cJSON_IsNumber(ks) || ks->valueint < 1 || ks->valueint > 4096 ||
        !kn->valuestring[0] || strchr(kn->valuestring, '/')) {
      rc = dg_fail(err, errsz, DG_ERR_FORMAT, "%s: data/dg_obs_keys entry %d is malformed", path,
                   k);
      goto done;
    }
    dg_strlcpy(out->keys[k].name, kn->valuestring, sizeof(out->keys[k].name));
    out->keys[k].size = ks->valueint;
    out->keys[k].offset = out->obs_dim;
    out->obs_dim += ks->valueint;
  }
done:
  cJSON_Delete(args);
  cJSON_Delete(karr);
  free(env_args);
  free(keys);
  H5Gclose(data);
  return rc;
}

int dg_layout_make_env(const dg_rec_layout* lay, dg_env** out, char* err, size_t errsz) {
  dg_env_options o;
  dg_env_options_default(&o);
  o.max_episode_steps = lay->max_episode_steps;
  o.terminate_on_success = lay->terminate_on_success;
  int rc = dg_env_make(lay->env_id, &o, out);
  if (rc) return dg_fail(err, errsz, rc, "%s", dg_last_errmsg());
  dg_rec_layout have;
  dg_layout_from_env(*out, &have, NULL, 0);
  if (!dg_layout_same_keys(&have, lay) || have.env_version != lay->env_version) {
    dg_env_close(out);
    return dg_fail(err, errsz, DG_ERR_INVALID,
                   "the dataset was recorded with %s version %d and other sizes or keys than "
                   "this build's (version %d)",
                   lay->env_id, lay->env_version, have.env_version);
  }
  return DG_OK;
}

typedef struct demo_list {
  int* numbers;
  int n;
  int cap;
} demo_list;

static herr_t collect_demo(hid_t g, const char* name, const H5L_info_t* info, void* user) {
  demo_list* l = user;
  if (strncmp(name, "demo_", 5) != 0 || !name[5]) return 0;
  char* end;
  long v = strtol(name + 5, &end, 10);
  if (*end || v < 0 || v > 1000000000 || (name[5] == '0' && name[6])) return 0;
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 64;
    int* p = realloc(l->numbers, sizeof(int) * (size_t)cap);
    if (!p) return -1;
    l->numbers = p;
    l->cap = cap;
  }
  l->numbers[l->n++] = (int)v;
  return 0;
}

static int cmp_int(const void* a, const void* b) {
  int x = *(const int*)a, y = *(const int*)b;
  return (x > y) - (x < y);
}

int dg_list_demos(hid_t data, int** numbers, int* n) {
  demo_list l = {NULL, 0, 0};
  hsize_t idx = 0;
  if (H5Literate(data, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collect_demo, &l) < 0) {
    free(l.numbers);
    return -1;
  }
  if (l.n > 1) qsort(l.numbers, (size_t)l.n, sizeof(int), cmp_int);
  *n = l.n;
  if (numbers) {
    *numbers = l.numbers;
  } else {
    free(l.numbers);
  }
  return 0;
}

int dg_h5_open_read(const char* path, hid_t* out, char* err, size_t errsz) {
  *out = -1;
  char why[512];
  int probe = dg_h5_probe(path, why, sizeof(why));
  if (probe < 0) return dg_fail(err, errsz, DG_ERR_NOTFOUND, "%s", why);
  if (probe == 0) return dg_fail(err, errsz, DG_ERR_FORMAT, "%s", why);
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_file_locking(fapl, 1, 1);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  H5Pclose(fapl);
  if (f < 0)
    return dg_h5_fail(err, errsz, DG_ERR_FORMAT,
                      "%s cannot be opened as HDF5: truncated or damaged", path);
  *out = f;
  return DG_OK;
}

// --- the handle --------------------------------------------------------------------------------

static int ds_fail(dg_dataset* ds, int code, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int ds_fail(dg_dataset* ds, int code, const char* fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return dg_fail_msg(ds->errmsg, sizeof(ds->errmsg), code, msg);
}

int dg_dataset_open(const char* path, dg_dataset** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_open: out is NULL");
  *out = NULL;
  if (!path) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_open: path is NULL");
  if (dg_h5_quiet() != 0) return dg_fail(NULL, 0, DG_ERR_UNSUPPORTED, "HDF5 cannot start");
  dg_dataset* ds = calloc(1, sizeof(dg_dataset));
  if (!ds) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory opening a dataset");
  ds->file = ds->data = -1;
  int rc = DG_OK;
  ds->path = strdup(path);
  if (!ds->path) {
    rc = ds_fail(ds, DG_ERR_NOMEM, "out of memory opening a dataset");
    goto fail;
  }
  if ((rc = dg_h5_open_read(path, &ds->file, ds->errmsg, sizeof(ds->errmsg)))) goto fail;
  if ((rc = dg_layout_read(ds->file, path, &ds->lay, ds->errmsg, sizeof(ds->errmsg)))) goto fail;
  ds->data = H5Gopen2(ds->file, "data", H5P_DEFAULT);
  if (ds->data < 0 || dg_list_demos(ds->data, &ds->numbers, &ds->ndemos) != 0) {
    rc = dg_h5_fail(ds->errmsg, sizeof(ds->errmsg), DG_ERR_FORMAT, "%s: cannot list the demos",
                    path);
    goto fail;
  }
  ds->names = calloc((size_t)ds->ndemos + 1, sizeof(char*));
  for (int i = 0; ds->names && i < ds->ndemos; i++) {
    ds->names[i] = malloc(32);
    if (!ds->names[i]) break;
    snprintf(ds->names[i], 32, "demo_%d", ds->numbers[i]);
  }
  if (!ds->names || (ds->ndemos > 0 && !ds->names[ds->ndemos - 1])) {
    rc = ds_fail(ds, DG_ERR_NOMEM, "out of memory opening a dataset");
    goto fail;
  }
  // the filter keys: every dataset under mask
  if (dg_h5_exists(ds->file, "mask")) {
    hid_t m = H5Gopen2(ds->file, "mask", H5P_DEFAULT);
    H5G_info_t gi;
    if (m < 0 || H5Gget_info(m, &gi) < 0) {
      if (m >= 0) H5Gclose(m);
      rc = dg_h5_fail(ds->errmsg, sizeof(ds->errmsg), DG_ERR_FORMAT, "%s: cannot read mask",
                      path);
      goto fail;
    }
    ds->filters = calloc((size_t)gi.nlinks + 1, sizeof(char*));
    for (hsize_t i = 0; ds->filters && i < gi.nlinks; i++) {
      char name[256];
      if (H5Lget_name_by_idx(m, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof(name),
                             H5P_DEFAULT) < 0)
        continue;
      ds->filters[ds->nfilters] = strdup(name);
      if (ds->filters[ds->nfilters]) ds->nfilters++;
    }
    H5Gclose(m);
  }
  *out = ds;
  return DG_OK;
fail:
  dg_dataset_close(&ds);
  return rc;
}

void dg_dataset_close(dg_dataset** handle) {
  if (!handle || !*handle) return;
  dg_dataset* ds = *handle;
  *handle = NULL;
  dg_h5_quiet();
  if (ds->data >= 0) H5Gclose(ds->data);
  if (ds->file >= 0) H5Fclose(ds->file);
  dg_h5_free_strings(ds->names, ds->ndemos);
  dg_h5_free_strings(ds->filters, ds->nfilters);
  free(ds->numbers);
  free(ds->scratch);
  free(ds->path);
  free(ds);
}

const char* dg_dataset_errmsg(const dg_dataset* ds) { return ds ? ds->errmsg : ""; }

hid_t dg_dataset_h5_file(const dg_dataset* ds) { return ds->file; }
const dg_rec_layout* dg_dataset_layout(const dg_dataset* ds) { return &ds->lay; }
const char* dg_dataset_path(const dg_dataset* ds) { return ds->path; }

int dg_dataset_get_info(const dg_dataset* ds, dg_dataset_info* out) {
  if (!ds || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_get_info: NULL argument");
  memset(out, 0, sizeof(*out));
  dg_strlcpy(out->env_name, ds->lay.env_id, sizeof(out->env_name));
  out->env_version = ds->lay.env_version;
  out->format_version = ds->lay.format_version;
  out->ndemos = ds->ndemos;
  int64_t total = 0;
  dg_h5_read_attr_int(ds->data, "total", &total);
  out->total = (long)total;
  out->obs_dim = ds->lay.obs_dim;
  out->act_dim = ds->lay.act_dim;
  out->state_dim = ds->lay.state_dim;
  out->nkeys = ds->lay.nkeys;
  out->nfilters = ds->nfilters;
  out->max_episode_steps = ds->lay.max_episode_steps;
  out->terminate_on_success = ds->lay.terminate_on_success;
  return DG_OK;
}

const char* dg_dataset_demo_name(const dg_dataset* ds, int i) {
  return ds && i >= 0 && i < ds->ndemos ? ds->names[i] : NULL;
}

const char* dg_dataset_obs_key(const dg_dataset* ds, int i, int* size) {
  if (!ds || i < 0 || i >= ds->lay.nkeys) {
    if (size) *size = 0;
    return NULL;
  }
  if (size) *size = ds->lay.keys[i].size;
  return ds->lay.keys[i].name;
}

const char* dg_dataset_filter_name(const dg_dataset* ds, int i) {
  return ds && i >= 0 && i < ds->nfilters ? ds->filters[i] : NULL;
}

// --- demos -------------------------------------------------------------------------------------

void dg_demo_free(dg_demo* d) {
  if (!d) return;
  free(d->obs);
  free(d->next_obs);
  free(d->actions);
  free(d->labels);
  free(d->rewards);
  free(d->states);
  free(d->dones);
  memset(d, 0, sizeof(*d));
}

// check that name under g has shape (n, cols) (cols 0: (n,)); message names the demo and part
static int check_shape(dg_dataset* ds, hid_t g, const char* demo, const char* name, int n,
                       int cols) {
  int rank;
  hsize_t dims[2];
  if (dg_h5_shape(g, name, &rank, dims) != 0)
    return ds_fail(ds, DG_ERR_FORMAT, "%s: %s/%s is missing", ds->path, demo, name);
  int want_rank = cols > 0 ? 2 : 1;
  if (rank != want_rank || dims[0] != (hsize_t)n || (cols > 0 && dims[1] != (hsize_t)cols)) {
    if (cols > 0)
      return ds_fail(ds, DG_ERR_FORMAT, "%s: %s/%s has shape (%llu%s%llu), expected (%d, %d)",
                     ds->path, demo, name, (unsigned long long)dims[0], rank == 2 ? ", " : ",",
                     rank == 2 ? (unsigned long long)dims[1] : 0ULL, n, cols);
    return ds_fail(ds, DG_ERR_FORMAT, "%s: %s/%s has rank %d or %llu rows, expected (%d,)",
                   ds->path, demo, name, rank, (unsigned long long)dims[0], n);
  }
  return DG_OK;
}

static int read_doubles(dg_dataset* ds, hid_t g, const char* demo, const char* name, int n,
                        int cols, double* out) {
  int rc = check_shape(ds, g, demo, name, n, cols);
  if (rc) return rc;
  size_t count = (size_t)n * (size_t)(cols > 0 ? cols : 1);
  if (dg_h5_read_array(g, name, H5T_NATIVE_DOUBLE, out, count) != 0)
    return dg_h5_fail(ds->errmsg, sizeof(ds->errmsg), DG_ERR_FORMAT, "%s: cannot read %s/%s",
                      ds->path, demo, name);
  return DG_OK;
}

// read obs/<key> (or next_obs/<key>) for every key into the flat rows out (n x obs_dim)
static int read_flat_obs(dg_dataset* ds, hid_t g, const char* demo, const char* group, int n,
                         double* out) {
  for (int k = 0; k < ds->lay.nkeys; k++) {
    const dg_layout_key* key = &ds->lay.keys[k];
    size_t len = (size_t)n * (size_t)key->size;
    if (len > ds->scratch_len) {
      double* p = realloc(ds->scratch, sizeof(double) * len);
      if (!p) return ds_fail(ds, DG_ERR_NOMEM, "out of memory reading %s", demo);
      ds->scratch = p;
      ds->scratch_len = len;
    }
    char path[160];
    snprintf(path, sizeof(path), "%s/%s", group, key->name);
    int rc = read_doubles(ds, g, demo, path, n, key->size, ds->scratch);
    if (rc) return rc;
    for (int t = 0; t < n; t++)
      memcpy(out + (size_t)t * ds->lay.obs_dim + key->offset, ds->scratch + (size_t)t * key->size,
             sizeof(double) * key->size);
  }
  return DG_OK;
}

// the number of samples of a demo, from num_samples (checked against actions' rows)
static int demo_length(dg_dataset* ds, hid_t g, const char* demo, int* n) {
  int64_t v;
  if (dg_h5_read_attr_int(g, "num_samples", &v) < 0)
    return ds_fail(ds, DG_ERR_FORMAT, "%s: %s has no integer attribute num_samples", ds->path,
                   demo);
  if (v < 1 || v > 100000000)
    return ds_fail(ds, DG_ERR_FORMAT, "%s: %s has num_samples %lld", ds->path, demo,
                   (long long)v);
  *n = (int)v;
  return DG_OK;
}

int dg_dataset_load_demo(dg_dataset* ds, int i, dg_demo* out) {
  if (!ds || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_load_demo: NULL argument");
  memset(out, 0, sizeof(*out));
  if (i < 0 || i >= ds->ndemos)
    return ds_fail(ds, DG_ERR_NOTFOUND, "%s has no demo number %d (it has %d)", ds->path, i,
                   ds->ndemos);
  dg_h5_quiet();
  const char* demo = ds->names[i];
  dg_strlcpy(out->name, demo, sizeof(out->name));
  hid_t g = H5Gopen2(ds->data, demo, H5P_DEFAULT);
  if (g < 0)
    return dg_h5_fail(ds->errmsg, sizeof(ds->errmsg), DG_ERR_FORMAT, "%s: cannot open %s",
                      ds->path, demo);
  int n, rc = demo_length(ds, g, demo, &n);
  if (rc) goto done;
  out->n = n;
  out->obs_dim = ds->lay.obs_dim;
  out->act_dim = ds->lay.act_dim;
  out->state_dim = ds->lay.state_dim;
  size_t sn = (size_t)n;
  out->obs = malloc(sizeof(double) * sn * out->obs_dim);
  out->next_obs = malloc(sizeof(double) * sn * out->obs_dim);
  out->actions = malloc(sizeof(double) * sn * out->act_dim);
  out->labels = malloc(sizeof(double) * sn * out->act_dim);
  out->rewards = malloc(sizeof(double) * sn);
  out->states = malloc(sizeof(double) * sn * out->state_dim);
  out->dones = malloc(sizeof(int64_t) * sn);
  if (!out->obs || !out->next_obs || !out->actions || !out->labels || !out->rewards ||
      !out->states || !out->dones) {
    rc = ds_fail(ds, DG_ERR_NOMEM, "out of memory loading %s", demo);
    goto done;
  }
  if ((rc = read_flat_obs(ds, g, demo, "obs", n, out->obs))) goto done;
  if ((rc = read_flat_obs(ds, g, demo, "next_obs", n, out->next_obs))) goto done;
  if ((rc = read_doubles(ds, g, demo, "actions", n, out->act_dim, out->actions))) goto done;
  if ((rc = read_doubles(ds, g, demo, "rewards", n, 0, out->rewards))) goto done;
  if ((rc = read_doubles(ds, g, demo, "states", n, out->state_dim, out->states))) goto done;
  if ((rc = check_shape(ds, g, demo, "dones", n, 0))) goto done;
  if (dg_h5_read_array(g, "dones", H5T_NATIVE_INT64, out->dones, sn) != 0) {
    rc = dg_h5_fail(ds->errmsg, sizeof(ds->errmsg), DG_ERR_FORMAT, "%s: cannot read %s/dones",
                    ds->path, demo);
    goto done;
  }
  out->has_labels = dg_h5_exists(g, "dg_labels");
  if (out->has_labels) {
    if ((rc = read_doubles(ds, g, demo, "dg_labels", n, out->act_dim, out->labels))) goto done;
  } else {
    memcpy(out->labels, out->actions, sizeof(double) * sn * out->act_dim);
  }
  int64_t v;
  uint64_t u;
  out->episode = dg_h5_read_attr_int(g, "dg_episode", &v) == 0 ? (int)v : -1;
  out->seed = dg_h5_read_attr_uint(g, "dg_seed", &u) == 0 ? u : 0;
  out->success = dg_h5_read_attr_int(g, "dg_success", &v) == 0 ? (int)v : 0;
  out->terminated = dg_h5_read_attr_int(g, "dg_terminated", &v) == 0 ? (int)v : 0;
  out->truncated = dg_h5_read_attr_int(g, "dg_truncated", &v) == 0 ? (int)v : 0;
  char* source = dg_h5_read_attr_string(g, "dg_source");
  dg_strlcpy(out->source, source ? source : "", sizeof(out->source));
  free(source);
done:
  H5Gclose(g);
  if (rc) dg_demo_free(out);
  return rc;
}

// --- samples -----------------------------------------------------------------------------------

void dg_samples_free(dg_samples* s) {
  if (!s) return;
  free(s->obs);
  free(s->next_obs);
  free(s->actions);
  free(s->labels);
  free(s->rewards);
  free(s->demo);
  free(s->step);
  free(s->demo_start);
  memset(s, 0, sizeof(*s));
}

// the demos (indices into ds->names, ascending) named by mask/<key>
static int select_demos(dg_dataset* ds, const char* key, int** out, int* n) {
  *out = NULL;
  *n = 0;
  int* sel = malloc(sizeof(int) * (size_t)(ds->ndemos + 1));
  if (!sel) return ds_fail(ds, DG_ERR_NOMEM, "out of memory");
  if (!key) {
    for (int i = 0; i < ds->ndemos; i++) sel[i] = i;
    *out = sel;
    *n = ds->ndemos;
    return DG_OK;
  }
  int found = 0;
  for (int f = 0; f < ds->nfilters; f++) found |= !strcmp(ds->filters[f], key);
  if (!found) {
    free(sel);
    return ds_fail(ds, DG_ERR_NOTFOUND, "%s has no filter key '%s' (mask/%s)", ds->path, key,
                   key);
  }
  char path[300];
  snprintf(path, sizeof(path), "mask/%s", key);
  char** names;
  int count;
  if (dg_h5_read_strings(ds->file, path, &names, &count) != 0) {
    free(sel);
    return dg_h5_fail(ds->errmsg, sizeof(ds->errmsg), DG_ERR_FORMAT,
                      "%s: %s is not a list of strings", ds->path, path);
  }
  char* mark = calloc((size_t)ds->ndemos + 1, 1);
  int rc = mark ? DG_OK : ds_fail(ds, DG_ERR_NOMEM, "out of memory");
  for (int j = 0; j < count && !rc; j++) {
    int i = 0;
    while (i < ds->ndemos && strcmp(ds->names[i], names[j])) i++;
    if (i == ds->ndemos)
      rc = ds_fail(ds, DG_ERR_FORMAT, "%s: %s names '%s', which is not a demo", ds->path, path,
                   names[j]);
    else
      mark[i] = 1;
  }
  int m = 0;
  for (int i = 0; i < ds->ndemos && !rc; i++)
    if (mark[i]) sel[m++] = i;
  free(mark);
  dg_h5_free_strings(names, count);
  if (rc) {
    free(sel);
    return rc;
  }
  *out = sel;
  *n = m;
  return DG_OK;
}

int dg_dataset_load_samples(dg_dataset* ds, const char* filter_key, dg_samples* out) {
  if (!ds || !out)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_load_samples: NULL argument");
  memset(out, 0, sizeof(*out));
  dg_h5_quiet();
  int *sel, nsel;
  int rc = select_demos(ds, filter_key, &sel, &nsel);
  if (rc) return rc;
  // first the lengths, to allocate once
  long total = 0;
  int* lengths = malloc(sizeof(int) * (size_t)(nsel + 1));
  if (!lengths) {
    free(sel);
    return ds_fail(ds, DG_ERR_NOMEM, "out of memory");
  }
  for (int j = 0; j < nsel && !rc; j++) {
    hid_t g = H5Gopen2(ds->data, ds->names[sel[j]], H5P_DEFAULT);
    if (g < 0) {
      rc = dg_h5_fail(ds->errmsg, sizeof(ds->errmsg), DG_ERR_FORMAT, "%s: cannot open %s",
                      ds->path, ds->names[sel[j]]);
      break;
    }
    rc = demo_length(ds, g, ds->names[sel[j]], &lengths[j]);
    H5Gclose(g);
    total += lengths[j];
  }
  if (!rc && total > 0x7fffffffL)
    rc = ds_fail(ds, DG_ERR_UNSUPPORTED, "%s: %ld samples are more than one load holds", ds->path,
                 total);
  int od = ds->lay.obs_dim, ad = ds->lay.act_dim;
  size_t n = (size_t)total;
  if (!rc) {
    out->n = (int)total;
    out->obs_dim = od;
    out->act_dim = ad;
    out->ndemos = nsel;
    dg_strlcpy(out->env_name, ds->lay.env_id, sizeof(out->env_name));
    out->obs = malloc(sizeof(double) * (n * od + 1));
    out->next_obs = malloc(sizeof(double) * (n * od + 1));
    out->actions = malloc(sizeof(double) * (n * ad + 1));
    out->labels = malloc(sizeof(double) * (n * ad + 1));
    out->rewards = malloc(sizeof(double) * (n + 1));
    out->demo = malloc(sizeof(int) * (n + 1));
    out->step = malloc(sizeof(int) * (n + 1));
    out->demo_start = malloc(sizeof(int) * (size_t)(nsel + 1));
    if (!out->obs || !out->next_obs || !out->actions || !out->labels || !out->rewards ||
        !out->demo || !out->step || !out->demo_start)
      rc = ds_fail(ds, DG_ERR_NOMEM, "out of memory loading %ld samples", total);
  }
  size_t at = 0;
  for (int j = 0; j < nsel && !rc; j++) {
    dg_demo d;
    rc = dg_dataset_load_demo(ds, sel[j], &d);
    if (rc) break;
    if (d.n != lengths[j]) {
      dg_demo_free(&d);
      rc = ds_fail(ds, DG_ERR_FORMAT, "%s: %s changed while reading", ds->path, ds->names[sel[j]]);
      break;
    }
    size_t m = (size_t)d.n;
    memcpy(out->obs + at * od, d.obs, sizeof(double) * m * od);
    memcpy(out->next_obs + at * od, d.next_obs, sizeof(double) * m * od);
    memcpy(out->actions + at * ad, d.actions, sizeof(double) * m * ad);
    memcpy(out->labels + at * ad, d.labels, sizeof(double) * m * ad);
    memcpy(out->rewards + at, d.rewards, sizeof(double) * m);
    out->demo_start[j] = (int)at;
    for (size_t t = 0; t < m; t++) {
      out->demo[at + t] = j;
      out->step[at + t] = (int)t;
    }
    at += m;
    dg_demo_free(&d);
  }
  if (!rc) out->demo_start[nsel] = (int)at;
  free(lengths);
  free(sel);
  if (rc) dg_samples_free(out);
  return rc;
}
