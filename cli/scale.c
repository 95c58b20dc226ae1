// scale.c: the command's runs over threads and MPI ranks: the MPI session, and the recording
// rollout whose episodes all reach rank 0's recorder in index order.
//
// Over MPI, the run's episodes are cut into chunks of `workers` episodes; chunk c belongs to rank
// c mod R, which runs it on its worker threads. Rank 0 walks the chunks in order: it runs its own
// with the recorder's taps attached, and receives the others' from their ranks (MPI keeps each
// sender's messages in order) and submits their episodes to the recorder. Only rank 0 touches
// the file, so no shared file system, merge step or parallel HDF5 is needed, and the recorder's
// crash safety holds as in one process. A rank sends with a few messages in flight, so it runs
// ahead of rank 0 by at most that many chunks: memory stays bounded whatever the run's length.
// A failing rank sends failure notes for its remaining chunks, so every rank ends cleanly.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scale.h"
#ifdef DG_HAVE_MPI
#include <mpi.h>
#endif

#define IN_FLIGHT   4    // chunks a rank may have sent and rank 0 not yet received
#define MSG_SIZE    512  // bytes of a failure message in a chunk
#define CHUNK_MAGIC 0x6467636bU

static int mpi_on = 0;  // an MPI session is running (this process only)
static int mpi_rank = 0;
static int mpi_size = 1;

static int launched_ranks(void) {
  const char* vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"};
  for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
    const char* v = getenv(vars[i]);
    if (v && atoi(v) > 0) return atoi(v);
  }
  return 1;
}

int cli_mpi_start(const char* sub, int* argc, char*** argv, int* rank, int* size) {
  *rank = 0;
  *size = 1;
  int launched = launched_ranks();
  if (launched <= 1) return 0;
#ifdef DG_HAVE_MPI
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return cli_error(EXIT_USAGE, sub, "MPI_Init failed");
  mpi_on = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
  *rank = mpi_rank;
  *size = mpi_size;
  return 0;
#else
  (void)argc;
  (void)argv;
  return cli_error(EXIT_USAGE, sub,
                   "launched by mpirun with %d ranks, but this demogym was built without MPI "
                   "(rebuild with libopenmpi-dev installed, or -DDG_MPI=ON); every rank would "
                   "write the same file",
                   launched);
#endif
}

void cli_mpi_end(void) {
#ifdef DG_HAVE_MPI
  if (mpi_on) MPI_Finalize();
#endif
  mpi_on = 0;
}

int cli_mpi_bcast_int(int v) {
#ifdef DG_HAVE_MPI
  if (mpi_on) MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
#endif
  return v;
}

// --- workers ----------------------------------------------------------------------------------

// The episodes of one chunk as a rank other than 0 captures them, to send to rank 0.
typedef struct captured {
  dg_episode_stats stats;
  int64_t length;  // steps (64 bits keeps the arrays after it 8-byte aligned on the wire)
  int64_t cap;
  double* obs;      // (cap x od)
  double* next;     // (cap x od)
  double* actions;  // (cap x ad)
  double* labels;   // (cap x ad)
  double* states;   // (cap x sd)
  double* rewards;  // (cap)
} captured;

// One worker's capture tap: the recorder's tap's view of a transition (state and label before
// the step, the rest after it), into slot (index - first) of the chunk.
typedef struct capture_tap {
  const dg_policy* policy;
  int od, ad, sd;
  captured* slots;  // the chunk's episodes
  int first;        // the chunk's first episode index
  captured* cur;
  double* state;  // (sd)
  double* label;  // (ad)
} capture_tap;

static int grow(captured* e, int od, int ad, int sd) {
  int64_t cap = e->cap ? 2 * e->cap : 128;
  double** arrays[] = {&e->obs, &e->next, &e->actions, &e->labels, &e->states, &e->rewards};
  int dims[] = {od, od, ad, ad, sd, 1};
  for (int k = 0; k < 6; k++) {
    double* p = realloc(*arrays[k], sizeof(double) * (size_t)cap * dims[k]);
    if (!p) return DG_ERR_NOMEM;
    *arrays[k] = p;
  }
  e->cap = cap;
  return DG_OK;
}

