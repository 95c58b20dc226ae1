#!/bin/sh
# test_mpi_record.sh: `mpirun -n R demogym record` writes the demos of the single-process run with
# the same seed, demo for demo (h5diff compares every dataset and attribute), for R = 2 and for
# R = 3 ranks of 2 threads each; only rank 0 prints; a failure on rank 0 ends every rank.
# Usage: test_mpi_record.sh PATH/TO/demogym PATH/TO/mpiexec SOURCE_DIR
set -u
DG="$1"
MPIEXEC="$2"
SRC="$3"
fail() { echo "test_mpi_record: FAIL: $*" >&2; exit 1; }
# in a sanitized build, leaks do not fail a rank (Open MPI's own come from plugins it unloaded,
# which no suppression can name, with stacks the unwinder garbles): fail here on a leak whose
# allocation was made by demogym's code (frame #1, right above malloc, in our sources)
no_leaks_of_ours() {
  if grep -Eq "^ +#1 .*$SRC/(cli|envs|recorder|learners)/" "$1"; then
    fail "a leak in demogym's code under MPI: $(grep -B3 -A8 -E "^ +#1 .*$SRC/" "$1" | head -40)"
  fi
}
command -v h5diff >/dev/null || fail "h5diff (hdf5-tools) is missing"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# as root (CI), Open MPI wants both variables; more ranks than cores need --oversubscribe
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
MPI="$MPIEXEC --oversubscribe"
# a noisy expert (labels stored) with some failures dropped: every path of the recorder
ARGS="Reach-v0 --episodes 9 --seed 11 --noise 0.4 --epsilon 0.7 --max-steps 40 --only-success"

"$DG" record $ARGS --out "$tmp/one.h5" --json >"$tmp/one.json" || fail "single-process record"
demos=$(python3 -c "import json; print(json.load(open('$tmp/one.json'))['demos_written'])")
[ "$demos" -ge 3 ] && [ "$demos" -lt 9 ] || fail "the run should keep some demos and drop some ($demos of 9)"

$MPI -n 2 "$DG" record $ARGS --out "$tmp/two.h5" --json >"$tmp/two.json" 2>"$tmp/two.err" \
  || fail "mpirun -n 2 record: $(cat "$tmp/two.err")"
[ "$(grep -c '"out"' "$tmp/two.json")" -eq 1 ] || fail "not exactly one JSON object: $(cat "$tmp/two.json")"
python3 -c "
import json; a = json.load(open('$tmp/one.json')); b = json.load(open('$tmp/two.json'))
assert b['processes'] == 2, b
for k in ['episodes', 'demos_written', 'samples', 'success_rate']: assert a[k] == b[k], (k, a[k], b[k])
" || fail "mpirun -n 2 reports other numbers"
no_leaks_of_ours "$tmp/two.err"
h5diff "$tmp/one.h5" "$tmp/two.h5" >"$tmp/diff" 2>&1 || fail "2 ranks wrote other demos: $(head -20 "$tmp/diff")"

$MPI -n 3 "$DG" record $ARGS --workers 2 --out "$tmp/three.h5" -q >/dev/null 2>"$tmp/three.err" \
  || fail "mpirun -n 3 record --workers 2: $(cat "$tmp/three.err")"
no_leaks_of_ours "$tmp/three.err"
h5diff "$tmp/one.h5" "$tmp/three.h5" >"$tmp/diff" 2>&1 || fail "3 ranks x 2 threads wrote other demos: $(head -20 "$tmp/diff")"
cmp -s "$tmp/one.h5" "$tmp/three.h5" || echo "test_mpi_record: note: same demos, other bytes"

# rank 0 cannot write: every rank ends, with one message, and the file is untouched
$MPI -n 2 "$DG" record $ARGS --out "$tmp/one.h5" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -ne 0 ] || fail "recording over an existing file succeeded"
no_leaks_of_ours "$tmp/err"
[ "$(grep -c 'demogym record' "$tmp/err")" -eq 1 ] || fail "expected one message: $(cat "$tmp/err")"
h5diff "$tmp/one.h5" "$tmp/two.h5" >/dev/null 2>&1 || fail "the existing file changed"
echo "test_mpi_record: ok"
