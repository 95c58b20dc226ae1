// dagger.c: DAgger and HG-DAgger: beta schedules, the gate judges (DAgger's seeded mixture,
// HG-DAgger's safe-set rule with hysteresis) and the loop: demonstrations, rollouts labelled by the
// expert, aggregation through the recorder, retraining, evaluation, and the BC baseline trained
// on as many expert labels.
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dagger_internal.h"
#include "demogym/dataset.h"
#include "envs/internal.h"

// independent random streams of a run, derived from its seed
#define STREAM_ROLLOUT 0x64616767ULL    // iteration k's rollouts: dg_seed_derive(seed, this, k)
#define STREAM_TRAIN   0x747261696eULL  // iteration k's training seed
#define STREAM_MIX     0x6d6978ULL      // the mixture's per-episode coin, from the gate's seed

// --- beta schedules ------------------------------------------------------------------------------

int dg_beta_parse(const char* text, dg_beta* out) {
  if (!text || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_beta_parse: NULL argument");
  const char* expect = "expected indicator, exp:P (0 <= P <= 1) or linear:R (R > 0)";
  if (strcmp(text, "indicator") == 0) {
    *out = (dg_beta){DG_BETA_INDICATOR, 0.0};
    return DG_OK;
  }
  int kind = -1;
  const char* num = NULL;
  if (strncmp(text, "exp:", 4) == 0) kind = DG_BETA_EXP, num = text + 4;
  if (strncmp(text, "linear:", 7) == 0) kind = DG_BETA_LINEAR, num = text + 7;
  if (kind < 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "unknown beta schedule '%s': %s", text, expect);
  char* end;
  double v = strtod(num, &end);
  int ok = end != num && *end == 0 && isfinite(v);
  if (ok && kind == DG_BETA_EXP) ok = v >= 0 && v <= 1;
  if (ok && kind == DG_BETA_LINEAR) ok = v > 0;
  if (!ok) return dg_fail(NULL, 0, DG_ERR_INVALID, "bad beta schedule '%s': %s", text, expect);
  *out = (dg_beta){kind, v};
  return DG_OK;
}

double dg_beta_at(const dg_beta* b, int i) {
  if (i <= 0) return 1.0;
  switch (b->kind) {
    case DG_BETA_EXP:
      return pow(b->param, i);
    case DG_BETA_LINEAR: {
      double v = 1.0 - i / b->param;
      return v > 0 ? v : 0.0;
    }
    default:
      return 0.0;
  }
}

void dg_beta_format(const dg_beta* b, char* buf, size_t size) {
  if (b->kind == DG_BETA_EXP) {
    snprintf(buf, size, "exp:%g", b->param);
  } else if (b->kind == DG_BETA_LINEAR) {
    snprintf(buf, size, "linear:%g", b->param);
  } else {
    snprintf(buf, size, "indicator");
  }
}

// --- the mixture judge ---------------------------------------------------------------------------

static void mixture_reset(void* user, uint64_t seed) {
  dg_mixture* m = user;
  dg_rng_seed(&m->rng, dg_seed_derive(seed, STREAM_MIX, 0));
}

static int mixture_choose(void* user, const double* obs, const dg_env* env, int current,
                          const double* learner_action, const double* expert_action, int n) {
  dg_mixture* m = user;
  // one draw per step whatever beta is, so the stream does not depend on it
  return dg_rng_uniform(&m->rng) < m->beta ? DG_GATE_SUPERVISOR : DG_GATE_LEARNER;
}

void dg_mixture_init(dg_mixture* m, double beta, dg_gate_judge* judge) {
  m->beta = beta > 1 ? 1.0 : (beta > 0 ? beta : 0.0);
  dg_rng_seed(&m->rng, 0);
  if (judge) *judge = (dg_gate_judge){m, mixture_reset, mixture_choose};
}

// --- HG-DAgger's safe-set rule
// ---------------------------------------------------------------------

void dg_hg_options_default(dg_hg_options* o) {
  o->enter = 0.5;
  o->leave = 0.2;
  o->hold = 4;
  o->min_steps = 4;
}

static double disagreement(const double* a, const double* b, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
  return sqrt(s);
}

int dg_hg_rule_choose(dg_hg_rule* r, int current, const double* la, const double* ea, int n) {
  double d = disagreement(la, ea, n);
  r->last_disagreement = d;
  if (current != DG_GATE_SUPERVISOR) {
    // the learner drives until it strays out of the safe set
    if (d > r->opt.enter) {
      r->calm = 0;
      r->held = 1;
      return DG_GATE_SUPERVISOR;
    }
    return DG_GATE_LEARNER;
  }
  // the expert drives until the learner has agreed with it for `hold` steps in a row
  r->held++;
  r->calm = d < r->opt.leave ? r->calm + 1 : 0;
  if (r->calm >= r->opt.hold && r->held > r->opt.min_steps) return DG_GATE_LEARNER;
  return DG_GATE_SUPERVISOR;
}

static void hg_reset(void* user, uint64_t seed) {
  dg_hg_rule* r = user;
  r->calm = r->held = 0;
  r->last_disagreement = 0;
}

static int hg_choose(void* user, const double* obs, const dg_env* env, int current,
                     const double* la, const double* ea, int n) {
  return dg_hg_rule_choose(user, current, la, ea, n);
}

int dg_hg_rule_init(dg_hg_rule* r, const dg_hg_options* o, dg_gate_judge* judge) {
  if (!r) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_hg_rule_init: rule is NULL");
  dg_hg_options d;
  dg_hg_options_default(&d);
  if (!o) o = &d;
  if (!(o->leave >= 0 && o->leave <= o->enter && isfinite(o->enter)) || o->hold < 1 ||
      o->min_steps < 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "bad HG-DAgger rule: need 0 <= leave <= enter, hold >= 1, min_steps >= 0 (got "
                   "enter %g, leave %g, hold %d, min_steps %d)",
                   o->enter, o->leave, o->hold, o->min_steps);
  memset(r, 0, sizeof(*r));
  r->opt = *o;
  if (judge) *judge = (dg_gate_judge){r, hg_reset, hg_choose};
  return DG_OK;
}

// --- the loop
// --------------------------------------------------------------------------------------

void dg_dagger_options_default(dg_dagger_options* o, const char* cls) {
  memset(o, 0, sizeof(*o));
  o->init_episodes = 10;
  o->iterations = 5;
  o->episodes_per_iteration = 5;
  o->beta = (dg_beta){DG_BETA_INDICATOR, 0.0};
  dg_hg_options_default(&o->hg);
  o->workers = 1;
  o->eval_episodes = 50;
  o->eval_seed = 1000;
  o->max_idle_labels = -1;
  dg_bc_train_options_default(&o->train, cls);
}

// a run's shared pieces: one env and one expert per worker, paths
typedef struct run {
  const char* env_id;
  const dg_dagger_options* opt;
  int W;
  dg_env** envs;        // (W)
  dg_env** roll_envs;   // (W) the rollouts' envs: envs, or envs with rollout_steps as limit
  dg_policy** experts;  // (W)
  char data[1024];      // DIR/data.hdf5
  char pool[1024];      // DIR/bc_pool.hdf5
  char dir[1024];
  int pool_episodes;  // expert episodes in the pool that were recorded here, by index
  long pool_samples;
} run;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int path_join(char* out, size_t size, const char* dir, const char* name) {
  if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "path too long: %s/%s", dir, name);
  return DG_OK;
}

