// env.c: the env runtime: make/close, spaces, reset, step, full state, observation.
//
// A step reads as a list of stages: check the action, clip it, run the arm's controller, advance
// the physics frame_skip times, observe, reward, decide the episode's end. Physics runs as
// mj_step2/mj_step1 pairs (equivalent to mj_step with the Euler integrator), so after every step
// positions, velocities and contacts are fresh without an extra mj_forward.
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "env_internal.h"
#include "internal.h"
#include "mjtrap.h"

// MuJoCo 2.2's XML compiler shares state between calls; we compile one model at a time
static pthread_mutex_t compile_lock = PTHREAD_MUTEX_INITIALIZER;

static int env_fail(dg_env* env, int code, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int env_fail(dg_env* env, int code, const char* fmt, ...) {
  char msg[DG_ERRMSG_SIZE];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  return dg_fail_msg(env ? env->errmsg : NULL, env ? sizeof(env->errmsg) : 0, code, msg);
}

void dg_env_options_default(dg_env_options* opt) {
  memset(opt, 0, sizeof(*opt));
  opt->max_episode_steps = 0;
  opt->terminate_on_success = 1;
  opt->render_width = 480;
  opt->render_height = 480;
  opt->render_camera = NULL;
}

int dg_env_registry_count(void) {
  int n;
  dg_task_list(&n);
  return n;
}

const char* dg_env_registry_id(int i) {
  int n;
  const dg_task* const* list = dg_task_list(&n);
  return (i >= 0 && i < n) ? list[i]->id : NULL;
}

// mj_loadXML inside a trap (kept apart so that no local changes after setjmp)
static mjModel* load_xml_trapped(const char* file, const mjVFS* vfs, char* err, int errsz) {
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mjModel* m = mj_loadXML(file, vfs, err, errsz);
    dg_mjtrap_leave(&trap);
    return m;
  }
  snprintf(err, errsz, "MuJoCo error while compiling %s: %s", file, trap.msg);
  return NULL;
}

// compile the task's MJCF from the embedded assets; NULL with a message in err on failure
static mjModel* compile_model(const dg_task* task, char* err, int errsz) {
  mjVFS* vfs = malloc(sizeof(mjVFS));
  if (!vfs) {
    snprintf(err, errsz, "out of memory for the model's file system");
    return NULL;
  }
  mj_defaultVFS(vfs);
  mjModel* m = NULL;
  const char* name;
  for (int i = 0; (name = dg_asset_name(i)) != NULL; i++) {
    size_t size;
    const char* data = dg_asset_find(name, &size);
    if (mj_makeEmptyFileVFS(vfs, name, (int)size) != 0) {
      snprintf(err, errsz, "cannot add asset %s to the model's file system", name);
      goto done;
    }
    memcpy(vfs->filedata[mj_findFileVFS(vfs, name)], data, size);
  }
  const char* file = task->xml ? task->xml : "task.xml";
  if (!task->xml) {  // a model given as text: add it under a name of its own
    size_t size = strlen(task->xml_text);
    if (mj_makeEmptyFileVFS(vfs, file, (int)size) != 0) {
      snprintf(err, errsz, "cannot add the model of %s to the file system", task->id);
      goto done;
    }
    memcpy(vfs->filedata[mj_findFileVFS(vfs, file)], task->xml_text, size);
  } else if (!dg_asset_find(task->xml, NULL)) {
    snprintf(err, errsz, "task %s: embedded model %s is missing", task->id, task->xml);
    goto done;
  }
  pthread_mutex_lock(&compile_lock);
  m = load_xml_trapped(file, vfs, err, errsz);
  pthread_mutex_unlock(&compile_lock);
done:
  mj_deleteVFS(vfs);
  free(vfs);
  return m;
}

static int make_fail(dg_env* env, int code, const char* msg) {
  dg_fail_msg(NULL, 0, code, msg);
  dg_env_close(&env);
  return code;
}

