// h5util.c: HDF5 helpers shared by the recorder's files: quiet error handling with messages,
// typed attributes, and whole-array datasets with the recorder's chunking and filters.
#include "h5util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demogym/common.h"
#include "internal.h"

int dg_h5_quiet(void) {
  if (H5open() < 0) return -1;
  // in HDF5's thread-safe build the automatic error printing is set per thread
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  return 0;
}

// the innermost (first) error of the stack: the description of the failing call
typedef struct walk_state {
  char text[256];
  int found;
} walk_state;

static herr_t walk_first(unsigned n, const H5E_error2_t* err, void* data) {
  walk_state* w = data;
  if (w->found || !err->desc || !err->desc[0]) return 0;
  snprintf(w->text, sizeof(w->text), "%s", err->desc);
  w->found = 1;
  return 0;
}

int dg_h5_fail(char* buf, size_t bufsz, int code, const char* fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  walk_state w = {{0}, 0};
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_first, &w);
  H5Eclear2(H5E_DEFAULT);
  if (w.found && len >= 0 && (size_t)len < sizeof(msg))
    snprintf(msg + len, sizeof(msg) - (size_t)len, " (HDF5: %s)", w.text);
  return dg_fail_msg(buf, bufsz, code, msg);
}

int dg_h5_probe(const char* path, char* why, size_t whysz) {
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(why, whysz, "%s: %s", path, strerror(errno));
    return -1;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(why, whysz, "%s is not a regular file", path);
    return 0;
  }
  FILE* f = fopen(path, "rb");
  if (!f) {
    snprintf(why, whysz, "%s: %s", path, strerror(errno));
    return -1;
  }
  fclose(f);
  htri_t ok = H5Fis_hdf5(path);
  H5Eclear2(H5E_DEFAULT);
  if (ok <= 0) {
    snprintf(why, whysz, "%s is not an HDF5 file (%lld bytes, no HDF5 signature)", path,
             (long long)st.st_size);
    return 0;
  }
  return 1;
}

hid_t dg_h5_fapl(void) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0) return fapl;
  // superblock versions 0-2 carry no "open for writing" flags, so a file whose writer was
  // killed opens without h5clear; the 1.8 object formats are all we need
  H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18);
  H5Pset_file_locking(fapl, 0, 1);
  return fapl;
}

hid_t dg_h5_fcpl(void) {
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
  if (fcpl < 0) return fcpl;
  // measured on Reach-v0 (20 demos): HDF5's defaults (32, 16, 4) give 955 kB, these 252 kB
  H5Pset_istore_k(fcpl, 1);
  H5Pset_sym_k(fcpl, 1, 4);
  return fcpl;
}

hid_t dg_h5_gcpl(void) {
  hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  if (gcpl >= 0) H5Pset_obj_track_times(gcpl, 0);
  return gcpl;
}

hid_t dg_h5_group_create(hid_t loc, const char* name) {
  hid_t gcpl = dg_h5_gcpl();
  if (gcpl < 0) return gcpl;
  hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
  H5Pclose(gcpl);
  return g;
}