// DIR/<what>_<k>.h5
static int checkpoint_path(char* out, size_t size, const char* dir, const char* what, int k) {
  int n = snprintf(out, size, "%s/%s_%d.h5", dir, what, k);
  if (n < 0 || (size_t)n >= size)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "path too long in directory %s", dir);
  return DG_OK;
}

static int exists(const char* path) {
  struct stat st;
  return stat(path, &st) == 0;
}

// make dir (one level) if missing
static int make_dir(const char* dir) {
  if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
    struct stat st;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) return DG_OK;
    return dg_fail(NULL, 0, DG_ERR_IO, "%s exists and is not a directory", dir);
  }
  return dg_fail(NULL, 0, DG_ERR_IO, "cannot make directory %s: %s", dir, strerror(errno));
}

// the files a run writes in dir: refuse to touch an earlier run's unless overwrite, then remove
// them
static int claim_dir(run* r) {
  static const char* fixed[] = {"data.hdf5", "data.hdf5.shadow", "bc_pool.hdf5",
                                "bc_pool.hdf5.shadow"};
  if (!r->opt->overwrite && (exists(r->data) || exists(r->pool)))
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "%s already holds a DAgger run (data.hdf5); choose another directory, or "
                   "overwrite it (--overwrite)",
                   r->dir);
  if (!r->opt->overwrite) return DG_OK;
  char path[1400];
  for (int i = 0; i < DG_ARRAY_LEN(fixed); i++) {
    snprintf(path, sizeof(path), "%s/%s", r->dir, fixed[i]);
    if (unlink(path) != 0 && errno != ENOENT)
      return dg_fail(NULL, 0, DG_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
  }
  // checkpoints of an earlier, possibly longer, run
  DIR* d = opendir(r->dir);
  if (!d)
    return dg_fail(NULL, 0, DG_ERR_IO, "cannot read directory %s: %s", r->dir, strerror(errno));
  struct dirent* e;
  int rc = DG_OK;
  while ((e = readdir(d)) != NULL && !rc) {
    int k, len = 0;
    if ((sscanf(e->d_name, "iter_%d.h5%n", &k, &len) == 1 ||
         sscanf(e->d_name, "bc_%d.h5%n", &k, &len) == 1) &&
        len > 0 && e->d_name[len] == 0) {
      snprintf(path, sizeof(path), "%s/%s", r->dir, e->d_name);
      if (unlink(path) != 0 && errno != ENOENT)
        rc = dg_fail(NULL, 0, DG_ERR_IO, "cannot remove %s: %s", path, strerror(errno));
    }
  }
  closedir(d);
  return rc;
}