int dg_env_make(const char* id, const dg_env_options* opt, dg_env** out) {
  char err[DG_ERRMSG_SIZE];
  if (!out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_env_make: out is NULL");
  *out = NULL;
  if (!id) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_env_make: id is NULL");
  const dg_task* task = dg_task_find(id);
  if (task) return dg_env_make_task(task, opt, out);
  {
    int n, len = 0;
    const dg_task* const* list = dg_task_list(&n);
    len += snprintf(err + len, sizeof(err) - len, "unknown env id '%s'; known ids:", id);
    for (int i = 0; i < n && len < (int)sizeof(err); i++)
      len += snprintf(err + len, sizeof(err) - len, "%s %s", i ? "," : "", list[i]->id);
    return dg_fail_msg(NULL, 0, DG_ERR_NOTFOUND, err);
  }
}

int dg_env_make_task(const dg_task* task, const dg_env_options* opt, dg_env** out) {
  char err[DG_ERRMSG_SIZE];
  if (!out || !task) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_env_make_task: NULL argument");
  *out = NULL;
  const char* id = task->id;
  dg_env_options o;
  if (opt) {
    o = *opt;
  } else {
    dg_env_options_default(&o);
  }
  if (o.render_width < 1 || o.render_height < 1 || o.render_width > 8192 ||
      o.render_height > 8192)
    return dg_fail(NULL, 0, DG_ERR_INVALID, "render size %dx%d is outside 1..8192 pixels",
                   o.render_width, o.render_height);
  if (o.render_mode != DG_RENDER_RGB_ARRAY && o.render_mode != DG_RENDER_HUMAN)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "render_mode %d: use DG_RENDER_RGB_ARRAY (0) or DG_RENDER_HUMAN (1)",
                   o.render_mode);
  if (o.max_episode_steps < -1)
    return dg_fail(NULL, 0, DG_ERR_INVALID,
                   "max_episode_steps %d: use a positive limit, 0 for the task's default or -1 "
                   "for none",
                   o.max_episode_steps);

  dg_env* env = calloc(1, sizeof(dg_env));
  if (!env) return dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory making %s", id);
  env->task = task;
  env->opt = o;
  if (o.render_camera) {
    dg_strlcpy(env->camera, o.render_camera, sizeof(env->camera));
  } else {
    dg_strlcpy(env->camera, task->camera, sizeof(env->camera));
  }
  env->opt.render_camera = env->camera;
  env->max_steps = o.max_episode_steps == 0 ? task->max_episode_steps : o.max_episode_steps;

  env->m = compile_model(task, err, sizeof(err));
  if (!env->m) return make_fail(env, DG_ERR_MUJOCO, err);
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    env->d = mj_makeData(env->m);
    dg_mjtrap_leave(&trap);
  } else {
    snprintf(err, sizeof(err), "MuJoCo error making data for %s: %s", id, trap.msg);
    return make_fail(env, DG_ERR_MUJOCO, err);
  }
  if (!env->d) return make_fail(env, DG_ERR_NOMEM, "out of memory for the simulation data");
  if (strcmp(env->camera, "free") != 0 && mj_name2id(env->m, mjOBJ_CAMERA, env->camera) < 0) {
    snprintf(err, sizeof(err), "%s has no camera named '%s' (use \"free\" or a model camera)", id,
             env->camera);
    return make_fail(env, DG_ERR_NOTFOUND, err);
  }

  const mjModel* m = env->m;
  env->scratch = calloc((size_t)6 * m->nv, sizeof(double));
  env->ctx = calloc(1, task->ctx_size ? task->ctx_size : 1);
  if (!env->scratch || !env->ctx) return make_fail(env, DG_ERR_NOMEM, "out of memory");
  if (dg_arm_init(&env->arm, m, env->scratch, err, sizeof(err)) != 0)
    return make_fail(env, DG_ERR_MUJOCO, err);
  if (task->init && task->init(env, env->ctx, err, sizeof(err)) != 0)
    return make_fail(env, DG_ERR_MUJOCO, err);

  // observation keys tile the vector in the task's order
  env->nkeys = task->nkeys;
  int off = 0;
  for (int k = 0; k < task->nkeys; k++) {
    env->keys[k].name = task->keys[k].name;
    env->keys[k].offset = off;
    env->keys[k].size = task->keys[k].size;
    off += task->keys[k].size;
  }
  env->obs_dim = off;
  env->act_dim = DG_ARM_ACT_DIM;
  env->state_dim = 1 + m->nq + m->nv + m->na + m->nv + m->nu + 7 * m->nmocap;
  env->obs_low = malloc(sizeof(double) * env->obs_dim);
  env->obs_high = malloc(sizeof(double) * env->obs_dim);
  env->act_low = malloc(sizeof(double) * env->act_dim);
  env->act_high = malloc(sizeof(double) * env->act_dim);
  env->pre_state = malloc(sizeof(double) * env->state_dim);
  if (!env->obs_low || !env->obs_high || !env->act_low || !env->act_high || !env->pre_state)
    return make_fail(env, DG_ERR_NOMEM, "out of memory");
  for (int i = 0; i < env->obs_dim; i++) {
    env->obs_low[i] = -HUGE_VAL;
    env->obs_high[i] = HUGE_VAL;
  }
  for (int i = 0; i < env->act_dim; i++) {
    env->act_low[i] = -1.0;
    env->act_high[i] = 1.0;
  }

  // an env that is never seeded draws its first episode from OS entropy, as Gymnasium does
  uint64_t entropy;
  if (getrandom(&entropy, sizeof(entropy), 0) != (ssize_t)sizeof(entropy))
    entropy = (uint64_t)(uintptr_t)env ^ 0x5deece66dULL;
  dg_rng_seed(&env->rng, entropy);
  env->phase = 0;
  *out = env;
  return DG_OK;
}

