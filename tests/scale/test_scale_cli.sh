#!/bin/sh
# test_scale_cli.sh: `demogym eval --workers T` prints the same numbers for every T, and
# `demogym record --workers T` writes the same demos; bad --workers values are usage errors.
# Usage: test_scale_cli.sh PATH/TO/demogym
set -u
DG="$1"
fail() { echo "test_scale_cli: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in 1 2 3; do
  "$DG" eval Reach-v0 --episodes 12 --seed 5 --max-steps 12 --workers $t --json >"$tmp/eval$t.json" \
    2>"$tmp/err" || fail "eval --workers $t: $(cat "$tmp/err")"
done
python3 - "$tmp" <<'PY' || fail "eval --workers changes the numbers"
import json, sys
runs = [json.load(open("%s/eval%d.json" % (sys.argv[1], t))) for t in (1, 2, 3)]
keys = ["episodes", "successes", "success_rate", "success_ci95", "mean_return", "std_return",
        "mean_length", "total_steps"]
for r in runs[1:]:
    for k in keys:
        assert r[k] == runs[0][k], (k, r[k], runs[0][k])
# the limit of 12 steps truncates some episodes: the run is not trivially all-success
assert 0 < runs[0]["successes"] < 12, runs[0]
assert [r["workers"] for r in runs] == [1, 2, 3]
PY

"$DG" record Reach-v0 --episodes 6 --seed 2 --noise 0.3 --out "$tmp/a.h5" -q >/dev/null || fail "record"
"$DG" record Reach-v0 --episodes 6 --seed 2 --noise 0.3 --out "$tmp/b.h5" -q --workers 3 >/dev/null \
  || fail "record --workers 3"
h5diff "$tmp/a.h5" "$tmp/b.h5" >"$tmp/diff" 2>&1 || fail "record --workers 3 wrote other demos: $(head "$tmp/diff")"

for bad in 0 -1 abc 65 1025; do
  "$DG" record Reach-v0 --episodes 2 --out "$tmp/c.h5" --workers $bad 2>"$tmp/err" >/dev/null
  [ $? -eq 2 ] || fail "record --workers $bad is not a usage error"
  grep -q "workers" "$tmp/err" || fail "the message does not name --workers: $(cat "$tmp/err")"
  [ "$bad" = 65 ] && continue  # eval allows up to 1024 threads, record 64
  "$DG" eval Reach-v0 --episodes 2 --workers $bad 2>"$tmp/err" >/dev/null
  [ $? -eq 2 ] || fail "eval --workers $bad is not a usage error"
  grep -q "workers" "$tmp/err" || fail "the message does not name --workers: $(cat "$tmp/err")"
done
[ ! -e "$tmp/c.h5" ] || fail "a refused record wrote a file"
echo "test_scale_cli: ok"
