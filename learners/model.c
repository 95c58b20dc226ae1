// model.c: the model handle: configuration, creation and copies, normalisation, losses, threads.
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bc_internal.h"
#include "envs/internal.h"

static const dg_bc_head* const heads[] = {&dg_bc_head_mse, &dg_bc_head_gaussian, &dg_bc_head_gmm,
                                         &dg_bc_head_ar, &dg_bc_head_diffusion};

const dg_bc_head* dg_bc_head_find(const char* name) {
  for (int i = 0; i < DG_ARRAY_LEN(heads); i++)
    if (name && strcmp(heads[i]->name, name) == 0) return heads[i];
  return NULL;
}

int dg_bc_class_known(const char* cls) { return dg_bc_head_find(cls) != NULL; }

void dg_bc_config_default(dg_bc_config* c, const char* cls) {
  memset(c, 0, sizeof(*c));
  dg_strlcpy(c->policy_class, cls ? cls : "mse", sizeof(c->policy_class));
  c->hidden = 256;
  c->layers = 3;
  c->activation = DG_NN_RELU;
  c->layer_norm = 0;
  c->components = 5;
  c->bins = 64;
  c->diffusion_steps = 100;
  c->sample_steps = 20;
  c->sampling = DG_BC_SAMPLE_DEFAULT;
  c->min_log_std = -5.0f;
  c->max_log_std = 1.0f;
}

int dg_bc_config_check(const dg_bc_config* c, int obs_dim, int act_dim, char* err, size_t errsz) {
  const dg_bc_head* h = dg_bc_head_find(c->policy_class);
  if (!h)
    return dg_fail(err, errsz, DG_ERR_INVALID,
                   "unknown policy class '%.16s' (use mse, gaussian, gmm, ar or diffusion)",
                   c->policy_class);
  if (obs_dim < 1 || act_dim < 1 || act_dim > DG_MAX_ACT_DIM)
    return dg_fail(err, errsz, DG_ERR_INVALID, "bad sizes: obs_dim %d, act_dim %d (1..%d)",
                   obs_dim, act_dim, DG_MAX_ACT_DIM);
  if (c->hidden < 1 || c->hidden > 8192 || c->layers < 1 || c->layers > DG_MLP_MAX_LAYERS)
    return dg_fail(err, errsz, DG_ERR_INVALID, "bad network: hidden %d (1..8192), layers %d (1..%d)",
                   c->hidden, c->layers, DG_MLP_MAX_LAYERS);
  if (!dg_nn_act_name(c->activation))
    return dg_fail(err, errsz, DG_ERR_INVALID, "unknown activation %d", c->activation);
  if (c->components < 1 || c->components > DG_BC_MAX_K)
    return dg_fail(err, errsz, DG_ERR_INVALID, "gmm components %d not in 1..%d", c->components,
                   DG_BC_MAX_K);
  if (c->bins < 2 || c->bins > DG_BC_MAX_BINS)
    return dg_fail(err, errsz, DG_ERR_INVALID, "ar bins %d not in 2..%d", c->bins,
                   DG_BC_MAX_BINS);
  if (c->diffusion_steps < 2 || c->diffusion_steps > DG_BC_MAX_T || c->sample_steps < 1 ||
      c->sample_steps > c->diffusion_steps)
    return dg_fail(err, errsz, DG_ERR_INVALID,
                   "diffusion steps %d (2..%d) and sample steps %d (1..diffusion steps)",
                   c->diffusion_steps, DG_BC_MAX_T, c->sample_steps);
  if (c->sampling < DG_BC_SAMPLE_DEFAULT || c->sampling > DG_BC_SAMPLE_EPISODE)
    return dg_fail(err, errsz, DG_ERR_INVALID, "unknown sampling %d", c->sampling);
  if (!(c->min_log_std < c->max_log_std) || !isfinite(c->min_log_std) ||
      !isfinite(c->max_log_std))
    return dg_fail(err, errsz, DG_ERR_INVALID, "bad log-std bounds [%g, %g]", c->min_log_std,
                   c->max_log_std);
  return DG_OK;
}

int dg_bc_model_rows(const dg_bc_model* m) {
  int in, out, rows;
  m->head->shape(&m->cfg, m->obs_dim, m->act_dim, &in, &out, &rows);
  return rows;
}

