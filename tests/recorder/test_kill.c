// test_kill.c: a recording process killed with SIGKILL at any moment leaves a file that opens,
// validates, and holds every episode committed before the kill, each identical to the same
// episode recorded without interruption, and at most the writer thread's queue (write_behind)
// of the episodes that had ended is missing. Kills land at random times (>= 50 of them, fresh files
// and appends) and at every single file operation of the commit protocol (write, truncate,
// rename), so the short windows inside a commit are hit for sure, not by luck.
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "demogym/dataset.h"
#include "demogym/demogym.h"
#include "demogym/recorder.h"
#include "recorder_internal.h"

#define EPISODES 10
#define RANDOM_KILLS 60
#define BASE_EPISODES 3  // an append trial adds to a file that holds these

static char dir[256];

typedef struct report_pipe {
  int fd;
  int ended;      // episodes the rollout has ended (and handed to the recorder)
  int committed;  // episodes the recorder has committed
} report_pipe;

// tell the parent: {0, episodes ended} or {1, episodes committed}
static int report(report_pipe* p, int kind, int value) {
  int msg[2] = {kind, value};
  return write(p->fd, msg, sizeof(msg)) == sizeof(msg) ? 0 : DG_ERR_IO;
}

// after the recorder's tap has handed an episode over
static int on_end(void* user, dg_env* env, const dg_episode_stats* st) {
  report_pipe* p = user;
  return report(p, 0, ++p->ended);
}

// after the recorder has committed a demo (on its writer thread)
static void on_commit(void* user, int episode, int demo) {
  report_pipe* p = user;
  report(p, 1, ++p->committed);
}

// made once in the parent, before any fork, so a child starts recording at once
static dg_env* env;
static dg_policy* expert;
static int write_behind;  // the recorder's queue in the next child (set before the fork)

