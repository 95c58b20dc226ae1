# tests/scale/tests.cmake: tests of the vector env, parallel rollouts and multi-process recording.
dg_test(test_vec_env scale/test_vec_env.c)
dg_test(test_parallel scale/test_parallel.c)
add_test(NAME test_scale_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_scale_cli.sh
         $<TARGET_FILE:demogym_cli>)
set_tests_properties(test_scale_cli PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 300)
if(DG_MPI)
  add_test(NAME test_mpi_record COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_mpi_record.sh
           $<TARGET_FILE:demogym_cli> ${MPIEXEC_EXECUTABLE} ${PROJECT_SOURCE_DIR})
  # Open MPI leaves allocations behind in plugins it has unloaded, which no suppression can name:
  # leaks do not fail the ranks; the script fails on a leak whose stack reaches our sources
  set_tests_properties(test_mpi_record PROPERTIES TIMEOUT 300 ENVIRONMENT
    "${DG_TEST_ENV};LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp:print_suppressions=0:exitcode=0")
else()
  add_test(NAME test_mpi_record COMMAND sh -c
           "echo 'test_mpi_record: skipped: this build has no MPI (DG_MPI=OFF; install libopenmpi-dev and reconfigure)'; exit 77")
  set_tests_properties(test_mpi_record PROPERTIES SKIP_RETURN_CODE 77)
endif()
