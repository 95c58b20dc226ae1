// nn.h: the network core: layers as forward/backward pairs, losses, an MLP, AdamW, schedules.
//
// Everything is float32 and row-major; matrix products go through CBLAS (OpenBLAS). Layers are
// plain functions with the math visible (after llm.c): `out` first, then the inputs, then sizes.
// Every backward *adds* into its gradients (dinp, dW, db), so gradients must be zeroed first.
// Losses start the backward pass: they *write* dL/dy and return the mean loss.
#ifndef DEMOGYM_NN_H
#define DEMOGYM_NN_H

#include <stddef.h>

#include "demogym/rng.h"

// --- layers ------------------------------------------------------------------------------------

// out = inp W^T + b. inp (B, C), W (OC, C), b (OC), out (B, OC). Nullable: b.
void dg_nn_linear_forward(float* out, const float* inp, const float* W, const float* b, int B,
                          int C, int OC);

// dinp += dout W, dW += dout^T inp, db += sum_B dout. Nullable: dinp, db.
void dg_nn_linear_backward(float* dinp, float* dW, float* db, const float* dout, const float* inp,
                           const float* W, int B, int C, int OC);

// out = max(inp, 0), elementwise over N values.
void dg_nn_relu_forward(float* out, const float* inp, int N);
// dinp += dout * (inp > 0).
void dg_nn_relu_backward(float* dinp, const float* dout, const float* inp, int N);

// out = inp * sigmoid(inp) (SiLU, "swish").
void dg_nn_silu_forward(float* out, const float* inp, int N);
// dinp += dout * (s + inp s (1 - s)), s = sigmoid(inp).
void dg_nn_silu_backward(float* dinp, const float* dout, const float* inp, int N);

// out = inp * tanh(softplus(inp)) (Mish).
void dg_nn_mish_forward(float* out, const float* inp, int N);
// dinp += dout * d mish / d inp.
void dg_nn_mish_backward(float* dinp, const float* dout, const float* inp, int N);

// out = tanh(inp).
void dg_nn_tanh_forward(float* out, const float* inp, int N);
// dinp += dout * (1 - out^2); takes the forward's output.
void dg_nn_tanh_backward(float* dinp, const float* dout, const float* out, int N);

// Layer norm over the last axis: out = (inp - mean) * rstd * w + b. inp, out (B, C); w, b (C);
// writes the per-row mean and 1/std (B) that the backward needs.
void dg_nn_layernorm_forward(float* out, float* mean, float* rstd, const float* inp,
                             const float* w, const float* b, int B, int C);
// dinp += ..., dw += ..., db += ... for the layer norm above.
void dg_nn_layernorm_backward(float* dinp, float* dw, float* db, const float* dout,
                              const float* inp, const float* w, const float* mean,
                              const float* rstd, int B, int C);

// Activation kinds of an MLP's hidden layers.
typedef enum dg_nn_act {
  DG_NN_RELU = 0,
  DG_NN_SILU = 1,
  DG_NN_MISH = 2,
  DG_NN_TANH = 3
} dg_nn_act;

// Return the activation's name ("relu", "silu", "mish", "tanh"); NULL for an unknown kind.
const char* dg_nn_act_name(int act);
// Return the activation called name, -1 if none.
int dg_nn_act_parse(const char* name);

// Apply activation `act` forward (N values).
void dg_nn_act_forward(int act, float* out, const float* inp, int N);
// Apply activation `act` backward; inp and out are the forward's input and output.
void dg_nn_act_backward(int act, float* dinp, const float* dout, const float* inp,
                        const float* out, int N);

// --- losses ------------------------------------------------------------------------------------
// Each returns the loss averaged over the batch (and over action dimensions, so that learning
// rates do not depend on A), summed in double, and writes dL/dy into dy (nullable: no gradient).

// Mean squared error: mean over (B, A) of (y - t)^2. y, t, dy (B, A).
double dg_nn_mse_loss(float* dy, const float* y, const float* t, int B, int A);

// Map a raw output to a bounded log standard deviation, lo + (hi - lo) sigmoid(raw).
float dg_nn_bounded_log_std(float raw, float lo, float hi);

// Diagonal Gaussian negative log-likelihood per action dimension. y (B, 2A) holds the means
// (first A) and the raw log-std outputs (last A, bounded by dg_nn_bounded_log_std to [lo, hi]).
double dg_nn_gaussian_nll(float* dy, const float* y, const float* t, int B, int A, float lo,
                          float hi);

// Mixture of K diagonal Gaussians, negative log-likelihood per action dimension (log-sum-exp).
// y (B, K + 2 K A): K logits, then K x A means, then K x A raw log-stds (bounded as above).
double dg_nn_gmm_nll(float* dy, const float* y, const float* t, int B, int K, int A, float lo,
                     float hi);

// Cross-entropy of logits (B, C) against class indices t (B), mean over the batch.
double dg_nn_cross_entropy(float* dy, const float* logits, const int* t, int B, int C);

// --- the MLP -----------------------------------------------------------------------------------

#define DG_MLP_MAX_LAYERS 8  // hidden layers at most

