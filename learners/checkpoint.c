// checkpoint.c: models to and from HDF5 checkpoints (weights as datasets, config as JSON,
// normalisation statistics, a format version checked at load).
//
// Layout (read it with h5py: f["weights/fc0.weight"][...], json.loads(f["config"][()])):
//   /                    attributes format = "demogym-bc-checkpoint", format_version (int),
//                        demogym_version
//   /config              the configuration and training summary, a JSON string
//   /normalization/      obs_mean, obs_std (obs_dim), act_shift, act_scale (act_dim), float64;
//                        the network sees (obs - obs_mean) / obs_std, clipped to +-10, and its
//                        normalised action a maps back to act_shift + act_scale * a
//   /weights/<tensor>    float32, PyTorch's shapes: fc<l>.weight (out, in), fc<l>.bias (out),
//                        ln<l>.weight, ln<l>.bias, out.weight, out.bias
// Object time tracking is off, so the same model gives the same bytes.
#include <cjson/cJSON.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bc_internal.h"
#include "envs/internal.h"

#define FORMAT_NAME "demogym-bc-checkpoint"

static const char* const sampling_names[] = {"default", "mode", "step", "episode"};

// --- writing -----------------------------------------------------------------------------------

static int write_string_attr(hid_t obj, const char* name, const char* value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, strlen(value) ? strlen(value) : 1);
  H5Tset_strpad(type, H5T_STR_NULLTERM);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = attr < 0 ? -1 : H5Awrite(attr, type, value);
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  return st < 0 ? -1 : 0;
}

static int write_int_attr(hid_t obj, const char* name, int value) {
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr = H5Acreate2(obj, name, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t st = attr < 0 ? -1 : H5Awrite(attr, H5T_NATIVE_INT, &value);
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  return st < 0 ? -1 : 0;
}

// write a dataset of rank 1 or 2 (cols 0: a vector of rows values)
static int write_array(hid_t loc, const char* name, hid_t file_type, hid_t mem_type,
                       const void* data, int rows, int cols, hid_t dcpl) {
  hsize_t dims[2] = {(hsize_t)rows, (hsize_t)cols};
  hid_t space = H5Screate_simple(cols ? 2 : 1, dims, NULL);
  hid_t ds = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  herr_t st = ds < 0 ? -1 : H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  if (ds >= 0) H5Dclose(ds);
  H5Sclose(space);
  return st < 0 ? -1 : 0;
}

static cJSON* config_json(const dg_bc_model* m) {
  const dg_bc_config* c = &m->cfg;
  cJSON* j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "policy_class", c->policy_class);
  cJSON_AddStringToObject(j, "env_name", m->env_name);
  cJSON_AddNumberToObject(j, "obs_dim", m->obs_dim);
  cJSON_AddNumberToObject(j, "act_dim", m->act_dim);
  cJSON_AddNumberToObject(j, "hidden", c->hidden);
  cJSON_AddNumberToObject(j, "layers", c->layers);
  cJSON_AddStringToObject(j, "activation", dg_nn_act_name(c->activation));
  cJSON_AddBoolToObject(j, "layer_norm", c->layer_norm);
  cJSON_AddNumberToObject(j, "components", c->components);
  cJSON_AddNumberToObject(j, "bins", c->bins);
  cJSON_AddNumberToObject(j, "diffusion_steps", c->diffusion_steps);
  cJSON_AddNumberToObject(j, "sample_steps", c->sample_steps);
  cJSON_AddStringToObject(j, "sampling", sampling_names[c->sampling]);
  cJSON_AddNumberToObject(j, "min_log_std", c->min_log_std);
  cJSON_AddNumberToObject(j, "max_log_std", c->max_log_std);
  cJSON_AddNumberToObject(j, "obs_clip", DG_BC_OBS_CLIP);
  cJSON_AddNumberToObject(j, "nparams", (double)m->net.nparams);
  // the training summary; wall-clock figures are left out so that the bytes are reproducible
  cJSON* t = cJSON_AddObjectToObject(j, "training");
  cJSON_AddNumberToObject(t, "steps", (double)m->report.steps);
  cJSON_AddNumberToObject(t, "final_train_loss", m->report.final_train_loss);
  cJSON_AddNumberToObject(t, "final_valid_loss", m->report.final_valid_loss);
  cJSON_AddNumberToObject(t, "best_valid_loss", m->report.best_valid_loss);
  cJSON_AddNumberToObject(t, "best_step", (double)m->report.best_step);
  return j;
}

