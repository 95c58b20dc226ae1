// demogym/common.h: status codes, error messages, logging and version, shared by every module.
#ifndef DEMOGYM_COMMON_H
#define DEMOGYM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(DG_BUILDING_LIBRARY)
#define DG_API __attribute__((visibility("default")))
#else
#define DG_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define DG_VERSION_MAJOR 0
#define DG_VERSION_MINOR 1
#define DG_VERSION_PATCH 0
#define DG_VERSION_STRING "0.1.0"

// Status codes returned by every fallible call; 0 is success.
typedef enum dg_status {
  DG_OK = 0,
  DG_ERR_INVALID = 1,      // bad argument or input (NaN action, wrong size, bad option)
  DG_ERR_NOMEM = 2,        // allocation failed
  DG_ERR_NOTFOUND = 3,     // unknown id, key, camera or file
  DG_ERR_STATE = 4,        // call not allowed now (step before reset, step after the episode ended)
  DG_ERR_MUJOCO = 5,       // MuJoCo reported an error (model compilation, simulation)
  DG_ERR_IO = 6,           // reading or writing a file failed
  DG_ERR_FORMAT = 7,       // a file is corrupt, truncated, or of an unsupported format version
  DG_ERR_UNSUPPORTED = 8,  // not available in this build or on this machine
  DG_ERR_RENDER = 9,       // no OpenGL context could be made, or rendering failed
  DG_ERR_INTERRUPTED = 10  // stopped on request (Ctrl-C)
} dg_status;

// Return fixed text for a status code ("invalid argument", ...); never NULL.
DG_API const char* dg_strerror(int status);

// Return the detailed message of the last failed demogym call in this thread ("" if none).
// Constructors that fail without a handle report here; handles also keep their own message.
DG_API const char* dg_last_errmsg(void);

// Log levels, in increasing severity.
typedef enum dg_log_level {
  DG_LOG_DEBUG = 0,
  DG_LOG_INFO = 1,
  DG_LOG_WARN = 2,
  DG_LOG_ERROR = 3
} dg_log_level;

// A logging callback: receives every message at or above the configured level.
typedef void (*dg_log_fn)(void* user, int level, const char* msg);

// Route the library's messages to fn (NULL: silence, the default). Process-wide; set it once
// before making handles. The library prints nothing except through this callback.
DG_API void dg_log_set(dg_log_fn fn, void* user, int min_level);

// Return the library version as "MAJOR.MINOR.PATCH".
DG_API const char* dg_version(void);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_COMMON_H
