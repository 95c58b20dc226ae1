// cmd_dagger.c: `demogym dagger ENV --policy-class C --out DIR`: DAgger or HG-DAgger (--gated)
// with the scripted expert as the oracle; a summary (JSON, CSV) and a plot of success against
// expert labels, with the BC baseline on as many labels (--compare-bc).
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dagger_plot.h"
#include "demogym/dagger.h"

static void help(void) {
  printf(
      "usage: demogym dagger ENV --policy-class C --out DIR [--init-data FILE]\n"
      "                      [--init-episodes N] [--iterations K] [--episodes-per-iteration E]\n"
      "                      [--beta indicator|exp:P|linear:R] [--seed S] [--warm-start]\n"
      "                      [--gated] [--workers T] [--eval-episodes M] [--compare-bc]\n"
      "                      [--json] [-q] [-v] [more options below]\n\n"
      "DAgger with ENV's scripted expert as the oracle. Iteration 0 trains a policy of class C on\n"
      "expert demos (FILE, copied to DIR/data.hdf5, or N episodes recorded there with seed S, as\n"
      "`demogym record --seed S` would). Each iteration k = 1..K rolls out E episodes of the\n"
      "mixture policy (per step, with probability beta_k the expert's action is executed, else\n"
      "the learner's), labels every visited state with the expert's action, appends them to\n"
      "DIR/data.hdf5 (source dagger:<k>), retrains and evaluates over M episodes (seeds from\n"
      "--eval-seed, the same every iteration). Checkpoints: DIR/iter_<k>.h5. Summary:\n"
      "DIR/summary.json, DIR/iterations.csv and the plot DIR/success.png.\n\n"
      "  --beta B            indicator (beta_0 = 1, then 0; default), exp:P (beta_k = P^k),\n"
      "                      linear:R (beta_k = max(0, 1 - k/R))\n"
      "  --gated             HG-DAgger: the learner drives; the expert takes over when the\n"
      "                      learner's action is farther than --enter from its own, and hands\n"
      "                      back once they agree within --leave for --hold steps in a row (and\n"
      "                      after at least --min-steps); only the expert's segments are labelled\n"
      "                      and aggregated, each as its own demo\n"
      "  --enter D --leave D --hold N --min-steps N   the gate's rule (0.5, 0.2, 4, 4)\n"
      "  --compare-bc        also train BC on exactly as many expert labels as each iteration\n"
      "                      used (the first ones of DIR/bc_pool.hdf5: the initial demos, then\n"
      "                      more expert episodes with seed S) and evaluate it the same way\n"
      "  --max-idle-labels N label at most N consecutive steps of a stalled learner (the end\n"
      "                      effector moving under 1 mm per step); default: every step\n"
      "  --rollout-steps N   end each rollout episode after N steps (truncated, as at a time\n"
      "                      limit); default: the env's time limit. Evaluation and demos keep\n"
      "                      the env's. The labels then go to more, shorter episodes\n"
      "  --warm-start        retrain from the previous iteration's model (default: from scratch)\n"
      "  --workers T         rollout and evaluation threads (default 1; results do not depend\n"
      "                      on T)\n"
      "  --eval-seed S       evaluation episodes' seed (default 1000)\n"
      "  --init-episodes N   expert episodes to start from without --init-data (default 10)\n"
      "  --iterations K      DAgger iterations after iteration 0 (default 5)\n"
      "  --episodes-per-iteration E   rollout episodes per iteration (default 5)\n"
      "  --eval-episodes M   evaluation episodes per iteration (default 50)\n"
      "  --steps N --batch B --hidden W --layers L --lr R   training (2000, 256, 256, 3, 1e-3)\n"
      "  --overwrite         replace an earlier run's files in DIR\n"
      "  --no-plot           do not draw DIR/success.png (it needs gnuplot)\n");
}

typedef struct progress {
  int on;  // print a line per iteration on stderr
  int compare;
} progress;

