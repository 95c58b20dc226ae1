// cmd_record.c: `demogym record ENV --episodes N --seed S --out FILE`: roll out the expert and
// write its demonstrations to HDF5 (robomimic's layout), whole episodes or nothing.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "demogym/recorder.h"
#include "scale.h"

static void help(void) {
  printf(
      "usage: demogym record ENV --out FILE [--episodes N] [--seed S] [--noise SCALE]\n"
      "                      [--epsilon P] [--only-success] [--append | --overwrite]\n"
      "                      [--source TEXT] [--max-steps N] [--compression L] [--sync]\n"
      "                      [--write-behind N] [--workers T] [--json] [-q] [-v]\n"
      "       mpirun -n R demogym record ENV --out FILE ...   (R processes, one file)\n\n"
      "Roll out ENV's scripted expert for N episodes (default 10) from seeds derived from S\n"
      "(default 0) and write them to FILE in robomimic's HDF5 layout. Each episode is written\n"
      "whole when it ends and committed atomically, by a writer thread while the rollout goes\n"
      "on: if the process is killed, FILE holds every episode committed before, intact (all\n"
      "that had ended but the at most N still queued). Ctrl-C stops after the current step and\n"
      "keeps the finished episodes.\n\n"
      "  --noise SCALE   execute the expert's action plus Gaussian noise of this std (the clean\n"
      "                  action is stored as the label, data/demo_<i>/dg_labels)\n"
      "  --epsilon P     with probability P per step execute a uniform random action instead\n"
      "  --only-success  keep only episodes that end in success\n"
      "  --append        add demos to an existing dataset of ENV (numbering continues)\n"
      "  --overwrite     replace an existing FILE (at the first committed episode)\n"
      "  --source TEXT   the demos' source attribute (default expert; DAgger writes dagger:<k>)\n"
      "  --max-steps N   the env's time limit (default: the task's)\n"
      "  --compression L deflate level 0-9 (default 4)\n"
      "  --sync          fsync at every commit (survives power loss, slower)\n"
      "  --write-behind N  episodes queued for the writer thread (default 2; 0: no thread,\n"
      "                  each episode is committed before the next one starts)\n"
      "  --workers T     run the episodes on T threads (default 1, at most 64)\n\n"
      "Under mpirun (built with MPI), the R ranks share the episodes and rank 0 writes FILE.\n"
      "The file's demos are the same for every T and R.\n");
}

typedef struct progress {
  int on;
  int total;
  int done;
} progress;

static int on_episode_end(void* user, dg_env* env, const dg_episode_stats* st) {
  progress* p = user;
  p->done++;
  if (p->on) cli_progress("record", p->done, p->total);
  return 0;
}

static double parse_unit(const char* flag, const char* text, double hi, int* bad) {
  char* end;
  double v = strtod(text, &end);
  if (end == text || *end || !(v >= 0) || v > hi) {
    *bad = 1;
    cli_usage_error("record", "%s expects a number in [0, %g], got '%s'", flag, hi, text);
  }
  return v;
}