// Shape of an MLP: `layers` hidden layers of `hidden` units, each linear -> [layer norm] ->
// activation, then a linear output layer.
typedef struct dg_mlp_config {
  int in;          // input width
  int hidden;      // hidden width
  int layers;      // hidden layers, 0..DG_MLP_MAX_LAYERS
  int out;         // output width
  int act;         // dg_nn_act of the hidden layers
  int layer_norm;  // 1: layer norm before each activation
} dg_mlp_config;

// An MLP with its parameters, gradients, Adam moments and activations for up to max_batch rows.
// Parameters, gradients and moments share one allocation and one layout (params | grads | m |
// v, nparams floats each); weight matrices come first (ndecay floats), then biases and norm
// gains, so weight decay is one flat loop too. Activations live in a second allocation.
typedef struct dg_mlp {
  dg_mlp_config cfg;
  int max_batch;
  size_t nparams;  // parameters in all
  size_t ndecay;   // the first ndecay parameters are weight matrices
  float* mem;      // the one allocation (4 x nparams)
  float* params;   // (nparams)
  float* grads;    // (nparams)
  float* m;        // Adam first moments (nparams)
  float* v;        // Adam second moments (nparams)
  long step;       // optimizer steps taken
  // named parameters; layer l < layers is hidden, l = layers is the output layer
  float* W[DG_MLP_MAX_LAYERS + 1];     // (out_l, in_l)
  float* b[DG_MLP_MAX_LAYERS + 1];     // (out_l)
  float* ln_w[DG_MLP_MAX_LAYERS];      // (hidden), when layer_norm
  float* ln_b[DG_MLP_MAX_LAYERS];      // (hidden), when layer_norm
  // activations, sized for max_batch rows
  float* acts;                         // their one allocation
  float* x;                            // input, written by the caller (B, in)
  float* pre[DG_MLP_MAX_LAYERS];       // linear outputs (B, hidden)
  float* norm[DG_MLP_MAX_LAYERS];      // layer norm outputs (B, hidden), when layer_norm
  float* mean[DG_MLP_MAX_LAYERS];      // layer norm means (B)
  float* rstd[DG_MLP_MAX_LAYERS];      // layer norm 1/std (B)
  float* h[DG_MLP_MAX_LAYERS];         // activations (B, hidden)
  float* y;                            // output (B, out)
  float* dy;                           // dL/dy, written by the loss (B, out)
  float* dx;                           // dL/dx after a backward with input gradient (B, in)
  float* dh0;                          // gradient scratch (B, max(hidden, in))
  float* dh1;                          // gradient scratch (B, max(hidden, in))
} dg_mlp;

// Return the number of parameters of an MLP of this shape.
size_t dg_mlp_param_count(const dg_mlp_config* cfg);

// Check a shape; return 0, or -1 with a message in err (errsz bytes).
int dg_mlp_config_check(const dg_mlp_config* cfg, char* err, size_t errsz);

// Allocate net for cfg and batches of up to max_batch rows; parameters, gradients and moments
// are zero. Return 0, or -1 when out of memory (net is then empty and safe to free).
int dg_mlp_init(dg_mlp* net, const dg_mlp_config* cfg, int max_batch);

// Free what dg_mlp_init allocated and zero net. Nullable.
void dg_mlp_free(dg_mlp* net);

// Initialise parameters as PyTorch does (uniform +-1/sqrt(fan_in) for weights and biases, unit
// gains) from rng; zero gradients, moments and the step count.
void dg_mlp_init_params(dg_mlp* net, dg_rng* rng);

// Forward B rows of net->x into net->y.
void dg_mlp_forward(dg_mlp* net, int B);

// Zero the gradients.
void dg_mlp_zero_grad(dg_mlp* net);

// Backward from net->dy, adding into net->grads; with want_dx, also write dL/dx into net->dx.
// Requires the forward of the same B rows just before.
void dg_mlp_backward(dg_mlp* net, int B, int want_dx);

// Describe the i-th parameter tensor, in layout order: its name into name (namesz bytes;
// "fc0.weight", "fc0.bias", "ln0.weight", "out.bias", ...), its offset in params, its shape
// (rows, cols; cols = 0 for vectors). Return 0, or -1 past the last tensor.
int dg_mlp_tensor(const dg_mlp* net, int i, char* name, size_t namesz, size_t* offset, int* rows,
                  int* cols);

// --- optimisation ------------------------------------------------------------------------------

// Scale g (n) so that its L2 norm is at most max_norm (no-op when max_norm <= 0); return the
// norm before clipping.
double dg_nn_clip_grad_norm(float* g, size_t n, double max_norm);

// One AdamW step (decoupled weight decay on the first ndecay parameters), step t >= 1:
// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr (m^ / (sqrt(v^) + eps) + wd p).
void dg_nn_adamw(float* p, const float* g, float* m, float* v, size_t n, size_t ndecay, float lr,
                 float b1, float b2, float eps, float wd, long t);

// Learning rate at step (0-based) of total: linear warm-up over `warmup` steps to lr, then a
// cosine decay to min_lr at the last step.
double dg_nn_lr_at(long step, long total, long warmup, double lr, double min_lr);

#endif  // DEMOGYM_NN_H
