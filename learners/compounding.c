// compounding.c: compounding errors made visible: a learner and the expert rolled out from the
// same seeds; per time step, how far their states drift apart, and the learner's action error
// against the expert's label on its own states versus on the expert's states.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/dagger.h"
#include "demogym/rollout.h"
#include "envs/internal.h"

void dg_compounding_options_default(dg_compounding_options* o) {
  memset(o, 0, sizeof(*o));
  o->episodes = 20;
  o->seed = 0;
  o->horizon = 0;
  o->object_key = NULL;
}

void dg_compounding_curve_free(dg_compounding_curve* c) {
  if (!c) return;
  free(c->alive);
  free(c->eef_dist);
  free(c->obj_dist);
  free(c->err_own);
  free(c->err_expert);
  free(c->n_own);
  free(c->n_expert);
  memset(c, 0, sizeof(*c));
}

// one rollout of one episode, step by step
typedef struct trace {
  int T;        // horizon
  int len;      // steps taken
  int success;  // success state at the end
  double* eef;  // (T x 3) before each step; after the end, the last state
  double* obj;  // (T x 3) nullable
  double* err;  // (T) |learner - expert| proposal at each step taken
  double last_eef[3], last_obj[3];
} trace;

typedef struct tracer {
  trace* tr;
  dg_policy* gate;
  int eef_off;  // offset of eef_pos in the observation
  int obj_off;  // offset of the object's position (-1: none)
  int ad;
  double la[DG_MAX_ACT_DIM], ea[DG_MAX_ACT_DIM];
} tracer;

static int tr_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  tracer* t = user;
  t->tr->len = 0;
  t->tr->success = 0;
  return DG_OK;
}

static int tr_before(void* user, dg_env* env, const double* obs, const double* action) {
  tracer* t = user;
  trace* tr = t->tr;
  if (tr->len >= tr->T) return DG_OK;
  int rc = dg_gate_last_actions(t->gate, t->la, t->ea);
  if (rc) return rc;
  double s = 0;
  for (int i = 0; i < t->ad; i++) s += (t->la[i] - t->ea[i]) * (t->la[i] - t->ea[i]);
  tr->err[tr->len] = sqrt(s);
  memcpy(tr->eef + 3 * (size_t)tr->len, obs + t->eef_off, sizeof(double) * 3);
  if (tr->obj) memcpy(tr->obj + 3 * (size_t)tr->len, obs + t->obj_off, sizeof(double) * 3);
  return DG_OK;
}

static int tr_after(void* user, dg_env* env, const double* obs, const double* action,
                    const double* next_obs, const dg_step_result* res) {
  tracer* t = user;
  trace* tr = t->tr;
  tr->len++;
  tr->success = res->info.success;
  memcpy(tr->last_eef, next_obs + t->eef_off, sizeof(double) * 3);
  if (tr->obj) memcpy(tr->last_obj, next_obs + t->obj_off, sizeof(double) * 3);
  return DG_OK;
}

// fill the steps after an early end with the last state
static void tr_pad(trace* tr) {
  for (int s = tr->len; s < tr->T; s++) {
    memcpy(tr->eef + 3 * (size_t)s, tr->last_eef, sizeof(double) * 3);
    if (tr->obj) memcpy(tr->obj + 3 * (size_t)s, tr->last_obj, sizeof(double) * 3);
  }
}

// a judge that always picks one actor (the rollout's), while the gate still asks both
static int pick_learner(void* u, const double* o, const dg_env* e, int c, const double* a,
                        const double* b, int n) {
  return DG_GATE_LEARNER;
}
static int pick_expert(void* u, const double* o, const dg_env* e, int c, const double* a,
                       const double* b, int n) {
  return DG_GATE_SUPERVISOR;
}

// the offset of key `name` in env's observation (size 3), or -1
static int key_offset(const dg_env* env, const char* name) {
  for (int i = 0; i < dg_env_obs_key_count(env); i++) {
    const dg_obs_key* k = dg_env_obs_key(env, i);
    if (strcmp(k->name, name) == 0) return k->size == 3 ? k->offset : -2;
  }
  return -1;
}

// the default object: the first "*_pos" key other than eef_pos and target_pos
static const char* default_object(const dg_env* env) {
  for (int i = 0; i < dg_env_obs_key_count(env); i++) {
    const dg_obs_key* k = dg_env_obs_key(env, i);
    size_t n = strlen(k->name);
    if (n > 4 && strcmp(k->name + n - 4, "_pos") == 0 && strcmp(k->name, "eef_pos") != 0 &&
        strcmp(k->name, "target_pos") != 0 && k->size == 3)
      return k->name;
  }
  return NULL;
}

static int alloc_curve(dg_compounding_curve* c, int T, int with_obj) {
  size_t n = (size_t)T;
  c->horizon = T;
  c->alive = calloc(n, sizeof(int));
  c->n_own = calloc(n, sizeof(int));
  c->n_expert = calloc(n, sizeof(int));
  c->eef_dist = calloc(n, sizeof(double));
  c->err_own = calloc(n, sizeof(double));
  c->err_expert = calloc(n, sizeof(double));
  c->obj_dist = with_obj ? calloc(n, sizeof(double)) : NULL;
  if (!c->alive || !c->n_own || !c->n_expert || !c->eef_dist || !c->err_own || !c->err_expert ||
      (with_obj && !c->obj_dist))
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for compounding-error curves");
  return DG_OK;
}

