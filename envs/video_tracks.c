// video_tracks.c: videos of stored states side by side (tracks), and of several policies' rollouts
// from the same initial states.
//
// A rollout is recorded as its sequence of full simulation states by a tap on the shared rollout
// driver, one policy after another; the video is rendered afterwards by restoring those states.
// Rendering depends only on the state, so the frames are those a lock-step loop over one env per
// policy would draw, without a second rollout loop and with one OpenGL context for all tiles.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/render.h"
#include "demogym/video.h"
#include "env_internal.h"
#include "internal.h"
#include "video_internal.h"

#define MAX_COLUMNS 4
#define BORDER      4  // pixels of the green frame around a successful tile

void dg_render_tracks_size(const dg_env* env, int ntracks, int* width, int* height) {
  int w, h;
  dg_env_render_size(env, &w, &h);
  int cols = ntracks < 1 ? 1 : (ntracks < MAX_COLUMNS ? ntracks : MAX_COLUMNS);
  int rows = ntracks < 1 ? 1 : (ntracks + cols - 1) / cols;
  if (width) *width = cols * w;
  if (height) *height = rows * h;
}

// the last path component of a label (checkpoints are named by their file)
static const char* short_name(const char* name) {
  const char* slash = strrchr(name, '/');
  return slash && slash[1] ? slash + 1 : name;
}

// draw a frame of BORDER pixels around a tile (w x h) in colour c
static void draw_border(uint8_t* tile, int w, int h, const uint8_t c[3]) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (y < BORDER || y >= h - BORDER || x < BORDER || x >= w - BORDER)
        memcpy(tile + ((size_t)y * w + x) * 3, c, 3);
}

// render track t at state index k into tile (w x h)
static int render_tile(dg_env* env, const dg_track* t, int k, int longest, uint8_t* tile, int w,
                       int h) {
  int rc = dg_env_set_state(env, t->states + (size_t)k * env->state_dim, NULL);
  if (rc) return rc;
  int success = t->success ? t->success[k] != 0 : dg_env_is_success(env);
  char values[96];
  snprintf(values, sizeof(values), "%d / %d%s\n%s", k, t->n - 1,
           k == t->n - 1 && k < longest - 1 ? " (ended)" : "", success ? "yes" : "no");
  dg_overlay labels[2] = {
      {DG_OVERLAY_TOP_LEFT, short_name(t->name ? t->name : "?"), NULL},
      {DG_OVERLAY_BOTTOM_LEFT, "step\nsuccess", values},
  };
  if ((rc = dg_env_render_overlay(env, labels, 2, tile)) != DG_OK) return rc;
  static const uint8_t green[3] = {40, 200, 70};
  if (success) draw_border(tile, w, h, green);
  return DG_OK;
}

int dg_render_tracks_to(dg_env* env, const dg_track* tracks, int ntracks, dg_frame_sink sink,
                        void* user, long* frames) {
  if (!env || !tracks || ntracks < 1 || !sink)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_render_tracks: NULL argument or no tracks");
  int longest = 0;
  for (int i = 0; i < ntracks; i++) {
    if (tracks[i].n < 1 || !tracks[i].states)
      return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_render_tracks: track %d has no states", i);
    if (tracks[i].n > longest) longest = tracks[i].n;
  }
  int w, h, fw, fh;
  dg_env_render_size(env, &w, &h);
  dg_render_tracks_size(env, ntracks, &fw, &fh);
  int cols = fw / w;
  size_t tile_bytes = (size_t)w * h * 3;
  uint8_t* frame = calloc((size_t)fw * fh, 3);  // empty grid cells stay black
  uint8_t* tiles = malloc(tile_bytes * ntracks);
  if (!frame || !tiles) {
    free(frame);
    free(tiles);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for %dx%d video frames", fw, fh);
  }
  int rc = DG_OK;
  for (int k = 0; k < longest && rc == DG_OK; k++) {
    for (int i = 0; i < ntracks && rc == DG_OK; i++) {
      const dg_track* t = &tracks[i];
      // a track that ended keeps the tile of its last state, rendered once
      if (k < t->n) rc = render_tile(env, t, k, longest, tiles + tile_bytes * i, w, h);
      if (rc) break;
      int x0 = (i % cols) * w, y0 = (i / cols) * h;
      for (int y = 0; y < h; y++)
        memcpy(frame + ((size_t)(y0 + y) * fw + x0) * 3, tiles + tile_bytes * i + (size_t)y * w * 3,
               (size_t)w * 3);
    }
    if (rc == DG_OK) rc = sink(user, frame);
    if (rc == DG_OK && frames) (*frames)++;
  }
  free(frame);
  free(tiles);
  return rc;
}

