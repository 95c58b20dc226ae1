// layers.c: forward and backward passes of the network's layers (linear, activations, layer norm).
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "nn.h"

// --- linear ------------------------------------------------------------------------------------

void dg_nn_linear_forward(float* out, const float* inp, const float* W, const float* b, int B,
                          int C, int OC) {
  // out (B, OC) = b, then out += inp (B, C) @ W^T (C, OC)
  float beta = 0.0f;
  if (b) {
    for (int r = 0; r < B; r++) memcpy(out + (size_t)r * OC, b, sizeof(float) * OC);
    beta = 1.0f;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, OC, C, 1.0f, inp, C, W, C, beta, out,
              OC);
}

void dg_nn_linear_backward(float* dinp, float* dW, float* restrict db, const float* restrict dout,
                           const float* inp, const float* W, int B, int C, int OC) {
  // dinp (B, C) += dout (B, OC) @ W (OC, C)
  if (dinp)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, C, OC, 1.0f, dout, OC, W, C, 1.0f,
                dinp, C);
  // dW (OC, C) += dout^T (OC, B) @ inp (B, C)
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, B, 1.0f, dout, OC, inp, C, 1.0f, dW,
              C);
  // db (OC) += sum over rows of dout, rows in order (a fixed summation order)
  if (db)
    for (int r = 0; r < B; r++) {
      const float* d = dout + (size_t)r * OC;
      for (int o = 0; o < OC; o++) db[o] += d[o];
    }
}

// --- activations -------------------------------------------------------------------------------

void dg_nn_relu_forward(float* restrict out, const float* restrict inp, int N) {
  for (int i = 0; i < N; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void dg_nn_relu_backward(float* restrict dinp, const float* restrict dout,
                          const float* restrict inp, int N) {
  // both values loaded unconditionally, so that the loop vectorises
  for (int i = 0; i < N; i++) {
    float d = dout[i];
    dinp[i] += inp[i] > 0.0f ? d : 0.0f;
  }
}

static inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

void dg_nn_silu_forward(float* restrict out, const float* restrict inp, int N) {
  for (int i = 0; i < N; i++) out[i] = inp[i] * sigmoidf(inp[i]);
}

void dg_nn_silu_backward(float* restrict dinp, const float* restrict dout,
                          const float* restrict inp, int N) {
  for (int i = 0; i < N; i++) {
    float x = inp[i], s = sigmoidf(x);
    dinp[i] += dout[i] * (s + x * s * (1.0f - s));
  }
}

// softplus(x) = log(1 + e^x), computed without overflow
static inline float softplusf(float x) { return x > 20.0f ? x : log1pf(expf(x)); }

void dg_nn_mish_forward(float* restrict out, const float* restrict inp, int N) {
  for (int i = 0; i < N; i++) out[i] = inp[i] * tanhf(softplusf(inp[i]));
}

void dg_nn_mish_backward(float* restrict dinp, const float* restrict dout,
                          const float* restrict inp, int N) {
  // d/dx x tanh(sp(x)) = tanh(sp) + x (1 - tanh(sp)^2) sigmoid(x)
  for (int i = 0; i < N; i++) {
    float x = inp[i], t = tanhf(softplusf(x));
    dinp[i] += dout[i] * (t + x * (1.0f - t * t) * sigmoidf(x));
  }
}

void dg_nn_tanh_forward(float* restrict out, const float* restrict inp, int N) {
  for (int i = 0; i < N; i++) out[i] = tanhf(inp[i]);
}

void dg_nn_tanh_backward(float* restrict dinp, const float* restrict dout,
                          const float* restrict out, int N) {
  for (int i = 0; i < N; i++) dinp[i] += dout[i] * (1.0f - out[i] * out[i]);
}

static const char* const act_names[] = {"relu", "silu", "mish", "tanh"};

const char* dg_nn_act_name(int act) {
  return act >= 0 && act < (int)(sizeof(act_names) / sizeof(act_names[0])) ? act_names[act] : NULL;
}

int dg_nn_act_parse(const char* name) {
  for (int i = 0; i < (int)(sizeof(act_names) / sizeof(act_names[0])); i++)
    if (name && strcmp(name, act_names[i]) == 0) return i;
  return -1;
}

void dg_nn_act_forward(int act, float* out, const float* inp, int N) {
  switch (act) {
    case DG_NN_SILU: dg_nn_silu_forward(out, inp, N); break;
    case DG_NN_MISH: dg_nn_mish_forward(out, inp, N); break;
    case DG_NN_TANH: dg_nn_tanh_forward(out, inp, N); break;
    default: dg_nn_relu_forward(out, inp, N); break;
  }
}

void dg_nn_act_backward(int act, float* dinp, const float* dout, const float* inp,
                        const float* out, int N) {
  switch (act) {
    case DG_NN_SILU: dg_nn_silu_backward(dinp, dout, inp, N); break;
    case DG_NN_MISH: dg_nn_mish_backward(dinp, dout, inp, N); break;
    case DG_NN_TANH: dg_nn_tanh_backward(dinp, dout, out, N); break;
    default: dg_nn_relu_backward(dinp, dout, inp, N); break;
  }
}

// --- layer norm --------------------------------------------------------------------------------

#define LN_EPS 1e-5f

void dg_nn_layernorm_forward(float* out, float* mean, float* rstd, const float* inp,
                             const float* w, const float* b, int B, int C) {
  for (int r = 0; r < B; r++) {
    const float* x = inp + (size_t)r * C;
    float* o = out + (size_t)r * C;
    // mean and variance of the row
    float m = 0.0f;
    for (int i = 0; i < C; i++) m += x[i];
    m /= C;
    float var = 0.0f;
    for (int i = 0; i < C; i++) var += (x[i] - m) * (x[i] - m);
    var /= C;
    float s = 1.0f / sqrtf(var + LN_EPS);
    // normalise, scale and shift
    for (int i = 0; i < C; i++) o[i] = (x[i] - m) * s * w[i] + b[i];
    mean[r] = m;
    rstd[r] = s;
  }
}

void dg_nn_layernorm_backward(float* dinp, float* dw, float* db, const float* dout,
                              const float* inp, const float* w, const float* mean,
                              const float* rstd, int B, int C) {
  for (int r = 0; r < B; r++) {
    const float* d = dout + (size_t)r * C;
    const float* x = inp + (size_t)r * C;
    float* dx = dinp + (size_t)r * C;
    float m = mean[r], s = rstd[r];
    // two reductions: mean of dnorm and mean of dnorm * norm
    float dnorm_mean = 0.0f, dnorm_norm_mean = 0.0f;
    for (int i = 0; i < C; i++) {
      float n = (x[i] - m) * s, dn = w[i] * d[i];
      dnorm_mean += dn;
      dnorm_norm_mean += dn * n;
    }
    dnorm_mean /= C;
    dnorm_norm_mean /= C;
    // accumulate the gradients
    for (int i = 0; i < C; i++) {
      float n = (x[i] - m) * s, dn = w[i] * d[i];
      db[i] += d[i];
      dw[i] += n * d[i];
      dx[i] += (dn - dnorm_mean - n * dnorm_norm_mean) * s;
    }
  }
}
