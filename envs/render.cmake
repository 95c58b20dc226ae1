# envs/render.cmake: the rendering part of the env module (OpenGL backends, video writer,
# viewer), with its libraries; included by envs/sources.cmake.
# The OpenGL platform libraries (libEGL, libOSMesa, libGL) are opened at run time, never linked:
# MuJoCo binds OpenGL's functions through whichever platform library it finds (see envs/gl.h).
pkg_check_modules(DG_FFMPEG REQUIRED libavformat libavcodec libswscale libavutil)  # libavcodec-dev ...
pkg_check_modules(DG_GLFW REQUIRED glfw3)                                          # libglfw3-dev
list(APPEND DG_SOURCES
  envs/gl.c
  envs/gl_glfw.c
  envs/gl_osmesa.c
  envs/video.c
  envs/video_tracks.c
  envs/viewer.c
  envs/gate.c
)
list(APPEND DG_EXTRA_LINK ${DG_FFMPEG_LINK_LIBRARIES} ${DG_GLFW_LINK_LIBRARIES} ${CMAKE_DL_LIBS})
list(APPEND DG_EXTRA_INCLUDES ${DG_FFMPEG_INCLUDE_DIRS} ${DG_GLFW_INCLUDE_DIRS})