static int cap_begin(void* user, int episode, uint64_t seed, dg_env* env, const double* obs) {
  capture_tap* t = user;
  t->cur = &t->slots[episode - t->first];
  t->cur->length = 0;
  return DG_OK;
}

static int cap_before(void* user, dg_env* env, const double* obs, const double* action) {
  capture_tap* t = user;
  int rc = dg_env_get_state(env, t->state);
  return rc ? rc : dg_policy_label(t->policy, t->label);
}

static int cap_after(void* user, dg_env* env, const double* obs, const double* action,
                     const double* next_obs, const dg_step_result* res) {
  capture_tap* t = user;
  captured* e = t->cur;
  if (e->length == e->cap && grow(e, t->od, t->ad, t->sd)) {
    dg_set_last_errmsg("out of memory capturing an episode of %ld steps", (long)e->length);
    return DG_ERR_NOMEM;
  }
  size_t i = (size_t)e->length++;
  memcpy(e->obs + i * t->od, obs, sizeof(double) * t->od);
  memcpy(e->next + i * t->od, next_obs, sizeof(double) * t->od);
  memcpy(e->actions + i * t->ad, action, sizeof(double) * t->ad);
  memcpy(e->labels + i * t->ad, t->label, sizeof(double) * t->ad);
  memcpy(e->states + i * t->sd, t->state, sizeof(double) * t->sd);
  e->rewards[i] = res->reward;
  return DG_OK;
}

static int cap_end(void* user, dg_env* env, const dg_episode_stats* st) {
  capture_tap* t = user;
  t->cur->stats = *st;
  return DG_OK;
}

// This process's workers: envs, policies and one tap each (the recorder's on rank 0, a capture
// tap elsewhere).
typedef struct pool {
  int n;
  dg_rollout_worker* w;  // (n)
  dg_rec_tap** rtaps;    // (n) rank 0
  capture_tap* ctaps;    // (n) other ranks
  dg_tap* taps;          // (n)
  captured* slots;       // (n) other ranks: the chunk's episodes
} pool;

static void pool_free(pool* p, const cli_record_job* job) {
  for (int i = 0; i < p->n; i++) {
    if (p->rtaps) dg_rec_tap_close(&p->rtaps[i]);
    if (p->ctaps) {
      free(p->ctaps[i].state);
      free(p->ctaps[i].label);
    }
    if (p->slots) {
      captured* e = &p->slots[i];
      free(e->obs), free(e->next), free(e->actions), free(e->labels), free(e->states);
      free(e->rewards);
    }
    if (p->w && i > 0) {
      dg_env_close(&p->w[i].env);
      dg_policy_close(&p->w[i].policy);
    }
  }
  free(p->w), free(p->rtaps), free(p->ctaps), free(p->taps), free(p->slots);
  memset(p, 0, sizeof(*p));
}