// record `episodes` expert episodes (indices first..first+episodes-1 of a run seeded with seed)
// into path, on the run's workers; *samples (nullable) gets the samples written
static int record_expert(run* r, const char* path, int mode, int first, int episodes,
                         long* samples) {
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.mode = mode;
  ro.first_episode = first;
  dg_rec* rec = NULL;
  int rc = dg_rec_make(path, r->envs[0], &ro, &rec);
  if (rc) return rc;
  dg_rec_tap** taps = calloc((size_t)r->W, sizeof(dg_rec_tap*));
  dg_rollout_worker* w = calloc((size_t)r->W, sizeof(dg_rollout_worker));
  if (!taps || !w) rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory recording demos");
  for (int i = 0; !rc && i < r->W; i++) {
    rc = dg_rec_tap_make(rec, r->envs[i], NULL, &taps[i]);
    if (!rc) w[i] = (dg_rollout_worker){r->envs[i], r->experts[i], dg_rec_tap_get(taps[i]), 1};
  }
  if (!rc) {
    dg_rollout_options o;
    dg_rollout_options_default(&o);
    o.episodes = episodes;
    o.seed = r->opt->seed;
    o.first_episode = first;
    o.stop = r->opt->stop;
    rc = dg_rollout_run_parallel(w, r->W, &o, NULL, NULL);
  }
  int frc = dg_rec_finish(rec);
  if (!rc) rc = frc;
  dg_rec_stats st;
  dg_rec_get_stats(rec, &st);
  if (samples) *samples = st.samples_written;
  for (int i = 0; taps && i < r->W; i++) dg_rec_tap_close(&taps[i]);
  free(taps);
  free(w);
  dg_rec_close(&rec);
  return rc;
}

