// bench_render.c: offscreen rendering at 480x480 against the physics between two frames (one
// env step), measured side by side in one run, for every registered env; and the cost of
// encoding a frame to H.264. Prints frames per second and ratios; --json FILE also writes them.
//
// step: dg_env_step with a slowly varying action (what happens between two video frames).
// render: dg_env_render of the state reached (scene update, drawing, read-back, flip).
// encode: dg_video_write of the frame (RGB to YUV, libx264, single-threaded) to /dev/null's
// folder's temporary file. Rounds alternate the blocks; medians are compared. Wall-clock times
// and, because the software renderer runs threads, process CPU times too.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demogym/demogym.h"

#define ROUNDS 5
#define STEPS  40
#define FRAMES 10
#define SIZE   480

static double clock_of(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v, int n) {
  qsort(v, n, sizeof(double), cmp);
  return v[n / 2];
}

// time per item of fn over n items, wall and CPU
typedef struct timing {
  double wall, cpu;
} timing;

int main(int argc, char** argv) {
  const char* json_path = NULL;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--json") && i + 1 < argc) json_path = argv[++i];
  FILE* json = json_path ? fopen(json_path, "w") : NULL;
  if (json) fprintf(json, "{\"benchmark\": \"render_vs_step\", \"size\": %d, \"results\": [", SIZE);
  printf("rendering %dx%d through %s\n", SIZE, SIZE, dg_render_backend_name());
  printf("%-14s %10s %10s %10s %12s %12s %12s\n", "env", "step ms", "render ms", "encode ms",
         "render fps", "render/step", "(cpu ratio)");
  int rc = 0;
  for (int e = 0; e < dg_env_registry_count(); e++) {
    const char* id = dg_env_registry_id(e);
    dg_env_options o;
    dg_env_options_default(&o);
    o.max_episode_steps = -1;
    o.terminate_on_success = 0;
    o.render_width = o.render_height = SIZE;
    dg_env* env;
    if (dg_env_make(id, &o, &env)) {
      fprintf(stderr, "%s: %s\n", id, dg_last_errmsg());
      return 1;
    }
    double obs[512], act[16] = {0};
    uint64_t seed = 0;
    dg_env_reset(env, &seed, obs, NULL);
    uint8_t* rgb = malloc((size_t)SIZE * SIZE * 3);
    dg_video* video = NULL;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/bench_render_%d.mp4", e);
    if (dg_env_render(env, rgb) || dg_video_open(path, SIZE, SIZE, NULL, &video)) {
      fprintf(stderr, "%s: %s\n", id, dg_last_errmsg());
      return 1;
    }
    double sw[ROUNDS], sc[ROUNDS], rw[ROUNDS], rcpu[ROUNDS], ew[ROUNDS];
    long k = 0;
    for (int r = 0; r < ROUNDS; r++) {
      double w0 = clock_of(CLOCK_MONOTONIC), c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
      for (int s = 0; s < STEPS; s++, k++) {
        act[0] = sin(0.05 * k), act[1] = cos(0.037 * k), act[2] = 0.5 * sin(0.023 * k);
        act[3] = sin(0.011 * k);
        dg_step_result res;
        if (dg_env_step(env, act, obs, &res)) rc = 1;
      }
      double w1 = clock_of(CLOCK_MONOTONIC), c1 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
      for (int f = 0; f < FRAMES; f++)
        if (dg_env_render(env, rgb)) rc = 1;
      double w2 = clock_of(CLOCK_MONOTONIC), c2 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
      for (int f = 0; f < FRAMES; f++)
        if (dg_video_write(video, rgb)) rc = 1;
      double w3 = clock_of(CLOCK_MONOTONIC);
      sw[r] = (w1 - w0) / STEPS, sc[r] = (c1 - c0) / STEPS;
      rw[r] = (w2 - w1) / FRAMES, rcpu[r] = (c2 - c1) / FRAMES;
      ew[r] = (w3 - w2) / FRAMES;
    }
    dg_video_close(&video);  // unfinished: its temporary file is removed
    double step = median(sw, ROUNDS), stepc = median(sc, ROUNDS);
    double ren = median(rw, ROUNDS), renc = median(rcpu, ROUNDS), enc = median(ew, ROUNDS);
    printf("%-14s %10.2f %10.2f %10.2f %12.1f %11.1fx %11.1fx\n", id, 1e3 * step, 1e3 * ren,
           1e3 * enc, 1.0 / ren, ren / step, renc / stepc);
    if (json)
      fprintf(json,
              "%s{\"env\": \"%s\", \"step_ms\": %.4f, \"render_ms\": %.4f, \"encode_ms\": %.4f, "
              "\"render_fps\": %.2f, \"render_over_step\": %.3f, \"render_over_step_cpu\": %.3f}",
              e ? ", " : "", id, 1e3 * step, 1e3 * ren, 1e3 * enc, 1.0 / ren, ren / step,
              renc / stepc);
    free(rgb);
    dg_env_close(&env);
  }
  if (json) {
    fprintf(json, "], \"backend\": \"%s\"}\n", dg_render_backend_name());
    fclose(json);
  }
  return rc;
}