static int pool_make(pool* p, const cli_record_job* job, int capture) {
  memset(p, 0, sizeof(*p));
  int n = job->workers;
  p->n = n;
  p->w = calloc((size_t)n, sizeof(dg_rollout_worker));
  p->taps = calloc((size_t)n, sizeof(dg_tap));
  if (capture) {
    p->ctaps = calloc((size_t)n, sizeof(capture_tap));
    p->slots = calloc((size_t)n, sizeof(captured));
  } else {
    p->rtaps = calloc((size_t)n, sizeof(dg_rec_tap*));
  }
  if (!p->w || !p->taps || (capture ? !p->ctaps || !p->slots : !p->rtaps)) {
    dg_set_last_errmsg("out of memory for %d workers", n);
    return DG_ERR_NOMEM;
  }
  int od = dg_env_obs_dim(job->env), ad = dg_env_act_dim(job->env);
  int sd = dg_env_state_dim(job->env);
  for (int i = 0; i < n; i++) {
    int rc = DG_OK;
    if (i == 0) {
      p->w[0].env = job->env;
      p->w[0].policy = job->policy;
    } else {
      rc = dg_env_make(dg_env_id(job->env), job->env_opt, &p->w[i].env);
      if (!rc) rc = dg_policy_clone(job->policy, &p->w[i].policy);
    }
    if (!rc && capture) {
      capture_tap* t = &p->ctaps[i];
      t->policy = p->w[i].policy;
      t->od = od, t->ad = ad, t->sd = sd;
      t->slots = p->slots;
      t->state = malloc(sizeof(double) * sd);
      t->label = malloc(sizeof(double) * ad);
      if (!t->state || !t->label) {
        dg_set_last_errmsg("out of memory for a capture tap");
        rc = DG_ERR_NOMEM;
      }
      p->taps[i] = (dg_tap){t, cap_begin, cap_before, cap_after, cap_end};
    } else if (!rc) {
      rc = dg_rec_tap_make(job->rec, p->w[i].env, p->w[i].policy, &p->rtaps[i]);
      if (!rc) p->taps[i] = *dg_rec_tap_get(p->rtaps[i]);
    }
    if (rc) return rc;
    p->w[i].taps = &p->taps[i];
    p->w[i].ntaps = 1;
  }
  return DG_OK;
}

// run `count` episodes from index `first` on the pool; shared taps as in dg_rollout_run_parallel;
// stats and summary cover the episodes that finished in order, also on failure. Nullable: stats
static int run_chunk(pool* p, const cli_record_job* job, int first, int count, const dg_tap* shared,
                     int nshared, dg_episode_stats* stats, dg_rollout_summary* summary) {
  dg_rollout_options o = *job->opt;
  o.first_episode = first;
  o.episodes = count;
  o.taps = shared;
  o.ntaps = nshared;
  for (int i = 0; p->ctaps && i < p->n; i++) p->ctaps[i].first = first;
  if (p->n == 1) {
    // one worker: the sequential driver, its tap and the shared ones together
    dg_tap* taps = malloc(sizeof(dg_tap) * (size_t)(nshared + 1));
    if (!taps) {
      dg_set_last_errmsg("out of memory for taps");
      return DG_ERR_NOMEM;
    }
    taps[0] = p->taps[0];
    for (int t = 0; t < nshared; t++) taps[t + 1] = shared[t];
    o.taps = taps;
    o.ntaps = nshared + 1;
    int rc = dg_rollout_run(p->w[0].env, p->w[0].policy, &o, stats, summary);
    free(taps);
    return rc;
  }
  return dg_rollout_run_parallel(p->w, p->n, &o, stats, summary);
}

// --- one process --------------------------------------------------------------------------------

static int record_local(const cli_record_job* job, dg_rollout_summary* summary) {
  const dg_rollout_options* opt = job->opt;
  memset(summary, 0, sizeof(*summary));
  pool p;
  int rc = pool_make(&p, job, 0);
  if (!rc)
    rc =
        run_chunk(&p, job, opt->first_episode, opt->episodes, opt->taps, opt->ntaps, NULL, summary);
  char msg[1024];
  snprintf(msg, sizeof(msg), "%s", dg_last_errmsg());
  pool_free(&p, job);
  if (rc) dg_set_last_errmsg("%s", msg);
  return rc;
}

#ifdef DG_HAVE_MPI
// --- chunks on the wire ------------------------------------------------------------------------

