# Embeds text assets (the envs' MJCF) into a generated C file at build time,
# so the library needs no asset path at run time.
set(DG_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_run.cmake)

# dg_embed_files(OUT file...): OUT defines dg_asset_find(name) over the files,
# each known by its base name (e.g. "arm.xml").
function(dg_embed_files out)
  set(abs)
  foreach(f ${ARGN})
    list(APPEND abs ${CMAKE_CURRENT_SOURCE_DIR}/${f})
  endforeach()
  string(REPLACE ";" "|" joined "${abs}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFILES=${joined} -P ${DG_EMBED_SCRIPT}
    DEPENDS ${abs} ${DG_EMBED_SCRIPT}
    COMMENT "embedding ${ARGN}"
    VERBATIM)
endfunction()
