# tests/cli/tests.cmake: tests of the demogym command.
add_test(NAME test_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_cli.sh
         $<TARGET_FILE:demogym_cli>)
set_tests_properties(test_cli PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 600)
