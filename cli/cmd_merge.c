// cmd_merge.c: `demogym merge OUT IN...`: merge datasets of one env into a new file.
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "demogym/recorder.h"

static void help(void) {
  printf(
      "usage: demogym merge OUT IN... [--overwrite] [--json]\n\n"
      "Merge datasets of the same env (version, keys, env_kwargs) into OUT: demos renumbered in\n"
      "input order and copied as they are, masks merged by name, total summed. OUT must not\n"
      "exist unless --overwrite; it is written only when every input is fine.\n");
}

int cmd_merge(int argc, char** argv) {
  cli_common common = {0};
  int overwrite = 0;
  static const struct option longopts[] = {{"overwrite", no_argument, 0, 'W'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvq", longopts, NULL)) != -1) {
    switch (c) {
      case 'W': overwrite = 1; break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("merge", "unknown option");
    }
  }
  if (argc - optind < 2) return cli_usage_error("merge", "expects OUT and at least one IN");
  const char* out = argv[optind];
  cli_install_logger(common.verbose);
  int ndemos;
  long nsamples;
  int rc = dg_dataset_merge(out, (const char* const*)(argv + optind + 1), argc - optind - 1,
                            overwrite, &ndemos, &nsamples);
  if (rc) return cli_error(cli_exit_for(rc), "merge", "%s", dg_last_errmsg());
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "out", out);
    cJSON_AddNumberToObject(root, "inputs", argc - optind - 1);
    cJSON_AddNumberToObject(root, "demos", ndemos);
    cJSON_AddNumberToObject(root, "samples", (double)nsamples);
    cli_print_json(root);
  } else {
    printf("%s: %d demos, %ld samples from %d files\n", out, ndemos, nsamples, argc - optind - 1);
  }
  return EXIT_OK;
}
