// pyhelpers.h: small exported helpers for bindings in other languages (Python's ctypes): an
// open-loop multi-step call and the layout of the public structs, so a binding can verify the
// struct definitions it mirrors against the library it loaded.
#ifndef DEMOGYM_PYHELPERS_H
#define DEMOGYM_PYHELPERS_H

#include "demogym/env.h"

#ifdef __cplusplus
extern "C" {
#endif

// Step env up to n times with actions (n x act_dim), writing the observations (n x obs_dim),
// rewards (n x 1) and end flags (n x 1, 0 or 1) of each step; stop after the step that ends the
// episode (terminated or truncated). *done receives the number of steps taken, also on failure.
// Fails as dg_env_step does, on the first failing step (earlier steps stay written).
// Nullable: rewards, terminated, truncated.
DG_API int dg_env_step_many(dg_env* env, int n, const double* actions, double* obs,
                            double* rewards, uint8_t* terminated, uint8_t* truncated, int* done);

// Return the default time limit (env steps) of the env registered as id, without making it;
// -1 for an unknown id.
DG_API int dg_env_registry_max_episode_steps(const char* id);

// Return the layout of a public struct: sizeof(type) when field is NULL, offsetof(type, field)
// otherwise; -1 for a type or field this library does not know. type is the C name without
// "struct", e.g. ("dg_step_result", "info").
DG_API long dg_py_layout(const char* type, const char* field);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_PYHELPERS_H
