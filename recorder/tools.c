// tools.c: dataset tools that write: split (train/valid masks) and merge, both committed
// atomically through the shadow file.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/dataset.h"
#include "demogym/recorder.h"
#include "demogym/rng.h"
#include "h5util.h"
#include "internal.h"
#include "recorder_internal.h"
#include "shadow.h"

// an HDF5 file opened through a shadow copy, to be committed whole
typedef struct shadowed {
  dg_shadow* sh;
  hid_t file;
} shadowed;

static int shadowed_open(shadowed* s, const char* path, dg_shadow_mode mode, char* err,
                         size_t errsz) {
  s->file = -1;
  int rc = dg_shadow_open(path, mode, 0, &s->sh, err, errsz);
  if (rc) return rc;
  hid_t fapl = dg_shadow_fapl(s->sh);
  if (mode == DG_SHADOW_APPEND) {
    s->file = H5Fopen(path, H5F_ACC_RDWR, fapl);
  } else {
    hid_t fcpl = dg_h5_fcpl();
    s->file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl);
    H5Pclose(fcpl);
  }
  H5Pclose(fapl);
  if (s->file < 0) {
    rc = dg_h5_fail(err, errsz, DG_ERR_FORMAT, "%s cannot be opened for writing", path);
    dg_shadow_close(&s->sh);
  }
  return rc;
}

// close HDF5 and publish (commit), or drop everything (commit = 0)
static int shadowed_close(shadowed* s, int commit, char* err, size_t errsz) {
  int rc = DG_OK;
  if (!commit) dg_shadow_discard(s->sh);
  if (s->file >= 0 && H5Fclose(s->file) < 0) {
    if (commit) rc = dg_h5_fail(err, errsz, DG_ERR_IO, "closing the file failed");
    dg_shadow_discard(s->sh);  // HDF5 keeps a file it failed to close: let it go
    H5Fclose(s->file);
  }
  if (!rc && commit) rc = dg_shadow_commit(s->sh, err, errsz);
  dg_shadow_close(&s->sh);
  H5Eclear2(H5E_DEFAULT);
  return rc;
}

static int cmp_demo_names(const void* a, const void* b) {
  const char *x = *(const char* const*)a, *y = *(const char* const*)b;
  long i = strtol(x + 5, NULL, 10), j = strtol(y + 5, NULL, 10);
  return (i > j) - (i < j);
}

// replace mask/<key> by names
static int write_mask(hid_t file, const char* key, const char** names, int n) {
  hid_t m = dg_h5_exists(file, "mask") ? H5Gopen2(file, "mask", H5P_DEFAULT)
                                       : dg_h5_group_create(file, "mask");
  if (m < 0) return -1;
  int rc = 0;
  if (dg_h5_exists(m, key) && H5Ldelete(m, key, H5P_DEFAULT) < 0) rc = -1;
  if (!rc) rc = dg_h5_write_strings(m, key, names, n);
  H5Gclose(m);
  return rc;
}

int dg_dataset_split(const char* path, double valid_fraction, uint64_t seed, int* ntrain,
                     int* nvalid) {
  if (!path || !(valid_fraction >= 0 && valid_fraction < 1))
    return dg_fail(NULL, 0, DG_ERR_INVALID, "the valid fraction must be in [0, 1), got %g",
                   valid_fraction);
  if (dg_h5_quiet() != 0) return dg_fail(NULL, 0, DG_ERR_UNSUPPORTED, "HDF5 cannot start");
  // read the demos through the reader (checks the file is a dataset)
  dg_dataset* ds;
  int rc = dg_dataset_open(path, &ds);
  if (rc) return rc;
  dg_dataset_info info;
  dg_dataset_get_info(ds, &info);
  int n = info.ndemos;
  const char** names = malloc(sizeof(char*) * (size_t)(n + 1));
  char* store = malloc(32 * (size_t)(n + 1));
  if (!names || !store) {
    free(names);
    free(store);
    dg_dataset_close(&ds);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory");
  }
  for (int i = 0; i < n; i++) {
    dg_strlcpy(store + 32 * i, dg_dataset_demo_name(ds, i), 32);
    names[i] = store + 32 * i;
  }
  dg_dataset_close(&ds);
  // a seeded shuffle: the first nv are valid
  dg_rng rng;
  dg_rng_seed(&rng, seed);
  for (int i = n - 1; i > 0; i--) {
    int j = (int)dg_rng_below(&rng, (uint64_t)i + 1);
    const char* t = names[i];
    names[i] = names[j];
    names[j] = t;
  }
  int nv = (int)floor(valid_fraction * n);
  if (valid_fraction > 0 && nv == 0 && n >= 2) nv = 1;
  qsort(names, (size_t)nv, sizeof(char*), cmp_demo_names);
  qsort(names + nv, (size_t)(n - nv), sizeof(char*), cmp_demo_names);
  char err[1024];
  shadowed s;
  rc = shadowed_open(&s, path, DG_SHADOW_APPEND, err, sizeof(err));
  if (!rc) {
    int bad = write_mask(s.file, "valid", names, nv) < 0 ||
              write_mask(s.file, "train", names + nv, n - nv) < 0;
    if (bad) rc = dg_h5_fail(err, sizeof(err), DG_ERR_IO, "%s: writing the masks failed", path);
    int crc = shadowed_close(&s, !bad, err, sizeof(err));
    if (!rc) rc = crc;
  }
  free(names);
  free(store);
  if (rc) return rc;
  if (ntrain) *ntrain = n - nv;
  if (nvalid) *nvalid = nv;
  return DG_OK;
}

