// cmd_compounding.c: `demogym compounding ENV --policy P [--policy P2 ...] --out PREFIX`:
// compounding errors of learned policies against the expert, per time step, as JSON, CSV and a
// PNG plot.
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dagger_plot.h"
#include "demogym/dagger.h"

#define MAX_POLICIES 8

static void help(void) {
  printf(
      "usage: demogym compounding ENV --policy P [--policy P2 ...] --out PREFIX [--episodes N]\n"
      "                           [--seed S] [--horizon T] [--object KEY] [--json] [-q] [-v]\n\n"
      "Roll out each policy P (a checkpoint, or expert) and ENV's expert from the same seeds, as\n"
      "`eval --seed S` does (time limit T, default the task's; a rollout that ended keeps its\n"
      "last state), and report per time step t: the mean distance between the two rollouts'\n"
      "end-effector positions and object positions (KEY, default the first *_pos key other than\n"
      "eef_pos and target_pos), and the policy's action error |a_policy - a_expert| on its own\n"
      "states against on the expert's states. Writes PREFIX.json, PREFIX.csv and PREFIX.png (the\n"
      "curves, drawn with gnuplot). Up to %d policies; N paired episodes (default 20).\n",
      MAX_POLICIES);
}

static cJSON* array_or_nulls(const double* v, int n) {
  cJSON* a = cJSON_CreateArray();
  for (int i = 0; i < n; i++)
    cJSON_AddItemToArray(a, isfinite(v[i]) ? cJSON_CreateNumber(v[i]) : cJSON_CreateNull());
  return a;
}

// the mean of v over [from, to) where finite
static double mean_over(const double* v, int from, int to) {
  double s = 0;
  int n = 0;
  for (int i = from; i < to; i++)
    if (isfinite(v[i])) s += v[i], n++;
  return n ? s / n : NAN;
}

