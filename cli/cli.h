// cli.h: what the `demogym` command's subcommands share: exit codes, options, output helpers.
#ifndef DEMOGYM_CLI_H
#define DEMOGYM_CLI_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "demogym/demogym.h"

// exit statuses promised by shared/CLI.md
#define EXIT_OK 0
#define EXIT_RESULT_FAILED 1  // the command ran, and its result is a failure
#define EXIT_USAGE 2          // bad usage or input
#define EXIT_INTERRUPTED 130  // stopped by Ctrl-C

// A subcommand: its name, one line of help, and its entry point (argv[0] is the name).
typedef struct cli_command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
} cli_command;

// Flags every subcommand accepts, parsed by cli_common_flag.
typedef struct cli_common {
  int json;     // --json: one JSON object on stdout, nothing else there
  int verbose;  // -v: debug logs on stderr
  int quiet;    // -q: no progress
} cli_common;

// Print one line "demogym SUB: message" on stderr (and a hint to --help); return EXIT_USAGE.
int cli_usage_error(const char* sub, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Print one line "demogym SUB: message" on stderr; return code.
int cli_error(int code, const char* sub, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Map a library status to the command's exit status (invalid input and not found -> 2, ...).
int cli_exit_for(int status);

// Parse an integer option value in [lo, hi]; return 0 on success, -1 (after a usage error).
int cli_parse_int(const char* sub, const char* flag, const char* text, long lo, long hi, long* out);

// Parse a number option value in [lo, hi] (NaN never is); return 0 on success, -1 (after a usage
// error).
int cli_parse_double(const char* sub, const char* flag, const char* text, double lo, double hi,
                     double* out);

// Parse an unsigned 64-bit seed; return 0 on success, -1 (after a usage error).
int cli_parse_seed(const char* sub, const char* text, uint64_t* out);

// Install the stderr logger (warnings by default, debug with verbose; DEMOGYM_LOG overrides).
void cli_install_logger(int verbose);

// Install a SIGINT handler that sets *cli_stop_flag(); a second Ctrl-C exits at once.
void cli_install_interrupt(void);

// The flag the SIGINT handler sets.
volatile int* cli_stop_flag(void);

// Print obj as the command's one JSON object on stdout and free it.
void cli_print_json(cJSON* obj);

// Return 1 when progress should be drawn (stderr is a terminal and not quiet).
int cli_want_progress(const cli_common* common);

// Draw a progress bar "label [####    ] done/total" on stderr (carriage return, no newline).
void cli_progress(const char* label, long done, long total);

// Finish a progress bar line.
void cli_progress_end(void);

// A video of replayed demos (cmd_replay's --video): where, and the frame size and camera.
typedef struct cli_video_args {
  const char* out;     // .mp4 or .gif
  int width, height;   // frame size (even for MP4)
  const char* camera;  // a model camera or "free"; NULL: the task's
} cli_video_args;

struct dg_dataset;
struct dg_replay_result;

// Replay demo (NULL: every demo) of ds like dg_dataset_replay, rendering the replayed states into
// a video, one demo after another, each labelled with its name (replay_video.c). Writes the
// replay's result and the number of frames. Returns a dg_status.
int cli_replay_video(struct dg_dataset* ds, const char* demo, const cli_video_args* args,
                     struct dg_replay_result* result, long* frames);

// Resolve a policy argument: "expert" (the env's scripted expert) or a checkpoint file made by
// `demogym train` (refused when trained in another env). Returns a dg_status.
int cli_make_policy(const char* spec, const char* env_id, dg_policy** out);

#endif  // DEMOGYM_CLI_H
