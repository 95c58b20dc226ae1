// demogym/viewer.h: an interactive window on an env (GLFW): a mouse-driven camera, pause,
// single-step, reset, slow motion, an overlay of step, reward and success, keyboard
// teleoperation of the arm, and a key that hands control between a policy and the person.
//
// Keys (codes are GLFW's, so its key callback passes them through unchanged):
//   Space      pause / resume            Right      one step while paused
//   Backspace  end the episode (reset)   - / =      half / double speed (1/16x .. 4x)
//   Tab        hand control between the policy and the person (a gate, see gate.h)
//   V          next camera (free, then the model's)   H  show / hide the key help
//   Esc        close the viewer
// Teleoperation (the person's action, the arm's (dx, dy, dz, grip)), held keys:
//   W / S      +x / -x (away from / towards the arm's base)
//   A / D      +y / -y (left / right, seen from the base)
//   R / F      up / down
//   C          close / open the gripper (toggles)
//   Shift      fine motion (a quarter of the displacement)
// Mouse: left drag orbits (with Shift: about the vertical), right drag pans (with Shift:
// horizontally), scroll zooms.
//
// A viewer and its window belong to the thread that made it (GLFW: the process's main thread).
// A process that renders offscreen through OSMesa cannot open a viewer (see render.h).
#ifndef DEMOGYM_VIEWER_H
#define DEMOGYM_VIEWER_H

#include "common.h"
#include "env.h"
#include "policy.h"
#include "rollout.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dg_viewer dg_viewer;

// Key codes the viewer understands (equal to GLFW's).
#define DG_KEY_SPACE       32
#define DG_KEY_MINUS       45
#define DG_KEY_EQUAL       61
#define DG_KEY_A           65
#define DG_KEY_C           67
#define DG_KEY_D           68
#define DG_KEY_F           70
#define DG_KEY_H           72
#define DG_KEY_R           82
#define DG_KEY_S           83
#define DG_KEY_V           86
#define DG_KEY_W           87
#define DG_KEY_ESCAPE      256
#define DG_KEY_TAB         258
#define DG_KEY_BACKSPACE   259
#define DG_KEY_RIGHT       262
#define DG_KEY_LEFT_SHIFT  340
#define DG_KEY_RIGHT_SHIFT 344

// Key actions (GLFW's).
#define DG_KEY_RELEASE 0
#define DG_KEY_PRESS   1
#define DG_KEY_REPEAT  2

// Modifier bits (GLFW's).
#define DG_MOD_SHIFT 0x0001

// Options for dg_viewer_make; fill with dg_viewer_options_default.
typedef struct dg_viewer_options {
  int width;          // window width in screen pixels (default 960)
  int height;         // window height (default 720)
  const char* title;  // window title; NULL: "demogym: ENV" (default NULL)
  int visible;        // 1: show the window (default); 0: hidden (screenshots, tests)
  double speed;       // playback speed, 1 = real time at the env's render_fps; 0: as fast as
                      // the machine goes, no pacing (default 1)
  int paused;         // start paused (default 0)
  int hold_frames;    // frames the last frame of an episode stays on screen (default 20)
} dg_viewer_options;

// Fill opt with the defaults described at each field.
DG_API void dg_viewer_options_default(dg_viewer_options* opt);

// Open a window on env (which the viewer borrows; reset it before drawing). Nullable: opt.
// Fails with DG_ERR_RENDER when there is no display (the message says to use xvfb-run or EGL),
// DG_ERR_UNSUPPORTED in an OSMesa process.
DG_API int dg_viewer_make(dg_env* env, const dg_viewer_options* opt, dg_viewer** out);

// Close the window, free *viewer and set it to NULL. Nullable: viewer, *viewer.
DG_API void dg_viewer_close(dg_viewer** viewer);

// Return the message of the last failure on this viewer ("" if none).
DG_API const char* dg_viewer_errmsg(const dg_viewer* viewer);

// Draw the env's current state with the overlay and show it (no pacing, no event handling).
DG_API int dg_viewer_draw(dg_viewer* viewer);

// Handle the window's pending events (keys, mouse, close) without waiting.
DG_API void dg_viewer_poll(dg_viewer* viewer);