// every sample of a dataset file
static int load_all(const char* path, dg_samples* s) {
  memset(s, 0, sizeof(*s));
  dg_dataset* ds = NULL;
  int rc = dg_dataset_open(path, &ds);
  if (!rc) rc = dg_dataset_load_samples(ds, NULL, s);
  dg_dataset_close(&ds);
  return rc;
}

// train on s with the run's options for iteration k (warm start from init when given)
static int train(run* r, const dg_samples* s, int k, const dg_bc_model* init, dg_bc_model** out,
                 double* loss) {
  dg_bc_train_options o = r->opt->train;
  o.seed = dg_seed_derive(r->opt->seed, STREAM_TRAIN, (uint64_t)k);
  o.init = init;
  o.stop = r->opt->stop;
  o.progress = NULL;
  dg_bc_report rep;
  int rc = dg_bc_train(s, NULL, &o, out, &rep);
  if (rc == DG_ERR_INTERRUPTED) dg_bc_model_close(out);
  *loss = rc ? NAN : rep.final_train_loss;
  return rc;
}

// evaluate model over the evaluation episodes, one policy per worker
static int evaluate(run* r, const dg_bc_model* model, dg_rollout_summary* sum) {
  memset(sum, 0, sizeof(*sum));
  dg_rollout_worker* w = calloc((size_t)r->W, sizeof(dg_rollout_worker));
  if (!w) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory evaluating");
  int rc = DG_OK;
  for (int i = 0; !rc && i < r->W; i++) {
    w[i].env = r->envs[i];
    rc = dg_bc_policy_make(model, r->env_id, NULL, &w[i].policy);
  }
  if (!rc) {
    dg_rollout_options o;
    dg_rollout_options_default(&o);
    o.episodes = r->opt->eval_episodes;
    o.seed = r->opt->eval_seed;
    o.stop = r->opt->stop;
    rc = dg_rollout_run_parallel(w, r->W, &o, NULL, sum);
  }
  for (int i = 0; i < r->W; i++) dg_policy_close(&w[i].policy);
  free(w);
  return rc;
}

// roll out iteration k with model as the learner: the mixture at beta (DAgger) or the gated rule
// (HG-DAgger); append the labelled data to DIR/data.hdf5 as source dagger:<k>
static int collect(run* r, const dg_bc_model* model, int k, double beta, dg_collect_stats* st) {
  const dg_dagger_options* opt = r->opt;
  int W = r->W, rc = DG_OK;
  dg_policy** learners = calloc((size_t)W, sizeof(dg_policy*));
  dg_policy** gates = calloc((size_t)W, sizeof(dg_policy*));
  dg_mixture* mix = calloc((size_t)W, sizeof(dg_mixture));
  dg_hg_rule* rules = calloc((size_t)W, sizeof(dg_hg_rule));
  dg_rec* rec = NULL;
  if (!learners || !gates || !mix || !rules)
    rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for DAgger's rollouts");
  for (int i = 0; !rc && i < W; i++) {
    dg_gate_judge judge;
    rc = dg_bc_policy_make(model, r->env_id, "learner", &learners[i]);
    if (!rc) rc = dg_gate_make(learners[i], r->experts[i], &gates[i]);
    if (!rc && opt->gated) rc = dg_hg_rule_init(&rules[i], &opt->hg, &judge);
    if (!rc && !opt->gated) dg_mixture_init(&mix[i], beta, &judge);
    if (!rc) rc = dg_gate_set_judge(gates[i], &judge);
  }
  char source[32];
  snprintf(source, sizeof(source), "dagger:%d", k);
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.mode = DG_REC_APPEND;
  ro.source = source;
  ro.store_labels = 1;
  if (!rc) rc = dg_rec_make(r->data, r->envs[0], &ro, &rec);
  if (!rc) {
    dg_collect_job job = {r->roll_envs,
                          gates,
                          W,
                          rec,
                          !opt->gated,
                          opt->episodes_per_iteration,
                          dg_seed_derive(opt->seed, STREAM_ROLLOUT, (uint64_t)k),
                          opt->stop,
                          opt->hg.leave,
                          opt->max_idle_labels};
    rc = dg_dagger_collect(&job, st);
    int frc = dg_rec_finish(rec);
    if (!rc) rc = frc;
  }
  dg_rec_close(&rec);
  for (int i = 0; i < W; i++) {
    if (gates) dg_policy_close(&gates[i]);
    if (learners) dg_policy_close(&learners[i]);
  }
  free(learners);
  free(gates);
  free(mix);
  free(rules);
  return rc;
}

