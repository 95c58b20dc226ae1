// gl.c: the choice of the process's OpenGL backend (DEMOGYM_GL or the first that works) and the
// context handle over the chosen backend.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/common.h"
#include "gl.h"
#include "internal.h"

struct dg_gl {
  const dg_gl_backend* backend;
  void* ctx;
};

// the process's backend: chosen at the first context and kept (MuJoCo binds OpenGL's functions
// once per process, see gl.h)
static pthread_mutex_t choice_lock = PTHREAD_MUTEX_INITIALIZER;
static const dg_gl_backend* chosen = NULL;
static int window_claimed = 0;

static const dg_gl_backend* backend_named(const char* name) {
  if (!strcmp(name, "egl")) return &dg_gl_egl_backend;
  if (!strcmp(name, "glfw")) return &dg_gl_glfw_backend;
  if (!strcmp(name, "osmesa")) return &dg_gl_osmesa_backend;
  return NULL;
}

// DEMOGYM_GL's value, NULL when unset or empty
static const char* wanted(void) {
  const char* want = getenv("DEMOGYM_GL");
  return want && *want ? want : NULL;
}

static int has_display(void) {
  const char* d = getenv("DISPLAY");
  return d && *d;
}

// make a context with backend b (opening it first); DG_OK or a status with err set
static int try_backend(const dg_gl_backend* b, void** ctx, char* err, int errsz) {
  int rc = b->open(err, errsz);
  if (rc == DG_OK) rc = b->make(ctx, err, errsz);
  return rc;
}

// choose the backend (under choice_lock) by making a first context with it
static int choose_and_make(void** ctx, char* err, int errsz) {
  const char* want = wanted();
  if (want) {
    const dg_gl_backend* b = backend_named(want);
    if (!b)
      return dg_fail(err, errsz, DG_ERR_INVALID,
                     "DEMOGYM_GL=%s is not a backend: use egl, glfw or osmesa, or unset it", want);
    if (window_claimed && b == &dg_gl_osmesa_backend)
      return dg_fail(err, errsz, DG_ERR_UNSUPPORTED,
                     "DEMOGYM_GL=osmesa cannot render in a process that opened a window; use "
                     "egl or glfw");
    int rc = try_backend(b, ctx, err, errsz);
    if (rc == DG_OK) chosen = b;
    return rc;
  }
  // a process with a window renders offscreen through GLFW too (one OpenGL platform)
  if (window_claimed) {
    int rc = try_backend(&dg_gl_glfw_backend, ctx, err, errsz);
    if (rc == DG_OK) chosen = &dg_gl_glfw_backend;
    return rc;
  }
  char e1[512] = "", e2[512] = "not tried: DISPLAY is not set", e3[512] = "";
  int rc = try_backend(&dg_gl_egl_backend, ctx, e1, sizeof(e1));
  if (rc == DG_OK) {
    chosen = &dg_gl_egl_backend;
    return DG_OK;
  }
  dg_logf(DG_LOG_INFO, "EGL cannot render here (%s); trying the next backend", e1);
  if (has_display()) {
    rc = try_backend(&dg_gl_glfw_backend, ctx, e2, sizeof(e2));
    if (rc == DG_OK) {
      chosen = &dg_gl_glfw_backend;
      return DG_OK;
    }
    dg_logf(DG_LOG_INFO, "GLFW cannot render here (%s); trying OSMesa", e2);
  }
  rc = try_backend(&dg_gl_osmesa_backend, ctx, e3, sizeof(e3));
  if (rc == DG_OK) {
    chosen = &dg_gl_osmesa_backend;
    return DG_OK;
  }
  return dg_fail(err, errsz, DG_ERR_RENDER,
                 "no OpenGL backend works here. egl: %s. glfw: %s. osmesa: %s. For headless "
                 "rendering install Mesa's EGL (apt-get install libegl1 libegl-mesa0 "
                 "libgl1-mesa-dri) and set EGL_PLATFORM=surfaceless, or install libosmesa6",
                 e1, e2, e3);
}

int dg_gl_make(dg_gl** out, char* err, int errsz) {
  *out = NULL;
  dg_gl* gl = calloc(1, sizeof(dg_gl));
  if (!gl) return dg_fail(err, errsz, DG_ERR_NOMEM, "out of memory");
  int rc;
  pthread_mutex_lock(&choice_lock);
  if (chosen) {
    gl->backend = chosen;
    rc = chosen->make(&gl->ctx, err, errsz);
  } else {
    rc = choose_and_make(&gl->ctx, err, errsz);
    gl->backend = chosen;
    if (rc == DG_OK) dg_logf(DG_LOG_INFO, "rendering through the %s backend", chosen->name);
  }
  pthread_mutex_unlock(&choice_lock);
  if (rc == DG_OK) rc = gl->backend->make_current(gl->ctx, err, errsz);
  if (rc != DG_OK) {
    dg_gl_free(gl);
    return rc;
  }
  *out = gl;
  return DG_OK;
}

int dg_gl_make_current(dg_gl* gl, char* err, int errsz) {
  // a window's GLX context may be current in this thread: release it before EGL's
  if (window_claimed && gl->backend != &dg_gl_glfw_backend) dg_gl_glfw_backend.release();
  return gl->backend->make_current(gl->ctx, err, errsz);
}

void dg_gl_release_offscreen(void) {
  pthread_mutex_lock(&choice_lock);
  const dg_gl_backend* b = chosen;
  pthread_mutex_unlock(&choice_lock);
  if (b && b != &dg_gl_glfw_backend) b->release();
}

void dg_gl_free(dg_gl* gl) {
  if (!gl) return;
  if (gl->backend && gl->ctx) gl->backend->free(gl->ctx);
  free(gl);
}

const char* dg_gl_backend_name(void) {
  pthread_mutex_lock(&choice_lock);
  const dg_gl_backend* b = chosen;
  pthread_mutex_unlock(&choice_lock);
  if (b) return b->name;
  const char* want = wanted();
  if (want && backend_named(want)) return backend_named(want)->name;
  return "egl";
}

int dg_gl_claim_window(char* err, int errsz) {
  pthread_mutex_lock(&choice_lock);
  const char* want = wanted();
  int osmesa = chosen == &dg_gl_osmesa_backend || (!chosen && want && !strcmp(want, "osmesa"));
  int rc = DG_OK;
  if (osmesa) {
    rc = dg_fail(err, errsz, DG_ERR_UNSUPPORTED,
                 "this process renders through OSMesa, which cannot share MuJoCo's OpenGL "
                 "functions with a window; unset DEMOGYM_GL=osmesa to open a window");
  } else if ((rc = dg_gl_glfw_init(err, errsz)) == DG_OK) {
    window_claimed = 1;  // only once a window can really be opened
  }
  pthread_mutex_unlock(&choice_lock);
  return rc;
}
