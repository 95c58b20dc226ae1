// test_tracks.c: side-by-side videos: one frame per state of the longest track, tiles in a grid,
// a track that ended frozen on its last frame, a green border on success, and rollouts of
// several policies from the same initial states as the rollout driver gives each alone.
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"
#include "video_internal.h"

#define W 128
#define H 96

typedef struct frames {
  uint8_t* data;  // every frame, one after another
  int n, cap;
  size_t size;  // bytes per frame
} frames;

static int keep(void* user, const uint8_t* rgb) {
  frames* f = user;
  if (f->n == f->cap) {
    f->cap = f->cap ? 2 * f->cap : 16;
    f->data = realloc(f->data, f->size * f->cap);
    CHECK(f->data);
  }
  memcpy(f->data + f->size * f->n++, rgb, f->size);
  return DG_OK;
}

// the pixel (x, y) of tile i (grid of cols columns) in frame k
static const uint8_t* pixel(const frames* f, int k, int cols, int fw, int i, int x, int y) {
  int x0 = (i % cols) * W, y0 = (i / cols) * H;
  return f->data + f->size * k + ((size_t)(y0 + y) * fw + x0 + x) * 3;
}

// 1 when tile i of frames k1 and k2 are equal in rows [y0, y1)
static int tiles_equal(const frames* f, int cols, int fw, int i, int k1, int i2, int k2, int y0,
                       int y1) {
  for (int y = y0; y < y1; y++)
    if (memcmp(pixel(f, k1, cols, fw, i, 0, y), pixel(f, k2, cols, fw, i2, 0, y), W * 3)) return 0;
  return 1;
}

