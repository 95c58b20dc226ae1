// bench_train.c: training throughput of demogym's MLP (behaviour cloning's real loop, class mse:
// minibatch sampling, forward, loss, backward, clipping, AdamW, schedule) and, in the same run,
// OpenBLAS's own sgemm rate on exactly the matrix products one training step makes, so the
// fraction of the sgemm rate the whole step reaches is a ratio measured side by side.
// Prints one JSON object. The PyTorch side is bench_train_torch.py; bench_train.sh runs both.
//
// usage: bench_train [--hidden H] [--layers L] [--batch B] [--steps N] [--threads T]
//                    [--obs O] [--act A] [--samples N]
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demogym/bc.h"
#include "demogym/rng.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// the matrix products of one step of an MLP (in -> H x L -> out) at batch B, as linear layers
// make them: forward y = x W^T; backward dW += dy^T x and dx += dy W (not for the input layer).
// x, y hold B x max(in, H, out) floats, W max(in, H, out)^2. Returns the step's flops.
static double gemm_step(float* x, float* W, float* y, int in, int H, int L, int out, int B) {
  double flops = 0;
  for (int l = 0; l <= L; l++) {
    int C = l == 0 ? in : H, OC = l == L ? out : H;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, OC, C, 1.0f, x, C, W, C, 1.0f, y, OC);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, B, 1.0f, y, OC, x, C, 1.0f, W, C);
    flops += 4.0 * B * C * OC;
    if (l > 0) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, C, OC, 1.0f, y, OC, W, C, 1.0f, x,
                  C);
      flops += 2.0 * B * C * OC;
    }
  }
  return flops;
}

int main(int argc, char** argv) {
  int hidden = 256, layers = 2, batch = 256, threads = 1, obs = 32, act = 4, n = 20000;
  long steps = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--hidden")) hidden = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--layers")) layers = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--batch")) batch = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--steps")) steps = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--obs")) obs = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--act")) act = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--samples")) n = atoi(argv[i + 1]);
    else {
      fprintf(stderr, "bench_train: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  // synthetic samples: random observations, actions a smooth function of them
  dg_samples s;
  memset(&s, 0, sizeof(s));
  s.n = n, s.obs_dim = obs, s.act_dim = act, s.ndemos = 1;
  s.obs = malloc(sizeof(double) * n * obs);
  s.labels = malloc(sizeof(double) * n * act);
  s.actions = s.labels;
  dg_rng rng;
  dg_rng_seed(&rng, 1);
  for (long i = 0; i < (long)n * obs; i++) s.obs[i] = dg_rng_range(&rng, -1, 1);
  for (int i = 0; i < n; i++)
    for (int d = 0; d < act; d++) s.labels[i * act + d] = 0.5 * s.obs[i * obs + d] * s.obs[i * obs];

  // demogym: the training loop, as `demogym train --policy-class mse` runs it
  dg_bc_train_options o;
  dg_bc_train_options_default(&o, "mse");
  o.config.hidden = hidden, o.config.layers = layers;
  o.batch = batch, o.steps = steps, o.threads = threads, o.seed = 1;
  dg_bc_model* m;
  dg_bc_report rep;
  if (dg_bc_train(&s, NULL, &o, &m, &rep)) {
    fprintf(stderr, "bench_train: %s\n", dg_last_errmsg());
    return 1;
  }
  dg_bc_model_close(&m);

  // OpenBLAS alone: the same products, timed for as long
  size_t w = (size_t)(hidden > obs ? hidden : obs);
  w = w > (size_t)act ? w : (size_t)act;
  float* x = calloc((size_t)batch * w, sizeof(float));
  float* W = calloc(w * w, sizeof(float));
  float* y = calloc((size_t)batch * w, sizeof(float));
  double flops = gemm_step(x, W, y, obs, hidden, layers, act, batch), t0 = now();
  long reps = 0;
  while (now() - t0 < rep.seconds || reps < 10) {
    gemm_step(x, W, y, obs, hidden, layers, act, batch);
    reps++;
  }
  double gemm_seconds = (now() - t0) / reps;
  // and a large square product for reference
  int N = 1024;
  float* a = calloc((size_t)N * N * 3, sizeof(float));
  t0 = now();
  int sq = 0;
  while (now() - t0 < 0.5 || sq < 3) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, a + N * N, N, 0.0f,
                a + 2 * N * N, N);
    sq++;
  }
  double square_gflops = 2.0 * N * N * N * sq / (now() - t0) / 1e9;
  double step_seconds = rep.seconds / rep.steps;
  printf("{\"side\": \"demogym\", \"hidden\": %d, \"layers\": %d, \"batch\": %d, \"threads\": %d, "
         "\"steps\": %ld, \"steps_per_second\": %.2f, \"samples_per_second\": %.1f, "
         "\"train_gflops\": %.3f, \"sgemm_gflops_same_shapes\": %.3f, "
         "\"sgemm_fraction\": %.3f, \"sgemm_gflops_1024\": %.2f, \"openblas_core\": \"%s\"}\n",
         hidden, layers, batch, threads, rep.steps, 1.0 / step_seconds, rep.samples_per_second,
         flops / step_seconds / 1e9, flops / gemm_seconds / 1e9, gemm_seconds / step_seconds,
         square_gflops, openblas_get_corename());
  free(x), free(W), free(y);
  free(a);
  free(s.obs);
  free(s.labels);
  return 0;
}