// the BC baseline of iteration k: the first `labels` expert samples of the pool (recorded up to
// that many first), trained from scratch as DAgger's iteration k is, saved and evaluated
static int bc_baseline(run* r, int k, long labels, dg_dagger_iteration* it) {
  int rc = DG_OK;
  while (!rc && r->pool_samples < labels) {
    // about as many episodes as the missing labels need, from the demos' mean length so far
    double mean = r->pool_episodes > 0 ? (double)r->pool_samples / r->pool_episodes : 50.0;
    int more = (int)ceil((labels - r->pool_samples) / (mean > 1 ? mean : 1)) + 1;
    long got = 0;
    rc = record_expert(r, r->pool, DG_REC_APPEND, r->pool_episodes, more, &got);
    r->pool_episodes += more;
    r->pool_samples += got;
  }
  dg_samples s = {0};
  if (!rc) rc = load_all(r->pool, &s);
  if (!rc && s.n < labels)
    rc = dg_fail(NULL, 0, DG_ERR_STATE, "the BC pool holds %d samples, %ld needed", s.n, labels);
  dg_bc_model* m = NULL;
  double loss;
  dg_rollout_summary sum;
  if (!rc) {
    dg_samples first = s;
    first.n = (int)labels;
    rc = train(r, &first, k, NULL, &m, &loss);
  }
  if (!rc) rc = checkpoint_path(it->bc_checkpoint, sizeof(it->bc_checkpoint), r->dir, "bc", k);
  if (!rc) rc = dg_bc_save(m, it->bc_checkpoint);
  if (!rc) rc = evaluate(r, m, &sum);
  if (!rc) {
    it->bc_success_rate = sum.success_rate;
    it->bc_ci95_lo = sum.ci95_lo;
    it->bc_ci95_hi = sum.ci95_hi;
    it->bc_labels = labels;
  }
  dg_bc_model_close(&m);
  dg_samples_free(&s);
  return rc;
}

static int check_options(const char* env_id, const char* dir, const dg_dagger_options* o) {
  if (!env_id || !dir || !o)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dagger_run: NULL argument");
  if (o->iterations < 0 || o->episodes_per_iteration < 1 || o->eval_episodes < 1 ||
      o->workers < 1 || o->workers > 256 || (!o->init_data && o->init_episodes < 1) ||
      o->rollout_steps < 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "bad DAgger options: iterations %d (>= 0), episodes per iteration %d (>= 1), "
                   "evaluation episodes %d (>= 1), workers %d (1-256), initial episodes %d (>= 1 "
                   "without init data), rollout steps %d (>= 0)",
                   o->iterations, o->episodes_per_iteration, o->eval_episodes, o->workers,
                   o->init_episodes, o->rollout_steps);
  if (strlen(dir) > 900)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "directory name too long: %s", dir);
  if (o->beta.kind < DG_BETA_INDICATOR || o->beta.kind > DG_BETA_LINEAR)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "unknown beta schedule kind %d", o->beta.kind);
  dg_hg_rule probe;
  if (o->gated) return dg_hg_rule_init(&probe, &o->hg, NULL);
  return DG_OK;
}

