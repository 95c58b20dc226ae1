#!/bin/sh
# test_train_cli.sh: `demogym train` and `demogym eval CKPT` keep shared/CLI.md's promises: the
# JSON keys, the same seed giving the same checkpoint bytes, a checkpoint readable with h5py,
# a policy that solves Reach-v0 from 40 demos, and one clear line with exit 2 for bad input
# (unknown class, missing data, a checkpoint of another env, a corrupt checkpoint).
# Usage: test_train_cli.sh PATH/TO/demogym
set -u
DG="$1"
fail() { echo "test_train_cli: FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one_line() {  # one_line FILE: exactly one line on stderr
  [ "$(wc -l <"$1")" -eq 1 ] || fail "expected one line on stderr, got: $(cat "$1")"
}

"$DG" train --help >/dev/null || fail "train --help"
"$DG" record Reach-v0 --episodes 40 --seed 0 --out "$tmp/reach.h5" -q >/dev/null \
  || fail "record"

# train: the promised keys, nothing on stderr with --json
args="--data $tmp/reach.h5 --policy-class mse --steps 600 --hidden 64 --layers 2 --seed 3"
"$DG" train $args --out "$tmp/a.h5" --json >"$tmp/train.json" 2>"$tmp/train.err" \
  || fail "train: $(cat "$tmp/train.err")"
[ -s "$tmp/train.err" ] && fail "train --json wrote to stderr: $(cat "$tmp/train.err")"
$PY - "$tmp/train.json" <<'PY' || fail "train JSON"
import json, sys
o = json.load(open(sys.argv[1]))
for k in ["out", "policy_class", "steps", "final_train_loss", "final_valid_loss", "seconds",
          "samples_per_second"]:
    assert k in o, k
assert o["policy_class"] == "mse" and o["steps"] == 600 and o["final_train_loss"] > 0, o
PY

# the same command and seed: the same bytes; another seed: other bytes
"$DG" train $args --out "$tmp/b.h5" -q >/dev/null || fail "train again"
cmp -s "$tmp/a.h5" "$tmp/b.h5" || fail "the same seed gave a different checkpoint"
"$DG" train --data "$tmp/reach.h5" --policy-class mse --steps 600 --hidden 64 --layers 2 \
  --seed 4 --out "$tmp/c.h5" -q >/dev/null || fail "train seed 4"
cmp -s "$tmp/a.h5" "$tmp/c.h5" && fail "another seed gave the same checkpoint"

# with mask/train and mask/valid (demogym split), training reads the one and validates on the other
cp "$tmp/reach.h5" "$tmp/split.h5"
"$DG" split "$tmp/split.h5" --valid 0.25 --seed 1 >/dev/null || fail "split"
"$DG" train --data "$tmp/split.h5" --policy-class gmm --steps 300 --hidden 32 --layers 2 \
  --out "$tmp/s.h5" --json >"$tmp/split.json" 2>"$tmp/split.err" || fail "train with a split"
$PY - "$tmp/split.json" "$tmp/train.json" <<'PY' || fail "train with a split: JSON"
import json, sys
s, a = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert isinstance(s["final_valid_loss"], float), s["final_valid_loss"]
assert s["valid_samples"] > 0 and s["valid_demos"] == 10 and s["train_demos"] == 30, s
assert s["train_samples"] + s["valid_samples"] == a["train_samples"], (s, a)
assert a["final_valid_loss"] is None and a["valid_samples"] == 0, a
assert 0 < s["best_step"] <= 300, s
PY

# a Python user reads the checkpoint with h5py: config JSON, weights, normalisation
$PY - "$tmp/a.h5" <<'PY' || fail "h5py cannot read the checkpoint"
import json, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["format"] in (b"demogym-bc-checkpoint", "demogym-bc-checkpoint")
    assert int(f.attrs["format_version"]) == 1
    cfg = json.loads(f["config"][()])
    assert cfg["policy_class"] == "mse" and cfg["env_name"] == "Reach-v0", cfg
    assert f["weights/fc0.weight"].shape == (64, cfg["obs_dim"])
    assert f["weights/out.weight"].shape == (cfg["act_dim"], 64)
    assert f["normalization/obs_mean"].shape == (cfg["obs_dim"],)
PY

# eval with the checkpoint: it solves Reach-v0
"$DG" eval Reach-v0 --policy "$tmp/a.h5" --episodes 20 --seed 100 --json >"$tmp/eval.json" \
  2>"$tmp/eval.err" || fail "eval CKPT: $(cat "$tmp/eval.err")"
$PY - "$tmp/eval.json" <<'PY' || fail "eval CKPT result"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["policy"] == "a.h5", o["policy"]
assert o["success_rate"] >= 0.8, o["success_rate"]
PY

# bad input: exit 2, one line on stderr that says what is wrong
"$DG" train $args --out "$tmp/x.h5" --policy-class nosuch 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown class: exit $rc"; one_line "$tmp/err"
grep -q "unknown policy class" "$tmp/err" || fail "unknown class message: $(cat "$tmp/err")"
"$DG" train --data "$tmp/none.h5" --policy-class mse --out "$tmp/x.h5" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "missing data: exit $rc"; one_line "$tmp/err"
"$DG" train $args --out "$tmp/x.h5" --filter-key nosuch 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown filter key: exit $rc"; one_line "$tmp/err"
"$DG" train $args --out "$tmp/x.h5" --steps 0 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "--steps 0: exit $rc"; one_line "$tmp/err"
[ -e "$tmp/x.h5" ] && fail "a failed train wrote a checkpoint"
other=$("$DG" list --json | $PY -c "
import json, sys
ids = [e['id'] for e in json.load(sys.stdin)['envs'] if e['id'] != 'Reach-v0']
print(ids[0] if ids else '')")
if [ -n "$other" ]; then
  "$DG" eval "$other" --policy "$tmp/a.h5" --episodes 2 2>"$tmp/err"; rc=$?
  [ $rc -eq 2 ] || fail "checkpoint in another env: exit $rc"; one_line "$tmp/err"
  grep -q "trained in Reach-v0" "$tmp/err" || fail "other env message: $(cat "$tmp/err")"
fi
head -c 3000 "$tmp/a.h5" >"$tmp/trunc.h5"
"$DG" eval Reach-v0 --policy "$tmp/trunc.h5" --episodes 2 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "truncated checkpoint: exit $rc"; one_line "$tmp/err"
"$DG" eval Reach-v0 --policy "$tmp/reach.h5" --episodes 2 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "a dataset as checkpoint: exit $rc"; one_line "$tmp/err"
grep -q "not a demogym checkpoint" "$tmp/err" || fail "dataset as checkpoint: $(cat "$tmp/err")"
echo "test_train_cli: ok"