void dg_env_close(dg_env** handle) {
  if (!handle || !*handle) return;
  dg_env* env = *handle;
  *handle = NULL;
  dg_render_ctx_free(env->render);
  if (env->d) mj_deleteData(env->d);
  if (env->m) mj_deleteModel(env->m);
  free(env->scratch);
  free(env->ctx);
  free(env->obs_low);
  free(env->obs_high);
  free(env->act_low);
  free(env->act_high);
  free(env->pre_state);
  free(env);
}

const char* dg_env_errmsg(const dg_env* env) { return env ? env->errmsg : ""; }
const char* dg_env_id(const dg_env* env) { return env->task->id; }
int dg_env_version(const dg_env* env) { return env->task->version; }
int dg_env_obs_dim(const dg_env* env) { return env->obs_dim; }
int dg_env_act_dim(const dg_env* env) { return env->act_dim; }
int dg_env_state_dim(const dg_env* env) { return env->state_dim; }
int dg_env_max_episode_steps(const dg_env* env) { return env->max_steps; }
double dg_env_dt(const dg_env* env) { return env->m->opt.timestep * env->task->frame_skip; }
double dg_env_render_fps(const dg_env* env) { return 1.0 / dg_env_dt(env); }
int dg_env_obs_key_count(const dg_env* env) { return env->nkeys; }
const struct mjModel_* dg_env_mj_model(const dg_env* env) { return env->m; }
const struct mjData_* dg_env_mj_data(const dg_env* env) { return env->d; }

const dg_obs_key* dg_env_obs_key(const dg_env* env, int i) {
  return (i >= 0 && i < env->nkeys) ? &env->keys[i] : NULL;
}

dg_box dg_env_observation_space(const dg_env* env) {
  dg_box b = {env->obs_dim, env->obs_low, env->obs_high};
  return b;
}

dg_box dg_env_action_space(const dg_env* env) {
  dg_box b = {env->act_dim, env->act_low, env->act_high};
  return b;
}

void dg_env_render_size(const dg_env* env, int* width, int* height) {
  if (width) *width = env->opt.render_width;
  if (height) *height = env->opt.render_height;
}

// compute positions, velocities and contacts of the current state (no integration)
static int refresh(dg_env* env) {
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mj_step1(env->m, env->d);
    dg_mjtrap_leave(&trap);
    return DG_OK;
  }
  env->phase = 0;
  return env_fail(env, DG_ERR_MUJOCO, "%s: MuJoCo error: %s", env->task->id, trap.msg);
}

static void fill_info(const dg_env* env, dg_info* info, int success) {
  memset(info, 0, sizeof(*info));
  info->success = success;
  info->elapsed_steps = env->elapsed;
}

int dg_env_reset(dg_env* env, const uint64_t* seed, double* obs, dg_info* info) {
  if (!env || !obs) return env_fail(env, DG_ERR_INVALID, "dg_env_reset: env or obs is NULL");
  if (seed) dg_rng_seed(&env->rng, *seed);
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    mj_resetData(env->m, env->d);
    dg_mjtrap_leave(&trap);
  } else {
    env->phase = 0;
    return env_fail(env, DG_ERR_MUJOCO, "%s: MuJoCo error in reset: %s", env->task->id,
                    trap.msg);
  }
  env->task->reset(env, env->ctx, &env->rng);
  int rc = refresh(env);
  if (rc) return rc;
  memset(env->action, 0, sizeof(env->action));
  env->elapsed = 0;
  env->phase = 1;
  env->task->observe(env, env->ctx, obs);
  if (info) fill_info(env, info, env->task->success(env, env->ctx));
  if (env->opt.render_mode == DG_RENDER_HUMAN) dg_render_human(env, NULL);
  return DG_OK;
}

