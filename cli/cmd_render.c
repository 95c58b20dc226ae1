// cmd_render.c: `demogym render ENV --policy P [--policy P2 ...] --out VIDEO`: rollouts of several
// policies from the same seed, side by side in one video.
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define MAX_POLICIES 16

static void help(void) {
  printf(
      "usage: demogym render ENV --policy P [--policy P2 ...] --out VIDEO [--seed S]\n"
      "                          [--episodes N] [--width W] [--height H] [--camera NAME]\n"
      "                          [--fps F] [--crf Q] [--json]\n\n"
      "Roll out each policy from the same initial state (episode i of every policy is reset\n"
      "with the same seed, derived from S as in eval) and write the rollouts side by side into\n"
      "VIDEO (.mp4: H.264; .gif), one episode after another. Each tile is labelled with the\n"
      "policy, the step and success (a green border once the task succeeded); a tile whose\n"
      "episode ended stays on its last frame until the longest one ends.\n\n"
      "  --policy P     'expert' or a checkpoint; append +noise=S[,eps=E] to perturb it\n"
      "                 (Gaussian noise of scale S, uniform random actions with probability E)\n"
      "  --seed S       base seed (default 0)\n"
      "  --episodes N   episodes per policy (default 1)\n"
      "  --width W, --height H   tile size in pixels (default 480x480; even for MP4)\n"
      "  --camera NAME  a camera of the model, or 'free' (default: the task's camera)\n"
      "  --fps F        frame rate (default: the env's render_fps)\n"
      "  --crf Q        H.264 quality, 0 (lossless) to 51 (default 20)\n"
      "  --json         print {out, frames, width, height, fps, codec, backend, policies}\n");
}

// make the policy named by spec: cli_make_policy's names, optionally wrapped in exploration
// noise by a "+noise=S[,eps=E]" suffix
static int make_policy(const char* spec, const char* env_id, dg_policy** out) {
  *out = NULL;
  const char* plus = strstr(spec, "+noise=");
  if (!plus) return cli_make_policy(spec, env_id, out);
  char base[512];
  size_t n = (size_t)(plus - spec);
  if (n == 0 || n >= sizeof(base)) {
    dg_set_last_errmsg("policy '%s': expected NAME+noise=S[,eps=E]", spec);
    return DG_ERR_INVALID;
  }
  memcpy(base, spec, n);
  base[n] = 0;
  double noise = 0, eps = 0;
  char* end;
  noise = strtod(plus + 7, &end);
  if (end == plus + 7 || (*end && strncmp(end, ",eps=", 5) != 0)) {
    dg_set_last_errmsg("policy '%s': expected NAME+noise=S[,eps=E]", spec);
    return DG_ERR_INVALID;
  }
  if (*end) {
    const char* e = end + 5;
    eps = strtod(e, &end);
    if (end == e || *end) {
      dg_set_last_errmsg("policy '%s': expected NAME+noise=S[,eps=E]", spec);
      return DG_ERR_INVALID;
    }
  }
  dg_policy* inner;
  int rc = cli_make_policy(base, env_id, &inner);
  if (rc) return rc;
  return dg_policy_make_noisy(inner, noise, eps, out);
}

