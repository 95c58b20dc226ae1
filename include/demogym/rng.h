// demogym/rng.h: the seeded random generator every handle owns (xoshiro256**), and seed derivation.
#ifndef DEMOGYM_RNG_H
#define DEMOGYM_RNG_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

// Generator state; plain data, copy it to fork a stream. Never shared between threads.
typedef struct dg_rng {
  uint64_t s[4];  // xoshiro256** state
} dg_rng;

// Seed the generator from one 64-bit value (expanded with splitmix64); any seed is valid.
DG_API void dg_rng_seed(dg_rng* rng, uint64_t seed);

// Return the next 64 random bits.
DG_API uint64_t dg_rng_u64(dg_rng* rng);

// Return a uniform double in [0, 1) with 53 random bits.
DG_API double dg_rng_uniform(dg_rng* rng);

// Return a uniform double in [lo, hi).
DG_API double dg_rng_range(dg_rng* rng, double lo, double hi);

// Return a standard normal sample (Box-Muller; uses two uniforms, keeps no cache).
DG_API double dg_rng_normal(dg_rng* rng);

// Return a uniform integer in [0, n); n > 0. Unbiased (rejection sampling).
DG_API uint64_t dg_rng_below(dg_rng* rng, uint64_t n);

// Derive an independent seed from (base, stream, index): the seed of episode `index` in
// stream `stream` of a run seeded with `base`. Pure function; equal inputs, equal output.
DG_API uint64_t dg_seed_derive(uint64_t base, uint64_t stream, uint64_t index);

#ifdef __cplusplus
}
#endif
#endif  // DEMOGYM_RNG_H
