// gaussian.c: the `gaussian` policy class: a mean and a log-std per action dimension; negative
// log-likelihood; the mean, or a sample.
#include <math.h>
#include <string.h>

#include "bc_internal.h"

static void gaussian_shape(const dg_bc_config* c, int obs_dim, int act_dim, int* in, int* out,
                           int* rows) {
  *in = obs_dim, *out = 2 * act_dim, *rows = 1;
}

static int gaussian_noise_size(const dg_bc_config* c, int act_dim) { return act_dim; }

static void gaussian_make_batch(const dg_bc_model* m, dg_bc_batch* b, dg_rng* rng) {
  memcpy(m->net.x, b->obs, sizeof(float) * b->B * m->obs_dim);
}

static double gaussian_loss(dg_bc_model* m, dg_bc_batch* b, int grad) {
  return dg_nn_gaussian_nll(grad ? m->net.dy : NULL, m->net.y, b->act, b->B, m->act_dim,
                            m->cfg.min_log_std, m->cfg.max_log_std);
}

static void gaussian_act(dg_bc_model* m, dg_bc_sampler* s, const float* obs, float* act) {
  int A = m->act_dim;
  memcpy(m->net.x, obs, sizeof(float) * m->obs_dim);
  dg_mlp_forward(&m->net, 1);
  const float* mu = m->net.y;
  const float* raw = mu + A;
  // the mean, or mean + sigma z
  for (int d = 0; d < A; d++) {
    act[d] = mu[d];
    if (s->sampling != DG_BC_SAMPLE_MODE) {
      float ls = dg_nn_bounded_log_std(raw[d], m->cfg.min_log_std, m->cfg.max_log_std);
      act[d] += expf(ls) * dg_bc_sampler_normal(s, d);
    }
  }
}

const dg_bc_head dg_bc_head_gaussian = {
    .name = "gaussian",
    .act_norm = DG_BC_NORM_ZSCORE,
    .default_sampling = DG_BC_SAMPLE_MODE,
    .shape = gaussian_shape,
    .noise_size = gaussian_noise_size,
    .make_batch = gaussian_make_batch,
    .loss = gaussian_loss,
    .act = gaussian_act,
};
