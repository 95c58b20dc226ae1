// viewer.c: the interactive viewer: a GLFW window drawing an env through MuJoCo's renderer, its
// mouse camera and keys, the person at the keyboard as a policy, and the paced rollout loop
// (the shared rollout driver with the viewer as a tap).
#include <GLFW/glfw3.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "demogym/gate.h"
#include "demogym/viewer.h"
#include "env_internal.h"
#include "gl.h"
#include "internal.h"
#include "mjtrap.h"

#define DG_VIEWER_MAX_SCRIPT 256
#define MIN_SPEED            (1.0 / 16)
#define MAX_SPEED            4.0

// the teleoperation keys held now
enum { HOLD_XP, HOLD_XN, HOLD_YP, HOLD_YN, HOLD_ZP, HOLD_ZN, HOLD_SHIFT, HOLD_COUNT };

struct dg_viewer {
  dg_env* env;  // borrowed
  dg_viewer_options opt;
  GLFWwindow* win;
  mjvScene scene;
  mjvCamera camera;
  mjvOption option;
  mjrContext context;
  int have_scene, have_context;
  int camera_index;  // -1: the free camera; else a model camera's id
  // input
  int held[HOLD_COUNT];
  int grip_closed;
  int paused, step_request, reset_request, closed, show_help;
  double speed;
  int mouse_left, mouse_right, mouse_middle;
  double mouse_x, mouse_y;
  int dirty;  // the camera moved: draw again even while waiting
  // the run
  dg_policy* gate;  // the run's policy when it is a gate (Tab switches it). Nullable
  int episode, step;
  double reward, ret;
  int success, ended;
  double next_frame;  // glfwGetTime() at which the next frame is due
  volatile int stop;  // tells the rollout driver to stop (reset, close)
  const volatile int* user_stop;
  const dg_tap* user_taps;  // the run's other taps, which see kept episodes numbered 0, 1, ...
  int nuser_taps;
  int kept;  // episodes that ended (not reset) in this run
  // scripted key events: (step, key, action), applied before the act of that step
  int script_n;
  int script_step[DG_VIEWER_MAX_SCRIPT];
  int script_key[DG_VIEWER_MAX_SCRIPT];
  int script_action[DG_VIEWER_MAX_SCRIPT];
  long steps_total;
  uint8_t* rows;  // pixels read back for screenshots (bottom-up)
  size_t rows_size;
  char title[160];
  char errmsg[DG_ERRMSG_SIZE];
};

