// internal.h: helpers shared inside the library: error reporting, logging, embedded assets.
#ifndef DEMOGYM_INTERNAL_H
#define DEMOGYM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>

#include "demogym/common.h"

// Format a message into buf (bufsz bytes; nullable) and this thread's last message; return code.
int dg_fail(char* buf, size_t bufsz, int code, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Copy msg into this thread's last message (and buf when not NULL); return code.
int dg_fail_msg(char* buf, size_t bufsz, int code, const char* msg);

// Log a formatted message through the configured callback.
void dg_logf(int level, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Return 1 when messages at level reach a callback (to skip formatting otherwise).
int dg_log_enabled(int level);

// Return the embedded file called name (NUL-terminated) and its size; NULL if unknown.
const char* dg_asset_find(const char* name, size_t* size);

// Return the name of the i-th embedded file, NULL past the end.
const char* dg_asset_name(int i);

// Copy src into dst (dstsz bytes), always NUL-terminating; return dst.
char* dg_strlcpy(char* dst, const char* src, size_t dstsz);

#define DG_ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif  // DEMOGYM_INTERNAL_H
