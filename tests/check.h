// check.h: assertions for demogym's tests; they stay on in release builds and say what failed.
#ifndef DEMOGYM_TEST_CHECK_H
#define DEMOGYM_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

#define CHECK_MSG(cond, ...)                                                   \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

// a call returning a dg_status must succeed; on failure print the library's message
#define CHECK_OK(call)                                                                       \
  do {                                                                                       \
    int check_rc_ = (call);                                                                  \
    if (check_rc_ != 0) {                                                                    \
      fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #call, check_rc_, \
              dg_last_errmsg());                                                             \
      exit(1);                                                                               \
    }                                                                                        \
  } while (0)

#define CHECK_NEAR(a, b, tol)                                                             \
  do {                                                                                    \
    double check_a_ = (a), check_b_ = (b);                                                \
    if (!(fabs(check_a_ - check_b_) <= (tol))) {                                          \
      fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g, tol %g\n", __FILE__, \
              __LINE__, #a, check_a_, #b, check_b_, (double)(tol));                       \
      exit(1);                                                                            \
    }                                                                                     \
  } while (0)

#endif  // DEMOGYM_TEST_CHECK_H
