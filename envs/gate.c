// gate.c: the gate policy: each act is answered by the learner or by the supervisor, as set by
// dg_gate_set (the viewer's Tab key), by a rule consulted before every act, or by a judge that
// sees both policies' proposals (DAgger's mixture, HG-DAgger's safe-set rule).
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
  dg_gate_judge judge;    // judge.choose NULL: none
  int both;               // the last act asked both policies (proposals below are valid)
  int act_dim;            // size of the proposals
  double learner_action[DG_MAX_ACT_DIM];     // the learner's proposal at the last act
  double supervisor_action[DG_MAX_ACT_DIM];  // the supervisor's proposal at the last act
  dg_gate_stats stats;
} gate;

static int gate_reset(void* self, uint64_t seed, char* err, size_t errsz) {
  gate* g = self;
  g->actor = DG_GATE_LEARNER;
  g->last = -1;
  g->both = 0;
  int rc = dg_policy_reset(g->learner, seed);
  if (rc == DG_OK) rc = dg_policy_reset(g->supervisor, seed);
  if (rc) dg_strlcpy(err, dg_last_errmsg(), errsz);
  if (rc == DG_OK && g->judge.choose && g->judge.reset) g->judge.reset(g->judge.user, seed);
  return rc;
}

// count an act answered by the actor in control
static void count_act(gate* g) {
  g->last = g->actor;
  if (g->actor == DG_GATE_SUPERVISOR) {
    g->stats.supervisor_steps++;
  } else {
    g->stats.learner_steps++;
  }
}

// with a judge: ask both policies, learner first, and return the chosen one's proposal
static int judged_act(gate* g, const double* obs, const dg_env* env, double* action, char* err,
                      size_t errsz) {
  int n = dg_env_act_dim(env);
  g->both = 0;
  if (n > DG_MAX_ACT_DIM)
    return dg_fail(err, errsz, DG_ERR_INVALID, "the gate handles at most %d action components, "
                   "env %s has %d", DG_MAX_ACT_DIM, dg_env_id(env), n);
  dg_policy* ask[2] = {g->learner, g->supervisor};
  double* into[2] = {g->learner_action, g->supervisor_action};
  for (int i = 0; i < 2; i++) {
    int rc = dg_policy_act(ask[i], obs, env, into[i]);
    if (rc) {
      snprintf(err, errsz, "%s: %s", dg_policy_name(ask[i]), dg_last_errmsg());
      return rc;
    }
  }
  int want = g->judge.choose(g->judge.user, obs, env, g->actor, g->learner_action,
                             g->supervisor_action, n);
  if (want != DG_GATE_LEARNER && want != DG_GATE_SUPERVISOR) {
    snprintf(err, errsz, "the gate's judge returned %d, not an actor", want);
    return DG_ERR_INVALID;
  }
  if (want == DG_GATE_SUPERVISOR && g->actor == DG_GATE_LEARNER) g->stats.interventions++;
  g->actor = want;
  g->act_dim = n;
  g->both = 1;
  memcpy(action, want == DG_GATE_SUPERVISOR ? g->supervisor_action : g->learner_action,
         sizeof(double) * (size_t)n);
  count_act(g);
  return DG_OK;
}

static int gate_act(void* self, const double* obs, const dg_env* env, double* action, char* err,
                    size_t errsz) {
  gate* g = self;
  if (g->judge.choose) return judged_act(g, obs, env, action, err, errsz);
  g->both = 0;
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
  count_act(g);
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

int dg_gate_set_judge(dg_policy* policy, const dg_gate_judge* judge) {
  gate* g = as_gate(policy);
  if (!g) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_set_judge: not a gate");
  if (judge && !judge->choose)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_set_judge: the judge has no choose function");
  memset(&g->judge, 0, sizeof(g->judge));
  if (judge) g->judge = *judge;
  g->both = 0;
  return DG_OK;
}

int dg_gate_last_actions(const dg_policy* policy, double* learner_action,
                         double* supervisor_action) {
  gate* g = as_gate(policy);
  if (!g) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_gate_last_actions: not a gate");
  if (!g->both)
    return dg_fail(NULL, 0, DG_ERR_STATE, "the gate's last act did not ask both policies (no "
                   "judge set, or no act yet)");
  if (learner_action) memcpy(learner_action, g->learner_action, sizeof(double) * g->act_dim);
  if (supervisor_action)
    memcpy(supervisor_action, g->supervisor_action, sizeof(double) * g->act_dim);
  return DG_OK;
}