int dg_h5_exists(hid_t loc, const char* name) {
  // check each component of a path, as H5Lexists wants
  char path[512];
  dg_strlcpy(path, name, sizeof(path));
  for (char* p = path; *p; p++) {
    if (*p != '/' || p == path) continue;
    *p = 0;
    htri_t e = H5Lexists(loc, path, H5P_DEFAULT);
    *p = '/';
    if (e <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return 0;
    }
  }
  htri_t e = H5Lexists(loc, path, H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return e > 0;
}

static int write_scalar_attr(hid_t obj, const char* name, hid_t file_type, hid_t mem_type,
                             const void* value) {
  // an existing attribute of the same type is overwritten in place
  if (H5Aexists(obj, name) > 0) {
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    int same = t >= 0 && H5Tequal(t, file_type) > 0;
    int rc = same && H5Awrite(a, mem_type, value) >= 0 ? 0 : -1;
    if (t >= 0) H5Tclose(t);
    if (a >= 0) H5Aclose(a);
    if (same) return rc;
    if (H5Adelete(obj, name) < 0) return -1;
  }
  hid_t space = H5Screate(H5S_SCALAR);
  if (space < 0) return -1;
  hid_t a = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
  int rc = -1;
  if (a >= 0) {
    rc = H5Awrite(a, mem_type, value) < 0 ? -1 : 0;
    H5Aclose(a);
  }
  H5Sclose(space);
  return rc;
}

int dg_h5_attr_int(hid_t obj, const char* name, int64_t value) {
  return write_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int dg_h5_attr_uint(hid_t obj, const char* name, uint64_t value) {
  return write_scalar_attr(obj, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value);
}

int dg_h5_attr_string(hid_t obj, const char* name, const char* value) {
  hid_t t = H5Tcopy(H5T_C_S1);
  if (t < 0) return -1;
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  int rc = write_scalar_attr(obj, name, t, t, &value);
  H5Tclose(t);
  return rc;
}

static int read_scalar_attr(hid_t obj, const char* name, H5T_class_t want, hid_t mem_type,
                            void* value) {
  if (H5Aexists(obj, name) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return -1;
  }
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0) return -1;
  int rc = -1;
  hid_t t = H5Aget_type(a);
  hid_t s = H5Aget_space(a);
  if (t >= 0 && s >= 0 && H5Tget_class(t) == want && H5Sget_simple_extent_npoints(s) == 1)
    rc = H5Aread(a, mem_type, value) < 0 ? -1 : 0;
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  H5Aclose(a);
  return rc;
}

int dg_h5_read_attr_int(hid_t obj, const char* name, int64_t* value) {
  return read_scalar_attr(obj, name, H5T_INTEGER, H5T_NATIVE_INT64, value);
}

int dg_h5_read_attr_uint(hid_t obj, const char* name, uint64_t* value) {
  return read_scalar_attr(obj, name, H5T_INTEGER, H5T_NATIVE_UINT64, value);
}

char* dg_h5_read_attr_string(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return NULL;
  }
  hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
  if (a < 0) return NULL;
  char* out = NULL;
  hid_t t = H5Aget_type(a);
  hid_t s = H5Aget_space(a);
  if (t >= 0 && s >= 0 && H5Tget_class(t) == H5T_STRING &&
      H5Sget_simple_extent_npoints(s) == 1) {
    if (H5Tis_variable_str(t) > 0) {
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      H5Tset_cset(mt, H5Tget_cset(t));
      char* text = NULL;
      if (H5Aread(a, mt, &text) >= 0 && text) {
        out = strdup(text);
        H5free_memory(text);
      }
      H5Tclose(mt);
    } else {
      size_t n = H5Tget_size(t);
      char* text = calloc(n + 1, 1);
      if (text && H5Aread(a, t, text) >= 0) {
        out = text;
      } else {
        free(text);
      }
    }
  }
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  H5Aclose(a);
  return out;
}

int dg_h5_write_array(hid_t loc, const char* name, hid_t mem_type, const void* data, int rows,
                      int cols, int level) {
  int rank = cols > 0 ? 2 : 1;
  hsize_t dims[2] = {(hsize_t)rows, (hsize_t)(cols > 0 ? cols : 1)};
  hid_t file_type = H5Tequal(mem_type, H5T_NATIVE_DOUBLE) > 0 ? H5T_IEEE_F64LE : H5T_STD_I64LE;
  hid_t space = H5Screate_simple(rank, dims, NULL);
  if (space < 0) return -1;
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  int rc = -1;
  if (dcpl < 0) goto done;
  H5Pset_obj_track_times(dcpl, 0);
  if (rows > 0) {
    // whole rows per chunk, so a demo reads in one or a few chunks; at most about 1 MiB each
    size_t row_bytes = 8 * (size_t)dims[1];
    hsize_t chunk_rows = (hsize_t)((1u << 20) / row_bytes);
    if (chunk_rows < 1) chunk_rows = 1;
    if (chunk_rows > dims[0]) chunk_rows = dims[0];
    hsize_t chunk[2] = {chunk_rows, dims[1]};
    if (H5Pset_chunk(dcpl, rank, chunk) < 0) goto done;
    // filters on datasets of at least 4 kB: on smaller ones they save a few hundred bytes and
    // cost about 60 us each (zlib's set-up), the most of a short demo's write time
    if (level > 0 && row_bytes * dims[0] >= 4096 && (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, (unsigned)level) < 0))
      goto done;
  }
  hid_t d = H5Dcreate2(loc, name, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (d < 0) goto done;
  rc = (rows == 0 || H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0) ? 0 : -1;
  if (H5Dclose(d) < 0) rc = -1;
done:
  if (dcpl >= 0) H5Pclose(dcpl);
  H5Sclose(space);
  return rc;
}

