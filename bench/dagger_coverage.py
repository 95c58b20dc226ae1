#!/usr/bin/python3
"""dagger_coverage.py: where a cloned policy works, measured against where its data came from.

The README's DAgger section asks why corrective labels (DAgger) do not beat more expert demos
(BC) on this suite. This script measures the two things that answer it, for policies trained on
the first N expert demos recorded with seed S (as `demogym record --seed S` or
`demogym dagger --seed S` records them):

  near  success when started from the demos' own initial states with the object moved by
        d = 0, 0.5, 1, 2, 4 cm in the table plane (3 directions per demo): how far from its
        demos a policy still succeeds (the neighbourhood DAgger's corrections widen);
  far   how far the evaluation episodes' initial configurations (object position and target
        position, seeds from --eval-seed) lie from the nearest demo's: where BC is evaluated;
  fail  how the policy's evaluation episodes (the ones `demogym eval --seed E` runs) fail: never
        got the gripper within 2 cm of the object (horizontally), got there but never moved it
        by 1 cm, moved it but never lifted it by 1.5 cm, lifted it, or ended in a failure state;
        and the share of the failures' steps where the end effector stood still (moved under
        1 mm): a learner stalled at a fixed point.

usage: dagger_coverage.py ENV --demos N [--seed S] [--eval-seed E] [--eval-episodes M]
                          [--object KEY] [--json FILE] CKPT [CKPT ...]
ENV needs an object with a free joint whose position is the observation key KEY (default
cube_pos) and a target_pos key: PickPlace-v0 and Push-v0.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import numpy as np  # noqa: E402

import demogym  # noqa: E402

DELTAS = [0.0, 0.005, 0.01, 0.02, 0.04]  # metres
DIRECTIONS = 3


def key_slice(env, name):
    """The slice of the flat observation that holds key `name`."""
    for k, offset, size in env.obs_keys:
        if k == name:
            return slice(offset, offset + size)
    sys.exit(f"dagger_coverage: {env.env_id} has no observation key {name}")


def initial(env, seed, index):
    """The observation and state at the start of episode `index` of a run seeded with `seed`."""
    obs, _ = env.reset(seed=demogym.seed_derive(seed, 0, index))
    return obs, env.get_state()


def run_episode(env, policy, obs, policy_seed):
    """Roll policy out from the env's current state; whether it succeeded at any step."""
    policy.reset(policy_seed)
    success = False
    while True:
        obs, _, terminated, truncated, info = env.step(policy.act(obs, env))
        success = success or bool(info["success"])
        if terminated or truncated:
            return success


def object_address(env, args, obj):
    """Where the object's position lies in the state: its free joint's qpos, equal to the key
    (the same place in every state of the env)."""
    obs, state = initial(env, args.seed, 0)
    at = [t for t in range(len(state) - 2) if np.array_equal(state[t:t + 3], obs[obj])]
    if not at:
        sys.exit("dagger_coverage: the object's position is not in the state")
    return at[0]


def near(env, policy, args, at):
    """Success rates from the demos' initial states, the object (at state[at:at + 2]) moved by
    each of DELTAS."""
    rates = []
    for d in DELTAS:
        ok = n = 0
        for i in range(args.demos):
            for j in range(DIRECTIONS if d > 0 else 1):
                _, state = initial(env, args.seed, i)
                angle = 2 * np.pi * (j / DIRECTIONS + 0.123 * i)
                state[at] += d * np.cos(angle)
                state[at + 1] += d * np.sin(angle)
                obs = env.set_state(state)
                ok += run_episode(env, policy, obs, demogym.seed_derive(args.seed, 1, i))
                n += 1
        rates.append(ok / n)
    return rates


