# tests/render/tests.cmake: tests of rendering: OpenGL backends, videos, side-by-side rollouts,
# the render command, the viewer and teleoperation (under Xvfb, started by the tests themselves).
dg_test(test_backend render/test_backend.c)
dg_test(test_video render/test_video.c)
dg_test(test_tracks render/test_tracks.c)

# each backend in a process of its own (a process renders through one backend)
add_test(NAME test_backend_egl COMMAND test_backend egl)
set_tests_properties(test_backend_egl PROPERTIES ENVIRONMENT "${DG_TEST_ENV};DEMOGYM_GL=egl")
add_test(NAME test_backend_osmesa COMMAND test_backend osmesa)
set_tests_properties(test_backend_osmesa PROPERTIES ENVIRONMENT "${DG_TEST_ENV};DEMOGYM_GL=osmesa")
# without an EGL vendor and without a display, the automatic choice falls back to OSMesa
add_test(NAME test_backend_fallback COMMAND test_backend osmesa)
set_tests_properties(test_backend_fallback PROPERTIES ENVIRONMENT
  "${DG_TEST_ENV};DISPLAY=;__EGL_VENDOR_LIBRARY_FILENAMES=/nonexistent/egl_vendor.json")
# a hidden GLFW window on an X server of its own
add_test(NAME test_backend_glfw COMMAND xvfb-run -a -s "-screen 0 640x480x24"
         $<TARGET_FILE:test_backend> glfw)
set_tests_properties(test_backend_glfw PROPERTIES ENVIRONMENT "${DG_TEST_ENV};DEMOGYM_GL=glfw"
  TIMEOUT 120)

# the render command, read back with FFmpeg's tools
add_test(NAME test_render_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/render/test_render_cli.sh
         $<TARGET_FILE:demogym_cli>)
set_tests_properties(test_render_cli PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 300)

# the viewer and teleoperation, on an X server the test starts (xvfb-run)
# (built like dg_test's programs, registered only under xvfb-run)
add_executable(test_viewer render/test_viewer.c)
target_link_libraries(test_viewer PRIVATE demogym_static Threads::Threads m)
target_include_directories(test_viewer PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/envs)
target_compile_definitions(test_viewer PRIVATE _POSIX_C_SOURCE=200809L)
add_test(NAME test_viewer_xvfb COMMAND xvfb-run -a -s "-screen 0 800x600x24"
         $<TARGET_FILE:test_viewer>)
set_tests_properties(test_viewer_xvfb PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 120)
# real X key events (xdotool) through GLFW's callbacks into `demogym view`
add_test(NAME test_view_x11 COMMAND xvfb-run -a -s "-screen 0 800x600x24" sh
         ${CMAKE_CURRENT_SOURCE_DIR}/render/test_view_x11.sh $<TARGET_FILE:demogym_cli>)
set_tests_properties(test_view_x11 PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 180)
# teleoperation through the command, recorded by the recorder (h5dump: hdf5-tools)
add_test(NAME test_teleop_cli COMMAND xvfb-run -a -s "-screen 0 800x600x24" sh
         ${CMAKE_CURRENT_SOURCE_DIR}/render/test_teleop_cli.sh $<TARGET_FILE:demogym_cli>)
set_tests_properties(test_teleop_cli PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 180)
