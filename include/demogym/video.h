// demogym/video.h: writing RGB frames to video files through FFmpeg's libraries: MP4 (H.264 by
// libx264; MPEG-4 part 2, with a warning, where FFmpeg lacks libx264) and animated GIF.
//
// The file appears only when dg_video_finish succeeds: frames go to a temporary file beside it,
// renamed into place at the end, so a failed or abandoned video never replaces an existing file.
// Encoding is single-threaded with fixed parameters and no timestamps, so the same frames give
// the same bytes. Opening a video routes FFmpeg's log messages to demogym's logger.
#ifndef DEMOGYM_VIDEO_H
#define DEMOGYM_VIDEO_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dg_video dg_video;

// Options for dg_video_open; fill with dg_video_options_default.
typedef struct dg_video_options {
  double fps;          // frames per second (default 20, the envs' render_fps)
  const char* format;  // "mp4" or "gif"; NULL: from the file name's extension (default NULL)
  int crf;             // H.264 constant rate factor, 0 (lossless) to 51 (default 20)
} dg_video_options;

// Fill opt with the defaults described at each field.
DG_API void dg_video_options_default(dg_video_options* opt);

// Start a video of width x height frames at path; *out receives the handle (NULL on failure).
// MP4 needs an even width and height (4:2:0 chroma). Nullable: opt (defaults).
// Fails with DG_ERR_INVALID on a bad size, rate or format, DG_ERR_IO when path's folder cannot
// be written, DG_ERR_UNSUPPORTED when FFmpeg has no encoder for the format.
DG_API int dg_video_open(const char* path, int width, int height, const dg_video_options* opt,
                         dg_video** out);

// Append one frame (height x width x 3 bytes, RGB, rows top-down).
DG_API int dg_video_write(dg_video* video, const uint8_t* rgb);

// Flush the encoder, finish the file and move it into place at the path given to open.
// Fails with DG_ERR_STATE when no frame was written, DG_ERR_IO when the disk is full.
DG_API int dg_video_finish(dg_video* video);

// Free *video and set it to NULL; an unfinished video's temporary file is removed.
// Nullable: video, *video.
DG_API void dg_video_close(dg_video** video);

// Return the message of the last failure on this video ("" if none).
DG_API const char* dg_video_errmsg(const dg_video* video);

// Return the encoder in use ("libx264", "mpeg4", "gif").
DG_API const char* dg_video_codec(const dg_video* video);

// Return the number of frames written so far.
DG_API long dg_video_frames(const dg_video* video);

// Write the frame size given at open. Nullable: width, height.
DG_API void dg_video_size(const dg_video* video, int* width, int* height);

// Return the frame rate given at open.
DG_API double dg_video_fps(const dg_video* video);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_VIDEO_H
