// cmd_inspect.c: `demogym inspect FILE`: summarise a dataset (like robomimic's get_dataset_info).
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "demogym/dataset.h"

static void help(void) {
  printf(
      "usage: demogym inspect FILE [--json]\n\n"
      "Summarise a demo dataset: env, demos, samples, episode lengths, observation keys and\n"
      "shapes, action range, filter keys (masks) and their sizes, sources and success.\n");
}

int cmd_inspect(int argc, char** argv) {
  cli_common common = {0};
  static const struct option longopts[] = {
      {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvq", longopts, NULL)) != -1) {
    switch (c) {
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("inspect", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("inspect", "expects exactly one FILE");
  const char* path = argv[optind];
  cli_install_logger(common.verbose);
  dg_dataset* ds;
  int rc = dg_dataset_open(path, &ds);
  if (rc) return cli_error(cli_exit_for(rc), "inspect", "%s", dg_last_errmsg());
  dg_dataset_info info;
  dg_dataset_get_info(ds, &info);
  // one pass over the demos: lengths, action range, success, sources
  double amin = INFINITY, amax = -INFINITY;
  int successes = 0, lmin = 0, lmax = 0, with_labels = 0;
  cJSON* sources = cJSON_CreateObject();
  for (int i = 0; i < info.ndemos; i++) {
    dg_demo d;
    rc = dg_dataset_load_demo(ds, i, &d);
    if (rc) {
      cJSON_Delete(sources);
      int code = cli_error(cli_exit_for(rc), "inspect", "%s", dg_dataset_errmsg(ds));
      dg_dataset_close(&ds);
      return code;
    }
    for (long k = 0; k < (long)d.n * d.act_dim; k++) {
      if (d.actions[k] < amin) amin = d.actions[k];
      if (d.actions[k] > amax) amax = d.actions[k];
    }
    successes += d.success;
    with_labels += d.has_labels;
    if (i == 0 || d.n < lmin) lmin = d.n;
    if (i == 0 || d.n > lmax) lmax = d.n;
    cJSON* count = cJSON_GetObjectItemCaseSensitive(sources, d.source);
    if (count)
      cJSON_SetNumberValue(count, count->valuedouble + 1);
    else
      cJSON_AddNumberToObject(sources, d.source, 1);
    dg_demo_free(&d);
  }
  if (info.ndemos == 0) amin = amax = 0;
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "file", path);
    cJSON_AddStringToObject(root, "env", info.env_name);
    cJSON_AddNumberToObject(root, "env_version", info.env_version);
    cJSON_AddNumberToObject(root, "format_version", info.format_version);
    cJSON_AddNumberToObject(root, "demos", info.ndemos);
    cJSON_AddNumberToObject(root, "samples", (double)info.total);
    cJSON_AddNumberToObject(root, "min_length", lmin);
    cJSON_AddNumberToObject(root, "max_length", lmax);
    cJSON_AddNumberToObject(root, "mean_length", info.ndemos ? (double)info.total / info.ndemos : 0);
    cJSON* keys = cJSON_AddArrayToObject(root, "obs_keys");
    for (int k = 0; k < info.nkeys; k++) {
      int size;
      const char* name = dg_dataset_obs_key(ds, k, &size);
      cJSON* o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "name", name);
      int shape[1] = {size};
      cJSON_AddItemToObject(o, "shape", cJSON_CreateIntArray(shape, 1));
      cJSON_AddItemToArray(keys, o);
    }
    cJSON_AddNumberToObject(root, "action_dim", info.act_dim);
    cJSON_AddNumberToObject(root, "state_dim", info.state_dim);
    cJSON_AddNumberToObject(root, "action_min", amin);
    cJSON_AddNumberToObject(root, "action_max", amax);
    cJSON_AddNumberToObject(root, "success_rate", info.ndemos ? (double)successes / info.ndemos : 0);
    cJSON_AddNumberToObject(root, "demos_with_labels", with_labels);
    cJSON_AddItemToObject(root, "sources", sources);
    sources = NULL;
    cJSON* filters = cJSON_AddArrayToObject(root, "filter_keys");
    for (int f = 0; f < info.nfilters; f++)
      cJSON_AddItemToArray(filters, cJSON_CreateString(dg_dataset_filter_name(ds, f)));
    cli_print_json(root);
  } else {
    printf("file        %s\n", path);
    printf("env         %s (version %d), dataset format %d\n", info.env_name, info.env_version,
           info.format_version);
    printf("demos       %d, %ld samples, length %d-%d (mean %.1f)\n", info.ndemos, info.total,
           lmin, lmax, info.ndemos ? (double)info.total / info.ndemos : 0.0);
    printf("success     %d of %d demos\n", successes, info.ndemos);
    printf("obs keys   ");
    for (int k = 0; k < info.nkeys; k++) {
      int size;
      const char* name = dg_dataset_obs_key(ds, k, &size);
      printf(" %s (%d)", name, size);
    }
    printf("\nactions     %d dims, range [%.3f, %.3f]%s\n", info.act_dim, amin, amax,
           with_labels ? ", clean labels stored" : "");
    printf("states      %d dims\n", info.state_dim);
    char* src = cJSON_PrintUnformatted(sources);
    printf("sources     %s\n", src ? src : "");
    free(src);
    printf("filter keys");
    for (int f = 0; f < info.nfilters; f++) printf(" %s", dg_dataset_filter_name(ds, f));
    printf("%s\n", info.nfilters ? "" : " (none)");
  }
  cJSON_Delete(sources);
  dg_dataset_close(&ds);
  return EXIT_OK;
}