static int on_iteration(void* user, const dg_dagger_iteration* it) {
  progress* p = user;
  if (!p->on) return 0;
  fprintf(stderr, "dagger: iteration %d: %ld expert labels, success %.0f%%", it->iteration,
          it->expert_labels, 100 * it->success_rate);
  if (p->compare) fprintf(stderr, " (BC on as many: %.0f%%)", 100 * it->bc_success_rate);
  fprintf(stderr, ", %.1f s\n", it->seconds);
  return 0;
}

static cJSON* number_or_null(double v) {
  return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON* pair(double a, double b) {
  cJSON* arr = cJSON_CreateArray();
  cJSON_AddItemToArray(arr, number_or_null(a));
  cJSON_AddItemToArray(arr, number_or_null(b));
  return arr;
}

static cJSON* summary_json(const char* id, const char* dir, const dg_dagger_options* o,
                           const dg_dagger_iteration* its, int n, double seconds) {
  char beta[64];
  dg_beta_format(&o->beta, beta, sizeof(beta));
  cJSON* root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "env", id);
  cJSON_AddStringToObject(root, "method", o->gated ? "hg-dagger" : "dagger");
  cJSON_AddStringToObject(root, "policy_class", o->train.config.policy_class);
  cJSON_AddStringToObject(root, "out", dir);
  cJSON_AddBoolToObject(root, "gated", o->gated);
  cJSON_AddStringToObject(root, "beta", o->gated ? "gated" : beta);
  cJSON_AddNumberToObject(root, "seed", (double)o->seed);
  cJSON_AddNumberToObject(root, "eval_seed", (double)o->eval_seed);
  cJSON_AddNumberToObject(root, "eval_episodes", o->eval_episodes);
  cJSON_AddNumberToObject(root, "episodes_per_iteration", o->episodes_per_iteration);
  cJSON_AddBoolToObject(root, "warm_start", o->warm_start);
  cJSON_AddNumberToObject(root, "max_idle_labels", o->max_idle_labels);
  cJSON_AddNumberToObject(root, "rollout_steps", o->rollout_steps);
  cJSON_AddNumberToObject(root, "train_steps", (double)o->train.steps);
  if (o->gated) {
    cJSON* hg = cJSON_AddObjectToObject(root, "gate");
    cJSON_AddNumberToObject(hg, "enter", o->hg.enter);
    cJSON_AddNumberToObject(hg, "leave", o->hg.leave);
    cJSON_AddNumberToObject(hg, "hold", o->hg.hold);
    cJSON_AddNumberToObject(hg, "min_steps", o->hg.min_steps);
  }
  cJSON* arr = cJSON_AddArrayToObject(root, "iterations");
  long interventions = 0;
  for (int k = 0; k < n; k++) {
    const dg_dagger_iteration* it = &its[k];
    interventions += it->interventions;
    cJSON* j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "iteration", it->iteration);
    cJSON_AddNumberToObject(j, "beta", it->beta);
    cJSON_AddNumberToObject(j, "expert_labels", (double)it->expert_labels);
    cJSON_AddNumberToObject(j, "new_labels", (double)it->new_labels);
    cJSON_AddNumberToObject(j, "success_rate", it->success_rate);
    cJSON_AddItemToObject(j, "success_ci95", pair(it->ci95_lo, it->ci95_hi));
    cJSON_AddNumberToObject(j, "eval_mean_length", it->mean_length);
    cJSON_AddNumberToObject(j, "episodes", it->episodes);
    cJSON_AddItemToObject(j, "rollout_success_rate", number_or_null(it->rollout_success));
    cJSON_AddNumberToObject(j, "rollout_steps", (double)it->rollout_steps);
    cJSON_AddNumberToObject(j, "expert_steps", (double)it->expert_steps);
    cJSON_AddNumberToObject(j, "interventions", (double)it->interventions);
    cJSON_AddNumberToObject(j, "labels_learner_agreed", (double)it->labels_agreeing);
    cJSON_AddNumberToObject(j, "labels_idle", (double)it->labels_idle);
    cJSON_AddNumberToObject(j, "samples", (double)it->samples);
    cJSON_AddNumberToObject(j, "demos", it->demos);
    cJSON_AddItemToObject(j, "train_loss", number_or_null(it->train_loss));
    cJSON_AddStringToObject(j, "checkpoint", it->checkpoint);
    if (o->compare_bc) {
      cJSON_AddNumberToObject(j, "bc_labels", (double)it->bc_labels);
      cJSON_AddItemToObject(j, "bc_success_rate", number_or_null(it->bc_success_rate));
      cJSON_AddItemToObject(j, "bc_success_ci95", pair(it->bc_ci95_lo, it->bc_ci95_hi));
      cJSON_AddStringToObject(j, "bc_checkpoint", it->bc_checkpoint);
    }
    cJSON_AddNumberToObject(j, "seconds", it->seconds);
    cJSON_AddItemToArray(arr, j);
  }
  cJSON_AddStringToObject(root, "final_checkpoint", n > 0 ? its[n - 1].checkpoint : "");
  cJSON_AddNumberToObject(root, "total_expert_labels", n > 0 ? (double)its[n - 1].expert_labels : 0);
  cJSON_AddNumberToObject(root, "total_interventions", (double)interventions);
  cJSON_AddNumberToObject(root, "seconds", seconds);
  return root;
}

