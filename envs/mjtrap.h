// mjtrap.h: turns MuJoCo's process-ending errors into status codes, and its warnings into logs.
//
// MuJoCo 2.2 reports errors through the global hook mju_user_error and, without one, prints and
// exits. We install, once per process, a hook that jumps back to the innermost trap armed in the
// calling thread. Every call into MuJoCo that may raise an error runs inside a trap:
//
//   dg_mjtrap trap;
//   if (DG_MJTRAP_ENTER(&trap)) {
//     mj_step(m, d);
//     dg_mjtrap_leave(&trap);
//   } else {
//     ... trap.msg holds MuJoCo's message; the trap is already left ...
//   }
#ifndef DEMOGYM_MJTRAP_H
#define DEMOGYM_MJTRAP_H

#include <setjmp.h>

typedef struct dg_mjtrap {
  jmp_buf jb;
  char msg[512];            // MuJoCo's error message, after a jump
  struct dg_mjtrap* prev;   // the trap armed before this one in this thread
} dg_mjtrap;

// Install the error and warning hooks (idempotent, thread-safe).
void dg_mjtrap_install(void);

// Arm trap as this thread's innermost; internal, use DG_MJTRAP_ENTER.
void dg_mjtrap_push(dg_mjtrap* trap);

// Disarm trap (the innermost) after the guarded calls returned normally.
void dg_mjtrap_leave(dg_mjtrap* trap);

// Arm trap and return nonzero; on a MuJoCo error, control comes back here returning zero.
#define DG_MJTRAP_ENTER(trap) (dg_mjtrap_push(trap), setjmp((trap)->jb) == 0)

#endif  // DEMOGYM_MJTRAP_H
