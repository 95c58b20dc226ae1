// test_viewer.c: the viewer (run under Xvfb): it draws the scene with its overlay, its keys mean
// what viewer.h says, scripted key events drive the person's actions into a recorded dataset
// exactly, Backspace drops an episode, and Tab hands control between a policy and the person.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "demogym/dataset.h"
#include "demogym/demogym.h"
#include "demogym/recorder.h"

#define STEPS     10
#define FILE_PATH "test_viewer.hdf5"

// the actions the teleop script of episode 1 and 2 means, step by step
static const char* script = "0:+W 3:-W 3:+R 3:+Shift 5:-R 5:-Shift 5:+A 5:C 7:-A 8:+F 8:+S";
static const double expected[STEPS][4] = {
    {1, 0, 0, -1}, {1, 0, 0, -1}, {1, 0, 0, -1}, {0, 0, 0.25, -1}, {0, 0, 0.25, -1},
    {0, 1, 0, 1},  {0, 1, 0, 1},  {0, 0, 0, 1},  {-1, 0, -1, 1},   {-1, 0, -1, 1}};

// episode 0 is dropped with Backspace at step 2; the others play the script
static int on_episode(void* user, int episode) {
  return dg_viewer_set_key_script(user, episode == 0 ? "2:Backspace" : script);
}

// a tap that keeps the executed actions and who acted
typedef struct capture {
  dg_policy* gate;
  double actions[200][4];
  int actor[200];
  int n;
} capture;

static int capture_before(void* user, dg_env* env, const double* obs, const double* action) {
  capture* c = user;
  if (c->n < 200) {
    memcpy(c->actions[c->n], action, sizeof(double) * 4);
    c->actor[c->n] = dg_gate_last_actor(c->gate);
    c->n++;
  }
  return DG_OK;
}

