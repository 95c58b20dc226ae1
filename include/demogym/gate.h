// demogym/gate.h: a gate decides, step by step, who acts: the learner or a supervisor (a person at
// the viewer's keyboard, or the scripted expert). HG-DAgger lets the person take over when the
// learner errs and hand back when it is safe; the viewer's Tab key switches the gate.
//
// A gate is itself a policy (plug it into the rollout driver like any other): its act asks the
// policy in control. Who acted last is readable after each act, so a tap can keep only the
// supervisor's steps (HG-DAgger's aggregated data) or count interventions.
#ifndef DEMOGYM_GATE_H
#define DEMOGYM_GATE_H

#include "common.h"
#include "env.h"
#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

// Who acts.
typedef enum dg_gate_actor {
  DG_GATE_LEARNER = 0,    // the learner's policy
  DG_GATE_SUPERVISOR = 1  // the supervisor's: a person (teleoperation) or the expert
} dg_gate_actor;

// A rule consulted before every act, to switch automatically (e.g. hand control to the expert
// when the learner strays): return the actor who should act now, given the one in control.
typedef int (*dg_gate_rule)(void* user, const double* obs, const dg_env* env, int current);

// What a gate has counted since it was made.
typedef struct dg_gate_stats {
  long learner_steps;     // acts answered by the learner
  long supervisor_steps;  // acts answered by the supervisor
  long interventions;     // switches from learner to supervisor
} dg_gate_stats;

// Make a gate over learner and supervisor, which it borrows (both must outlive the gate and act
// in the same env). Its label (dg_policy_label) is the action it returned. Its reset resets both
// policies with the same seed and gives control back to the learner.
DG_API int dg_gate_make(dg_policy* learner, dg_policy* supervisor, dg_policy** out);

// Hand control to actor (a dg_gate_actor) from the next act on. Fails with DG_ERR_INVALID when
// gate is not a gate or actor is unknown.
DG_API int dg_gate_set(dg_policy* gate, int actor);

// Hand control to the other actor; return the actor now in control (-1 if gate is not a gate).
DG_API int dg_gate_toggle(dg_policy* gate);

// Return the actor in control now (-1 if gate is not a gate).
DG_API int dg_gate_actor_now(const dg_policy* gate);

// Return the actor whose action the last act returned (-1 before the first act or if not a gate).
DG_API int dg_gate_last_actor(const dg_policy* gate);

// Consult rule before every act (NULL: switch only by dg_gate_set / the viewer's key).
DG_API int dg_gate_set_rule(dg_policy* gate, dg_gate_rule rule, void* user);

// Write the gate's counts into out.
DG_API int dg_gate_get_stats(const dg_policy* gate, dg_gate_stats* out);

// A judge that sees both proposals: with one set, every act asks the learner, then the
// supervisor, for an action (act_dim x 1 each) and returns the one of the actor that choose
// names. DAgger's mixture (a seeded coin per step) and HG-DAgger's safe-set rule are judges;
// both proposals stay readable (dg_gate_last_actions) for labelling and for error curves.
typedef struct dg_gate_judge {
  void* user;  // passed to both callbacks
  // Start an episode: called by the gate's reset with its seed (to reseed a generator). Nullable.
  void (*reset)(void* user, uint64_t seed);
  // Return the actor (dg_gate_actor) whose action is returned now, given the one in control.
  int (*choose)(void* user, const double* obs, const dg_env* env, int current,
                const double* learner_action, const double* supervisor_action, int act_dim);
} dg_gate_judge;

// Consult judge (copied) at every act instead of the rule; NULL removes it. While a judge is
// set, both policies act at every step, learner first.
DG_API int dg_gate_set_judge(dg_policy* gate, const dg_gate_judge* judge);

// Write the actions the learner and the supervisor proposed at the last act (act_dim x 1 each;
// the supervisor's is the label HG-DAgger and DAgger aggregate). Fails with DG_ERR_STATE when
// the last act did not ask both (no judge set, or no act yet). Nullable: learner_action,
// supervisor_action.
DG_API int dg_gate_last_actions(const dg_policy* gate, double* learner_action,
                                double* supervisor_action);

// Return 1 when policy is a gate.
DG_API int dg_gate_is(const dg_policy* policy);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_GATE_H
