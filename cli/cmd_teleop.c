// cmd_teleop.c: `demogym teleop ENV --out FILE`: drive the arm with the keyboard in the viewer and
// record every episode that ends, through the recorder, as demonstrations of source "human".
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "demogym/recorder.h"

static void help(void) {
  printf(
      "usage: demogym teleop ENV --out FILE [--episodes N] [--seed S] [--append | --overwrite]\n"
      "                          [--only-success] [--speed X] [--width W] [--height H]\n"
      "                          [--camera NAME] [--keys SCRIPT] [--max-steps N] [--json]\n\n"
      "Open a window on ENV; you drive the arm with the keyboard and every episode that ends\n"
      "(success or time limit) is written to FILE (HDF5, robomimic's layout, source 'human'),\n"
      "until N episodes are recorded (default: until the window closes). Backspace drops the\n"
      "episode under way and starts a new one.\n\n"
      "  W/S +x/-x   A/D +y/-y   R/F up/down   C gripper (toggle)   Shift fine motion\n"
      "  Space pause/resume   Right one step   Backspace drop the episode   - / = speed\n"
      "  V next camera   H keys   Esc close\n\n"
      "  --keys SCRIPT   scripted keys instead of (or before) typing, e.g. '0:+W 6:-W 6:C'\n"
      "                  (STEP:+KEY press, STEP:-KEY release, STEP:KEY both; see viewer.h)\n"
      "  --speed X       X times real time (default 1; 0: unpaced)\n"
      "Needs a display (a desktop, or xvfb-run).\n");
}

int cmd_teleop(int argc, char** argv) {
  cli_common common = {0};
  const char *out = NULL, *camera = NULL, *keys = NULL;
  long episodes = 0, width = 960, height = 720;
  long max_steps = 0;
  double speed = 1.0;
  int mode = DG_REC_CREATE, only_success = 0;
  uint64_t seed = 0;
  static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                           {"seed", required_argument, 0, 's'},
                                           {"episodes", required_argument, 0, 'n'},
                                           {"speed", required_argument, 0, 'x'},
                                           {"append", no_argument, 0, 'a'},
                                           {"overwrite", no_argument, 0, 'O'},
                                           {"only-success", no_argument, 0, 'u'},
                                           {"width", required_argument, 0, 'W'},
                                           {"height", required_argument, 0, 'H'},
                                           {"camera", required_argument, 0, 'c'},
                                           {"max-steps", required_argument, 0, 'm'},
                                           {"keys", required_argument, 0, 'k'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvo:s:n:", longopts, NULL)) != -1) {
    switch (c) {
      case 'o':
        out = optarg;
        break;
      case 's':
        if (cli_parse_seed("teleop", optarg, &seed)) return EXIT_USAGE;
        break;
      case 'n':
        if (cli_parse_int("teleop", "--episodes", optarg, 0, 1000000, &episodes)) return EXIT_USAGE;
        break;
      case 'x': {
        char* end;
        speed = strtod(optarg, &end);
        if (end == optarg || *end || !(speed >= 0 && speed <= 4))
          return cli_usage_error("teleop", "--speed expects a factor in [0, 4], got '%s'", optarg);
        break;
      }
      case 'a':
        mode = DG_REC_APPEND;
        break;
      case 'O':
        mode = DG_REC_OVERWRITE;
        break;
      case 'u':
        only_success = 1;
        break;
      case 'W':
        if (cli_parse_int("teleop", "--width", optarg, 64, 8192, &width)) return EXIT_USAGE;
        break;
      case 'H':
        if (cli_parse_int("teleop", "--height", optarg, 64, 8192, &height)) return EXIT_USAGE;
        break;
      case 'c':
        camera = optarg;
        break;
      case 'm':
        if (cli_parse_int("teleop", "--max-steps", optarg, 1, 1000000, &max_steps))
          return EXIT_USAGE;
        break;
      case 'k':
        keys = optarg;
        break;
      case 'j':
        common.json = 1;
        break;
      case 'v':
        common.verbose = 1;
        break;
      case 'h':
        help();
        return EXIT_OK;
      default:
        return cli_usage_error("teleop", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("teleop", "expects exactly one ENV id");
  if (!out) return cli_usage_error("teleop", "--out FILE is required");
  const char* id = argv[optind];
  cli_install_logger(common.verbose);
  cli_install_interrupt();

  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.render_camera = camera;
  eo.max_episode_steps = (int)max_steps;
  dg_env* env = NULL;
  dg_viewer* viewer = NULL;
  dg_policy* person = NULL;
  dg_rec* rec = NULL;
  dg_rec_tap* rtap = NULL;
  dg_viewer_run_result res = {0};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = dg_env_make(id, &eo, &env);
  if (rc) goto done;
  // the window first: without a display nothing is written
  dg_viewer_options vo;
  dg_viewer_options_default(&vo);
  vo.width = (int)width;
  vo.height = (int)height;
  vo.speed = speed;
  if ((rc = dg_viewer_make(env, &vo, &viewer))) goto done;
  if (keys && (rc = dg_viewer_set_key_script(viewer, keys))) goto done;
  if ((rc = dg_viewer_make_human_policy(viewer, &person))) goto done;
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.mode = mode;
  ro.source = "human";
  ro.only_success = only_success;
  ro.terminate_on_success = eo.terminate_on_success;
  if ((rc = dg_rec_make(out, env, &ro, &rec))) goto done;
  if ((rc = dg_rec_tap_make(rec, env, NULL, &rtap))) goto done;
  dg_viewer_run_options run;
  dg_viewer_run_options_default(&run);
  run.episodes = (int)episodes;
  run.seed = seed;
  run.taps = dg_rec_tap_get(rtap);
  run.ntaps = 1;
  run.stop = cli_stop_flag();
  if ((rc = dg_viewer_run(viewer, person, &run, &res))) goto done;
  dg_rec_tap_close(&rtap);
  if ((rc = dg_rec_finish(rec))) goto done;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  dg_rec_stats st;
  dg_rec_get_stats(rec, &st);
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "out", out);
    cJSON_AddNumberToObject(root, "episodes", st.demos_written);
    cJSON_AddNumberToObject(root, "samples", (double)st.samples_written);
    cJSON_AddNumberToObject(root, "success_rate",
                            res.episodes_ended ? (double)res.successes / res.episodes_ended : 0.0);
    cJSON_AddNumberToObject(root, "episodes_dropped", res.episodes_reset);
    cJSON_AddNumberToObject(root, "seconds", seconds);
    cli_print_json(root);
  } else {
    printf("wrote %d episodes (%ld samples) to %s; %d of %d ended in success, %d dropped\n",
           st.demos_written, st.samples_written, out, res.successes, res.episodes_ended,
           res.episodes_reset);
  }
done:
  if (rc) cli_error(cli_exit_for(rc), "teleop", "%s", dg_last_errmsg());
  dg_rec_tap_close(&rtap);
  dg_rec_close(&rec);
  dg_policy_close(&person);
  dg_viewer_close(&viewer);
  dg_env_close(&env);
  return rc ? cli_exit_for(rc) : EXIT_OK;
}
