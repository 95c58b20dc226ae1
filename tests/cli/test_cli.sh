#!/bin/sh
# test_cli.sh: the demogym command keeps shared/CLI.md's promises: JSON keys, exit statuses,
# one clear line on stderr for bad input. Usage: test_cli.sh PATH/TO/demogym
set -u
DG="$1"
fail() { echo "test_cli: FAIL: $*" >&2; exit 1; }
json_has() {  # json_has FILE key... : every key is in the object
  python3 - "$@" <<'PY' || exit 1
import json, sys
obj = json.load(open(sys.argv[1]))
missing = [k for k in sys.argv[2:] if k not in obj]
if missing:
    sys.exit("missing keys %s in %s" % (missing, sys.argv[1]))
PY
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$DG" --help >/dev/null || fail "--help"
"$DG" list --json >"$tmp/list.json" || fail "list --json"
json_has "$tmp/list.json" envs
python3 -c "
import json,sys
e=json.load(open('$tmp/list.json'))['envs']
assert any(x['id']=='Reach-v0' for x in e), e
for x in e: assert set(['id','obs_dim','act_dim','max_episode_steps'])<=set(x), x
" || fail "list entries"

"$DG" info Reach-v0 --json >"$tmp/info.json" || fail "info --json"
json_has "$tmp/info.json" id obs_dim act_dim obs_keys action_low action_high max_episode_steps dt render_fps

"$DG" eval Reach-v0 --policy expert --episodes 20 --seed 3 --json >"$tmp/eval.json" 2>"$tmp/eval.err" \
  || fail "eval --json"
json_has "$tmp/eval.json" env policy episodes success_rate success_ci95 mean_return mean_length
[ -s "$tmp/eval.err" ] && fail "eval --json wrote to stderr: $(cat "$tmp/eval.err")"
# the same seed gives the same numbers
"$DG" eval Reach-v0 --episodes 20 --seed 3 --json >"$tmp/eval2.json" || fail "eval again"
python3 -c "
import json
a=json.load(open('$tmp/eval.json')); b=json.load(open('$tmp/eval2.json'))
for k in ['success_rate','mean_return','mean_length']: assert a[k]==b[k], (k,a[k],b[k])
" || fail "eval is not reproducible"

# bad usage and input: exit 2 with one line on stderr
"$DG" info NoSuchEnv-v0 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || fail "unknown env exit $rc"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "unknown env: not one line: $(cat "$tmp/err")"
grep -q "Reach-v0" "$tmp/err" || fail "unknown env error does not list the known ids"
"$DG" eval Reach-v0 --episodes abc 2>"$tmp/err"; [ $? -eq 2 ] || fail "bad --episodes"
"$DG" eval Reach-v0 --policy nosuch 2>"$tmp/err"; [ $? -eq 2 ] || fail "bad --policy"
"$DG" nosuchcommand 2>"$tmp/err"; [ $? -eq 2 ] || fail "unknown subcommand"
"$DG" eval Reach-v0 --episodes 5 --min-success 1.01 2>/dev/null; [ $? -eq 2 ] || fail "bad rate"

"$DG" snapshot Reach-v0 --seed 1 --steps 3 --width 64 --height 48 --out "$tmp/f.png" --json \
  >"$tmp/snap.json" || fail "snapshot"
json_has "$tmp/snap.json" out width height
[ -s "$tmp/f.png" ] || fail "snapshot wrote no file"
echo "test_cli: ok"
