#!/usr/bin/env python3
"""suite.py: demogym's benchmark suite: runs every benchmark that exists, prints one table of
ratios (each measured side by side in one run by its benchmark), writes the results as JSON, and
compares a run with an earlier one. Run it through bench/run.sh (which builds first).

usage: suite.py [--build DIR] [--out FILE] [--only NAME,...] [--compare OLD.json]
       suite.py --compare OLD.json NEW.json      (compare two result files, run nothing)

The benchmark contract: a benchmark is a program (build/<name>) or a script (bench/<name>.py or
.sh) that takes `--json FILE` and writes {"benchmark": ..., "results": [{"name": ..., "ratio":
..., ...}, ...]} there, plus whatever top-level keys describe the run. A benchmark that does not
take --json is run without it and its printed output is kept as text.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITE_VERSION = 1

# the suite's benchmarks: name, what it measures, how to run it (candidates, first found wins:
# a path and its arguments, with {build} and {json} filled in), and the target its ratios are
# held to ("max" or "min", value, and the text the results' names must contain)
BENCHMARKS = [
    ("bench_step", "env step / the raw mj_step calls it makes, per task",
     [("{build}/bench_step", ["--json", "{json}"])], ("max", 1.10, "")),
    ("bench_vec", "vector env throughput with T threads / 1 thread; rollout workers",
     [("{build}/bench_vec", ["--envs", "32", "--json", "{json}"])], ("min", 1.70, "T=2 throughput")),
    ("bench_record", "rollout with the recorder / without it (wall time), per task",
     [("{build}/bench_record", ["--json", "{json}"])], ("max", 1.10, "")),
    ("bench_train", "MLP training throughput, demogym / PyTorch",
     [("bench/bench_train.sh", ["{build}"])], None),
    ("bench_python", "Python binding step / the C step it wraps",
     [("bench/bench_python.py", ["--json"])], None),
    ("bench_render", "offscreen rendering time / the physics steps between frames, per task",
     [("{build}/bench_render", ["--json", "{json}"])], None),
]


def find(candidates, build):
    for path, args in candidates:
        path = path.format(build=build) if path.startswith("{build}") else os.path.join(ROOT, path)
        if os.path.isfile(path) and (path.endswith((".py", ".sh")) or os.access(path, os.X_OK)):
            return path, args
    return None, None


def command(path):
    if path.endswith(".py"):
        return [sys.executable, path]
    if path.endswith(".sh"):
        return ["sh", path]
    return [path]


def machine():
    info = {"system": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    return info


def git_commit():
    try:
        out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+changes" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def run_one(name, path, args, build, timeout):
    env = dict(os.environ)
    env.setdefault("EGL_PLATFORM", "surfaceless")
    lib = os.path.join(build, "libdemogym.so")
    if os.path.exists(lib):
        env.setdefault("DEMOGYM_LIBRARY", lib)
    env["PYTHONPATH"] = os.path.join(ROOT, "python") + os.pathsep + env.get("PYTHONPATH", "")
    entry = {"status": "failed", "path": os.path.relpath(path, ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        argv = command(path) + [a.format(build=build, json=out) for a in args]
        entry["command"] = " ".join(argv).replace(out, "FILE")
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env,
                               cwd=ROOT)
        except subprocess.TimeoutExpired:
            entry["error"] = "timed out after %d s" % timeout
            return entry
        except OSError as e:
            entry["error"] = str(e)
            return entry
        entry["seconds"] = round(time.monotonic() - t0, 1)
        entry["text"] = p.stdout
        if p.returncode != 0:
            entry["error"] = (p.stderr.strip() or p.stdout.strip())[-2000:]
            return entry
        data = None
        try:
            if os.path.exists(out):
                with open(out) as f:
                    data = json.load(f)
            elif p.stdout.strip().startswith("{"):
                data = json.loads(p.stdout)
        except ValueError as e:
            entry["error"] = "its JSON does not parse: %s" % e
            return entry
        entry["status"] = "ok" if data is not None else "ok (text only)"
        if data is not None:
            entry["data"] = data
    return entry


def rows_of(name, entry):
    """(key, ratio, result) rows of one benchmark's results, whatever shape it wrote them in."""
    data = entry.get("data")
    rows = []
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        for i, r in enumerate(data["results"]):
            if not isinstance(r, dict):
                continue
            ratio = r.get("ratio")
            if ratio is None:  # the first ratio-like key: x_over_y
                ratio = next((v for k, v in r.items() if "_over_" in k), None)
                what = next((k for k in r if "_over_" in k), "")
            else:
                what = ""
            key = r.get("name") or " ".join(x for x in (r.get("env"), what) if x) or \
                "%s[%d]" % (name, i)
            rows.append((key, ratio, r))
    elif isinstance(data, dict) and "ratio" in data:
        key = " ".join(str(x) for x in (data.get("bench", name), data.get("env", "")) if x)
        rows.append((key, data["ratio"], data))
    elif entry.get("text"):
        # a printed table: "ENV ... 1.234x ..." rows give their first ratio; "W x B ... best:
        # ... = 1.23x" rows (the training bench) their best-against-best ratio
        config = ""
        for line in entry["text"].splitlines():
            m = re.match(r"^(\S+-v\d+)\s.*?\s(\d+\.\d+)x\b", line)
            if m:
                rows.append(("%s %s" % (name, m.group(1)), float(m.group(2)), {"line": line}))
            c = re.match(r"^(\d+ x \d+)\s", line)
            config = c.group(1) if c else config
            m = re.search(r"best:.*=\s*(\d+\.\d+)x", line)
            if m:
                rows.append(("%s %s best / best" % (name, config), float(m.group(1)),
                             {"line": line.strip()}))
    return rows


