// validate.c: checking a dataset's layout and invariants, reporting every problem found.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/dataset.h"
#include "h5util.h"
#include "internal.h"
#include "recorder_internal.h"

#define MAX_PROBLEMS 1000

typedef struct checker {
  dg_validation* v;
  int oom;
} checker;

static void problem(checker* c, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(checker* c, const char* fmt, ...) {
  dg_validation* v = c->v;
  v->valid = 0;
  if (v->nproblems >= MAX_PROBLEMS) {
    v->nproblems++;
    return;
  }
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  char** p = realloc(v->problems, sizeof(char*) * (size_t)(v->nproblems + 1));
  char* copy = strdup(msg);
  if (!p || !copy) {
    if (p) v->problems = p;
    free(copy);
    c->oom = 1;
    return;
  }
  v->problems = p;
  v->problems[v->nproblems++] = copy;
}

void dg_validation_free(dg_validation* v) {
  if (!v) return;
  int kept = v->nproblems < MAX_PROBLEMS ? v->nproblems : MAX_PROBLEMS;
  for (int i = 0; i < kept; i++) free(v->problems[i]);
  free(v->problems);
  memset(v, 0, sizeof(*v));
}

// names under data that are not demo_<i>, and gaps in the numbering
static herr_t check_name(hid_t g, const char* name, const H5L_info_t* info, void* user) {
  checker* c = user;
  char* end = NULL;
  int ok = strncmp(name, "demo_", 5) == 0 && name[5];
  if (ok) {
    long v = strtol(name + 5, &end, 10);
    ok = !*end && v >= 0 && !(name[5] == '0' && name[6]);
  }
  if (!ok) problem(c, "data/%s is not named demo_<i>", name);
  return 0;
}

static void check_values(checker* c, const char* what, const char* demo, const double* x, size_t n,
                         double lo, double hi) {
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) {
      problem(c, "%s: %s[%zu] is not finite", demo, what, i);
      return;
    }
    if (x[i] < lo || x[i] > hi) {
      problem(c, "%s: %s[%zu] = %g is outside [%g, %g]", demo, what, i, x[i], lo, hi);
      return;
    }
  }
}

static void check_demo(checker* c, dg_dataset* ds, int i, const dg_rec_layout* lay) {
  dg_demo d;
  const char* name = dg_dataset_demo_name(ds, i);
  if (dg_dataset_load_demo(ds, i, &d) != DG_OK) {
    problem(c, "%s", dg_dataset_errmsg(ds));
    return;
  }
  c->v->samples += d.n;
  size_t n = (size_t)d.n, od = (size_t)d.obs_dim, ad = (size_t)d.act_dim;
  // next_obs[t] == obs[t + 1], bit for bit, within the demo
  for (size_t t = 0; t + 1 < n; t++) {
    if (memcmp(d.next_obs + t * od, d.obs + (t + 1) * od, sizeof(double) * od) == 0) continue;
    int k = 0;
    for (size_t j = 0; j < od; j++)
      if (d.next_obs[t * od + j] != d.obs[(t + 1) * od + j]) {
        while (k + 1 < lay->nkeys && lay->keys[k + 1].offset <= (int)j) k++;
        break;
      }
    problem(c, "%s: next_obs[%zu] != obs[%zu] (key %s)", name, t, t + 1, lay->keys[k].name);
    break;
  }
  check_values(c, "obs", name, d.obs, n * od, -INFINITY, INFINITY);
  check_values(c, "next_obs", name, d.next_obs, n * od, -INFINITY, INFINITY);
  check_values(c, "actions", name, d.actions, n * ad, -1.0, 1.0);
  if (d.has_labels) check_values(c, "dg_labels", name, d.labels, n * ad, -1.0, 1.0);
  check_values(c, "rewards", name, d.rewards, n, -INFINITY, INFINITY);
  check_values(c, "states", name, d.states, n * (size_t)d.state_dim, -INFINITY, INFINITY);
  for (size_t t = 0; t < n; t++) {
    int64_t want = t + 1 == n;
    if (d.dones[t] != want) {
      problem(c, "%s: dones[%zu] = %lld, expected %lld (1 at the last step only)", name, t,
              (long long)d.dones[t], (long long)want);
      break;
    }
  }
  // demogym's per-episode attributes
  hid_t data = H5Gopen2(dg_dataset_h5_file(ds), "data", H5P_DEFAULT);
  hid_t g = data >= 0 ? H5Gopen2(data, name, H5P_DEFAULT) : -1;
  if (g >= 0) {
    static const char* ints[] = {"dg_episode", "dg_success", "dg_terminated", "dg_truncated"};
    for (int k = 0; k < DG_ARRAY_LEN(ints); k++) {
      int64_t v;
      if (dg_h5_read_attr_int(g, ints[k], &v) != 0)
        problem(c, "%s has no integer attribute %s", name, ints[k]);
    }
    uint64_t seed;
    if (dg_h5_read_attr_uint(g, "dg_seed", &seed) != 0)
      problem(c, "%s has no integer attribute dg_seed", name);
    char* source = dg_h5_read_attr_string(g, "dg_source");
    if (!source || !source[0]) problem(c, "%s has no string attribute dg_source", name);
    free(source);
    H5Gclose(g);
  }
  if (data >= 0) H5Gclose(data);
  if (!d.terminated && !d.truncated)
    problem(c, "%s neither terminated nor truncated: not a whole episode", name);
  dg_demo_free(&d);
}