static int alloc_trace(trace* t, int T, int with_obj) {
  t->T = T;
  t->eef = malloc(sizeof(double) * 3 * (size_t)T);
  t->obj = with_obj ? malloc(sizeof(double) * 3 * (size_t)T) : NULL;
  t->err = malloc(sizeof(double) * (size_t)T);
  if (!t->eef || !t->err || (with_obj && !t->obj))
    return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for compounding-error curves");
  return DG_OK;
}

static double dist3(const double* a, const double* b) {
  double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return sqrt(dx * dx + dy * dy + dz * dz);
}

int dg_compounding_run(const char* env_id, dg_policy* learner, const dg_compounding_options* opt,
                       dg_compounding_curve* out) {
  if (!env_id || !learner || !out)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_compounding_run: NULL argument");
  memset(out, 0, sizeof(*out));
  dg_compounding_options defaults;
  dg_compounding_options_default(&defaults);
  if (!opt) opt = &defaults;
  if (opt->episodes < 1 || opt->horizon < 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "compounding errors: need episodes >= 1 and "
                   "horizon >= 0 (got %d, %d)",
                   opt->episodes, opt->horizon);

  // episodes end as in evaluation (success or failure); an ended rollout keeps its last state,
  // since states after a success never occur in the data a learner is trained on
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = opt->horizon;
  dg_env* env = NULL;
  dg_policy *expert = NULL, *gate = NULL;
  trace tr[2];
  memset(tr, 0, sizeof(tr));
  int rc = dg_env_make(env_id, &eo, &env);
  if (!rc) rc = dg_policy_make_expert(env_id, &expert);
  if (!rc) rc = dg_gate_make(learner, expert, &gate);
  if (rc) goto done;
  int T = dg_env_max_episode_steps(env), eef = key_offset(env, "eef_pos"), obj = -1;
  const char* obj_name = opt->object_key ? opt->object_key : default_object(env);
  if (obj_name) obj = key_offset(env, obj_name);
  if (T < 1 || eef < 0 || (obj_name && obj < 0)) {
    rc = dg_fail(NULL, 0, DG_ERR_INVALID,
                 "compounding errors in %s need a time limit and 3-vector observation keys "
                 "eef_pos%s%s",
                 env_id, obj_name ? " and " : "", obj_name ? obj_name : "");
    goto done;
  }
  if (obj_name) dg_strlcpy(out->object_key, obj_name, sizeof(out->object_key));
  int with_obj = obj >= 0;
  if ((rc = alloc_curve(out, T, with_obj)) || (rc = alloc_trace(&tr[0], T, with_obj)) ||
      (rc = alloc_trace(&tr[1], T, with_obj)))
    goto done;
  out->episodes = opt->episodes;

  // per episode: the learner's rollout (tr[0]), then the expert's (tr[1]), from the same seeds
  tracer tc = {NULL, gate, eef, obj, dg_env_act_dim(env), {0}, {0}};
  dg_tap tap = {&tc, tr_begin, tr_before, tr_after, NULL};
  dg_gate_judge judges[2] = {{NULL, NULL, pick_learner}, {NULL, NULL, pick_expert}};
  int successes[2] = {0, 0};
  for (int e = 0; e < opt->episodes && !rc; e++) {
    for (int who = 0; who < 2 && !rc; who++) {
      tc.tr = &tr[who];
      dg_rollout_options ro;
      dg_rollout_options_default(&ro);
      ro.episodes = 1;
      ro.first_episode = e;
      ro.seed = opt->seed;
      ro.taps = &tap;
      ro.ntaps = 1;
      ro.stop = opt->stop;
      rc = dg_gate_set_judge(gate, &judges[who]);
      if (!rc) rc = dg_rollout_run(env, gate, &ro, NULL, NULL);
      if (!rc) {
        tr_pad(&tr[who]);
        successes[who] += tr[who].success;
      }
    }
    if (rc) break;
    // accumulate sums; means are taken below
    for (int t = 0; t < T; t++) {
      out->eef_dist[t] += dist3(tr[0].eef + 3 * t, tr[1].eef + 3 * t);
      if (with_obj) out->obj_dist[t] += dist3(tr[0].obj + 3 * t, tr[1].obj + 3 * t);
      if (t < tr[0].len && t < tr[1].len) out->alive[t]++;
      if (t < tr[0].len) out->err_own[t] += tr[0].err[t], out->n_own[t]++;
      if (t < tr[1].len) out->err_expert[t] += tr[1].err[t], out->n_expert[t]++;
    }
  }
  if (!rc) {
    for (int t = 0; t < T; t++) {
      out->eef_dist[t] /= opt->episodes;
      if (with_obj) out->obj_dist[t] /= opt->episodes;
      out->err_own[t] = out->n_own[t] ? out->err_own[t] / out->n_own[t] : NAN;
      out->err_expert[t] = out->n_expert[t] ? out->err_expert[t] / out->n_expert[t] : NAN;
    }
    out->learner_success = (double)successes[0] / opt->episodes;
    out->expert_success = (double)successes[1] / opt->episodes;
  }

done:
  for (int i = 0; i < 2; i++) {
    free(tr[i].eef);
    free(tr[i].obj);
    free(tr[i].err);
  }
  if (rc) dg_compounding_curve_free(out);
  dg_policy_close(&gate);
  dg_policy_close(&expert);
  dg_env_close(&env);
  return rc;
}
