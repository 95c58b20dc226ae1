// mse.c: the `mse` policy class: the network outputs the action; mean-squared error; deterministic.
#include <string.h>

#include "bc_internal.h"

static void mse_shape(const dg_bc_config* c, int obs_dim, int act_dim, int* in, int* out,
                      int* rows) {
  *in = obs_dim, *out = act_dim, *rows = 1;
}

static int mse_noise_size(const dg_bc_config* c, int act_dim) { return 0; }

static void mse_make_batch(const dg_bc_model* m, dg_bc_batch* b, dg_rng* rng) {
  memcpy(m->net.x, b->obs, sizeof(float) * b->B * m->obs_dim);
}

static double mse_loss(dg_bc_model* m, dg_bc_batch* b, int grad) {
  return dg_nn_mse_loss(grad ? m->net.dy : NULL, m->net.y, b->act, b->B, m->act_dim);
}

static void mse_act(dg_bc_model* m, dg_bc_sampler* s, const float* obs, float* act) {
  memcpy(m->net.x, obs, sizeof(float) * m->obs_dim);
  dg_mlp_forward(&m->net, 1);
  memcpy(act, m->net.y, sizeof(float) * m->act_dim);
}

const dg_bc_head dg_bc_head_mse = {
    .name = "mse",
    .act_norm = DG_BC_NORM_ZSCORE,
    .default_sampling = DG_BC_SAMPLE_MODE,
    .shape = mse_shape,
    .noise_size = mse_noise_size,
    .make_batch = mse_make_batch,
    .loss = mse_loss,
    .act = mse_act,
};