// A chunk message: a header, then per episode its statistics, its length and its arrays.
// Every part's size is a multiple of 8 bytes, so the arrays are aligned in the received buffer.
typedef struct chunk_header {
  uint32_t magic;
  int32_t status;   // the sender's failure (0: the chunk's episodes follow)
  int32_t count;    // episodes that follow
  int32_t dims[3];  // od, ad, sd, checked on receipt
  char msg[MSG_SIZE];
} chunk_header;
_Static_assert(sizeof(chunk_header) % 8 == 0, "chunk parts keep 8-byte alignment");
_Static_assert(sizeof(dg_episode_stats) % 8 == 0, "chunk parts keep 8-byte alignment");

typedef struct buffer {
  char* data;
  size_t size, cap;
} buffer;

static int put(buffer* b, const void* src, size_t n) {
  if (b->size + n > b->cap) {
    size_t cap = b->cap ? 2 * b->cap : 1 << 16;
    while (cap < b->size + n) cap *= 2;
    char* d = realloc(b->data, cap);
    if (!d) return DG_ERR_NOMEM;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->size, src, n);
  b->size += n;
  return DG_OK;
}

// pack a chunk (status 0: the pool's captured episodes) into b
static int pack(buffer* b, const pool* p, int status, const char* msg, int count, int od, int ad,
                int sd) {
  chunk_header h;
  memset(&h, 0, sizeof(h));
  h.magic = CHUNK_MAGIC;
  h.status = status;
  h.count = status ? 0 : count;
  h.dims[0] = od, h.dims[1] = ad, h.dims[2] = sd;
  if (msg) snprintf(h.msg, sizeof(h.msg), "rank %d: %s", mpi_rank, msg);
  b->size = 0;
  int rc = put(b, &h, sizeof(h));
  for (int k = 0; !rc && k < h.count; k++) {
    const captured* e = &p->slots[k];
    size_t n = (size_t)e->length;
    rc = put(b, &e->stats, sizeof(e->stats));
    if (!rc) rc = put(b, &e->length, sizeof(e->length));
    if (!rc) rc = put(b, e->obs, sizeof(double) * n * od);
    if (!rc) rc = put(b, e->next, sizeof(double) * n * od);
    if (!rc) rc = put(b, e->actions, sizeof(double) * n * ad);
    if (!rc) rc = put(b, e->labels, sizeof(double) * n * ad);
    if (!rc) rc = put(b, e->states, sizeof(double) * n * sd);
    if (!rc) rc = put(b, e->rewards, sizeof(double) * n);
  }
  return rc;
}

// read n bytes at *at from a message of size bytes; NULL when it runs short
static const char* take(const char* data, size_t size, size_t* at, size_t n) {
  if (*at + n > size) return NULL;
  const char* p = data + *at;
  *at += n;
  return p;
}