int main(void) {
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = STEPS;
  eo.terminate_on_success = 0;
  dg_env* env;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &env));
  // offscreen frames (EGL, chosen before any window) and a window (GLX) in one thread
  dg_env_options oo;
  dg_env_options_default(&oo);
  oo.render_width = 64;
  oo.render_height = 48;
  dg_env* off;
  CHECK_OK(dg_env_make("Reach-v0", &oo, &off));
  double oobs[64];
  uint64_t oseed = 2;
  CHECK_OK(dg_env_reset(off, &oseed, oobs, NULL));
  uint8_t frame1[64 * 48 * 3], frame2[64 * 48 * 3];
  CHECK_OK(dg_env_render(off, frame1));
  dg_viewer_options vo;
  dg_viewer_options_default(&vo);
  CHECK(vo.width == 960 && vo.height == 720 && vo.visible == 1 && vo.speed == 1.0);
  vo.width = 480;
  vo.height = 360;
  vo.speed = 0;  // unpaced
  dg_viewer* v;
  int rc = dg_viewer_make(env, &vo, &v);
  CHECK_MSG(rc == DG_OK, "no viewer: %s", dg_last_errmsg());
  CHECK(dg_viewer_draw(v) == DG_ERR_STATE);  // nothing to draw before a reset

  // keys: the teleop keys mean the action table of viewer.h
  double a[5];
  dg_viewer_teleop_action(v, a, 5);
  CHECK(a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == -1 && a[4] == 0);
  CHECK(dg_viewer_key(v, DG_KEY_W, DG_KEY_PRESS, 0) == 1);
  CHECK(dg_viewer_key(v, DG_KEY_D, DG_KEY_PRESS, 0) == 1);
  CHECK(dg_viewer_key(v, DG_KEY_R, DG_KEY_PRESS, 0) == 1);
  CHECK(dg_viewer_key(v, DG_KEY_C, DG_KEY_PRESS, 0) == 1);
  dg_viewer_teleop_action(v, a, 4);
  CHECK(a[0] == 1 && a[1] == -1 && a[2] == 1 && a[3] == 1);
  CHECK(dg_viewer_key(v, DG_KEY_C, DG_KEY_REPEAT, 0) == 1);  // a held C toggles once
  dg_viewer_key(v, DG_KEY_LEFT_SHIFT, DG_KEY_PRESS, DG_MOD_SHIFT);
  dg_viewer_key(v, DG_KEY_S, DG_KEY_PRESS, 0);  // W and S cancel
  dg_viewer_teleop_action(v, a, 4);
  CHECK(a[0] == 0 && a[1] == -0.25 && a[2] == 0.25 && a[3] == 1);
  int released[] = {DG_KEY_W, DG_KEY_S, DG_KEY_D, DG_KEY_R, DG_KEY_LEFT_SHIFT};
  for (int i = 0; i < 5; i++) dg_viewer_key(v, released[i], DG_KEY_RELEASE, 0);
  dg_viewer_key(v, DG_KEY_C, DG_KEY_PRESS, 0);
  dg_viewer_teleop_action(v, a, 4);
  CHECK(a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == -1);
  CHECK(dg_viewer_key(v, 'Z', DG_KEY_PRESS, 0) == 0);  // not a viewer key
  // bad scripts are refused and keep the old one
  CHECK(dg_viewer_set_key_script(v, "0:+W") == DG_OK);
  CHECK(dg_viewer_set_key_script(v, "x:W") == DG_ERR_INVALID);
  CHECK(dg_viewer_set_key_script(v, "3:NoSuchKey") == DG_ERR_INVALID);
  CHECK(dg_viewer_set_key_script(v, "3") == DG_ERR_INVALID);
  CHECK(dg_viewer_set_key_script(v, NULL) == DG_OK);

  // a screenshot shows the scene with the overlay's dark panel at the top left
  double obs[64];
  uint64_t seed = 4;
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  dg_viewer_key(v, DG_KEY_H, DG_KEY_PRESS, 0);
  int w, h;
  dg_viewer_size(v, &w, &h);
  CHECK(w == 480 && h == 360);
  uint8_t* shot = malloc((size_t)w * h * 3);
  CHECK_OK(dg_viewer_screenshot(v, shot));
  if (getenv("DG_TEST_PNG")) dg_image_write_png(getenv("DG_TEST_PNG"), shot, w, h);
  int distinct = 0, bright_text = 0;
  for (int i = 3; i < w * h * 3; i += 3) distinct += memcmp(shot + i, shot, 3) != 0;
  CHECK_MSG(distinct > w * h / 4, "screenshot looks blank");
  // the panel: dark pixels with white letters in the top-left corner (rows 0..40, cols 0..100)
  for (int y = 0; y < 40; y++)
    for (int x = 0; x < 100; x++) {
      const uint8_t* p = shot + ((size_t)y * w + x) * 3;
      bright_text += p[0] > 200 && p[1] > 200 && p[2] > 200;
    }
  CHECK_MSG(bright_text > 20, "no overlay text at the top left (%d white pixels)", bright_text);
  // the table at the bottom: warm
  double r = 0, b = 0;
  for (int x = 0; x < w; x++)
    r += shot[((size_t)(h - 10) * w + x) * 3], b += shot[((size_t)(h - 10) * w + x) * 3 + 2];
  CHECK(r > b);
  free(shot);
  CHECK_OK(dg_env_render(off, frame2));  // offscreen again after the window drew
  CHECK(memcmp(frame1, frame2, sizeof(frame1)) == 0);
  CHECK_OK(dg_viewer_draw(v));
  dg_env_close(&off);

  // teleoperation recorded through the recorder: episode 0 is dropped (Backspace), episodes
  // 1 and 2 play the script and land as demo_0 and demo_1 with exactly the scripted actions
  remove(FILE_PATH);
  dg_policy* person;
  CHECK_OK(dg_viewer_make_human_policy(v, &person));
  CHECK(!strcmp(dg_policy_kind(person), "human"));
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.source = "human";
  ro.terminate_on_success = 0;
  dg_rec* rec;
  CHECK_OK(dg_rec_make(FILE_PATH, env, &ro, &rec));
  dg_rec_tap* rtap;
  CHECK_OK(dg_rec_tap_make(rec, env, NULL, &rtap));
  dg_viewer_run_options run;
  dg_viewer_run_options_default(&run);
  run.episodes = 2;
  run.seed = 9;
  run.taps = dg_rec_tap_get(rtap);
  run.ntaps = 1;
  run.on_episode = on_episode;
  run.user = v;
  dg_viewer_run_result res;
  CHECK_OK(dg_viewer_run(v, person, &run, &res));
  CHECK_MSG(res.episodes_ended == 2 && res.episodes_reset == 1 && res.steps == 2 + 2 * STEPS,
            "ended %d reset %d steps %ld", res.episodes_ended, res.episodes_reset, res.steps);
  dg_rec_tap_close(&rtap);
  CHECK_OK(dg_rec_finish(rec));
  dg_rec_close(&rec);
  dg_dataset* ds;
  CHECK_OK(dg_dataset_open(FILE_PATH, &ds));
  dg_dataset_info info;
  CHECK_OK(dg_dataset_get_info(ds, &info));
  CHECK_MSG(info.ndemos == 2 && info.total == 2 * STEPS, "%d demos, %ld samples", info.ndemos,
            info.total);
  for (int d = 0; d < 2; d++) {
    dg_demo demo;
    CHECK_OK(dg_dataset_load_demo(ds, d, &demo));
    CHECK(demo.n == STEPS && !strcmp(demo.source, "human") && demo.episode == d);
    CHECK(demo.seed == dg_seed_derive(9, 0, (uint64_t)(d + 1)));  // the run's episodes 1 and 2
    for (int k = 0; k < STEPS; k++)
      for (int i = 0; i < 4; i++)
        CHECK_MSG(demo.actions[k * 4 + i] == expected[k][i],
                  "demo %d step %d action[%d] = %g, "
                  "expected %g",
                  d, k, i, demo.actions[k * 4 + i], expected[k][i]);
    dg_demo_free(&demo);
  }
  dg_dataset_close(&ds);
  remove(FILE_PATH);

  // a gate between the expert and the person: Tab at step 3 hands control to the person, at
  // step 6 back to the expert
  dg_policy *expert, *gate;
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  CHECK_OK(dg_gate_make(expert, person, &gate));
  CHECK(dg_gate_is(gate) && !dg_gate_is(expert));
  CHECK(dg_gate_actor_now(gate) == DG_GATE_LEARNER && dg_gate_last_actor(gate) == -1);
  CHECK_OK(dg_viewer_set_key_script(v, "3:Tab 3:+S 6:Tab"));
  capture cap = {gate, {{0}}, {0}, 0};
  dg_tap ctap = {&cap, NULL, capture_before, NULL, NULL};
  run.episodes = 1;
  run.on_episode = NULL;
  run.taps = &ctap;
  CHECK_OK(dg_viewer_run(v, gate, &run, &res));
  CHECK(cap.n == STEPS);
  for (int k = 0; k < STEPS; k++) {
    int want = k >= 3 && k < 6 ? DG_GATE_SUPERVISOR : DG_GATE_LEARNER;
    CHECK_MSG(cap.actor[k] == want, "step %d acted by %d", k, cap.actor[k]);
    if (want == DG_GATE_SUPERVISOR) CHECK(cap.actions[k][0] == -1 && cap.actions[k][3] == -1);
  }
  dg_gate_stats gs;
  CHECK_OK(dg_gate_get_stats(gate, &gs));
  CHECK(gs.learner_steps == 7 && gs.supervisor_steps == 3 && gs.interventions == 1);
  // a reset gives control back to the learner
  dg_gate_set(gate, DG_GATE_SUPERVISOR);
  CHECK_OK(dg_policy_reset(gate, 1));
  CHECK(dg_gate_actor_now(gate) == DG_GATE_LEARNER);
  CHECK(dg_gate_set(gate, 7) == DG_ERR_INVALID && dg_gate_set(expert, 0) == DG_ERR_INVALID);

  // Esc closes: a run ends at once without error
  CHECK_OK(dg_viewer_set_key_script(v, "1:Esc"));
  CHECK_OK(dg_viewer_run(v, person, &run, &res));
  CHECK(dg_viewer_should_close(v) && res.episodes_ended == 0 && res.steps == 1);

  dg_policy_close(&gate);
  dg_policy_close(&expert);
  dg_policy_close(&person);
  dg_viewer_close(&v);
  dg_viewer_close(&v);
  dg_env_close(&env);

  // Gymnasium's human mode: reset and step draw in a window, paced to render_fps (20 Hz)
  eo.render_mode = DG_RENDER_HUMAN;
  eo.render_width = 320;
  eo.render_height = 240;
  CHECK_OK(dg_env_make("Reach-v0", &eo, &env));
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
  double zero[4] = {0, 0, 0, -1};
  for (int k = 0; k < 8; k++) CHECK_OK(dg_env_step(env, zero, obs, NULL));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double took = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  CHECK_MSG(took >= 8 * 0.05 * 0.9, "8 human-mode steps took %.3f s, under 8 frames at 20 Hz",
            took);
  CHECK_OK(dg_env_render(env, NULL));
  uint8_t small[320 * 240 * 3];
  CHECK(dg_env_render_overlay(env, NULL, 0, small) == DG_ERR_STATE);  // no frames in human mode
  dg_env_close(&env);
  printf("viewer: ok\n");
  return 0;
}