int dg_bc_save(const dg_bc_model* m, const char* path) {
  if (!m || !path) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_bc_save: NULL argument");
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  cJSON* cj = config_json(m);
  char* json = cJSON_PrintUnformatted(cj);
  cJSON_Delete(cj);
  if (!json) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory writing a checkpoint");

  // no time stamps in object headers: the same model gives the same file
  hid_t ocpl = H5Pcreate(H5P_GROUP_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(ocpl, 0);
  H5Pset_obj_track_times(dcpl, 0);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) {
    H5Pclose(ocpl), H5Pclose(dcpl);
    free(json);
    return dg_fail(NULL, 0, DG_ERR_IO, "cannot create checkpoint %s", path);
  }
  int bad = 0;
  bad |= write_string_attr(f, "format", FORMAT_NAME);
  bad |= write_int_attr(f, "format_version", DG_BC_CHECKPOINT_VERSION);
  bad |= write_string_attr(f, "demogym_version", dg_version());
  // the config, a fixed-length string
  hid_t stype = H5Tcopy(H5T_C_S1);
  H5Tset_size(stype, strlen(json));
  hid_t sspace = H5Screate(H5S_SCALAR);
  hid_t ds = H5Dcreate2(f, "config", stype, sspace, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  bad |= ds < 0 || H5Dwrite(ds, stype, H5S_ALL, H5S_ALL, H5P_DEFAULT, json) < 0;
  if (ds >= 0) H5Dclose(ds);
  H5Sclose(sspace);
  H5Tclose(stype);
  free(json);
  // normalisation statistics
  hid_t g = H5Gcreate2(f, "normalization", H5P_DEFAULT, ocpl, H5P_DEFAULT);
  bad |= g < 0;
  if (g >= 0) {
    bad |= write_array(g, "obs_mean", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, m->obs_mean, m->obs_dim,
                       0, dcpl);
    bad |= write_array(g, "obs_std", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, m->obs_std, m->obs_dim,
                       0, dcpl);
    bad |= write_array(g, "act_shift", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, m->act_shift,
                       m->act_dim, 0, dcpl);
    bad |= write_array(g, "act_scale", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, m->act_scale,
                       m->act_dim, 0, dcpl);
    H5Gclose(g);
  }
  // the weights, one dataset per tensor
  g = H5Gcreate2(f, "weights", H5P_DEFAULT, ocpl, H5P_DEFAULT);
  bad |= g < 0;
  if (g >= 0) {
    char name[32];
    size_t off;
    int rows, cols;
    for (int i = 0; dg_mlp_tensor(&m->net, i, name, sizeof(name), &off, &rows, &cols) == 0; i++)
      bad |= write_array(g, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, m->net.params + off, rows,
                         cols, dcpl);
    H5Gclose(g);
  }
  H5Pclose(ocpl);
  H5Pclose(dcpl);
  bad |= H5Fclose(f) < 0;
  if (bad) {
    unlink(path);
    return dg_fail(NULL, 0, DG_ERR_IO, "writing checkpoint %s failed (disk full?)", path);
  }
  return DG_OK;
}

// --- reading -----------------------------------------------------------------------------------

// read a scalar fixed- or variable-length string (attribute when attr, else dataset) into a
// malloc'd buffer; NULL when absent or not a string
static char* read_string(hid_t loc, const char* name, int attr) {
  hid_t obj = attr ? (H5Aexists(loc, name) > 0 ? H5Aopen(loc, name, H5P_DEFAULT) : -1)
                   : (H5Lexists(loc, name, H5P_DEFAULT) > 0 ? H5Dopen2(loc, name, H5P_DEFAULT)
                                                            : -1);
  if (obj < 0) return NULL;
  hid_t type = attr ? H5Aget_type(obj) : H5Dget_type(obj);
  hid_t space = attr ? H5Aget_space(obj) : H5Dget_space(obj);
  char* out = NULL;
  if (type >= 0 && H5Tget_class(type) == H5T_STRING && H5Sget_simple_extent_npoints(space) == 1) {
    hid_t mem = H5Tcopy(H5T_C_S1);
    if (H5Tis_variable_str(type) > 0) {
      char* v = NULL;
      H5Tset_size(mem, H5T_VARIABLE);
      if ((attr ? H5Aread(obj, mem, &v) : H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v)) >=
              0 && v) {
        out = strdup(v);
        H5free_memory(v);
      }
    } else {
      size_t n = H5Tget_size(type);
      out = calloc(n + 1, 1);
      H5Tset_size(mem, n + 1);
      if (out && (attr ? H5Aread(obj, mem, out)
                       : H5Dread(obj, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, out)) < 0) {
        free(out);
        out = NULL;
      }
    }
    H5Tclose(mem);
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  if (attr) H5Aclose(obj);
  else H5Dclose(obj);
  return out;
}

static int read_int_attr(hid_t loc, const char* name, int* value) {
  if (H5Aexists(loc, name) <= 0) return -1;
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  hid_t type = a >= 0 ? H5Aget_type(a) : -1;
  int ok = type >= 0 && H5Tget_class(type) == H5T_INTEGER && H5Aread(a, H5T_NATIVE_INT, value) >= 0;
  if (type >= 0) H5Tclose(type);
  if (a >= 0) H5Aclose(a);
  return ok ? 0 : -1;
}

// read a float dataset of the expected shape (cols 0: a vector) as mem_type; check finiteness
static int read_array(hid_t loc, const char* path, hid_t mem_type, void* out, int rows, int cols,
                      const char* file) {
  if (H5Lexists(loc, path, H5P_DEFAULT) <= 0)
    return dg_fail(NULL, 0, DG_ERR_FORMAT, "checkpoint %s lacks %s", file, path);
  hid_t ds = H5Dopen2(loc, path, H5P_DEFAULT);
  if (ds < 0) return dg_fail(NULL, 0, DG_ERR_FORMAT, "checkpoint %s: %s is not a dataset", file, path);
  hid_t space = H5Dget_space(ds), type = H5Dget_type(ds);
  hsize_t dims[3] = {0, 0, 0};
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank >= 0 && rank <= 3) H5Sget_simple_extent_dims(space, dims, NULL);
  int shape_ok = cols ? (rank == 2 && dims[0] == (hsize_t)rows && dims[1] == (hsize_t)cols)
                      : (rank == 1 && dims[0] == (hsize_t)rows);
  int type_ok = type >= 0 && H5Tget_class(type) == H5T_FLOAT;
  int rc = DG_OK;
  if (!shape_ok || !type_ok) {
    rc = dg_fail(NULL, 0, DG_ERR_FORMAT,
                 "checkpoint %s: %s has shape (%llu, %llu) of %s, expected (%d, %d) floats", file,
                 path, (unsigned long long)dims[0], (unsigned long long)(rank == 2 ? dims[1] : 0),
                 type_ok ? "floats" : "another type", rows, cols);
  } else if (H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0) {
    rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "checkpoint %s: reading %s failed (truncated file?)",
                 file, path);
  } else {
    size_t n = (size_t)rows * (cols ? cols : 1);
    for (size_t i = 0; i < n && !rc; i++) {
      double v = mem_type == H5T_NATIVE_FLOAT ? ((float*)out)[i] : ((double*)out)[i];
      if (!isfinite(v))
        rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "checkpoint %s: %s[%zu] is %g", file, path, i, v);
    }
  }
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(ds);
  return rc;
}