// record episodes [first, first + n) of seed 5 into path; kill_after > 0 arms the kill point
static int record(const char* path, int mode, int first, int n, int fd, long kill_after) {
  dg_rec* rec;
  dg_rec_tap* tap;
  dg_rec_options ro;
  dg_rec_options_default(&ro);
  ro.mode = mode;
  ro.store_labels = 1;
  ro.first_episode = first;
  ro.write_behind = write_behind;
  report_pipe rp = {fd, 0, 0};
  ro.on_commit = on_commit;
  ro.on_commit_user = &rp;
  CHECK_OK(dg_rec_make(path, env, &ro, &rec));
  CHECK_OK(dg_rec_tap_make(rec, env, expert, &tap));
  if (kill_after > 0) dg_rec_debug_kill_after(rec, kill_after);
  dg_tap taps[2] = {*dg_rec_tap_get(tap), {&rp, NULL, NULL, NULL, on_end}};
  dg_rollout_options o;
  dg_rollout_options_default(&o);
  o.episodes = n;
  o.first_episode = first;
  o.seed = 5;
  o.taps = taps;
  o.ntaps = 2;
  CHECK_OK(dg_rollout_run(env, expert, &o, NULL, NULL));
  CHECK_OK(dg_rec_finish(rec));
  dg_rec_close(&rec);
  dg_rec_tap_close(&tap);
  return 0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// run a recording child; kill it after delay seconds (< 0: let it finish); return the number of
// demos it must hold: every episode it reported committed, and all it reported ended but for at
// most write_behind; and whether it was killed
static int run_child(const char* path, int mode, int first, int n, long kill_after, double delay,
                     int* killed) {
  int fds[2];
  CHECK(pipe(fds) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    record(path, mode, first, n, fds[1], kill_after);
    _exit(0);
  }
  close(fds[1]);
  if (delay >= 0) {
    struct timespec ts = {(time_t)delay, (long)((delay - (time_t)delay) * 1e9)};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  *killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (!*killed) CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child failed");
  int ended = 0, committed = 0, msg[2];
  while (read(fds[0], msg, sizeof(msg)) == sizeof(msg)) {
    if (msg[0] == 0) ended = msg[1];
    if (msg[0] == 1) committed = msg[1];
  }
  close(fds[0]);
  if (!*killed) CHECK_MSG(committed == ended, "%d episodes ended, %d committed", ended, committed);
  return committed > ended - write_behind ? committed : ended - write_behind;
}

// every demo of path equals the reference demo of the same episode, and there are at least want
static void check_file(const char* path, const char* ref_path, int base, int want, int* max_seen) {
  struct stat st;
  if (stat(path, &st) != 0) {
    CHECK_MSG(want == 0 && base == 0, "%s is missing after %d commits", path, want);
    return;
  }
  dg_validation v;
  CHECK_OK(dg_dataset_validate(path, &v));
  if (!v.valid) {
    for (int i = 0; i < v.nproblems && i < 5; i++) fprintf(stderr, "  %s\n", v.problems[i]);
    CHECK_MSG(0, "%s is not valid after a kill", path);
  }
  dg_validation_free(&v);
  dg_dataset *ds, *ref;
  CHECK_OK(dg_dataset_open(path, &ds));
  CHECK_OK(dg_dataset_open(ref_path, &ref));
  dg_dataset_info info;
  CHECK_OK(dg_dataset_get_info(ds, &info));
  CHECK_MSG(info.ndemos >= base + want, "%s holds %d demos, %d must be there (committed, or ended "
            "beyond the writer's queue)", path, info.ndemos, base + want);
  CHECK(info.ndemos <= BASE_EPISODES + EPISODES);
  for (int i = 0; i < info.ndemos; i++) {
    dg_demo a, b;
    CHECK_OK(dg_dataset_load_demo(ds, i, &a));
    CHECK_OK(dg_dataset_load_demo(ref, i, &b));
    CHECK_MSG(a.n == b.n && a.seed == b.seed, "%s demo %d differs from the reference", path, i);
    size_t n = (size_t)a.n;
    CHECK(!memcmp(a.obs, b.obs, sizeof(double) * n * a.obs_dim));
    CHECK(!memcmp(a.next_obs, b.next_obs, sizeof(double) * n * a.obs_dim));
    CHECK(!memcmp(a.actions, b.actions, sizeof(double) * n * a.act_dim));
    CHECK(!memcmp(a.labels, b.labels, sizeof(double) * n * a.act_dim));
    CHECK(!memcmp(a.states, b.states, sizeof(double) * n * a.state_dim));
    CHECK(!memcmp(a.rewards, b.rewards, sizeof(double) * n));
    dg_demo_free(&a);
    dg_demo_free(&b);
  }
  if (info.ndemos - base > *max_seen) *max_seen = info.ndemos - base;
  dg_dataset_close(&ds);
  dg_dataset_close(&ref);
}

static void copy_file(const char* from, const char* to) {
  char cmd[1100];
  snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
  CHECK(system(cmd) == 0);
}

int main(void) {
  snprintf(dir, sizeof(dir), "/tmp/dg_kill_XXXXXX");
  CHECK(mkdtemp(dir));
  char ref[512], base[512], path[512];
  snprintf(ref, sizeof(ref), "%s/ref.hdf5", dir);
  snprintf(base, sizeof(base), "%s/base.hdf5", dir);
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  CHECK_OK(dg_env_make("Reach-v0", NULL, &env));
  CHECK_OK(dg_policy_make_expert("Reach-v0", &expert));
  CHECK_OK(dg_policy_make_noisy(expert, 0.2, 0.0, &expert));

  // the reference: every episode, uninterrupted (0..BASE-1 then BASE..BASE+EPISODES-1)
  int killed;
  double t0 = now();
  CHECK(run_child(ref, DG_REC_CREATE, 0, BASE_EPISODES + EPISODES, 0, -1, &killed) ==
        BASE_EPISODES + EPISODES);
  double full = now() - t0;
  CHECK(run_child(base, DG_REC_CREATE, 0, BASE_EPISODES, 0, -1, &killed) == BASE_EPISODES);

  // random kills: half on fresh files, half appending to a copy of base; half with the writer
  // thread (the default queue), half committing in the rollout's thread
  dg_rec_options defaults;
  dg_rec_options_default(&defaults);
  int kills = 0, mid = 0, max_seen = 0;
  for (int trial = 0; trial < RANDOM_KILLS; trial++) {
    int append = trial % 2;
    write_behind = trial % 4 < 2 ? defaults.write_behind : 0;
    snprintf(path, sizeof(path), "%s/kill%d.hdf5", dir, trial);
    if (append) copy_file(base, path);
    // within the run's expected duration (an append records fewer episodes)
    double span = full * (append ? EPISODES : BASE_EPISODES + EPISODES) /
                  (BASE_EPISODES + EPISODES);
    double delay = 0.9 * span * rand() / (double)RAND_MAX;
    int must_hold = append ? run_child(path, DG_REC_APPEND, BASE_EPISODES, EPISODES, 0, delay,
                                       &killed)
                           : run_child(path, DG_REC_CREATE, 0, BASE_EPISODES + EPISODES, 0,
                                       delay, &killed);
    kills += killed;
    mid += killed && must_hold > 0 && must_hold < EPISODES;
    check_file(path, ref, append ? BASE_EPISODES : 0, must_hold, &max_seen);
  }
  printf("random kills: %d of %d runs killed, %d in the middle of recording\n", kills,
         RANDOM_KILLS, mid);
  CHECK_MSG(kills >= 50, "only %d runs were killed; the timing is off", kills);
  CHECK_MSG(mid >= 10, "only %d kills landed mid-recording", mid);

  // exact kills: at every file operation of an append run's first commits, made by the rollout's
  // thread and by the writer thread
  for (int threaded = 0; threaded < 2; threaded++) {
    write_behind = threaded ? defaults.write_behind : 0;
    int points = 0;
    for (long op = 1;; op++) {
      snprintf(path, sizeof(path), "%s/point%d_%ld.hdf5", dir, threaded, op);
      copy_file(base, path);
      int must_hold = run_child(path, DG_REC_APPEND, BASE_EPISODES, 1, op, -1, &killed);
      check_file(path, ref, BASE_EPISODES, must_hold, &max_seen);
      if (!killed) break;  // op lies past the run's last file operation
      points++;
      CHECK(op < 10000);
    }
    printf("exact kills: at each of %d file operations of a 1-episode append (write_behind %d)\n",
           points, write_behind);
    CHECK(points >= 10);
  }

  // every file also opens with h5py (Debian's python3-h5py), when it is there
  if (access("/usr/bin/python3", X_OK) == 0 &&
      system("/usr/bin/python3 -c 'import h5py' 2>/dev/null") == 0) {
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "/usr/bin/python3 -c \"import glob,h5py,sys\n"
             "for p in glob.glob('%s/*.hdf5'):\n"
             "  f=h5py.File(p,'r'); d=f['data']\n"
             "  assert sum(d[k].attrs['num_samples'] for k in d)==d.attrs['total'],p\n"
             "\"",
             dir);
    CHECK_MSG(system(cmd) == 0, "h5py could not read every file");
    printf("h5py opened every file\n");
  }
  dg_policy_close(&expert);
  dg_env_close(&env);
  char cmd[600];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
  printf("test_kill: ok\n");
  return 0;
}