int dg_h5_shape(hid_t loc, const char* name, int* rank, hsize_t dims[2]) {
  if (!dg_h5_exists(loc, name)) return -1;
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t s = H5Dget_space(d);
  int rc = -1;
  if (s >= 0) {
    int r = H5Sget_simple_extent_ndims(s);
    hsize_t dd[H5S_MAX_RANK];
    if (r == 1 || r == 2) {
      H5Sget_simple_extent_dims(s, dd, NULL);
      *rank = r;
      dims[0] = dd[0];
      dims[1] = r == 2 ? dd[1] : 0;
      rc = 0;
    }
    H5Sclose(s);
  }
  H5Dclose(d);
  return rc;
}

int dg_h5_read_array(hid_t loc, const char* name, hid_t mem_type, void* data, size_t count) {
  if (!dg_h5_exists(loc, name)) return -1;
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) return -1;
  int rc = -1;
  hid_t s = H5Dget_space(d);
  hid_t t = H5Dget_type(d);
  if (s >= 0 && t >= 0) {
    H5T_class_t c = H5Tget_class(t);
    hssize_t n = H5Sget_simple_extent_npoints(s);
    if ((c == H5T_FLOAT || c == H5T_INTEGER) && n >= 0 && (size_t)n == count)
      rc = (count == 0 || H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0) ? 0
                                                                                        : -1;
  }
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  H5Dclose(d);
  return rc;
}

void dg_h5_free_strings(char** strings, int n) {
  if (!strings) return;
  for (int i = 0; i < n; i++) free(strings[i]);
  free(strings);
}

int dg_h5_read_strings(hid_t loc, const char* name, char*** out, int* n) {
  *out = NULL;
  *n = 0;
  if (!dg_h5_exists(loc, name)) return -1;
  hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
  if (d < 0) return -1;
  int rc = -1;
  hid_t t = H5Dget_type(d);
  hid_t s = H5Dget_space(d);
  hssize_t count = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
  char** list = NULL;
  if (t < 0 || s < 0 || H5Tget_class(t) != H5T_STRING || count < 0 ||
      H5Sget_simple_extent_ndims(s) > 1)
    goto done;
  list = calloc((size_t)count + 1, sizeof(char*));
  if (!list) goto done;
  if (H5Tis_variable_str(t) > 0) {
    char** raw = calloc((size_t)count + 1, sizeof(char*));
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    if (raw && (count == 0 || H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0)) {
      rc = 0;
      for (hssize_t i = 0; i < count; i++) {
        list[i] = strdup(raw[i] ? raw[i] : "");
        if (!list[i]) rc = -1;
      }
      if (count > 0) H5Dvlen_reclaim(mt, s, H5P_DEFAULT, raw);
    }
    H5Tclose(mt);
    free(raw);
  } else {
    size_t width = H5Tget_size(t);
    char* raw = calloc((size_t)count * width + 1, 1);
    if (raw && (count == 0 || H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0)) {
      rc = 0;
      for (hssize_t i = 0; i < count; i++) {
        list[i] = calloc(width + 1, 1);
        if (!list[i]) {
          rc = -1;
          continue;
        }
        memcpy(list[i], raw + (size_t)i * width, width);
      }
    }
    free(raw);
  }
done:
  if (rc == 0) {
    *out = list;
    *n = (int)count;
  } else {
    dg_h5_free_strings(list, (int)(count > 0 ? count : 0));
  }
  if (t >= 0) H5Tclose(t);
  if (s >= 0) H5Sclose(s);
  H5Dclose(d);
  return rc;
}

int dg_h5_write_strings(hid_t loc, const char* name, const char* const* strings, int n) {
  size_t width = 1;
  for (int i = 0; i < n; i++)
    if (strlen(strings[i]) > width) width = strlen(strings[i]);
  char* raw = calloc((size_t)(n > 0 ? n : 1) * width, 1);
  if (!raw) return -1;
  for (int i = 0; i < n; i++) memcpy(raw + (size_t)i * width, strings[i], strlen(strings[i]));
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, width);
  H5Tset_strpad(t, H5T_STR_NULLPAD);
  H5Tset_cset(t, H5T_CSET_ASCII);
  hsize_t dims[1] = {(hsize_t)n};
  hid_t s = H5Screate_simple(1, dims, NULL);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(dcpl, 0);
  int rc = -1;
  hid_t d = H5Dcreate2(loc, name, t, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  if (d >= 0) {
    rc = (n == 0 || H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0) ? 0 : -1;
    if (H5Dclose(d) < 0) rc = -1;
  }
  H5Pclose(dcpl);
  H5Sclose(s);
  H5Tclose(t);
  free(raw);
  return rc;
}