static int viewer_fail(dg_viewer* v, int code, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int viewer_fail(dg_viewer* v, int code, const char* fmt, ...) {
  char msg[DG_ERRMSG_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return dg_fail_msg(v ? v->errmsg : NULL, v ? sizeof(v->errmsg) : 0, code, msg);
}

void dg_viewer_options_default(dg_viewer_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->width = 960;
  opt->height = 720;
  opt->title = NULL;
  opt->visible = 1;
  opt->speed = 1.0;
  opt->paused = 0;
  opt->hold_frames = 20;
}

void dg_viewer_run_options_default(dg_viewer_run_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->episodes = 0;
  opt->seed = 0;
}

// --- camera ------------------------------------------------------------------------------------

// the free camera's starting pose: the workspace from the front-left, as rgb_array's "free"
static void free_camera(dg_viewer* v) {
  v->camera.type = mjCAMERA_FREE;
  v->camera.lookat[0] = 0.45;
  v->camera.lookat[1] = 0.0;
  v->camera.lookat[2] = 0.1;
  v->camera.distance = 1.6;
  v->camera.azimuth = 150;
  v->camera.elevation = -25;
  v->camera_index = -1;
}

static void use_camera(dg_viewer* v, int index) {
  if (index < 0 || index >= v->env->m->ncam) {
    if (v->camera_index >= 0) free_camera(v);
    v->camera_index = -1;
    return;
  }
  v->camera.type = mjCAMERA_FIXED;
  v->camera.fixedcamid = index;
  v->camera_index = index;
}

// --- keys and mouse ----------------------------------------------------------------------------

int dg_viewer_key(dg_viewer* v, int key, int action, int mods) {
  if (!v) return 0;
  int down = action != DG_KEY_RELEASE, press = action == DG_KEY_PRESS;
  int hold = -1;
  switch (key) {
    case DG_KEY_W:
      hold = HOLD_XP;
      break;
    case DG_KEY_S:
      hold = HOLD_XN;
      break;
    case DG_KEY_A:
      hold = HOLD_YP;
      break;
    case DG_KEY_D:
      hold = HOLD_YN;
      break;
    case DG_KEY_R:
      hold = HOLD_ZP;
      break;
    case DG_KEY_F:
      hold = HOLD_ZN;
      break;
    case DG_KEY_LEFT_SHIFT:
    case DG_KEY_RIGHT_SHIFT:
      hold = HOLD_SHIFT;
      break;
    default:
      break;
  }
  if (hold >= 0) {
    v->held[hold] = down;
    return 1;
  }
  switch (key) {
    case DG_KEY_C:
      if (press) v->grip_closed = !v->grip_closed;
      return 1;
    case DG_KEY_SPACE:
      if (press) v->paused = !v->paused;
      return 1;
    case DG_KEY_RIGHT:
      if (down) v->step_request++;  // each press (or repeat) is one step
      return 1;
    case DG_KEY_BACKSPACE:
      if (press) v->reset_request = 1;
      return 1;
    case DG_KEY_MINUS:
      if (press && v->speed > MIN_SPEED) v->speed /= 2;
      return 1;
    case DG_KEY_EQUAL:
      if (press && v->speed > 0 && v->speed < MAX_SPEED) v->speed *= 2;
      return 1;
    case DG_KEY_TAB:
      if (press && v->gate) dg_gate_toggle(v->gate);
      return 1;
    case DG_KEY_V:
      if (press) use_camera(v, v->camera_index + 1);
      v->dirty = 1;
      return 1;
    case DG_KEY_H:
      if (press) v->show_help = !v->show_help;
      v->dirty = 1;
      return 1;
    case DG_KEY_ESCAPE:
      if (press) v->closed = 1;
      return 1;
    default:
      return 0;
  }
}

void dg_viewer_teleop_action(const dg_viewer* v, double* action, int act_dim) {
  double scale = v->held[HOLD_SHIFT] ? 0.25 : 1.0;
  double a[4] = {scale * (v->held[HOLD_XP] - v->held[HOLD_XN]),
                 scale * (v->held[HOLD_YP] - v->held[HOLD_YN]),
                 scale * (v->held[HOLD_ZP] - v->held[HOLD_ZN]), v->grip_closed ? 1.0 : -1.0};
  for (int i = 0; i < act_dim; i++) action[i] = i < 4 ? a[i] : 0.0;
}

// make the window's context current in this thread (releasing an offscreen EGL or OSMesa one)
static void make_window_current(dg_viewer* v) {
  if (glfwGetCurrentContext() == v->win) return;
  dg_gl_release_offscreen();
  glfwMakeContextCurrent(v->win);
}

static dg_viewer* of_window(GLFWwindow* win) {
  return glfwGetWindowUserPointer(win);
}

static void on_key(GLFWwindow* win, int key, int scancode, int action, int mods) {
  dg_viewer_key(of_window(win), key, action, mods);
}

static void on_mouse_button(GLFWwindow* win, int button, int action, int mods) {
  dg_viewer* v = of_window(win);
  int down = action == GLFW_PRESS;
  if (button == GLFW_MOUSE_BUTTON_LEFT) v->mouse_left = down;
  if (button == GLFW_MOUSE_BUTTON_RIGHT) v->mouse_right = down;
  if (button == GLFW_MOUSE_BUTTON_MIDDLE) v->mouse_middle = down;
  glfwGetCursorPos(win, &v->mouse_x, &v->mouse_y);
}

static void move_camera(dg_viewer* v, int action, double dx, double dy) {
  if (v->camera_index >= 0) {  // the mouse moves the free camera; leave the fixed one
    free_camera(v);
  }
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mjv_moveCamera(v->env->m, action, dx, dy, &v->scene, &v->camera);
    dg_mjtrap_leave(&trap);
  }
  v->dirty = 1;
}

static void on_cursor(GLFWwindow* win, double x, double y) {
  dg_viewer* v = of_window(win);
  double dx = x - v->mouse_x, dy = y - v->mouse_y;
  v->mouse_x = x;
  v->mouse_y = y;
  if (!v->mouse_left && !v->mouse_right && !v->mouse_middle) return;
  int w, h;
  glfwGetWindowSize(win, &w, &h);
  if (h < 1) return;
  int shift = glfwGetKey(win, GLFW_KEY_LEFT_SHIFT) == GLFW_PRESS ||
              glfwGetKey(win, GLFW_KEY_RIGHT_SHIFT) == GLFW_PRESS;
  int action = v->mouse_right  ? (shift ? mjMOUSE_MOVE_H : mjMOUSE_MOVE_V)
               : v->mouse_left ? (shift ? mjMOUSE_ROTATE_H : mjMOUSE_ROTATE_V)
                               : mjMOUSE_ZOOM;
  move_camera(v, action, dx / h, dy / h);
}

static void on_scroll(GLFWwindow* win, double xoff, double yoff) {
  move_camera(of_window(win), mjMOUSE_ZOOM, 0, -0.05 * yoff);
}

void dg_viewer_poll(dg_viewer* v) {
  if (!v) return;
  glfwPollEvents();
  if (glfwWindowShouldClose(v->win)) v->closed = 1;
}

int dg_viewer_should_close(const dg_viewer* v) {
  return v ? v->closed : 1;
}

// --- drawing -----------------------------------------------------------------------------------

// the overlay's text: the run's state, and the key help when asked for
static void draw_overlay(dg_viewer* v, mjrRect rect) {
  char values[512];
  const char* control = "policy";
  if (v->gate) {
    control = dg_gate_actor_now(v->gate) == DG_GATE_SUPERVISOR ? "person (Tab: hand back)"
                                                               : "policy (Tab: take over)";
  }
  char speed[32];
  if (v->speed > 0) {
    snprintf(speed, sizeof(speed), "%gx%s", v->speed, v->paused ? "  PAUSED" : "");
  } else {
    snprintf(speed, sizeof(speed), "unpaced%s", v->paused ? "  PAUSED" : "");
  }
  int limit = dg_env_max_episode_steps(v->env);
  char steps[48];
  if (limit > 0) {
    snprintf(steps, sizeof(steps), "%d / %d", v->step, limit);
  } else {
    snprintf(steps, sizeof(steps), "%d", v->step);
  }
  snprintf(values, sizeof(values), "%s\n%d\n%s\n%.3f\n%.3f\n%s%s\n%s\n%s\n%s", dg_env_id(v->env),
           v->episode, steps, v->reward, v->ret, v->success ? "yes" : "no",
           v->ended ? " (ended)" : "", control, v->grip_closed ? "closed" : "open", speed);
  mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, rect,
              "env\nepisode\nstep\nreward\nreturn\nsuccess\ncontrol\ngripper\nspeed", values,
              &v->context);
  if (v->show_help) {
    mjr_overlay(mjFONT_NORMAL, mjGRID_TOPRIGHT, rect,
                "Space\nRight\nBackspace\n- / =\nTab\nV\nW / S\nA / D\nR / F\nC\nShift\n"
                "mouse\nEsc",
                "pause / resume\none step (paused)\nend the episode\nslower / faster\n"
                "policy <-> person\nnext camera\n+x / -x\n+y / -y\nup / down\ngripper\n"
                "fine motion\norbit, pan, zoom\nclose",
                &v->context);
  } else {
    mjr_overlay(mjFONT_NORMAL, mjGRID_BOTTOMLEFT, rect, "H: keys", NULL, &v->context);
  }
}

