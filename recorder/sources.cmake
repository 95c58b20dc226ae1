# recorder/sources.cmake: the recorder module (HDF5 writer and reader, dataset tools, cards).
find_package(HDF5 REQUIRED COMPONENTS C)   # libhdf5-dev (serial 1.10), CMake's FindHDF5
pkg_check_modules(NETTLE REQUIRED IMPORTED_TARGET nettle)  # nettle-dev: SHA-256 of dataset cards
list(APPEND DG_SOURCES
  recorder/h5util.c
  recorder/shadow.c
  recorder/episode.c
  recorder/writer.c
  recorder/reader.c
  recorder/validate.c
  recorder/replay.c
  recorder/tools.c
  recorder/card.c
)
list(APPEND DG_EXTRA_LINK ${HDF5_C_LIBRARIES} PkgConfig::NETTLE PkgConfig::CJSON)
list(APPEND DG_EXTRA_INCLUDES ${HDF5_C_INCLUDE_DIRS} ${CMAKE_CURRENT_SOURCE_DIR}/recorder)
# the dataset cards the command builds by name (demogym dataset list|build)
set_source_files_properties(cli/cmd_dataset.c PROPERTIES
  COMPILE_DEFINITIONS "DG_DATASETS_DIR=\"${CMAKE_CURRENT_SOURCE_DIR}/datasets\"")
