// mlp.c: the multilayer perceptron: one parameter layout, activations made at creation, passes.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

int dg_mlp_config_check(const dg_mlp_config* c, char* err, size_t errsz) {
  if (c->in < 1 || c->out < 1 || c->layers < 0 || c->layers > DG_MLP_MAX_LAYERS ||
      (c->layers > 0 && c->hidden < 1) || c->hidden > 65536 || c->in > 65536 || c->out > 65536 ||
      !dg_nn_act_name(c->act)) {
    if (err)
      snprintf(err, errsz,
               "bad network shape: in %d, hidden %d, layers %d (0..%d), out %d, activation %d",
               c->in, c->hidden, c->layers, DG_MLP_MAX_LAYERS, c->out, c->act);
    return -1;
  }
  return 0;
}

// input and output widths of layer l (l = layers is the output layer)
static int layer_in(const dg_mlp_config* c, int l) { return l == 0 ? c->in : c->hidden; }
static int layer_out(const dg_mlp_config* c, int l) { return l == c->layers ? c->out : c->hidden; }

static size_t matrix_count(const dg_mlp_config* c) {
  size_t n = 0;
  for (int l = 0; l <= c->layers; l++) n += (size_t)layer_in(c, l) * layer_out(c, l);
  return n;
}

size_t dg_mlp_param_count(const dg_mlp_config* c) {
  size_t n = matrix_count(c);
  for (int l = 0; l <= c->layers; l++) n += (size_t)layer_out(c, l);
  if (c->layer_norm) n += 2 * (size_t)c->layers * c->hidden;
  return n;
}

int dg_mlp_init(dg_mlp* net, const dg_mlp_config* cfg, int max_batch) {
  memset(net, 0, sizeof(*net));
  net->cfg = *cfg;
  net->max_batch = max_batch;
  net->nparams = dg_mlp_param_count(cfg);
  net->ndecay = matrix_count(cfg);
  const dg_mlp_config* c = &net->cfg;
  // parameters | gradients | first moments | second moments, in one allocation
  net->mem = calloc(4 * net->nparams, sizeof(float));
  if (!net->mem) return -1;
  net->params = net->mem;
  net->grads = net->mem + net->nparams;
  net->m = net->mem + 2 * net->nparams;
  net->v = net->mem + 3 * net->nparams;
  // the layout: every weight matrix, then every bias, then the layer norms' gains and shifts
  float* p = net->params;
  for (int l = 0; l <= c->layers; l++) {
    net->W[l] = p;
    p += (size_t)layer_in(c, l) * layer_out(c, l);
  }
  for (int l = 0; l <= c->layers; l++) {
    net->b[l] = p;
    p += layer_out(c, l);
  }
  if (c->layer_norm)
    for (int l = 0; l < c->layers; l++) {
      net->ln_w[l] = p;
      p += c->hidden;
      net->ln_b[l] = p;
      p += c->hidden;
    }
  // activations for max_batch rows, in a second allocation
  size_t B = (size_t)max_batch, H = (size_t)c->hidden;
  size_t wide = (size_t)(c->hidden > c->in ? c->hidden : c->in);
  size_t per_layer = B * H * (c->layer_norm ? 3 : 2) + (c->layer_norm ? 2 * B : 0);
  size_t total = B * c->in + per_layer * c->layers + 2 * B * c->out + B * c->in + 2 * B * wide;
  net->acts = calloc(total, sizeof(float));
  if (!net->acts) {
    dg_mlp_free(net);
    return -1;
  }
  float* a = net->acts;
  net->x = a, a += B * c->in;
  for (int l = 0; l < c->layers; l++) {
    net->pre[l] = a, a += B * H;
    if (c->layer_norm) {
      net->norm[l] = a, a += B * H;
      net->mean[l] = a, a += B;
      net->rstd[l] = a, a += B;
    }
    net->h[l] = a, a += B * H;
  }
  net->y = a, a += B * c->out;
  net->dy = a, a += B * c->out;
  net->dx = a, a += B * c->in;
  net->dh0 = a, a += B * wide;
  net->dh1 = a;
  return 0;
}

void dg_mlp_free(dg_mlp* net) {
  if (!net) return;
  free(net->mem);
  free(net->acts);
  memset(net, 0, sizeof(*net));
}

void dg_mlp_init_params(dg_mlp* net, dg_rng* rng) {
  const dg_mlp_config* c = &net->cfg;
  memset(net->mem, 0, 4 * net->nparams * sizeof(float));
  net->step = 0;
  for (int l = 0; l <= c->layers; l++) {
    int fan_in = layer_in(c, l), n_out = layer_out(c, l);
    double bound = 1.0 / sqrt((double)fan_in);
    for (size_t i = 0; i < (size_t)fan_in * n_out; i++)
      net->W[l][i] = (float)dg_rng_range(rng, -bound, bound);
    for (int i = 0; i < n_out; i++) net->b[l][i] = (float)dg_rng_range(rng, -bound, bound);
  }
  if (c->layer_norm)
    for (int l = 0; l < c->layers; l++)
      for (int i = 0; i < c->hidden; i++) net->ln_w[l][i] = 1.0f;
}

