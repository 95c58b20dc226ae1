// video_internal.h: the frame sink behind side-by-side videos, for the library and its tests.
#ifndef DEMOGYM_VIDEO_INTERNAL_H
#define DEMOGYM_VIDEO_INTERNAL_H

#include <stdint.h>

#include "demogym/render.h"

// Receives each composed frame (height x width x 3); returns a dg_status.
typedef int (*dg_frame_sink)(void* user, const uint8_t* rgb);

// dg_render_tracks with the frames handed to sink instead of a video.
int dg_render_tracks_to(dg_env* env, const dg_track* tracks, int ntracks, dg_frame_sink sink,
                        void* user, long* frames);

#endif  // DEMOGYM_VIDEO_INTERNAL_H
