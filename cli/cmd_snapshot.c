// cmd_snapshot.c: `demogym snapshot ENV --seed S --out frame.png`: render one frame to PNG.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static void help(void) {
  printf(
      "usage: demogym snapshot ENV --out FILE.png [--seed S] [--steps K] [--policy expert]\n"
      "                            [--width W] [--height H] [--camera NAME] [--json]\n\n"
      "Reset ENV with seed S (default 0), take K steps of the policy (default 0), and render\n"
      "the state offscreen to a PNG file. --camera names a camera of the model, or 'free'.\n");
}

int cmd_snapshot(int argc, char** argv) {
  cli_common common = {0};
  const char* out = NULL;
  const char* camera = NULL;
  const char* policy_spec = "expert";
  long steps = 0, width = 480, height = 480;
  uint64_t seed = 0;
  static const struct option longopts[] = {
      {"out", required_argument, 0, 'o'},    {"seed", required_argument, 0, 's'},
      {"steps", required_argument, 0, 'k'},  {"policy", required_argument, 0, 'p'},
      {"width", required_argument, 0, 'W'},  {"height", required_argument, 0, 'H'},
      {"camera", required_argument, 0, 'c'}, {"json", no_argument, 0, 'j'},
      {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvo:s:", longopts, NULL)) != -1) {
    switch (c) {
      case 'o': out = optarg; break;
      case 's':
        if (cli_parse_seed("snapshot", optarg, &seed)) return EXIT_USAGE;
        break;
      case 'k':
        if (cli_parse_int("snapshot", "--steps", optarg, 0, 1000000, &steps)) return EXIT_USAGE;
        break;
      case 'p': policy_spec = optarg; break;
      case 'W':
        if (cli_parse_int("snapshot", "--width", optarg, 16, 8192, &width)) return EXIT_USAGE;
        break;
      case 'H':
        if (cli_parse_int("snapshot", "--height", optarg, 16, 8192, &height)) return EXIT_USAGE;
        break;
      case 'c': camera = optarg; break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("snapshot", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("snapshot", "expects exactly one ENV id");
  if (!out) return cli_usage_error("snapshot", "--out FILE.png is required");
  const char* id = argv[optind];
  cli_install_logger(common.verbose);

  dg_env_options opt;
  dg_env_options_default(&opt);
  opt.render_width = (int)width;
  opt.render_height = (int)height;
  opt.render_camera = camera;
  opt.max_episode_steps = -1;
  dg_env* env = NULL;
  dg_policy* policy = NULL;
  double *obs = NULL, *action = NULL;
  uint8_t* rgb = NULL;
  int rc = dg_env_make(id, &opt, &env);
  if (rc) return cli_error(cli_exit_for(rc), "snapshot", "%s", dg_last_errmsg());
  obs = malloc(sizeof(double) * dg_env_obs_dim(env));
  action = malloc(sizeof(double) * dg_env_act_dim(env));
  rgb = malloc((size_t)width * height * 3);
  if (!obs || !action || !rgb) {
    rc = DG_ERR_NOMEM;
    dg_set_last_errmsg("out of memory");
    goto done;
  }
  if ((rc = dg_env_reset(env, &seed, obs, NULL))) goto done;
  if (steps > 0) {
    if ((rc = cli_make_policy(policy_spec, id, &policy))) goto done;
    if ((rc = dg_policy_reset(policy, dg_seed_derive(seed, 1, 0)))) goto done;
    for (long k = 0; k < steps; k++) {
      dg_step_result r;
      if ((rc = dg_policy_act(policy, obs, env, action))) goto done;
      if ((rc = dg_env_step(env, action, obs, &r))) goto done;
      if (r.terminated || r.truncated) break;
    }
  }
  if ((rc = dg_env_render(env, rgb))) goto done;
  if ((rc = dg_image_write_png(out, rgb, (int)width, (int)height))) goto done;
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "out", out);
    cJSON_AddNumberToObject(root, "width", width);
    cJSON_AddNumberToObject(root, "height", height);
    cJSON_AddStringToObject(root, "backend", dg_render_backend_name());
    cli_print_json(root);
  } else {
    printf("wrote %s (%ldx%ld)\n", out, width, height);
  }
done:
  if (rc) cli_error(cli_exit_for(rc), "snapshot", "%s", dg_last_errmsg());
  dg_policy_close(&policy);
  dg_env_close(&env);
  free(obs);
  free(action);
  free(rgb);
  return rc ? cli_exit_for(rc) : EXIT_OK;
}
