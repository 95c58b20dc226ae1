// cmd_replay.c: `demogym replay FILE [--demo NAME]`: reset to each demo's stored first state,
// take its stored actions, and report how far the states stray (0 for deterministic envs).
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "demogym/dataset.h"

static void help(void) {
  printf(
      "usage: demogym replay FILE [--demo NAME] [--tolerance E] [--json]\n"
      "                          [--video OUT [--width W] [--height H] [--camera NAME]]\n\n"
      "Replay stored demos in their env: reset to the stored first state, take the stored\n"
      "actions, compare every state and observation with the stored ones. Reports the largest\n"
      "state error (0 for demogym's deterministic simulation). Exit status 1 when it exceeds\n"
      "--tolerance (default 0).\n"
      "--video OUT (.mp4 or .gif) renders the replayed states, demo after demo, labelled with\n"
      "the demo's name, step and success, at the env's render_fps (W x H default 480 x 480).\n");
}

// the options a replay runs with; more outputs (e.g. a video of the replayed states) hook in as
// a dg_replay_fn passed to dg_dataset_replay_each
typedef struct replay_args {
  const char* path;
  const char* demo;
  double tolerance;
  cli_video_args video;  // video.out NULL: no video
} replay_args;

int cmd_replay(int argc, char** argv) {
  cli_common common = {0};
  replay_args a = {NULL, NULL, 0.0, {NULL, 480, 480, NULL}};
  long vw = 480, vh = 480, frames = 0;
  static const struct option longopts[] = {{"demo", required_argument, 0, 'd'},
                                           {"tolerance", required_argument, 0, 't'},
                                           {"video", required_argument, 0, 'V'},
                                           {"width", required_argument, 0, 'W'},
                                           {"height", required_argument, 0, 'H'},
                                           {"camera", required_argument, 0, 'c'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvq", longopts, NULL)) != -1) {
    switch (c) {
      case 'd': a.demo = optarg; break;
      case 't': {
        char* end;
        a.tolerance = strtod(optarg, &end);
        if (end == optarg || *end || !(a.tolerance >= 0))
          return cli_usage_error("replay", "--tolerance expects a number >= 0, got '%s'", optarg);
        break;
      }
      case 'V': a.video.out = optarg; break;
      case 'W':
        if (cli_parse_int("replay", "--width", optarg, 16, 4096, &vw)) return EXIT_USAGE;
        break;
      case 'H':
        if (cli_parse_int("replay", "--height", optarg, 16, 4096, &vh)) return EXIT_USAGE;
        break;
      case 'c': a.video.camera = optarg; break;
      case 'j': common.json = 1; break;
      case 'v': common.verbose = 1; break;
      case 'q': common.quiet = 1; break;
      case 'h': help(); return EXIT_OK;
      default: return cli_usage_error("replay", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("replay", "expects exactly one FILE");
  a.path = argv[optind];
  cli_install_logger(common.verbose);
  dg_dataset* ds;
  int rc = dg_dataset_open(a.path, &ds);
  if (rc) return cli_error(cli_exit_for(rc), "replay", "%s", dg_last_errmsg());
  dg_dataset_info info;
  dg_dataset_get_info(ds, &info);
  dg_replay_result r;
  a.video.width = (int)vw;
  a.video.height = (int)vh;
  if (a.video.out) {
    rc = cli_replay_video(ds, a.demo, &a.video, &r, &frames);
  } else {
    rc = dg_dataset_replay_each(ds, a.demo, NULL, NULL, &r);
  }
  if (rc) {
    int code = cli_error(cli_exit_for(rc), "replay", "%s", dg_last_errmsg());
    dg_dataset_close(&ds);
    return code;
  }
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "file", a.path);
    cJSON_AddStringToObject(root, "env", info.env_name);
    cJSON_AddNumberToObject(root, "demos", r.demos);
    cJSON_AddNumberToObject(root, "steps", (double)r.steps);
    cJSON_AddNumberToObject(root, "max_state_error", r.max_state_error);
    cJSON_AddNumberToObject(root, "max_obs_error", r.max_obs_error);
    cJSON_AddStringToObject(root, "worst_demo", r.worst_demo);
    if (a.video.out) {
      cJSON_AddStringToObject(root, "video", a.video.out);
      cJSON_AddNumberToObject(root, "frames", (double)frames);
    }
    cli_print_json(root);
  } else {
    printf("file             %s (%s)\n", a.path, info.env_name);
    printf("replayed         %d demos, %ld steps\n", r.demos, r.steps);
    printf("max state error  %.3g%s%s\n", r.max_state_error, r.worst_demo[0] ? " in " : "",
           r.worst_demo);
    printf("max obs error    %.3g\n", r.max_obs_error);
  }
  dg_dataset_close(&ds);
  return r.max_state_error > a.tolerance ? EXIT_RESULT_FAILED : EXIT_OK;
}
