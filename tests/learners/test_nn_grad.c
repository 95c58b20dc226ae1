// test_nn_grad.c: finite-difference gradient checks of every layer, every loss and the whole MLP,
// and the optimizer's arithmetic (AdamW, clipping, the learning-rate schedule).
#include <string.h>

#include "check.h"
#include "demogym/rng.h"
#include "learners/nn/nn.h"

// a scalar function of the current contents of some float buffers
typedef double (*objective)(void* ctx);

static dg_rng rng;

static void fill(float* x, int n, double lo, double hi) {
  for (int i = 0; i < n; i++) x[i] = (float)dg_rng_range(&rng, lo, hi);
}

// fill with values away from zero (|x| in [0.1, hi]) so that kinks stay out of the FD step
static void fill_away(float* x, int n, double hi) {
  for (int i = 0; i < n; i++) {
    double v = dg_rng_range(&rng, 0.1, hi);
    x[i] = (float)(dg_rng_uniform(&rng) < 0.5 ? -v : v);
  }
}

// compare analytic gradients g (n) with central differences of f in each element of x; the
// tolerance is relative, plus the rounding noise of a float32 objective divided by the step
static void check_grad(const char* what, objective f, void* ctx, float* x, const float* g, int n,
                       double h) {
  double worst = 0.0, f0 = f(ctx);
  double noise = 1e-6 * (fabs(f0) > 1 ? fabs(f0) : 1) / h;
  for (int i = 0; i < n; i++) {
    float keep = x[i];
    x[i] = keep + (float)h;
    double fp = f(ctx);
    x[i] = keep - (float)h;
    double fm = f(ctx);
    x[i] = keep;
    // the step actually taken in float
    double step = (double)(keep + (float)h) - (double)(keep - (float)h);
    double num = (fp - fm) / step;
    double err = fabs(num - g[i]) / (noise + fabs(num) + fabs(g[i]));
    if (err > worst) worst = err;
    CHECK_MSG(err < 1e-2, "%s: element %d analytic %.6g numeric %.6g", what, i, g[i], num);
  }
  printf("  %-28s max relative error %.2e over %d elements\n", what, worst, n);
}

// --- layers: L = sum_i w_i out_i, so dL/dout = w ------------------------------------------------

#define B 3
#define C 5
#define OC 4

static float inp[B * C], W[OC * C], bias[OC], out[B * OC], wout[B * C];  // C > OC
static float ln_out[B * C], ln_mean[B], ln_rstd[B], ln_w[C], ln_b[C];
static int act_kind;

static double dot(const float* a, const float* b, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += (double)a[i] * b[i];
  return s;
}

static double f_linear(void* ctx) {
  dg_nn_linear_forward(out, inp, W, bias, B, C, OC);
  return dot(out, wout, B * OC);
}

static double f_act(void* ctx) {
  dg_nn_act_forward(act_kind, ln_out, inp, B * C);
  return dot(ln_out, wout, B * C);
}

static double f_layernorm(void* ctx) {
  dg_nn_layernorm_forward(ln_out, ln_mean, ln_rstd, inp, ln_w, ln_b, B, C);
  return dot(ln_out, wout, B * C);
}