// init_data, when given, must be a readable dataset of this env
static int check_init_data(run* r) {
  const dg_dagger_options* o = r->opt;
  if (!o->init_data) return DG_OK;
  dg_dataset* ds = NULL;
  dg_dataset_info info;
  int rc = dg_dataset_open(o->init_data, &ds);
  if (!rc) rc = dg_dataset_get_info(ds, &info);
  dg_dataset_close(&ds);
  if (rc) return rc;
  if (strcmp(info.env_name, r->env_id) != 0)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "%s holds demos of %s, not %s", o->init_data,
                   info.env_name, r->env_id);
  if (info.total < 1) return dg_fail(NULL, 0, DG_ERR_INVALID, "%s holds no samples", o->init_data);
  return DG_OK;
}

// the initial data in DIR/data.hdf5: a copy of init_data (checked before), or expert demos
static int initial_data(run* r) {
  const dg_dagger_options* o = r->opt;
  if (!o->init_data) return record_expert(r, r->data, DG_REC_CREATE, 0, o->init_episodes, NULL);
  const char* in[1] = {o->init_data};
  return dg_dataset_merge(r->data, in, 1, 0, NULL, NULL);
}

// run iteration k's training and evaluation on the dataset as it is now
static int train_and_eval(run* r, int k, dg_bc_model** model, dg_dagger_iteration* it) {
  dg_samples s = {0};
  int rc = load_all(r->data, &s);
  if (rc) return rc;
  it->expert_labels = s.n;
  it->samples = s.n;
  it->demos = s.ndemos;
  dg_bc_model* next = NULL;
  rc = train(r, &s, k, r->opt->warm_start ? *model : NULL, &next, &it->train_loss);
  dg_samples_free(&s);
  if (rc) return rc;
  dg_bc_model_close(model);
  *model = next;
  rc = checkpoint_path(it->checkpoint, sizeof(it->checkpoint), r->dir, "iter", k);
  if (!rc) rc = dg_bc_save(*model, it->checkpoint);
  dg_rollout_summary sum;
  if (!rc) rc = evaluate(r, *model, &sum);
  if (!rc) {
    it->success_rate = sum.success_rate;
    it->ci95_lo = sum.ci95_lo;
    it->ci95_hi = sum.ci95_hi;
    it->mean_length = sum.mean_length;
  }
  return rc;
}

