// gl_glfw.c: OpenGL contexts of hidden GLFW windows (GLX on an X display: a desktop, or Xvfb),
// and GLFW's process-wide initialisation, which the viewer's windows share.
#include <GLFW/glfw3.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include "demogym/common.h"
#include "gl.h"
#include "internal.h"

// GLFW is initialised once and kept for the life of the process (like EGL's display)
static pthread_mutex_t glfw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t glfw_call_lock = PTHREAD_MUTEX_INITIALIZER;
static int glfw_ready = 0;

void dg_gl_glfw_lock(void) {
  pthread_mutex_lock(&glfw_call_lock);
}
void dg_gl_glfw_unlock(void) {
  pthread_mutex_unlock(&glfw_call_lock);
}

// GLFW's description of its last error in this thread ("" if none)
static const char* glfw_error(void) {
  const char* msg = NULL;
  glfwGetError(&msg);
  return msg ? msg : "no detail";
}

int dg_gl_glfw_init(char* err, int errsz) {
  pthread_mutex_lock(&glfw_lock);
  int rc = DG_OK;
  if (glfw_ready) goto done;
  const char* display = getenv("DISPLAY");
  const char* wayland = getenv("WAYLAND_DISPLAY");
  if ((!display || !*display) && (!wayland || !*wayland)) {
    rc = dg_fail(err, errsz, DG_ERR_RENDER,
                 "no display: DISPLAY is not set (run under a desktop, or under Xvfb with "
                 "xvfb-run; for headless offscreen rendering use EGL)");
    goto done;
  }
  // make GLX's glXGetProcAddressARB visible to MuJoCo's loader (GLFW opens libGL privately)
  if (!dlopen("libGL.so.1", RTLD_NOW | RTLD_GLOBAL)) {
    rc = dg_fail(err, errsz, DG_ERR_RENDER,
                 "libGL.so.1 is not installed (apt-get install libgl1 libglx-mesa0 "
                 "libgl1-mesa-dri)");
    goto done;
  }
  if (!glfwInit()) {
    rc = dg_fail(err, errsz, DG_ERR_RENDER, "GLFW could not initialise: %s", glfw_error());
    goto done;
  }
  glfw_ready = 1;
done:
  pthread_mutex_unlock(&glfw_lock);
  return rc;
}

static int glfw_open(char* err, int errsz) {
  return dg_gl_glfw_init(err, errsz);
}

static int glfw_make(void** out, char* err, int errsz) {
  *out = NULL;
  dg_gl_glfw_lock();
  glfwDefaultWindowHints();
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_FALSE);
  glfwWindowHint(GLFW_STENCIL_BITS, 8);
  glfwWindowHint(GLFW_DEPTH_BITS, 24);
  GLFWwindow* win = glfwCreateWindow(16, 16, "demogym offscreen", NULL, NULL);
  dg_gl_glfw_unlock();
  if (!win)
    return dg_fail(err, errsz, DG_ERR_RENDER, "GLFW could not make a hidden window: %s",
                   glfw_error());
  *out = win;
  return DG_OK;
}

static int glfw_make_current(void* ctx, char* err, int errsz) {
  if (glfwGetCurrentContext() == (GLFWwindow*)ctx) return DG_OK;
  glfwMakeContextCurrent((GLFWwindow*)ctx);
  if (glfwGetCurrentContext() != (GLFWwindow*)ctx)
    return dg_fail(err, errsz, DG_ERR_RENDER,
                   "GLFW could not make the context current (%s); is it current in another "
                   "thread?",
                   glfw_error());
  return DG_OK;
}

static void glfw_free(void* ctx) {
  if (!ctx) return;
  if (glfwGetCurrentContext() == (GLFWwindow*)ctx) glfwMakeContextCurrent(NULL);
  dg_gl_glfw_lock();
  glfwDestroyWindow((GLFWwindow*)ctx);
  dg_gl_glfw_unlock();
}

static void glfw_release(void) {
  if (glfw_ready && glfwGetCurrentContext()) glfwMakeContextCurrent(NULL);
}

const dg_gl_backend dg_gl_glfw_backend = {"glfw",    glfw_open,   glfw_make, glfw_make_current,
                                          glfw_free, glfw_release};