// hand a received chunk's episodes to the recorder and the shared taps; collect their stats
static int unpack_submit(const char* data, size_t size, const cli_record_job* job,
                         dg_rec_episode* ep, dg_episode_stats* stats, char* msg, size_t msgsz) {
  int od = dg_env_obs_dim(job->env), ad = dg_env_act_dim(job->env);
  int sd = dg_env_state_dim(job->env);
  size_t at = 0;
  chunk_header h;
  const char* hp = take(data, size, &at, sizeof(h));
  if (!hp) return snprintf(msg, msgsz, "a chunk message is truncated"), DG_ERR_FORMAT;
  memcpy(&h, hp, sizeof(h));
  h.msg[MSG_SIZE - 1] = 0;
  if (h.magic != CHUNK_MAGIC || h.dims[0] != od || h.dims[1] != ad || h.dims[2] != sd)
    return snprintf(msg, msgsz, "a chunk message does not match this env (ranks differ?)"),
           DG_ERR_FORMAT;
  if (h.status) return snprintf(msg, msgsz, "%s", h.msg), h.status;
  const dg_rollout_options* opt = job->opt;
  for (int k = 0; k < h.count; k++) {
    dg_episode_stats st;
    int64_t len;
    const char* sp = take(data, size, &at, sizeof(st));
    const char* lp = take(data, size, &at, sizeof(len));
    if (!sp || !lp) return snprintf(msg, msgsz, "a chunk message is truncated"), DG_ERR_FORMAT;
    memcpy(&st, sp, sizeof(st));
    memcpy(&len, lp, sizeof(len));
    size_t n = len > 0 ? (size_t)len : 0;
    const double* arr[6];
    size_t widths[6] = {(size_t)od, (size_t)od, (size_t)ad, (size_t)ad, (size_t)sd, 1};
    for (int a = 0; a < 6; a++) {
      const char* q = take(data, size, &at, sizeof(double) * n * widths[a]);
      if (!q) return snprintf(msg, msgsz, "a chunk message is truncated"), DG_ERR_FORMAT;
      arr[a] = (const double*)q;  // 8-byte aligned: every part before it is a multiple of 8
    }
    // rebuild the episode as the recorder's own tap would have, and submit it
    int rc = dg_rec_episode_begin(ep, st.index, st.seed);
    for (size_t i = 0; !rc && i < n; i++)
      rc = dg_rec_episode_add(ep, arr[0] + i * od, arr[4] + i * sd, arr[2] + i * ad,
                              arr[3] + i * ad, arr[5][i], arr[1] + i * od);
    if (!rc) rc = dg_rec_episode_end(ep, st.success, st.terminated, st.truncated);
    if (!rc) rc = dg_rec_submit(job->rec, ep);
    for (int t = 0; !rc && t < opt->ntaps; t++)
      if (opt->taps[t].episode_end) rc = opt->taps[t].episode_end(opt->taps[t].user, NULL, &st);
    if (rc) return snprintf(msg, msgsz, "%s", dg_last_errmsg()), rc;
    stats[k] = st;
  }
  return DG_OK;
}

// --- several processes ----------------------------------------------------------------------