// Feed one key event as GLFW's key callback does (key: a DG_KEY_* code, action: DG_KEY_PRESS,
// _RELEASE or _REPEAT, mods: DG_MOD_* bits). Return 1 when the viewer uses the key.
DG_API int dg_viewer_key(dg_viewer* viewer, int key, int action, int mods);

// Return 1 once the window was closed (or Esc pressed).
DG_API int dg_viewer_should_close(const dg_viewer* viewer);

// Write the window's size in pixels (of its framebuffer). Nullable: width, height.
DG_API void dg_viewer_size(const dg_viewer* viewer, int* width, int* height);

// Draw the current state with the overlay and read it back into rgb (height x width x 3, rows
// top-down, the size dg_viewer_size gives): a screenshot of the window's content.
DG_API int dg_viewer_screenshot(dg_viewer* viewer, uint8_t* rgb);

// For a loop of your own: show the env's state after a reset (res NULL) or a step (its reward and
// success go to the overlay), paced to the env's render_fps times the speed, handling the keys
// (blocks while paused). Returns DG_ERR_INTERRUPTED once the window is closed. Nullable: res.
DG_API int dg_viewer_show(dg_viewer* viewer, const dg_step_result* res);

// Make a policy that is the person at this viewer's keyboard: its action is what the held
// teleoperation keys mean now (zero motion, gripper as last toggled, when none is held). The
// viewer must outlive it.
DG_API int dg_viewer_make_human_policy(dg_viewer* viewer, dg_policy** out);

// Write the teleoperation action the held keys mean now (act_dim x 1, the arm's first four).
DG_API void dg_viewer_teleop_action(const dg_viewer* viewer, double* action, int act_dim);

// Play scripted key events in every episode of dg_viewer_run, as if typed: script is a list of
// STEP:+KEY (press), STEP:-KEY (release) or STEP:KEY (press and release, for the toggles: C,
// Space, Tab, Backspace, Esc, ...), separated by spaces or commas; KEY is a letter or Space,
// Tab, Backspace, Right, Esc, Shift, Minus, Equal. Events of step k apply just before the act of
// step k (0: the first); each episode starts the script with no key held. Replaces an earlier
// script; NULL or "" clears it. At most 256 events.
// Fails with DG_ERR_INVALID on a malformed script (the old one stays).
DG_API int dg_viewer_set_key_script(dg_viewer* viewer, const char* script);

// Options for dg_viewer_run; fill with dg_viewer_run_options_default.
typedef struct dg_viewer_run_options {
  int episodes;              // episodes to end before returning; 0: until closed (default 0)
  uint64_t seed;             // base seed of the rollout driver (default 0)
  const dg_tap* taps;        // more observers, e.g. a recorder, which see only the episodes
                             // that end, numbered 0, 1, ... (a reset one's number is reused).
                             // Nullable
  int ntaps;                 // their number
  const volatile int* stop;  // ends the run like closing the window (Ctrl-C). Nullable
  // Called before each episode starts, with the index the driver gives it. Nullable
  int (*on_episode)(void* user, int episode);
  void* user;
} dg_viewer_run_options;

// Fill opt with the defaults described at each field.
DG_API void dg_viewer_run_options_default(dg_viewer_run_options* opt);

// What a viewer run came to.
typedef struct dg_viewer_run_result {
  int episodes_ended;  // episodes that ended (terminated or truncated)
  int episodes_reset;  // episodes ended early by Backspace (their taps got no episode_end)
  int successes;       // ended episodes that ended in success
  long steps;          // env steps taken
} dg_viewer_run_result;

// Run policy in the viewer's env through the rollout driver, drawing every step at the env's
// render_fps times the speed, with the keys above, until the window closes or opt->episodes
// episodes end. A Backspace ends the episode at once (the driver is stopped; taps see no
// episode_end, so a recorder drops it) and the next one starts from the next seed. When policy is
// a gate (gate.h), Tab switches it between its learner and its supervisor. Nullable: opt, result.
DG_API int dg_viewer_run(dg_viewer* viewer, dg_policy* policy, const dg_viewer_run_options* opt,
                         dg_viewer_run_result* result);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_VIEWER_H
