// test_grasp.c: the arm grasps a 4 cm cube, lifts it 10 cm and the cube comes along, over many
// seeds; the contact tuning every pick task relies on.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"
#include "env_internal.h"

#define SEEDS 50
#define CUBE_HALF 0.02

static const char* XML =
    "<mujoco model='grasp_test'><include file='arm.xml'/><worldbody>"
    "<body name='cube' pos='0.45 0 0.02'><freejoint name='cube'/>"
    "<geom name='cube' class='object' type='box' size='0.02 0.02 0.02' mass='0.1' "
    "rgba='0.85 0.2 0.2 1'/></body></worldbody></mujoco>";

typedef struct ctx {
  int qadr;
} ctx;

static int t_init(dg_env* env, void* c, char* err, int errsz) {
  int j = mj_name2id(env->m, mjOBJ_JOINT, "cube");
  if (j < 0) return -1;
  ((ctx*)c)->qadr = env->m->jnt_qposadr[j];
  return 0;
}

static void t_reset(dg_env* env, void* c, dg_rng* rng) {
  dg_arm_place(&env->arm, env->m, env->d, NULL, 0.0, rng);
  double* q = env->d->qpos + ((ctx*)c)->qadr;
  double yaw = dg_rng_range(rng, -0.3, 0.3);
  q[0] = dg_rng_range(rng, 0.32, 0.6);
  q[1] = dg_rng_range(rng, -0.2, 0.2);
  q[2] = CUBE_HALF;
  q[3] = cos(yaw / 2), q[4] = 0, q[5] = 0, q[6] = sin(yaw / 2);
}

static void t_observe(const dg_env* env, const void* c, double* obs) {
  dg_arm_eef_pos(&env->arm, env->d, obs);
  memcpy(obs + 3, env->d->qpos + ((const ctx*)c)->qadr, 3 * sizeof(double));
  dg_arm_gripper(&env->arm, env->d, obs + 6, obs + 7);
}

static double t_reward(const dg_env* env, const void* c) { return 0; }
static int t_success(const dg_env* env, const void* c) { return 0; }

static const dg_task grasp_task = {
    .id = "GraspTest",
    .xml_text = NULL,  // set in main (designated initialisers cannot take XML above)
    .frame_skip = 25,
    .max_episode_steps = 1000,
    .camera = "corner",
    .nkeys = 3,
    .keys = {{"eef", 3}, {"cube", 3}, {"gripper", 2}},
    .ctx_size = sizeof(ctx),
    .init = t_init,
    .reset = t_reset,
    .observe = t_observe,
    .reward = t_reward,
    .success = t_success,
};

// move the grip point towards goal with the given grip for up to n steps (or until within tol)
static void move(dg_env* env, double* obs, const double* goal, double grip, int n, double tol) {
  for (int t = 0; t < n; t++) {
    double a[4];
    double dist = dg_dist3(obs, goal);
    if (tol > 0 && dist < tol) break;
    for (int i = 0; i < 3; i++) a[i] = dg_clamp((goal[i] - obs[i]) / DG_ARM_MAX_STEP, -1, 1);
    a[3] = grip;
    dg_step_result r;
    CHECK_OK(dg_env_step(env, a, obs, &r));
    CHECK(!r.info.diverged);
  }
}

int main(void) {
  dg_task task = grasp_task;
  task.xml_text = XML;
  dg_env* env;
  CHECK_OK(dg_env_make_task(&task, NULL, &env));
  int lifted = 0;
  double worst_drop = 0;
  for (uint64_t seed = 0; seed < SEEDS; seed++) {
    double obs[8];
    CHECK_OK(dg_env_reset(env, &seed, obs, NULL));
    double cube[3] = {obs[3], obs[4], obs[5]};
    double above[3] = {cube[0], cube[1], 0.12};
    double at[3] = {cube[0], cube[1], CUBE_HALF + 0.002};
    move(env, obs, above, -1, 40, 0.004);
    move(env, obs, at, -1, 30, 0.003);
    move(env, obs, at, 1, 8, 0);  // close
    double cube_before = obs[5];
    double up[3] = {at[0], at[1], at[2] + 0.10};
    move(env, obs, up, 1, 30, 0.0);
    move(env, obs, up, 1, 10, 0.0);  // hold still for half a second
    double rise = obs[5] - cube_before;
    double lag = 0.10 - rise;
    if (lag > worst_drop) worst_drop = lag;
    int ok = rise > 0.09 && fabs(obs[3] - obs[0]) < 0.02 && fabs(obs[4] - obs[1]) < 0.02;
    if (!ok)
      fprintf(stderr, "seed %llu: cube rose %.3f m (eef %.3f %.3f %.3f, cube %.3f %.3f %.3f)\n",
              (unsigned long long)seed, rise, obs[0], obs[1], obs[2], obs[3], obs[4], obs[5]);
    lifted += ok;
  }
  printf("grasp-and-lift: %d/%d seeds lifted the cube 10 cm (worst shortfall %.4f m)\n", lifted,
         SEEDS, worst_drop);
  CHECK_MSG(lifted == SEEDS, "only %d of %d grasps held", lifted, SEEDS);
  dg_env_close(&env);
  return 0;
}
