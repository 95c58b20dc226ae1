#!/bin/sh
# test_teleop_cli.sh: `demogym teleop` records the person's episodes (here scripted keys) as a
# valid dataset of source "human" holding the actions the keys mean; without a display it fails
# clearly and writes nothing. Run under an X server (xvfb-run). Usage: test_teleop_cli.sh DEMOGYM
set -u
DG="$1"
fail() { echo "test_teleop_cli: FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# W held for 4 steps, then up with the gripper closed, in episodes of 6 steps
"$DG" teleop Reach-v0 --out "$tmp/h.hdf5" --episodes 1 --max-steps 6 --speed 0 --width 320 --height 240 \
  --keys "0:+W 4:-W 4:C 4:+R" --json >"$tmp/t.json" 2>"$tmp/err" || fail "teleop: $(cat "$tmp/err")"
python3 -c "
import json; r = json.load(open('$tmp/t.json'))
for k in ('out', 'episodes', 'samples', 'success_rate', 'seconds'): assert k in r, k
assert r['episodes'] == 1 and r['samples'] == 6, r" || fail "teleop JSON: $(cat "$tmp/t.json")"
"$DG" validate "$tmp/h.hdf5" >/dev/null || fail "the teleop dataset is not valid"
h5dump -a /data/demo_0/dg_source "$tmp/h.hdf5" 2>/dev/null | grep -q '"human"' \
  || fail "source is not human"
h5dump -d /data/demo_0/actions -s "0,0" -c "6,4" "$tmp/h.hdf5" >"$tmp/a.txt" 2>&1 \
  || fail "h5dump: $(cat "$tmp/a.txt")"
python3 - "$tmp/a.txt" <<'PY' || fail "recorded actions: $(cat "$tmp/a.txt")"
import re, sys
text = open(sys.argv[1]).read()
body = text[text.index("DATA"):]
# h5dump prints (row,col): values; keep the numbers after each "):"
rows = re.findall(r"\(\d+,\d+\):\s*([^\n]+)", body)
nums = [float(x) for r in rows for x in r.replace(",", " ").split()]
acts = [nums[i:i + 4] for i in range(0, 24, 4)]
want = [[1, 0, 0, -1]] * 4 + [[0, 0, 1, 1]] * 2
assert acts == want, acts
PY

# an existing file is refused without --overwrite and kept as it was
cp "$tmp/h.hdf5" "$tmp/keep.hdf5"
"$DG" teleop Reach-v0 --out "$tmp/h.hdf5" --episodes 1 --speed 0 --keys "0:Esc" 2>"$tmp/err"
[ $? -ne 0 ] || fail "teleop over an existing file succeeded"
cmp -s "$tmp/h.hdf5" "$tmp/keep.hdf5" || fail "teleop changed an existing file"
# no display: a clear error, nothing written
DISPLAY= "$DG" teleop Reach-v0 --out "$tmp/none.hdf5" 2>"$tmp/err"; rc=$?
[ $rc -ne 0 ] && grep -q "xvfb-run" "$tmp/err" || fail "no display: exit $rc: $(cat "$tmp/err")"
[ -e "$tmp/none.hdf5" ] && fail "teleop without a display wrote a file"
echo "test_teleop_cli: ok"
