// gl.h: OpenGL contexts for rendering, behind one interface over three backends: EGL (headless:
// a GPU's EGL device or Mesa's surfaceless platform), a hidden GLFW window (where a display
// exists), and OSMesa (software, the last resort).
//
// The backend is chosen once per process, when the first context is made: DEMOGYM_GL=egl|glfw|
// osmesa, or else the first of egl, glfw (only when DISPLAY is set), osmesa that makes a context.
// MuJoCo 2.2 resolves OpenGL's functions once per process through the platform library it finds
// loaded (eglGetProcAddress first, then OSMesaGetProcAddress, then glXGetProcAddressARB), so a
// process must never mix EGL or GLX with OSMesa: the platform libraries are opened at run time
// (dlopen), only the chosen one is made visible, and windows (the viewer) refuse an OSMesa process.
#ifndef DEMOGYM_GL_H
#define DEMOGYM_GL_H

typedef struct dg_gl dg_gl;

// One backend's functions (gl_egl.c, gl_glfw.c, gl_osmesa.c). Each returns a dg_status and, on
// failure, writes what is missing and what to install into err (errsz bytes).
typedef struct dg_gl_backend {
  const char* name;  // "egl", "glfw", "osmesa"
  // Load the platform library and set up what the process shares (display); idempotent.
  int (*open)(char* err, int errsz);
  // Make a context (not yet current); *ctx receives it.
  int (*make)(void** ctx, char* err, int errsz);
  // Make ctx current in the calling thread (cheap when it already is).
  int (*make_current)(void* ctx, char* err, int errsz);
  // Release ctx if it is current in the calling thread, then free it. Nullable.
  void (*free)(void* ctx);
  // Release whatever context of this backend is current in the calling thread (if any).
  void (*release)(void);
} dg_gl_backend;

extern const dg_gl_backend dg_gl_egl_backend;
extern const dg_gl_backend dg_gl_glfw_backend;
extern const dg_gl_backend dg_gl_osmesa_backend;

// Make an offscreen OpenGL context with the process's backend (choosing it on the first call)
// and make it current in the calling thread. Returns a dg_status; on failure err says what is
// missing and what to install.
int dg_gl_make(dg_gl** out, char* err, int errsz);

// Make the context current in the calling thread (cheap when it already is). Returns a dg_status.
int dg_gl_make_current(dg_gl* gl, char* err, int errsz);

// Free the context. Nullable.
void dg_gl_free(dg_gl* gl);

// Return the backend the process uses, or the one it would try first ("egl", "glfw", "osmesa").
const char* dg_gl_backend_name(void);

// Release the offscreen context current in the calling thread, if any, before another OpenGL
// platform's context (a window's) is made current: EGL and GLX share one dispatch per thread.
void dg_gl_release_offscreen(void);

// Claim the process for on-screen windows (GLFW): fails with DG_ERR_UNSUPPORTED when the process
// renders offscreen through OSMesa (or DEMOGYM_GL=osmesa); when no backend is chosen yet and
// DEMOGYM_GL is unset, offscreen contexts will use hidden GLFW windows too. Initialises GLFW.
int dg_gl_claim_window(char* err, int errsz);

// Initialise GLFW once per process (loads libGL for MuJoCo's loader first). Fails with
// DG_ERR_RENDER when there is no display. Returns a dg_status.
int dg_gl_glfw_init(char* err, int errsz);

// Serialise GLFW calls that must not run concurrently (window creation and destruction).
void dg_gl_glfw_lock(void);
void dg_gl_glfw_unlock(void);

#endif  // DEMOGYM_GL_H
