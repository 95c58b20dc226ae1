# cli/sources.cmake: the demogym command's sources (one file per subcommand).
list(APPEND DG_CLI_SOURCES
  cli/main.c
  cli/util.c
  cli/scale.c
  cli/cmd_list.c
  cli/cmd_info.c
  cli/cmd_eval.c
  cli/cmd_train.c
  cli/cmd_snapshot.c
  cli/cmd_render.c
  cli/cmd_view.c
  cli/cmd_teleop.c
  cli/replay_video.c
  cli/cmd_record.c
  cli/cmd_inspect.c
  cli/cmd_validate.c
  cli/cmd_replay.c
  cli/cmd_split.c
  cli/cmd_merge.c
  cli/cmd_dataset.c
  cli/cmd_dagger.c
  cli/cmd_compounding.c
  cli/dagger_plot.c
)