static int write_text(const char* path, const char* text) {
  FILE* f = fopen(path, "w");
  if (!f) return -1;
  int bad = fputs(text, f) < 0;
  bad |= fclose(f) != 0;
  return bad ? -1 : 0;
}

static int write_csv(const char* path, const dg_dagger_options* o, const dg_dagger_iteration* its,
                     int n) {
  FILE* f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f, "iteration,beta,expert_labels,success_rate,ci95_lo,ci95_hi,interventions,"
             "bc_labels,bc_success_rate,bc_ci95_lo,bc_ci95_hi\n");
  for (int k = 0; k < n; k++) {
    const dg_dagger_iteration* it = &its[k];
    fprintf(f, "%d,%g,%ld,%.4f,%.4f,%.4f,%ld,", it->iteration, it->beta, it->expert_labels,
            it->success_rate, it->ci95_lo, it->ci95_hi, it->interventions);
    if (o->compare_bc) {
      fprintf(f, "%ld,%.4f,%.4f,%.4f\n", it->bc_labels, it->bc_success_rate, it->bc_ci95_lo,
              it->bc_ci95_hi);
    } else {
      fprintf(f, ",,,\n");
    }
  }
  return fclose(f) == 0 ? 0 : -1;
}

// success against expert labels: DAgger's curve, and BC's on as many labels
static int plot_success(const char* png, const char* id, const dg_dagger_options* o,
                        const dg_dagger_iteration* its, int n, char* err, int errsz) {
  double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n),
         *by = malloc(sizeof(double) * n);
  if (!x || !y || !by) {
    free(x), free(y), free(by);
    snprintf(err, errsz, "out of memory");
    return -1;
  }
  for (int k = 0; k < n; k++) {
    x[k] = (double)its[k].expert_labels;
    y[k] = 100 * its[k].success_rate;
    by[k] = 100 * its[k].bc_success_rate;
  }
  plot_line lines[2] = {
      {x, y, n, o->gated ? "HG-DAgger" : "DAgger", "linespoints lw 2 pt 7 ps 1.2", 0x1f77b4},
      {x, by, n, "BC on as many expert labels", "linespoints lw 2 pt 5 ps 1.2 dt 2", 0xd62728}};
  char title[160];
  snprintf(title, sizeof(title), "%s: success rate over %d evaluation episodes", id,
           o->eval_episodes);
  plot_panel panel = {title, "expert labels (cumulative)", "success rate (%)", 0, 100, lines,
                      o->compare_bc ? 2 : 1};
  int rc = cli_plot_png(png, 800, 500, &panel, 1, err, errsz);
  free(x), free(y), free(by);
  return rc;
}

