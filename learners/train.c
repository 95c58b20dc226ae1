// train.c: behaviour cloning: minibatch training of a model on samples, with validation and the
// best parameters kept.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bc_internal.h"
#include "envs/internal.h"

void dg_bc_train_options_default(dg_bc_train_options* o, const char* cls) {
  memset(o, 0, sizeof(*o));
  dg_bc_config_default(&o->config, cls);
  o->steps = 5000;
  o->batch = 256;
  o->lr = 1e-3;
  o->min_lr = -1.0;
  o->warmup = 0.02;
  o->weight_decay = 1e-4;
  o->grad_clip = 1.0;
  o->seed = 0;
  o->threads = 1;
  o->valid_every = 0;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int check_options(const dg_bc_train_options* o) {
  if (o->steps < 1 || o->batch < 1 || o->batch > 1 << 20 || !(o->lr > 0) || !isfinite(o->lr) ||
      !(o->warmup >= 0 && o->warmup < 1) || !(o->weight_decay >= 0) || !(o->grad_clip >= 0) ||
      o->threads < 1 || o->valid_every < 0 || !isfinite(o->min_lr) || o->min_lr > o->lr ||
      !(o->ema >= 0 && o->ema < 1))
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "bad training options: steps %ld, batch %d, lr %g, min_lr %g, warmup %g, "
                   "weight decay %g, grad clip %g, threads %d, valid_every %ld, ema %g",
                   o->steps, o->batch, o->lr, o->min_lr, o->warmup, o->weight_decay,
                   o->grad_clip, o->threads, o->valid_every, o->ema);
  return DG_OK;
}

// seeds of the run's independent streams
#define STREAM_INIT 1
#define STREAM_BATCH 2

