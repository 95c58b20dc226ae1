// losses.c: the training losses (MSE, Gaussian and mixture NLL, cross-entropy) and their gradients.
#include <math.h>

#include "nn.h"

#define HALF_LOG_2PI 0.91893853320467274178

double dg_nn_mse_loss(float* dy, const float* y, const float* t, int B, int A) {
  double sum = 0.0, scale = 1.0 / ((double)B * A);
  for (int i = 0; i < B * A; i++) {
    double e = (double)y[i] - t[i];
    sum += e * e;
    if (dy) dy[i] = (float)(2.0 * e * scale);
  }
  return sum * scale;
}

float dg_nn_bounded_log_std(float raw, float lo, float hi) {
  return lo + (hi - lo) / (1.0f + expf(-raw));
}

// the derivative of the bounded log std with respect to its raw input
static inline double bounded_log_std_grad(float raw, float lo, float hi) {
  double s = 1.0 / (1.0 + exp(-(double)raw));
  return (hi - lo) * s * (1.0 - s);
}

double dg_nn_gaussian_nll(float* dy, const float* y, const float* t, int B, int A, float lo,
                          float hi) {
  double sum = 0.0, scale = 1.0 / ((double)B * A);
  for (int b = 0; b < B; b++) {
    const float* mu = y + (size_t)b * 2 * A;
    const float* raw = mu + A;
    const float* tb = t + (size_t)b * A;
    for (int d = 0; d < A; d++) {
      // nll = z^2 / 2 + log sigma + log(2 pi) / 2, z = (t - mu) / sigma
      double ls = dg_nn_bounded_log_std(raw[d], lo, hi), sigma = exp(ls);
      double z = (tb[d] - mu[d]) / sigma;
      sum += 0.5 * z * z + ls + HALF_LOG_2PI;
      if (dy) {
        float* g = dy + (size_t)b * 2 * A;
        g[d] = (float)(-z / sigma * scale);
        g[A + d] = (float)((1.0 - z * z) * bounded_log_std_grad(raw[d], lo, hi) * scale);
      }
    }
  }
  return sum * scale;
}

#define GMM_MAX_K 64

double dg_nn_gmm_nll(float* dy, const float* y, const float* t, int B, int K, int A, float lo,
                     float hi) {
  double sum = 0.0, scale = 1.0 / ((double)B * A);
  int W = K + 2 * K * A;
  for (int b = 0; b < B; b++) {
    const float* logits = y + (size_t)b * W;
    const float* mu = logits + K;         // (K, A)
    const float* raw = mu + (size_t)K * A;  // (K, A)
    const float* tb = t + (size_t)b * A;
    // log mixture weights: log_softmax(logits)
    double lmax = logits[0];
    for (int k = 1; k < K; k++) lmax = logits[k] > lmax ? logits[k] : lmax;
    double z = 0.0;
    for (int k = 0; k < K; k++) z += exp(logits[k] - lmax);
    double lse_logits = lmax + log(z);
    // per component: lp_k = log pi_k + sum_d log N(t_d; mu_kd, sigma_kd)
    double lp[GMM_MAX_K] = {0};
    for (int k = 0; k < K; k++) {
      double s = logits[k] - lse_logits;
      for (int d = 0; d < A; d++) {
        double ls = dg_nn_bounded_log_std(raw[k * A + d], lo, hi);
        double zz = (tb[d] - mu[k * A + d]) * exp(-ls);
        s -= 0.5 * zz * zz + ls + HALF_LOG_2PI;
      }
      lp[k] = s;
    }
    // log p = logsumexp_k lp_k
    double m = lp[0];
    for (int k = 1; k < K; k++) m = lp[k] > m ? lp[k] : m;
    double acc = 0.0;
    for (int k = 0; k < K; k++) acc += exp(lp[k] - m);
    double logp = m + log(acc);
    sum -= logp;
    if (!dy) continue;
    // responsibilities r_k = p(k | t); dL/dlogit_k = pi_k - r_k, dL/dmu = -r z / sigma,
    // dL/dlog sigma = r (1 - z^2)
    float* g = dy + (size_t)b * W;
    for (int k = 0; k < K; k++) {
      double r = exp(lp[k] - logp), pi = exp(logits[k] - lse_logits);
      g[k] = (float)((pi - r) * scale);
      for (int d = 0; d < A; d++) {
        int i = k * A + d;
        double ls = dg_nn_bounded_log_std(raw[i], lo, hi), sigma = exp(ls);
        double zz = (tb[d] - mu[i]) / sigma;
        g[K + i] = (float)(-r * zz / sigma * scale);
        g[K + K * A + i] =
            (float)(r * (1.0 - zz * zz) * bounded_log_std_grad(raw[i], lo, hi) * scale);
      }
    }
  }
  return sum * scale;
}

double dg_nn_cross_entropy(float* dy, const float* logits, const int* t, int B, int C) {
  double sum = 0.0, scale = 1.0 / B;
  for (int b = 0; b < B; b++) {
    const float* l = logits + (size_t)b * C;
    // loss = logsumexp(l) - l[t]
    double m = l[0];
    for (int c = 1; c < C; c++) m = l[c] > m ? l[c] : m;
    double z = 0.0;
    for (int c = 0; c < C; c++) z += exp(l[c] - m);
    double lse = m + log(z);
    sum += lse - l[t[b]];
    // dL/dl = softmax(l) - onehot(t)
    if (dy) {
      float* g = dy + (size_t)b * C;
      for (int c = 0; c < C; c++) g[c] = (float)((exp(l[c] - lse) - (c == t[b])) * scale);
    }
  }
  return sum * scale;
}
