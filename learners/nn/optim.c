// optim.c: gradient clipping, the AdamW update as one flat loop, and the learning-rate schedule.
#include <math.h>

#include "nn.h"

double dg_nn_clip_grad_norm(float* restrict g, size_t n, double max_norm) {
  // the squares summed in 16 float lanes (vectorised, in a fixed order), then in double
  float lane[16] = {0};
  size_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 16; k++) lane[k] += g[i + k] * g[i + k];
  double sq = 0.0;
  for (; i < n; i++) sq += (double)g[i] * g[i];
  for (int k = 0; k < 16; k++) sq += lane[k];
  double norm = sqrt(sq);
  if (max_norm > 0 && norm > max_norm) {
    float s = (float)(max_norm / (norm + 1e-12));
    for (size_t j = 0; j < n; j++) g[j] *= s;
  }
  return norm;
}

void dg_nn_adamw(float* restrict p, const float* restrict g, float* restrict m, float* restrict v,
                 size_t n, size_t ndecay, float lr, float b1, float b2, float eps, float wd,
                 long t) {
  // bias corrections of the moments
  float c1 = (float)(1.0 / (1.0 - pow(b1, (double)t)));
  float c2 = (float)(1.0 / (1.0 - pow(b2, (double)t)));
  // two loops (weight matrices with decay, then the rest) so that each vectorises
  for (size_t i = 0; i < n; i++) {
    m[i] = b1 * m[i] + (1.0f - b1) * g[i];
    v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
  }
  for (size_t i = 0; i < ndecay; i++)
    p[i] -= lr * (m[i] * c1 / (sqrtf(v[i] * c2) + eps) + wd * p[i]);
  for (size_t i = ndecay; i < n; i++) p[i] -= lr * (m[i] * c1 / (sqrtf(v[i] * c2) + eps));
}

double dg_nn_lr_at(long step, long total, long warmup, double lr, double min_lr) {
  if (warmup > 0 && step < warmup) return lr * (double)(step + 1) / (double)warmup;
  long span = total - warmup;
  if (span <= 1) return lr;
  double progress = (double)(step - warmup) / (double)(span - 1);
  if (progress > 1.0) progress = 1.0;
  return min_lr + 0.5 * (lr - min_lr) * (1.0 + cos(3.14159265358979323846 * progress));
}