int dg_bc_train(const dg_samples* train, const dg_samples* valid, const dg_bc_train_options* opt,
                dg_bc_model** out, dg_bc_report* report) {
  if (!train || !opt || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_bc_train: NULL argument");
  *out = NULL;
  int rc = check_options(opt);
  if (rc) return rc;
  if (train->n < 1) return dg_fail(NULL, 0, DG_ERR_INVALID, "no training samples");

  // the model: a copy of init (its normalisation kept), or fresh with statistics fitted on train
  dg_bc_model* m = NULL;
  if (opt->init) {
    if (opt->init->obs_dim != train->obs_dim || opt->init->act_dim != train->act_dim)
      return dg_fail(NULL, 0, DG_ERR_INVALID,
                     "warm start: the model reads %d and writes %d values, the samples have "
                     "obs_dim %d and act_dim %d",
                     opt->init->obs_dim, opt->init->act_dim, train->obs_dim, train->act_dim);
    if (opt->init->env_name[0] && train->env_name[0] &&
        strcmp(opt->init->env_name, train->env_name) != 0)
      return dg_fail(NULL, 0, DG_ERR_INVALID, "warm start: the model was trained in %s, the "
                     "samples come from %s", opt->init->env_name, train->env_name);
    rc = dg_bc_model_clone(opt->init, opt->batch, &m);
  } else {
    rc = dg_bc_model_make(&opt->config, train->obs_dim, train->act_dim, train->env_name,
                          opt->batch, &m);
  }
  if (rc) return rc;
  if ((rc = dg_bc_check_samples(m, train, "training")) ||
      (valid && valid->n > 0 && (rc = dg_bc_check_samples(m, valid, "validation")))) {
    dg_bc_model_close(&m);
    return rc;
  }
  if (!opt->init) {
    dg_rng init_rng;
    dg_rng_seed(&init_rng, dg_seed_derive(opt->seed, STREAM_INIT, 0));
    dg_mlp_init_params(&m->net, &init_rng);
    dg_bc_model_fit_stats(m, train);
  }

  // working memory, all made here: normalised samples, the minibatch, the best parameters
  int O = m->obs_dim, A = m->act_dim, B = opt->batch, rows = dg_bc_model_rows(m);
  int nv = valid ? valid->n : 0;
  size_t np = m->net.nparams;
  size_t nf = (size_t)(train->n + nv) * (O + A) + (size_t)B * (O + 2 * A) + np * (opt->ema ? 3 : 1);
  float* work = malloc(sizeof(float) * nf);
  int* labels = malloc(sizeof(int) * (size_t)B * A);
  if (!work || !labels) {
    free(work);
    free(labels);
    dg_bc_model_close(&m);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for training");
  }
  float* tr_obs = work;
  float* tr_act = tr_obs + (size_t)train->n * O;
  float* va_obs = tr_act + (size_t)train->n * A;
  float* va_act = va_obs + (size_t)nv * O;
  float* b_obs = va_act + (size_t)nv * A;
  float* b_act = b_obs + (size_t)B * O;
  float* target = b_act + (size_t)B * A;
  float* best = target + (size_t)B * A;
  float* ema = opt->ema ? best + np : NULL;   // the moving average of the parameters
  float* live = opt->ema ? ema + np : NULL;   // the optimizer's parameters while ema is used
  dg_bc_normalize(m, train, tr_obs, tr_act);
  if (nv) dg_bc_normalize(m, valid, va_obs, va_act);

  dg_bc_set_threads(opt->threads);
  dg_rng rng;
  dg_rng_seed(&rng, dg_seed_derive(opt->seed, STREAM_BATCH, 0));
  long steps = opt->steps, warmup = (long)(opt->warmup * steps);
  long every = opt->valid_every > 0 ? opt->valid_every : (steps >= 20 ? steps / 20 : 1);
  double min_lr = opt->min_lr >= 0 ? opt->min_lr : opt->lr * 0.1;
  dg_bc_report rep = {0};
  rep.nparams = (long)m->net.nparams;
  rep.final_valid_loss = rep.best_valid_loss = NAN;
  rep.best_step = steps;
  double period_loss = 0.0, t0 = now_seconds();
  long period_n = 0, step = 0;
  dg_bc_batch batch = {B, b_obs, b_act, target, labels};
  memcpy(best, m->net.params, sizeof(float) * np);
  if (ema) memcpy(ema, m->net.params, sizeof(float) * np);

  for (step = 0; step < steps; step++) {
    // a minibatch drawn with replacement from the model's seeded stream
    for (int i = 0; i < B; i++) {
      size_t k = (size_t)dg_rng_below(&rng, (uint64_t)train->n);
      memcpy(b_obs + (size_t)i * O, tr_obs + k * O, sizeof(float) * O);
      memcpy(b_act + (size_t)i * A, tr_act + k * A, sizeof(float) * A);
    }
    m->head->make_batch(m, &batch, &rng);
    // forward, loss, backward
    dg_mlp_forward(&m->net, B * rows);
    double loss = m->head->loss(m, &batch, 1);
    dg_mlp_zero_grad(&m->net);
    dg_mlp_backward(&m->net, B * rows, 0);
    // clip, schedule, AdamW
    dg_nn_clip_grad_norm(m->net.grads, m->net.nparams, opt->grad_clip);
    double lr = dg_nn_lr_at(step, steps, warmup, opt->lr, min_lr);
    m->net.step++;
    dg_nn_adamw(m->net.params, m->net.grads, m->net.m, m->net.v, m->net.nparams, m->net.ndecay,
                (float)lr, 0.9f, 0.999f, 1e-8f, (float)opt->weight_decay, m->net.step);
    if (ema) {
      float decay = (float)fmin(opt->ema, (1.0 + step) / (10.0 + step));
      for (size_t i = 0; i < np; i++) ema[i] = decay * ema[i] + (1.0f - decay) * m->net.params[i];
    }
    period_loss += loss;
    period_n++;
    if (!isfinite(loss)) {
      rc = dg_fail(NULL, 0, DG_ERR_INVALID,
                   "training diverged at step %ld (loss %g): lower the learning rate", step, loss);
      break;
    }

    // validation and progress every `every` steps and at the end
    int last = step + 1 == steps, stopping = opt->stop && *opt->stop;
    if ((step + 1) % every == 0 || last || stopping) {
      double seconds = now_seconds() - t0;
      rep.final_train_loss = period_loss / period_n;
      period_loss = 0.0, period_n = 0;
      if (nv) {
        // the averaged parameters are the ones validated and kept
        if (ema) {
          memcpy(live, m->net.params, sizeof(float) * np);
          memcpy(m->net.params, ema, sizeof(float) * np);
        }
        double vl = dg_bc_loss_over(m, va_obs, va_act, nv, target, labels);
        rep.final_valid_loss = vl;
        if (!(vl >= rep.best_valid_loss)) {  // also when best is still NAN
          rep.best_valid_loss = vl;
          rep.best_step = step + 1;
          memcpy(best, m->net.params, sizeof(float) * np);
        }
        if (ema) memcpy(m->net.params, live, sizeof(float) * np);
      }
      if (opt->progress) {
        dg_bc_progress p = {step + 1, steps, rep.final_train_loss, rep.final_valid_loss,
                            rep.best_valid_loss,
                            seconds > 0 ? (double)(step + 1) * B / seconds : 0.0, seconds};
        if (opt->progress(opt->user, &p)) stopping = 1;
      }
      if (stopping) {
        rc = dg_fail(NULL, 0, DG_ERR_INTERRUPTED, "training stopped at step %ld of %ld",
                     step + 1, steps);
        step++;
        break;
      }
    }
  }

  // the result: the best validated parameters (or the last without a split)
  rep.steps = step;
  rep.seconds = now_seconds() - t0;
  rep.samples_per_second = rep.seconds > 0 ? (double)step * B / rep.seconds : 0.0;
  if (nv && isfinite(rep.best_valid_loss)) {
    memcpy(m->net.params, best, sizeof(float) * np);
    rep.final_valid_loss = rep.best_valid_loss;
  } else {
    if (ema) memcpy(m->net.params, ema, sizeof(float) * np);
    rep.best_step = step;
  }
  m->report = rep;
  free(work);
  free(labels);
  if (report) *report = rep;
  if (rc && rc != DG_ERR_INTERRUPTED) {
    dg_bc_model_close(&m);
    return rc;
  }
  *out = m;
  return rc;
}