// draw the current state; read it back into v->rows when read is set; then show it
static int draw(dg_viewer* v, int read, int* width, int* height) {
  if (v->env->phase == 0)
    return viewer_fail(v, DG_ERR_STATE, "the viewer's env has not been reset");
  make_window_current(v);
  int w, h;
  glfwGetFramebufferSize(v->win, &w, &h);
  if (w < 1 || h < 1) return DG_OK;  // minimised
  if (read) {
    size_t need = (size_t)w * h * 3;
    if (need > v->rows_size) {
      uint8_t* rows = realloc(v->rows, need);
      if (!rows) return viewer_fail(v, DG_ERR_NOMEM, "out of memory for a screenshot");
      v->rows = rows;
      v->rows_size = need;
    }
  }
  mjrRect rect = {0, 0, w, h};
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mjv_updateScene(v->env->m, v->env->d, &v->option, NULL, &v->camera, mjCAT_ALL, &v->scene);
    mjr_render(rect, &v->scene, &v->context);
    draw_overlay(v, rect);
    if (read) mjr_readPixels(v->rows, NULL, rect, &v->context);
    dg_mjtrap_leave(&trap);
  } else {
    return viewer_fail(v, DG_ERR_RENDER, "MuJoCo could not draw the viewer: %s", trap.msg);
  }
  glfwSwapBuffers(v->win);
  v->dirty = 0;
  if (width) *width = w;
  if (height) *height = h;
  return DG_OK;
}

