// demogym/render.h: rendering beyond one rgb_array frame: text overlays, PNG images, the OpenGL
// backend in use, and videos of stored states or of rollouts side by side (written through
// video.h).
//
// Frames are RGB, 3 bytes per pixel, rows top-down (height x width x 3). Offscreen rendering uses
// one OpenGL backend per process: EGL (headless), a hidden GLFW window, or OSMesa, as
// DEMOGYM_GL=egl|glfw|osmesa says or the first that works in that order.
#ifndef DEMOGYM_RENDER_H
#define DEMOGYM_RENDER_H

#include "common.h"
#include "env.h"
#include "policy.h"
#include "rollout.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dg_video;

// Where an overlay goes on the frame.
typedef enum dg_overlay_pos {
  DG_OVERLAY_TOP_LEFT = 0,
  DG_OVERLAY_TOP_RIGHT = 1,
  DG_OVERLAY_BOTTOM_LEFT = 2,
  DG_OVERLAY_BOTTOM_RIGHT = 3
} dg_overlay_pos;

// A block of text drawn over a frame in MuJoCo's overlay font, on a translucent panel.
typedef struct dg_overlay {
  int pos;            // a dg_overlay_pos
  const char* left;   // first column; lines separated by '\n'
  const char* right;  // second column, line by line beside the first; nullable
} dg_overlay;

// Render the current state like dg_env_render, with n overlays drawn over the frame, into rgb
// (height x width x 3). Nullable: items when n is 0.
DG_API int dg_env_render_overlay(dg_env* env, const dg_overlay* items, int n, uint8_t* rgb);

// Write an RGB image (height x width x 3 bytes, rows top-down) to path as PNG.
DG_API int dg_image_write_png(const char* path, const uint8_t* rgb, int width, int height);

// Return the name of the OpenGL backend renderers in this process use ("egl", "glfw",
// "osmesa"), or before the first context the one DEMOGYM_GL names or that would be tried first.
DG_API const char* dg_render_backend_name(void);

// One tile of a side-by-side video: a sequence of stored states and its label.
typedef struct dg_track {
  const char* name;              // label, e.g. a policy's or a demo's name
  const double* states;          // full simulation states (n x state_dim), see dg_env_get_state
  int n;                         // number of states (an episode of T steps has T + 1)
  const unsigned char* success;  // the success flag at each state (n x 1); nullable: the
                                 // task's success test on the restored state
} dg_track;

// Return the size of the frames dg_render_tracks writes for ntracks tracks: tiles of the env's
// render size in a grid of at most 4 columns.
DG_API void dg_render_tracks_size(const dg_env* env, int ntracks, int* width, int* height);

// Render ntracks tracks side by side into video (which must have dg_render_tracks_size's size):
// frame k shows each track at its state min(k, n - 1), so a track that ended stays frozen on its
// last frame, labelled with its name, step and success (a green border once successful). Writes
// the longest track's n frames and adds them to *frames (nullable). Changes env's state.
DG_API int dg_render_tracks(dg_env* env, const dg_track* tracks, int ntracks,
                            struct dg_video* video, long* frames);

// Options for dg_render_rollouts; fill with dg_render_rollouts_options_default.
typedef struct dg_render_rollouts_options {
  int episodes;              // episodes per policy (default 1)
  uint64_t seed;             // base seed of the rollout driver (default 0): episode i of every
                             // policy starts from the same state, as in dg_rollout_run
  const volatile int* stop;  // when *stop becomes nonzero the job ends with DG_ERR_INTERRUPTED.
                             // Nullable
} dg_render_rollouts_options;

// Fill opt with the defaults described at each field.
DG_API void dg_render_rollouts_options_default(dg_render_rollouts_options* opt);

// Roll out each of the npolicies policies in env through the rollout driver, every policy from
// the same initial states, and write each episode's rollouts side by side into video (see
// dg_render_tracks; tiles are labelled with dg_policy_name), one episode after another. Writes
// (episodes x npolicies) statistics to stats (row-major by episode) and the number of frames
// to *frames. Nullable: opt (defaults), stats, frames.
DG_API int dg_render_rollouts(dg_env* env, dg_policy* const* policies, int npolicies,
                              const dg_render_rollouts_options* opt, struct dg_video* video,
                              dg_episode_stats* stats, long* frames);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_RENDER_H
