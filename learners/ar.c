// ar.c: the `ar` policy class: per action dimension a categorical over B bins of [-1, 1],
// conditioned on the bins chosen for the earlier dimensions; cross-entropy; dimension by
// dimension (the most likely bin refined by its neighbours, or a sampled bin).
//
// One network serves every dimension d: its input is the observation, the centres of the bins of
// dimensions 0..d-1 (zero for d and later), and a one-hot code of d. Training uses the expert's
// bins for the earlier dimensions (teacher forcing), so a sample makes A rows.
#include <math.h>
#include <string.h>

#include "bc_internal.h"

static void ar_shape(const dg_bc_config* c, int obs_dim, int act_dim, int* in, int* out,
                     int* rows) {
  *in = obs_dim + 2 * act_dim, *out = c->bins, *rows = act_dim;
}

static int ar_noise_size(const dg_bc_config* c, int act_dim) { return act_dim; }

// bins are centred on B evenly spaced values from -1 to 1, so that the extremes are exact (a
// gripper command of +1 must come out as +1, not as the centre of the last bin)
static int bin_of(float a, int bins) {
  int k = (int)lroundf((a + 1.0f) * 0.5f * (bins - 1));
  return k < 0 ? 0 : (k >= bins ? bins - 1 : k);
}

static float centre_of(int k, int bins) { return -1.0f + 2.0f * k / (bins - 1); }

// write the input row for dimension d, given the earlier dimensions' values prev (d)
static void ar_row(float* x, const float* obs, const float* prev, int d, int O, int A) {
  memcpy(x, obs, sizeof(float) * O);
  for (int j = 0; j < A; j++) {
    x[O + j] = j < d ? prev[j] : 0.0f;
    x[O + A + j] = j == d ? 1.0f : 0.0f;
  }
}

static void ar_make_batch(const dg_bc_model* m, dg_bc_batch* b, dg_rng* rng) {
  int O = m->obs_dim, A = m->act_dim, bins = m->cfg.bins, in = m->net.cfg.in;
  for (int i = 0; i < b->B; i++) {
    const float* a = b->act + (size_t)i * A;
    float prev[DG_MAX_ACT_DIM];
    for (int j = 0; j < A; j++) prev[j] = centre_of(bin_of(a[j], bins), bins);
    for (int d = 0; d < A; d++) {
      size_t row = (size_t)i * A + d;
      ar_row(m->net.x + row * in, b->obs + (size_t)i * O, prev, d, O, A);
      b->labels[row] = bin_of(a[d], bins);
    }
  }
}

static double ar_loss(dg_bc_model* m, dg_bc_batch* b, int grad) {
  return dg_nn_cross_entropy(grad ? m->net.dy : NULL, m->net.y, b->labels, b->B * m->act_dim,
                             m->cfg.bins);
}

static void ar_act(dg_bc_model* m, dg_bc_sampler* s, const float* obs, float* act) {
  int O = m->obs_dim, A = m->act_dim, bins = m->cfg.bins;
  float prev[DG_MAX_ACT_DIM] = {0};
  double p[DG_BC_MAX_BINS];
  for (int d = 0; d < A; d++) {
    ar_row(m->net.x, obs, prev, d, O, A);
    dg_mlp_forward(&m->net, 1);
    const float* logits = m->net.y;
    // softmax over the bins
    int k = 0;
    for (int j = 1; j < bins; j++)
      if (logits[j] > logits[k]) k = j;
    double z = 0.0;
    for (int j = 0; j < bins; j++) z += (p[j] = exp((double)logits[j] - logits[k]));
    if (s->sampling == DG_BC_SAMPLE_MODE && (k == 0 || k == bins - 1)) {
      // an extreme bin is taken as it is (+-1 exactly: saturated moves, the gripper's commands)
      act[d] = centre_of(k, bins);
    } else if (s->sampling == DG_BC_SAMPLE_MODE) {
      // the most likely bin, refined by the probability-weighted centres of it and its neighbours
      double wsum = 0.0, vsum = 0.0;
      for (int j = k - 1; j <= k + 1; j++) {
        if (j < 0 || j >= bins) continue;
        wsum += p[j];
        vsum += p[j] * centre_of(j, bins);
      }
      act[d] = (float)(vsum / wsum);
    } else {
      // a bin drawn by inverting the CDF at u
      double u = dg_bc_sampler_uniform(s, d) * z, acc = 0.0;
      for (k = 0; k < bins - 1; k++) {
        acc += p[k];
        if (u < acc) break;
      }
      act[d] = centre_of(k, bins);
    }
    prev[d] = centre_of(k, bins);
  }
}

const dg_bc_head dg_bc_head_ar = {
    .name = "ar",
    .act_norm = DG_BC_NORM_NONE,
    .default_sampling = DG_BC_SAMPLE_MODE,
    .shape = ar_shape,
    .noise_size = ar_noise_size,
    .make_batch = ar_make_batch,
    .loss = ar_loss,
    .act = ar_act,
};
