// card.c: benchmark dataset cards (JSON) and the canonical content checksum (SHA-256, nettle).
#include <cjson/cJSON.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/dataset.h"
#include "demogym/recorder.h"
#include "h5util.h"
#include "internal.h"
#include "recorder_internal.h"

// --- the canonical content ---------------------------------------------------------------------

static void put_text(struct sha256_ctx* h, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_text(struct sha256_ctx* h, const char* fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n > (int)sizeof(line) - 1) n = (int)sizeof(line) - 1;
  sha256_update(h, (size_t)n, (const uint8_t*)line);
}

// little-endian bytes of doubles (x86-64 and most machines are little-endian already)
static void put_doubles(struct sha256_ctx* h, const double* x, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint64_t u;
    memcpy(&u, &x[i], 8);
    uint8_t b[8];
    for (int k = 0; k < 8; k++) b[k] = (uint8_t)(u >> (8 * k));
    sha256_update(h, 8, b);
  }
}

static void put_int64s(struct sha256_ctx* h, const int64_t* x, size_t n) {
  put_doubles(h, (const double*)(const void*)x, n);  // the same 8 bytes, little-endian
}

static int cmp_str(const void* a, const void* b) {
  return strcmp(*(const char* const*)a, *(const char* const*)b);
}

int dg_dataset_checksum(const char* path, char* hex) {
  if (!path || !hex) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_dataset_checksum: NULL argument");
  dg_dataset* ds;
  int rc = dg_dataset_open(path, &ds);
  if (rc) return rc;
  const dg_rec_layout* lay = dg_dataset_layout(ds);
  dg_dataset_info info;
  dg_dataset_get_info(ds, &info);
  struct sha256_ctx h;
  sha256_init(&h);
  put_text(&h, "demogym-dataset-canonical-v1\nenv %s %d\nkwargs %d %d\n", lay->env_id,
           lay->env_version, lay->max_episode_steps, lay->terminate_on_success);
  put_text(&h, "keys %d action %d state %d\n", lay->nkeys, lay->act_dim, lay->state_dim);
  for (int k = 0; k < lay->nkeys; k++) put_text(&h, "%s %d\n", lay->keys[k].name, lay->keys[k].size);
  for (int i = 0; i < info.ndemos && !rc; i++) {
    dg_demo d;
    rc = dg_dataset_load_demo(ds, i, &d);
    if (rc) break;
    size_t n = (size_t)d.n;
    put_text(&h, "%s %d %d\n", d.name, d.n, d.has_labels);
    put_doubles(&h, d.obs, n * d.obs_dim);
    put_doubles(&h, d.next_obs, n * d.obs_dim);
    put_doubles(&h, d.actions, n * d.act_dim);
    if (d.has_labels) put_doubles(&h, d.labels, n * d.act_dim);
    put_doubles(&h, d.rewards, n);
    put_doubles(&h, d.states, n * d.state_dim);
    put_int64s(&h, d.dones, n);
    put_text(&h, "%llu %d %d %d %s\n", (unsigned long long)d.seed, d.success, d.terminated,
             d.truncated, d.source);
    dg_demo_free(&d);
  }
  // masks, by name
  const char** keys = malloc(sizeof(char*) * (size_t)(info.nfilters + 1));
  if (!rc && !keys) rc = dg_fail(NULL, 0, DG_ERR_NOMEM, "out of memory");
  for (int f = 0; f < info.nfilters && !rc; f++) keys[f] = dg_dataset_filter_name(ds, f);
  if (!rc) qsort(keys, (size_t)info.nfilters, sizeof(char*), cmp_str);
  for (int f = 0; f < info.nfilters && !rc; f++) {
    char mpath[300];
    snprintf(mpath, sizeof(mpath), "mask/%s", keys[f]);
    char** names;
    int count;
    if (dg_h5_read_strings(dg_dataset_h5_file(ds), mpath, &names, &count) != 0) {
      rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "%s: %s is not a list of strings", path, mpath);
      break;
    }
    put_text(&h, "mask %s %d\n", keys[f], count);
    for (int j = 0; j < count; j++) put_text(&h, "%s\n", names[j]);
    dg_h5_free_strings(names, count);
  }
  free(keys);
  dg_dataset_close(&ds);
  if (rc) return rc;
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&h, SHA256_DIGEST_SIZE, digest);
  for (int i = 0; i < SHA256_DIGEST_SIZE; i++) sprintf(hex + 2 * i, "%02x", digest[i]);
  hex[64] = 0;
  return DG_OK;
}

// --- cards -------------------------------------------------------------------------------------

