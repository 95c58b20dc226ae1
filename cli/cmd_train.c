// cmd_train.c: `demogym train --data FILE --policy-class C --out CKPT`: behaviour cloning on a
// dataset, validated on its mask/valid split, the best checkpoint kept.
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demogym/bc.h"
#include "demogym/dataset.h"

static void help(void) {
  printf(
      "usage: demogym train --data FILE --policy-class C --out CKPT [--steps N] [--batch B]\n"
      "                     [--hidden W] [--layers L] [--seed S] [--filter-key K]\n"
      "                     [--valid-key K] [--lr R] [--json] [-q] [-v] [more options below]\n\n"
      "Behaviour cloning: train a policy of class C (mse, gaussian, gmm, ar, diffusion) on the\n"
      "demos of FILE named by mask/K (--filter-key; default: mask/train when the file has it,\n"
      "else every demo), validate on mask/valid (--valid-key; 'none' to skip) every N/20 steps,\n"
      "and write the parameters of the best validation loss to CKPT (an HDF5 checkpoint).\n"
      "The same data, options and seed give the same checkpoint bit for bit.\n\n"
      "  --steps N            optimizer steps (default 5000)\n"
      "  --batch B            minibatch size (default 256)\n"
      "  --hidden W           hidden width (default 256)\n"
      "  --layers L           hidden layers (default 3)\n"
      "  --activation A       relu (default), silu, mish, tanh\n"
      "  --layer-norm         layer norm in each hidden layer\n"
      "  --lr R               peak learning rate (default 1e-3; warm-up then cosine to R/10)\n"
      "  --min-lr R           learning rate at the end (default lr/10)\n"
      "  --weight-decay W     AdamW weight decay (default 1e-4)\n"
      "  --grad-clip G        clip the gradient norm to G (default 1; 0 never)\n"
      "  --ema D              keep a moving average of the parameters (decay D, e.g. 0.999)\n"
      "  --valid-every N      validate every N steps (default steps/20)\n"
      "  --threads T          OpenBLAS threads (default 1)\n"
      "  --components K       gmm: mixture components (default 5)\n"
      "  --bins B             ar: bins per action dimension (default 64)\n"
      "  --diffusion-steps T  diffusion: noise levels (default 100)\n"
      "  --sample-steps S     diffusion: DDIM steps when acting (default 20; T: DDPM)\n"
      "  --sampling M         how the policy acts: default, mode, step, episode (see README)\n"
      "  --init CKPT          warm start from CKPT (its class, sizes and normalisation)\n"
      "  --seed S             initialisation, minibatches and noise (default 0)\n");
}

typedef struct progress_state {
  int on;
} progress_state;

static int on_progress(void* user, const dg_bc_progress* p) {
  progress_state* st = user;
  if (!st->on) return 0;
  char valid[32] = "";
  if (!isnan(p->valid_loss)) snprintf(valid, sizeof(valid), "  valid %.4f", p->valid_loss);
  fprintf(stderr, "\rtrain step %ld/%ld  loss %.4f%s  %.0f samples/s   ", p->step, p->steps,
          p->train_loss, valid, p->samples_per_second);
  fflush(stderr);
  return 0;
}

// load the demos of mask/key (NULL: all); optional: a missing mask gives an empty set
static int load_split(dg_dataset* ds, const char* key, int optional, dg_samples* out) {
  memset(out, 0, sizeof(*out));
  int rc = dg_dataset_load_samples(ds, key, out);
  if (rc == DG_ERR_NOTFOUND && optional) {
    memset(out, 0, sizeof(*out));
    return DG_OK;
  }
  return rc;
}

