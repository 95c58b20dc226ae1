// cmd_eval.c: `demogym eval ENV --policy P --episodes N --seed S`: roll out and report success.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static void help(void) {
  printf(
      "usage: demogym eval ENV [--policy expert|CKPT] [--episodes N] [--seed S]\n"
      "                        [--max-steps N] [--min-success R] [--workers T] [--json] [-q]\n"
      "                        [-v]\n\n"
      "Roll out a policy (ENV's scripted expert, the default, or a checkpoint written by\n"
      "`demogym train` or `demogym dagger`) for N episodes (default 50) from seeds derived\n"
      "from S (default 0) and report the success rate with its Wilson 95%% interval, the mean\n"
      "return and length.\n"
      "--max-steps overrides the env's time limit; --min-success R exits with status 1 when the\n"
      "success rate is below R.\n"
      "--workers T runs the episodes on T threads (default 1), each with its own env and policy;\n"
      "the episodes, and so every number printed, are the same for every T.\n");
}

typedef struct progress {
  int on;
  int total;
  int done;
  int successes;
} progress;

static int on_episode_end(void* user, dg_env* env, const dg_episode_stats* st) {
  progress* p = user;
  p->done++;
  p->successes += st->success;
  if (p->on) cli_progress("eval", p->done, p->total);
  return 0;
}

// run the episodes on `workers` threads: env and policy are the first worker, the others get
// their own env and policy made from the same id, options and spec (the policy is made again,
// not copied, so every policy the command accepts works)
static int run_workers(dg_env* env, dg_policy* policy, int workers, const char* id,
                       const dg_env_options* opt, const char* spec, const dg_rollout_options* ro,
                       dg_rollout_summary* sum) {
  memset(sum, 0, sizeof(*sum));
  if (workers == 1) return dg_rollout_run(env, policy, ro, NULL, sum);
  dg_rollout_worker* w = calloc((size_t)workers, sizeof(dg_rollout_worker));
  if (!w) {
    dg_set_last_errmsg("out of memory for %d workers", workers);
    return DG_ERR_NOMEM;
  }
  int rc = DG_OK, made = 1;
  w[0].env = env;
  w[0].policy = policy;
  for (; made < workers && rc == DG_OK; made++) {
    rc = dg_env_make(id, opt, &w[made].env);
    if (rc == DG_OK) rc = cli_make_policy(spec, id, &w[made].policy);
  }
  if (rc == DG_OK) rc = dg_rollout_run_parallel(w, workers, ro, NULL, sum);
  for (int i = 1; i < made; i++) {
    dg_env_close(&w[i].env);
    dg_policy_close(&w[i].policy);
  }
  free(w);
  return rc;
}

