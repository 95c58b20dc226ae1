# envs/sources.cmake: the env module's sources and embedded MJCF (included by the top level).
list(APPEND DG_ASSETS
  envs/assets/arm.xml
  envs/tasks/detour.xml
  envs/tasks/drawer.xml
  envs/tasks/pickplace.xml
  envs/tasks/push.xml
  envs/tasks/reach.xml
  envs/tasks/stack.xml
)
list(APPEND DG_SOURCES
  envs/common.c
  envs/rng.c
  envs/mjtrap.c
  envs/registry.c
  envs/env.c
  envs/arm.c
  envs/policy.c
  envs/rollout.c
  envs/vec_env.c
  envs/parallel.c
  envs/pyhelpers.c
  envs/render.c
  envs/gl_egl.c
)
include(${CMAKE_CURRENT_LIST_DIR}/render.cmake)  # rendering: backends, video, viewer
list(APPEND DG_SOURCES
  envs/tasks/detour.c
  envs/tasks/drawer.c
  envs/tasks/pickplace.c
  envs/tasks/push.c
  envs/tasks/reach.c
  envs/tasks/stack.c
)
