// cmd_info.c: `demogym info ENV`: one env's spaces, observation keys and timing.
#include <getopt.h>
#include <math.h>
#include <stdio.h>

#include "cli.h"

static void help(void) {
  printf("usage: demogym info ENV [--json]\n\nShow an env's observation keys, action bounds, "
         "time limit, control period and render rate.\n");
}

int cmd_info(int argc, char** argv) {
  cli_common common = {0};
  static const struct option longopts[] = {
      {"json", no_argument, 0, 'j'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
    if (c == 'j') common.json = 1;
    else if (c == 'v') common.verbose = 1;
    else if (c == 'h') return help(), EXIT_OK;
    else return cli_usage_error("info", "unknown option");
  }
  if (optind != argc - 1) return cli_usage_error("info", "expects exactly one ENV id");
  cli_install_logger(common.verbose);
  const char* id = argv[optind];
  dg_env* env;
  int rc = dg_env_make(id, NULL, &env);
  if (rc) return cli_error(cli_exit_for(rc), "info", "%s", dg_last_errmsg());

  dg_box act = dg_env_action_space(env);
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "id", id);
    cJSON_AddNumberToObject(root, "version", dg_env_version(env));
    cJSON_AddNumberToObject(root, "obs_dim", dg_env_obs_dim(env));
    cJSON_AddNumberToObject(root, "act_dim", dg_env_act_dim(env));
    cJSON_AddNumberToObject(root, "state_dim", dg_env_state_dim(env));
    cJSON* keys = cJSON_AddArrayToObject(root, "obs_keys");
    for (int k = 0; k < dg_env_obs_key_count(env); k++) {
      const dg_obs_key* key = dg_env_obs_key(env, k);
      cJSON* o = cJSON_CreateObject();
      cJSON_AddStringToObject(o, "name", key->name);
      cJSON_AddNumberToObject(o, "size", key->size);
      cJSON_AddNumberToObject(o, "offset", key->offset);
      cJSON_AddItemToArray(keys, o);
    }
    cJSON_AddItemToObject(root, "action_low", cJSON_CreateDoubleArray(act.low, act.dim));
    cJSON_AddItemToObject(root, "action_high", cJSON_CreateDoubleArray(act.high, act.dim));
    cJSON_AddNumberToObject(root, "max_episode_steps", dg_env_max_episode_steps(env));
    cJSON_AddNumberToObject(root, "dt", dg_env_dt(env));
    cJSON_AddNumberToObject(root, "render_fps", dg_env_render_fps(env));
    cli_print_json(root);
  } else {
    printf("%s (version %d)\n", id, dg_env_version(env));
    printf("  observation   %d float64\n", dg_env_obs_dim(env));
    for (int k = 0; k < dg_env_obs_key_count(env); k++) {
      const dg_obs_key* key = dg_env_obs_key(env, k);
      printf("    %-16s size %-3d offset %d\n", key->name, key->size, key->offset);
    }
    printf("  action        %d float64 in [%g, %g]\n", act.dim, act.low[0], act.high[0]);
    printf("  state         %d float64\n", dg_env_state_dim(env));
    printf("  time limit    %d steps (%.1f s)\n", dg_env_max_episode_steps(env),
           dg_env_max_episode_steps(env) * dg_env_dt(env));
    printf("  control       %.3f s per step (%.0f Hz)\n", dg_env_dt(env), 1.0 / dg_env_dt(env));
    printf("  render_fps    %.0f\n", dg_env_render_fps(env));
  }
  dg_env_close(&env);
  return EXIT_OK;
}