int cmd_eval(int argc, char** argv) {
  cli_common common = {0};
  const char* policy_spec = "expert";
  long episodes = 50, max_steps = 0, workers = 1;
  uint64_t seed = 0;
  double min_success = -1;
  static const struct option longopts[] = {{"policy", required_argument, 0, 'p'},
                                           {"episodes", required_argument, 0, 'n'},
                                           {"seed", required_argument, 0, 's'},
                                           {"max-steps", required_argument, 0, 'm'},
                                           {"min-success", required_argument, 0, 'r'},
                                           {"workers", required_argument, 0, 'w'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqp:n:s:", longopts, NULL)) != -1) {
    switch (c) {
      case 'p': policy_spec = optarg; break;
      case 'n':
        if (cli_parse_int("eval", "--episodes", optarg, 1, 10000000, &episodes)) return EXIT_USAGE;
        break;
      case 's':
        if (cli_parse_seed("eval", optarg, &seed)) return EXIT_USAGE;
        break;
      case 'm':
        if (cli_parse_int("eval", "--max-steps", optarg, 1, 100000000, &max_steps))
          return EXIT_USAGE;
        break;
      case 'r': {
        char* end;
        min_success = strtod(optarg, &end);
        if (*end || end == optarg || min_success < 0 || min_success > 1)
          return cli_usage_error("eval", "--min-success expects a rate in [0, 1], got '%s'",
                                 optarg);
        break;
      }
      case 'w':
        if (cli_parse_int("eval", "--workers", optarg, 1, 1024, &workers)) return EXIT_USAGE;
        break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("eval", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("eval", "expects exactly one ENV id");
  const char* id = argv[optind];
  cli_install_logger(common.verbose);

  dg_env_options opt;
  dg_env_options_default(&opt);
  opt.max_episode_steps = (int)max_steps;
  dg_env* env = NULL;
  dg_policy* policy = NULL;
  int rc = dg_env_make(id, &opt, &env);
  if (rc) return cli_error(cli_exit_for(rc), "eval", "%s", dg_last_errmsg());
  rc = cli_make_policy(policy_spec, id, &policy);
  if (rc) {
    dg_env_close(&env);
    return cli_error(cli_exit_for(rc), "eval", "%s", dg_last_errmsg());
  }

  progress prog = {cli_want_progress(&common), (int)episodes, 0, 0};
  dg_tap tap = {0};
  tap.user = &prog;
  tap.episode_end = on_episode_end;
  dg_rollout_options ro;
  dg_rollout_options_default(&ro);
  ro.episodes = (int)episodes;
  ro.seed = seed;
  ro.taps = &tap;
  ro.ntaps = 1;
  cli_install_interrupt();
  ro.stop = cli_stop_flag();
  dg_rollout_summary sum;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  rc = run_workers(env, policy, (int)workers, id, &opt, policy_spec, &ro, &sum);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (prog.on) cli_progress_end();
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  if (rc) {
    int code = cli_exit_for(rc);
    cli_error(code, "eval", "%s (after %d episodes)", dg_last_errmsg(), sum.episodes);
    dg_policy_close(&policy);
    dg_env_close(&env);
    return code;
  }

  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "env", id);
    cJSON_AddStringToObject(root, "policy", dg_policy_name(policy));
    cJSON_AddNumberToObject(root, "episodes", sum.episodes);
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON_AddNumberToObject(root, "successes", sum.successes);
    cJSON_AddNumberToObject(root, "success_rate", sum.success_rate);
    double ci[2] = {sum.ci95_lo, sum.ci95_hi};
    cJSON_AddItemToObject(root, "success_ci95", cJSON_CreateDoubleArray(ci, 2));
    cJSON_AddNumberToObject(root, "mean_return", sum.mean_return);
    cJSON_AddNumberToObject(root, "std_return", sum.std_return);
    cJSON_AddNumberToObject(root, "mean_length", sum.mean_length);
    cJSON_AddNumberToObject(root, "total_steps", (double)sum.total_steps);
    cJSON_AddNumberToObject(root, "seconds", seconds);
    cJSON_AddNumberToObject(root, "workers", (double)workers);
    cli_print_json(root);
  } else {
    printf("env        %s\n", id);
    printf("policy     %s\n", dg_policy_name(policy));
    printf("episodes   %d (seed %llu)\n", sum.episodes, (unsigned long long)seed);
    printf("success    %.1f%%  (%d/%d; 95%% CI %.1f%% - %.1f%%)\n", 100 * sum.success_rate,
           sum.successes, sum.episodes, 100 * sum.ci95_lo, 100 * sum.ci95_hi);
    printf("return     %.3f +- %.3f\n", sum.mean_return, sum.std_return);
    printf("length     %.1f steps\n", sum.mean_length);
    printf("time       %.2f s (%.0f steps/s)\n", seconds, sum.total_steps / seconds);
  }
  dg_policy_close(&policy);
  dg_env_close(&env);
  if (min_success >= 0 && sum.success_rate < min_success) return EXIT_RESULT_FAILED;
  return EXIT_OK;
}
