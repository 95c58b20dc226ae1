#!/bin/sh
# run.sh [--no-build] [suite.py options]: the benchmark suite: build (build/ unless --build DIR),
# run every benchmark that exists, print the table of ratios, write out/bench.json. Compare with
# an earlier run: sh bench/run.sh --compare OLD.json (or --compare OLD.json NEW.json, no run).
set -eu
cd "$(dirname "$0")/.."
build=build
nobuild=0
prev=""
for a in "$@"; do
  [ "$prev" = "--build" ] && build="$a"
  [ "$a" = "--no-build" ] && nobuild=1
  prev="$a"
done
# --compare OLD NEW (two files) compares without running anything
compare_only=0
n=-1
for a in "$@"; do
  case "$a" in
    --compare) n=0 ;;
    --*) [ "$n" -ge 0 ] && n=-2 ;;
    *) [ "$n" -ge 0 ] && n=$((n + 1)) && [ "$n" -eq 2 ] && compare_only=1 ;;
  esac
done
if [ "$nobuild" -eq 0 ] && [ "$compare_only" -eq 0 ]; then
  sh scripts/build.sh "$build" >&2
fi
# drop --no-build, pass the rest on
for a in "$@"; do
  shift
  [ "$a" = "--no-build" ] || set -- "$@" "$a"
done
# Debian's python3, where the python3-* packages the benchmarks use are installed
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
exec "$PY" bench/suite.py --build "$build" "$@"
