# tests/learners/tests.cmake: tests of the learners module (network core, policy classes, training,
# checkpoints, the train and eval commands).
dg_test(test_nn_grad learners/test_nn_grad.c)
dg_test(test_bc_fit learners/test_bc_fit.c)
dg_test(test_checkpoint learners/test_checkpoint.c)
add_test(NAME test_train_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/learners/test_train_cli.sh
         $<TARGET_FILE:demogym_cli>)
set_tests_properties(test_train_cli PROPERTIES ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 600)
