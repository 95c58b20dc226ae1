// test_dagger_beta.c: DAgger's beta schedules follow their documented formulas (indicator, exp:P,
// linear:R), bad schedules are refused with a message, and the mixture judge executes the
// expert's action with probability beta per step from a generator the episode's seed fixes.
#include <string.h>

#include "check.h"
#include "demogym/demogym.h"

static void test_schedules(void) {
  dg_beta b;
  // indicator: beta_0 = 1, then 0
  CHECK_OK(dg_beta_parse("indicator", &b));
  CHECK(b.kind == DG_BETA_INDICATOR);
  CHECK(dg_beta_at(&b, 0) == 1.0);
  for (int i = 1; i < 10; i++) CHECK(dg_beta_at(&b, i) == 0.0);

  // exp:P: beta_i = P^i
  CHECK_OK(dg_beta_parse("exp:0.5", &b));
  CHECK(b.kind == DG_BETA_EXP && b.param == 0.5);
  CHECK(dg_beta_at(&b, 0) == 1.0);
  CHECK(dg_beta_at(&b, 1) == 0.5);
  CHECK(dg_beta_at(&b, 3) == 0.125);
  CHECK_OK(dg_beta_parse("exp:0.9", &b));
  CHECK_NEAR(dg_beta_at(&b, 5), 0.59049, 1e-12);
  CHECK_OK(dg_beta_parse("exp:0", &b));
  CHECK(dg_beta_at(&b, 0) == 1.0 && dg_beta_at(&b, 1) == 0.0);

  // linear:R: beta_i = max(0, 1 - i/R)
  CHECK_OK(dg_beta_parse("linear:4", &b));
  CHECK(b.kind == DG_BETA_LINEAR && b.param == 4);
  double want[] = {1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0};
  for (int i = 0; i < 7; i++) CHECK_NEAR(dg_beta_at(&b, i), want[i], 1e-15);
  CHECK_OK(dg_beta_parse("linear:2.5", &b));
  CHECK_NEAR(dg_beta_at(&b, 1), 0.6, 1e-15);

  // the text form reads back as the same schedule
  const char* texts[] = {"indicator", "exp:0.7", "linear:3"};
  for (int i = 0; i < 3; i++) {
    char buf[64];
    CHECK_OK(dg_beta_parse(texts[i], &b));
    dg_beta_format(&b, buf, sizeof(buf));
    CHECK_MSG(strcmp(buf, texts[i]) == 0, "%s formatted as %s", texts[i], buf);
  }

  // refused: unknown names, P outside [0, 1], R <= 0, trailing junk; the message says what fits
  const char* bad[] = {"",          "exp",       "exp:",     "exp:1.5",   "exp:-0.1", "linear:0",
                       "linear:-2", "linear:3x", "cosine:2", "Indicator", "exp:nan"};
  for (int i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
    dg_beta keep = {DG_BETA_LINEAR, 7};
    CHECK_MSG(dg_beta_parse(bad[i], &keep) == DG_ERR_INVALID, "'%s' accepted", bad[i]);
    CHECK(keep.kind == DG_BETA_LINEAR && keep.param == 7);  // untouched
    CHECK(strstr(dg_last_errmsg(), "linear:R") != NULL);
  }
}

// the mixture judge: per step the expert with probability beta, the same draws for the same
// episode seed, and always or never at beta 1 and 0
static void test_mixture(void) {
  double la[4] = {0}, ea[4] = {1, 1, 1, 1};
  dg_mixture m;
  dg_gate_judge j;
  int counts[3] = {0, 0, 0};
  double betas[3] = {0.0, 0.3, 1.0};
  const int n = 20000;
  for (int b = 0; b < 3; b++) {
    dg_mixture_init(&m, betas[b], &j);
    CHECK(j.user == &m && j.reset && j.choose);
    j.reset(j.user, 42);
    for (int i = 0; i < n; i++)
      counts[b] += j.choose(j.user, NULL, NULL, DG_GATE_LEARNER, la, ea, 4) == DG_GATE_SUPERVISOR;
  }
  CHECK(counts[0] == 0);
  CHECK(counts[2] == n);
  CHECK_MSG(fabs(counts[1] / (double)n - 0.3) < 0.015, "expert fraction %g at beta 0.3",
            counts[1] / (double)n);

  // the episode seed fixes the sequence of choices; another seed gives another sequence
  int seq[3][200];
  uint64_t seeds[3] = {7, 7, 8};
  for (int s = 0; s < 3; s++) {
    dg_mixture_init(&m, 0.5, &j);
    j.choose(j.user, NULL, NULL, 0, la, ea, 4);  // a draw before the reset changes nothing
    j.reset(j.user, seeds[s]);
    for (int i = 0; i < 200; i++) seq[s][i] = j.choose(j.user, NULL, NULL, 0, la, ea, 4);
  }
  CHECK(memcmp(seq[0], seq[1], sizeof(seq[0])) == 0);
  CHECK(memcmp(seq[0], seq[2], sizeof(seq[0])) != 0);

  // beta is clamped into [0, 1]
  dg_mixture_init(&m, 3.0, NULL);
  CHECK(m.beta == 1.0);
  dg_mixture_init(&m, -1.0, NULL);
  CHECK(m.beta == 0.0);
}

int main(void) {
  test_schedules();
  test_mixture();
  printf("test_dagger_beta: ok\n");
  return 0;
}
