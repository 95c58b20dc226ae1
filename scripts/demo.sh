#!/bin/sh
# demo.sh: install what is missing, build, and run demogym's main job on its built-in default:
# list the envs, check Reach-v0's expert, then the imitation-learning pipeline on PickPlace-v0:
# record expert demos, train BC on them, run HG-DAgger and DAgger from the same demos (each
# iteration retrained and evaluated, with BC trained on exactly as many expert labels), and
# write the success table, the success-against-labels plot and the compounding-error curves to
# out/demo/. A few minutes on 2 cores; the full study is bench/study_dagger.sh.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/build.sh build
export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"
DG=./build/demogym
TASK="${DG_DEMO_TASK:-PickPlace-v0}"
OUT=out/demo
mkdir -p "$OUT"
workers=$(nproc)
[ "$workers" -gt 4 ] && workers=4

echo "== demogym list"
$DG list
echo
echo "== demogym eval Reach-v0 --policy expert --episodes 200 --seed 0"
$DG eval Reach-v0 --policy expert --episodes 200 --seed 0
echo
echo "== demogym snapshot Reach-v0 --seed 0 --steps 10 --out out/reach.png"
$DG snapshot Reach-v0 --seed 0 --steps 10 --out out/reach.png
echo

# the learning pipeline: small on purpose (few demos, iterations and training steps)
train="--steps 1500 --hidden 256 --layers 3"
echo "== demogym record $TASK --episodes 5 --seed 0 --out $OUT/demos.hdf5"
$DG record "$TASK" --episodes 5 --seed 0 --out "$OUT/demos.hdf5" --overwrite -q
echo
echo "== demogym train --data $OUT/demos.hdf5 --policy-class mse --out $OUT/bc.h5 (BC)"
$DG train --data "$OUT/demos.hdf5" --policy-class mse --out "$OUT/bc.h5" $train --seed 0 -q
$DG eval "$TASK" --policy "$OUT/bc.h5" --episodes 50 --seed 1000 --workers "$workers"
echo
for method in hg dagger; do
  flags="--gated"
  [ "$method" = dagger ] && flags="--beta exp:0.8"
  echo "== demogym dagger $TASK --init-data $OUT/demos.hdf5 $flags --compare-bc --out $OUT/$method"
  $DG dagger "$TASK" --policy-class mse --init-data "$OUT/demos.hdf5" $flags --iterations 4 \
    --episodes-per-iteration 4 --eval-episodes 50 --compare-bc --workers "$workers" $train \
    --seed 0 --overwrite --out "$OUT/$method"
  echo
done

echo "== demogym compounding $TASK: BC and HG-DAgger on the same number of expert labels"
$DG compounding "$TASK" --policy "$OUT/hg/bc_4.h5" --policy "$OUT/hg/iter_4.h5" --episodes 30 \
  --seed 1000 --out "$OUT/compounding" -q
echo
echo "wrote $OUT/hg/success.png and $OUT/dagger/success.png (success against expert labels),"
echo "$OUT/compounding.png (drift and action error per time step), summaries in $OUT/*/summary.json"
