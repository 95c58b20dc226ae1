// detour.h: internal hooks into Detour-v0's scripted expert, for tests and dataset tools.
#ifndef DEMOGYM_TASKS_DETOUR_H
#define DEMOGYM_TASKS_DETOUR_H

#include <stdint.h>

#include "env_internal.h"

#define DG_DETOUR_LEFT  1   // around the wall on its +y side
#define DG_DETOUR_RIGHT -1  // around the wall on its -y side

// Return the side (DG_DETOUR_LEFT or DG_DETOUR_RIGHT) that Detour-v0's expert, reset with seed,
// chooses for its episode (it keeps to it until the cube has committed to a side).
int dg_detour_choice(uint64_t seed);

// Return the side on which the cube is passing the wall in env's current state: DG_DETOUR_LEFT
// or DG_DETOUR_RIGHT while the cube is beside the wall, past its edge; 0 elsewhere.
// env must be a Detour-v0 env.
int dg_detour_passing_side(const dg_env* env);

// Return 1 when anything (the cube, the arm) touches the wall in env's current state: Detour-v0's
// episode then ends as a failure. env must be a Detour-v0 env.
int dg_detour_touching_wall(const dg_env* env);

#endif  // DEMOGYM_TASKS_DETOUR_H
