// demogym/demogym.h: the umbrella header; include this to get the whole public API.
#ifndef DEMOGYM_DEMOGYM_H
#define DEMOGYM_DEMOGYM_H

#include "common.h"
#include "rng.h"
#include "env.h"
#include "policy.h"
#include "rollout.h"
#include "render.h"
#include "video.h"
#include "viewer.h"
#include "gate.h"
#include "vec_env.h"
#include "bc.h"
#include "dagger.h"

#endif  // DEMOGYM_DEMOGYM_H
