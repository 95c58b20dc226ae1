# learners/sources.cmake: the learners module (network core, policy classes, behaviour cloning,
# checkpoints), with its libraries: OpenBLAS (libopenblas-dev), HDF5 (libhdf5-dev), cJSON.
pkg_check_modules(OPENBLAS REQUIRED openblas)
find_package(HDF5 REQUIRED COMPONENTS C)
list(APPEND DG_SOURCES
  learners/nn/layers.c
  learners/nn/losses.c
  learners/nn/mlp.c
  learners/nn/optim.c
  learners/model.c
  learners/mse.c
  learners/gaussian.c
  learners/gmm.c
  learners/ar.c
  learners/diffusion.c
  learners/train.c
  learners/checkpoint.c
  learners/policy_bc.c
  learners/dagger.c
  learners/dagger_collect.c
  learners/compounding.c
)
# the network's inner loops: full vectorisation (no -ffast-math: results stay IEEE, and the same
# on every run)
set_source_files_properties(learners/nn/layers.c learners/nn/optim.c learners/nn/losses.c
  PROPERTIES COMPILE_OPTIONS "-O3;-fno-math-errno")
list(APPEND DG_EXTRA_LINK ${OPENBLAS_LINK_LIBRARIES} ${HDF5_C_LIBRARIES} ${CJSON_LINK_LIBRARIES})
list(APPEND DG_EXTRA_INCLUDES ${OPENBLAS_INCLUDE_DIRS} ${HDF5_C_INCLUDE_DIRS} ${CJSON_INCLUDE_DIRS})