static void print_table(const dg_dagger_options* o, const dg_dagger_iteration* its, int n) {
  printf("%-9s %6s %13s %-20s", "iteration", "beta", "expert labels", "success (95% CI)");
  if (o->gated) printf(" %13s", "interventions");
  if (o->compare_bc) printf("  %-20s", "BC, as many labels");
  printf("\n");
  for (int k = 0; k < n; k++) {
    const dg_dagger_iteration* it = &its[k];
    char s[64];
    snprintf(s, sizeof(s), "%3.0f%% (%.0f-%.0f%%)", 100 * it->success_rate, 100 * it->ci95_lo,
             100 * it->ci95_hi);
    printf("%-9d %6.3f %13ld %-20s", it->iteration, it->beta, it->expert_labels, s);
    if (o->gated) printf(" %13ld", it->interventions);
    if (o->compare_bc) {
      snprintf(s, sizeof(s), "%3.0f%% (%.0f-%.0f%%)", 100 * it->bc_success_rate,
               100 * it->bc_ci95_lo, 100 * it->bc_ci95_hi);
      printf("  %-20s", s);
    }
    printf("\n");
  }
}

int cmd_dagger(int argc, char** argv) {
  cli_common common = {0};
  const char *cls = NULL, *dir = NULL, *beta_text = NULL;
  long init_episodes = -1, iterations = 5, per_iter = 5, workers = 1, eval_episodes = 50;
  long steps = 2000, batch = 256, hidden = 256, layers = 3, hold = -1, min_steps = -1;
  long max_idle = -1, rollout_steps = 0;
  double lr = 1e-3, enter = -1, leave = -1;
  uint64_t seed = 0, eval_seed = 1000;
  int gated = 0, warm = 0, compare = 0, overwrite = 0, plot = 1, bad = 0;
  const char* init_data = NULL;
  enum { O_CLASS = 256, O_OUT, O_INIT, O_INITN, O_ITERS, O_PER, O_BETA, O_WARM, O_GATED,
         O_WORKERS, O_EVAL, O_EVALSEED, O_COMPARE, O_STEPS, O_BATCH, O_HIDDEN, O_LAYERS, O_LR,
         O_ENTER, O_LEAVE, O_HOLD, O_MIN, O_OVER, O_NOPLOT, O_IDLE, O_HORIZON };
  static const struct option longopts[] = {
      {"policy-class", required_argument, 0, O_CLASS},
      {"out", required_argument, 0, O_OUT},
      {"init-data", required_argument, 0, O_INIT},
      {"init-episodes", required_argument, 0, O_INITN},
      {"iterations", required_argument, 0, O_ITERS},
      {"episodes-per-iteration", required_argument, 0, O_PER},
      {"beta", required_argument, 0, O_BETA},
      {"warm-start", no_argument, 0, O_WARM},
      {"gated", no_argument, 0, O_GATED},
      {"workers", required_argument, 0, O_WORKERS},
      {"eval-episodes", required_argument, 0, O_EVAL},
      {"eval-seed", required_argument, 0, O_EVALSEED},
      {"compare-bc", no_argument, 0, O_COMPARE},
      {"steps", required_argument, 0, O_STEPS},
      {"batch", required_argument, 0, O_BATCH},
      {"hidden", required_argument, 0, O_HIDDEN},
      {"layers", required_argument, 0, O_LAYERS},
      {"lr", required_argument, 0, O_LR},
      {"enter", required_argument, 0, O_ENTER},
      {"leave", required_argument, 0, O_LEAVE},
      {"hold", required_argument, 0, O_HOLD},
      {"min-steps", required_argument, 0, O_MIN},
      {"overwrite", no_argument, 0, O_OVER},
      {"no-plot", no_argument, 0, O_NOPLOT},
      {"max-idle-labels", required_argument, 0, O_IDLE},
      {"rollout-steps", required_argument, 0, O_HORIZON},
      {"seed", required_argument, 0, 's'},
      {"json", no_argument, 0, 'j'},
      {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqs:", longopts, NULL)) != -1) {
    switch (c) {
      case O_CLASS: cls = optarg; break;
      case O_OUT: dir = optarg; break;
      case O_INIT: init_data = optarg; break;
      case O_INITN:
        bad = cli_parse_int("dagger", "--init-episodes", optarg, 1, 1000000, &init_episodes);
        break;
      case O_ITERS: bad = cli_parse_int("dagger", "--iterations", optarg, 0, 10000, &iterations); break;
      case O_PER:
        bad = cli_parse_int("dagger", "--episodes-per-iteration", optarg, 1, 1000000, &per_iter);
        break;
      case O_BETA: beta_text = optarg; break;
      case O_WARM: warm = 1; break;
      case O_GATED: gated = 1; break;
      case O_WORKERS: bad = cli_parse_int("dagger", "--workers", optarg, 1, 256, &workers); break;
      case O_EVAL:
        bad = cli_parse_int("dagger", "--eval-episodes", optarg, 1, 10000000, &eval_episodes);
        break;
      case O_EVALSEED: bad = cli_parse_seed("dagger", optarg, &eval_seed); break;
      case O_COMPARE: compare = 1; break;
      case O_STEPS: bad = cli_parse_int("dagger", "--steps", optarg, 1, 100000000, &steps); break;
      case O_BATCH: bad = cli_parse_int("dagger", "--batch", optarg, 1, 65536, &batch); break;
      case O_HIDDEN: bad = cli_parse_int("dagger", "--hidden", optarg, 1, 8192, &hidden); break;
      case O_LAYERS: bad = cli_parse_int("dagger", "--layers", optarg, 1, 8, &layers); break;
      case O_LR: bad = cli_parse_double("dagger", "--lr", optarg, 1e-12, 10, &lr); break;
      case O_ENTER: bad = cli_parse_double("dagger", "--enter", optarg, 0, 100, &enter); break;
      case O_LEAVE: bad = cli_parse_double("dagger", "--leave", optarg, 0, 100, &leave); break;
      case O_HOLD: bad = cli_parse_int("dagger", "--hold", optarg, 1, 100000, &hold); break;
      case O_MIN: bad = cli_parse_int("dagger", "--min-steps", optarg, 0, 100000, &min_steps); break;
      case O_OVER: overwrite = 1; break;
      case O_NOPLOT: plot = 0; break;
      case O_IDLE:
        bad = cli_parse_int("dagger", "--max-idle-labels", optarg, 0, 100000000, &max_idle);
        break;
      case O_HORIZON:
        bad = cli_parse_int("dagger", "--rollout-steps", optarg, 1, 100000000, &rollout_steps);
        break;
      case 's': bad = cli_parse_seed("dagger", optarg, &seed); break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("dagger", "unknown option");
    }
    if (bad) return EXIT_USAGE;
  }
  if (optind != argc - 1) return cli_usage_error("dagger", "expects exactly one ENV id");
  const char* id = argv[optind];
  if (!cls || !dir) return cli_usage_error("dagger", "--policy-class C and --out DIR are required");
  if (!dg_bc_class_known(cls))
    return cli_usage_error("dagger", "unknown policy class '%s': use mse, gaussian, gmm, ar or "
                           "diffusion", cls);
  if (init_data && init_episodes > 0)
    return cli_usage_error("dagger", "--init-data and --init-episodes exclude each other");
  if (!gated && (enter >= 0 || leave >= 0 || hold > 0 || min_steps >= 0))
    return cli_usage_error("dagger", "--enter, --leave, --hold and --min-steps need --gated");
  if (gated && beta_text)
    return cli_usage_error("dagger", "--beta has no meaning with --gated (the gate decides who "
                           "acts)");
  cli_install_logger(common.verbose);

  dg_dagger_options o;
  dg_dagger_options_default(&o, cls);
  if (beta_text && dg_beta_parse(beta_text, &o.beta))
    return cli_usage_error("dagger", "--beta: %s", dg_last_errmsg());
  o.init_data = init_data;
  if (init_episodes > 0) o.init_episodes = (int)init_episodes;
  o.iterations = (int)iterations;
  o.episodes_per_iteration = (int)per_iter;
  o.gated = gated;
  if (enter >= 0) o.hg.enter = enter;
  if (leave >= 0) o.hg.leave = leave;
  if (hold > 0) o.hg.hold = (int)hold;
  if (min_steps >= 0) o.hg.min_steps = (int)min_steps;
  if (gated && o.hg.leave > o.hg.enter)
    return cli_usage_error("dagger", "--leave %g must not exceed --enter %g", o.hg.leave,
                           o.hg.enter);
  o.warm_start = warm;
  o.max_idle_labels = (int)max_idle;
  o.rollout_steps = (int)rollout_steps;
  o.workers = (int)workers;
  o.eval_episodes = (int)eval_episodes;
  o.seed = seed;
  o.eval_seed = eval_seed;
  o.compare_bc = compare;
  o.overwrite = overwrite;
  o.train.steps = steps;
  o.train.batch = (int)batch;
  o.train.lr = lr;
  o.train.config.hidden = (int)hidden;
  o.train.config.layers = (int)layers;
  // a line per iteration on stderr, unless quiet, or JSON goes to a pipe
  progress prog = {!common.quiet && (!common.json || isatty(2)), compare};
  o.on_iteration = on_iteration;
  o.user = &prog;
  cli_install_interrupt();
  o.stop = cli_stop_flag();

  dg_dagger_iteration* its = calloc((size_t)iterations + 1, sizeof(dg_dagger_iteration));
  if (!its) return cli_error(EXIT_RESULT_FAILED, "dagger", "out of memory");
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int done = 0;
  int rc = dg_dagger_run(id, dir, &o, its, &done);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  int code = EXIT_OK;
  if (rc) {
    code = cli_exit_for(rc);
    cli_error(code, "dagger", "%s%s", dg_last_errmsg(),
              done ? " (the iterations finished before are in the summary)" : "");
    if (!done) {
      free(its);
      return code;
    }
  }

  // the summary, the table as CSV, and the plot
  char path[1200], err[512];
  cJSON* root = summary_json(id, dir, &o, its, done, seconds);
  snprintf(path, sizeof(path), "%s/iterations.csv", dir);
  if (write_csv(path, &o, its, done))
    code = cli_error(EXIT_RESULT_FAILED, "dagger", "cannot write %s", path);
  snprintf(path, sizeof(path), "%s/success.png", dir);
  if (plot && plot_success(path, id, &o, its, done, err, sizeof(err)) == 0) {
    cJSON_AddStringToObject(root, "plot", path);
  } else {
    if (plot) cli_error(0, "dagger", "warning: %s", err);
    cJSON_AddNullToObject(root, "plot");
  }
  char* text = cJSON_Print(root);
  snprintf(path, sizeof(path), "%s/summary.json", dir);
  if (!text || write_text(path, text))
    code = cli_error(EXIT_RESULT_FAILED, "dagger", "cannot write %s", path);
  free(text);
  if (common.json && code == EXIT_OK) {
    cli_print_json(root);
  } else {
    cJSON_Delete(root);
    if (code == EXIT_OK) {
      printf("%s on %s, class %s, %d evaluation episodes per iteration (seed %llu)\n",
             gated ? "HG-DAgger" : "DAgger", id, cls, o.eval_episodes,
             (unsigned long long)o.eval_seed);
      print_table(&o, its, done);
      printf("final checkpoint  %s\n", its[done - 1].checkpoint);
      printf("summary           %s/summary.json, %s/iterations.csv\n", dir, dir);
      printf("time              %.1f s\n", seconds);
    }
  }
  free(its);
  return code;
}
