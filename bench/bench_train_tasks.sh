#!/bin/sh
# bench_train_tasks.sh: the README's "why expressive distributions matter" table: for each task,
# record 200 clean expert demos, train every policy class on them with the same network (3 x 256,
# ReLU), batch (256) and seed, and evaluate each in simulation over 100 seeded episodes.
# Steps: 5000, except diffusion, 20000: one ar step runs the network on 4 rows per sample (one per
# action dimension), so ar at 5000 steps and diffusion at 20000 cost the same compute and wall
# time. Detour-v0: 20000 for every class (the same budget; its mode-seeking classes need more
# than 5000 steps to commit to a side as fast as the expert). SCALE multiplies every class's
# steps.
#
# usage: sh bench/bench_train_tasks.sh [BUILD_DIR] [OUT_DIR] [SCALE] [ENVS...]
#   defaults: build, bench-out/train_tasks, 1, Detour-v0 PickPlace-v0
set -eu
cd "$(dirname "$0")/.."
build="${1:-build}"
out="${2:-bench-out/train_tasks}"
scale="${3:-1}"
[ $# -gt 3 ] && shift 3 || set --
envs="${*:-Detour-v0 PickPlace-v0}"
DG="$build/demogym"
PY=/usr/bin/python3
export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"
mkdir -p "$out"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for env in $envs; do
  data="$out/$env.h5"
  [ -s "$data" ] || "$DG" record "$env" --episodes 200 --seed 1 --out "$data" -q >/dev/null
  for cls in mse gaussian gmm ar diffusion; do
    ckpt="$out/$env-$cls.h5"
    steps=$((5000 * scale))
    if [ "$cls" = diffusion ] || [ "$env" = Detour-v0 ]; then steps=$((20000 * scale)); fi
    # diffusion on Detour-v0 acts on a noise drawn once per episode: DDIM from zero noise (its
    # default) lands between the two ways while the state does not yet say which
    sampling=""
    if [ "$cls" = diffusion ] && [ "$env" = Detour-v0 ]; then sampling="--sampling episode"; fi
    "$DG" train --data "$data" --policy-class "$cls" --out "$ckpt" --steps "$steps" --seed 0 \
      $sampling --json -q >"$out/$env-$cls.train.json"
    "$DG" eval "$env" --policy "$ckpt" --episodes 100 --seed 1000 --json -q \
      >"$out/$env-$cls.eval.json"
    echo "$env $cls done" >&2
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
$PY - "$out" $envs <<'PY'
import json, sys
out, envs = sys.argv[1], sys.argv[2:]
print("| env | class | success (100 episodes) | 95% CI | mean length | train steps | train s |")
print("|---|---|---|---|---|---|---|")
for env in envs:
    for cls in ["mse", "gaussian", "gmm", "ar", "diffusion"]:
        t = json.load(open("%s/%s-%s.train.json" % (out, env, cls)))
        e = json.load(open("%s/%s-%s.eval.json" % (out, env, cls)))
        lo, hi = e["success_ci95"]
        print("| %s | %s | %d%% | %.0f-%.0f%% | %.0f | %d | %.0f |" % (
            env, cls, round(100 * e["success_rate"]), 100 * lo, 100 * hi, e["mean_length"],
            t["steps"], t["seconds"]))
PY