int dg_viewer_draw(dg_viewer* v) {
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_draw: viewer is NULL");
  return draw(v, 0, NULL, NULL);
}

void dg_viewer_size(const dg_viewer* v, int* width, int* height) {
  int w = 0, h = 0;
  if (v) glfwGetFramebufferSize(v->win, &w, &h);
  if (width) *width = w;
  if (height) *height = h;
}

int dg_viewer_screenshot(dg_viewer* v, uint8_t* rgb) {
  if (!v || !rgb) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_screenshot: NULL argument");
  int w = 0, h = 0;
  int rc = draw(v, 1, &w, &h);
  if (rc) return rc;
  size_t stride = (size_t)w * 3;
  for (int y = 0; y < h; y++)
    memcpy(rgb + (size_t)y * stride, v->rows + (size_t)(h - 1 - y) * stride, stride);
  return DG_OK;
}

// --- make and close ----------------------------------------------------------------------------

// overlay text of about 1/40 of the window's height
static int font_scale(int height) {
  if (height >= 900) return mjFONTSCALE_200;
  if (height >= 600) return mjFONTSCALE_150;
  return mjFONTSCALE_100;
}

int dg_viewer_make(dg_env* env, const dg_viewer_options* options, dg_viewer** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_make: out is NULL");
  *out = NULL;
  if (!env) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_make: env is NULL");
  dg_viewer_options defaults;
  dg_viewer_options_default(&defaults);
  const dg_viewer_options* opt = options ? options : &defaults;
  if (opt->width < 64 || opt->height < 64 || opt->width > 8192 || opt->height > 8192)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "viewer size %dx%d is outside 64..8192 pixels",
                   opt->width, opt->height);
  if (!(opt->speed >= 0 && opt->speed <= MAX_SPEED))
    return dg_fail(NULL, 0, DG_ERR_INVALID, "viewer speed %g is outside [0, %g]", opt->speed,
                   MAX_SPEED);
  char err[DG_ERRMSG_SIZE];
  int rc = dg_gl_claim_window(err, sizeof(err));
  if (rc) return dg_fail_msg(NULL, 0, rc, err);

  dg_viewer* v = calloc(1, sizeof(dg_viewer));
  if (!v) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for a viewer");
  v->env = env;
  v->opt = *opt;
  v->opt.title = NULL;
  v->speed = opt->speed;
  v->paused = opt->paused;
  snprintf(v->title, sizeof(v->title), "%s", opt->title ? opt->title : "");
  if (!opt->title) snprintf(v->title, sizeof(v->title), "demogym: %s", dg_env_id(env));

  dg_gl_release_offscreen();  // GLFW makes the new context current while it creates it
  dg_gl_glfw_lock();
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_VISIBLE, opt->visible ? GLFW_TRUE : GLFW_FALSE);
  glfwWindowHint(GLFW_SAMPLES, 4);
  glfwWindowHint(GLFW_DEPTH_BITS, 24);
  glfwWindowHint(GLFW_STENCIL_BITS, 8);
  v->win = glfwCreateWindow(opt->width, opt->height, v->title, NULL, NULL);
  dg_gl_glfw_unlock();
  if (!v->win) {
    const char* msg = NULL;
    glfwGetError(&msg);
    rc = viewer_fail(v, DG_ERR_RENDER, "GLFW could not open a window: %s", msg ? msg : "?");
    goto fail;
  }
  glfwSetWindowUserPointer(v->win, v);
  glfwSetKeyCallback(v->win, on_key);
  glfwSetMouseButtonCallback(v->win, on_mouse_button);
  glfwSetCursorPosCallback(v->win, on_cursor);
  glfwSetScrollCallback(v->win, on_scroll);
  make_window_current(v);
  glfwSwapInterval(0);  // the viewer paces itself

  // a 2048 shadow map is as sharp as a window shows; the model is ours to change
  if (env->m->vis.quality.shadowsize > 2048) env->m->vis.quality.shadowsize = 2048;
  int fh;
  glfwGetFramebufferSize(v->win, NULL, &fh);
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mjv_defaultScene(&v->scene);
    mjv_defaultCamera(&v->camera);
    mjv_defaultOption(&v->option);
    mjr_defaultContext(&v->context);
    mjv_makeScene(env->m, &v->scene, 2000);
    v->have_scene = 1;
    mjr_makeContext(env->m, &v->context, font_scale(fh));
    v->have_context = 1;
    mjr_setBuffer(mjFB_WINDOW, &v->context);
    dg_mjtrap_leave(&trap);
  } else {
    rc = viewer_fail(v, DG_ERR_RENDER, "MuJoCo could not make the viewer's context: %s", trap.msg);
    goto fail;
  }
  // start on the env's render camera, or the free camera
  int cam = mj_name2id(env->m, mjOBJ_CAMERA, env->camera);
  free_camera(v);
  if (cam >= 0) use_camera(v, cam);
  *out = v;
  return DG_OK;