// the cosine noise schedule (Nichol & Dhariwal): alpha_bar(t) = f(t + 1) / f(0), with each beta
// capped at 0.999
static void cosine_schedule(double* alpha_bar, int T) {
  const double s = 0.008, half_pi = 1.5707963267948966;
  double prod = 1.0;
  for (int t = 0; t < T; t++) {
    double f0 = cos(((double)t / T + s) / (1 + s) * half_pi);
    double f1 = cos(((double)(t + 1) / T + s) / (1 + s) * half_pi);
    double beta = 1.0 - (f1 * f1) / (f0 * f0);
    if (beta > 0.999) beta = 0.999;
    prod *= 1.0 - beta;
    alpha_bar[t] = prod;
  }
}

int dg_bc_model_make(const dg_bc_config* c, int obs_dim, int act_dim, const char* env_name,
                     int max_batch, dg_bc_model** out) {
  *out = NULL;
  int rc = dg_bc_config_check(c, obs_dim, act_dim, NULL, 0);
  if (rc) return rc;
  dg_bc_model* m = calloc(1, sizeof(dg_bc_model));
  if (!m) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a model");
  m->cfg = *c;
  m->head = dg_bc_head_find(c->policy_class);
  m->obs_dim = obs_dim;
  m->act_dim = act_dim;
  dg_strlcpy(m->env_name, env_name ? env_name : "", sizeof(m->env_name));
  // statistics: identity until fitted
  int T = strcmp(c->policy_class, "diffusion") == 0 ? c->diffusion_steps : 0;
  m->stats = calloc(2 * (size_t)obs_dim + 2 * (size_t)act_dim + T, sizeof(double));
  int in, nout, rows;
  m->head->shape(c, obs_dim, act_dim, &in, &nout, &rows);
  dg_mlp_config nc = {in, c->hidden, c->layers, nout, c->activation, c->layer_norm};
  if (!m->stats || dg_mlp_init(&m->net, &nc, max_batch * rows)) {
    dg_bc_model_close(&m);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a model");
  }
  m->obs_mean = m->stats;
  m->obs_std = m->obs_mean + obs_dim;
  m->act_shift = m->obs_std + obs_dim;
  m->act_scale = m->act_shift + act_dim;
  for (int i = 0; i < obs_dim; i++) m->obs_std[i] = 1.0;
  for (int i = 0; i < act_dim; i++) m->act_scale[i] = 1.0;
  if (T) {
    m->alpha_bar = m->act_scale + act_dim;
    cosine_schedule(m->alpha_bar, T);
  }
  m->report.nparams = (long)m->net.nparams;
  m->report.final_valid_loss = m->report.best_valid_loss = NAN;
  *out = m;
  return DG_OK;
}

int dg_bc_model_clone(const dg_bc_model* src, int max_batch, dg_bc_model** out) {
  int rc = dg_bc_model_make(&src->cfg, src->obs_dim, src->act_dim, src->env_name, max_batch, out);
  if (rc) return rc;
  dg_bc_model* m = *out;
  memcpy(m->stats, src->stats, sizeof(double) * (2 * src->obs_dim + 2 * src->act_dim));
  memcpy(m->net.params, src->net.params, sizeof(float) * src->net.nparams);
  m->report = src->report;
  return DG_OK;
}

void dg_bc_model_close(dg_bc_model** model) {
  if (!model || !*model) return;
  dg_bc_model* m = *model;
  *model = NULL;
  dg_mlp_free(&m->net);
  free(m->stats);
  free(m);
}

const dg_bc_config* dg_bc_model_config(const dg_bc_model* m) { return &m->cfg; }
const char* dg_bc_model_env(const dg_bc_model* m) { return m->env_name; }
int dg_bc_model_obs_dim(const dg_bc_model* m) { return m->obs_dim; }
int dg_bc_model_act_dim(const dg_bc_model* m) { return m->act_dim; }
const dg_bc_report* dg_bc_model_report(const dg_bc_model* m) { return &m->report; }

