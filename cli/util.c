// util.c: the command's shared helpers: errors, option parsing, logging, JSON, progress.
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "demogym/bc.h"

int cli_usage_error(const char* sub, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "demogym %s: ", sub);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (see 'demogym %s --help')\n", sub);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_error(int code, const char* sub, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "demogym %s: ", sub);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return code;
}

int cli_exit_for(int status) {
  switch (status) {
    case DG_OK: return EXIT_OK;
    case DG_ERR_INVALID:
    case DG_ERR_NOTFOUND:
    case DG_ERR_FORMAT: return EXIT_USAGE;
    case DG_ERR_INTERRUPTED: return EXIT_INTERRUPTED;
    default: return EXIT_RESULT_FAILED;
  }
}

int cli_parse_int(const char* sub, const char* flag, const char* text, long lo, long hi,
                  long* out) {
  char* end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < lo || v > hi) {
    cli_usage_error(sub, "%s expects an integer in [%ld, %ld], got '%s'", flag, lo, hi, text);
    return -1;
  }
  *out = v;
  return 0;
}

int cli_parse_double(const char* sub, const char* flag, const char* text, double lo, double hi,
                     double* out) {
  char* end;
  double v = strtod(text, &end);
  if (end == text || *end || !(v >= lo && v <= hi)) {
    cli_usage_error(sub, "%s expects a number in [%g, %g], got '%s'", flag, lo, hi, text);
    return -1;
  }
  *out = v;
  return 0;
}

int cli_parse_seed(const char* sub, const char* text, uint64_t* out) {
  char* end;
  errno = 0;
  if (text[0] == '-') {
    cli_usage_error(sub, "--seed expects a non-negative integer, got '%s'", text);
    return -1;
  }
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || *end) {
    cli_usage_error(sub, "--seed expects a non-negative integer, got '%s'", text);
    return -1;
  }
  *out = (uint64_t)v;
  return 0;
}

static void log_to_stderr(void* user, int level, const char* msg) {
  static const char* names[] = {"debug", "info", "warning", "error"};
  fprintf(stderr, "demogym: %s: %s\n", names[level < 0 ? 0 : level > 3 ? 3 : level], msg);
}

void cli_install_logger(int verbose) {
  int level = verbose ? DG_LOG_DEBUG : DG_LOG_WARN;
  const char* env = getenv("DEMOGYM_LOG");
  if (env) {
    if (!strcasecmp(env, "debug")) level = DG_LOG_DEBUG;
    else if (!strcasecmp(env, "info")) level = DG_LOG_INFO;
    else if (!strcasecmp(env, "warn") || !strcasecmp(env, "warning")) level = DG_LOG_WARN;
    else if (!strcasecmp(env, "error")) level = DG_LOG_ERROR;
  }
  dg_log_set(log_to_stderr, NULL, level);
}

static volatile int stop_flag = 0;

static void on_sigint(int sig) {
  if (stop_flag) _exit(EXIT_INTERRUPTED);
  stop_flag = 1;
}

void cli_install_interrupt(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

volatile int* cli_stop_flag(void) { return &stop_flag; }

void cli_print_json(cJSON* obj) {
  char* text = cJSON_Print(obj);
  if (text) {
    fputs(text, stdout);
    fputc('\n', stdout);
    free(text);
  }
  fflush(stdout);
  cJSON_Delete(obj);
}

int cli_want_progress(const cli_common* common) { return !common->quiet && isatty(2); }

void cli_progress(const char* label, long done, long total) {
  const int width = 30;
  int filled = total > 0 ? (int)(width * done / total) : 0;
  char bar[64];
  for (int i = 0; i < width; i++) bar[i] = i < filled ? '#' : ' ';
  bar[width] = 0;
  fprintf(stderr, "\r%s [%s] %ld/%ld", label, bar, done, total);
  fflush(stderr);
}

void cli_progress_end(void) {
  fputc('\n', stderr);
  fflush(stderr);
}

int cli_make_policy(const char* spec, const char* env_id, dg_policy** out) {
  if (strcmp(spec, "expert") == 0) return dg_policy_make_expert(env_id, out);
  // a file is a checkpoint (demogym train), refused when trained in another env
  if (access(spec, F_OK) == 0) return dg_bc_policy_load(spec, env_id, out);
  dg_set_last_errmsg("unknown policy '%s': use 'expert' or a checkpoint file", spec);
  return DG_ERR_NOTFOUND;
}
