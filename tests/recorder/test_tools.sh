#!/bin/sh
# test_tools.sh: the dataset commands keep their promises: record/inspect/validate/replay/split/
# merge print their JSON keys; every registered task's recording validates and replays with a
# state error of 0; a small card rebuilds to its checksum; bad input (not HDF5, truncated,
# foreign env, missing keys, wrong shapes, full disk, unwritable path) gets a clear error and
# leaves existing files as they were.
# Usage: test_tools.sh PATH/TO/demogym PATH/TO/python3 (with h5py) TESTS/RECORDER/DIR
set -u
DG="$1"
PY="$2"
HERE="$3"
fail() { echo "test_tools: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
jget() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$@"; }
json_has() {
  "$PY" - "$@" <<'PY' || exit 1
import json, sys
obj = json.load(open(sys.argv[1]))
missing = [k for k in sys.argv[2:] if k not in obj]
if missing:
    sys.exit("missing keys %s in %s" % (missing, sys.argv[1]))
PY
}
one_line() { [ "$(wc -l <"$1")" -eq 1 ] || fail "$2: not one line on stderr: $(cat "$1")"; }

# --- every registered task: record, validate, replay exactly ------------------------------------
ids=$("$DG" list --json | "$PY" -c "import json,sys; print(' '.join(e['id'] for e in json.load(sys.stdin)['envs']))")
[ -n "$ids" ] || fail "no env listed"
for id in $ids; do
  f="$tmp/$id.hdf5"
  "$DG" record "$id" --episodes 2 --seed 1 --noise 0.1 --out "$f" --json >"$tmp/rec.json" \
    2>"$tmp/err" || fail "record $id: $(cat "$tmp/err")"
  json_has "$tmp/rec.json" out episodes samples success_rate seconds
  "$DG" validate "$f" --json >"$tmp/val.json" || fail "validate $id: $(cat "$tmp/val.json")"
  json_has "$tmp/val.json" valid problems
  "$DG" replay "$f" --json >"$tmp/rep.json" || fail "replay $id: $(cat "$tmp/rep.json")"
  json_has "$tmp/rep.json" demos max_state_error
  [ "$(jget "$tmp/rep.json" max_state_error)" = "0" ] || fail "replay $id: state error $(jget "$tmp/rep.json" max_state_error)"
  [ "$(jget "$tmp/rep.json" demos)" = "2" ] || fail "replay $id: demos"
  echo "test_tools: $id records, validates and replays exactly"
done

# --- inspect, split, merge ---------------------------------------------------------------------
R="$tmp/r.hdf5"
"$DG" record Reach-v0 --episodes 8 --seed 2 --out "$R" -q >/dev/null || fail "record"
"$DG" inspect "$R" --json >"$tmp/ins.json" || fail "inspect"
json_has "$tmp/ins.json" env demos samples obs_keys action_dim action_min action_max filter_keys
[ "$(jget "$tmp/ins.json" demos)" = "8" ] || fail "inspect demos"
"$DG" split "$R" --valid 0.25 --seed 3 --json >"$tmp/split.json" || fail "split"
[ "$(jget "$tmp/split.json" valid)" = "2" ] || fail "split: valid count"
"$DG" validate "$R" >/dev/null || fail "validate after split"
"$DG" record Reach-v0 --episodes 3 --seed 9 --out "$tmp/r2.hdf5" -q >/dev/null || fail "record 2"
"$DG" merge "$tmp/m.hdf5" "$R" "$tmp/r2.hdf5" --json >"$tmp/merge.json" || fail "merge"
[ "$(jget "$tmp/merge.json" demos)" = "11" ] || fail "merge: demos"
"$DG" validate "$tmp/m.hdf5" >/dev/null || fail "validate merged"
"$DG" replay "$tmp/m.hdf5" --demo demo_9 --json >"$tmp/rep.json" || fail "replay one demo"
[ "$(jget "$tmp/rep.json" demos)" = "1" ] || fail "replay --demo"
"$DG" replay "$tmp/m.hdf5" --demo demo_99 2>"$tmp/err"; [ $? -eq 2 ] || fail "replay unknown demo"
one_line "$tmp/err" "replay unknown demo"

# --- a small card rebuilds to its checksum; a wrong checksum is reported -------------------------
DEMOGYM_DATASETS="$HERE/../../datasets" "$DG" dataset list --json >"$tmp/list.json" || fail "dataset list"
DEMOGYM_DATASETS="$HERE/../../datasets" "$DG" dataset build reach-smoke-5 --out "$tmp/smoke.hdf5" \
  --json >"$tmp/build.json" || fail "dataset build reach-smoke-5: $(cat "$tmp/build.json")"
[ "$(jget "$tmp/build.json" match)" = "True" ] || fail "card checksum"
sed 's/"sha256": "[0-9a-f]/"sha256": "X/' "$HERE/../../datasets/reach-smoke-5.json" | sed 's/"X/"0/' >"$tmp/bad-card.json"
"$DG" dataset build "$tmp/bad-card.json" --out "$tmp/smoke2.hdf5" >/dev/null 2>&1; [ $? -eq 1 ] || fail "a wrong checksum passed"

# --- bad input: clear error, no damage -----------------------------------------------------------
cp "$R" "$tmp/keep.hdf5"
same() { cmp -s "$1" "$2" || fail "$3 changed the file"; }
# not HDF5
echo "hello, not a dataset" >"$tmp/text.hdf5"
cp "$tmp/text.hdf5" "$tmp/text.keep"
"$DG" inspect "$tmp/text.hdf5" 2>"$tmp/err"; [ $? -eq 2 ] || fail "inspect text"
one_line "$tmp/err" "inspect text"; grep -q "not an HDF5 file" "$tmp/err" || fail "text: message"
"$DG" validate "$tmp/text.hdf5" --json >"$tmp/v.json"; [ $? -eq 1 ] || fail "validate text"
"$DG" record Reach-v0 --episodes 1 --append --out "$tmp/text.hdf5" 2>"$tmp/err"; [ $? -eq 2 ] || fail "append to text"
same "$tmp/text.hdf5" "$tmp/text.keep" "append to text"
# truncated
head -c 30000 "$R" >"$tmp/trunc.hdf5"
"$DG" inspect "$tmp/trunc.hdf5" 2>"$tmp/err"; [ $? -eq 2 ] || fail "inspect truncated"
one_line "$tmp/err" "inspect truncated"; grep -qi "truncated" "$tmp/err" || fail "truncated: message $(cat "$tmp/err")"
"$DG" validate "$tmp/trunc.hdf5" >/dev/null; [ $? -eq 1 ] || fail "validate truncated"
# foreign env
other=$(echo "$ids" | tr ' ' '\n' | grep -v '^Reach-v0$' | head -1)
if [ -n "$other" ]; then
  "$DG" record "$other" --episodes 1 --append --out "$R" 2>"$tmp/err"; [ $? -eq 2 ] || fail "foreign append"
  one_line "$tmp/err" "foreign append"; grep -q "Reach-v0" "$tmp/err" || fail "foreign: message"
  "$DG" merge "$tmp/mm.hdf5" "$R" "$tmp/$other.hdf5" 2>"$tmp/err"; [ $? -eq 2 ] || fail "foreign merge"
  [ -e "$tmp/mm.hdf5" ] && fail "a refused merge left a file"
fi
same "$R" "$tmp/keep.hdf5" "foreign append"
# an existing file without --append
"$DG" record Reach-v0 --episodes 1 --out "$R" 2>"$tmp/err"; [ $? -eq 2 ] || fail "record over a file"
same "$R" "$tmp/keep.hdf5" "record over a file"
# missing keys and wrong shapes (edited with h5py)
cp "$R" "$tmp/missing.hdf5"
cp "$R" "$tmp/shape.hdf5"
"$PY" - "$tmp/missing.hdf5" "$tmp/shape.hdf5" <<'PY' || fail "h5py edit"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "a") as f:
    del f["data/demo_1/actions"]
    del f["data/demo_2/obs/eef_pos"]