static int video_sink(void* user, const uint8_t* rgb) {
  return dg_video_write(user, rgb);
}

int dg_render_tracks(dg_env* env, const dg_track* tracks, int ntracks, dg_video* video,
                     long* frames) {
  if (!env || !video) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_render_tracks: NULL argument");
  int vw, vh, fw, fh;
  dg_video_size(video, &vw, &vh);
  dg_render_tracks_size(env, ntracks, &fw, &fh);
  if (vw != fw || vh != fh)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "dg_render_tracks: the video is %dx%d but %d tracks make %dx%d frames", vw, vh,
                   ntracks, fw, fh);
  return dg_render_tracks_to(env, tracks, ntracks, video_sink, video, frames);
}

void dg_render_rollouts_options_default(dg_render_rollouts_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->episodes = 1;
  opt->seed = 0;
}

// one episode's states, gathered by the tap below
typedef struct track_buf {
  double* states;          // (cap x state_dim)
  unsigned char* success;  // (cap)
  int n, cap, state_dim;
} track_buf;

static int track_push(track_buf* b, dg_env* env, int success) {
  if (b->n == b->cap) {
    int cap = b->cap ? 2 * b->cap : 128;
    double* s = realloc(b->states, sizeof(double) * (size_t)cap * b->state_dim);
    if (s) b->states = s;
    unsigned char* f = realloc(b->success, (size_t)cap);
    if (f) b->success = f;
    if (!s || !f) {
      dg_set_last_errmsg("out of memory recording an episode's states");
      return DG_ERR_NOMEM;
    }
    b->cap = cap;
  }
  dg_env_get_state(env, b->states + (size_t)b->n * b->state_dim);
  b->success[b->n++] = (unsigned char)(success != 0);
  return DG_OK;
}

static int tap_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  track_buf* b = user;
  b->n = 0;
  return track_push(b, env, dg_env_is_success(env));
}

static int tap_after(void* user, dg_env* env, const double* obs, const double* action,
                     const double* next_obs, const dg_step_result* res) {
  return track_push(user, env, res->info.success);
}

int dg_render_rollouts(dg_env* env, dg_policy* const* policies, int npolicies,
                       const dg_render_rollouts_options* options, dg_video* video,
                       dg_episode_stats* stats, long* frames) {
  if (!env || !policies || npolicies < 1 || !video)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_render_rollouts: NULL argument or no policy");
  dg_render_rollouts_options defaults;
  dg_render_rollouts_options_default(&defaults);
  const dg_render_rollouts_options* opt = options ? options : &defaults;
  if (opt->episodes < 1)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_render_rollouts: episodes must be at least 1");
  if (frames) *frames = 0;
  track_buf* bufs = calloc((size_t)npolicies, sizeof(track_buf));
  dg_track* tracks = calloc((size_t)npolicies, sizeof(dg_track));
  if (!bufs || !tracks) {
    free(bufs);
    free(tracks);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory");
  }
  int rc = DG_OK;
  for (int e = 0; e < opt->episodes && rc == DG_OK; e++) {
    for (int p = 0; p < npolicies && rc == DG_OK; p++) {
      bufs[p].state_dim = env->state_dim;
      dg_tap tap = {&bufs[p], tap_begin, NULL, tap_after, NULL};
      dg_rollout_options ro;
      dg_rollout_options_default(&ro);
      ro.episodes = 1;
      ro.seed = opt->seed;
      ro.first_episode = e;
      ro.taps = &tap;
      ro.ntaps = 1;
      ro.stop = opt->stop;
      dg_episode_stats st;
      rc = dg_rollout_run(env, policies[p], &ro, &st, NULL);
      if (rc == DG_OK && stats) stats[(size_t)e * npolicies + p] = st;
      tracks[p].name = dg_policy_name(policies[p]);
      tracks[p].states = bufs[p].states;
      tracks[p].n = bufs[p].n;
      tracks[p].success = bufs[p].success;
    }
    if (rc == DG_OK && opt->stop && *opt->stop)
      rc = dg_fail(NULL, 0, DG_ERR_INTERRUPTED, "interrupted before rendering episode %d", e);
    if (rc == DG_OK) rc = dg_render_tracks(env, tracks, npolicies, video, frames);
  }
  for (int p = 0; p < npolicies; p++) {
    free(bufs[p].states);
    free(bufs[p].success);
  }
  free(bufs);
  free(tracks);
  return rc;
}