fail:
  dg_fail_msg(NULL, 0, rc, v->errmsg);
  dg_viewer_close(&v);
  return rc;
}

void dg_viewer_close(dg_viewer** handle) {
  if (!handle || !*handle) return;
  dg_viewer* v = *handle;
  *handle = NULL;
  if (v->win) {
    make_window_current(v);
    if (v->have_context) mjr_freeContext(&v->context);
    glfwMakeContextCurrent(NULL);
    dg_gl_glfw_lock();
    glfwDestroyWindow(v->win);
    dg_gl_glfw_unlock();
  }
  if (v->have_scene) mjv_freeScene(&v->scene);
  free(v->rows);
  free(v);
}

const char* dg_viewer_errmsg(const dg_viewer* v) {
  return v ? v->errmsg : "";
}

// --- the person as a policy ----------------------------------------------------------------

static int human_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  dg_viewer* v = self;
  v->grip_closed = 0;  // every episode starts with the gripper open
  return DG_OK;
}

static int human_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                     size_t errsz) {
  dg_viewer_teleop_action(self, action, dg_env_act_dim(env));
  return DG_OK;
}

static const dg_policy_impl human_impl = {"human", human_reset, human_act, NULL};

int dg_viewer_make_human_policy(dg_viewer* v, dg_policy** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_make_human_policy: out is NULL");
  *out = NULL;
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_make_human_policy: viewer is NULL");
  return dg_policy_create(&human_impl, v, "person", out);
}

// --- the paced loop ------------------------------------------------------------------------

// show the state, then wait until the next frame is due (handling events, blocking while
// paused); sets v->stop when the episode must end now (Backspace, close, the caller's stop)
static int show_frame(dg_viewer* v) {
  int rc = draw(v, 0, NULL, NULL);
  if (rc) return rc;
  double dt = dg_env_dt(v->env);
  for (;;) {
    dg_viewer_poll(v);
    if (v->user_stop && *v->user_stop) v->closed = 1;
    if (v->closed || v->reset_request) {
      v->stop = 1;
      return DG_OK;
    }
    if (v->paused) {
      if (v->step_request > 0) {
        v->step_request--;
        break;
      }
      glfwWaitEventsTimeout(0.05);
      if ((rc = draw(v, 0, NULL, NULL))) return rc;
      continue;
    }
    v->step_request = 0;
    if (v->speed <= 0) break;
    double now = glfwGetTime();
    if (now >= v->next_frame) break;
    double wait = v->next_frame - now;
    glfwWaitEventsTimeout(wait < 0.02 ? wait : 0.02);
    if (v->dirty && (rc = draw(v, 0, NULL, NULL))) return rc;
  }
  double now = glfwGetTime();
  if (v->speed > 0) {
    v->next_frame += dt / v->speed;
    if (v->next_frame < now) v->next_frame = now;  // behind: do not race to catch up
  }
  return DG_OK;
}

// call the run's other taps' callback fn, stopping at the first failure
#define CALL_USER_TAPS(fn, ...)                                        \
  for (int t = 0; t < v->nuser_taps; t++)                              \
    if (v->user_taps[t].fn) {                                          \
      int trc = v->user_taps[t].fn(v->user_taps[t].user, __VA_ARGS__); \
      if (trc) return trc;                                             \
    }

