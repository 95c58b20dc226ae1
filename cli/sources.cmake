# cli/sources.cmake: the demogym command's sources (one file per subcommand).
list(APPEND DG_CLI_SOURCES
  cli/main.c
  cli/util.c
  cli/cmd_list.c
  cli/cmd_info.c
  cli/cmd_eval.c
  cli/cmd_snapshot.c
)
