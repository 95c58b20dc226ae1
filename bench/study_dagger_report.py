#!/usr/bin/python3
"""study_dagger_report.py OUT TASK...: the report of bench/study_dagger.sh.

Reads OUT/TASK/{dagger,hg}_s<seed>.json (summaries of `demogym dagger --json`), averages each
iteration over the seeds (expert labels, the method's success rate, and BC's success rate on
exactly as many labels), and writes OUT/table.md, OUT/study.json and OUT/study.png (gnuplot).
Standard library only (Debian's python3).
"""
import glob
import json
import os
import re
import subprocess
import sys


def load_runs(out, task, method):
    runs = []
    for path in sorted(glob.glob(os.path.join(out, task, method + "_s*.json"))):
        seed = int(re.search(r"_s(\d+)\.json$", path).group(1))
        with open(path) as f:
            runs.append((seed, json.load(f)))
    return runs


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def per_iteration(runs):
    """Iteration k averaged over the seeds that reached it."""
    rows = []
    k = 0
    while True:
        its = [r["iterations"][k] for _, r in runs if len(r["iterations"]) > k]
        if not its:
            return rows
        rows.append({
            "iteration": k,
            "seeds": len(its),
            "expert_labels": mean([it["expert_labels"] for it in its]),
            "success_rate": mean([it["success_rate"] for it in its]),
            "bc_success_rate": mean([it["bc_success_rate"] for it in its
                                     if it.get("bc_success_rate") is not None]),
            "interventions": mean([it["interventions"] for it in its]),
            "per_seed": [[it["expert_labels"], it["success_rate"], it.get("bc_success_rate")]
                         for it in its],
        })
        k += 1


def pct(x):
    return "%.0f%%" % (100 * x) if x == x else "-"


def main():
    out, tasks = sys.argv[1], sys.argv[2:]
    report = {"tasks": {}}
    lines = []
    for task in tasks:
        t = {}
        for method in ["dagger", "hg"]:
            runs = load_runs(out, task, method)
            if runs:
                t[method] = {"seeds": [s for s, _ in runs], "iterations": per_iteration(runs),
                             "eval_episodes": runs[0][1]["eval_episodes"],
                             "beta": runs[0][1]["beta"]}
        report["tasks"][task] = t
        if not t:
            continue
        any_run = next(iter(t.values()))
        lines.append("**%s** (mean over seeds %s; %d evaluation episodes per point; BC trained "
                     "on exactly as many expert labels)" %
                     (task, ", ".join(str(s) for s in any_run["seeds"]), any_run["eval_episodes"]))
        lines.append("")
        lines.append("| method | iteration | expert labels | success | BC, same labels | "
                     "difference |")
        lines.append("|---|---|---|---|---|---|")
        for method, name in [("dagger", "DAgger (%s)"), ("hg", "HG-DAgger")]:
            if method not in t:
                continue
            label = name % t[method]["beta"] if "%s" in name else name
            for row in t[method]["iterations"]:
                d = row["success_rate"] - row["bc_success_rate"]
                lines.append("| %s | %d | %.0f | %s | %s | %+.0f |" %
                             (label, row["iteration"], row["expert_labels"],
                              pct(row["success_rate"]), pct(row["bc_success_rate"]), 100 * d))
        lines.append("")
        cov_path = os.path.join(out, task, "coverage.json")
        if os.path.exists(cov_path):
            with open(cov_path) as f:
                cov = json.load(f)
            report.setdefault("coverage", {})[task] = cov
            near = cov["nearest_demo_m"]
            lines.append("Where the last iteration's policies (seed %d) work: success from the %d "
                         "demos' initial states and with the object moved by d; the evaluation "
                         "episodes start a median %.1f cm from the nearest demo." %
                         (cov["seed"], cov["demos"], 100 * near["median"]))
            lines.append("")
            lines.append("| policy | " + " | ".join("d = %g cm" % (100 * d)
                                                    for d in cov["deltas_m"]) +
                         " | evaluation: success | failures that never moved the object |")
            lines.append("|---|" + "---|" * (len(cov["deltas_m"]) + 2))
            for p in cov["policies"]:
                ev = p["evaluation"]
                lines.append("| %s | %s | %d | %d |" % (
                    os.path.relpath(p["checkpoint"], out),
                    " | ".join(pct(r) for r in p["success"]), ev["success"],
                    ev["never reached"] + ev["reached, not moved"]))
            lines.append("")
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write("\n".join(lines))
    with open(os.path.join(out, "study.json"), "w") as f:
        json.dump(report, f, indent=1)
    print("\n".join(lines))
    plot(out, report)


def plot(out, report):
    tasks = [t for t in report["tasks"] if report["tasks"][t]]
    if not tasks:
        return
    script = ['set terminal pngcairo size 900,%d font "DejaVu Sans,10" noenhanced' %
              (420 * len(tasks)),
              'set output "%s"' % os.path.join(out, "study.png"),
              'set multiplot layout %d,1' % len(tasks),
              'set grid lc rgb "#dddddd"', 'set key bottom right box opaque',
              'set yrange [0:100]', 'set xlabel "expert labels"',
              'set ylabel "success rate (%)"']
    for i, task in enumerate(tasks):
        t = report["tasks"][task]
        series = []
        # BC: the twins of both methods' iterations, by labels
        bc = sorted((row["expert_labels"], row["bc_success_rate"])
                    for m in t.values() for row in m["iterations"])
        series.append(("BC", "#d62728", "linespoints lw 2 pt 5 dt 2", bc))
        if "dagger" in t:
            series.append(("DAgger (%s)" % t["dagger"]["beta"], "#1f77b4",
                           "linespoints lw 2 pt 7",
                           [(r["expert_labels"], r["success_rate"])
                            for r in t["dagger"]["iterations"]]))
        if "hg" in t:
            series.append(("HG-DAgger", "#2ca02c", "linespoints lw 2 pt 9",
                           [(r["expert_labels"], r["success_rate"])
                            for r in t["hg"]["iterations"]]))
        for j, (_, _, _, pts) in enumerate(series):
            script.append("$d%d_%d << EOD" % (i, j))
            script += ["%g %g" % (x, 100 * y) for x, y in pts if y == y]
            script.append("EOD")
        nseeds = len(next(iter(t.values()))["seeds"])
        seeds_text = "one seed" if nseeds == 1 else "mean of %d seeds" % nseeds
        script.append('set title "%s: success against expert labels (%s)"' % (task, seeds_text))
        script.append("plot " + ", ".join(
            '$d%d_%d using 1:2 with %s lc rgb "%s" title "%s"' % (i, j, style, color, name)
            for j, (name, color, style, _) in enumerate(series)))
    script.append("unset multiplot")
    r = subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True,
                       capture_output=True)
    if r.returncode != 0:
        sys.stderr.write("study_dagger_report: gnuplot failed: %s\n" % r.stderr.strip())


if __name__ == "__main__":
    main()
