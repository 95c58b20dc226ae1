// render.c: rgb_array rendering of an env's state through MuJoCo's renderer (with text overlays),
// and PNG output.
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/render.h"
#include "demogym/viewer.h"
#include "env_internal.h"
#include "gl.h"
#include "internal.h"
#include "mjtrap.h"

struct dg_render_ctx {
  dg_gl* gl;
  mjvScene scene;
  mjvCamera camera;
  mjvOption option;
  mjrContext context;
  int have_scene;
  int have_context;
  int width, height;
  uint8_t* rows;     // bottom-up pixels as OpenGL reads them (height x width x 3)
  dg_viewer* human;  // the window of DG_RENDER_HUMAN mode. Nullable
  int human_failed;  // the window could not be opened or was closed: draw no more
};

void dg_render_ctx_free(struct dg_render_ctx* r) {
  if (!r) return;
  dg_viewer_close(&r->human);
  if (r->gl && dg_gl_make_current(r->gl, NULL, 0) == DG_OK) {
    if (r->have_context) mjr_freeContext(&r->context);
  }
  if (r->have_scene) mjv_freeScene(&r->scene);
  dg_gl_free(r->gl);
  free(r->rows);
  free(r);
}

static int render_fail(dg_env* env, int code, const char* msg) {
  return dg_fail_msg(env->errmsg, sizeof(env->errmsg), code, msg);
}

// overlay text about 1/24 of the frame's height: MuJoCo's font at 50%, 100% or 150%
static int font_scale(int height) {
  if (height >= 400) return mjFONTSCALE_150;
  if (height >= 200) return mjFONTSCALE_100;
  return mjFONTSCALE_50;
}

static int make_render_ctx(dg_env* env) {
  char err[DG_ERRMSG_SIZE];
  struct dg_render_ctx* r = calloc(1, sizeof(*r));
  if (!r) return render_fail(env, DG_ERR_NOMEM, "out of memory for the renderer");
  r->width = env->opt.render_width;
  r->height = env->opt.render_height;
  r->rows = malloc((size_t)r->width * r->height * 3);
  int rc = r->rows ? dg_gl_make(&r->gl, err, sizeof(err)) : DG_ERR_NOMEM;
  if (rc) {
    dg_render_ctx_free(r);
    return render_fail(env, rc, rc == DG_ERR_NOMEM ? "out of memory for the renderer" : err);
  }
  // the offscreen buffer must hold the frame; the model is ours, so we may grow it
  if (env->m->vis.global.offwidth < r->width) env->m->vis.global.offwidth = r->width;
  if (env->m->vis.global.offheight < r->height) env->m->vis.global.offheight = r->height;
  // a shadow map of about 4 texels per pixel of the frame (512 to 2048) is as sharp as the frame
  // shows, and a software renderer draws a 2048 one in a third of the time of MuJoCo's 4096
  int largest = r->width > r->height ? r->width : r->height, shadow = 512;
  while (shadow < 4 * largest && shadow < 2048) shadow *= 2;
  if (largest <= 1024 && env->m->vis.quality.shadowsize > shadow)
    env->m->vis.quality.shadowsize = shadow;
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mjv_defaultScene(&r->scene);
    mjv_defaultCamera(&r->camera);
    mjv_defaultOption(&r->option);
    mjr_defaultContext(&r->context);
    mjv_makeScene(env->m, &r->scene, 2000);
    r->have_scene = 1;
    mjr_makeContext(env->m, &r->context, font_scale(r->height));
    r->have_context = 1;
    mjr_setBuffer(mjFB_OFFSCREEN, &r->context);
    dg_mjtrap_leave(&trap);
  } else {
    snprintf(err, sizeof(err), "MuJoCo could not make a rendering context: %s", trap.msg);
    dg_render_ctx_free(r);
    return render_fail(env, DG_ERR_RENDER, err);
  }
  if (r->context.currentBuffer != mjFB_OFFSCREEN) {
    dg_render_ctx_free(r);
    return render_fail(env, DG_ERR_RENDER, "the OpenGL context has no offscreen framebuffer");
  }
  int cam = mj_name2id(env->m, mjOBJ_CAMERA, env->camera);
  if (cam >= 0) {
    r->camera.type = mjCAMERA_FIXED;
    r->camera.fixedcamid = cam;
  } else {  // "free": looking at the workspace from the front-left
    r->camera.type = mjCAMERA_FREE;
    r->camera.lookat[0] = 0.45;
    r->camera.lookat[1] = 0.0;
    r->camera.lookat[2] = 0.1;
    r->camera.distance = 1.6;
    r->camera.azimuth = 150;
    r->camera.elevation = -25;
  }
  env->render = r;
  return DG_OK;
}

