// cmd_view.c: `demogym view ENV [--policy P]`: watch a policy act in a window, with a key that
// hands control to the person at the keyboard and back.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void) {
  printf(
      "usage: demogym view ENV [--policy P] [--seed S] [--episodes N] [--speed X] [--paused]\n"
      "                        [--width W] [--height H] [--camera NAME] [--keys SCRIPT] "
      "[--max-steps N]\n"
      "                        [--screenshot FILE.png [--screenshot-step K]] [--json]\n\n"
      "Open a window on ENV and run policy P (default 'expert'; 'person' for the keyboard\n"
      "only) episode after episode, at the env's render_fps times X (0: unpaced), until the\n"
      "window closes or N episodes end (default: until closed). Tab hands control between\n"
      "the policy and the person; H shows the keys. Mouse: left drag orbits, right drag pans,\n"
      "scroll zooms.\n\n"
      "  Space pause/resume   Right one step   Backspace end the episode   - / = speed\n"
      "  Tab policy <-> person   V next camera   Esc close\n"
      "  W/S +x/-x   A/D +y/-y   R/F up/down   C gripper   Shift fine motion\n\n"
      "  --keys SCRIPT       scripted keys, e.g. '0:Tab 0:+W 5:-W' (see viewer.h)\n"
      "  --screenshot FILE   save the window (overlay included) at step K (default 10) of the\n"
      "                      first episode, as PNG\n"
      "Needs a display (a desktop, or xvfb-run).\n");
}

typedef struct shot {
  dg_viewer* viewer;
  const char* path;
  long step;
  int done;
  int steps;  // steps of the current episode
} shot;

static int shot_save(shot* s) {
  int w, h;
  dg_viewer_size(s->viewer, &w, &h);
  uint8_t* rgb = malloc((size_t)w * h * 3);
  if (!rgb) {
    dg_set_last_errmsg("out of memory for a screenshot");
    return DG_ERR_NOMEM;
  }
  int rc = dg_viewer_screenshot(s->viewer, rgb);
  if (rc == DG_OK) rc = dg_image_write_png(s->path, rgb, w, h);
  free(rgb);
  s->done = 1;
  return rc;
}

static int shot_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  shot* s = user;
  s->steps = 0;
  return !s->done && s->step == 0 ? shot_save(s) : DG_OK;
}

static int shot_after(void* user, dg_env* env, const double* obs, const double* action,
                      const double* next_obs, const dg_step_result* res) {
  shot* s = user;
  s->steps++;
  return !s->done && (s->steps == s->step || res->terminated || res->truncated) ? shot_save(s)
                                                                                : DG_OK;
}

