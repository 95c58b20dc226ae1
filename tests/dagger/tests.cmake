# tests/dagger/tests.cmake: DAgger and HG-DAgger: beta schedules and the mixture, the gate's
# hand-over rule, aggregation through the recorder, compounding-error curves, and the commands.
dg_test(test_dagger_beta dagger/test_dagger_beta.c)
dg_test(test_dagger_gate dagger/test_dagger_gate.c)
dg_test(test_dagger_aggregate dagger/test_dagger_aggregate.c)
target_include_directories(test_dagger_gate PRIVATE ${PROJECT_SOURCE_DIR}/learners)
target_include_directories(test_dagger_aggregate PRIVATE ${PROJECT_SOURCE_DIR}/learners)
add_test(NAME test_dagger_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/dagger/test_dagger_cli.sh
         $<TARGET_FILE:demogym_cli>)
set_tests_properties(test_dagger_cli PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 600)
