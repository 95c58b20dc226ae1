// rng.c: xoshiro256** generator (Blackman & Vigna), splitmix64 seeding, and seed derivation.
#include <math.h>

#include "demogym/rng.h"

static uint64_t splitmix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void dg_rng_seed(dg_rng* rng, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

uint64_t dg_rng_u64(dg_rng* rng) {
  uint64_t* s = rng->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double dg_rng_uniform(dg_rng* rng) { return (double)(dg_rng_u64(rng) >> 11) * 0x1.0p-53; }

double dg_rng_range(dg_rng* rng, double lo, double hi) {
  return lo + (hi - lo) * dg_rng_uniform(rng);
}

double dg_rng_normal(dg_rng* rng) {
  // 1 - u lies in (0, 1], so the log is finite
  double u1 = 1.0 - dg_rng_uniform(rng);
  double u2 = dg_rng_uniform(rng);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t dg_rng_below(dg_rng* rng, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = dg_rng_u64(rng);
  while (x >= limit);
  return x % n;
}

uint64_t dg_seed_derive(uint64_t base, uint64_t stream, uint64_t index) {
  uint64_t x = base;
  uint64_t h = splitmix64(&x);
  x = h ^ (stream * 0xd1b54a32d192ed03ULL);
  h = splitmix64(&x);
  x = h ^ (index * 0x8cb92ba72f3d8dd7ULL);
  return splitmix64(&x);
}
