// diffusion.c: the `diffusion` policy class: a network predicts the noise in a noised action,
// conditioned on the observation and the noise level (DDPM loss); actions come from DDPM's
// ancestral sampling (sample_steps == diffusion_steps) or from DDIM with few steps.
//
// Actions are scaled to [-1, 1] (min-max over the training labels); the cosine schedule's
// alpha_bar lives in the model. Predicted clean actions are clipped to [-1, 1] at every step.
#include <math.h>
#include <string.h>

#include "bc_internal.h"

static void diffusion_shape(const dg_bc_config* c, int obs_dim, int act_dim, int* in, int* out,
                            int* rows) {
  *in = obs_dim + act_dim + DG_BC_TEMB, *out = act_dim, *rows = 1;
}

// the starting noise, and the noise of each ancestral step
static int diffusion_noise_size(const dg_bc_config* c, int act_dim) {
  return act_dim * (c->sample_steps + 1);
}

void dg_bc_step_embedding(float* out, int t) {
  // sin and cos of t at DG_BC_TEMB / 2 frequencies from 1 down to 1/1000
  int half = DG_BC_TEMB / 2;
  for (int k = 0; k < half; k++) {
    double f = exp(-log(1000.0) * k / half);
    out[2 * k] = (float)sin(t * f);
    out[2 * k + 1] = (float)cos(t * f);
  }
}

// write the network's input row: observation, noised action, step embedding
static void diffusion_row(float* x, const float* obs, const float* xt, int t, int O, int A) {
  memcpy(x, obs, sizeof(float) * O);
  memcpy(x + O, xt, sizeof(float) * A);
  dg_bc_step_embedding(x + O + A, t);
}

static void diffusion_make_batch(const dg_bc_model* m, dg_bc_batch* b, dg_rng* rng) {
  int O = m->obs_dim, A = m->act_dim, in = m->net.cfg.in, T = m->cfg.diffusion_steps;
  for (int i = 0; i < b->B; i++) {
    // x_t = sqrt(alpha_bar_t) a + sqrt(1 - alpha_bar_t) eps, with t uniform and eps ~ N(0, I)
    int t = (int)dg_rng_below(rng, (uint64_t)T);
    double ab = m->alpha_bar[t];
    float sa = (float)sqrt(ab), sn = (float)sqrt(1.0 - ab);
    float* eps = b->target + (size_t)i * A;
    float xt[DG_MAX_ACT_DIM];
    const float* a = b->act + (size_t)i * A;
    for (int d = 0; d < A; d++) {
      eps[d] = (float)dg_rng_normal(rng);
      xt[d] = sa * a[d] + sn * eps[d];
    }
    diffusion_row(m->net.x + (size_t)i * in, b->obs + (size_t)i * O, xt, t, O, A);
  }
}

static double diffusion_loss(dg_bc_model* m, dg_bc_batch* b, int grad) {
  return dg_nn_mse_loss(grad ? m->net.dy : NULL, m->net.y, b->target, b->B, m->act_dim);
}

static float clip1(double v) { return (float)(v > 1.0 ? 1.0 : (v < -1.0 ? -1.0 : v)); }

// predict the noise in x at step t, and the clean action x0 it implies (clipped)
static void denoise(dg_bc_model* m, const float* obs, const float* x, int t, float* eps,
                    float* x0) {
  int O = m->obs_dim, A = m->act_dim;
  diffusion_row(m->net.x, obs, x, t, O, A);
  dg_mlp_forward(&m->net, 1);
  double ab = m->alpha_bar[t];
  for (int d = 0; d < A; d++) {
    eps[d] = m->net.y[d];
    x0[d] = clip1((x[d] - sqrt(1.0 - ab) * eps[d]) / sqrt(ab));
  }
}

static void diffusion_act(dg_bc_model* m, dg_bc_sampler* s, const float* obs, float* act) {
  int A = m->act_dim, T = m->cfg.diffusion_steps, S = m->cfg.sample_steps;
  int deterministic = s->sampling == DG_BC_SAMPLE_MODE;
  float x[DG_MAX_ACT_DIM], eps[DG_MAX_ACT_DIM], x0[DG_MAX_ACT_DIM];
  for (int d = 0; d < A; d++) x[d] = deterministic ? 0.0f : dg_bc_sampler_normal(s, d);
  if (S == T) {
    // DDPM: ancestral sampling through every step
    for (int t = T - 1; t >= 0; t--) {
      denoise(m, obs, x, t, eps, x0);
      double ab = m->alpha_bar[t], ab_prev = t > 0 ? m->alpha_bar[t - 1] : 1.0;
      double beta = 1.0 - ab / ab_prev;
      double c0 = sqrt(ab_prev) * beta / (1.0 - ab), ct = sqrt(1.0 - beta) * (1.0 - ab_prev) /
                                                          (1.0 - ab);
      double sd = sqrt(beta * (1.0 - ab_prev) / (1.0 - ab));
      for (int d = 0; d < A; d++) {
        double z = (t > 0 && !deterministic) ? dg_bc_sampler_normal(s, A * (T - t) + d) : 0.0;
        x[d] = (float)(c0 * x0[d] + ct * x[d] + sd * z);
      }
    }
  } else {
    // DDIM (eta = 0): S steps from T - 1 down to 0, each a deterministic jump
    for (int i = 0; i < S; i++) {
      int t = S > 1 ? (int)lround((double)(T - 1) * (S - 1 - i) / (S - 1)) : T - 1;
      int t_prev = i + 1 < S ? (int)lround((double)(T - 1) * (S - 2 - i) / (S - 1)) : -1;
      denoise(m, obs, x, t, eps, x0);
      double ab = m->alpha_bar[t], ab_prev = t_prev >= 0 ? m->alpha_bar[t_prev] : 1.0;
      for (int d = 0; d < A; d++) {
        // the noise consistent with the clipped x0, carried to the earlier level
        double e = (x[d] - sqrt(ab) * x0[d]) / sqrt(1.0 - ab);
        x[d] = (float)(sqrt(ab_prev) * x0[d] + sqrt(1.0 - ab_prev) * e);
      }
    }
  }
  memcpy(act, x, sizeof(float) * A);
}

const dg_bc_head dg_bc_head_diffusion = {
    .name = "diffusion",
    .act_norm = DG_BC_NORM_MINMAX,
    .default_sampling = DG_BC_SAMPLE_MODE,
    .shape = diffusion_shape,
    .noise_size = diffusion_noise_size,
    .make_batch = diffusion_make_batch,
    .loss = diffusion_loss,
    .act = diffusion_act,
};