def census(env, policy, args, obj):
    """How the evaluation episodes end: counts per outcome, and the failures' still steps."""
    eef = key_slice(env, "eef_pos")
    counts = {"success": 0, "never reached": 0, "reached, not moved": 0, "moved, not lifted": 0,
              "lifted": 0, "failure state": 0}
    still = steps = 0
    for i in range(args.eval_episodes):
        obs, _ = initial(env, args.eval_seed, i)
        policy.reset(demogym.seed_derive(args.eval_seed, 1, i))
        start = obs[obj].copy()
        reach, moved, lifted, success, n_still, n = 1e9, 0.0, 0.0, False, 0, 0
        while True:
            before = obs[eef].copy()
            obs, _, terminated, truncated, info = env.step(policy.act(obs, env))
            success = success or bool(info["success"])
            reach = min(reach, float(np.hypot(*(obs[obj][:2] - obs[eef][:2]))))
            moved = max(moved, float(np.linalg.norm(obs[obj][:2] - start[:2])))
            lifted = max(lifted, float(obs[obj][2] - start[2]))
            n_still += np.linalg.norm(obs[eef] - before) < 1e-3
            n += 1
            if terminated or truncated:
                break
        if success:
            counts["success"] += 1
            continue
        still, steps = still + n_still, steps + n
        if terminated:
            counts["failure state"] += 1
        elif lifted > 0.015:
            counts["lifted"] += 1
        elif moved > 0.01:
            counts["moved, not lifted"] += 1
        elif reach < 0.02:
            counts["reached, not moved"] += 1
        else:
            counts["never reached"] += 1
    return counts, still / steps if steps else 0.0


def far(env, args, obj, target):
    """Distances (m) from each evaluation episode's configuration to the nearest demo's."""
    def config(seed, i):
        obs, _ = initial(env, seed, i)
        return np.concatenate([obs[obj], obs[target]])
    demos = np.array([config(args.seed, i) for i in range(args.demos)])
    evals = np.array([config(args.eval_seed, i) for i in range(args.eval_episodes)])
    return np.array([np.min(np.linalg.norm(demos - e, axis=1)) for e in evals])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("env")
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--demos", type=int, required=True, help="the first N demos of seed S")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-seed", type=int, default=1000)
    ap.add_argument("--eval-episodes", type=int, default=100)
    ap.add_argument("--object", default="cube_pos")
    ap.add_argument("--json")
    args = ap.parse_args()
    if args.demos < 1 or args.eval_episodes < 1:
        sys.exit("dagger_coverage: --demos and --eval-episodes must be positive")
    env = demogym.DemogymEnv(args.env)
    obj, target = key_slice(env, args.object), key_slice(env, "target_pos")
    at = object_address(env, args, obj)

    dist = far(env, args, obj, target)
    print(f"{args.env}: {args.eval_episodes} evaluation configurations (seed {args.eval_seed}) "
          f"to the nearest of {args.demos} demos (seed {args.seed}), object and target position: "
          f"median {100 * np.median(dist):.1f} cm, quartiles {100 * np.percentile(dist, 25):.1f}"
          f"-{100 * np.percentile(dist, 75):.1f} cm")
    head = "".join(f"{100 * d:>8.1f}" for d in DELTAS)
    print(f"success from the demos' initial states, object moved by (cm): {head}")
    out = {"env": args.env, "demos": args.demos, "seed": args.seed, "eval_seed": args.eval_seed,
           "eval_episodes": args.eval_episodes, "deltas_m": DELTAS,
           "nearest_demo_m": {"median": float(np.median(dist)),
                              "p25": float(np.percentile(dist, 25)),
                              "p75": float(np.percentile(dist, 75))},
           "policies": []}
    for path in args.checkpoints:
        policy = demogym.load_policy(path, args.env)
        rates = near(env, policy, args, at)
        counts, still = census(env, policy, args, obj)
        policy.close()
        print(f"{path:>62} {''.join(f'{r:>8.2f}' for r in rates)}")
        print(f"{'':>62} evaluation: " + ", ".join(f"{k} {v}" for k, v in counts.items()) +
              f"; failures' steps standing still {100 * still:.0f}%")
        out["policies"].append({"checkpoint": path, "success": rates, "evaluation": counts,
                                "failure_steps_still": still})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
