// gate.c: the gate policy: each act is answered by the learner or by the supervisor, as set by
// dg_gate_set (the viewer's Tab key) or by a rule consulted before every act.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/gate.h"
#include "internal.h"

#define GATE_MAGIC 0x67617465u  // "gate": marks the implementation state of a gate

typedef struct gate {
  unsigned magic;
  dg_policy* learner;     // borrowed
  dg_policy* supervisor;  // borrowed
  int actor;              // in control now
  int last;               // who answered the last act (-1: nobody yet)
  dg_gate_rule rule;      // nullable
  void* rule_user;
  dg_gate_stats stats;
} gate;

static int gate_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  gate* g = self;
  g->actor = DG_GATE_LEARNER;
  g->last = -1;
  int rc = dg_policy_reset(g->learner, seed);
  if (rc == DG_OK) rc = dg_policy_reset(g->supervisor, seed);
  if (rc) dg_strlcpy(err, dg_last_errmsg(), errsz);
  return rc;
}

static int gate_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                    size_t errsz) {
  gate* g = self;
  if (g->rule) {
    int want = g->rule(g->rule_user, obs, env, g->actor);
    if (want != DG_GATE_LEARNER && want != DG_GATE_SUPERVISOR) {
      snprintf(err, errsz, "the gate's rule returned %d, not an actor", want);
      return DG_ERR_INVALID;
    }
    if (want == DG_GATE_SUPERVISOR && g->actor == DG_GATE_LEARNER) g->stats.interventions++;
    g->actor = want;
  }
  dg_policy* p = g->actor == DG_GATE_SUPERVISOR ? g->supervisor : g->learner;
  int rc = dg_policy_act(p, obs, env, action);
  if (rc) {
    snprintf(err, errsz, "%s: %s", dg_policy_name(p), dg_last_errmsg());
    return rc;
  }
  g->last = g->actor;
  if (g->actor == DG_GATE_SUPERVISOR) {
    g->stats.supervisor_steps++;
  } else {
    g->stats.learner_steps++;
  }
  return DG_OK;
}

static void gate_destroy(void* self) {
  free(self);
}

static const dg_policy_impl gate_impl = {"gate", gate_reset, gate_act, gate_destroy};

// the gate behind policy, NULL if it is not one
static gate* as_gate(const dg_policy* policy) {
  if (!policy || strcmp(dg_policy_kind(policy), "gate") != 0) return NULL;
  gate* g = dg_policy_self(policy);
  return g && g->magic == GATE_MAGIC ? g : NULL;
}

int dg_gate_make(dg_policy* learner, dg_policy* supervisor, dg_policy** out) {
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_make: out is NULL");
  *out = NULL;
  if (!learner || !supervisor)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_make: learner or supervisor is NULL");
  gate* g = calloc(1, sizeof(gate));
  if (!g) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making a gate");
  g->magic = GATE_MAGIC;
  g->learner = learner;
  g->supervisor = supervisor;
  g->actor = DG_GATE_LEARNER;
  g->last = -1;
  char name[300];
  snprintf(name, sizeof(name), "gate(%s|%s)", dg_policy_name(learner), dg_policy_name(supervisor));
  return dg_policy_create(&gate_impl, g, name, out);
}

int dg_gate_is(const dg_policy* policy) {
  return as_gate(policy) != NULL;
}

int dg_gate_set(dg_policy* policy, int actor) {
  gate* g = as_gate(policy);
  if (!g) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_set: not a gate");
  if (actor != DG_GATE_LEARNER && actor != DG_GATE_SUPERVISOR)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_set: unknown actor %d", actor);
  if (actor == DG_GATE_SUPERVISOR && g->actor == DG_GATE_LEARNER) g->stats.interventions++;
  g->actor = actor;
  return DG_OK;
}

int dg_gate_toggle(dg_policy* policy) {
  gate* g = as_gate(policy);
  if (!g) return -1;
  dg_gate_set(policy, g->actor == DG_GATE_LEARNER ? DG_GATE_SUPERVISOR : DG_GATE_LEARNER);
  return g->actor;
}

int dg_gate_actor_now(const dg_policy* policy) {
  gate* g = as_gate(policy);
  return g ? g->actor : -1;
}

int dg_gate_last_actor(const dg_policy* policy) {
  gate* g = as_gate(policy);
  return g ? g->last : -1;
}

int dg_gate_set_rule(dg_policy* policy, dg_gate_rule rule, void* user) {
  gate* g = as_gate(policy);
  if (!g) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_set_rule: not a gate");
  g->rule = rule;
  g->rule_user = user;
  return DG_OK;
}

int dg_gate_get_stats(const dg_policy* policy, dg_gate_stats* out) {
  gate* g = as_gate(policy);
  if (!g || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_get_stats: not a gate");
  *out = g->stats;
  return DG_OK;
}