static int record_mpi(const cli_record_job* job, dg_rollout_summary* summary) {
  const dg_rollout_options* opt = job->opt;
  int C = job->workers, N = opt->episodes, R = mpi_size;
  int nchunks = (N + C - 1) / C;
  int od = dg_env_obs_dim(job->env), ad = dg_env_act_dim(job->env);
  int sd = dg_env_state_dim(job->env);
  char msg[1024] = "";
  pool p;
  int rc = pool_make(&p, job, mpi_rank != 0);
  if (rc) snprintf(msg, sizeof(msg), "%s", dg_last_errmsg());
  if (summary) memset(summary, 0, sizeof(*summary));

  if (mpi_rank == 0) {
    // walk the chunks in order: run ours, receive the others'; after a failure only drain
    dg_episode_stats* stats = calloc(N ? (size_t)N : 1, sizeof(*stats));
    dg_rec_episode* ep = NULL;
    if (!rc && !stats) rc = DG_ERR_NOMEM, snprintf(msg, sizeof(msg), "out of memory");
    if (!rc) rc = dg_rec_episode_make(job->env, &ep);
    if (rc && !msg[0]) snprintf(msg, sizeof(msg), "%s", dg_last_errmsg());
    int done = 0;  // episodes finished in order
    char* data = NULL;
    for (int c = 0; c < nchunks; c++) {
      int first = c * C, count = N - first < C ? N - first : C;
      int owner = c % R;
      if (owner == 0) {
        if (rc) continue;
        dg_rollout_summary part;
        rc = run_chunk(&p, job, opt->first_episode + first, count, opt->taps, opt->ntaps,
                       stats + done, &part);
        done += part.episodes;
        if (rc) snprintf(msg, sizeof(msg), "rank 0: %s", dg_last_errmsg());
        continue;
      }
      MPI_Status status;
      int size = 0;
      MPI_Probe(owner, 0, MPI_COMM_WORLD, &status);
      MPI_Get_count(&status, MPI_BYTE, &size);
      char* d = realloc(data, size > 0 ? (size_t)size : 1);
      if (!d) {
        // cannot even receive: MPI offers no way to skip a message
        fprintf(stderr, "demogym record: out of memory receiving a chunk; aborting the job\n");
        MPI_Abort(MPI_COMM_WORLD, EXIT_RESULT_FAILED);
      }
      data = d;
      MPI_Recv(data, size, MPI_BYTE, owner, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (rc) continue;
      char m[1024] = "";
      rc = unpack_submit(data, (size_t)size, job, ep, stats + done, m, sizeof(m));
      if (rc) {
        snprintf(msg, sizeof(msg), "%s", m);
      } else {
        done += count;
      }
    }
    free(data);
    dg_rec_episode_close(&ep);
    if (summary && stats) dg_rollout_summarize(stats, done, summary);
    free(stats);
  } else {
    // run our chunks and send each to rank 0, with at most IN_FLIGHT messages in flight
    buffer bufs[IN_FLIGHT];
    MPI_Request reqs[IN_FLIGHT];
    memset(bufs, 0, sizeof(bufs));
    for (int k = 0; k < IN_FLIGHT; k++) reqs[k] = MPI_REQUEST_NULL;
    int sent = 0;
    for (int c = mpi_rank; c < nchunks; c += R, sent++) {
      int first = c * C, count = N - first < C ? N - first : C;
      int slot = sent % IN_FLIGHT;
      MPI_Wait(&reqs[slot], MPI_STATUS_IGNORE);
      if (!rc) {
        dg_rollout_summary part;
        rc = run_chunk(&p, job, opt->first_episode + first, count, NULL, 0, NULL, &part);
        if (rc) snprintf(msg, sizeof(msg), "%s", dg_last_errmsg());
      }
      int prc = pack(&bufs[slot], &p, rc, rc ? msg : NULL, count, od, ad, sd);
      if (prc) {
        // no room for the episodes: send a failure note instead (it is small)
        rc = prc;
        snprintf(msg, sizeof(msg), "%s", "out of memory packing a chunk");
        bufs[slot].size = 0;
        chunk_header h;
        memset(&h, 0, sizeof(h));
        h.magic = CHUNK_MAGIC;
        h.status = rc;
        h.dims[0] = od, h.dims[1] = ad, h.dims[2] = sd;
        snprintf(h.msg, sizeof(h.msg), "rank %d: %s", mpi_rank, msg);
        if (bufs[slot].cap < sizeof(h)) {
          fprintf(stderr, "demogym record: out of memory on rank %d; aborting the job\n", mpi_rank);
          MPI_Abort(MPI_COMM_WORLD, EXIT_RESULT_FAILED);
        }
        memcpy(bufs[slot].data, &h, sizeof(h));
        bufs[slot].size = sizeof(h);
      }
      MPI_Isend(bufs[slot].data, (int)bufs[slot].size, MPI_BYTE, 0, 0, MPI_COMM_WORLD, &reqs[slot]);
    }
    MPI_Waitall(IN_FLIGHT, reqs, MPI_STATUSES_IGNORE);
    for (int k = 0; k < IN_FLIGHT; k++) free(bufs[k].data);
  }
  pool_free(&p, job);

  // every rank ends with rank 0's verdict
  int verdict = cli_mpi_bcast_int(rc);
  if (verdict) {
    if (mpi_rank == 0) {
      dg_set_last_errmsg("%s", msg);
    } else {
      dg_set_last_errmsg("the run failed (rank 0 reports why)");
    }
  }
  return verdict;
}
#endif

int cli_record_rollout(const cli_record_job* job, dg_rollout_summary* summary) {
  if (job->workers < 1) {
    dg_set_last_errmsg("workers must be at least 1");
    return DG_ERR_INVALID;
  }
#ifdef DG_HAVE_MPI
  if (mpi_on && mpi_size > 1) return record_mpi(job, summary);
#endif
  return record_local(job, summary);
}
