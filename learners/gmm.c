// gmm.c: the `gmm` policy class: a mixture of K diagonal Gaussians (weights, means, std devs);
// negative log-likelihood; the most likely component's mean, or a component then its Gaussian.
#include <math.h>
#include <string.h>

#include "bc_internal.h"

static void gmm_shape(const dg_bc_config* c, int obs_dim, int act_dim, int* in, int* out,
                      int* rows) {
  *in = obs_dim, *out = c->components * (1 + 2 * act_dim), *rows = 1;
}

// one uniform picks the component, A normals draw from it
static int gmm_noise_size(const dg_bc_config* c, int act_dim) { return act_dim + 1; }

static void gmm_make_batch(const dg_bc_model* m, dg_bc_batch* b, dg_rng* rng) {
  memcpy(m->net.x, b->obs, sizeof(float) * b->B * m->obs_dim);
}

static double gmm_loss(dg_bc_model* m, dg_bc_batch* b, int grad) {
  return dg_nn_gmm_nll(grad ? m->net.dy : NULL, m->net.y, b->act, b->B, m->cfg.components,
                       m->act_dim, m->cfg.min_log_std, m->cfg.max_log_std);
}

static void gmm_act(dg_bc_model* m, dg_bc_sampler* s, const float* obs, float* act) {
  int A = m->act_dim, K = m->cfg.components;
  memcpy(m->net.x, obs, sizeof(float) * m->obs_dim);
  dg_mlp_forward(&m->net, 1);
  const float* logits = m->net.y;
  const float* mu = logits + K;
  const float* raw = mu + K * A;
  // the component: the most likely one, or drawn by inverting the weights' CDF at u
  int k = 0;
  for (int j = 1; j < K; j++)
    if (logits[j] > logits[k]) k = j;
  if (s->sampling != DG_BC_SAMPLE_MODE) {
    double z = 0.0, w[DG_BC_MAX_K];
    for (int j = 0; j < K; j++) z += (w[j] = exp((double)logits[j] - logits[k]));
    double u = dg_bc_sampler_uniform(s, 0) * z, acc = 0.0;
    for (k = 0; k < K - 1; k++) {
      acc += w[k];
      if (u < acc) break;
    }
  }
  for (int d = 0; d < A; d++) {
    act[d] = mu[k * A + d];
    if (s->sampling != DG_BC_SAMPLE_MODE) {
      float ls = dg_nn_bounded_log_std(raw[k * A + d], m->cfg.min_log_std, m->cfg.max_log_std);
      act[d] += expf(ls) * dg_bc_sampler_normal(s, 1 + d);
    }
  }
}

const dg_bc_head dg_bc_head_gmm = {
    .name = "gmm",
    .act_norm = DG_BC_NORM_ZSCORE,
    .default_sampling = DG_BC_SAMPLE_MODE,
    .shape = gmm_shape,
    .noise_size = gmm_noise_size,
    .make_batch = gmm_make_batch,
    .loss = gmm_loss,
    .act = gmm_act,
};
