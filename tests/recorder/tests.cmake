# tests/recorder/tests.cmake: tests of the recorder (writer, reader, tools, crash safety).
dg_test(test_recorder recorder/test_recorder.c)
dg_test(test_kill recorder/test_kill.c)
target_include_directories(test_recorder PRIVATE ${PROJECT_SOURCE_DIR}/recorder ${HDF5_C_INCLUDE_DIRS})
target_include_directories(test_kill PRIVATE ${PROJECT_SOURCE_DIR}/recorder ${HDF5_C_INCLUDE_DIRS})

# the layout, read back with Debian's h5py (python3-h5py): the system Python, which has it
find_program(DG_SYSTEM_PYTHON3 python3 PATHS /usr/bin NO_DEFAULT_PATH)
if(NOT DG_SYSTEM_PYTHON3)
  find_program(DG_SYSTEM_PYTHON3 python3)
endif()
add_test(NAME test_dataset_layout
         COMMAND ${DG_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/recorder/test_layout.py
                 $<TARGET_FILE:demogym_cli>)
add_test(NAME test_dataset_tools
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/recorder/test_tools.sh $<TARGET_FILE:demogym_cli>
                 ${DG_SYSTEM_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/recorder)
set_tests_properties(test_dataset_layout test_dataset_tools PROPERTIES
                     ENVIRONMENT "${DG_TEST_ENV}" TIMEOUT 600)
