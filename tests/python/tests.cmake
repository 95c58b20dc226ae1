# tests/python/tests.cmake: the Python binding's tests, run by Debian's python3 with python3-numpy
# and python3-h5py (scripts/deps/python.txt), against the freshly built libdemogym.so.

# an interpreter that has numpy and h5py: Debian's first (a pyenv or venv python3 earlier on PATH
# usually lacks the Debian modules), then whatever python3 the PATH gives
set(DG_PYTHON "")
find_program(DG_PYTHON_PATH python3)
foreach(candidate /usr/bin/python3 ${DG_PYTHON_PATH})
  if(NOT DG_PYTHON AND EXISTS ${candidate})
    execute_process(COMMAND ${candidate} -c "import numpy, h5py"
                    RESULT_VARIABLE _dg_py_rc OUTPUT_QUIET ERROR_QUIET)
    if(_dg_py_rc EQUAL 0)
      set(DG_PYTHON ${candidate})
    endif()
  endif()
endforeach()
if(NOT DG_PYTHON)
  message(WARNING "no python3 with numpy and h5py: the Python tests will fail; run scripts/deps.sh "
                  "(Debian's python3-numpy and python3-h5py)")
  set(DG_PYTHON python3)
endif()

# the C side of the bit-for-bit comparison (a program, not a test)
add_executable(dg_py_dump python/dump_rollout.c)
target_link_libraries(dg_py_dump PRIVATE demogym_static m)
target_compile_definitions(dg_py_dump PRIVATE _POSIX_C_SOURCE=200809L)

set(DG_PY_ENV ${DG_TEST_ENV}
  "DEMOGYM_LIBRARY=$<TARGET_FILE:demogym>"
  "DEMOGYM_CLI=$<TARGET_FILE:demogym_cli>"
  "DEMOGYM_DUMP=$<TARGET_FILE:dg_py_dump>"
  "PYTHONPATH=${PROJECT_SOURCE_DIR}/python"
  "PYTHONDONTWRITEBYTECODE=1")
if(DG_SANITIZE)
  # an instrumented library loaded by an uninstrumented python needs the sanitizer runtimes
  # loaded first; python's own allocations are not ours to check for leaks
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libasan.so
                  OUTPUT_VARIABLE _dg_asan OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=libubsan.so
                  OUTPUT_VARIABLE _dg_ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
  list(APPEND DG_PY_ENV "LD_PRELOAD=${_dg_asan}:${_dg_ubsan}"
       "ASAN_OPTIONS=detect_leaks=0:halt_on_error=1")
endif()

# dg_py_test(NAME SCRIPT): run a Python test script with CTest
function(dg_py_test name script)
  add_test(NAME ${name} COMMAND ${DG_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/python/${script})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${DG_PY_ENV}" TIMEOUT 300)
endfunction()

dg_py_test(test_python_env test_env.py)
dg_py_test(test_python_bitexact test_bitexact.py)
dg_py_test(test_python_vector test_vector.py)
dg_py_test(test_python_policy test_policy.py)
dg_py_test(test_python_datasets test_datasets.py)
dg_py_test(test_python_loader test_loader.py)
dg_py_test(test_python_gymnasium test_gymnasium.py)