static void test_layers(void) {
  float dinp[B * C], dW[OC * C], db[OC];
  // linear, its gradients added on top of what is there
  fill(inp, B * C, -1, 1), fill(W, OC * C, -1, 1), fill(bias, OC, -1, 1), fill(wout, B * OC, -1, 1);
  dg_nn_linear_forward(out, inp, W, bias, B, C, OC);
  for (int i = 0; i < B * C; i++) dinp[i] = 0.5f;
  for (int i = 0; i < OC * C; i++) dW[i] = 0.25f;
  for (int i = 0; i < OC; i++) db[i] = -1.0f;
  dg_nn_linear_backward(dinp, dW, db, wout, inp, W, B, C, OC);
  for (int i = 0; i < B * C; i++) dinp[i] -= 0.5f;
  for (int i = 0; i < OC * C; i++) dW[i] -= 0.25f;
  for (int i = 0; i < OC; i++) db[i] += 1.0f;
  check_grad("linear d/dinp", f_linear, NULL, inp, dinp, B * C, 1e-2);
  check_grad("linear d/dW", f_linear, NULL, W, dW, OC * C, 1e-2);
  check_grad("linear d/db", f_linear, NULL, bias, db, OC, 1e-2);
  // the bias may be absent
  dg_nn_linear_forward(out, inp, W, NULL, B, C, OC);
  float out2[B * OC];
  dg_nn_linear_forward(out2, inp, W, bias, B, C, OC);
  for (int i = 0; i < B * OC; i++) CHECK_NEAR(out2[i] - out[i], bias[i % OC], 1e-5);

  // each activation
  for (act_kind = 0; act_kind < 4; act_kind++) {
    fill_away(inp, B * C, 2.0), fill(wout, B * C, -1, 1);
    dg_nn_act_forward(act_kind, ln_out, inp, B * C);
    memset(dinp, 0, sizeof(dinp));
    dg_nn_act_backward(act_kind, dinp, wout, inp, ln_out, B * C);
    char name[64];
    snprintf(name, sizeof(name), "%s d/dinp", dg_nn_act_name(act_kind));
    check_grad(name, f_act, NULL, inp, dinp, B * C, 1e-2);
  }
  CHECK(dg_nn_act_parse("mish") == DG_NN_MISH && dg_nn_act_parse("gelu") == -1);

  // layer norm (input with a spread, so the normalisation is well conditioned)
  float dlw[C] = {0}, dlb[C] = {0};
  fill(inp, B * C, -2, 2), fill(ln_w, C, 0.5, 1.5), fill(ln_b, C, -1, 1), fill(wout, B * C, -1, 1);
  dg_nn_layernorm_forward(ln_out, ln_mean, ln_rstd, inp, ln_w, ln_b, B, C);
  memset(dinp, 0, sizeof(dinp));
  dg_nn_layernorm_backward(dinp, dlw, dlb, wout, inp, ln_w, ln_mean, ln_rstd, B, C);
  check_grad("layernorm d/dinp", f_layernorm, NULL, inp, dinp, B * C, 1e-2);
  check_grad("layernorm d/dw", f_layernorm, NULL, ln_w, dlw, C, 1e-2);
  check_grad("layernorm d/db", f_layernorm, NULL, ln_b, dlb, C, 1e-2);
  // a normalised row has mean b and spread w
  dg_nn_layernorm_forward(ln_out, ln_mean, ln_rstd, inp, ln_w, ln_b, B, C);
  for (int r = 0; r < B; r++) {
    double m = 0;
    for (int i = 0; i < C; i++) m += (ln_out[r * C + i] - ln_b[i]) / ln_w[i];
    CHECK_NEAR(m / C, 0.0, 1e-5);
  }
}

// --- losses: dL/dy against differences of L ---------------------------------------------------

#define LB 4
#define LA 3
#define LK 3
#define LC 7

static float y[LB * (LK + 2 * LK * LA)], t[LB * LA];
static int labels[LB];
static int loss_kind;

static double f_loss(void* ctx) {
  switch (loss_kind) {
    case 0: return dg_nn_mse_loss(NULL, y, t, LB, LA);
    case 1: return dg_nn_gaussian_nll(NULL, y, t, LB, LA, -5.0f, 2.0f);
    case 2: return dg_nn_gmm_nll(NULL, y, t, LB, LK, LA, -5.0f, 2.0f);
    default: return dg_nn_cross_entropy(NULL, y, labels, LB, LC);
  }
}