static int json_int(const cJSON* j, const char* key, int* out) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(j, key);
  if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble) return -1;
  *out = (int)v->valuedouble;
  return 0;
}

static double json_num(const cJSON* j, const char* key) {
  const cJSON* v = cJSON_GetObjectItemCaseSensitive(j, key);
  return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

// parse the config JSON into c and the sizes; 0 or -1 (with the offending key in bad)
static int parse_config(const char* text, dg_bc_config* c, int* obs_dim, int* act_dim,
                        char* env_name, size_t env_sz, dg_bc_report* rep, const char** bad) {
  cJSON* j = cJSON_Parse(text);
  int rc = -1;
  *bad = "JSON";
  if (!cJSON_IsObject(j)) goto done;
  const cJSON* cls = cJSON_GetObjectItemCaseSensitive(j, "policy_class");
  const cJSON* env = cJSON_GetObjectItemCaseSensitive(j, "env_name");
  const cJSON* act = cJSON_GetObjectItemCaseSensitive(j, "activation");
  const cJSON* smp = cJSON_GetObjectItemCaseSensitive(j, "sampling");
  const cJSON* ln = cJSON_GetObjectItemCaseSensitive(j, "layer_norm");
  if (!cJSON_IsString(cls) || !dg_bc_class_known(cls->valuestring)) {
    *bad = "policy_class";
    goto done;
  }
  dg_bc_config_default(c, cls->valuestring);
  *bad = "sizes or head settings";
  if (json_int(j, "obs_dim", obs_dim) || json_int(j, "act_dim", act_dim) ||
      json_int(j, "hidden", &c->hidden) || json_int(j, "layers", &c->layers) ||
      json_int(j, "components", &c->components) || json_int(j, "bins", &c->bins) ||
      json_int(j, "diffusion_steps", &c->diffusion_steps) ||
      json_int(j, "sample_steps", &c->sample_steps) || !cJSON_IsBool(ln))
    goto done;
  c->layer_norm = cJSON_IsTrue(ln);
  c->min_log_std = (float)json_num(j, "min_log_std");
  c->max_log_std = (float)json_num(j, "max_log_std");
  *bad = "activation";
  if (!cJSON_IsString(act) || (c->activation = dg_nn_act_parse(act->valuestring)) < 0) goto done;
  *bad = "sampling";
  c->sampling = -1;
  for (int i = 0; cJSON_IsString(smp) && i < DG_ARRAY_LEN(sampling_names); i++)
    if (strcmp(smp->valuestring, sampling_names[i]) == 0) c->sampling = i;
  if (c->sampling < 0) goto done;
  dg_strlcpy(env_name, cJSON_IsString(env) ? env->valuestring : "", env_sz);
  const cJSON* t = cJSON_GetObjectItemCaseSensitive(j, "training");
  memset(rep, 0, sizeof(*rep));
  rep->steps = (long)json_num(t, "steps");
  rep->final_train_loss = json_num(t, "final_train_loss");
  rep->final_valid_loss = json_num(t, "final_valid_loss");
  rep->best_valid_loss = json_num(t, "best_valid_loss");
  rep->best_step = (long)json_num(t, "best_step");
  rc = 0;
done:
  cJSON_Delete(j);
  return rc;
}

int dg_bc_load(const char* path, dg_bc_model** out) {
  if (!path || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_bc_load: NULL argument");
  *out = NULL;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  if (access(path, R_OK) != 0) return dg_fail(NULL, 0, DG_ERR_NOTFOUND, "no checkpoint %s", path);
  if (H5Fis_hdf5(path) <= 0)
    return dg_fail(NULL, 0, DG_ERR_FORMAT, "%s is not a checkpoint (not an HDF5 file)", path);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0)
    return dg_fail(NULL, 0, DG_ERR_FORMAT, "cannot open checkpoint %s (truncated or corrupt)",
                   path);
  int rc = DG_OK, version = 0;
  char* format = read_string(f, "format", 1);
  char* json = NULL;
  dg_bc_model* m = NULL;
  if (!format || strcmp(format, FORMAT_NAME) != 0) {
    rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "%s is not a demogym checkpoint (format '%s')", path,
                 format ? format : "missing");
    goto done;
  }
  if (read_int_attr(f, "format_version", &version) || version != DG_BC_CHECKPOINT_VERSION) {
    rc = dg_fail(NULL, 0, DG_ERR_FORMAT,
                 "checkpoint %s has format version %d; this demogym reads version %d", path,
                 version, DG_BC_CHECKPOINT_VERSION);
    goto done;
  }
  // the config: class, sizes and head settings, checked as a new model's would be
  json = read_string(f, "config", 0);
  dg_bc_config c;
  dg_bc_report rep;
  int obs_dim = 0, act_dim = 0;
  char env_name[64];
  const char* bad = "config";
  if (!json || parse_config(json, &c, &obs_dim, &act_dim, env_name, sizeof(env_name), &rep, &bad)) {
    rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "checkpoint %s: bad or missing %s in /config", path, bad);
    goto done;
  }
  char err[512];
  if (dg_bc_config_check(&c, obs_dim, act_dim, err, sizeof(err))) {
    rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "checkpoint %s: %s", path, err);
    goto done;
  }
  if ((rc = dg_bc_model_make(&c, obs_dim, act_dim, env_name, 1, &m))) goto done;
  m->report = rep;
  m->report.nparams = (long)m->net.nparams;
  // normalisation and weights, each with its shape checked and its values finite
  if ((rc = read_array(f, "normalization/obs_mean", H5T_NATIVE_DOUBLE, m->obs_mean, obs_dim, 0,
                       path)) ||
      (rc = read_array(f, "normalization/obs_std", H5T_NATIVE_DOUBLE, m->obs_std, obs_dim, 0,
                       path)) ||
      (rc = read_array(f, "normalization/act_shift", H5T_NATIVE_DOUBLE, m->act_shift, act_dim, 0,
                       path)) ||
      (rc = read_array(f, "normalization/act_scale", H5T_NATIVE_DOUBLE, m->act_scale, act_dim, 0,
                       path)))
    goto done;
  for (int i = 0; i < obs_dim + act_dim; i++) {
    double s = i < obs_dim ? m->obs_std[i] : m->act_scale[i - obs_dim];
    if (!(s > 0)) {
      rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "checkpoint %s: a normalisation scale is %g", path, s);
      goto done;
    }
  }
  char name[32], full[64];
  size_t off;
  int rows, cols;
  for (int i = 0; dg_mlp_tensor(&m->net, i, name, sizeof(name), &off, &rows, &cols) == 0; i++) {
    snprintf(full, sizeof(full), "weights/%s", name);
    if ((rc = read_array(f, full, H5T_NATIVE_FLOAT, m->net.params + off, rows, cols, path)))
      goto done;
  }
done:
  free(format);
  free(json);
  H5Fclose(f);
  if (rc) {
    dg_bc_model_close(&m);
    return rc;
  }
  *out = m;
  return DG_OK;
}
