# envs/sources.cmake: the env module's sources and embedded MJCF (included by the top level).
list(APPEND DG_ASSETS
  envs/assets/arm.xml
  envs/tasks/reach.xml
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
  envs/render.c
  envs/gl_egl.c
  envs/tasks/reach.c
)
