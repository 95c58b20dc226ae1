// replay_video.c: `demogym replay FILE --video OUT`: a video of the replayed demos, one after
// another, each labelled with its name, step and success (rendered from the replayed states).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demogym/dataset.h"

typedef struct replay_video {
  dg_env* env;  // renders the states (the size and camera asked for)
  dg_video* video;
  double* states;  // the demo's replayed states ((n + 1) x state_dim)
  unsigned char* success;
  int cap, state_dim;
  long frames;
} replay_video;

static int on_state(void* user, const dg_demo* demo, int step, dg_env* env) {
  replay_video* rv = user;
  if (step >= rv->cap) {
    int cap = demo->n + 1 > 2 * rv->cap ? demo->n + 1 : 2 * rv->cap;
    double* s = realloc(rv->states, sizeof(double) * (size_t)cap * rv->state_dim);
    if (s) rv->states = s;
    unsigned char* f = realloc(rv->success, (size_t)cap);
    if (f) rv->success = f;
    if (!s || !f) {
      dg_set_last_errmsg("out of memory for the replayed states");
      return DG_ERR_NOMEM;
    }
    rv->cap = cap;
  }
  dg_env_get_state(env, rv->states + (size_t)step * rv->state_dim);
  rv->success[step] = (unsigned char)dg_env_is_success(env);
  if (step < demo->n) return DG_OK;
  dg_track t = {demo->name, rv->states, demo->n + 1, rv->success};
  return dg_render_tracks(rv->env, &t, 1, rv->video, &rv->frames);
}

int cli_replay_video(dg_dataset* ds, const char* demo, const cli_video_args* args,
                     dg_replay_result* result, long* frames) {
  dg_dataset_info info;
  int rc = dg_dataset_get_info(ds, &info);
  if (rc) return rc;
  replay_video rv = {0};
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.render_width = args->width;
  eo.render_height = args->height;
  eo.render_camera = args->camera;
  if ((rc = dg_env_make(info.env_name, &eo, &rv.env))) return rc;
  rv.state_dim = dg_env_state_dim(rv.env);
  if (rv.state_dim != info.state_dim) {
    dg_set_last_errmsg("%s stores states of %d values, but %s has %d (another version?)", args->out,
                       info.state_dim, info.env_name, rv.state_dim);
    dg_env_close(&rv.env);
    return DG_ERR_FORMAT;
  }
  dg_video_options vo;
  dg_video_options_default(&vo);
  vo.fps = dg_env_render_fps(rv.env);
  rc = dg_video_open(args->out, args->width, args->height, &vo, &rv.video);
  if (rc == DG_OK) rc = dg_dataset_replay_each(ds, demo, on_state, &rv, result);
  if (rc == DG_OK) rc = dg_video_finish(rv.video);
  if (frames) *frames = rv.frames;
  dg_video_close(&rv.video);
  dg_env_close(&rv.env);
  free(rv.states);
  free(rv.success);
  return rc;
}
