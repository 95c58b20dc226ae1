// cmd_split.c: `demogym split FILE --valid 0.1 --seed S`: write mask/train and mask/valid.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "demogym/recorder.h"

static void help(void) {
  printf(
      "usage: demogym split FILE [--valid FRACTION] [--seed S] [--json]\n\n"
      "Write the filter keys mask/train and mask/valid into FILE: a seeded random FRACTION\n"
      "(default 0.1) of the demos for validation, the rest for training. Other masks are kept;\n"
      "the change is committed atomically.\n");
}

int cmd_split(int argc, char** argv) {
  cli_common common = {0};
  double valid = 0.1;
  uint64_t seed = 0;
  static const struct option longopts[] = {{"valid", required_argument, 0, 'f'},
                                           {"seed", required_argument, 0, 's'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqs:", longopts, NULL)) != -1) {
    switch (c) {
      case 'f': {
        char* end;
        valid = strtod(optarg, &end);
        if (end == optarg || *end || !(valid >= 0 && valid < 1))
          return cli_usage_error("split", "--valid expects a fraction in [0, 1), got '%s'",
                                 optarg);
        break;
      }
      case 's':
        if (cli_parse_seed("split", optarg, &seed)) return EXIT_USAGE;
        break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("split", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("split", "expects exactly one FILE");
  const char* path = argv[optind];
  cli_install_logger(common.verbose);
  int ntrain, nvalid;
  int rc = dg_dataset_split(path, valid, seed, &ntrain, &nvalid);
  if (rc) return cli_error(cli_exit_for(rc), "split", "%s", dg_last_errmsg());
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "file", path);
    cJSON_AddNumberToObject(root, "train", ntrain);
    cJSON_AddNumberToObject(root, "valid", nvalid);
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cli_print_json(root);
  } else {
    printf("%s: mask/train %d demos, mask/valid %d demos (seed %llu)\n", path, ntrain, nvalid,
           (unsigned long long)seed);
  }
  return EXIT_OK;
}