int cmd_view(int argc, char** argv) {
  cli_common common = {0};
  const char *policy_spec = "expert", *camera = NULL, *keys = NULL, *screenshot = NULL;
  long episodes = 0, width = 960, height = 720, shot_step = 10;
  long max_steps = 0;
  double speed = 1.0;
  int paused = 0;
  uint64_t seed = 0;
  static const struct option longopts[] = {{"policy", required_argument, 0, 'p'},
                                           {"seed", required_argument, 0, 's'},
                                           {"episodes", required_argument, 0, 'n'},
                                           {"speed", required_argument, 0, 'x'},
                                           {"paused", no_argument, 0, 'P'},
                                           {"width", required_argument, 0, 'W'},
                                           {"height", required_argument, 0, 'H'},
                                           {"camera", required_argument, 0, 'c'},
                                           {"max-steps", required_argument, 0, 'm'},
                                           {"keys", required_argument, 0, 'k'},
                                           {"screenshot", required_argument, 0, 'S'},
                                           {"screenshot-step", required_argument, 0, 'K'},
                                           {"json", no_argument, 0, 'j'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvp:s:n:", longopts, NULL)) != -1) {
    switch (c) {
      case 'p':
        policy_spec = optarg;
        break;
      case 's':
        if (cli_parse_seed("view", optarg, &seed)) return EXIT_USAGE;
        break;
      case 'n':
        if (cli_parse_int("view", "--episodes", optarg, 0, 1000000, &episodes)) return EXIT_USAGE;
        break;
      case 'x': {
        char* end;
        speed = strtod(optarg, &end);
        if (end == optarg || *end || !(speed >= 0 && speed <= 4))
          return cli_usage_error("view", "--speed expects a factor in [0, 4], got '%s'", optarg);
        break;
      }
      case 'P':
        paused = 1;
        break;
      case 'W':
        if (cli_parse_int("view", "--width", optarg, 64, 8192, &width)) return EXIT_USAGE;
        break;
      case 'H':
        if (cli_parse_int("view", "--height", optarg, 64, 8192, &height)) return EXIT_USAGE;
        break;
      case 'c':
        camera = optarg;
        break;
      case 'm':
        if (cli_parse_int("view", "--max-steps", optarg, 1, 1000000, &max_steps)) return EXIT_USAGE;
        break;
      case 'k':
        keys = optarg;
        break;
      case 'S':
        screenshot = optarg;
        break;
      case 'K':
        if (cli_parse_int("view", "--screenshot-step", optarg, 0, 1000000, &shot_step))
          return EXIT_USAGE;
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
        return cli_usage_error("view", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("view", "expects exactly one ENV id");
  const char* id = argv[optind];
  cli_install_logger(common.verbose);
  cli_install_interrupt();

  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.render_camera = camera;
  eo.max_episode_steps = (int)max_steps;
  dg_env* env = NULL;
  dg_viewer* viewer = NULL;
  dg_policy *learner = NULL, *person = NULL, *gate = NULL;
  dg_viewer_run_result res = {0};
  int rc = dg_env_make(id, &eo, &env);
  if (rc) goto done;
  dg_viewer_options vo;
  dg_viewer_options_default(&vo);
  vo.width = (int)width;
  vo.height = (int)height;
  vo.speed = speed;
  vo.paused = paused;
  if ((rc = dg_viewer_make(env, &vo, &viewer))) goto done;
  if (keys && (rc = dg_viewer_set_key_script(viewer, keys))) goto done;
  if ((rc = dg_viewer_make_human_policy(viewer, &person))) goto done;
  dg_policy* acting = person;
  if (strcmp(policy_spec, "person") != 0) {
    if ((rc = cli_make_policy(policy_spec, id, &learner))) goto done;
    if ((rc = dg_gate_make(learner, person, &gate))) goto done;
    acting = gate;
  }
  shot s = {viewer, screenshot, shot_step, 0, 0};
  dg_tap tap = {&s, shot_begin, NULL, shot_after, NULL};
  dg_viewer_run_options ro;
  dg_viewer_run_options_default(&ro);
  ro.episodes = (int)episodes;
  ro.seed = seed;
  ro.stop = cli_stop_flag();
  if (screenshot) {
    ro.taps = &tap;
    ro.ntaps = 1;
  }
  if ((rc = dg_viewer_run(viewer, acting, &ro, &res))) goto done;
  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "env", id);
    cJSON_AddStringToObject(root, "policy", policy_spec);
    cJSON_AddNumberToObject(root, "episodes", res.episodes_ended);
    cJSON_AddNumberToObject(root, "episodes_reset", res.episodes_reset);
    cJSON_AddNumberToObject(root, "successes", res.successes);
    cJSON_AddNumberToObject(root, "steps", (double)res.steps);
    if (gate) {
      dg_gate_stats gs;
      dg_gate_get_stats(gate, &gs);
      cJSON_AddNumberToObject(root, "person_steps", (double)gs.supervisor_steps);
      cJSON_AddNumberToObject(root, "takeovers", (double)gs.interventions);
    }
    if (screenshot) cJSON_AddStringToObject(root, "screenshot", s.done ? screenshot : "");
    cli_print_json(root);
  } else {
    printf("%d episodes ended (%d successful), %d reset, %ld steps\n", res.episodes_ended,
           res.successes, res.episodes_reset, res.steps);
  }
done:
  if (rc) cli_error(cli_exit_for(rc), "view", "%s", dg_last_errmsg());
  dg_policy_close(&gate);
  dg_policy_close(&learner);
  dg_policy_close(&person);
  dg_viewer_close(&viewer);
  dg_env_close(&env);
  return rc ? cli_exit_for(rc) : EXIT_OK;
}
