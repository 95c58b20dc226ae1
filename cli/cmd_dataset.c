// cmd_dataset.c: `demogym dataset list|build|hash`: benchmark datasets from their cards.
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "demogym/recorder.h"

#ifndef DG_DATASETS_DIR
#define DG_DATASETS_DIR "datasets"
#endif

static void help(void) {
  printf(
      "usage: demogym dataset list [--json]\n"
      "       demogym dataset build NAME [--out FILE] [--overwrite] [--json]\n"
      "       demogym dataset hash FILE [--json]\n\n"
      "Benchmark datasets are described by cards (JSON, in %s or $DEMOGYM_DATASETS): env,\n"
      "expert options, episodes, seed, and the SHA-256 of the dataset's canonical content.\n"
      "build regenerates a card's dataset (NAME, or a card's path) into FILE (default\n"
      "NAME.hdf5) and checks its checksum: exit 1 when it differs. hash prints a file's\n"
      "canonical checksum.\n",
      DG_DATASETS_DIR);
}

static const char* cards_dir(void) {
  const char* env = getenv("DEMOGYM_DATASETS");
  return env && env[0] ? env : DG_DATASETS_DIR;
}

static int is_card(const char* name) {
  size_t n = strlen(name);
  return n > 5 && !strcmp(name + n - 5, ".json");
}

static int cmp_str(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static int dataset_list(const cli_common* common) {
  const char* dir = cards_dir();
  DIR* d = opendir(dir);
  if (!d) return cli_error(EXIT_USAGE, "dataset", "cannot read the cards' folder %s", dir);
  char* names[1024];
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL && n < 1024)
    if (is_card(e->d_name)) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof(char*), cmp_str);
  cJSON* root = cJSON_CreateObject();
  cJSON* list = cJSON_AddArrayToObject(root, "datasets");
  if (!common->json) printf("%-28s %-14s %8s %6s %6s %8s\n", "name", "env", "episodes", "noise", "eps", "seed");
  for (int i = 0; i < n; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    dg_card card;
    if (dg_card_load(path, &card) != DG_OK) {
      fprintf(stderr, "demogym dataset: skipping %s: %s\n", path, dg_last_errmsg());
      free(names[i]);
      continue;
    }
    cJSON* o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", card.name);
    cJSON_AddStringToObject(o, "env", card.env);
    cJSON_AddNumberToObject(o, "episodes", card.episodes);
    cJSON_AddNumberToObject(o, "seed", (double)card.seed);
    cJSON_AddNumberToObject(o, "noise", card.noise);
    cJSON_AddNumberToObject(o, "epsilon", card.epsilon);
    cJSON_AddStringToObject(o, "sha256", card.sha256);
    cJSON_AddStringToObject(o, "card", path);
    cJSON_AddItemToArray(list, o);
    if (!common->json)
      printf("%-28s %-14s %8d %6g %6g %8llu\n", card.name, card.env, card.episodes, card.noise,
             card.epsilon, (unsigned long long)card.seed);
    free(names[i]);
  }
  if (common->json)
    cli_print_json(root);
  else
    cJSON_Delete(root);
  return EXIT_OK;
}

static int dataset_build(const cli_common* common, const char* name, const char* out,
                         int overwrite) {
  char path[4096];
  if (is_card(name))
    snprintf(path, sizeof(path), "%s", name);
  else
    snprintf(path, sizeof(path), "%s/%s.json", cards_dir(), name);
  dg_card card;
  int rc = dg_card_load(path, &card);
  if (rc) return cli_error(cli_exit_for(rc), "dataset", "%s", dg_last_errmsg());
  char def[300];
  if (!out) {
    snprintf(def, sizeof(def), "%s.hdf5", card.name);
    out = def;
  }
  cli_install_interrupt();
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  char hex[65];
  rc = dg_card_build(&card, out, overwrite, cli_stop_flag(), hex);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (rc) return cli_error(cli_exit_for(rc), "dataset", "%s", dg_last_errmsg());
  int match = card.sha256[0] && !strcmp(card.sha256, hex);
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  if (common->json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "name", card.name);
    cJSON_AddStringToObject(root, "out", out);
    cJSON_AddStringToObject(root, "sha256", hex);
    cJSON_AddStringToObject(root, "expected_sha256", card.sha256);
    cJSON_AddBoolToObject(root, "match", match);
    cJSON_AddNumberToObject(root, "seconds", seconds);
    cli_print_json(root);
  } else {
    printf("%s -> %s (%.1f s)\nsha256   %s\nexpected %s\n%s\n", card.name, out, seconds, hex,
           card.sha256[0] ? card.sha256 : "(none in the card)",
           match ? "checksum matches the card" : "CHECKSUM DIFFERS from the card");
  }
  return match ? EXIT_OK : EXIT_RESULT_FAILED;
}

int cmd_dataset(int argc, char** argv) {
  cli_common common = {0};
  const char* out = NULL;
  int overwrite = 0;
  static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                           {"overwrite", no_argument, 0, 'W'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqo:", longopts, NULL)) != -1) {
    switch (c) {
      case 'o': out = optarg; break;
      case 'W': overwrite = 1; break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("dataset", "unknown option");
    }
  }
  if (optind >= argc) return cli_usage_error("dataset", "expects list, build NAME or hash FILE");
  const char* action = argv[optind];
  cli_install_logger(common.verbose);
  if (!strcmp(action, "list") && optind == argc - 1) return dataset_list(&common);
  if (!strcmp(action, "build") && optind == argc - 2)
    return dataset_build(&common, argv[optind + 1], out, overwrite);
  if (!strcmp(action, "hash") && optind == argc - 2) {
    char hex[65];
    int rc = dg_dataset_checksum(argv[optind + 1], hex);
    if (rc) return cli_error(cli_exit_for(rc), "dataset", "%s", dg_last_errmsg());
    if (common.json) {
      cJSON* root = cJSON_CreateObject();
      cJSON_AddStringToObject(root, "file", argv[optind + 1]);
      cJSON_AddStringToObject(root, "sha256", hex);
      cli_print_json(root);
    } else {
      printf("%s  %s\n", hex, argv[optind + 1]);
    }
    return EXIT_OK;
  }
  return cli_usage_error("dataset", "expects list, build NAME or hash FILE");
}
