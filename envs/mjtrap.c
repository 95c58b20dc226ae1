// mjtrap.c: MuJoCo's error hook (jump to the caller's trap) and warning hook (to the logger).
#include <pthread.h>
#include <string.h>

#include <mujoco/mujoco.h>

#include "internal.h"
#include "mjtrap.h"

static _Thread_local dg_mjtrap* current_trap = NULL;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void on_mj_error(const char* msg) {
  dg_mjtrap* trap = current_trap;
  if (trap) {
    current_trap = trap->prev;
    dg_strlcpy(trap->msg, msg, sizeof(trap->msg));
    longjmp(trap->jb, 1);
  }
  // no trap armed: a library bug; report it rather than exit the caller's process
  dg_logf(DG_LOG_ERROR, "MuJoCo error outside a trap: %s", msg);
  dg_fail(NULL, 0, DG_ERR_MUJOCO, "MuJoCo error: %s", msg);
}

static void on_mj_warning(const char* msg) { dg_logf(DG_LOG_WARN, "MuJoCo warning: %s", msg); }

static void install(void) {
  mju_user_error = on_mj_error;
  mju_user_warning = on_mj_warning;
}

void dg_mjtrap_install(void) { pthread_once(&install_once, install); }

void dg_mjtrap_push(dg_mjtrap* trap) {
  dg_mjtrap_install();
  trap->msg[0] = 0;
  trap->prev = current_trap;
  current_trap = trap;
}

void dg_mjtrap_leave(dg_mjtrap* trap) {
  if (current_trap == trap) current_trap = trap->prev;
}
