#!/bin/sh
# study_dagger.sh [BUILD_DIR] [OUT_DIR]: BC, DAgger and HG-DAgger on the same budgets of expert
# labels. For each task and seed, `demogym dagger` runs DAgger and HG-DAgger (--gated) from the
# same expert demos, and with --compare-bc trains BC at every iteration on exactly as many
# expert labels (the first ones of a pool of expert demos) and evaluates all of them on the same
# 100 episodes. Then the compounding-error curves of the last iteration's BC and DAgger policies,
# the coverage measure of bench/dagger_coverage.py for the same policies (PickPlace-v0, Push-v0),
# and a report: OUT_DIR/table.md (the README's table), OUT_DIR/study.json and OUT_DIR/study.png
# (success against expert labels, one panel per task).
#
# Settings (environment variables): DG_STUDY_TASKS (default "PickPlace-v0 Push-v0"),
# DG_STUDY_SEEDS (default "0 1 2"), DG_STUDY_EVAL (evaluation episodes, default 100),
# DG_STUDY_WORKERS (default 2), DG_STUDY_INIT (initial demos, default 5), DG_STUDY_ITERS
# (default 5), DG_STUDY_PER_ITER (rollout episodes per iteration, default 5), DG_STUDY_BETA
# (DAgger's schedule, default indicator), DG_STUDY_ROLLOUT_STEPS (DAgger's rollout horizon,
# --rollout-steps; default: the env's time limit). About an hour on 2 cores with the defaults.
set -eu
cd "$(dirname "$0")/.."
build="${1:-build}"
out="${2:-out/study_dagger}"
DG="$build/demogym"
[ -x "$DG" ] || { echo "study_dagger: $DG not built (sh scripts/build.sh $build)" >&2; exit 2; }
export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"
tasks="${DG_STUDY_TASKS:-PickPlace-v0 Push-v0}"
seeds="${DG_STUDY_SEEDS:-0 1 2}"
eval_n="${DG_STUDY_EVAL:-100}"
workers="${DG_STUDY_WORKERS:-2}"
init="${DG_STUDY_INIT:-5}"
iters="${DG_STUDY_ITERS:-5}"
per_iter="${DG_STUDY_PER_ITER:-5}"
beta="${DG_STUDY_BETA:-indicator}"
horizon="${DG_STUDY_ROLLOUT_STEPS:-}"
mkdir -p "$out"

common="--policy-class mse --init-episodes $init --iterations $iters \
  --episodes-per-iteration $per_iter --eval-episodes $eval_n --workers $workers --compare-bc \
  --overwrite --no-plot -q --json"
for task in $tasks; do
  mkdir -p "$out/$task"
  for seed in $seeds; do
    for method in dagger hg; do
      dir="$out/$task/${method}_s$seed"
      extra="--beta $beta${horizon:+ --rollout-steps $horizon}"
      [ "$method" = hg ] && extra="--gated"
      echo "study_dagger: $task, $method, seed $seed" >&2
      "$DG" dagger "$task" $common $extra --seed "$seed" --out "$dir" >"$dir.json"
    done
  done
  # compounding errors of the first seed's last BC and DAgger policies (the same labels)
  last=$iters
  s0=$(echo $seeds | cut -d' ' -f1)
  "$DG" compounding "$task" --policy "$out/$task/dagger_s$s0/bc_$last.h5" \
    --policy "$out/$task/dagger_s$s0/iter_$last.h5" --policy "$out/$task/hg_s$s0/iter_$last.h5" \
    --episodes 50 --seed 1000 --out "$out/$task/compounding" -q >"$out/$task/compounding.txt"
  # where those policies work: from the demos' initial states and near them, against the
  # evaluation episodes' distance to the nearest demo, and how their evaluation episodes fail
  case "$task" in
    PickPlace-v0|Push-v0)
      /usr/bin/python3 bench/dagger_coverage.py "$task" --demos "$init" --seed "$s0" \
        --eval-episodes "$eval_n" --json "$out/$task/coverage.json" \
        "$out/$task/dagger_s$s0/bc_$last.h5" "$out/$task/dagger_s$s0/iter_$last.h5" \
        "$out/$task/hg_s$s0/iter_$last.h5" >"$out/$task/coverage.txt" ;;
  esac
done
/usr/bin/python3 bench/study_dagger_report.py "$out" $tasks
echo "study_dagger: wrote $out/table.md, $out/study.json, $out/study.png" >&2
