#!/bin/sh
# test_dagger_cli.sh: `demogym dagger` and `demogym compounding` end to end on a tiny Reach-v0
# run: the JSON keys shared/CLI.md promises (iterations of {iteration, expert_labels,
# success_rate}, final_checkpoint), every iteration's checkpoint kept and loadable, the dataset
# grown by the labels the summary counts with its sources tagged, the same seed giving the same
# files, a rollout horizon ending DAgger's episodes early, HG-DAgger counting interventions, the
# curves as JSON, CSV and PNG, and one clear line with exit 2 for bad input.
# Usage: test_dagger_cli.sh PATH/TO/demogym
set -u
DG="$1"
fail() { echo "test_dagger_cli: FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one_line() {  # one_line FILE: exactly one line on stderr
  [ "$(wc -l <"$1")" -eq 1 ] || fail "expected one line on stderr, got: $(cat "$1")"
}

"$DG" dagger --help >/dev/null || fail "dagger --help"
"$DG" compounding --help >/dev/null || fail "compounding --help"

# a tiny DAgger run: 3 demos, 2 iterations of 2 episodes, exp:0.5, BC compared
small="--steps 150 --hidden 32 --layers 2 --batch 64 --eval-episodes 4 --no-plot"
"$DG" dagger Reach-v0 --policy-class mse --out "$tmp/a" --init-episodes 3 --iterations 2 \
  --episodes-per-iteration 2 --beta exp:0.5 --seed 3 --compare-bc $small --json \
  >"$tmp/a.json" 2>"$tmp/a.err" || fail "dagger: $(cat "$tmp/a.err")"
[ -s "$tmp/a.err" ] && fail "dagger --json wrote to stderr: $(cat "$tmp/a.err")"
"$DG" inspect "$tmp/a/data.hdf5" --json >"$tmp/a.inspect" || fail "inspect data.hdf5"
"$DG" validate "$tmp/a/data.hdf5" >/dev/null || fail "data.hdf5 does not validate"
$PY - "$tmp/a.json" "$tmp/a.inspect" "$tmp/a" <<'PY' || fail "dagger JSON"
import json, os, sys
o = json.load(open(sys.argv[1]))
ins = json.load(open(sys.argv[2]))
d = sys.argv[3]
assert "iterations" in o and "final_checkpoint" in o, o.keys()
its = o["iterations"]
assert [it["iteration"] for it in its] == [0, 1, 2], its
for it in its:
    for k in ["iteration", "expert_labels", "success_rate", "beta", "new_labels", "checkpoint",
              "bc_success_rate", "bc_labels"]:
        assert k in it, k
    assert 0 <= it["success_rate"] <= 1
    assert os.path.exists(it["checkpoint"]), it["checkpoint"]
    assert it["bc_labels"] == it["expert_labels"]
assert [it["beta"] for it in its] == [1.0, 0.5, 0.25], [it["beta"] for it in its]
# the cumulative labels grow by each iteration's new labels, and the file holds them all
for a, b in zip(its, its[1:]):
    assert b["expert_labels"] == a["expert_labels"] + b["new_labels"] and b["new_labels"] > 0
assert ins["samples"] == its[-1]["expert_labels"], (ins["samples"], its[-1])
assert ins["demos"] == 3 + 2 + 2, ins["demos"]
assert o["final_checkpoint"] == its[-1]["checkpoint"] == os.path.join(d, "iter_2.h5")
assert its[0]["bc_success_rate"] == its[0]["success_rate"]
assert os.path.exists(os.path.join(d, "bc_2.h5")) and os.path.exists(os.path.join(d, "summary.json"))
assert json.load(open(os.path.join(d, "summary.json")))["iterations"] == its
rows = open(os.path.join(d, "iterations.csv")).read().split("\n")
assert rows[0].startswith("iteration,beta,expert_labels,success_rate") and len([r for r in rows if r]) == 4
PY
/usr/bin/h5dump -a /data/demo_5/dg_source "$tmp/a/data.hdf5" 2>/dev/null | grep -q '"dagger:2"' \
  || fail "demo_5 is not tagged dagger:2"
/usr/bin/h5dump -a /data/demo_3/dg_source "$tmp/a/data.hdf5" 2>/dev/null | grep -q '"dagger:1"' \
  || fail "demo_3 is not tagged dagger:1"