int dg_bc_model_set_sampling(dg_bc_model* m, int sampling) {
  if (!m || sampling < DG_BC_SAMPLE_DEFAULT || sampling > DG_BC_SAMPLE_EPISODE)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_bc_model_set_sampling: bad model or sampling %d",
                   sampling);
  m->cfg.sampling = sampling;
  return DG_OK;
}

// --- normalisation -----------------------------------------------------------------------------

void dg_bc_model_fit_stats(dg_bc_model* m, const dg_samples* s) {
  int O = m->obs_dim, A = m->act_dim, n = s->n;
  // observations: mean and standard deviation per component (two passes, in double)
  for (int j = 0; j < O; j++) {
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < n; i++) sum += s->obs[(size_t)i * O + j];
    double mean = sum / n;
    for (int i = 0; i < n; i++) {
      double d = s->obs[(size_t)i * O + j] - mean;
      sq += d * d;
    }
    double sd = sqrt(sq / n);
    m->obs_mean[j] = mean;
    m->obs_std[j] = sd < DG_BC_STD_FLOOR ? DG_BC_STD_FLOOR : sd;
  }
  // actions (the expert's labels): as the class wants them
  for (int j = 0; j < A; j++) {
    double shift = 0.0, scale = 1.0;
    if (m->head->act_norm == DG_BC_NORM_ZSCORE) {
      double sum = 0.0, sq = 0.0;
      for (int i = 0; i < n; i++) sum += s->labels[(size_t)i * A + j];
      shift = sum / n;
      for (int i = 0; i < n; i++) {
        double d = s->labels[(size_t)i * A + j] - shift;
        sq += d * d;
      }
      scale = sqrt(sq / n);
    } else if (m->head->act_norm == DG_BC_NORM_MINMAX) {
      double lo = s->labels[j], hi = s->labels[j];
      for (int i = 1; i < n; i++) {
        double v = s->labels[(size_t)i * A + j];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
      shift = 0.5 * (lo + hi);
      scale = 0.5 * (hi - lo);
    }
    m->act_shift[j] = shift;
    m->act_scale[j] = scale < DG_BC_STD_FLOOR ? DG_BC_STD_FLOOR : scale;
  }
}

void dg_bc_normalize_obs(const dg_bc_model* m, const double* obs, float* out) {
  for (int j = 0; j < m->obs_dim; j++) {
    double v = (obs[j] - m->obs_mean[j]) / m->obs_std[j];
    out[j] = (float)(v > DG_BC_OBS_CLIP ? DG_BC_OBS_CLIP : (v < -DG_BC_OBS_CLIP ? -DG_BC_OBS_CLIP : v));
  }
}

void dg_bc_normalize(const dg_bc_model* m, const dg_samples* s, float* obs, float* act) {
  int O = m->obs_dim, A = m->act_dim;
  for (int i = 0; i < s->n; i++) {
    dg_bc_normalize_obs(m, s->obs + (size_t)i * O, obs + (size_t)i * O);
    for (int j = 0; j < A; j++)
      act[(size_t)i * A + j] =
          (float)((s->labels[(size_t)i * A + j] - m->act_shift[j]) / m->act_scale[j]);
  }
}

// --- losses over a set of samples --------------------------------------------------------------

#define LOSS_NOISE_SEED 0x76616c6964ULL  // fixed noise for comparable validation losses

double dg_bc_loss_over(dg_bc_model* m, const float* obs, const float* act, int n, float* target,
                       int* labels) {
  int rows = dg_bc_model_rows(m), chunk = m->net.max_batch / rows;
  dg_rng rng;
  dg_rng_seed(&rng, LOSS_NOISE_SEED);
  double sum = 0.0;
  for (int i = 0; i < n; i += chunk) {
    int B = n - i < chunk ? n - i : chunk;
    dg_bc_batch b = {B, obs + (size_t)i * m->obs_dim, act + (size_t)i * m->act_dim, target,
                     labels};
    m->head->make_batch(m, &b, &rng);
    dg_mlp_forward(&m->net, B * rows);
    sum += m->head->loss(m, &b, 0) * B;
  }
  return n > 0 ? sum / n : NAN;
}

