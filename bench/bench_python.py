#!/usr/bin/env python3
"""bench_python.py: the Python binding's per-step overhead against the C step it wraps, measured
side by side in one run: N steps in one ctypes call to a C loop (dg_env_step_many) against N
Python env.step calls, same env, seed and actions, rounds interleaved, medians compared (of this
thread's CPU time, which other processes on the cores barely disturb, and of wall time); and the
binding's own cost, with the C step swapped for a no-op of the same signature.

    PYTHONPATH=python python3 bench/bench_python.py [--env Reach-v0] [--steps 500]
                                                    [--rounds 21] [--json]

The library is found as the package finds it (DEMOGYM_LIBRARY, or build/libdemogym.so).
"""

import argparse
import gc
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

try:
    import numpy as np
except ImportError:  # a pyenv or venv python3 without Debian's numpy: rerun under Debian's
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != \
            os.path.realpath("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

import demogym  # noqa: E402


def measure(env_id, steps, rounds):
    """Per-step times of the C loop and of the Python loop: medians over interleaved rounds of
    this thread's CPU time (insensitive to other processes taking the cores) and of wall time;
    and whether both loops ended on the same observation."""
    env = demogym.make(env_id, max_episode_steps=-1, terminate_on_success=False)
    actions = np.random.default_rng(0).uniform(-1.0, 1.0, (steps, env.act_dim))
    rows = list(actions)  # one float64 array per step, as a Python caller holds them
    cpu = {"c": [], "py": []}
    wall = {"c": [], "py": []}
    same = True
    gc.disable()
    try:
        for _ in range(rounds):
            env.reset(seed=0)
            t, w = time.thread_time(), time.perf_counter()
            c_obs, *_ = env.step_many(actions)
            cpu["c"].append((time.thread_time() - t) / steps)
            wall["c"].append((time.perf_counter() - w) / steps)
            env.reset(seed=0)
            step = env.step
            t, w = time.thread_time(), time.perf_counter()
            for a in rows:
                obs, reward, terminated, truncated, info = step(a)
            cpu["py"].append((time.thread_time() - t) / steps)
            wall["py"].append((time.perf_counter() - w) / steps)
            same = same and len(c_obs) == steps and c_obs[-1].tobytes() == obs.tobytes()
    finally:
        gc.enable()
        env.close()
    # medians of per-round pairs: a slow stretch of the machine hits both halves of a pair
    med = {k: statistics.median(v) for k, v in cpu.items()}
    med["ratio"] = statistics.median(p / c for p, c in zip(cpu["py"], cpu["c"]))
    med["diff"] = statistics.median(p - c for p, c in zip(cpu["py"], cpu["c"]))
    wmed = {k: statistics.median(v) for k, v in wall.items()}
    wmed["ratio"] = statistics.median(p / c for p, c in zip(wall["py"], wall["c"]))
    wmed["diff"] = statistics.median(p - c for p, c in zip(wall["py"], wall["c"]))
    return med, wmed, same


def binding_only(env_id, steps, rounds):
    """The binding's own cost per step: the same env.step calls with the C step swapped for a
    C function of the same signature that returns at once (compiled here with cc; None when no
    compiler is available). Insensitive to the physics and to cache effects."""
    import ctypes
    import shutil
    import subprocess
    import tempfile

    import demogym.env as denv
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, lib = os.path.join(tmp, "nop.c"), os.path.join(tmp, "libnop.so")
        with open(src, "w") as f:
            f.write("int nop4(void* a, const void* b, void* c, void* d) "
                    "{ (void)a; (void)b; (void)c; (void)d; return 0; }\n")
        if subprocess.run([cc, "-O2", "-shared", "-fPIC", src, "-o", lib]).returncode:
            return None
        nop = ctypes.CDLL(lib).nop4
        nop.restype = ctypes.c_int
        nop.argtypes = [ctypes.c_void_p] * 4
        env = demogym.make(env_id, max_episode_steps=-1, terminate_on_success=False)
        env.reset(seed=0)
        rows = list(np.random.default_rng(0).uniform(-1.0, 1.0, (steps, env.act_dim)))
        real, times = denv._lib_step, []
        try:
            denv._lib_step = nop
            for _ in range(rounds):
                t = time.thread_time()
                for a in rows:
                    env.step(a)
                times.append((time.thread_time() - t) / steps)
        finally:
            denv._lib_step = real
            env.close()
        return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--env", default="Reach-v0")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    cpu, wall, same = measure(args.env, args.steps, args.rounds)
    own = binding_only(args.env, args.steps, args.rounds)
    result = {
        "bench": "python_step_overhead", "env": args.env, "steps": args.steps,
        "rounds": args.rounds,
        "c_us_per_step": cpu["c"] * 1e6, "python_us_per_step": cpu["py"] * 1e6,
        "ratio": cpu["ratio"], "overhead_us_per_step": cpu["diff"] * 1e6,
        "wall_ratio": wall["ratio"], "wall_overhead_us_per_step": wall["diff"] * 1e6,
        "binding_only_us_per_step": own * 1e6 if own is not None else None,
        "binding_only_ratio": (cpu["c"] + own) / cpu["c"] if own is not None else None,
        "same_result": same, "library": demogym.library_path, "load": os.getloadavg()[0],
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.env}: {args.steps} steps x {args.rounds} interleaved rounds, medians of "
              f"this thread's CPU time; ratio and overhead: medians over the rounds' pairs "
              f"(load average {result['load']:.2f})")
        print(f"  C loop, one ctypes call    {result['c_us_per_step']:9.2f} us/step")
        print(f"  Python env.step loop       {result['python_us_per_step']:9.2f} us/step")
        print(f"  ratio Python / C           {result['ratio']:9.4f}   (binding overhead "
              f"{result['overhead_us_per_step']:.2f} us/step)")
        print(f"  wall-clock ratio           {result['wall_ratio']:9.4f}   (overhead "
              f"{result['wall_overhead_us_per_step']:.2f} us/step)")
        if own is not None:
            print(f"  binding alone (no-op C)    {result['binding_only_us_per_step']:9.2f} us/step"
                  f"   (C step + binding / C step = {result['binding_only_ratio']:.4f})")
        print(f"  same final observation     {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