void dg_mlp_forward(dg_mlp* net, int B) {
  const dg_mlp_config* c = &net->cfg;
  const float* in = net->x;  // (B, in_l)
  int in_w = c->in, H = c->hidden;
  for (int l = 0; l < c->layers; l++) {
    dg_nn_linear_forward(net->pre[l], in, net->W[l], net->b[l], B, in_w, H);  // (B, H)
    const float* a = net->pre[l];
    if (c->layer_norm) {
      dg_nn_layernorm_forward(net->norm[l], net->mean[l], net->rstd[l], net->pre[l], net->ln_w[l],
                              net->ln_b[l], B, H);
      a = net->norm[l];
    }
    dg_nn_act_forward(c->act, net->h[l], a, B * H);  // (B, H)
    in = net->h[l];
    in_w = H;
  }
  dg_nn_linear_forward(net->y, in, net->W[c->layers], net->b[c->layers], B, in_w, c->out);
}

void dg_mlp_zero_grad(dg_mlp* net) { memset(net->grads, 0, net->nparams * sizeof(float)); }

// the gradient of parameter tensor p
static inline float* grad_of(dg_mlp* net, const float* p) { return net->grads + (p - net->params); }

void dg_mlp_backward(dg_mlp* net, int B, int want_dx) {
  const dg_mlp_config* c = &net->cfg;
  int L = c->layers, H = c->hidden;
  // output layer: dh (B, H) = dy W_out, and dW_out, db_out
  const float* out_in = L > 0 ? net->h[L - 1] : net->x;
  int out_in_w = L > 0 ? H : c->in;
  float* dcur = L > 0 ? net->dh0 : (want_dx ? net->dx : NULL);
  if (dcur) memset(dcur, 0, sizeof(float) * B * out_in_w);
  dg_nn_linear_backward(dcur, grad_of(net, net->W[L]), grad_of(net, net->b[L]), net->dy, out_in,
                        net->W[L], B, out_in_w, c->out);
  // hidden layers in reverse: activation, layer norm, linear; two scratch buffers alternate
  for (int l = L - 1; l >= 0; l--) {
    const float* a = c->layer_norm ? net->norm[l] : net->pre[l];
    float* da = dcur == net->dh0 ? net->dh1 : net->dh0;
    memset(da, 0, sizeof(float) * B * H);
    dg_nn_act_backward(c->act, da, dcur, a, net->h[l], B * H);
    float* dpre = da;
    if (c->layer_norm) {
      dpre = dcur;  // dh is spent: its buffer takes dpre
      memset(dpre, 0, sizeof(float) * B * H);
      dg_nn_layernorm_backward(dpre, grad_of(net, net->ln_w[l]), grad_of(net, net->ln_b[l]), da,
                               net->pre[l], net->ln_w[l], net->mean[l], net->rstd[l], B, H);
    }
    const float* in = l > 0 ? net->h[l - 1] : net->x;
    int in_w = l > 0 ? H : c->in;
    float* din = l > 0 ? (dpre == net->dh0 ? net->dh1 : net->dh0) : (want_dx ? net->dx : NULL);
    if (din) memset(din, 0, sizeof(float) * B * in_w);
    dg_nn_linear_backward(din, grad_of(net, net->W[l]), grad_of(net, net->b[l]), dpre, in,
                          net->W[l], B, in_w, H);
    dcur = din;
  }
}

int dg_mlp_tensor(const dg_mlp* net, int i, char* name, size_t namesz, size_t* offset, int* rows,
                  int* cols) {
  const dg_mlp_config* c = &net->cfg;
  int L = c->layers, k = i;
  const float* p = NULL;
  char layer[16];
  const char* what = NULL;
  int r = 0, cc = 0;
  // matrices, then biases, then the layer norms (layout order)
  if (k <= L) {
    p = net->W[k], r = layer_out(c, k), cc = layer_in(c, k), what = "weight";
  } else if ((k -= L + 1) <= L) {
    p = net->b[k], r = layer_out(c, k), what = "bias";
  } else if (c->layer_norm && (k -= L + 1) < 2 * L) {
    int l = k / 2;
    p = (k % 2) ? net->ln_b[l] : net->ln_w[l], r = c->hidden, what = (k % 2) ? "bias" : "weight";
    snprintf(layer, sizeof(layer), "ln%d", l);
    snprintf(name, namesz, "%s.%s", layer, what);
    *offset = (size_t)(p - net->params), *rows = r, *cols = cc;
    return 0;
  } else {
    return -1;
  }
  if (k == L) snprintf(layer, sizeof(layer), "out");
  else snprintf(layer, sizeof(layer), "fc%d", k);
  snprintf(name, namesz, "%s.%s", layer, what);
  *offset = (size_t)(p - net->params), *rows = r, *cols = cc;
  return 0;
}
