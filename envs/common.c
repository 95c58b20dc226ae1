// common.c: status texts, per-thread error messages, the logging callback, the version.
#include <stdio.h>
#include <string.h>

#include "demogym/rollout.h"
#include "internal.h"

static _Thread_local char last_errmsg[1024];

// the logging configuration is set once, before handles are made (documented in common.h)
static dg_log_fn log_fn = NULL;
static void* log_user = NULL;
static int log_level = DG_LOG_INFO;

const char* dg_strerror(int status) {
  switch (status) {
    case DG_OK: return "success";
    case DG_ERR_INVALID: return "invalid argument";
    case DG_ERR_NOMEM: return "out of memory";
    case DG_ERR_NOTFOUND: return "not found";
    case DG_ERR_STATE: return "call not allowed in the current state";
    case DG_ERR_MUJOCO: return "MuJoCo error";
    case DG_ERR_IO: return "input/output error";
    case DG_ERR_FORMAT: return "bad file format";
    case DG_ERR_UNSUPPORTED: return "not supported";
    case DG_ERR_RENDER: return "rendering error";
    case DG_ERR_INTERRUPTED: return "interrupted";
    default: return "unknown status";
  }
}

const char* dg_last_errmsg(void) { return last_errmsg; }

char* dg_strlcpy(char* dst, const char* src, size_t dstsz) {
  if (!dstsz) return dst;
  size_t n = strlen(src);
  if (n >= dstsz) n = dstsz - 1;
  memcpy(dst, src, n);
  dst[n] = 0;
  return dst;
}

int dg_fail_msg(char* buf, size_t bufsz, int code, const char* msg) {
  if (msg != last_errmsg) dg_strlcpy(last_errmsg, msg, sizeof(last_errmsg));
  if (buf && buf != msg) dg_strlcpy(buf, msg, bufsz);
  if (dg_log_enabled(DG_LOG_DEBUG)) dg_logf(DG_LOG_DEBUG, "error %d: %s", code, msg);
  return code;
}

int dg_fail(char* buf, size_t bufsz, int code, const char* fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return dg_fail_msg(buf, bufsz, code, msg);
}

void dg_set_last_errmsg(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_errmsg, sizeof(last_errmsg), fmt, ap);
  va_end(ap);
}

void dg_log_set(dg_log_fn fn, void* user, int min_level) {
  log_fn = fn;
  log_user = user;
  log_level = min_level;
}

int dg_log_enabled(int level) { return log_fn && level >= log_level; }

void dg_logf(int level, const char* fmt, ...) {
  if (!dg_log_enabled(level)) return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  log_fn(log_user, level, msg);
}

const char* dg_version(void) { return DG_VERSION_STRING; }