int cmd_train(int argc, char** argv) {
  cli_common common = {0};
  const char *data = NULL, *cls = NULL, *out = NULL, *filter = NULL, *valid_key = "valid";
  const char *init_path = NULL, *sampling = NULL, *activation = NULL;
  long steps = 5000, batch = 256, hidden = 256, layers = 3, valid_every = 0, threads = 1;
  long components = -1, bins = -1, dsteps = -1, ssteps = -1;
  int layer_norm = 0;
  double lr = 1e-3, min_lr = -1, wd = 1e-4, clip = 1.0, ema = 0.0;
  uint64_t seed = 0;
  enum { O_DATA = 256, O_CLASS, O_OUT, O_STEPS, O_BATCH, O_HIDDEN, O_LAYERS, O_FILTER, O_VALID,
         O_LR, O_MINLR, O_WD, O_CLIP, O_EVERY, O_THREADS, O_K, O_BINS, O_DSTEPS, O_SSTEPS,
         O_SAMPLING, O_INIT, O_ACT, O_LN, O_EMA };
  static const struct option longopts[] = {
      {"data", required_argument, 0, O_DATA},        {"policy-class", required_argument, 0, O_CLASS},
      {"out", required_argument, 0, O_OUT},          {"steps", required_argument, 0, O_STEPS},
      {"batch", required_argument, 0, O_BATCH},      {"hidden", required_argument, 0, O_HIDDEN},
      {"layers", required_argument, 0, O_LAYERS},    {"filter-key", required_argument, 0, O_FILTER},
      {"valid-key", required_argument, 0, O_VALID},  {"lr", required_argument, 0, O_LR},
      {"min-lr", required_argument, 0, O_MINLR},     {"weight-decay", required_argument, 0, O_WD},
      {"grad-clip", required_argument, 0, O_CLIP},   {"valid-every", required_argument, 0, O_EVERY},
      {"threads", required_argument, 0, O_THREADS},  {"components", required_argument, 0, O_K},
      {"bins", required_argument, 0, O_BINS},        {"diffusion-steps", required_argument, 0, O_DSTEPS},
      {"sample-steps", required_argument, 0, O_SSTEPS}, {"sampling", required_argument, 0, O_SAMPLING},
      {"init", required_argument, 0, O_INIT},        {"activation", required_argument, 0, O_ACT},
      {"layer-norm", no_argument, 0, O_LN},          {"seed", required_argument, 0, 's'},
      {"ema", required_argument, 0, O_EMA},
      {"json", no_argument, 0, 'j'},                 {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqs:", longopts, NULL)) != -1) {
    int bad = 0;
    switch (c) {
      case O_DATA: data = optarg; break;
      case O_CLASS: cls = optarg; break;
      case O_OUT: out = optarg; break;
      case O_STEPS: bad = cli_parse_int("train", "--steps", optarg, 1, 100000000, &steps); break;
      case O_BATCH: bad = cli_parse_int("train", "--batch", optarg, 1, 65536, &batch); break;
      case O_HIDDEN: bad = cli_parse_int("train", "--hidden", optarg, 1, 8192, &hidden); break;
      case O_LAYERS: bad = cli_parse_int("train", "--layers", optarg, 1, 8, &layers); break;
      case O_FILTER: filter = optarg; break;
      case O_VALID: valid_key = optarg; break;
      case O_LR: bad = cli_parse_double("train", "--lr", optarg, 1e-12, 10, &lr); break;
      case O_MINLR: bad = cli_parse_double("train", "--min-lr", optarg, 0, 10, &min_lr); break;
      case O_WD: bad = cli_parse_double("train", "--weight-decay", optarg, 0, 10, &wd); break;
      case O_CLIP: bad = cli_parse_double("train", "--grad-clip", optarg, 0, 1e9, &clip); break;
      case O_EMA: bad = cli_parse_double("train", "--ema", optarg, 0, 0.999999, &ema); break;
      case O_EVERY:
        bad = cli_parse_int("train", "--valid-every", optarg, 1, 100000000, &valid_every);
        break;
      case O_THREADS: bad = cli_parse_int("train", "--threads", optarg, 1, 256, &threads); break;
      case O_K: bad = cli_parse_int("train", "--components", optarg, 1, 64, &components); break;
      case O_BINS: bad = cli_parse_int("train", "--bins", optarg, 2, 1024, &bins); break;
      case O_DSTEPS:
        bad = cli_parse_int("train", "--diffusion-steps", optarg, 2, 1000, &dsteps);
        break;
      case O_SSTEPS: bad = cli_parse_int("train", "--sample-steps", optarg, 1, 1000, &ssteps); break;
      case O_SAMPLING: sampling = optarg; break;
      case O_INIT: init_path = optarg; break;
      case O_ACT: activation = optarg; break;
      case O_LN: layer_norm = 1; break;
      case 's': bad = cli_parse_seed("train", optarg, &seed); break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("train", "unknown option");
    }
    if (bad) return EXIT_USAGE;
  }
  if (optind != argc) return cli_usage_error("train", "unexpected argument '%s'", argv[optind]);
  if (!data || !out) return cli_usage_error("train", "--data FILE and --out CKPT are required");
  if (!cls && !init_path) return cli_usage_error("train", "--policy-class C is required");
  if (cls && !dg_bc_class_known(cls))
    return cli_usage_error("train", "unknown policy class '%s': use mse, gaussian, gmm, ar or "
                           "diffusion", cls);
  cli_install_logger(common.verbose);

  // options
  dg_bc_train_options o;
  dg_bc_train_options_default(&o, cls);
  dg_bc_config* cfg = &o.config;
  o.steps = steps, o.batch = (int)batch, o.lr = lr, o.min_lr = min_lr, o.weight_decay = wd;
  o.grad_clip = clip, o.ema = ema, o.seed = seed, o.threads = (int)threads, o.valid_every = valid_every;
  cfg->hidden = (int)hidden, cfg->layers = (int)layers, cfg->layer_norm = layer_norm;
  if (components > 0) cfg->components = (int)components;
  if (bins > 0) cfg->bins = (int)bins;
  if (dsteps > 0) cfg->diffusion_steps = (int)dsteps;
  if (ssteps > 0) cfg->sample_steps = (int)ssteps;
  if (cfg->sample_steps > cfg->diffusion_steps)
    return cli_usage_error("train", "--sample-steps %d exceeds --diffusion-steps %d",
                           cfg->sample_steps, cfg->diffusion_steps);
  if (activation) {
    static const char* names[] = {"relu", "silu", "mish", "tanh"};
    cfg->activation = -1;
    for (int i = 0; i < 4; i++)
      if (!strcmp(activation, names[i])) cfg->activation = i;
    if (cfg->activation < 0)
      return cli_usage_error("train", "--activation expects relu, silu, mish or tanh, got '%s'",
                             activation);
  }
  int sampling_mode = DG_BC_SAMPLE_DEFAULT;
  if (sampling) {
    static const char* names[] = {"default", "mode", "step", "episode"};
    sampling_mode = -1;
    for (int i = 0; i < 4; i++)
      if (!strcmp(sampling, names[i])) sampling_mode = i;
    if (sampling_mode < 0)
      return cli_usage_error("train", "--sampling expects default, mode, step or episode, got "
                             "'%s'", sampling);
    cfg->sampling = sampling_mode;
  }

  // the data: the training split, and the validation split when there is one
  dg_dataset* ds = NULL;
  dg_samples tr = {0}, va = {0};
  dg_bc_model *init = NULL, *model = NULL;
  int rc = dg_dataset_open(data, &ds), code = EXIT_OK;
  if (rc) return cli_error(cli_exit_for(rc), "train", "%s", dg_last_errmsg());
  const char* train_key = filter ? filter : "train";
  rc = load_split(ds, train_key, filter == NULL, &tr);
  if (!rc && tr.n == 0 && !filter) {
    train_key = "all demos";
    rc = dg_dataset_load_samples(ds, NULL, &tr);
  }
  if (!rc && strcmp(valid_key, "none") != 0) rc = load_split(ds, valid_key, 1, &va);
  if (!rc && tr.n == 0) {
    dg_set_last_errmsg("%s: no samples in %s", data, train_key);
    rc = DG_ERR_INVALID;
  }
  if (rc) {
    code = cli_error(cli_exit_for(rc), "train", "%s", dg_last_errmsg());
    goto done;
  }
  if (init_path) {
    if ((rc = dg_bc_load(init_path, &init))) {
      code = cli_error(cli_exit_for(rc), "train", "%s", dg_last_errmsg());
      goto done;
    }
    if (cls && strcmp(cls, dg_bc_model_config(init)->policy_class) != 0) {
      code = cli_usage_error("train", "--init %s holds a %s policy, not %s", init_path,
                             dg_bc_model_config(init)->policy_class, cls);
      goto done;
    }
    o.init = init;
  }

  // train, with a progress line on a terminal and Ctrl-C keeping the best model so far
  progress_state ps = {cli_want_progress(&common)};
  o.progress = on_progress;
  o.user = &ps;
  cli_install_interrupt();
  o.stop = cli_stop_flag();
  dg_bc_report rep;
  rc = dg_bc_train(&tr, va.n ? &va : NULL, &o, &model, &rep);
  if (ps.on) cli_progress_end();
  if (rc && rc != DG_ERR_INTERRUPTED) {
    code = cli_error(cli_exit_for(rc), "train", "%s", dg_last_errmsg());
    goto done;
  }
  if (sampling) dg_bc_model_set_sampling(model, sampling_mode);
  int interrupted = rc == DG_ERR_INTERRUPTED;
  if ((rc = dg_bc_save(model, out))) {
    code = cli_error(cli_exit_for(rc), "train", "%s", dg_last_errmsg());
    goto done;
  }
  if (interrupted) {
    code = cli_error(EXIT_INTERRUPTED, "train", "interrupted after %ld steps; saved the best "
                     "model so far to %s", rep.steps, out);
    goto done;
  }

  const dg_bc_config* mc = dg_bc_model_config(model);
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "out", out);
    cJSON_AddStringToObject(root, "policy_class", mc->policy_class);
    cJSON_AddStringToObject(root, "env", tr.env_name);
    cJSON_AddNumberToObject(root, "steps", (double)rep.steps);
    cJSON_AddNumberToObject(root, "batch", (double)batch);
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON_AddNumberToObject(root, "final_train_loss", rep.final_train_loss);
    if (isnan(rep.final_valid_loss)) cJSON_AddNullToObject(root, "final_valid_loss");
    else cJSON_AddNumberToObject(root, "final_valid_loss", rep.final_valid_loss);
    cJSON_AddNumberToObject(root, "best_step", (double)rep.best_step);
    cJSON_AddNumberToObject(root, "train_samples", tr.n);
    cJSON_AddNumberToObject(root, "valid_samples", va.n);
    cJSON_AddNumberToObject(root, "train_demos", tr.ndemos);
    cJSON_AddNumberToObject(root, "valid_demos", va.ndemos);
    cJSON_AddNumberToObject(root, "parameters", (double)rep.nparams);
    cJSON_AddNumberToObject(root, "seconds", rep.seconds);
    cJSON_AddNumberToObject(root, "samples_per_second", rep.samples_per_second);
    cli_print_json(root);
  } else {
    printf("checkpoint     %s\n", out);
    printf("policy class   %s (%d x %d %s%s, %ld parameters)\n", mc->policy_class, mc->layers,
           mc->hidden, (const char*[]){"relu", "silu", "mish", "tanh"}[mc->activation],
           mc->layer_norm ? " + layer norm" : "", rep.nparams);
    printf("data           %s: %d samples in %d demos (%s)", data, tr.n, tr.ndemos, train_key);
    if (va.n) printf(", valid %d samples in %d demos", va.n, va.ndemos);
    printf("\nsteps          %ld x batch %ld (seed %llu)\n", rep.steps, batch,
           (unsigned long long)seed);
    printf("train loss     %.4f\n", rep.final_train_loss);
    if (va.n) printf("valid loss     %.4f (best, at step %ld)\n", rep.final_valid_loss, rep.best_step);
    printf("time           %.1f s (%.0f samples/s)\n", rep.seconds, rep.samples_per_second);
  }
done:
  dg_bc_model_close(&model);
  dg_bc_model_close(&init);
  dg_samples_free(&tr);
  dg_samples_free(&va);
  dg_dataset_close(&ds);
  return code;
}
