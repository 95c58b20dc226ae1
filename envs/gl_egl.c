// gl_egl.c: headless OpenGL contexts through EGL: a GPU device (NVIDIA's EGL), or Mesa's
// surfaceless platform (software rendering, no display needed).
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/common.h"
#include "gl.h"
#include "internal.h"

struct dg_gl {
  EGLDisplay display;
  EGLContext context;
};

// EGL's display is per process: it is initialised on first use and kept for the life of the
// process (terminating it unloads the driver, and re-initialising costs a tenth of a second)
static pthread_mutex_t egl_lock = PTHREAD_MUTEX_INITIALIZER;
static EGLDisplay egl_display = EGL_NO_DISPLAY;

static EGLDisplay open_display(char* how, int howsz) {
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display =
      (PFNEGLGETPLATFORMDISPLAYEXTPROC)eglGetProcAddress("eglGetPlatformDisplayEXT");
  PFNEGLQUERYDEVICESEXTPROC query_devices =
      (PFNEGLQUERYDEVICESEXTPROC)eglGetProcAddress("eglQueryDevicesEXT");
  const char* platform = getenv("EGL_PLATFORM");
  int want_surfaceless = platform && strcmp(platform, "surfaceless") == 0;
  EGLint major, minor;

  // a GPU device first, unless the user asked for Mesa's surfaceless platform
  if (get_platform_display && query_devices && !want_surfaceless) {
    EGLDeviceEXT devices[8];
    EGLint n = 0;
    if (query_devices(8, devices, &n) && n > 0) {
      for (int i = 0; i < n; i++) {
        EGLDisplay dpy = get_platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], NULL);
        if (dpy != EGL_NO_DISPLAY && eglInitialize(dpy, &major, &minor)) {
          snprintf(how, howsz, "EGL device %d", i);
          return dpy;
        }
      }
    }
  }
  if (get_platform_display) {
    EGLDisplay dpy = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
    if (dpy != EGL_NO_DISPLAY && eglInitialize(dpy, &major, &minor)) {
      snprintf(how, howsz, "EGL surfaceless");
      return dpy;
    }
  }
  EGLDisplay dpy = eglGetDisplay(EGL_DEFAULT_DISPLAY);
  if (dpy != EGL_NO_DISPLAY && eglInitialize(dpy, &major, &minor)) {
    snprintf(how, howsz, "EGL default display");
    return dpy;
  }
  return EGL_NO_DISPLAY;
}

int dg_gl_make(dg_gl** out, char* err, int errsz) {
  *out = NULL;
  const char* want = getenv("DEMOGYM_GL");
  if (want && *want && strcmp(want, "egl") != 0)
    return dg_fail(err, errsz, DG_ERR_UNSUPPORTED,
                   "DEMOGYM_GL=%s: this build renders with EGL only; unset DEMOGYM_GL or set it "
                   "to egl",
                   want);
  char how[64] = "";
  pthread_mutex_lock(&egl_lock);
  if (egl_display == EGL_NO_DISPLAY) egl_display = open_display(how, sizeof(how));
  if (egl_display == EGL_NO_DISPLAY) {
    pthread_mutex_unlock(&egl_lock);
    return dg_fail(err, errsz, DG_ERR_RENDER,
                   "no EGL display could be opened: install Mesa's EGL (apt-get install "
                   "libegl1 libegl-mesa0 libgl1-mesa-dri) or a GPU driver with EGL, and for "
                   "software rendering set EGL_PLATFORM=surfaceless");
  }
  EGLDisplay dpy = egl_display;
  pthread_mutex_unlock(&egl_lock);
  if (how[0]) dg_logf(DG_LOG_INFO, "rendering through %s (%s)", how, eglQueryString(dpy, EGL_VENDOR));

  const EGLint attribs[] = {EGL_RED_SIZE,      8,
                            EGL_GREEN_SIZE,    8,
                            EGL_BLUE_SIZE,     8,
                            EGL_ALPHA_SIZE,    8,
                            EGL_DEPTH_SIZE,    24,
                            EGL_STENCIL_SIZE,  8,
                            EGL_COLOR_BUFFER_TYPE, EGL_RGB_BUFFER,
                            EGL_SURFACE_TYPE,  EGL_PBUFFER_BIT,
                            EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                            EGL_NONE};
  EGLConfig config;
  EGLint nconfig = 0;
  if (!eglChooseConfig(dpy, attribs, &config, 1, &nconfig) || nconfig < 1) {
    return dg_fail(err, errsz, DG_ERR_RENDER,
                   "EGL has no RGBA8/depth24/stencil8 OpenGL config (error 0x%x)", eglGetError());
  }
  if (!eglBindAPI(EGL_OPENGL_API)) {
    return dg_fail(err, errsz, DG_ERR_RENDER, "EGL cannot bind the desktop OpenGL API");
  }
  EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, NULL);
  if (ctx == EGL_NO_CONTEXT) {
    return dg_fail(err, errsz, DG_ERR_RENDER, "EGL could not create a context (error 0x%x)",
                   eglGetError());
  }
  dg_gl* gl = calloc(1, sizeof(dg_gl));
  if (!gl) {
    eglDestroyContext(dpy, ctx);
    return dg_fail(err, errsz, DG_ERR_NOMEM, "out of memory");
  }
  gl->display = dpy;
  gl->context = ctx;
  int rc = dg_gl_make_current(gl, err, errsz);
  if (rc) {
    dg_gl_free(gl);
    return rc;
  }
  *out = gl;
  return DG_OK;
}

int dg_gl_make_current(dg_gl* gl, char* err, int errsz) {
  if (eglGetCurrentContext() == gl->context) return DG_OK;
  if (!eglMakeCurrent(gl->display, EGL_NO_SURFACE, EGL_NO_SURFACE, gl->context))
    return dg_fail(err, errsz, DG_ERR_RENDER,
                   "EGL could not make the context current (error 0x%x); is it current in "
                   "another thread?",
                   eglGetError());
  return DG_OK;
}

void dg_gl_free(dg_gl* gl) {
  if (!gl) return;
  if (eglGetCurrentContext() == gl->context)
    eglMakeCurrent(gl->display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  eglDestroyContext(gl->display, gl->context);
  free(gl);
}

const char* dg_gl_backend(void) { return "egl"; }
