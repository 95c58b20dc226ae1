// dump_rollout.c: the C side of the Python binding's bit-for-bit test: steps an env through the
// library's C API with actions read from a file and writes what it observed, for the Python test
// to compare with the same rollout through the binding.
//
// usage: dg_py_dump ENV SEED MAX_STEPS ACTIONS OUT
//   MAX_STEPS: the env's time limit (options.max_episode_steps; 0: the task's default).
//   ACTIONS: n x act_dim float64 (native byte order), the actions of n steps.
//   OUT: float64 records: the first observation (obs_dim), then per step the next observation
//   (obs_dim), reward, terminated, truncated, success, and the observation of the reset that
//   follows an episode's end (obs_dim; NaN when the episode goes on), then the final full state
//   (state_dim). The env is reset with SEED first and, after each episode, without a seed (it
//   continues its generator), as the Python test does.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demogym/demogym.h"

static int fail(const char* what) {
  fprintf(stderr, "dg_py_dump: %s: %s\n", what, dg_last_errmsg());
  return 1;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: dg_py_dump ENV SEED MAX_STEPS ACTIONS OUT\n");
    return 2;
  }
  uint64_t seed = strtoull(argv[2], NULL, 10);
  dg_env_options opt;
  dg_env_options_default(&opt);
  opt.max_episode_steps = atoi(argv[3]);
  dg_env* env = NULL;
  if (dg_env_make(argv[1], &opt, &env)) return fail("make");
  int od = dg_env_obs_dim(env), ad = dg_env_act_dim(env), sd = dg_env_state_dim(env);
  int rc = 1;
  double* obs = malloc(sizeof(double) * od);
  double* reset_obs = malloc(sizeof(double) * od);
  double* action = malloc(sizeof(double) * ad);
  double* state = malloc(sizeof(double) * sd);
  FILE* in = fopen(argv[4], "rb");
  FILE* out = fopen(argv[5], "wb");
  if (!obs || !reset_obs || !action || !state || !in || !out) {
    fprintf(stderr, "dg_py_dump: cannot allocate or open files\n");
    goto done;
  }
  if (dg_env_reset(env, &seed, obs, NULL)) {
    fail("reset");
    goto done;
  }
  fwrite(obs, sizeof(double), od, out);
  while (fread(action, sizeof(double), ad, in) == (size_t)ad) {
    dg_step_result res;
    if (dg_env_step(env, action, obs, &res)) {
      fail("step");
      goto done;
    }
    double flags[4] = {res.reward, res.terminated, res.truncated, res.info.success};
    fwrite(obs, sizeof(double), od, out);
    fwrite(flags, sizeof(double), 4, out);
    if (res.terminated || res.truncated) {
      if (dg_env_reset(env, NULL, reset_obs, NULL)) {
        fail("reset");
        goto done;
      }
    } else {
      for (int i = 0; i < od; i++) reset_obs[i] = NAN;
    }
    fwrite(reset_obs, sizeof(double), od, out);
  }
  dg_env_get_state(env, state);
  fwrite(state, sizeof(double), sd, out);
  rc = ferror(out) ? 1 : 0;
done:
  if (in) fclose(in);
  if (out && fclose(out) != 0) rc = 1;
  free(obs);
  free(reset_obs);
  free(action);
  free(state);
  dg_env_close(&env);
  return rc;
}
