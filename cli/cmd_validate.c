// cmd_validate.c: `demogym validate FILE`: check a dataset's layout and invariants; exit 1 when
// a problem is found.
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "demogym/dataset.h"

static void help(void) {
  printf(
      "usage: demogym validate FILE [--json]\n\n"
      "Check a demo dataset: HDF5 and the format version, env_args, every demo's datasets and\n"
      "shapes, num_samples and total, next_obs[t] == obs[t+1] within a demo, actions finite and\n"
      "in [-1, 1], dones, masks naming existing demos, sizes matching the registered env.\n"
      "Exit status 0 when valid, 1 when a problem was found, 2 when FILE cannot be read.\n");
}

int cmd_validate(int argc, char** argv) {
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
      default: return cli_usage_error("validate", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("validate", "expects exactly one FILE");
  const char* path = argv[optind];
  cli_install_logger(common.verbose);
  dg_validation v;
  int rc = dg_dataset_validate(path, &v);
  if (rc) return cli_error(cli_exit_for(rc), "validate", "%s", dg_last_errmsg());
  int kept = v.nproblems < 1000 ? v.nproblems : 1000;
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "file", path);
    cJSON_AddBoolToObject(root, "valid", v.valid);
    cJSON* list = cJSON_AddArrayToObject(root, "problems");
    for (int i = 0; i < kept; i++) cJSON_AddItemToArray(list, cJSON_CreateString(v.problems[i]));
    cJSON_AddNumberToObject(root, "problem_count", v.nproblems);
    cJSON_AddNumberToObject(root, "demos", v.ndemos);
    cJSON_AddNumberToObject(root, "samples", (double)v.samples);
    cli_print_json(root);
  } else if (v.valid) {
    printf("%s: valid (%d demos, %ld samples)\n", path, v.ndemos, v.samples);
  } else {
    printf("%s: INVALID, %d problem%s\n", path, v.nproblems, v.nproblems == 1 ? "" : "s");
    for (int i = 0; i < kept; i++) printf("  - %s\n", v.problems[i]);
    if (v.nproblems > kept) printf("  ... and %d more\n", v.nproblems - kept);
  }
  int valid = v.valid;
  dg_validation_free(&v);
  return valid ? EXIT_OK : EXIT_RESULT_FAILED;
}