def meets(target, key, ratio):
    if not target or ratio is None or target[2] not in key:
        return ""
    kind, value, _ = target
    ok = ratio <= value if kind == "max" else ratio >= value
    return ("ok" if ok else "MISSED") + " (%s %.2f)" % ("<=" if kind == "max" else ">=", value)


def print_table(report):
    targets = {b[0]: b[3] for b in BENCHMARKS}
    print("demogym benchmarks, %s, commit %s" % (report["date"], report.get("commit")))
    m = report["machine"]
    print("machine: %s, %s CPUs, %s GiB; load average %.2f at start, %.2f at end" % (
        m.get("cpu", "?"), m.get("cpus"), m.get("memory_gib", "?"), report["loadavg_start"],
        report["loadavg_end"]))
    print()
    print("%-48s %10s  %s" % ("ratio", "value", "target"))
    missing = []
    for name, entry in report["benchmarks"].items():
        if entry["status"] == "missing":
            missing.append(name)
            continue
        if entry["status"] == "failed":
            print("%-48s %10s  %s" % (name, "FAILED", entry.get("error", "").splitlines()[-1:]))
            continue
        rows = rows_of(name, entry)
        if not rows:
            print("%-48s %10s  (no ratio found; its output is in the JSON's text)" % (name, "-"))
            continue
        for key, ratio, _ in rows:
            value = "%.3f" % ratio if isinstance(ratio, (int, float)) else "-"
            print("%-48s %10s  %s" % (key[:48], value, meets(targets.get(name), key, ratio)))
    if missing:
        print()
        print("missing (not built or not written yet): " + ", ".join(
            "%s (%s)" % (n, dict((b[0], b[1]) for b in BENCHMARKS)[n]) for n in missing))


def compare(old, new):
    print("comparison: %s (commit %s)  ->  %s (commit %s)" % (
        old.get("date"), old.get("commit"), new.get("date"), new.get("commit")))
    print("load average during the runs: %.2f -> %.2f" % (
        old.get("loadavg_end", 0), new.get("loadavg_end", 0)))
    print("%-48s %10s %10s %9s" % ("ratio", "old", "new", "change"))
    worse = 0
    for name, entry in new["benchmarks"].items():
        before = {k: r for k, r, _ in rows_of(name, old["benchmarks"].get(name, {}))}
        for key, ratio, _ in rows_of(name, entry):
            o = before.get(key)
            if not isinstance(ratio, (int, float)):
                continue
            if not isinstance(o, (int, float)) or o == 0:
                print("%-48s %10s %10.3f %9s" % (key[:48], "-", ratio, "new"))
                continue
            change = (ratio - o) / o
            flag = " <" if abs(change) > 0.10 else ""
            worse += abs(change) > 0.10
            print("%-48s %10.3f %10.3f %+8.1f%%%s" % (key[:48], o, ratio, 100 * change, flag))
    for name in old["benchmarks"]:
        if name not in new["benchmarks"]:
            print("%-48s (not in the new run)" % name)
    print("\n%d ratio(s) moved by more than 10%% (marked <); whether that is better or worse "
          "depends on the ratio (see the table's targets)" % worse)


def loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return -1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="build directory")
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "bench.json"),
                    help="where to write the results (default out/bench.json)")
    ap.add_argument("--only", default="", help="comma-separated benchmark names")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per benchmark")
    ap.add_argument("--compare", nargs="+", metavar="FILE",
                    help="OLD.json: compare this run with it; OLD.json NEW.json: compare only")
    args = ap.parse_args()

    if args.compare and len(args.compare) == 2:
        with open(args.compare[0]) as f:
            old = json.load(f)
        with open(args.compare[1]) as f:
            new = json.load(f)
        compare(old, new)
        return 0
    if args.compare and len(args.compare) > 2:
        ap.error("--compare takes OLD.json, or OLD.json NEW.json")
    old = None
    if args.compare:
        with open(args.compare[0]) as f:
            old = json.load(f)  # read it before running, so a bad path fails fast

    build = os.path.abspath(args.build)
    only = [s for s in args.only.split(",") if s]
    report = {
        "suite_version": SUITE_VERSION,
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": machine(),
        "loadavg_start": loadavg(),
        "benchmarks": {},
    }
    for name, what, candidates, _ in BENCHMARKS:
        if only and name not in only:
            continue
        path, run_args = find(candidates, build)
        if not path:
            report["benchmarks"][name] = {"status": "missing", "what": what}
            print("suite: %s: missing" % name, file=sys.stderr)
            continue
        print("suite: running %s ..." % name, file=sys.stderr, flush=True)
        entry = run_one(name, path, run_args, build, args.timeout)
        entry["what"] = what
        report["benchmarks"][name] = entry
        print("suite: %s: %s (%s s)" % (name, entry["status"], entry.get("seconds", "?")),
              file=sys.stderr)
    report["loadavg_end"] = loadavg()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print_table(report)
    print("\nresults: %s" % args.out)
    if old is not None:
        print()
        compare(old, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
