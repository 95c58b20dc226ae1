// gl_osmesa.c: OpenGL contexts through OSMesa (Mesa's off-screen software renderer), the last
// resort when neither EGL nor a display works. libOSMesa is opened at run time with its symbols
// global, so that MuJoCo's loader finds OSMesaGetProcAddress (see gl.h).
#include <GL/osmesa.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#include "demogym/common.h"
#include "gl.h"
#include "internal.h"

// MuJoCo renders into its own framebuffer object; the context's own buffer only has to exist
#define BUFFER_SIZE 16

static struct {
  void* lib;
  OSMesaContext (*CreateContextAttribs)(const int* attribs, OSMesaContext share);
  GLboolean (*MakeCurrent)(OSMesaContext ctx, void* buffer, GLenum type, GLsizei w, GLsizei h);
  OSMesaContext (*GetCurrentContext)(void);
  void (*DestroyContext)(OSMesaContext ctx);
} osm;

typedef struct osmesa_ctx {
  OSMesaContext ctx;
  unsigned char buffer[BUFFER_SIZE * BUFFER_SIZE * 4];
} osmesa_ctx;

static pthread_mutex_t osm_lock = PTHREAD_MUTEX_INITIALIZER;

static int osm_open(char* err, int errsz) {
  pthread_mutex_lock(&osm_lock);
  int rc = DG_OK;
  if (!osm.lib) {
    const char* names[] = {"libOSMesa.so.8", "libOSMesa.so.6", "libOSMesa.so"};
    void* lib = NULL;
    for (int i = 0; i < DG_ARRAY_LEN(names) && !lib; i++)
      lib = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
      rc = dg_fail(err, errsz, DG_ERR_RENDER,
                   "libOSMesa is not installed (apt-get install libosmesa6)");
      goto done;
    }
    *(void**)&osm.CreateContextAttribs = dlsym(lib, "OSMesaCreateContextAttribs");
    *(void**)&osm.MakeCurrent = dlsym(lib, "OSMesaMakeCurrent");
    *(void**)&osm.GetCurrentContext = dlsym(lib, "OSMesaGetCurrentContext");
    *(void**)&osm.DestroyContext = dlsym(lib, "OSMesaDestroyContext");
    if (!osm.CreateContextAttribs || !osm.MakeCurrent || !osm.GetCurrentContext ||
        !osm.DestroyContext) {
      rc = dg_fail(err, errsz, DG_ERR_RENDER,
                   "libOSMesa lacks OSMesaCreateContextAttribs (Mesa 11 or newer is needed)");
      goto done;
    }
    osm.lib = lib;
  }
done:
  pthread_mutex_unlock(&osm_lock);
  return rc;
}

static int osm_make(void** out, char* err, int errsz) {
  *out = NULL;
  osmesa_ctx* c = calloc(1, sizeof(osmesa_ctx));
  if (!c) return dg_fail(err, errsz, DG_ERR_NOMEM, "out of memory");
  const int attribs[] = {OSMESA_FORMAT,
                         OSMESA_RGBA,
                         OSMESA_DEPTH_BITS,
                         24,
                         OSMESA_STENCIL_BITS,
                         8,
                         OSMESA_PROFILE,
                         OSMESA_COMPAT_PROFILE,
                         0};
  c->ctx = osm.CreateContextAttribs(attribs, NULL);
  if (!c->ctx) {
    free(c);
    return dg_fail(err, errsz, DG_ERR_RENDER, "OSMesa could not create a context");
  }
  *out = c;
  return DG_OK;
}

static int osm_make_current(void* ctx, char* err, int errsz) {
  osmesa_ctx* c = ctx;
  if (osm.GetCurrentContext() == c->ctx) return DG_OK;
  if (!osm.MakeCurrent(c->ctx, c->buffer, GL_UNSIGNED_BYTE, BUFFER_SIZE, BUFFER_SIZE))
    return dg_fail(err, errsz, DG_ERR_RENDER, "OSMesa could not make the context current");
  return DG_OK;
}

static void osm_free(void* ctx) {
  osmesa_ctx* c = ctx;
  if (!c) return;
  if (osm.GetCurrentContext() == c->ctx) osm.MakeCurrent(NULL, NULL, 0, 0, 0);
  osm.DestroyContext(c->ctx);
  free(c);
}

static void osm_release(void) {
  if (osm.GetCurrentContext && osm.GetCurrentContext()) osm.MakeCurrent(NULL, NULL, 0, 0, 0);
}

const dg_gl_backend dg_gl_osmesa_backend = {"osmesa",         osm_open, osm_make,
                                            osm_make_current, osm_free, osm_release};