int dg_card_load(const char* path, dg_card* out) {
  if (!path || !out) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_card_load: NULL argument");
  memset(out, 0, sizeof(*out));
  FILE* f = fopen(path, "rb");
  if (!f) return dg_fail(NULL, 0, DG_ERR_NOTFOUND, "cannot open card %s", path);
  char buf[16384];
  size_t len = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[len] = 0;
  cJSON* root = cJSON_Parse(buf);
  if (!root) return dg_fail(NULL, 0, DG_ERR_FORMAT, "card %s is not JSON", path);
  int rc = DG_OK;
  const cJSON* name = cJSON_GetObjectItemCaseSensitive(root, "name");
  const cJSON* env = cJSON_GetObjectItemCaseSensitive(root, "env");
  const cJSON* episodes = cJSON_GetObjectItemCaseSensitive(root, "episodes");
  const cJSON* seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
  const cJSON* expert = cJSON_GetObjectItemCaseSensitive(root, "expert");
  const cJSON* sha = cJSON_GetObjectItemCaseSensitive(root, "sha256");
  if (!cJSON_IsString(name) || !cJSON_IsString(env) || !cJSON_IsNumber(episodes) ||
      episodes->valuedouble < 0 || episodes->valuedouble > 1e7 || !cJSON_IsNumber(seed) ||
      seed->valuedouble < 0 || !cJSON_IsObject(expert)) {
    rc = dg_fail(NULL, 0, DG_ERR_FORMAT,
                 "card %s needs name, env (strings), episodes, seed (numbers) and expert "
                 "(an object)", path);
    goto done;
  }
  dg_strlcpy(out->name, name->valuestring, sizeof(out->name));
  dg_strlcpy(out->env, env->valuestring, sizeof(out->env));
  out->episodes = episodes->valueint;
  out->seed = (uint64_t)seed->valuedouble;
  const cJSON* noise = cJSON_GetObjectItemCaseSensitive(expert, "noise");
  const cJSON* eps = cJSON_GetObjectItemCaseSensitive(expert, "epsilon");
  out->noise = cJSON_IsNumber(noise) ? noise->valuedouble : 0;
  out->epsilon = cJSON_IsNumber(eps) ? eps->valuedouble : 0;
  out->only_success = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "only_success"));
  const cJSON* limit = cJSON_GetObjectItemCaseSensitive(root, "max_episode_steps");
  out->max_episode_steps = cJSON_IsNumber(limit) ? limit->valueint : 0;
  if (cJSON_IsString(sha)) {
    if (strlen(sha->valuestring) != 64) {
      rc = dg_fail(NULL, 0, DG_ERR_FORMAT, "card %s: sha256 must be 64 hex digits", path);
      goto done;
    }
    dg_strlcpy(out->sha256, sha->valuestring, sizeof(out->sha256));
  }
  const cJSON* desc = cJSON_GetObjectItemCaseSensitive(root, "description");
  if (cJSON_IsString(desc)) dg_strlcpy(out->description, desc->valuestring, sizeof(out->description));
done:
  cJSON_Delete(root);
  return rc;
}

int dg_card_build(const dg_card* card, const char* out, int overwrite, const volatile int* stop,
                  char* hex) {
  if (!card || !out || !hex) return dg_fail(NULL, 0, DG_ERR_INVALID, "dg_card_build: NULL argument");
  dg_env_options eo;
  dg_env_options_default(&eo);
  eo.max_episode_steps = card->max_episode_steps;
  dg_env* env = NULL;
  dg_policy* policy = NULL;
  dg_rec* rec = NULL;
  dg_rec_tap* tap = NULL;
  int rc = dg_env_make(card->env, &eo, &env);
  if (!rc) rc = dg_policy_make_expert(card->env, &policy);
  if (!rc && (card->noise > 0 || card->epsilon > 0))
    rc = dg_policy_make_noisy(policy, card->noise, card->epsilon, &policy);
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.mode = overwrite ? DG_REC_OVERWRITE : DG_REC_CREATE;
  ro.only_success = card->only_success;
  ro.store_labels = card->noise > 0 || card->epsilon > 0;
  if (!rc) rc = dg_rec_make(out, env, &ro, &rec);
  if (!rc) rc = dg_rec_tap_make(rec, env, policy, &tap);
  if (!rc) {
    dg_rollout_options opt;
    dg_rollout_options_default(&opt);
    opt.episodes = card->episodes;
    opt.seed = card->seed;
    opt.taps = dg_rec_tap_get(tap);
    opt.ntaps = 1;
    opt.stop = stop;
    rc = dg_rollout_run(env, policy, &opt, NULL, NULL);
    if (!rc) rc = dg_rec_finish(rec);
  }
  dg_rec_tap_close(&tap);
  dg_rec_close(&rec);
  dg_policy_close(&policy);
  dg_env_close(&env);
  if (rc) return rc;
  return dg_dataset_checksum(out, hex);
}