# a kept checkpoint evaluates as any other
"$DG" eval Reach-v0 --policy "$tmp/a/iter_1.h5" --episodes 2 --json >/dev/null \
  || fail "eval iter_1.h5"

# the same seed: the same dataset and checkpoints (workers do not matter)
"$DG" dagger Reach-v0 --policy-class mse --out "$tmp/b" --init-episodes 3 --iterations 2 \
  --episodes-per-iteration 2 --beta exp:0.5 --seed 3 --compare-bc --workers 2 $small -q \
  >/dev/null 2>"$tmp/b.err" || fail "dagger again: $(cat "$tmp/b.err")"
for f in data.hdf5 iter_0.h5 iter_2.h5 bc_2.h5; do
  cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "the same seed gave a different $f"
done

# a rollout horizon: DAgger's episodes end after 5 steps (truncated), the demos and the
# evaluation keep the env's time limit (iteration 0 is the same model with the same numbers)
"$DG" dagger Reach-v0 --policy-class mse --out "$tmp/h" --init-episodes 3 --iterations 2 \
  --episodes-per-iteration 2 --beta exp:0.5 --seed 3 --rollout-steps 5 $small --json \
  >"$tmp/h.json" 2>"$tmp/h.err" || fail "dagger --rollout-steps: $(cat "$tmp/h.err")"
cmp -s "$tmp/a/iter_0.h5" "$tmp/h/iter_0.h5" || fail "--rollout-steps changed iteration 0"
$PY - "$tmp/a.json" "$tmp/h.json" "$tmp/h/data.hdf5" <<'PY' || fail "--rollout-steps"
import json, sys, h5py
a, h = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert h["rollout_steps"] == 5 and a["rollout_steps"] == 0, (h["rollout_steps"], a["rollout_steps"])
a0, h0 = a["iterations"][0], h["iterations"][0]
assert (a0["success_rate"], a0["eval_mean_length"]) == (h0["success_rate"], h0["eval_mean_length"])
for it in h["iterations"][1:]:
    assert it["rollout_steps"] == it["new_labels"] == 2 * 5, it
with h5py.File(sys.argv[3], "r") as f:
    for i in range(3, 7):
        g = f["data/demo_%d" % i]
        assert g.attrs["num_samples"] == 5 and g.attrs["dg_truncated"] == 1, i
    # the demos are whole expert episodes, longer than the horizon
    assert all(f["data/demo_%d" % i].attrs["num_samples"] > 5 for i in range(3)), "demos cut"
PY
# a horizon beyond the env's time limit (100) changes nothing
"$DG" dagger Reach-v0 --policy-class mse --out "$tmp/h2" --init-episodes 3 --iterations 2 \
  --episodes-per-iteration 2 --beta exp:0.5 --seed 3 --rollout-steps 1000 $small -q \
  >/dev/null 2>"$tmp/h2.err" || fail "dagger --rollout-steps 1000: $(cat "$tmp/h2.err")"
for f in data.hdf5 iter_2.h5; do
  cmp -s "$tmp/a/$f" "$tmp/h2/$f" || fail "--rollout-steps beyond the time limit changed $f"
done

# an existing run is refused without --overwrite, kept untouched, and replaced with it
sum_before=$(md5sum <"$tmp/a/data.hdf5")
"$DG" dagger Reach-v0 --policy-class mse --out "$tmp/a" --init-episodes 2 --iterations 0 \
  $small -q >/dev/null 2>"$tmp/e.err"
[ $? -eq 2 ] || fail "an existing run was not refused with 2"
one_line "$tmp/e.err"
grep -q "overwrite" "$tmp/e.err" || fail "the refusal does not mention --overwrite"
[ "$(md5sum <"$tmp/a/data.hdf5")" = "$sum_before" ] || fail "the refused run touched data.hdf5"
"$DG" dagger Reach-v0 --policy-class mse --out "$tmp/a" --init-episodes 2 --iterations 1 \
  --episodes-per-iteration 1 --overwrite $small --json >"$tmp/o.json" 2>/dev/null \
  || fail "--overwrite"
[ -e "$tmp/a/iter_2.h5" ] && fail "--overwrite kept the earlier run's iter_2.h5"