static cJSON* number_or_null(double v) {
  return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static void plot_all(const char* png, const char* id, const char* const* names,
                     const dg_compounding_curve* cv, int np, int* ok, char* err, int errsz) {
  static const int colors[MAX_POLICIES] = {0xd62728, 0x1f77b4, 0x2ca02c, 0x9467bd,
                                           0xff7f0e, 0x8c564b, 0xe377c2, 0x7f7f7f};
  int T = cv[0].horizon;
  double* t = malloc(sizeof(double) * T);
  double* dist = malloc(sizeof(double) * T * np);
  plot_line* l1 = calloc((size_t)np, sizeof(plot_line));
  plot_line* l2 = calloc((size_t)2 * np, sizeof(plot_line));
  char(*titles)[200] = calloc((size_t)3 * np, 200);
  *ok = 0;
  if (!t || !dist || !l1 || !l2 || !titles) {
    snprintf(err, errsz, "out of memory");
    goto done;
  }
  for (int i = 0; i < T; i++) t[i] = i;
  int with_obj = cv[0].obj_dist != NULL;
  for (int p = 0; p < np; p++) {
    // the object's drift in cm (the end-effector's where there is no object)
    const double* d = with_obj ? cv[p].obj_dist : cv[p].eef_dist;
    for (int i = 0; i < T; i++) dist[p * T + i] = 100 * d[i];
    snprintf(titles[3 * p], 200, "%s (success %.0f%%)", names[p], 100 * cv[p].learner_success);
    snprintf(titles[3 * p + 1], 200, "%s, on its own states", names[p]);
    snprintf(titles[3 * p + 2], 200, "%s, on the expert's states", names[p]);
    l1[p] = (plot_line){t, dist + p * T, T, titles[3 * p], "lines lw 2", colors[p]};
    l2[2 * p] = (plot_line){t, cv[p].err_own, T, titles[3 * p + 1], "lines lw 2", colors[p]};
    l2[2 * p + 1] =
        (plot_line){t, cv[p].err_expert, T, titles[3 * p + 2], "lines lw 2 dt 2", colors[p]};
  }
  char title1[200], ylabel1[100], title2[200];
  snprintf(title1, sizeof(title1), "%s: learner vs expert from the same seeds (%d episodes)", id,
           cv[0].episodes);
  snprintf(ylabel1, sizeof(ylabel1), "mean distance of %s (cm)",
           with_obj ? cv[0].object_key : "eef_pos");
  snprintf(title2, sizeof(title2), "action error |a_learner - a_expert|");
  plot_panel panels[2] = {{title1, "time step", ylabel1, 0, 0, l1, np},
                          {title2, "time step", "mean error", 0, 0, l2, 2 * np}};
  *ok = cli_plot_png(png, 900, 800, panels, 2, err, errsz) == 0;
done:
  free(t);
  free(dist);
  free(l1);
  free(l2);
  free(titles);
}

int cmd_compounding(int argc, char** argv) {
  cli_common common = {0};
  const char* specs[MAX_POLICIES];
  int np = 0;
  const char *prefix = NULL, *object = NULL;
  long episodes = 20, horizon = 0;
  uint64_t seed = 0;
  int bad = 0;
  static const struct option longopts[] = {{"policy", required_argument, 0, 'p'},
                                           {"out", required_argument, 0, 'o'},
                                           {"episodes", required_argument, 0, 'n'},
                                           {"seed", required_argument, 0, 's'},
                                           {"horizon", required_argument, 0, 'T'},
                                           {"object", required_argument, 0, 'k'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqp:o:n:s:", longopts, NULL)) != -1) {
    switch (c) {
      case 'p':
        if (np == MAX_POLICIES)
          return cli_usage_error("compounding", "at most %d policies", MAX_POLICIES);
        specs[np++] = optarg;
        break;
      case 'o': prefix = optarg; break;
      case 'n': bad = cli_parse_int("compounding", "--episodes", optarg, 1, 100000, &episodes); break;
      case 's': bad = cli_parse_seed("compounding", optarg, &seed); break;
      case 'T': bad = cli_parse_int("compounding", "--horizon", optarg, 1, 100000, &horizon); break;
      case 'k': object = optarg; break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("compounding", "unknown option");
    }
    if (bad) return EXIT_USAGE;
  }
  if (optind != argc - 1) return cli_usage_error("compounding", "expects exactly one ENV id");
  if (!np || !prefix)
    return cli_usage_error("compounding", "--policy P (one or more) and --out PREFIX are required");
  const char* id = argv[optind];
  cli_install_logger(common.verbose);
  cli_install_interrupt();

  dg_compounding_curve cv[MAX_POLICIES];
  memset(cv, 0, sizeof(cv));
  const char* names[MAX_POLICIES];
  int code = EXIT_OK, done = 0;
  dg_compounding_options o;
  dg_compounding_options_default(&o);
  o.episodes = (int)episodes;
  o.seed = seed;
  o.horizon = (int)horizon;
  o.object_key = object;
  o.stop = cli_stop_flag();
  for (; done < np; done++) {
    dg_policy* p = NULL;
    int rc = cli_make_policy(specs[done], id, &p);
    if (!rc) {
      names[done] = specs[done];
      rc = dg_compounding_run(id, p, &o, &cv[done]);
    }
    dg_policy_close(&p);
    if (rc) {
      code = cli_error(cli_exit_for(rc), "compounding", "%s: %s", specs[done], dg_last_errmsg());
      break;
    }
    if (!common.quiet)
      fprintf(stderr, "compounding: %s done (%d paired episodes)\n", specs[done], o.episodes);
  }
  if (code) {
    for (int i = 0; i < done; i++) dg_compounding_curve_free(&cv[i]);
    return code;
  }

  // CSV (one row per policy and step) and JSON
  char path[1200], err[512];
  int T = cv[0].horizon;
  snprintf(path, sizeof(path), "%s.csv", prefix);
  FILE* f = fopen(path, "w");
  if (f) {
    fprintf(f, "policy,t,alive,eef_dist,obj_dist,err_own,n_own,err_expert,n_expert\n");
    for (int p = 0; p < np; p++)
      for (int t = 0; t < T; t++)
        fprintf(f, "%s,%d,%d,%.6g,%.6g,%.6g,%d,%.6g,%d\n", names[p], t, cv[p].alive[t],
                cv[p].eef_dist[t], cv[p].obj_dist ? cv[p].obj_dist[t] : NAN, cv[p].err_own[t],
                cv[p].n_own[t], cv[p].err_expert[t], cv[p].n_expert[t]);
  }
  if (!f || fclose(f) != 0) code = cli_error(EXIT_RESULT_FAILED, "compounding", "cannot write %s", path);

  cJSON* root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "env", id);
  cJSON_AddNumberToObject(root, "episodes", o.episodes);
  cJSON_AddNumberToObject(root, "seed", (double)seed);
  cJSON_AddNumberToObject(root, "horizon", T);
  cJSON_AddStringToObject(root, "object_key", cv[0].object_key);
  cJSON_AddStringToObject(root, "csv", path);
  cJSON* arr = cJSON_AddArrayToObject(root, "policies");
  for (int p = 0; p < np; p++) {
    const dg_compounding_curve* k = &cv[p];
    cJSON* j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "policy", names[p]);
    cJSON_AddNumberToObject(j, "learner_success", k->learner_success);
    cJSON_AddNumberToObject(j, "expert_success", k->expert_success);
    // summary figures: means over the first and the last quarter of the episode
    int q = T / 4 > 0 ? T / 4 : 1;
    const double* d = k->obj_dist ? k->obj_dist : k->eef_dist;
    cJSON_AddItemToObject(j, "dist_first_quarter", number_or_null(mean_over(d, 0, q)));
    cJSON_AddItemToObject(j, "dist_last_quarter", number_or_null(mean_over(d, T - q, T)));
    cJSON_AddItemToObject(j, "err_own_mean", number_or_null(mean_over(k->err_own, 0, T)));
    cJSON_AddItemToObject(j, "err_expert_mean", number_or_null(mean_over(k->err_expert, 0, T)));
    cJSON_AddItemToObject(j, "eef_dist", array_or_nulls(k->eef_dist, T));
    if (k->obj_dist) cJSON_AddItemToObject(j, "obj_dist", array_or_nulls(k->obj_dist, T));
    cJSON_AddItemToObject(j, "err_own", array_or_nulls(k->err_own, T));
    cJSON_AddItemToObject(j, "err_expert", array_or_nulls(k->err_expert, T));
    cJSON_AddItemToObject(j, "alive", cJSON_CreateIntArray(k->alive, T));
    cJSON_AddItemToArray(arr, j);
  }
  snprintf(path, sizeof(path), "%s.png", prefix);
  int ok = 0;
  plot_all(path, id, names, cv, np, &ok, err, sizeof(err));
  if (ok) {
    cJSON_AddStringToObject(root, "plot", path);
  } else {
    cli_error(0, "compounding", "warning: %s", err);
    cJSON_AddNullToObject(root, "plot");
  }
  char* text = cJSON_Print(root);
  snprintf(path, sizeof(path), "%s.json", prefix);
  FILE* jf = fopen(path, "w");
  if (!text || !jf || fputs(text, jf) < 0) code = cli_error(EXIT_RESULT_FAILED, "compounding",
                                                           "cannot write %s", path);
  if (jf && fclose(jf) != 0) code = cli_error(EXIT_RESULT_FAILED, "compounding", "cannot write %s", path);
  free(text);
  if (common.json && !code) {
    cli_print_json(root);
  } else {
    cJSON_Delete(root);
    if (!code) {
      printf("%-28s %8s %14s %14s %12s %12s\n", "policy", "success", "drift 1st 1/4",
             "drift last 1/4", "err own", "err expert");
      int q = T / 4 > 0 ? T / 4 : 1;
      for (int p = 0; p < np; p++) {
        const double* d = cv[p].obj_dist ? cv[p].obj_dist : cv[p].eef_dist;
        printf("%-28s %7.0f%% %11.1f cm %11.1f cm %12.3f %12.3f\n", names[p],
               100 * cv[p].learner_success, 100 * mean_over(d, 0, q), 100 * mean_over(d, T - q, T),
               mean_over(cv[p].err_own, 0, T), mean_over(cv[p].err_expert, 0, T));
      }
      printf("(drift: mean distance of %s to the expert's rollout; err: mean |a - a_expert|)\n",
             cv[0].object_key[0] ? cv[0].object_key : "eef_pos");
      printf("wrote %s.json, %s.csv, %s.png\n", prefix, prefix, prefix);
    }
  }
  for (int p = 0; p < np; p++) dg_compounding_curve_free(&cv[p]);
  return code;
}
