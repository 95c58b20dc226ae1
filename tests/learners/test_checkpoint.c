// test_checkpoint.c: checkpoints round-trip every class exactly; training is deterministic (the
// same data, class and seed give the same file bit for bit); bad, truncated, corrupt and foreign
// files get a clear error and never a crash; warm starts keep the source model.
#include <hdf5.h>
#include <stdio.h>
#include <unistd.h>

#include "learners/bc_internal.h"
#include "synth.h"

static const char* classes[] = {"mse", "gaussian", "gmm", "ar", "diffusion"};
static char dir[256];

// a path in the test's directory (a ring of buffers: the last 16 stay valid)
static char* path_in(const char* name) {
  static char buf[16][512];
  static int k = 0;
  k = (k + 1) % 16;
  snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
  return buf[k];
}

static long file_bytes(const char* path, unsigned char** data) {
  FILE* f = fopen(path, "rb");
  CHECK_MSG(f, "cannot read %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *data = malloc((size_t)n);
  CHECK(fread(*data, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
  return n;
}

static void write_bytes(const char* path, const unsigned char* data, long n) {
  FILE* f = fopen(path, "wb");
  CHECK(f && fwrite(data, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
}

static int same_file(const char* a, const char* b) {
  unsigned char *x, *y;
  long n = file_bytes(a, &x), m = file_bytes(b, &y);
  int same = n == m && memcmp(x, y, (size_t)n) == 0;
  free(x), free(y);
  return same;
}

static dg_bc_model* train(const dg_samples* s, const char* cls, uint64_t seed, long steps) {
  dg_bc_train_options o;
  synth_options(&o, cls, steps);
  o.config.hidden = 32;
  o.config.layer_norm = strcmp(cls, "gmm") == 0;  // one class exercises the layer norm tensors
  o.seed = seed;
  dg_bc_model* m;
  CHECK_OK(dg_bc_train(s, NULL, &o, &m, NULL));
  return m;
}

// act n times with fresh policies of a and b (same seeds); return 1 if all actions agree
static int same_actions(const dg_bc_model* a, const dg_bc_model* b, const dg_samples* s) {
  for (int i = 0; i < 20; i++) {
    dg_bc_sampler sa, sb;
    CHECK_OK(dg_bc_sampler_init(&sa, a, DG_BC_SAMPLE_STEP));
    CHECK_OK(dg_bc_sampler_init(&sb, b, DG_BC_SAMPLE_STEP));
    dg_bc_sampler_reset(&sa, (uint64_t)i);
    dg_bc_sampler_reset(&sb, (uint64_t)i);
    dg_bc_model *ca, *cb;
    CHECK_OK(dg_bc_model_clone(a, 1, &ca));
    CHECK_OK(dg_bc_model_clone(b, 1, &cb));
    double x[2], y[2];
    float scratch[8];
    dg_bc_act(ca, &sa, s->obs + (size_t)i * s->obs_dim, scratch, x);
    dg_bc_act(cb, &sb, s->obs + (size_t)i * s->obs_dim, scratch, y);
    dg_bc_model_close(&ca), dg_bc_model_close(&cb);
    dg_bc_sampler_free(&sa), dg_bc_sampler_free(&sb);
    if (memcmp(x, y, sizeof(x)) != 0) return 0;
  }
  return 1;
}

static void test_round_trip(const dg_samples* s) {
  for (int c = 0; c < 5; c++) {
    dg_bc_model* m = train(s, classes[c], 5, 60);
    CHECK_OK(dg_bc_model_set_sampling(m, DG_BC_SAMPLE_EPISODE));
    char* p = path_in("rt.h5");
    CHECK_OK(dg_bc_save(m, p));
    dg_bc_model* l;
    CHECK_OK(dg_bc_load(p, &l));
    // everything that defines the model comes back exactly
    CHECK(memcmp(dg_bc_model_config(l), dg_bc_model_config(m), sizeof(dg_bc_config)) == 0);
    CHECK(strcmp(dg_bc_model_env(l), "Synth-v0") == 0);
    CHECK(l->net.nparams == m->net.nparams);
    CHECK(memcmp(l->net.params, m->net.params, sizeof(float) * m->net.nparams) == 0);
    CHECK(memcmp(l->stats, m->stats, sizeof(double) * 2 * (s->obs_dim + s->act_dim)) == 0);
    CHECK(dg_bc_model_report(l)->steps == 60);
    CHECK(dg_bc_model_report(l)->final_train_loss == dg_bc_model_report(m)->final_train_loss);
    CHECK(same_actions(m, l, s));
    // saving the loaded model gives the same bytes
    CHECK_OK(dg_bc_save(l, path_in("rt2.h5")));
    CHECK(same_file(p, path_in("rt2.h5")));
    // the loss agrees too (up to float rounding: the two models' batch sizes differ)
    double la, lb;
    CHECK_OK(dg_bc_model_loss(m, s, &la));
    CHECK_OK(dg_bc_model_loss(l, s, &lb));
    CHECK(isfinite(la));
    CHECK_NEAR(la, lb, 1e-5 * (1 + fabs(la)));
    dg_bc_model_close(&l);
    dg_bc_model_close(&m);
    dg_bc_model_close(&m);  // closing twice is harmless
  }
}

static void test_determinism(const dg_samples* s) {
  // the same data, class and seed: the same checkpoint, bit for bit; another seed: another one
  for (int c = 0; c < 5; c++) {
    dg_bc_model* a = train(s, classes[c], 11, 40);
    dg_bc_model* b = train(s, classes[c], 11, 40);
    dg_bc_model* d = train(s, classes[c], 12, 40);
    CHECK_OK(dg_bc_save(a, path_in("a.h5")));
    CHECK_OK(dg_bc_save(b, path_in("b.h5")));
    CHECK_OK(dg_bc_save(d, path_in("d.h5")));
    CHECK_MSG(same_file(path_in("a.h5"), path_in("b.h5")), "%s: same seed, other bytes",
              classes[c]);
    CHECK(!same_file(path_in("a.h5"), path_in("d.h5")));
    dg_bc_model_close(&a), dg_bc_model_close(&b), dg_bc_model_close(&d);
  }
}

// load must fail with code and a message containing what
static void expect_bad(const char* path, int code, const char* what) {
  dg_bc_model* m = (dg_bc_model*)1;
  int rc = dg_bc_load(path, &m);
  CHECK_MSG(rc == code, "%s: got %d (%s), expected %d", path, rc, dg_last_errmsg(), code);
  CHECK(m == NULL);
  CHECK_MSG(strstr(dg_last_errmsg(), what), "message '%s' lacks '%s'", dg_last_errmsg(), what);
}

// edit a good checkpoint with HDF5 directly
static void tamper(const char* src, const char* dst, int how) {
  unsigned char* data;
  long n = file_bytes(src, &data);
  write_bytes(dst, data, n);
  free(data);
  hid_t f = H5Fopen(dst, H5F_ACC_RDWR, H5P_DEFAULT);
  CHECK(f >= 0);
  if (how == 0) {  // a newer format version
    hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    int v = 99;
    CHECK(H5Awrite(a, H5T_NATIVE_INT, &v) >= 0);
    H5Aclose(a);
  } else if (how == 1) {  // a weight replaced by one of another shape
    CHECK(H5Ldelete(f, "weights/fc1.weight", H5P_DEFAULT) >= 0);
    hsize_t dims[2] = {3, 3};
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(f, "weights/fc1.weight", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);
    float z[9] = {0};
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, z);
    H5Dclose(ds), H5Sclose(sp);
  } else if (how == 2) {  // a NaN among the weights
    hid_t ds = H5Dopen2(f, "weights/out.bias", H5P_DEFAULT);
    float v[256] = {NAN};  // out.bias has K (1 + 2 A) = 25 values
    CHECK(H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Dclose(ds);
  } else if (how == 3) {  // a weight missing
    CHECK(H5Ldelete(f, "weights/out.weight", H5P_DEFAULT) >= 0);
  } else if (how == 4) {  // a config that is not JSON
    CHECK(H5Ldelete(f, "config", H5P_DEFAULT) >= 0);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 9);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t ds = H5Dcreate2(f, "config", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, "{not json");
    H5Dclose(ds), H5Sclose(sp), H5Tclose(t);
  }
  H5Fclose(f);
}

static void test_bad_files(const dg_samples* s) {
  dg_bc_model* m = train(s, "gmm", 3, 10);
  char* good = path_in("good.h5");
  CHECK_OK(dg_bc_save(m, good));
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

  expect_bad(path_in("missing.h5"), DG_ERR_NOTFOUND, "no checkpoint");
  char* text = path_in("text.h5");
  write_bytes(text, (const unsigned char*)"hello, not hdf5\n", 16);
  expect_bad(text, DG_ERR_FORMAT, "not an HDF5 file");
  write_bytes(text, (const unsigned char*)"", 0);
  expect_bad(text, DG_ERR_FORMAT, "not an HDF5 file");
  // a foreign HDF5 file (e.g. a dataset) is not a checkpoint
  char* foreign = path_in("foreign.h5");
  hid_t f = H5Fcreate(foreign, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Fclose(f);
  expect_bad(foreign, DG_ERR_FORMAT, "not a demogym checkpoint");
  // edits
  char* t = path_in("tampered.h5");
  tamper(good, t, 0);
  expect_bad(t, DG_ERR_FORMAT, "format version 99");
  tamper(good, t, 1);
  expect_bad(t, DG_ERR_FORMAT, "fc1.weight has shape (3, 3)");
  tamper(good, t, 2);
  expect_bad(t, DG_ERR_FORMAT, "out.bias[0] is nan");
  tamper(good, t, 3);
  expect_bad(t, DG_ERR_FORMAT, "lacks weights/out.weight");
  tamper(good, t, 4);
  expect_bad(t, DG_ERR_FORMAT, "bad or missing JSON");

  // truncated at many lengths, and corrupted at many places: an error or a model, never a crash
  unsigned char* data;
  long n = file_bytes(good, &data);
  int fails = 0, loads = 0;
  for (long cut = 0; cut < n; cut += n / 40 + 1) {
    write_bytes(t, data, cut);
    dg_bc_model* l = NULL;
    int rc = dg_bc_load(t, &l);
    CHECK_MSG(rc == DG_ERR_FORMAT, "truncated at %ld of %ld: status %d", cut, n, rc);
    CHECK(strlen(dg_last_errmsg()) > 0);
    fails++;
  }
  for (long at = 0; at < n; at += n / 60 + 1) {
    unsigned char* bad = malloc((size_t)n);
    memcpy(bad, data, (size_t)n);
    for (long k = at; k < at + 8 && k < n; k++) bad[k] ^= 0x5a;
    write_bytes(t, bad, n);
    free(bad);
    dg_bc_model* l = NULL;
    int rc = dg_bc_load(t, &l);
    CHECK_MSG(rc == DG_OK || rc == DG_ERR_FORMAT, "corrupt at %ld: status %d", at, rc);
    if (rc == DG_OK) {
      // the bytes hit weight values: still finite, still the model's shape
      CHECK(l->net.nparams == m->net.nparams);
      loads++;
    } else {
      fails++;
    }
    dg_bc_model_close(&l);
  }
  printf("  bad files: %d refused with a message, %d corrupt ones loaded (finite weights)\n",
         fails, loads);
  free(data);
  dg_bc_model_close(&m);
}

static void test_warm_start_and_env(const dg_samples* s) {
  dg_bc_model* m = train(s, "mse", 3, 100);
  // a warm start with a negligible learning rate keeps the model and its normalisation
  dg_bc_train_options o;
  synth_options(&o, "ar", 1);  // the class comes from init, not from the options
  o.init = m;
  o.lr = 1e-12;
  o.min_lr = 0;
  dg_samples other;
  synth_bimodal(&other, 500, 77);
  dg_bc_model* w;
  CHECK_OK(dg_bc_train(&other, NULL, &o, &w, NULL));
  CHECK(strcmp(dg_bc_model_config(w)->policy_class, "mse") == 0);
  CHECK(memcmp(w->stats, m->stats, sizeof(double) * 2 * (s->obs_dim + s->act_dim)) == 0);
  for (size_t i = 0; i < m->net.nparams; i++) CHECK_NEAR(w->net.params[i], m->net.params[i], 1e-6);
  // warm-started training from a checkpoint continues to lower the loss
  double before, after;
  CHECK_OK(dg_bc_model_loss(m, s, &before));
  o.lr = 1e-3;
  o.steps = 200;
  dg_bc_model_close(&w);
  CHECK_OK(dg_bc_train(s, NULL, &o, &w, NULL));
  CHECK_OK(dg_bc_model_loss(w, s, &after));
  CHECK_MSG(after < before, "warm start: loss %g -> %g", before, after);
  dg_bc_model_close(&w);
  // samples of another shape or another env are refused
  dg_samples uni;
  synth_unimodal(&uni, 100, 1);
  CHECK(dg_bc_train(&uni, NULL, &o, &w, NULL) == DG_ERR_INVALID && w == NULL);
  CHECK(strstr(dg_last_errmsg(), "obs_dim 3"));
  snprintf(other.env_name, sizeof(other.env_name), "Reach-v0");
  CHECK(dg_bc_train(&other, NULL, &o, &w, NULL) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "Reach-v0"));
  // a policy for another env is refused
  dg_policy* p = NULL;
  CHECK(dg_bc_policy_make(m, "Reach-v0", NULL, &p) == DG_ERR_INVALID && p == NULL);
  CHECK(strstr(dg_last_errmsg(), "Synth-v0"));
  CHECK_OK(dg_bc_policy_make(m, "Synth-v0", "mine", &p));
  CHECK(strcmp(dg_policy_kind(p), "mse") == 0 && strcmp(dg_policy_name(p), "mine") == 0);
  dg_policy_close(&p);
  // bad options and samples
  dg_bc_train_options bad;
  synth_options(&bad, "nosuch", 10);
  CHECK(dg_bc_train(s, NULL, &bad, &w, NULL) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "unknown policy class"));
  synth_options(&bad, "mse", 0);
  CHECK(dg_bc_train(s, NULL, &bad, &w, NULL) == DG_ERR_INVALID);
  synth_options(&bad, "mse", 10);
  other.labels[7] = NAN;
  CHECK(dg_bc_train(&other, NULL, &bad, &w, NULL) == DG_ERR_INVALID);
  CHECK(strstr(dg_last_errmsg(), "action 3"));
  synth_free(&uni);
  synth_free(&other);
  dg_bc_model_close(&m);
}

int main(void) {
  snprintf(dir, sizeof(dir), "/tmp/dg_test_ckpt_XXXXXX");
  CHECK(mkdtemp(dir));
  dg_samples s;
  synth_bimodal(&s, 600, 4);
  test_round_trip(&s);
  test_determinism(&s);
  test_bad_files(&s);
  test_warm_start_and_env(&s);
  synth_free(&s);
  const char* names[] = {"rt.h5", "rt2.h5", "a.h5", "b.h5", "d.h5", "good.h5", "text.h5",
                         "foreign.h5", "tampered.h5"};
  for (int i = 0; i < 9; i++) unlink(path_in(names[i]));
  rmdir(dir);
  printf("test_checkpoint: ok\n");
  return 0;
}