# HG-DAgger from a dataset: the gate counts interventions; only expert steps are labelled
"$DG" record Reach-v0 --episodes 3 --seed 3 --out "$tmp/init.h5" -q >/dev/null || fail "record"
"$DG" dagger Reach-v0 --policy-class mse --out "$tmp/g" --init-data "$tmp/init.h5" --gated \
  --iterations 2 --episodes-per-iteration 3 --seed 3 $small --json >"$tmp/g.json" \
  2>/dev/null || fail "dagger --gated"
$PY - "$tmp/g.json" <<'PY' || fail "HG-DAgger JSON"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["gated"] is True and o["method"] == "hg-dagger"
its = o["iterations"]
assert len(its) == 3 and "total_interventions" in o
for it in its[1:]:
    assert it["new_labels"] == it["expert_steps"] <= it["rollout_steps"], it
    assert it["interventions"] <= it["new_labels"]
    assert (it["interventions"] == 0) == (it["new_labels"] == 0), it
assert o["total_interventions"] == sum(it["interventions"] for it in its)
PY
cmp -s "$tmp/init.h5" "$tmp/g/data.hdf5" && fail "init data was not copied"

# bad input: one line, exit 2, nothing made
for args in "Reach-v0 --policy-class mse --out $tmp/x --beta cosine" \
            "Reach-v0 --policy-class nope --out $tmp/x" \
            "Reach-v0 --out $tmp/x" \
            "Nope-v0 --policy-class mse --out $tmp/x $small" \
            "Reach-v0 --policy-class mse --out $tmp/x --gated --beta exp:0.5" \
            "Reach-v0 --policy-class mse --out $tmp/x --gated --enter 0.1 --leave 0.3" \
            "Reach-v0 --policy-class mse --out $tmp/x --rollout-steps 0" \
            "Push-v0 --policy-class mse --out $tmp/x --init-data $tmp/init.h5 $small" \
            "Reach-v0 --policy-class mse --out $tmp/x --init-data $tmp/missing.h5 $small"; do
  "$DG" dagger $args >/dev/null 2>"$tmp/bad.err"
  rc=$?
  [ $rc -eq 2 ] || fail "dagger $args: exit $rc, want 2 ($(cat "$tmp/bad.err"))"
  one_line "$tmp/bad.err"
  [ -e "$tmp/x/iter_0.h5" ] && fail "dagger $args left a checkpoint"
done

# compounding: the expert against itself has zero drift; the curves as JSON, CSV and PNG
"$DG" compounding Reach-v0 --policy expert --policy "$tmp/a/iter_0.h5" --episodes 2 \
  --horizon 25 --out "$tmp/cmp" --json >"$tmp/cmp.json" 2>"$tmp/cmp.err" \
  || fail "compounding: $(cat "$tmp/cmp.err")"
$PY - "$tmp/cmp.json" "$tmp/cmp.csv" <<'PY' || fail "compounding JSON/CSV"
import json, sys
o = json.load(open(sys.argv[1]))
for k in ["env", "episodes", "horizon", "policies", "csv"]:
    assert k in o, k
assert o["horizon"] == 25 and len(o["policies"]) == 2
e, l = o["policies"]
assert e["policy"] == "expert" and max(e["eef_dist"]) == 0
assert max(v for v in e["err_own"] if v is not None) == 0 and e["err_own"][0] == 0
for p in o["policies"]:
    for k in ["eef_dist", "err_own", "err_expert", "alive"]:
        assert len(p[k]) == 25, k
assert l["eef_dist"][0] == 0
rows = [r for r in open(sys.argv[2]).read().split("\n") if r]
assert rows[0] == "policy,t,alive,eef_dist,obj_dist,err_own,n_own,err_expert,n_expert"
assert len(rows) == 1 + 2 * 25
PY
if command -v gnuplot >/dev/null 2>&1; then
  [ -s "$tmp/cmp.png" ] || fail "compounding drew no PNG"
  head -c 8 "$tmp/cmp.png" | od -An -c | grep -q "P   N   G" || fail "cmp.png is not a PNG"
fi
"$DG" compounding Reach-v0 --policy "$tmp/missing.h5" --out "$tmp/cmp2" >/dev/null 2>"$tmp/c.err"
[ $? -eq 2 ] || fail "compounding with a missing policy: not exit 2"
one_line "$tmp/c.err"
echo "test_dagger_cli: ok"