static void test_losses(void) {
  float dy[LB * (LK + 2 * LK * LA)];
  fill(t, LB * LA, -1, 1);
  for (int i = 0; i < LB; i++) labels[i] = (int)dg_rng_below(&rng, LC);
  const char* names[] = {"mse d/dy", "gaussian nll d/dy", "gmm nll d/dy", "cross-entropy d/dy"};
  const int widths[] = {LA, 2 * LA, LK + 2 * LK * LA, LC};
  for (loss_kind = 0; loss_kind < 4; loss_kind++) {
    int n = LB * widths[loss_kind];
    fill(y, n, -1, 1);
    double L;
    switch (loss_kind) {
      case 0: L = dg_nn_mse_loss(dy, y, t, LB, LA); break;
      case 1: L = dg_nn_gaussian_nll(dy, y, t, LB, LA, -5.0f, 2.0f); break;
      case 2: L = dg_nn_gmm_nll(dy, y, t, LB, LK, LA, -5.0f, 2.0f); break;
      default: L = dg_nn_cross_entropy(dy, y, labels, LB, LC); break;
    }
    CHECK_NEAR(L, f_loss(NULL), 1e-9);
    check_grad(names[loss_kind], f_loss, NULL, y, dy, n, 1e-3);
  }

  // values: a GMM of one component is the Gaussian; a Gaussian NLL at its mean with sigma 1 is
  // log(2 pi) / 2; uniform logits give cross-entropy log C
  float g1[2 * LA], m1[1 + 2 * LA], tt[LA] = {0.3f, -0.2f, 0.9f};
  fill(g1, 2 * LA, -1, 1);
  m1[0] = 0.7f;
  memcpy(m1 + 1, g1, sizeof(g1));
  CHECK_NEAR(dg_nn_gmm_nll(NULL, m1, tt, 1, 1, LA, -5, 2),
             dg_nn_gaussian_nll(NULL, g1, tt, 1, LA, -5, 2), 1e-6);
  float raw0 = 0.0f;  // bounded log std of raw x with lo = -hi is 0 at x = 0
  CHECK_NEAR(dg_nn_bounded_log_std(raw0, -3, 3), 0.0, 1e-7);
  float g0[2] = {0.5f, 0.0f}, t0 = 0.5f;
  CHECK_NEAR(dg_nn_gaussian_nll(NULL, g0, &t0, 1, 1, -3, 3), 0.91893853320467274, 1e-6);
  float zero[LC] = {0};
  int lab = 2;
  CHECK_NEAR(dg_nn_cross_entropy(NULL, zero, &lab, 1, LC), log(LC), 1e-6);
  float yy[2] = {1, 2}, tt2[2] = {0, 0};
  CHECK_NEAR(dg_nn_mse_loss(NULL, yy, tt2, 1, 2), 2.5, 1e-9);
}

// --- the MLP: every parameter's gradient and the input gradient ------------------------------

static dg_mlp net;
static float target[8 * 16];
static int mb;

static double f_mlp(void* ctx) {
  dg_mlp_forward(&net, mb);
  return dg_nn_mse_loss(NULL, net.y, target, mb, net.cfg.out);
}

static void test_mlp(void) {
  for (int variant = 0; variant < 8; variant++) {
    dg_mlp_config cfg = {.in = 5, .hidden = 6, .layers = variant % 3, .out = 3,
                         .act = variant % 4, .layer_norm = variant >= 4};
    if (variant == 7) cfg.layers = 3;
    mb = 4;
    CHECK(dg_mlp_config_check(&cfg, NULL, 0) == 0);
    CHECK(dg_mlp_init(&net, &cfg, 8) == 0);
    CHECK(net.nparams == dg_mlp_param_count(&cfg));
    dg_mlp_init_params(&net, &rng);
    // scramble the layer norm's gains and shifts so that their gradients are generic
    if (cfg.layer_norm)
      for (int l = 0; l < cfg.layers; l++) fill(net.ln_w[l], 2 * cfg.hidden, 0.5, 1.5);
    fill(net.x, mb * cfg.in, -1.5, 1.5);
    fill(target, mb * cfg.out, -1, 1);
    dg_mlp_forward(&net, mb);
    dg_nn_mse_loss(net.dy, net.y, target, mb, cfg.out);
    // backward adds: two passes give twice the gradient
    dg_mlp_zero_grad(&net);
    dg_mlp_backward(&net, mb, 1);
    dg_mlp_backward(&net, mb, 1);
    for (size_t i = 0; i < net.nparams; i++) net.grads[i] *= 0.5f;
    char what[96];
    snprintf(what, sizeof(what), "mlp L%d %s%s params", cfg.layers, dg_nn_act_name(cfg.act),
             cfg.layer_norm ? "+ln" : "");
    // relu kinks: the FD step must stay inside one linear piece, so relu gets a smaller step;
    // smooth nets get the step where truncation and float32 rounding errors balance
    double h = cfg.act == DG_NN_RELU ? 1e-3 : 3e-3;
    check_grad(what, f_mlp, NULL, net.params, net.grads, (int)net.nparams, h);
    float dx[8 * 5];
    memcpy(dx, net.dx, sizeof(float) * mb * cfg.in);
    snprintf(what, sizeof(what), "mlp L%d d/dx", cfg.layers);
    check_grad(what, f_mlp, NULL, net.x, dx, mb * cfg.in, h);
    // the tensors tile the parameters in layout order, weight matrices first
    size_t next = 0, off;
    int rows, cols, count = 0;
    char name[32];
    while (dg_mlp_tensor(&net, count, name, sizeof(name), &off, &rows, &cols) == 0) {
      CHECK_MSG(off == next, "tensor %s at %zu, expected %zu", name, off, next);
      if (count == 0) CHECK(strcmp(name, "fc0.weight") == 0 || strcmp(name, "out.weight") == 0);
      next += (size_t)rows * (cols ? cols : 1);
      count++;
    }
    CHECK(next == net.nparams);
    CHECK(count == 2 * (cfg.layers + 1) + (cfg.layer_norm ? 2 * cfg.layers : 0));
    dg_mlp_free(&net);
  }
  dg_mlp_config bad = {.in = 0, .hidden = 4, .layers = 1, .out = 1};
  char err[256];
  CHECK(dg_mlp_config_check(&bad, err, sizeof(err)) == -1 && strstr(err, "in 0"));
}

