#!/bin/sh
# demo.sh: install what is missing, build, and run demogym's main job on its built-in default:
# list the envs, then evaluate Reach-v0's scripted expert over 200 seeded episodes.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/build.sh build
export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"
DG=./build/demogym
echo "== demogym list"
$DG list
echo
echo "== demogym eval Reach-v0 --policy expert --episodes 200 --seed 0"
$DG eval Reach-v0 --policy expert --episodes 200 --seed 0
echo
echo "== demogym snapshot Reach-v0 --seed 0 --steps 10 --out out/reach.png"
mkdir -p out
$DG snapshot Reach-v0 --seed 0 --steps 10 --out out/reach.png