static int record_main(int argc, char** argv, int rank, int nranks) {
  cli_common common = {0};
  const char* out = NULL;
  const char* source = NULL;
  long episodes = 10, max_steps = 0, level = 4, workers = 1, write_behind = -1;
  uint64_t seed = 0;
  double noise = 0, epsilon = 0;
  int only_success = 0, append = 0, overwrite = 0, sync = 0, bad = 0;
  static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                           {"episodes", required_argument, 0, 'n'},
                                           {"seed", required_argument, 0, 's'},
                                           {"noise", required_argument, 0, 'N'},
                                           {"epsilon", required_argument, 0, 'E'},
                                           {"only-success", no_argument, 0, 'S'},
                                           {"append", no_argument, 0, 'a'},
                                           {"overwrite", no_argument, 0, 'W'},
                                           {"source", required_argument, 0, 'c'},
                                           {"max-steps", required_argument, 0, 'm'},
                                           {"compression", required_argument, 0, 'z'},
                                           {"sync", no_argument, 0, 'y'},
                                           {"write-behind", required_argument, 0, 'B'},
                                           {"workers", required_argument, 0, 'w'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqo:n:s:", longopts, NULL)) != -1) {
    switch (c) {
      case 'o': out = optarg; break;
      case 'n':
        if (cli_parse_int("record", "--episodes", optarg, 0, 10000000, &episodes))
          return EXIT_USAGE;
        break;
      case 's':
        if (cli_parse_seed("record", optarg, &seed)) return EXIT_USAGE;
        break;
      case 'N': noise = parse_unit("--noise", optarg, 10.0, &bad); break;
      case 'E': epsilon = parse_unit("--epsilon", optarg, 1.0, &bad); break;
      case 'S': only_success = 1; break;
      case 'a': append = 1; break;
      case 'W': overwrite = 1; break;
      case 'c': source = optarg; break;
      case 'm':
        if (cli_parse_int("record", "--max-steps", optarg, 1, 100000000, &max_steps))
          return EXIT_USAGE;
        break;
      case 'z':
        if (cli_parse_int("record", "--compression", optarg, 0, 9, &level)) return EXIT_USAGE;
        break;
      case 'y': sync = 1; break;
      case 'B':
        if (cli_parse_int("record", "--write-behind", optarg, 0, 1024, &write_behind))
          return EXIT_USAGE;
        break;
      case 'w':
        if (cli_parse_int("record", "--workers", optarg, 1, 64, &workers)) return EXIT_USAGE;
        break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("record", "unknown option");
    }
    if (bad) return EXIT_USAGE;
  }
  if (optind != argc - 1) return cli_usage_error("record", "expects exactly one ENV id");
  if (!out) return cli_usage_error("record", "--out FILE is required");
  if (append && overwrite)
    return cli_usage_error("record", "--append and --overwrite exclude each other");
  const char* id = argv[optind];
  cli_install_logger(common.verbose);

  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = (int)max_steps;
  dg_env* env = NULL;
  dg_policy* policy = NULL;
  dg_rec* rec = NULL;
  int rc = dg_env_make(id, &eo, &env);
  if (rc) return cli_error(cli_exit_for(rc), "record", "%s", dg_last_errmsg());
  rc = dg_policy_make_expert(id, &policy);
  if (!rc && (noise > 0 || epsilon > 0)) rc = dg_policy_make_noisy(policy, noise, epsilon, &policy);
  if (rc) {
    dg_env_close(&env);
    return cli_error(cli_exit_for(rc), "record", "%s", dg_last_errmsg());
  }

  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.mode = append ? DG_REC_APPEND : overwrite ? DG_REC_OVERWRITE : DG_REC_CREATE;
  if (source) ro.source = source;
  ro.only_success = only_success;
  ro.store_labels = noise > 0 || epsilon > 0;
  ro.compression = (int)level;
  ro.sync = sync;
  if (write_behind >= 0) ro.write_behind = (int)write_behind;
  ro.terminate_on_success = eo.terminate_on_success;
  // only rank 0 writes the file; every rank learns whether it could
  if (rank == 0) rc = dg_rec_make(out, env, &ro, &rec);
  rc = cli_mpi_bcast_int(rc);
  if (rc) {
    int code = cli_exit_for(rc);
    if (rank == 0) cli_error(code, "record", "%s", dg_last_errmsg());
    dg_rec_close(&rec);
    dg_policy_close(&policy);
    dg_env_close(&env);
    return code;
  }

  progress prog = {cli_want_progress(&common), (int)episodes, 0};
  prog.on = prog.on && rank == 0;
  dg_tap taps[1];
  taps[0] = (dg_tap){0};
  taps[0].user = &prog;
  taps[0].episode_end = on_episode_end;
  dg_rollout_options opt;
  dg_rollout_options_default(&opt);
  opt.episodes = (int)episodes;
  opt.seed = seed;
  opt.taps = taps;
  opt.ntaps = rank == 0 ? 1 : 0;
  cli_install_interrupt();
  opt.stop = cli_stop_flag();
  dg_rollout_summary sum;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  cli_record_job job = {env, &eo, policy, rec, (int)workers, &opt};
  int run_rc = cli_record_rollout(&job, &sum);
  char run_msg[1024];
  snprintf(run_msg, sizeof(run_msg), "%s", dg_last_errmsg());
  int fin_rc = rank == 0 ? dg_rec_finish(rec) : DG_OK;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (prog.on) cli_progress_end();
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  dg_rec_stats st = {0};
  if (rank == 0) dg_rec_get_stats(rec, &st);
  int code = EXIT_OK;
  if (rank != 0) {
    code = cli_exit_for(run_rc);  // rank 0 reports
  } else if (run_rc) {
    code = cli_exit_for(run_rc);
    cli_error(code, "record", "%s; %s holds the %d demos committed before", run_msg, out,
              st.demos_total);
  } else if (fin_rc) {
    code = cli_exit_for(fin_rc);
    cli_error(code, "record", "%s", dg_rec_errmsg(rec));
  }
  if (rank == 0 && !code && common.json) {  // rank 0 prints the result
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "out", out);
    cJSON_AddStringToObject(root, "env", id);
    cJSON_AddStringToObject(root, "policy", dg_policy_name(policy));
    cJSON_AddNumberToObject(root, "episodes", sum.episodes);
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON_AddNumberToObject(root, "demos_written", st.demos_written);
    cJSON_AddNumberToObject(root, "demos_total", st.demos_total);
    cJSON_AddNumberToObject(root, "samples", (double)st.samples_written);
    cJSON_AddNumberToObject(root, "samples_total", (double)st.samples_total);
    cJSON_AddNumberToObject(root, "success_rate", sum.success_rate);
    cJSON_AddNumberToObject(root, "seconds", seconds);
    cJSON_AddNumberToObject(root, "workers", (double)workers);
    cJSON_AddNumberToObject(root, "processes", nranks);
    cli_print_json(root);
  } else if (rank == 0 && !code) {
    printf("out        %s\n", out);
    printf("env        %s\n", id);
    printf("policy     %s\n", dg_policy_name(policy));
    printf("episodes   %d (seed %llu), success %.1f%%\n", sum.episodes, (unsigned long long)seed,
           100 * sum.success_rate);
    printf("demos      %d written, %d in the file\n", st.demos_written, st.demos_total);
    printf("samples    %ld written, %ld in the file\n", st.samples_written, st.samples_total);
    printf("time       %.2f s\n", seconds);
  }
  dg_rec_close(&rec);
  dg_policy_close(&policy);
  dg_env_close(&env);
  return code;
}

int cmd_record(int argc, char** argv) {
  int rank, nranks;
  int code = cli_mpi_start("record", &argc, &argv, &rank, &nranks);
  if (code) return code;
  code = record_main(argc, argv, rank, nranks);
  cli_mpi_end();
  return code;
}
