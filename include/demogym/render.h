// demogym/render.h: image output for rendered frames.
#ifndef DEMOGYM_RENDER_H
#define DEMOGYM_RENDER_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

// Write an RGB image (height x width x 3 bytes, rows top-down) to path as PNG.
DG_API int dg_image_write_png(const char* path, const uint8_t* rgb, int width, int height);

// Return the name of the OpenGL backend renderers in this process use or would use
// ("egl", "glfw", "osmesa"), as DEMOGYM_GL says or the automatic choice.
DG_API const char* dg_render_backend_name(void);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_RENDER_H
