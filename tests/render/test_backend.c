// test_backend.c: each OpenGL backend really renders the scene (MuJoCo binds OpenGL's functions
// through whichever platform library is loaded, so a wrong binding gives blank frames), and the
// process reports the backend it chose. Usage: test_backend [EXPECTED_BACKEND]
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"
#include "gl.h"

#define W 96
#define H 72

static double band_mean(const uint8_t* rgb, int y0, int y1, int c) {
  double s = 0;
  for (int y = y0; y < y1; y++)
    for (int x = 0; x < W; x++) s += rgb[(y * W + x) * 3 + c];
  return s / ((y1 - y0) * W);
}

int main(int argc, char** argv) {
  const char* expected = argc > 1 ? argv[1] : NULL;
  dg_env_options o;
  dg_env_options_default(&o);
  o.render_width = W;
  o.render_height = H;
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", &o, &env));
  double obs[64];
  uint64_t seed = 0;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  uint8_t* a = malloc(W * H * 3);
  int rc = dg_env_render(env, a);
  CHECK_MSG(rc == DG_OK, "render failed: %s", dg_env_errmsg(env));
  const char* used = dg_render_backend_name();
  if (expected) CHECK_MSG(!strcmp(used, expected), "backend %s, expected %s", used, expected);
  // the scene, not a blank or cleared buffer: many colours, the wooden table warm at the bottom
  int distinct = 0;
  for (int i = 3; i < W * H * 3; i += 3)
    if (memcmp(a + i, a, 3)) distinct++;
  CHECK_MSG(distinct > W * H / 4, "%s: only %d pixels differ from the first", used, distinct);
  double bot_r = band_mean(a, H - H / 6, H, 0), bot_b = band_mean(a, H - H / 6, H, 2);
  CHECK_MSG(bot_r > bot_b + 30, "%s: no table at the bottom (r %.0f, b %.0f)", used, bot_r, bot_b);
  // a second env in the same process renders the same frame through the same backend
  dg_env* env2;
  uint8_t* b = malloc(W * H * 3);
  CHECK_OK(dg_env_make("Reach-v0", &o, &env2));
  CHECK_OK(dg_env_reset(env2, &seed, obs, NULL));
  CHECK_OK(dg_env_render(env2, b));
  CHECK(memcmp(a, b, W * H * 3) == 0);
  CHECK(!strcmp(dg_render_backend_name(), used));
  // an OSMesa process cannot open windows (MuJoCo's OpenGL functions are OSMesa's)
  char err[512];
  if (!strcmp(used, "osmesa")) {
    CHECK(dg_gl_claim_window(err, sizeof(err)) == DG_ERR_UNSUPPORTED);
    CHECK(strstr(err, "OSMesa") != NULL);
  }
  dg_env_close(&env2);
  dg_env_close(&env);
  free(a);
  free(b);
  printf("backend %s: ok\n", used);
  return 0;
}