int dg_env_render_overlay(dg_env* env, const dg_overlay* items, int n, uint8_t* rgb) {
  if (!env || !rgb || n < 0 || (n > 0 && !items))
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_env_render: NULL argument or bad overlay count");
  for (int i = 0; i < n; i++)
    if (items[i].pos < DG_OVERLAY_TOP_LEFT || items[i].pos > DG_OVERLAY_BOTTOM_RIGHT ||
        !items[i].left)
      return render_fail(env, DG_ERR_INVALID, "overlay with a bad position or no text");
  if (env->phase == 0)
    return render_fail(env, DG_ERR_STATE, "render before reset: call dg_env_reset first");
  if (env->opt.render_mode == DG_RENDER_HUMAN)
    return render_fail(env, DG_ERR_STATE,
                       "this env renders in human mode (a window); make it with render_mode "
                       "DG_RENDER_RGB_ARRAY for frames");
  int rc;
  if (!env->render && (rc = make_render_ctx(env)) != DG_OK) return rc;
  struct dg_render_ctx* r = env->render;
  char err[DG_ERRMSG_SIZE];
  if ((rc = dg_gl_make_current(r->gl, err, sizeof(err))) != DG_OK) return render_fail(env, rc, err);
  mjrRect viewport = {0, 0, r->width, r->height};
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mjv_updateScene(env->m, env->d, &r->option, NULL, &r->camera, mjCAT_ALL, &r->scene);
    mjr_render(viewport, &r->scene, &r->context);
    for (int i = 0; i < n; i++)
      mjr_overlay(mjFONT_NORMAL, items[i].pos, viewport, items[i].left, items[i].right,
                  &r->context);
    mjr_readPixels(r->rows, NULL, viewport, &r->context);
    dg_mjtrap_leave(&trap);
  } else {
    snprintf(err, sizeof(err), "MuJoCo rendering failed: %s", trap.msg);
    return render_fail(env, DG_ERR_RENDER, err);
  }
  // OpenGL's rows run bottom-up; images run top-down
  size_t stride = (size_t)r->width * 3;
  for (int y = 0; y < r->height; y++)
    memcpy(rgb + (size_t)y * stride, r->rows + (size_t)(r->height - 1 - y) * stride, stride);
  return DG_OK;
}

int dg_env_render(dg_env* env, uint8_t* rgb) {
  if (env && env->opt.render_mode == DG_RENDER_HUMAN) {
    if (env->phase == 0)
      return render_fail(env, DG_ERR_STATE, "render before reset: call dg_env_reset first");
    return dg_render_human(env, NULL);
  }
  return dg_env_render_overlay(env, NULL, 0, rgb);
}

int dg_render_human(dg_env* env, const dg_step_result* res) {
  if (!env->render) {
    env->render = calloc(1, sizeof(struct dg_render_ctx));
    if (!env->render) return render_fail(env, DG_ERR_NOMEM, "out of memory for the renderer");
  }
  struct dg_render_ctx* r = env->render;
  if (r->human_failed) return DG_ERR_STATE;
  int rc = DG_OK;
  if (!r->human) {
    dg_viewer_options vo;
    dg_viewer_options_default(&vo);
    vo.width = env->opt.render_width < 320 ? 320 : env->opt.render_width;
    vo.height = env->opt.render_height < 240 ? 240 : env->opt.render_height;
    vo.hold_frames = 0;
    rc = dg_viewer_make(env, &vo, &r->human);
  }
  if (rc == DG_OK) rc = dg_viewer_show(r->human, res);
  if (rc != DG_OK) {
    r->human_failed = 1;
    dg_logf(rc == DG_ERR_INTERRUPTED ? DG_LOG_INFO : DG_LOG_WARN, "%s: human rendering stops: %s",
            env->task->id, dg_last_errmsg());
    dg_viewer_close(&r->human);
    return render_fail(env, rc, dg_last_errmsg());
  }
  return DG_OK;
}

const char* dg_render_backend_name(void) {
  return dg_gl_backend_name();
}

int dg_image_write_png(const char* path, const uint8_t* rgb, int width, int height) {
  if (!path || !rgb || width < 1 || height < 1)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_image_write_png: bad argument");
  FILE* f = fopen(path, "wb");
  if (!f) return dg_fail(NULL, 0, DG_ERR_IO, "cannot open %s for writing", path);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    fclose(f);
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory writing %s", path);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fclose(f);
    return dg_fail(NULL, 0, DG_ERR_IO, "libpng failed writing %s (disk full?)", path);
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < height; y++)
    png_write_row(png, (png_const_bytep)(rgb + (size_t)y * width * 3));
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  if (fclose(f) != 0) return dg_fail(NULL, 0, DG_ERR_IO, "cannot finish writing %s", path);
  return DG_OK;
}