// the number of warnings MuJoCo raised for bad numbers (it resets the data when it raises them)
// and for full contact or constraint buffers (it drops constraints: the physics is wrong)
static int bad_number_warnings(const mjData* d) {
  return d->warning[mjWARN_BADQACC].number + d->warning[mjWARN_BADQPOS].number +
         d->warning[mjWARN_BADQVEL].number + d->warning[mjWARN_BADCTRL].number +
         d->warning[mjWARN_CONTACTFULL].number + d->warning[mjWARN_CNSTRFULL].number;
}

static int state_is_finite(const mjModel* m, const mjData* d) {
  for (int i = 0; i < m->nq; i++)
    if (!isfinite(d->qpos[i]) || fabs(d->qpos[i]) > 1e6) return 0;
  for (int i = 0; i < m->nv; i++)
    if (!isfinite(d->qvel[i]) || fabs(d->qvel[i]) > 1e6) return 0;
  return 1;
}

// advance frame_skip physics steps with the current ctrl; return 1 if the physics diverged
static int advance(dg_env* env, int* diverged) {
  const mjModel* m = env->m;
  mjData* d = env->d;
  int warnings = bad_number_warnings(d);
  dg_mjtrap trap;
  if (DG_MJTRAP_ENTER(&trap)) {
    for (int k = 0; k < env->task->frame_skip; k++) {
      mj_step2(m, d);
      mj_step1(m, d);
    }
    dg_mjtrap_leave(&trap);
  } else {
    env->phase = 0;
    return env_fail(env, DG_ERR_MUJOCO, "%s: MuJoCo error in step (reset the env): %s",
                    env->task->id, trap.msg);
  }
  *diverged = bad_number_warnings(d) != warnings || !state_is_finite(m, d);
  return DG_OK;
}

int dg_env_step(dg_env* env, const double* action, double* obs, dg_step_result* res) {
  if (!env || !action || !obs)
    return env_fail(env, DG_ERR_INVALID, "dg_env_step: env, action or obs is NULL");
  if (env->phase == 0)
    return env_fail(env, DG_ERR_STATE, "%s: step before reset; call dg_env_reset first",
                    env->task->id);
  if (env->phase == 2)
    return env_fail(env, DG_ERR_STATE,
                    "%s: the episode has ended (terminated or truncated); call dg_env_reset",
                    env->task->id);

  // 1. check and clip the action
  int clipped = 0;
  double a[DG_ARM_ACT_DIM];
  for (int i = 0; i < env->act_dim; i++) {
    if (!isfinite(action[i]))
      return env_fail(env, DG_ERR_INVALID,
                      "%s: action[%d] is %s; actions must be finite (the state is unchanged)",
                      env->task->id, i, isnan(action[i]) ? "NaN" : "infinite");
    a[i] = action[i];
    if (a[i] < -1.0) a[i] = -1.0, clipped = 1;
    if (a[i] > 1.0) a[i] = 1.0, clipped = 1;
  }

  // 2. keep the state we start from, to restore it if the physics diverges
  dg_env_get_state(env, env->pre_state);

  // 3. controller, then physics
  memcpy(env->action, a, sizeof(a));
  dg_arm_control(&env->arm, env->m, env->d, a);
  int diverged = 0;
  int rc = advance(env, &diverged);
  if (rc) return rc;
  env->elapsed++;
  if (diverged) {
    dg_logf(DG_LOG_WARN, "%s: the physics diverged at step %d; the episode is truncated",
            env->task->id, env->elapsed);
    int elapsed = env->elapsed;
    rc = dg_env_set_state(env, env->pre_state, NULL);
    if (rc) return rc;
    env->elapsed = elapsed;
  }

  // 4. observe, reward, end of episode
  env->task->observe(env, env->ctx, obs);
  int success = env->task->success(env, env->ctx);
  int failure = env->task->failure ? env->task->failure(env, env->ctx) : 0;
  dg_step_result r;
  r.reward = diverged ? 0.0 : env->task->reward(env, env->ctx);
  r.terminated = !diverged && ((success && env->opt.terminate_on_success) || failure);
  r.truncated = diverged || (env->max_steps > 0 && env->elapsed >= env->max_steps);
  fill_info(env, &r.info, success);
  r.info.diverged = diverged;
  r.info.action_clipped = clipped;
  if (r.terminated || r.truncated) env->phase = 2;
  if (res) *res = r;
  if (env->opt.render_mode == DG_RENDER_HUMAN) dg_render_human(env, &r);
  return DG_OK;
}