// --- merge -----------------------------------------------------------------------------------

typedef struct mask_acc {
  char name[256];
  char** demos;
  int n;
} mask_acc;

static int copy_string_attr(hid_t from, hid_t to, const char* name) {
  char* v = dg_h5_read_attr_string(from, name);
  int rc = v ? dg_h5_attr_string(to, name, v) : -1;
  free(v);
  return rc;
}

static int copy_int_attr(hid_t from, hid_t to, const char* name) {
  int64_t v;
  return dg_h5_read_attr_int(from, name, &v) == 0 ? dg_h5_attr_int(to, name, v) : -1;
}

int dg_dataset_merge(const char* out, const char* const* inputs, int n, int overwrite,
                     int* ndemos, long* nsamples) {
  if (!out || !inputs || n < 1)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "merge needs an output and at least one input");
  if (dg_h5_quiet() != 0) return dg_fail(NULL, 0, DG_ERR_UNSUPPORTED, "HDF5 cannot start");
  dg_dataset** ds = calloc((size_t)n, sizeof(dg_dataset*));
  if (!ds) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory");
  char err[1024];
  int rc = DG_OK;
  // every input opens, and all agree
  for (int i = 0; i < n && !rc; i++) {
    if (!strcmp(inputs[i], out))
      rc = dg_fail(NULL, 0, DG_ERR_INVALID, "the output %s is also an input", out);
    else
      rc = dg_dataset_open(inputs[i], &ds[i]);
    if (rc || i == 0) continue;
    const dg_rec_layout *a = dg_dataset_layout(ds[0]), *b = dg_dataset_layout(ds[i]);
    if (strcmp(a->env_id, b->env_id))
      rc = dg_fail(NULL, 0, DG_ERR_INVALID, "%s holds %s demos, %s holds %s demos", inputs[0],
                   a->env_id, inputs[i], b->env_id);
    else if (a->env_version != b->env_version || !dg_layout_same_keys(a, b))
      rc = dg_fail(NULL, 0, DG_ERR_INVALID,
                   "%s and %s were recorded with different versions or sizes of %s", inputs[0],
                   inputs[i], a->env_id);
    else if (a->max_episode_steps != b->max_episode_steps ||
             a->terminate_on_success != b->terminate_on_success)
      rc = dg_fail(NULL, 0, DG_ERR_INVALID, "%s and %s were recorded with different env_kwargs",
                   inputs[0], inputs[i]);
  }
  shadowed s = {NULL, -1};
  mask_acc* masks = NULL;
  int nmasks = 0, total_demos = 0;
  long total = 0;
  hid_t data = -1, ocpl = -1;
  if (!rc)
    rc = shadowed_open(&s, out, overwrite ? DG_SHADOW_OVERWRITE : DG_SHADOW_CREATE, err,
                       sizeof(err));
  int bad = rc != DG_OK;
  if (!bad) {
    hid_t in_data = H5Gopen2(dg_dataset_h5_file(ds[0]), "data", H5P_DEFAULT);
    data = dg_h5_group_create(s.file, "data");
    static const char* strs[] = {"env_args", "dg_version", "dg_obs_keys"};
    static const char* ints[] = {"dg_format_version", "dg_env_version", "dg_action_dim",
                                 "dg_state_dim"};
    bad = in_data < 0 || data < 0;
    for (int k = 0; k < 3 && !bad; k++) bad = copy_string_attr(in_data, data, strs[k]) < 0;
    for (int k = 0; k < 4 && !bad; k++) bad = copy_int_attr(in_data, data, ints[k]) < 0;
    if (in_data >= 0) H5Gclose(in_data);
    ocpl = H5Pcreate(H5P_OBJECT_COPY);
  }
  for (int i = 0; i < n && !bad; i++) {
    dg_dataset_info info;
    dg_dataset_get_info(ds[i], &info);
    hid_t in_data = H5Gopen2(dg_dataset_h5_file(ds[i]), "data", H5P_DEFAULT);
    int first = total_demos;
    for (int j = 0; j < info.ndemos && !bad; j++) {
      char name[32];
      snprintf(name, sizeof(name), "demo_%d", total_demos);
      bad = H5Ocopy(in_data, dg_dataset_demo_name(ds[i], j), data, name, ocpl, H5P_DEFAULT) < 0;
      total_demos++;
    }
    total += info.total;
    if (in_data >= 0) H5Gclose(in_data);
    // this input's masks, with the new names
    for (int f = 0; f < info.nfilters && !bad; f++) {
      const char* key = dg_dataset_filter_name(ds[i], f);
      char path[300];
      snprintf(path, sizeof(path), "mask/%s", key);
      char** names;
      int count;
      if (dg_h5_read_strings(dg_dataset_h5_file(ds[i]), path, &names, &count) != 0) {
        rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "%s: %s is not a list of strings", inputs[i], path);
        bad = 1;
        break;
      }
      int m = 0;
      while (m < nmasks && strcmp(masks[m].name, key)) m++;
      if (m == nmasks) {
        mask_acc* p = realloc(masks, sizeof(mask_acc) * (size_t)(nmasks + 1));
        if (!p) {
          dg_h5_free_strings(names, count);
          bad = 1;
          break;
        }
        masks = p;
        memset(&masks[nmasks], 0, sizeof(mask_acc));
        dg_strlcpy(masks[nmasks].name, key, sizeof(masks[nmasks].name));
        nmasks++;
      }
      char** grown = realloc(masks[m].demos, sizeof(char*) * (size_t)(masks[m].n + count + 1));
      if (!grown) {
        dg_h5_free_strings(names, count);
        bad = 1;
        break;
      }
      masks[m].demos = grown;
      for (int k = 0; k < count; k++) {
        int j = 0;
        while (j < info.ndemos && strcmp(dg_dataset_demo_name(ds[i], j), names[k])) j++;
        if (j == info.ndemos) continue;  // a mask naming no demo (validate reports it)
        char* nn = malloc(32);
        if (!nn) {
          bad = 1;
          break;
        }
        snprintf(nn, 32, "demo_%d", first + j);
        masks[m].demos[masks[m].n++] = nn;
      }
      dg_h5_free_strings(names, count);
    }
  }
  for (int m = 0; m < nmasks && !bad; m++)
    bad = write_mask(s.file, masks[m].name, (const char**)masks[m].demos, masks[m].n) < 0;
  if (!bad) bad = dg_h5_attr_int(data, "total", total) < 0;
  if (bad && !rc) rc = dg_h5_fail(err, sizeof(err), DG_ERR_IO, "%s: merging failed", out);
  if (ocpl >= 0) H5Pclose(ocpl);
  if (data >= 0) H5Gclose(data);
  if (s.sh) {
    int crc = shadowed_close(&s, !rc, err, sizeof(err));
    if (!rc) rc = crc;
  }
  for (int m = 0; m < nmasks; m++) dg_h5_free_strings(masks[m].demos, masks[m].n);
  free(masks);
  for (int i = 0; i < n; i++) dg_dataset_close(&ds[i]);
  free(ds);
  if (rc) return rc;
  if (ndemos) *ndemos = total_demos;
  if (nsamples) *nsamples = total;
  return DG_OK;
}
