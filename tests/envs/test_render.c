// test_render.c: rgb_array rendering works headless: the frame has the requested size, shows the
// scene (not a blank buffer), runs top-down, is repeatable, and follows the state.
#include <stdint.h>
#include <string.h>

#include "helpers.h"

#define W 96
#define H 72

// mean of one channel over a band of rows
static double band_mean(const uint8_t* rgb, int y0, int y1, int c) {
  double s = 0;
  for (int y = y0; y < y1; y++)
    for (int x = 0; x < W; x++) s += rgb[(y * W + x) * 3 + c];
  return s / ((y1 - y0) * W);
}

int main(void) {
  dg_env_options o;
  dg_env_options_default(&o);
  o.render_width = W;
  o.render_height = H;
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env));
  int w, h;
  dg_env_render_size(env, &w, &h);
  CHECK(w == W && h == H);
  uint8_t *a = malloc(W * H * 3), *b = malloc(W * H * 3);
  double obs[64];
  CHECK(dg_env_render(env, a) == DG_ERR_STATE);  // nothing to render before reset
  uint64_t s = 0;
  CHECK_OK(dg_env_reset(env, &s, obs, NULL));
  int rc = dg_env_render(env, a);
  CHECK_MSG(rc == DG_OK, "render failed: %s", dg_env_errmsg(env));
  // not a blank buffer: many distinct colours
  int distinct = 0;
  for (int i = 3; i < W * H * 3; i += 3)
    if (memcmp(a + i, a, 3)) distinct++;
  CHECK_MSG(distinct > W * H / 4, "only %d pixels differ from the first", distinct);
  // top-down: the default camera sees the floor and sky at the top, the wooden table at the
  // bottom; the table is warm (red above blue), the background is not
  double top_r = band_mean(a, 0, H / 6, 0), top_b = band_mean(a, 0, H / 6, 2);
  double bot_r = band_mean(a, H - H / 6, H, 0), bot_b = band_mean(a, H - H / 6, H, 2);
  CHECK_MSG(bot_r > bot_b + 30 && top_r < top_b + 10,
            "rows look upside down: top rgb mean r=%.0f b=%.0f, bottom r=%.0f b=%.0f", top_r,
            top_b, bot_r, bot_b);
  // repeatable
  CHECK_OK(dg_env_render(env, b));
  CHECK(memcmp(a, b, W * H * 3) == 0);
  // it follows the state: after moving the arm the frame changes
  double act[4] = {1, 1, -1, 1};
  dg_step_result r;
  for (int k = 0; k < 5; k++) CHECK_OK(dg_env_step(env, act, obs, &r));
  CHECK_OK(dg_env_render(env, b));
  CHECK(memcmp(a, b, W * H * 3) != 0);
  // PNG output
  CHECK_OK(dg_image_write_png("test_render.png", b, W, H));
  FILE* f = fopen("test_render.png", "rb");
  unsigned char sig[8];
  CHECK(f && fread(sig, 1, 8, f) == 8 && sig[1] == 'P' && sig[2] == 'N' && sig[3] == 'G');
  fclose(f);
  remove("test_render.png");
  CHECK(dg_image_write_png("/nonexistent-dir/x.png", b, W, H) == DG_ERR_IO);
  // two envs render independently
  dg_env* env2;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env2));
  CHECK_OK(dg_env_reset(env2, &s, obs, NULL));
  CHECK_OK(dg_env_render(env2, b));
  CHECK(memcmp(a, b, W * H * 3) == 0);
  dg_env_close(&env2);
  free(a), free(b);
  dg_env_close(&env);
  printf("render (%s): ok\n", dg_render_backend_name());
  return 0;
}