int main(void) {
  // human mode without a display: the episode goes on, rendering reports why it cannot draw
  unsetenv("DISPLAY");
  dg_env_options o;
  dg_env_options_default(&o);
  CHECK(o.render_mode == DG_RENDER_RGB_ARRAY);
  o.render_mode = 7;
  dg_env* env;
  CHECK(dg_env_make("Reach-v0", &o, &env) == DG_ERR_INVALID);
  o.render_mode = DG_RENDER_HUMAN;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env));
  double hobs[64], hact[4] = {0, 0, 0, -1};
  uint64_t hseed = 1;
  CHECK_OK(dg_env_reset(env, &hseed, hobs, NULL));
  CHECK_OK(dg_env_step(env, hact, hobs, NULL));
  CHECK(dg_env_render(env, NULL) != DG_OK);
  dg_env_close(&env);

  o.render_mode = DG_RENDER_RGB_ARRAY;
  o.render_width = W;
  o.render_height = H;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env));
  int sd = dg_env_state_dim(env), od = dg_env_obs_dim(env), ad = dg_env_act_dim(env);

  // an expert episode's states, and the same episode cut short
  dg_policy* expert;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  CHECK_OK(dg_policy_reset(expert, 1));
  double* states = malloc(sizeof(double) * sd * 200);
  unsigned char success[200];
  double obs[64], act[16];
  uint64_t seed = 5;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  int n = 0;
  CHECK_OK(dg_env_get_state(env, states));
  success[n++] = 0;
  for (;;) {
    dg_step_result r;
    CHECK_OK(dg_policy_act(expert, obs, env, act));
    CHECK_OK(dg_env_step(env, act, obs, &r));
    CHECK_OK(dg_env_get_state(env, states + (size_t)n * sd));
    success[n++] = (unsigned char)r.info.success;
    if (r.terminated || r.truncated) break;
  }
  CHECK(n > 6 && success[n - 1]);
  (void)od, (void)ad;

  dg_track tracks[5] = {{"long", states, n, success},
                        {"/some/dir/short.ckpt", states, 5, success},
                        {"long", states, n, NULL}};
  frames f = {0};
  int fw, fh;
  dg_render_tracks_size(env, 2, &fw, &fh);
  CHECK(fw == 2 * W && fh == H);
  f.size = (size_t)fw * fh * 3;
  long count = 0;
  CHECK_OK(dg_render_tracks_to(env, tracks, 2, keep, &f, &count));
  CHECK_MSG(f.n == n && count == n, "%d frames for tracks of %d and 5 states", f.n, n);
  // the short track freezes on its last frame once it ends
  for (int k = 5; k < n; k++)
    CHECK_MSG(tiles_equal(&f, 2, fw, 1, 4, 1, k, 0, H), "short tile moved at frame %d", k);
  // the long one keeps moving (the arm moves while the labels say a new step)
  CHECK(!tiles_equal(&f, 2, fw, 0, 1, 0, n - 1, 0, H));
  // both show the same state at frame 0: equal between the labels (rows 30..44 of 96)
  if (getenv("DG_TEST_PNG")) dg_image_write_png(getenv("DG_TEST_PNG"), f.data, fw, fh);
  CHECK(tiles_equal(&f, 2, fw, 0, 0, 1, 0, 30, 44));
  // a green border once successful, not before
  const uint8_t* corner = pixel(&f, n - 1, 2, fw, 0, 1, H / 2);
  CHECK_MSG(corner[1] > 150 && corner[0] < 100 && corner[2] < 120, "no green border: %d %d %d",
            corner[0], corner[1], corner[2]);
  corner = pixel(&f, 0, 2, fw, 0, 1, H / 2);
  CHECK(!(corner[1] > 150 && corner[0] < 100 && corner[2] < 120));
  // without stored flags, success comes from the task's test on the restored state
  frames g = {0};
  g.size = f.size;
  tracks[1] = tracks[2];
  CHECK_OK(dg_render_tracks_to(env, tracks, 2, keep, &g, NULL));
  CHECK(g.n == n);
  CHECK(tiles_equal(&g, 2, fw, 0, n - 1, 1, n - 1, 0, H));

  // five tracks make a grid of 4 x 2 tiles; the empty cells are black
  dg_render_tracks_size(env, 5, &fw, &fh);
  CHECK(fw == 4 * W && fh == 2 * H);
  for (int i = 0; i < 5; i++) tracks[i] = (dg_track){"t", states, 3, NULL};
  frames grid = {0};
  grid.size = (size_t)fw * fh * 3;
  CHECK_OK(dg_render_tracks_to(env, tracks, 5, keep, &grid, NULL));
  CHECK(grid.n == 3);
  const uint8_t* empty = pixel(&grid, 2, 4, fw, 6, W / 2, H / 2);
  CHECK(empty[0] == 0 && empty[1] == 0 && empty[2] == 0);
  CHECK(tiles_equal(&grid, 4, fw, 0, 2, 4, 2, 0, H));

  // bad input
  tracks[0].n = 0;
  CHECK(dg_render_tracks_to(env, tracks, 1, keep, &grid, NULL) == DG_ERR_INVALID);
  dg_video* v;
  dg_video_options vo;
  dg_video_options_default(&vo);
  CHECK_OK(dg_video_open("tt_wrong.mp4", 2 * W, 2 * H, &vo, &v));
  tracks[0].n = 3;
  CHECK(dg_render_tracks(env, tracks, 1, v, NULL) == DG_ERR_INVALID);
  dg_video_close(&v);

  // rollouts of two policies: each from the same initial states as the driver gives it alone
  dg_policy* noisy;
  dg_policy* expert2;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert2));
  CHECK_OK(dg_policy_make_noisy(expert2, 0.5, 0.1, &noisy));
  dg_policy* pols[2] = {expert, noisy};
  dg_render_tracks_size(env, 2, &fw, &fh);
  CHECK_OK(dg_video_open("tt_roll.mp4", fw, fh, &vo, &v));
  dg_render_rollouts_options ro;
  dg_render_rollouts_options_default(&ro);
  CHECK(ro.episodes == 1 && ro.seed == 0);
  ro.episodes = 2;
  ro.seed = 11;
  dg_episode_stats st[4];
  long nframes = 0;
  CHECK_OK(dg_render_rollouts(env, pols, 2, &ro, v, st, &nframes));
  CHECK_OK(dg_video_finish(v));
  CHECK(dg_video_frames(v) == nframes);
  dg_video_close(&v);
  long expected = 0;
  for (int e = 0; e < 2; e++) {
    int a = st[e * 2].length, b = st[e * 2 + 1].length;
    expected += (a > b ? a : b) + 1;
    CHECK(st[e * 2].seed == st[e * 2 + 1].seed);  // same initial state for both
  }
  CHECK_MSG(nframes == expected, "%ld frames, expected %ld", nframes, expected);
  for (int p = 0; p < 2; p++) {
    dg_rollout_options alone;
    dg_rollout_options_default(&alone);
    alone.episodes = 2;
    alone.seed = 11;
    dg_episode_stats ref[2];
    CHECK_OK(dg_rollout_run(env, pols[p], &alone, ref, NULL));
    for (int e = 0; e < 2; e++)
      CHECK(ref[e].length == st[e * 2 + p].length && ref[e].ret == st[e * 2 + p].ret &&
            ref[e].seed == st[e * 2 + p].seed);
  }
  CHECK(st[0].length != st[1].length || st[0].ret != st[1].ret);  // the policies differ
  remove("tt_roll.mp4");

  dg_policy_close(&noisy);
  dg_policy_close(&expert);
  dg_env_close(&env);
  free(states);
  free(f.data);
  free(g.data);
  free(grid.data);
  printf("tracks: ok\n");
  return 0;
}
