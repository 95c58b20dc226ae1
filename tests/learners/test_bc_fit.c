// test_bc_fit.c: each policy class learns a small synthetic task: a smooth unimodal map (all fit
// it), and a bimodal one where mse (and the gaussian's mean) lands between the modes while gmm,
// ar and diffusion put their actions on the modes and, sampled afresh, visit both.
#include <stdio.h>

#include "learners/bc_internal.h"
#include "synth.h"

static const char* classes[] = {"mse", "gaussian", "gmm", "ar", "diffusion"};

// act with model m on obs under sampling and seed
static void act(dg_bc_model* m, int sampling, uint64_t seed, const double* obs, double* a) {
  dg_bc_sampler s;
  float obs_n[8];
  CHECK_OK(dg_bc_sampler_init(&s, m, sampling));
  dg_bc_sampler_reset(&s, seed);
  dg_bc_model* m1;
  CHECK_OK(dg_bc_model_clone(m, 1, &m1));
  dg_bc_act(m1, &s, obs, obs_n, a);
  dg_bc_model_close(&m1);
  dg_bc_sampler_free(&s);
}

static void test_unimodal(void) {
  dg_samples tr, va;
  synth_unimodal(&tr, 3000, 1);
  synth_unimodal(&va, 500, 2);
  for (int c = 0; c < 5; c++) {
    dg_bc_train_options o;
    synth_options(&o, classes[c], 800);
    dg_bc_model* m;
    dg_bc_report rep;
    CHECK_OK(dg_bc_train(&tr, &va, &o, &m, &rep));
    CHECK(rep.steps == 800 && isfinite(rep.final_valid_loss) && rep.best_step > 0);
    // mean absolute error of the default action at held-out points
    double err = 0.0;
    dg_rng rng;
    dg_rng_seed(&rng, 9);
    for (int i = 0; i < 100; i++) {
      double x[3], want[2], got[2];
      for (int j = 0; j < 3; j++) x[j] = dg_rng_range(&rng, -0.9, 0.9);
      synth_unimodal_action(x, want);
      act(m, DG_BC_SAMPLE_DEFAULT, (uint64_t)i, x, got);
      err += (fabs(got[0] - want[0]) + fabs(got[1] - want[1])) / 200.0;
    }
    printf("  unimodal %-9s mean |error| %.4f, valid loss %.4f (%.0f samples/s)\n", classes[c],
           err, rep.final_valid_loss, rep.samples_per_second);
    CHECK_MSG(err < 0.05, "%s does not fit a smooth map: error %.3f", classes[c], err);
    dg_bc_model_close(&m);
  }
  synth_free(&tr);
  synth_free(&va);
}

static void test_bimodal(void) {
  dg_samples tr;
  synth_bimodal(&tr, 3000, 3);
  for (int c = 0; c < 5; c++) {
    dg_bc_train_options o;
    // diffusion's few-step DDIM sampler needs a better trained noise model to be precise
    synth_options(&o, classes[c], c == 4 ? 3000 : 1000);
    dg_bc_model* m;
    CHECK_OK(dg_bc_train(&tr, NULL, &o, &m, NULL));
    // the default action at test points: between the modes (mse, gaussian) or on one of them.
    // Diffusion's default (DDIM from zero noise) is deterministic and, where the two modes are
    // exactly symmetric as here, lands between them; its per-episode draws pick a mode
    int sampling = c == 4 ? DG_BC_SAMPLE_EPISODE : DG_BC_SAMPLE_DEFAULT;
    int on_mode = 0, between = 0, plus = 0, n = 60, draws = 200;
    double err1 = 0.0;
    for (int i = 0; i < n; i++) {
      double x[2] = {-0.9 + 1.8 * i / (n - 1), 0.3}, a[2];
      act(m, sampling, (uint64_t)i, x, a);
      on_mode += fabs(fabs(a[0]) - SYNTH_MODE) < 0.1;
      between += fabs(a[0]) < 0.5 * SYNTH_MODE;
      err1 += fabs(a[1] - 0.5 * x[0]) / n;
    }
    // fresh draws at one point: how often the upper mode comes out
    for (int i = 0; i < draws; i++) {
      double x[2] = {0.2, -0.4}, a[2];
      act(m, DG_BC_SAMPLE_STEP, 1000 + (uint64_t)i, x, a);
      plus += a[0] > 0;
    }
    printf("  bimodal  %-9s on a mode %d/%d, between %d/%d, sampled upper mode %d/%d, "
           "|error| of the other dimension %.3f\n",
           classes[c], on_mode, n, between, n, plus, draws, err1);
    if (c <= 1) {
      CHECK_MSG(between == n, "%s should regress to the mean of the modes", classes[c]);
    } else {
      CHECK_MSG(on_mode >= 0.9 * n && between <= 0.05 * n, "%s should act on a mode",
                classes[c]);
      CHECK_MSG(plus > draws / 4 && plus < 3 * draws / 4, "%s should sample both modes",
                classes[c]);
    }
    CHECK_MSG(err1 < 0.08, "%s misses the unimodal dimension", classes[c]);
    dg_bc_model_close(&m);
  }
  synth_free(&tr);
}

// the moving average of the parameters: a model of its own that fits as well, and validation
// judges the averaged parameters
static void test_ema(void) {
  dg_samples tr, va;
  synth_unimodal(&tr, 2000, 5);
  synth_unimodal(&va, 300, 6);
  dg_bc_train_options o;
  synth_options(&o, "mse", 600);
  dg_bc_model *plain, *avg;
  dg_bc_report rp, ra;
  CHECK_OK(dg_bc_train(&tr, &va, &o, &plain, &rp));
  o.ema = 0.99;
  CHECK_OK(dg_bc_train(&tr, &va, &o, &avg, &ra));
  CHECK(memcmp(plain->net.params, avg->net.params, sizeof(float) * plain->net.nparams) != 0);
  double loss;
  CHECK_OK(dg_bc_model_loss(avg, &va, &loss));
  CHECK_NEAR(loss, ra.final_valid_loss, 1e-6 + 1e-4 * loss);
  printf("  ema: valid loss %.5f with the average, %.5f without\n", ra.final_valid_loss,
         rp.final_valid_loss);
  CHECK(ra.final_valid_loss < 2 * rp.final_valid_loss + 1e-3);
  o.ema = 1.0;
  dg_bc_model* none;
  CHECK(dg_bc_train(&tr, NULL, &o, &none, NULL) == DG_ERR_INVALID && none == NULL);
  dg_bc_model_close(&plain);
  dg_bc_model_close(&avg);
  synth_free(&tr);
  synth_free(&va);
}

int main(void) {
  test_ema();
  test_unimodal();
  test_bimodal();
  printf("test_bc_fit: ok\n");
  return 0;
}
