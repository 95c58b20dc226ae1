#!/bin/sh
# test_view_x11.sh: real X key events reach the viewer through GLFW's callbacks: in a paused
# `demogym view`, Tab hands control to the person, three Right keys take three steps, and Esc
# closes it cleanly. Run under an X server (xvfb-run). Usage: test_view_x11.sh PATH/TO/demogym
set -u
DG="$1"
fail() { echo "test_view_x11: FAIL: $*" >&2; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; exit 1; }
command -v xdotool >/dev/null || fail "xdotool is missing (apt-get install xdotool)"
[ -n "${DISPLAY:-}" ] || fail "no DISPLAY: run under xvfb-run"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$DG" view Reach-v0 --paused --width 320 --height 240 --seed 1 --screenshot "$tmp/step3.png" \
  --screenshot-step 3 --json >"$tmp/out.json" 2>"$tmp/err" &
pid=$!
# wait (at most 60 s) for the window; key events sent to it queue until the viewer reads them
wid=""
for i in $(seq 1 120); do
  wid=$(xdotool search --name "demogym: Reach-v0" 2>/dev/null | head -1)
  [ -n "$wid" ] && break
  kill -0 "$pid" 2>/dev/null || fail "view exited early: $(cat "$tmp/err")"
  sleep 0.5
done
[ -n "$wid" ] || fail "no viewer window appeared"
for k in Tab Right Right Right; do
  xdotool key --window "$wid" "$k" || fail "xdotool key $k"
done
# the screenshot of step 3 appears once the three steps are taken (at most 120 s)
for i in $(seq 1 240); do
  [ -s "$tmp/step3.png" ] && break
  kill -0 "$pid" 2>/dev/null || fail "view exited early: $(cat "$tmp/err")"
  sleep 0.5
done
[ -s "$tmp/step3.png" ] || fail "the three steps were not taken"
xdotool key --window "$wid" Escape || fail "xdotool key Escape"
for i in $(seq 1 60); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
kill -0 "$pid" 2>/dev/null && fail "Esc did not close the viewer"
wait "$pid" || fail "view exited with $?: $(cat "$tmp/err")"
python3 - "$tmp/out.json" <<'PY' || fail "view's JSON: $(cat "$tmp/out.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["steps"] == 3, r          # three single steps while paused
assert r["episodes"] == 0, r       # the episode was not over when Esc closed the window
assert r["takeovers"] == 1, r      # Tab handed control to the person
assert r["person_steps"] == 3, r   # who then took the three steps
PY
echo "test_view_x11: ok"