int cmd_render(int argc, char** argv) {
  cli_common common = {0};
  const char* out = NULL;
  const char* camera = NULL;
  const char* specs[MAX_POLICIES];
  int npolicies = 0;
  long episodes = 1, width = 480, height = 480, crf = 20;
  double fps = 0;
  uint64_t seed = 0;
  static const struct option longopts[] = {{"out", required_argument, 0, 'o'},
                                           {"seed", required_argument, 0, 's'},
                                           {"policy", required_argument, 0, 'p'},
                                           {"episodes", required_argument, 0, 'n'},
                                           {"width", required_argument, 0, 'W'},
                                           {"height", required_argument, 0, 'H'},
                                           {"camera", required_argument, 0, 'c'},
                                           {"fps", required_argument, 0, 'f'},
                                           {"crf", required_argument, 0, 'C'},
                                           {"json", no_argument, 0, 'j'},
                                           {"quiet", no_argument, 0, 'q'},
                                           {"help", no_argument, 0, 'h'},
                                           {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hvqo:s:p:n:", longopts, NULL)) != -1) {
    switch (c) {
      case 'o':
        out = optarg;
        break;
      case 's':
        if (cli_parse_seed("render", optarg, &seed)) return EXIT_USAGE;
        break;
      case 'p':
        if (npolicies == MAX_POLICIES)
          return cli_usage_error("render", "at most %d policies", MAX_POLICIES);
        specs[npolicies++] = optarg;
        break;
      case 'n':
        if (cli_parse_int("render", "--episodes", optarg, 1, 100000, &episodes)) return EXIT_USAGE;
        break;
      case 'W':
        if (cli_parse_int("render", "--width", optarg, 16, 4096, &width)) return EXIT_USAGE;
        break;
      case 'H':
        if (cli_parse_int("render", "--height", optarg, 16, 4096, &height)) return EXIT_USAGE;
        break;
      case 'c':
        camera = optarg;
        break;
      case 'f': {
        char* end;
        fps = strtod(optarg, &end);
        if (end == optarg || *end || !(fps > 0 && fps <= 1000))
          return cli_usage_error("render", "--fps expects a rate in (0, 1000], got '%s'", optarg);
        break;
      }
      case 'C':
        if (cli_parse_int("render", "--crf", optarg, 0, 51, &crf)) return EXIT_USAGE;
        break;
      case 'j':
        common.json = 1;
        break;
      case 'v':
        common.verbose = 1;
        break;
      case 'q':
        common.quiet = 1;
        break;
      case 'h':
        help();
        return EXIT_OK;
      default:
        return cli_usage_error("render", "unknown option");
    }
  }
  if (optind != argc - 1) return cli_usage_error("render", "expects exactly one ENV id");
  if (!out) return cli_usage_error("render", "--out VIDEO is required (.mp4 or .gif)");
  if (npolicies == 0) return cli_usage_error("render", "give at least one --policy");
  const char* id = argv[optind];
  cli_install_logger(common.verbose);
  cli_install_interrupt();

  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.render_width = (int)width;
  eo.render_height = (int)height;
  eo.render_camera = camera;
  dg_env* env = NULL;
  dg_policy* policies[MAX_POLICIES] = {0};
  dg_video* video = NULL;
  dg_episode_stats* stats = NULL;
  long frames = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = dg_env_make(id, &eo, &env);
  if (rc) goto done;
  for (int i = 0; i < npolicies; i++)
    if ((rc = make_policy(specs[i], id, &policies[i]))) goto done;
  stats = calloc((size_t)episodes * npolicies, sizeof(dg_episode_stats));
  if (!stats) {
    rc = DG_ERR_NOMEM;
    dg_set_last_errmsg("out of memory");
    goto done;
  }
  int vw, vh;
  dg_render_tracks_size(env, npolicies, &vw, &vh);
  dg_video_options vo;
  dg_video_options_default(&vo);
  vo.fps = fps > 0 ? fps : dg_env_render_fps(env);
  vo.crf = (int)crf;
  if ((rc = dg_video_open(out, vw, vh, &vo, &video))) goto done;
  dg_render_rollouts_options ro;
  dg_render_rollouts_options_default(&ro);
  ro.episodes = (int)episodes;
  ro.seed = seed;
  ro.stop = cli_stop_flag();
  if ((rc = dg_render_rollouts(env, policies, npolicies, &ro, video, stats, &frames))) goto done;
  if ((rc = dg_video_finish(video))) goto done;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);

  if (common.json) {
    cJSON* root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "out", out);
    cJSON_AddNumberToObject(root, "frames", (double)frames);
    cJSON_AddNumberToObject(root, "width", vw);
    cJSON_AddNumberToObject(root, "height", vh);
    cJSON_AddNumberToObject(root, "fps", vo.fps);
    cJSON_AddStringToObject(root, "codec", dg_video_codec(video));
    cJSON_AddStringToObject(root, "backend", dg_render_backend_name());
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON_AddNumberToObject(root, "seconds", seconds);
    cJSON* pol = cJSON_AddArrayToObject(root, "policies");
    for (int i = 0; i < npolicies; i++) {
      cJSON* p = cJSON_CreateObject();
      cJSON_AddStringToObject(p, "policy", specs[i]);
      cJSON* eps = cJSON_AddArrayToObject(p, "episodes");
      for (long e = 0; e < episodes; e++) {
        const dg_episode_stats* st = &stats[e * npolicies + i];
        cJSON* ep = cJSON_CreateObject();
        cJSON_AddNumberToObject(ep, "length", st->length);
        cJSON_AddBoolToObject(ep, "success", st->success);
        cJSON_AddNumberToObject(ep, "return", st->ret);
        cJSON_AddItemToArray(eps, ep);
      }
      cJSON_AddItemToArray(pol, p);
    }
    cli_print_json(root);
  } else {
    printf("wrote %s: %ld frames of %dx%d at %g fps (%s), %d policies x %ld episodes\n", out,
           frames, vw, vh, vo.fps, dg_video_codec(video), npolicies, episodes);
    for (int i = 0; i < npolicies; i++) {
      int wins = 0;
      for (long e = 0; e < episodes; e++) wins += stats[e * npolicies + i].success != 0;
      printf("  %-32s success %d/%ld\n", specs[i], wins, episodes);
    }
  }
done:
  if (rc) cli_error(cli_exit_for(rc), "render", "%s", dg_last_errmsg());
  dg_video_close(&video);
  for (int i = 0; i < npolicies; i++) dg_policy_close(&policies[i]);
  dg_env_close(&env);
  free(stats);
  return rc ? cli_exit_for(rc) : EXIT_OK;
}
