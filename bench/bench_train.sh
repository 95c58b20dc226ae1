#!/bin/sh
# bench_train.sh: demogym's training throughput against PyTorch's on the same MLP, batch,
# optimizer and data sampling, on this CPU, in one run: each side at each thread count, several
# alternating rounds, medians; each side is then taken at its best thread count. Also reports the
# fraction of OpenBLAS's own sgemm rate (same matrix shapes) that demogym's whole step reaches.
# For this command alone OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset (they hold OpenBLAS to
# older kernels on this machine), for both sides.
#
# usage: sh bench/bench_train.sh [BUILD_DIR] [ROUNDS]   (needs Debian's python3-torch)
set -eu
cd "$(dirname "$0")/.."
build="${1:-build}"
rounds="${2:-5}"
PY=/usr/bin/python3
$PY -c "import torch" 2>/dev/null || { echo "bench_train: needs python3-torch (apt-get install python3-torch)" >&2; exit 2; }
[ -x "$build/bench_train" ] || { echo "bench_train: build $build/bench_train first" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for config in "256 256 1000" "64 64 4000"; do
  set -- $config
  h=$1 b=$2 steps=$3
  for r in $(seq "$rounds"); do
    for t in 1 2; do
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=$t \
        "$build/bench_train" --hidden $h --layers 2 --batch $b --steps $steps --threads $t >>"$out"
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=$t \
        $PY bench/bench_train_torch.py --hidden $h --layers 2 --batch $b --steps $steps \
        --threads $t >>"$out"
    done
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
$PY - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(side, h, b, t, key):
    v = [r[key] for r in rows if r["side"] == side and r["hidden"] == h and r["batch"] == b
         and r["threads"] == t]
    return statistics.median(v) if v else float("nan")
print("MLP 2 hidden layers, obs 32 -> act 4, AdamW, clipping, cosine; medians of %d rounds"
      % (len(rows) // 8))
print("%-16s %-8s %14s %14s %8s" % ("width x batch", "threads", "demogym smp/s", "torch smp/s",
                                    "ratio"))
for h, b in [(256, 256), (64, 64)]:
    best = {}
    for t in (1, 2):
        d, p = med("demogym", h, b, t, "samples_per_second"), med("pytorch", h, b, t,
                                                                "samples_per_second")
        print("%-16s %-8d %14.0f %14.0f %8.2f" % ("%d x %d" % (h, b), t, d, p, d / p))
        best.setdefault("d", (0, 0)); best.setdefault("p", (0, 0))
        best["d"] = max(best["d"], (d, t)); best["p"] = max(best["p"], (p, t))
    (d, td), (p, tp) = best["d"], best["p"]
    frac = med("demogym", h, b, td, "sgemm_fraction")
    print("%-16s best: demogym %.0f (%d thr) / torch %.0f (%d thr) = %.2fx; demogym's step "
          "reaches %.0f%% of OpenBLAS sgemm's rate on its shapes (%.1f of %.1f GFLOP/s; "
          "1024^3 sgemm %.0f GFLOP/s, core %s)"
          % ("", d, td, p, tp, d / p, 100 * frac, med("demogym", h, b, td, "train_gflops"),
             med("demogym", h, b, td, "sgemm_gflops_same_shapes"),
             med("demogym", h, b, td, "sgemm_gflops_1024"),
             [r for r in rows if r["side"] == "demogym"][0]["openblas_core"]))
PY
