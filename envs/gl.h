// gl.h: OpenGL contexts for rendering, behind one interface over the backends (EGL for now).
//
// DEMOGYM_GL=egl|glfw|osmesa picks the backend; unset, the first that works is used.
#ifndef DEMOGYM_GL_H
#define DEMOGYM_GL_H

typedef struct dg_gl dg_gl;

// Make an offscreen OpenGL context and make it current in the calling thread.
// Returns a dg_status; on failure err says what is missing and what to install.
int dg_gl_make(dg_gl** out, char* err, int errsz);

// Make the context current in the calling thread (cheap when it already is). Returns a dg_status.
int dg_gl_make_current(dg_gl* gl, char* err, int errsz);

// Free the context. Nullable.
void dg_gl_free(dg_gl* gl);

// Return the backend the process uses or would use ("egl").
const char* dg_gl_backend(void);

#endif  // DEMOGYM_GL_H