static void check_masks(checker* c, dg_dataset* ds, int ndemos) {
  hid_t file = dg_dataset_h5_file(ds);
  for (int f = 0; dg_dataset_filter_name(ds, f); f++) {
    const char* key = dg_dataset_filter_name(ds, f);
    char path[300];
    snprintf(path, sizeof(path), "mask/%s", key);
    char** names;
    int count;
    if (dg_h5_read_strings(file, path, &names, &count) != 0) {
      H5Eclear2(H5E_DEFAULT);
      problem(c, "%s is not a 1-D dataset of strings", path);
      continue;
    }
    for (int j = 0; j < count; j++) {
      int found = 0;
      for (int i = 0; i < ndemos && !found; i++) found = !strcmp(dg_dataset_demo_name(ds, i), names[j]);
      if (!found) problem(c, "%s names '%s', which is not a demo", path, names[j]);
      for (int k = 0; k < j; k++)
        if (!strcmp(names[k], names[j])) {
          problem(c, "%s names '%s' twice", path, names[j]);
          break;
        }
    }
    dg_h5_free_strings(names, count);
  }
}

int dg_dataset_validate(const char* path, dg_validation* out) {
  if (!path || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_validate: NULL argument");
  memset(out, 0, sizeof(*out));
  out->valid = 1;
  checker c = {out, 0};
  if (dg_h5_quiet() != 0) return dg_fail(NULL, 0, DG_ERR_UNSUPPORTED, "HDF5 cannot start");
  char why[512];
  if (dg_h5_probe(path, why, sizeof(why)) < 0) return dg_fail(NULL, 0, DG_ERR_NOTFOUND, "%s", why);
  dg_dataset* ds = NULL;
  int rc = dg_dataset_open(path, &ds);
  if (rc == DG_ERR_NOMEM) return rc;
  if (rc) {
    problem(&c, "%s", dg_last_errmsg());
    return c.oom ? dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory") : DG_OK;
  }
  const dg_rec_layout* lay = dg_dataset_layout(ds);
  dg_dataset_info info;
  dg_dataset_get_info(ds, &info);
  // the env this build registers under that id
  dg_env* env = NULL;
  if (dg_env_make(lay->env_id, NULL, &env) != DG_OK) {
    problem(&c, "env %s is not registered in this build: its sizes cannot be checked", lay->env_id);
  } else {
    dg_rec_layout have;
    dg_layout_from_env(env, &have, NULL, 0);
    if (have.env_version != lay->env_version)
      problem(&c, "recorded with %s version %d; this build has version %d", lay->env_id,
              lay->env_version, have.env_version);
    if (!dg_layout_same_keys(&have, lay))
      problem(&c, "observation keys or sizes differ from %s's (obs %d, action %d, state %d here)",
              lay->env_id, have.obs_dim, have.act_dim, have.state_dim);
    dg_env_close(&env);
  }
  hid_t data = H5Gopen2(dg_dataset_h5_file(ds), "data", H5P_DEFAULT);
  hsize_t idx = 0;
  if (data >= 0) {
    H5Literate(data, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, check_name, &c);
    H5Gclose(data);
  }
  for (int i = 0; i < info.ndemos; i++) {
    char want[32];
    snprintf(want, sizeof(want), "demo_%d", i);
    if (strcmp(dg_dataset_demo_name(ds, i), want)) {
      problem(&c, "demos are not numbered demo_0..demo_%d: %s is missing", info.ndemos - 1, want);
      break;
    }
  }
  long before = out->samples;
  for (int i = 0; i < info.ndemos && !c.oom; i++) check_demo(&c, ds, i, lay);
  out->ndemos = info.ndemos;
  if (out->samples - before != info.total)
    problem(&c, "data/total is %ld but the demos hold %ld samples", info.total,
            out->samples - before);
  check_masks(&c, ds, info.ndemos);
  dg_dataset_close(&ds);
  if (c.oom) {
    dg_validation_free(out);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory validating %s", path);
  }
  return DG_OK;
}