// check that samples fit the model and hold finite values
static int check_samples(const dg_bc_model* m, const dg_samples* s, const char* what) {
  if (!s || s->n < 1 || !s->obs || !s->labels)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "%s samples are empty", what);
  if (s->obs_dim != m->obs_dim || s->act_dim != m->act_dim)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "%s samples have obs_dim %d, act_dim %d; the model reads %d and writes %d",
                   what, s->obs_dim, s->act_dim, m->obs_dim, m->act_dim);
  for (size_t i = 0; i < (size_t)s->n * s->obs_dim; i++)
    if (!isfinite(s->obs[i]))
      return dg_fail(NULL, 0, DG_ERR_INVALID, "%s samples: observation %zu holds %g", what,
                     i / s->obs_dim, s->obs[i]);
  for (size_t i = 0; i < (size_t)s->n * s->act_dim; i++)
    if (!isfinite(s->labels[i]))
      return dg_fail(NULL, 0, DG_ERR_INVALID, "%s samples: action %zu holds %g", what,
                     i / s->act_dim, s->labels[i]);
  return DG_OK;
}

int dg_bc_check_samples(const dg_bc_model* m, const dg_samples* s, const char* what) {
  return check_samples(m, s, what);
}

int dg_bc_model_loss(dg_bc_model* m, const dg_samples* s, double* loss) {
  if (!m || !loss) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_bc_model_loss: NULL argument");
  int rc = check_samples(m, s, "the");
  if (rc) return rc;
  int O = m->obs_dim, A = m->act_dim, chunk = m->net.max_batch / dg_bc_model_rows(m);
  float* obs = malloc(sizeof(float) * ((size_t)s->n * (O + A) + (size_t)chunk * A));
  int* labels = malloc(sizeof(int) * (size_t)chunk * A);
  if (!obs || !labels) {
    free(obs);
    free(labels);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory evaluating a loss");
  }
  float* act = obs + (size_t)s->n * O;
  float* target = act + (size_t)s->n * A;
  dg_bc_normalize(m, s, obs, act);
  *loss = dg_bc_loss_over(m, obs, act, s->n, target, labels);
  free(obs);
  free(labels);
  return DG_OK;
}

// --- sampling -----------------------------------------------------------------------------------

int dg_bc_sampler_init(dg_bc_sampler* s, const dg_bc_model* m, int sampling) {
  memset(s, 0, sizeof(*s));
  s->sampling = sampling == DG_BC_SAMPLE_DEFAULT ? m->head->default_sampling : sampling;
  s->n = m->head->noise_size(&m->cfg, m->act_dim);
  s->u = calloc(2 * (size_t)s->n + 1, sizeof(float));
  if (!s->u) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a sampler");
  s->z = s->u + s->n;
  dg_bc_sampler_reset(s, 0);
  return DG_OK;
}

void dg_bc_sampler_free(dg_bc_sampler* s) {
  if (!s) return;
  free(s->u);
  memset(s, 0, sizeof(*s));
}

void dg_bc_sampler_reset(dg_bc_sampler* s, uint64_t seed) {
  dg_rng_seed(&s->rng, dg_seed_derive(seed, 0x6263ULL, 0));
  if (s->sampling != DG_BC_SAMPLE_EPISODE) return;
  for (int i = 0; i < s->n; i++) {
    s->u[i] = (float)dg_rng_uniform(&s->rng);
    s->z[i] = (float)dg_rng_normal(&s->rng);
  }
}

void dg_bc_act(dg_bc_model* m, dg_bc_sampler* s, const double* obs, float* obs_n, double* action) {
  float act[DG_MAX_ACT_DIM];
  dg_bc_normalize_obs(m, obs, obs_n);
  m->head->act(m, s, obs_n, act);
  for (int d = 0; d < m->act_dim; d++) action[d] = m->act_shift[d] + m->act_scale[d] * act[d];
}

float dg_bc_sampler_uniform(dg_bc_sampler* s, int i) {
  if (s->sampling == DG_BC_SAMPLE_EPISODE && i < s->n) return s->u[i];
  return (float)dg_rng_uniform(&s->rng);
}

float dg_bc_sampler_normal(dg_bc_sampler* s, int i) {
  if (s->sampling == DG_BC_SAMPLE_EPISODE && i < s->n) return s->z[i];
  return (float)dg_rng_normal(&s->rng);
}

void dg_bc_set_threads(int n) { openblas_set_num_threads(n < 1 ? 1 : n); }