// --- the optimizer --------------------------------------------------------------------------

static void test_optim(void) {
  // clipping scales to the wanted norm and reports the norm before
  float g[4] = {3, 4, 0, 0};
  CHECK_NEAR(dg_nn_clip_grad_norm(g, 4, 1.0), 5.0, 1e-6);
  CHECK_NEAR(g[0], 0.6, 1e-6);
  CHECK_NEAR(g[1], 0.8, 1e-6);
  CHECK_NEAR(dg_nn_clip_grad_norm(g, 4, 10.0), 1.0, 1e-6);
  CHECK_NEAR(g[0], 0.6, 1e-6);

  // AdamW's first step moves each parameter by lr * sign(g) (+ decay on matrices only)
  float p[3] = {1, 1, 1}, gr[3] = {0.5f, -2.0f, 0.1f}, m[3] = {0}, v[3] = {0};
  dg_nn_adamw(p, gr, m, v, 3, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0.01f, 1);
  CHECK_NEAR(p[0], 1 - 0.1 * (1 + 0.01), 1e-5);
  CHECK_NEAR(p[1], 1 + 0.1, 1e-5);
  CHECK_NEAR(p[2], 1 - 0.1, 1e-5);
  // second step with the same gradient: the same size of step again (moments agree)
  dg_nn_adamw(p, gr, m, v, 3, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0.0f, 2);
  CHECK_NEAR(p[1], 1 + 0.2, 1e-5);

  // warm-up then cosine: linear rise, the peak after warm-up, min at the end, half-way between
  CHECK_NEAR(dg_nn_lr_at(0, 110, 10, 1.0, 0.1), 0.1, 1e-12);
  CHECK_NEAR(dg_nn_lr_at(9, 110, 10, 1.0, 0.1), 1.0, 1e-12);
  CHECK_NEAR(dg_nn_lr_at(10, 110, 10, 1.0, 0.1), 1.0, 1e-12);
  CHECK_NEAR(dg_nn_lr_at(109, 110, 10, 1.0, 0.1), 0.1, 1e-12);
  CHECK_NEAR(dg_nn_lr_at(59, 110, 10, 1.0, 0.1), 0.55, 0.02);
  for (long s = 11; s < 110; s++)
    CHECK(dg_nn_lr_at(s, 110, 10, 1.0, 0.1) <= dg_nn_lr_at(s - 1, 110, 10, 1.0, 0.1));
}

int main(void) {
  dg_rng_seed(&rng, 42);
  test_layers();
  test_losses();
  test_mlp();
  test_optim();
  printf("test_nn_grad: ok\n");
  return 0;
}