int dg_dagger_run(const char* env_id, const char* dir, const dg_dagger_options* opt,
                  dg_dagger_iteration* iters, int* done) {
  if (done) *done = 0;
  int rc = check_options(env_id, dir, opt);
  if (rc) return rc;
  if (!iters) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dagger_run: iters is NULL");
  run r;
  memset(&r, 0, sizeof(r));
  r.env_id = env_id;
  r.opt = opt;
  r.W = opt->workers;
  dg_strlcpy(r.dir, dir, sizeof(r.dir));
  if ((rc = path_join(r.data, sizeof(r.data), dir, "data.hdf5")) ||
      (rc = path_join(r.pool, sizeof(r.pool), dir, "bc_pool.hdf5")))
    return rc;

  // one env and one expert per worker, for every rollout of the run; the inputs are checked
  // before anything in dir is touched
  r.envs = calloc((size_t)r.W, sizeof(dg_env*));
  r.experts = calloc((size_t)r.W, sizeof(dg_policy*));
  if (!r.envs || !r.experts) rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for DAgger");
  for (int i = 0; !rc && i < r.W; i++) {
    rc = dg_env_make(env_id, NULL, &r.envs[i]);
    if (!rc) rc = dg_policy_make_expert(env_id, &r.experts[i]);
  }
  r.roll_envs = r.envs;
  int limit = rc ? 0 : dg_env_max_episode_steps(r.envs[0]);
  if (!rc && opt->rollout_steps > 0 && (limit <= 0 || opt->rollout_steps < limit)) {
    // the rollouts' own envs: the same task with the horizon as their time limit (demos and
    // evaluation keep the task's; a horizon beyond it changes nothing)
    dg_env_options eo;
    dg_env_options_default(&eo);
    eo.max_episode_steps = opt->rollout_steps;
    r.roll_envs = calloc((size_t)r.W, sizeof(dg_env*));
    if (!r.roll_envs) rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory for DAgger");
    for (int i = 0; !rc && i < r.W; i++) rc = dg_env_make(env_id, &eo, &r.roll_envs[i]);
  }
  if (!rc) rc = check_init_data(&r);
  if (!rc) rc = make_dir(dir);
  if (!rc) rc = claim_dir(&r);
  dg_bc_model* model = NULL;
  int k = 0;
  if (!rc) rc = initial_data(&r);
  if (!rc && opt->compare_bc) {
    // the pool starts as a copy of the initial demos; more expert episodes follow as needed
    const char* in[1] = {r.data};
    dg_dataset* ds = NULL;
    dg_dataset_info info;
    rc = dg_dataset_merge(r.pool, in, 1, 0, NULL, NULL);
    if (!rc) rc = dg_dataset_open(r.pool, &ds);
    if (!rc) rc = dg_dataset_get_info(ds, &info);
    dg_dataset_close(&ds);
    if (!rc) {
      r.pool_episodes = info.ndemos;
      r.pool_samples = info.total;
    }
  }

  for (; !rc && k <= opt->iterations; k++) {
    double t0 = now();
    dg_dagger_iteration* it = &iters[k];
    memset(it, 0, sizeof(*it));
    it->iteration = k;
    it->beta = opt->gated ? 0.0 : dg_beta_at(&opt->beta, k);
    it->rollout_success = NAN;
    it->bc_success_rate = it->bc_ci95_lo = it->bc_ci95_hi = NAN;
    if (k == 0) {
      it->beta = 1.0;
    } else {
      dg_collect_stats cs;
      rc = collect(&r, model, k, it->beta, &cs);
      if (rc) break;
      it->episodes = cs.episodes;
      it->new_labels = cs.labels;
      it->rollout_steps = cs.steps;
      it->expert_steps = cs.expert_steps;
      it->interventions = opt->gated ? cs.interventions : 0;
      it->labels_agreeing = cs.labels_agreeing;
      it->labels_idle = cs.labels_idle;
      it->rollout_success = cs.episodes ? (double)cs.successes / cs.episodes : NAN;
    }
    if ((rc = train_and_eval(&r, k, &model, it))) break;
    if (k == 0) {
      it->episodes = it->demos;
      it->new_labels = it->expert_labels;
    }
    if (opt->compare_bc) {
      if (k == 0) {
        // the same samples and seed as DAgger's iteration 0: the very same model
        it->bc_success_rate = it->success_rate;
        it->bc_ci95_lo = it->ci95_lo;
        it->bc_ci95_hi = it->ci95_hi;
        it->bc_labels = it->expert_labels;
        dg_strlcpy(it->bc_checkpoint, it->checkpoint, sizeof(it->bc_checkpoint));
      } else if ((rc = bc_baseline(&r, k, it->expert_labels, it))) {
        break;
      }
    }
    it->seconds = now() - t0;
    dg_logf(DG_LOG_INFO, "dagger %s: iteration %d, %ld expert labels, success %.2f", env_id, k,
            it->expert_labels, it->success_rate);
    if (done) *done = k + 1;
    if (opt->on_iteration && (rc = opt->on_iteration(opt->user, it)) != DG_OK) {
      if (!dg_last_errmsg()[0]) dg_set_last_errmsg("DAgger stopped after iteration %d", k);
      break;
    }
  }

  dg_bc_model_close(&model);
  for (int i = 0; i < r.W; i++) {
    if (r.experts) dg_policy_close(&r.experts[i]);
    if (r.envs) dg_env_close(&r.envs[i]);
    if (r.roll_envs && r.roll_envs != r.envs) dg_env_close(&r.roll_envs[i]);
  }
  if (r.roll_envs != r.envs) free(r.roll_envs);
  free(r.envs);
  free(r.experts);
  return rc;
}