// apply the scripted key events of the step about to be taken
static void play_script(dg_viewer* v) {
  for (int i = 0; i < v->script_n; i++)
    if (v->script_step[i] == v->step) dg_viewer_key(v, v->script_key[i], v->script_action[i], 0);
  if (v->closed || v->reset_request) v->stop = 1;  // before this step's act, as a typed key
}

static int tap_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  dg_viewer* v = user;
  v->episode = episode;
  v->step = 0;
  v->reward = v->ret = 0;
  v->success = dg_env_is_success(env);
  v->ended = 0;
  v->next_frame = glfwGetTime();
  if (v->script_n > 0) memset(v->held, 0, sizeof(v->held));  // a script starts from no key held
  CALL_USER_TAPS(episode_begin, v->kept, seed, env, obs);
  int rc = show_frame(v);
  if (rc == DG_OK) play_script(v);
  return rc;
}

static int tap_before(void* user, dg_env* env, const double* obs, const double* action) {
  dg_viewer* v = user;
  CALL_USER_TAPS(before_step, env, obs, action);
  return DG_OK;
}

static int tap_after(void* user, dg_env* env, const double* obs, const double* action,
                     const double* next_obs, const dg_step_result* res) {
  dg_viewer* v = user;
  v->step++;
  v->steps_total++;
  v->reward = res->reward;
  v->ret += res->reward;
  v->success = res->info.success;
  v->ended = res->terminated || res->truncated;
  CALL_USER_TAPS(after_step, env, obs, action, next_obs, res);
  int rc = show_frame(v);
  if (rc == DG_OK && !v->ended) play_script(v);
  return rc;
}

static int tap_end(void* user, dg_env* env, const dg_episode_stats* stats) {
  dg_viewer* v = user;
  dg_episode_stats kept = *stats;
  kept.index = v->kept;
  CALL_USER_TAPS(episode_end, env, &kept);
  v->kept++;
  // the last frame stays a moment (unpaced: not at all)
  for (int k = 0; k < v->opt.hold_frames && v->speed > 0 && !v->stop; k++) {
    int rc = show_frame(v);
    if (rc) return rc;
  }
  return DG_OK;
}

// the key named by text (a letter, or Space, Tab, Backspace, Right, Esc, Shift, Minus, Equal)
static int key_named(const char* text, size_t n) {
  static const struct {
    const char* name;
    int key;
  } names[] = {{"Space", DG_KEY_SPACE}, {"Tab", DG_KEY_TAB},    {"Backspace", DG_KEY_BACKSPACE},
               {"Right", DG_KEY_RIGHT}, {"Esc", DG_KEY_ESCAPE}, {"Shift", DG_KEY_LEFT_SHIFT},
               {"Minus", DG_KEY_MINUS}, {"Equal", DG_KEY_EQUAL}};
  if (n == 1 && ((text[0] >= 'A' && text[0] <= 'Z') || (text[0] >= 'a' && text[0] <= 'z')))
    return text[0] >= 'a' ? text[0] - 'a' + 'A' : text[0];
  for (int i = 0; i < DG_ARRAY_LEN(names); i++)
    if (strlen(names[i].name) == n && !strncasecmp(names[i].name, text, n)) return names[i].key;
  return -1;
}

int dg_viewer_set_key_script(dg_viewer* v, const char* script) {
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_set_key_script: viewer is NULL");
  int n = 0, steps[DG_VIEWER_MAX_SCRIPT], keys[DG_VIEWER_MAX_SCRIPT], actions[DG_VIEWER_MAX_SCRIPT];
  const char* p = script ? script : "";
  while (*p) {
    while (*p == ' ' || *p == ',') p++;
    if (!*p) break;
    const char* tok = p;
    while (*p && *p != ' ' && *p != ',') p++;
    size_t len = (size_t)(p - tok);
    char* end;
    long step = strtol(tok, &end, 10);
    if (end == tok || *end != ':' || step < 0 || step > 1000000 || (size_t)(end - tok) + 1 >= len)
      return viewer_fail(v, DG_ERR_INVALID,
                         "key script: '%.*s' is not STEP:KEY, STEP:+KEY or STEP:-KEY", (int)len,
                         tok);
    const char* name = end + 1;
    int sign = *name == '+' ? 1 : *name == '-' && len - (size_t)(name - tok) > 1 ? -1 : 0;
    if (sign) name++;
    int key = key_named(name, len - (size_t)(name - tok));
    if (key < 0)
      return viewer_fail(v, DG_ERR_INVALID,
                         "key script: unknown key in '%.*s' (a letter, Space, Tab, Backspace, "
                         "Right, Esc, Shift, Minus or Equal)",
                         (int)len, tok);
    int events = sign ? 1 : 2;
    if (n + events > DG_VIEWER_MAX_SCRIPT)
      return viewer_fail(v, DG_ERR_INVALID, "key script: more than %d events",
                         DG_VIEWER_MAX_SCRIPT);
    for (int e = 0; e < events; e++) {
      steps[n] = (int)step;
      keys[n] = key;
      actions[n] = sign > 0 || (!sign && e == 0) ? DG_KEY_PRESS : DG_KEY_RELEASE;
      n++;
    }
  }
  memcpy(v->script_step, steps, sizeof(int) * n);
  memcpy(v->script_key, keys, sizeof(int) * n);
  memcpy(v->script_action, actions, sizeof(int) * n);
  v->script_n = n;
  return DG_OK;
}

