// gl_egl.c: headless OpenGL contexts through EGL: a GPU device (NVIDIA's EGL), or Mesa's
// surfaceless platform (software rendering, no display needed). libEGL is opened at run time
// and kept local to this file (see gl.h for why no platform library is linked).
#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/common.h"
#include "gl.h"
#include "internal.h"

// the EGL functions we call, resolved from libEGL.so.1
static struct {
  void* lib;
  PFNEGLGETPROCADDRESSPROC GetProcAddress;
  PFNEGLGETDISPLAYPROC GetDisplay;
  PFNEGLINITIALIZEPROC Initialize;
  PFNEGLCHOOSECONFIGPROC ChooseConfig;
  PFNEGLBINDAPIPROC BindAPI;
  PFNEGLCREATECONTEXTPROC CreateContext;
  PFNEGLDESTROYCONTEXTPROC DestroyContext;
  PFNEGLMAKECURRENTPROC MakeCurrent;
  PFNEGLGETCURRENTCONTEXTPROC GetCurrentContext;
  PFNEGLGETERRORPROC GetError;
  PFNEGLQUERYSTRINGPROC QueryString;
} egl;

// EGL's display is per process: it is opened on first use and kept for the life of the process
// (terminating it unloads the driver, and re-initialising costs a tenth of a second)
static pthread_mutex_t egl_lock = PTHREAD_MUTEX_INITIALIZER;
static EGLDisplay egl_display = EGL_NO_DISPLAY;
static EGLConfig egl_config;
static int egl_failed = 0;
static char egl_error[512];

// store the address of libEGL's symbol name into the function pointer at slot; 0 if missing
static int load_symbol(void* slot, const char* name) {
  void* address = dlsym(egl.lib, name);
  memcpy(slot, &address, sizeof(address));
  return address != NULL;
}

static int load_library(char* err, int errsz) {
  const char* names[] = {"libEGL.so.1", "libEGL.so"};
  for (int i = 0; i < DG_ARRAY_LEN(names) && !egl.lib; i++)
    egl.lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  if (!egl.lib)
    return dg_fail(err, errsz, DG_ERR_RENDER,
                   "libEGL.so.1 is not installed (apt-get install libegl1 libegl-mesa0 "
                   "libgl1-mesa-dri)");
#define LOAD(fn)                        \
  if (!load_symbol(&egl.fn, "egl" #fn)) \
    return dg_fail(err, errsz, DG_ERR_RENDER, "libEGL.so.1 lacks egl%s (too old?)", #fn);
  LOAD(GetProcAddress)
  LOAD(GetDisplay)
  LOAD(Initialize)
  LOAD(ChooseConfig)
  LOAD(BindAPI)
  LOAD(CreateContext)
  LOAD(DestroyContext)
  LOAD(MakeCurrent)
  LOAD(GetCurrentContext)
  LOAD(GetError)
  LOAD(QueryString)
#undef LOAD
  return DG_OK;
}

static EGLDisplay open_display(char* how, int howsz) {
  PFNEGLGETPLATFORMDISPLAYEXTPROC get_platform_display =
      (PFNEGLGETPLATFORMDISPLAYEXTPROC)egl.GetProcAddress("eglGetPlatformDisplayEXT");
  PFNEGLQUERYDEVICESEXTPROC query_devices =
      (PFNEGLQUERYDEVICESEXTPROC)egl.GetProcAddress("eglQueryDevicesEXT");
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
        if (dpy != EGL_NO_DISPLAY && egl.Initialize(dpy, &major, &minor)) {
          snprintf(how, howsz, "EGL device %d", i);
          return dpy;
        }
      }
    }
  }
  if (get_platform_display) {
    EGLDisplay dpy = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, NULL);
    if (dpy != EGL_NO_DISPLAY && egl.Initialize(dpy, &major, &minor)) {
      snprintf(how, howsz, "EGL surfaceless");
      return dpy;
    }
  }
  EGLDisplay dpy = egl.GetDisplay(EGL_DEFAULT_DISPLAY);
  if (dpy != EGL_NO_DISPLAY && egl.Initialize(dpy, &major, &minor)) {
    snprintf(how, howsz, "EGL default display");
    return dpy;
  }
  return EGL_NO_DISPLAY;
}

// load libEGL, open the display and pick the config, once per process
static int egl_open(char* err, int errsz) {
  pthread_mutex_lock(&egl_lock);
  int rc = DG_OK;
  if (egl_display != EGL_NO_DISPLAY) goto done;
  if (egl_failed) {
    rc = dg_fail_msg(err, errsz, DG_ERR_RENDER, egl_error);
    goto done;
  }
  char how[64] = "";
  if ((rc = load_library(egl_error, sizeof(egl_error))) != DG_OK) goto failed;
  EGLDisplay dpy = open_display(how, sizeof(how));
  if (dpy == EGL_NO_DISPLAY) {
    rc = dg_fail(egl_error, sizeof(egl_error), DG_ERR_RENDER,
                 "no EGL display could be opened: install Mesa's EGL (apt-get install libegl1 "
                 "libegl-mesa0 libgl1-mesa-dri) or a GPU driver with EGL, and for software "
                 "rendering set EGL_PLATFORM=surfaceless");
    goto failed;
  }
  // clang-format off
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
  // clang-format on
  EGLint nconfig = 0;
  if (!egl.ChooseConfig(dpy, attribs, &egl_config, 1, &nconfig) || nconfig < 1) {
    rc = dg_fail(egl_error, sizeof(egl_error), DG_ERR_RENDER,
                 "EGL has no RGBA8/depth24/stencil8 OpenGL config (error 0x%x)", egl.GetError());
    goto failed;
  }
  egl_display = dpy;
  dg_logf(DG_LOG_INFO, "rendering through %s (%s)", how, egl.QueryString(dpy, EGL_VENDOR));
  goto done;
failed:
  egl_failed = 1;
  dg_fail_msg(err, errsz, rc, egl_error);
done:
  pthread_mutex_unlock(&egl_lock);
  return rc;
}

static int egl_make(void** out, char* err, int errsz) {
  *out = NULL;
  if (!egl.BindAPI(EGL_OPENGL_API))
    return dg_fail(err, errsz, DG_ERR_RENDER, "EGL cannot bind the desktop OpenGL API");
  EGLContext ctx = egl.CreateContext(egl_display, egl_config, EGL_NO_CONTEXT, NULL);
  if (ctx == EGL_NO_CONTEXT)
    return dg_fail(err, errsz, DG_ERR_RENDER, "EGL could not create a context (error 0x%x)",
                   egl.GetError());
  *out = ctx;
  return DG_OK;
}

static int egl_make_current(void* ctx, char* err, int errsz) {
  if (egl.GetCurrentContext() == (EGLContext)ctx) return DG_OK;
  if (!egl.MakeCurrent(egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE, (EGLContext)ctx))
    return dg_fail(err, errsz, DG_ERR_RENDER,
                   "EGL could not make the context current (error 0x%x); is it current in "
                   "another thread?",
                   egl.GetError());
  return DG_OK;
}

static void egl_free(void* ctx) {
  if (!ctx) return;
  if (egl.GetCurrentContext() == (EGLContext)ctx)
    egl.MakeCurrent(egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  egl.DestroyContext(egl_display, (EGLContext)ctx);
}

static void egl_release(void) {
  if (egl.GetCurrentContext && egl.GetCurrentContext() != EGL_NO_CONTEXT)
    egl.MakeCurrent(egl_display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
}

const dg_gl_backend dg_gl_egl_backend = {"egl",    egl_open,   egl_make, egl_make_current,
                                         egl_free, egl_release};
