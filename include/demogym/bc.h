// demogym/bc.h: behaviour cloning: five policy classes on one MLP core, training on dg_samples,
// HDF5 checkpoints, and trained models as dg_policy handles.
//
// A model maps an observation to an action distribution. Its class fixes the network's head, its
// loss and how an action is drawn:
//   mse        the action itself; mean-squared error; deterministic
//   gaussian   mean and log-std per dimension; negative log-likelihood
//   gmm        K weights, means and std devs; negative log-likelihood (log-sum-exp)
//   ar         per action dimension a categorical over bins, conditioned on the bins chosen for
//              the earlier dimensions; cross-entropy
//   diffusion  a noise-prediction network conditioned on the observation and the step; DDPM
//              loss; DDPM or DDIM sampling
// Observations and actions are normalised with statistics fitted on the training samples and
// stored with the model. Training is deterministic: the same samples, options and seed give the
// same parameters bit for bit on one machine (OpenBLAS runs with a fixed thread count).
#ifndef DEMOGYM_BC_H
#define DEMOGYM_BC_H

#include "common.h"
#include "dataset.h"
#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dg_bc_model dg_bc_model;

#define DG_BC_CHECKPOINT_VERSION 1  // format version written into checkpoints, checked at load

// How a trained model turns its distribution into an action.
typedef enum dg_bc_sampling {
  DG_BC_SAMPLE_DEFAULT = 0,  // the class's default: MODE for every class (best for gmm and ar
                             // on the multimodal Detour-v0; diffusion does better there with
                             // EPISODE: see the README)
  DG_BC_SAMPLE_MODE = 1,     // deterministic: the mean (mse, gaussian), the most likely
                             // component's mean (gmm), the most likely bin per dimension refined
                             // by its neighbours (ar); diffusion: DDIM from zero noise (which
                             // picks a mode as the state's asymmetries lead it, and lands
                             // between modes where the state does not yet tell them apart)
  DG_BC_SAMPLE_STEP = 2,     // a fresh random draw at every step
  DG_BC_SAMPLE_EPISODE = 3   // random numbers drawn once per episode (at reset) and reused at
                             // every step: a random but temporally consistent choice of mode
} dg_bc_sampling;

// What a model is: its class, network and head sizes. Fill with dg_bc_config_default.
typedef struct dg_bc_config {
  char policy_class[16];  // "mse", "gaussian", "gmm", "ar" or "diffusion"
  int hidden;             // hidden width (default 256)
  int layers;             // hidden layers (default 3)
  int activation;         // dg_nn_act: 0 relu (default), 1 silu, 2 mish, 3 tanh
  int layer_norm;         // 1: layer norm in each hidden layer (default 0)
  int components;         // gmm: mixture components K (default 5)
  int bins;               // ar: bins per action dimension (default 64)
  int diffusion_steps;    // diffusion: training noise levels T (default 100)
  int sample_steps;       // diffusion: DDIM steps at sampling (default 20; T means DDPM)
  int sampling;           // dg_bc_sampling used by policies made from the model
  float min_log_std;      // gaussian, gmm: lower bound of log std, normalised units (default -5)
  float max_log_std;      // gaussian, gmm: upper bound (default 1)
} dg_bc_config;

// Fill c with the defaults for policy class `cls` (NULL: "mse").
DG_API void dg_bc_config_default(dg_bc_config* c, const char* cls);

// Return 1 when cls names one of the five classes.
DG_API int dg_bc_class_known(const char* cls);

// Progress of a training run, passed to the options' callback.
typedef struct dg_bc_progress {
  long step;            // steps done
  long steps;           // steps planned
  double train_loss;    // mean training loss since the last report
  double valid_loss;    // the last validation loss (NAN before the first or without a split)
  double best_valid;    // the best validation loss so far (NAN without a split)
  double samples_per_second;
  double seconds;       // since the start of training
} dg_bc_progress;

