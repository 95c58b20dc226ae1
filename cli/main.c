// main.c: the `demogym` command: dispatches to one subcommand per file (see shared/CLI.md).
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_list(int argc, char** argv);
int cmd_info(int argc, char** argv);
int cmd_eval(int argc, char** argv);
int cmd_train(int argc, char** argv);
int cmd_snapshot(int argc, char** argv);
int cmd_render(int argc, char** argv);
int cmd_view(int argc, char** argv);
int cmd_teleop(int argc, char** argv);
int cmd_record(int argc, char** argv);
int cmd_inspect(int argc, char** argv);
int cmd_validate(int argc, char** argv);
int cmd_replay(int argc, char** argv);
int cmd_split(int argc, char** argv);
int cmd_merge(int argc, char** argv);
int cmd_dataset(int argc, char** argv);
int cmd_dagger(int argc, char** argv);
int cmd_compounding(int argc, char** argv);

static const cli_command commands[] = {
    {"list", "list the registered envs", cmd_list},
    {"info", "show one env's spaces, observation keys and timing", cmd_info},
    {"eval", "roll out a policy and report its success rate", cmd_eval},
    {"train", "behaviour cloning: train a policy on a dataset", cmd_train},
    {"snapshot", "render one frame of an env to a PNG file", cmd_snapshot},
    {"render", "roll out policies from the same seed, side by side in a video", cmd_render},
    {"view", "watch a policy in a window; take over with the keyboard", cmd_view},
    {"teleop", "drive the arm with the keyboard and record the episodes", cmd_teleop},
    {"record", "record expert demonstrations to an HDF5 dataset", cmd_record},
    {"inspect", "summarise a demo dataset", cmd_inspect},
    {"validate", "check a dataset's layout and invariants", cmd_validate},
    {"replay", "replay a dataset's actions from its stored states", cmd_replay},
    {"split", "write train/valid masks into a dataset", cmd_split},
    {"merge", "merge datasets of one env into a new file", cmd_merge},
    {"dataset", "list and rebuild benchmark datasets from their cards", cmd_dataset},
    {"dagger", "DAgger / HG-DAgger (--gated) with the expert as the oracle", cmd_dagger},
    {"compounding", "per-step drift and action error of policies against the expert", cmd_compounding},
};

static void print_help(FILE* f) {
  fprintf(f,
          "demogym %s: imitation learning in MuJoCo\n\n"
          "usage: demogym SUBCOMMAND [args]   (demogym SUBCOMMAND --help for its options)\n\n"
          "subcommands:\n",
          dg_version());
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
  fprintf(f,
          "\ncommon flags: --json (one JSON object on stdout), -v (debug logs), -q (no progress)\n"
          "exit status: 0 success, 1 the command ran but its result is a failure, 2 bad usage "
          "or input\n");
}

int main(int argc, char** argv) {
  if (argc < 2) {
    print_help(stderr);
    return EXIT_USAGE;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    print_help(stdout);
    return EXIT_OK;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("demogym %s\n", dg_version());
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "demogym: unknown subcommand '%s' (see 'demogym --help')\n", argv[1]);
  return EXIT_USAGE;
}
