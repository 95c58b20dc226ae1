// bc_internal.h: the model handle and the interface every policy class (head) implements.
#ifndef DEMOGYM_BC_INTERNAL_H
#define DEMOGYM_BC_INTERNAL_H

#include "demogym/bc.h"
#include "demogym/rng.h"
#include "nn/nn.h"

#define DG_BC_OBS_CLIP 10.0f   // normalised observations are clipped to +-this
#define DG_BC_STD_FLOOR 1e-2   // normalisation scales are at least this
#define DG_BC_TEMB 16          // diffusion: width of the sinusoidal step embedding
#define DG_BC_MAX_T 1000       // diffusion: noise levels at most
#define DG_BC_MAX_BINS 1024    // ar: bins at most
#define DG_BC_MAX_K 64         // gmm: components at most

// How a class normalises actions.
enum { DG_BC_NORM_ZSCORE = 0, DG_BC_NORM_MINMAX = 1, DG_BC_NORM_NONE = 2 };

// The random numbers a policy draws: fresh at every step, or drawn once per episode.
typedef struct dg_bc_sampler {
  int sampling;   // the resolved dg_bc_sampling (never DEFAULT)
  dg_rng rng;     // reseeded at every reset
  int n;          // numbers kept per episode (each of u and z)
  float* u;       // per-episode uniforms in [0, 1) (n)
  float* z;       // per-episode standard normals (n)
} dg_bc_sampler;

// Make s for model m with sampling (dg_bc_sampling; DEFAULT: the class's); 0 or DG_ERR_NOMEM.
int dg_bc_sampler_init(dg_bc_sampler* s, const dg_bc_model* m, int sampling);
// Free what dg_bc_sampler_init allocated. Nullable.
void dg_bc_sampler_free(dg_bc_sampler* s);
// Start an episode: reseed from seed, and draw the episode's numbers.
void dg_bc_sampler_reset(dg_bc_sampler* s, uint64_t seed);

// Write m's action (act_dim doubles) for obs (obs_dim doubles) with s's random numbers; obs_n is
// scratch (obs_dim floats). Uses m's network rows 0..rows-1.
void dg_bc_act(dg_bc_model* m, dg_bc_sampler* s, const double* obs, float* obs_n, double* action);

// Return the i-th uniform of this step: stored per episode, or fresh.
float dg_bc_sampler_uniform(dg_bc_sampler* s, int i);
// Return the i-th standard normal of this step: stored per episode, or fresh.
float dg_bc_sampler_normal(dg_bc_sampler* s, int i);

// A training minibatch as the heads see it.
typedef struct dg_bc_batch {
  int B;             // samples
  const float* obs;  // normalised observations (B, obs_dim)
  const float* act;  // normalised actions (B, act_dim)
  float* target;     // scratch the head fills with regression targets (B, act_dim)
  int* labels;       // scratch the head fills with class labels (B * act_dim)
} dg_bc_batch;

typedef struct dg_bc_head dg_bc_head;

// The model handle.
struct dg_bc_model {
  dg_bc_config cfg;
  const dg_bc_head* head;
  int obs_dim;
  int act_dim;
  char env_name[64];
  double* stats;      // one allocation: obs_mean | obs_std | act_shift | act_scale
  double* obs_mean;   // (obs_dim)
  double* obs_std;    // (obs_dim)
  double* act_shift;  // (act_dim)
  double* act_scale;  // (act_dim)
  double* alpha_bar;  // diffusion: cumulative products of (1 - beta) (diffusion_steps); or NULL
  dg_mlp net;         // the network, with activations for max_batch rows
  dg_bc_report report;
};

// One policy class: the network's shape, the training batch and loss, and acting.
struct dg_bc_head {
  const char* name;
  int act_norm;          // DG_BC_NORM_*
  int default_sampling;  // what DG_BC_SAMPLE_DEFAULT means for this class
  // Network input and output widths, and network rows per training sample.
  void (*shape)(const dg_bc_config* c, int obs_dim, int act_dim, int* in, int* out, int* rows);
  // Per-episode random numbers a sampler must keep (each of u and z).
  int (*noise_size)(const dg_bc_config* c, int act_dim);
  // Write the network input for batch b into m->net.x (B * rows rows) and the targets into b.
  void (*make_batch)(const dg_bc_model* m, dg_bc_batch* b, dg_rng* rng);
  // Return the loss of m->net.y on batch b; with grad, write dL/dy into m->net.dy.
  double (*loss)(dg_bc_model* m, dg_bc_batch* b, int grad);
  // Write a normalised action (act_dim) for a normalised observation (obs_dim).
  void (*act)(dg_bc_model* m, dg_bc_sampler* s, const float* obs, float* act);
};

extern const dg_bc_head dg_bc_head_mse;
extern const dg_bc_head dg_bc_head_gaussian;
extern const dg_bc_head dg_bc_head_gmm;
extern const dg_bc_head dg_bc_head_ar;
extern const dg_bc_head dg_bc_head_diffusion;

// Return the head called name, NULL if none.
const dg_bc_head* dg_bc_head_find(const char* name);

// Check a configuration; return 0 or DG_ERR_INVALID with a message (also in dg_last_errmsg).
int dg_bc_config_check(const dg_bc_config* c, int obs_dim, int act_dim, char* err, size_t errsz);

// Make a model of config c with zero parameters and identity normalisation, its network sized
// for max_batch training samples (times the class's rows per sample).
int dg_bc_model_make(const dg_bc_config* c, int obs_dim, int act_dim, const char* env_name,
                     int max_batch, dg_bc_model** out);

// Make a copy of m (parameters, statistics, report; fresh optimizer moments) sized for
// max_batch samples.
int dg_bc_model_clone(const dg_bc_model* m, int max_batch, dg_bc_model** out);

// Return the network rows per training sample of m's class.
int dg_bc_model_rows(const dg_bc_model* m);

// Fit the normalisation statistics on samples (observations, and the expert labels).
void dg_bc_model_fit_stats(dg_bc_model* m, const dg_samples* s);

// Write samples' observations and labels normalised as float (n x obs_dim, n x act_dim).
void dg_bc_normalize(const dg_bc_model* m, const dg_samples* s, float* obs, float* act);

// Normalise one observation (obs_dim doubles to floats).
void dg_bc_normalize_obs(const dg_bc_model* m, const double* obs, float* out);

// Mean loss over n normalised samples in chunks of at most max_batch (noise from a fixed seed).
double dg_bc_loss_over(dg_bc_model* m, const float* obs, const float* act, int n, float* target,
                       int* labels);

// Check that samples fit m's sizes and hold finite values; `what` names them in the message.
int dg_bc_check_samples(const dg_bc_model* m, const dg_samples* s, const char* what);

// Diffusion: the sinusoidal embedding of step t (DG_BC_TEMB values).
void dg_bc_step_embedding(float* out, int t);

#endif  // DEMOGYM_BC_INTERNAL_H