// Options of dg_bc_train; fill with dg_bc_train_options_default.
typedef struct dg_bc_train_options {
  dg_bc_config config;     // the model to make (ignored with init, whose config is kept)
  long steps;              // optimizer steps (default 5000)
  int batch;               // minibatch size (default 256)
  double lr;               // peak learning rate (default 1e-3)
  double min_lr;           // learning rate at the end of the cosine (default lr / 10 when < 0)
  double warmup;           // warm-up as a fraction of the steps (default 0.02)
  double weight_decay;     // AdamW's decoupled weight decay on weight matrices (default 1e-4)
  double grad_clip;        // clip the gradient's global norm to this (default 1; 0: never)
  double ema;              // keep an exponential moving average of the parameters with this
                           // decay (warmed up as min(ema, (1 + t) / (10 + t))); validation and
                           // the result use the average. 0: off (default; see the README)
  uint64_t seed;           // initialisation, minibatches and noise (default 0)
  int threads;             // OpenBLAS threads during training (default 1; see dg_bc_set_threads)
  long valid_every;        // validation every this many steps (default steps / 20)
  const dg_bc_model* init; // warm start: copy this model's parameters and normalisation.
                           // Nullable (default NULL: fresh initialisation, fitted statistics)
  int (*progress)(void* user, const dg_bc_progress* p);  // called at every validation and at
                           // the end; nonzero stops training with DG_ERR_INTERRUPTED. Nullable
  void* user;              // passed to progress
  const volatile int* stop;  // stop after the current step when *stop != 0 (the best model so
                           // far is still returned, status DG_ERR_INTERRUPTED). Nullable
} dg_bc_train_options;

// What a training run came to.
typedef struct dg_bc_report {
  long steps;               // steps taken
  double final_train_loss;  // mean training loss over the last validation period
  double final_valid_loss;  // validation loss of the returned model (NAN without a split)
  double best_valid_loss;   // the best validation loss seen (NAN without a split)
  long best_step;           // the step whose parameters were kept (steps without a split)
  double seconds;           // wall time of the training loop
  double samples_per_second;  // minibatch samples per second of training
  long nparams;             // network parameters
} dg_bc_report;

// Fill o with the defaults described at each field, for policy class cls (NULL: "mse").
DG_API void dg_bc_train_options_default(dg_bc_train_options* o, const char* cls);

// Train a model on train; with valid (nullable), keep the parameters of the best validation loss
// (evaluated every valid_every steps and at the end). *out receives the model (NULL on failure;
// on DG_ERR_INTERRUPTED the best model so far). Nullable: valid, report.
// Fails with DG_ERR_INVALID on empty samples, mismatched dimensions (also against init),
// non-finite values or bad options.
DG_API int dg_bc_train(const dg_samples* train, const dg_samples* valid,
                       const dg_bc_train_options* opt, dg_bc_model** out, dg_bc_report* report);

// Return the model's mean loss over samples (its class's loss; diffusion with a fixed noise
// seed), in *loss.
DG_API int dg_bc_model_loss(dg_bc_model* model, const dg_samples* samples, double* loss);

// Free *model and set it to NULL. Nullable: model, *model.
DG_API void dg_bc_model_close(dg_bc_model** model);

// Return the model's configuration.
DG_API const dg_bc_config* dg_bc_model_config(const dg_bc_model* model);

// Return the env the training samples came from ("" when unknown).
DG_API const char* dg_bc_model_env(const dg_bc_model* model);

// Return the observation size the model reads.
DG_API int dg_bc_model_obs_dim(const dg_bc_model* model);

// Return the action size the model writes.
DG_API int dg_bc_model_act_dim(const dg_bc_model* model);

// Return the report of the training run that made the model (zeros for a warm-start source that
// was never trained).
DG_API const dg_bc_report* dg_bc_model_report(const dg_bc_model* model);

// Set the sampling used by policies made from the model from now on (dg_bc_sampling).
DG_API int dg_bc_model_set_sampling(dg_bc_model* model, int sampling);

// Write the model to path as an HDF5 checkpoint (weights as datasets under /weights, the config
// as JSON in /config, normalisation under /normalization, format version in the root's
// attributes). Overwrites path. The bytes depend only on the model.
DG_API int dg_bc_save(const dg_bc_model* model, const char* path);

// Read a checkpoint. A missing file fails with DG_ERR_NOTFOUND; a file that is not HDF5, is
// truncated, is of another format or version, or holds inconsistent shapes or non-finite values
// fails with DG_ERR_FORMAT and a message naming the problem.
DG_API int dg_bc_load(const char* path, dg_bc_model** out);

// Make a policy acting with the model (the policy keeps its own copy; the model stays the
// caller's). With env_id (nullable), refuse a model trained in another env. The policy's kind is
// the class name, its label `name` (nullable: the class name). The policy refuses to act in an
// env whose observation or action size differs from the model's.
DG_API int dg_bc_policy_make(const dg_bc_model* model, const char* env_id, const char* name,
                             dg_policy** out);

// Load the checkpoint at path and make its policy (labelled with the file's name); as
// dg_bc_load and dg_bc_policy_make.
DG_API int dg_bc_policy_load(const char* path, const char* env_id, dg_policy** out);

// Run OpenBLAS with n threads (n >= 1). Process-wide (OpenBLAS keeps one thread pool);
// dg_bc_train sets it from its options. Results are deterministic for a given n.
DG_API void dg_bc_set_threads(int n);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_BC_H