int dg_env_get_state(const dg_env* env, double* state) {
  const mjModel* m = env->m;
  const mjData* d = env->d;
  double* s = state;
  *s++ = d->time;
  memcpy(s, d->qpos, sizeof(double) * m->nq), s += m->nq;
  memcpy(s, d->qvel, sizeof(double) * m->nv), s += m->nv;
  memcpy(s, d->act, sizeof(double) * m->na), s += m->na;
  memcpy(s, d->qacc_warmstart, sizeof(double) * m->nv), s += m->nv;
  memcpy(s, d->ctrl, sizeof(double) * m->nu), s += m->nu;
  memcpy(s, d->mocap_pos, sizeof(double) * 3 * m->nmocap), s += 3 * m->nmocap;
  memcpy(s, d->mocap_quat, sizeof(double) * 4 * m->nmocap), s += 4 * m->nmocap;
  return DG_OK;
}

// MuJoCo 2.2's kinematics normalizes the quaternions of free and ball joints in qpos in place,
// and normalizing a unit quaternion again can flip its last bits (some even alternate between two
// values). So that a restored state reproduces the original bit for bit, put in qpos the
// quaternion whose normalization gives the saved one: the saved one itself if normalization
// keeps it, else its partner in the alternation.
static void prenormalize_quats(const mjModel* m, mjData* d) {
  for (int j = 0; j < m->njnt; j++) {
    int type = m->jnt_type[j];
    if (type != mjJNT_FREE && type != mjJNT_BALL) continue;
    double* q = d->qpos + m->jnt_qposadr[j] + (type == mjJNT_FREE ? 3 : 0);
    double once[4], twice[4];
    mju_copy4(once, q);
    mju_normalize4(once);
    if (memcmp(once, q, sizeof(once)) == 0) continue;
    mju_copy4(twice, once);
    mju_normalize4(twice);
    if (memcmp(twice, q, sizeof(twice)) == 0) mju_copy4(q, once);
  }
}

int dg_env_set_state(dg_env* env, const double* state, double* obs) {
  if (!env || !state) return env_fail(env, DG_ERR_INVALID, "dg_env_set_state: NULL argument");
  // MuJoCo resets the data when it meets a value beyond mjMAXVAL; refuse those instead
  for (int i = 0; i < env->state_dim; i++)
    if (!isfinite(state[i]) || fabs(state[i]) > mjMAXVAL)
      return env_fail(env, DG_ERR_INVALID,
                      "%s: state[%d] = %g is not finite or beyond %g; the state is unchanged",
                      env->task->id, i, state[i], mjMAXVAL);
  const mjModel* m = env->m;
  mjData* d = env->d;
  const double* s = state;
  d->time = *s++;
  memcpy(d->qpos, s, sizeof(double) * m->nq), s += m->nq;
  memcpy(d->qvel, s, sizeof(double) * m->nv), s += m->nv;
  memcpy(d->act, s, sizeof(double) * m->na), s += m->na;
  memcpy(d->qacc_warmstart, s, sizeof(double) * m->nv), s += m->nv;
  memcpy(d->ctrl, s, sizeof(double) * m->nu), s += m->nu;
  memcpy(d->mocap_pos, s, sizeof(double) * 3 * m->nmocap), s += 3 * m->nmocap;
  memcpy(d->mocap_quat, s, sizeof(double) * 4 * m->nmocap), s += 4 * m->nmocap;
  prenormalize_quats(m, d);
  int rc = refresh(env);
  if (rc) return rc;
  env->elapsed = (int)lround(d->time / dg_env_dt(env));
  env->phase = 1;
  if (obs) env->task->observe(env, env->ctx, obs);
  return DG_OK;
}

int dg_env_observe(const dg_env* env, double* obs) {
  if (!env || !obs) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_env_observe: NULL argument");
  env->task->observe(env, env->ctx, obs);
  return DG_OK;
}

int dg_env_is_success(const dg_env* env) { return env->task->success(env, env->ctx); }