with h5py.File(sys.argv[2], "a") as f:
    g = f["data/demo_3/obs"]
    del g["eef_pos"]
    g.create_dataset("eef_pos", data=np.zeros((2, 5)))
PY
"$DG" validate "$tmp/missing.hdf5" --json >"$tmp/v.json"; [ $? -eq 1 ] || fail "validate missing"
grep -q "demo_1/actions is missing" "$tmp/v.json" || fail "missing: $(cat "$tmp/v.json")"
grep -q "demo_2/obs/eef_pos is missing" "$tmp/v.json" || fail "missing key: $(cat "$tmp/v.json")"
"$DG" replay "$tmp/missing.hdf5" 2>"$tmp/err"; [ $? -eq 2 ] || fail "replay missing"
one_line "$tmp/err" "replay missing"
"$DG" validate "$tmp/shape.hdf5" --json >"$tmp/v.json"; [ $? -eq 1 ] || fail "validate shape"
grep -q "demo_3/obs/eef_pos has shape (2, 5)" "$tmp/v.json" || fail "shape: $(cat "$tmp/v.json")"
# full disk: the file size limit stops an append half-way; the file keeps what it had
cp "$R" "$tmp/full.hdf5"
size=$(wc -c <"$R")
( trap '' XFSZ; ulimit -f $(( (size + 60000) / 512 )); exec "$DG" record Reach-v0 --episodes 200 \
    --seed 5 --append --out "$tmp/full.hdf5" ) 2>"$tmp/err" >/dev/null; rc=$?
[ $rc -eq 1 ] || fail "full disk: exit $rc: $(cat "$tmp/err")"
one_line "$tmp/err" "full disk"
grep -q "File too large\|No space" "$tmp/err" || fail "full disk: message $(cat "$tmp/err")"
"$DG" validate "$tmp/full.hdf5" >/dev/null || fail "full disk: the file is damaged"
"$DG" inspect "$tmp/full.hdf5" --json >"$tmp/ins2.json"
n=$(jget "$tmp/ins2.json" demos); [ "$n" -gt 8 ] && [ "$n" -lt 208 ] || fail "full disk: $n demos"
# unwritable path
"$DG" record Reach-v0 --episodes 1 --out /dev/null/x.hdf5 2>"$tmp/err"; rc=$?
[ $rc -ne 0 ] || fail "unwritable path accepted"
one_line "$tmp/err" "unwritable path"; grep -q "/dev/null/x.hdf5" "$tmp/err" || fail "unwritable: message"
"$DG" inspect "$tmp/nosuch.hdf5" 2>"$tmp/err"; [ $? -eq 2 ] || fail "missing file"
one_line "$tmp/err" "missing file"
echo "test_tools: ok"