int dg_viewer_show(dg_viewer* v, const dg_step_result* res) {
  if (!v) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_show: viewer is NULL");
  if (v->closed) return viewer_fail(v, DG_ERR_INTERRUPTED, "the viewer's window was closed");
  if (!res) {
    v->episode = v->step ? v->episode + 1 : v->episode;
    v->step = 0;
    v->reward = v->ret = 0;
    v->success = dg_env_is_success(v->env);
    v->ended = 0;
    v->next_frame = glfwGetTime();
  } else {
    v->step++;
    v->reward = res->reward;
    v->ret += res->reward;
    v->success = res->info.success;
    v->ended = res->terminated || res->truncated;
  }
  v->stop = 0;
  v->reset_request = 0;  // Backspace has no meaning in a loop the viewer does not drive
  int rc = show_frame(v);
  if (rc == DG_OK && v->closed)
    rc = viewer_fail(v, DG_ERR_INTERRUPTED, "the viewer's window was closed");
  return rc;
}

int dg_viewer_run(dg_viewer* v, dg_policy* policy, const dg_viewer_run_options* options,
                  dg_viewer_run_result* result) {
  if (!v || !policy) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_viewer_run: NULL argument");
  dg_viewer_run_options defaults;
  dg_viewer_run_options_default(&defaults);
  const dg_viewer_run_options* opt = options ? options : &defaults;
  if (opt->episodes < 0 || (opt->ntaps > 0 && !opt->taps) || opt->ntaps < 0)
    return viewer_fail(v, DG_ERR_INVALID, "dg_viewer_run: bad episodes or taps");
  dg_viewer_run_result res = {0};
  dg_tap tap = {v, tap_begin, tap_before, tap_after, tap_end};
  v->user_taps = opt->taps;
  v->nuser_taps = opt->ntaps;
  v->kept = 0;
  v->gate = dg_gate_is(policy) ? policy : NULL;
  v->user_stop = opt->stop;
  v->steps_total = 0;
  int rc = DG_OK;
  for (int episode = 0; !v->closed && (opt->episodes == 0 || res.episodes_ended < opt->episodes);
       episode++) {
    if (opt->on_episode && (rc = opt->on_episode(opt->user, episode)) != DG_OK) break;
    v->stop = 0;
    v->reset_request = 0;
    dg_rollout_options ro;
    dg_rollout_options_default(&ro);
    ro.episodes = 1;
    ro.seed = opt->seed;
    ro.first_episode = episode;
    ro.taps = &tap;
    ro.ntaps = 1;
    ro.stop = &v->stop;
    dg_episode_stats st;
    rc = dg_rollout_run(v->env, policy, &ro, &st, NULL);
    if (rc == DG_ERR_INTERRUPTED && v->stop) {  // Backspace or close: not an error
      rc = DG_OK;
      if (!v->closed) res.episodes_reset++;
      continue;
    }
    if (rc) break;
    res.episodes_ended++;
    res.successes += st.success != 0;
  }
  res.steps = v->steps_total;
  v->gate = NULL;
  v->user_stop = NULL;
  v->user_taps = NULL;
  v->nuser_taps = 0;
  if (result) *result = res;
  if (rc && !v->errmsg[0]) dg_strlcpy(v->errmsg, dg_last_errmsg(), sizeof(v->errmsg));
  return rc;
}
