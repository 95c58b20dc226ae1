// cmd_list.c: `demogym list`: the registered envs with their dimensions and time limits.
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static void help(void) {
  printf("usage: demogym list [--json]\n\nList the registered envs: id, observation and action "
         "sizes, time limit.\n");
}

int cmd_list(int argc, char** argv) {
  cli_common common = {0};
  static const struct option longopts[] = {
      {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
    if (c == 'j') common.json = 1;
    else if (c == 'v') common.verbose = 1;
    else if (c == 'h') return help(), EXIT_OK;
    else return cli_usage_error("list", "unknown option");
  }
  if (optind < argc) return cli_usage_error("list", "unexpected argument '%s'", argv[optind]);
  cli_install_logger(common.verbose);

  cJSON* root = cJSON_CreateObject();
  cJSON* envs = cJSON_AddArrayToObject(root, "envs");
  if (!common.json) printf("%-16s %8s %8s %10s %8s\n", "id", "obs_dim", "act_dim", "max_steps", "dt");
  for (int i = 0; i < dg_env_registry_count(); i++) {
    const char* id = dg_env_registry_id(i);
    dg_env* env;
    int rc = dg_env_make(id, NULL, &env);
    if (rc) {
      cJSON_Delete(root);
      return cli_error(cli_exit_for(rc), "list", "cannot make %s: %s", id, dg_last_errmsg());
    }
    cJSON* e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "id", id);
    cJSON_AddNumberToObject(e, "obs_dim", dg_env_obs_dim(env));
    cJSON_AddNumberToObject(e, "act_dim", dg_env_act_dim(env));
    cJSON_AddNumberToObject(e, "max_episode_steps", dg_env_max_episode_steps(env));
    cJSON_AddNumberToObject(e, "dt", dg_env_dt(env));
    cJSON_AddItemToArray(envs, e);
    if (!common.json)
      printf("%-16s %8d %8d %10d %7.3fs\n", id, dg_env_obs_dim(env), dg_env_act_dim(env),
             dg_env_max_episode_steps(env), dg_env_dt(env));
    dg_env_close(&env);
  }
  if (common.json) {
    cli_print_json(root);
  } else {
    cJSON_Delete(root);
  }
  return EXIT_OK;
}
