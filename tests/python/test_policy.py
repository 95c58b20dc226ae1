"""Policies through the C library from Python: the expert and noisy wrappers, evaluation by the
C rollout driver (equal to `demogym eval` and to the same loop written in Python), Ctrl-C, and
trained checkpoints when the learners module and the recorder are built."""

import math
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from common import CLI, ENV_IDS, cli_has, cli_json, main, np, same_bits

import demogym
from demogym import errors


def close(a, b):
    """Equal to the 15 significant digits the command's JSON carries."""
    return math.isclose(a, b, rel_tol=1e-13, abs_tol=1e-300)


class TestPolicy(unittest.TestCase):

    def test_evaluate_equals_cli_eval(self):
        # the same numbers as `demogym eval --json` (the command's own process)
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                expert = demogym.expert(env_id)
                got = demogym.evaluate(expert, env_id, episodes=2, seed=5)
                expert.close()
                want = cli_json("eval", env_id, "--policy", "expert", "--episodes", "2",
                                "--seed", "5")
                for key in ("env", "policy", "episodes"):
                    self.assertEqual(got[key], want[key], key)
                # the command prints 15 significant digits (cJSON): equal to that precision
                for key in ("success_rate", "mean_return", "mean_length"):
                    self.assertTrue(close(got[key], want[key]), f"{key}: {got[key]} {want[key]}")
                for a, b in zip(got["success_ci95"], want["success_ci95"]):
                    self.assertTrue(close(a, b), f"success_ci95: {a} {b}")
                self.assertEqual(len(got["per_episode"]), 2)

    def test_evaluate_equals_python_loop(self):
        # the C driver's episodes, rebuilt step by step through the binding: episode i resets
        # the env with seed_derive(S, 0, i) and the expert with seed_derive(S, 1, i)
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                expert = demogym.expert(env_id)
                got = expert.evaluate(env_id, episodes=1, seed=11)
                env = demogym.make(env_id)
                for i, ep in enumerate(got["per_episode"]):
                    seed = demogym.seed_derive(11, 0, i)
                    self.assertEqual(ep["seed"], seed)
                    obs, _ = env.reset(seed=seed)
                    expert.reset(demogym.seed_derive(11, 1, i))
                    ret, length = 0.0, 0
                    while True:
                        obs, r, term, trunc, info = env.step(expert.act(obs, env))
                        ret += r
                        length += 1
                        if term or trunc:
                            break
                    self.assertEqual((ep["length"], ep["return"], ep["success"],
                                      ep["terminated"], ep["truncated"]),
                                     (length, ret, info["success"], term, trunc))
                env.close()
                expert.close()

    def test_expert_policy_equals_env_expert(self):
        env = demogym.make("Reach-v0")
        self.addCleanup(env.close)
        policy = demogym.load_policy("expert", "Reach-v0")
        self.addCleanup(policy.close)
        self.assertEqual((policy.kind, policy.name), ("expert", "expert"))
        obs, _ = env.reset(seed=3, options={"expert_seed": 9})
        policy.reset(9)
        for _ in range(5):
            a = policy.act(obs, env)
            self.assertTrue(same_bits(a, env.expert_action()))
            self.assertTrue(same_bits(policy.label(), a))
            obs, *_ = env.step(a)

    def test_noisy_policy(self):
        env = demogym.make("Reach-v0")
        self.addCleanup(env.close)
        clean = demogym.expert("Reach-v0")
        self.addCleanup(clean.close)
        noisy = demogym.noisy(demogym.expert("Reach-v0"), noise=0.3)
        self.addCleanup(noisy.close)
        self.assertIn("noise", noisy.name)
        runs = []
        for _ in range(2):
            obs, _ = env.reset(seed=1)
            noisy.reset(2)
            clean.reset(2)
            acts = []
            for _ in range(4):
                a = noisy.act(obs, env)
                self.assertTrue(same_bits(noisy.label(), clean.act(obs, env)))
                self.assertFalse(same_bits(a, noisy.label()))
                self.assertTrue(np.all(np.abs(a) <= 1.0))
                acts.append(a)
                obs, *_ = env.step(a)
            runs.append(np.array(acts))
        self.assertTrue(same_bits(runs[0], runs[1]))  # the seed fixes the noise
        inner = demogym.expert("Reach-v0")
        wrapped = demogym.noisy(inner, noise=0.1)
        with self.assertRaises(errors.StateError):  # the wrapper took the inner policy over
            inner.reset(0)
        wrapped.close()
        with self.assertRaises(ValueError):
            demogym.noisy(demogym.expert("Reach-v0"), noise=-1.0)

    def test_errors(self):
        with self.assertRaises(ValueError):
            demogym.load_policy("expert")
        with self.assertRaises(LookupError):
            demogym.expert("NoSuchTask-v0")
        with self.assertRaises(FileNotFoundError):
            demogym.load_policy("/nonexistent/policy.h5")
        env = demogym.make("Reach-v0")
        self.addCleanup(env.close)
        expert = demogym.expert("Reach-v0")
        self.addCleanup(expert.close)
        with self.assertRaises(RuntimeError):  # the env has not been reset
            expert.act(np.zeros(env.obs_dim), env)
        obs, _ = env.reset(seed=0)
        with self.assertRaises(ValueError):
            expert.act(obs[:-1], env)
        with self.assertRaises(TypeError):
            expert.act(obs, "Reach-v0")
        with self.assertRaises(errors.StateError):
            demogym.expert("Reach-v0").label()
        with self.assertRaises(ValueError):
            demogym.evaluate(expert, "Reach-v0", episodes=0)
        with self.assertRaises(ValueError):
            demogym.evaluate(expert, "Reach-v0", episodes=2, max_episode_steps=-1)
        others = [e for e in ENV_IDS if e != "Reach-v0"]
        if others:  # an expert refuses to act in another task's env
            other = demogym.make(others[0])
            self.addCleanup(other.close)
            o, _ = other.reset(seed=0)
            with self.assertRaises(ValueError) as cm:
                expert.act(o, other)
            self.assertIn("cannot act", str(cm.exception))

    def test_evaluate_stops_on_ctrl_c(self):
        expert = demogym.expert("Reach-v0")
        self.addCleanup(expert.close)

        def interrupt_when_running():
            # Ctrl-C once the rollout's worker thread runs (the C loop), whatever the machine load
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(
                    t.name == "demogym-evaluate" for t in threading.enumerate()):
                time.sleep(0.005)
            time.sleep(0.1)
            os.kill(os.getpid(), signal.SIGINT)

        timer = threading.Thread(target=interrupt_when_running)
        timer.start()
        with self.assertRaises(KeyboardInterrupt) as cm:
            demogym.evaluate(expert, "Reach-v0", episodes=1000000, seed=0)
        timer.join()
        self.assertIsInstance(cm.exception, errors.Interrupted)
        self.assertIn("interrupted", str(cm.exception))

    def test_checkpoint(self):
        if not (demogym._lib.has("dg_bc_load") and cli_has("record") and cli_has("train")):
            self.skipTest("needs the learners module and the recorder (dg_bc_load, `demogym "
                          "record`, `demogym train`)")
        with tempfile.TemporaryDirectory() as tmp:
            data, ckpt = os.path.join(tmp, "reach.hdf5"), os.path.join(tmp, "reach.ckpt")
            subprocess.run([CLI, "record", "Reach-v0", "--episodes", "4", "--seed", "0",
                            "--out", data, "-q"], check=True, capture_output=True)
            subprocess.run([CLI, "train", "--data", data, "--policy-class", "mse", "--out", ckpt,
                            "--steps", "50", "--hidden", "32", "--layers", "2", "-q"],
                           check=True, capture_output=True)
            policy = demogym.load_policy(ckpt)
            self.addCleanup(policy.close)
            self.assertEqual((policy.kind, policy.env_id), ("mse", "Reach-v0"))
            env = demogym.make("Reach-v0")
            self.addCleanup(env.close)
            obs, _ = env.reset(seed=0)
            policy.reset(0)
            action = policy.act(obs, env)
            self.assertIn(action, env.action_space)
            got = policy.evaluate(episodes=3, seed=2)
            want = cli_json("eval", "Reach-v0", "--policy", ckpt, "--episodes", "3", "--seed",
                            "2")
            for key in ("success_rate", "mean_return", "mean_length"):
                self.assertTrue(close(got[key], want[key]), f"{key}: {got[key]} {want[key]}")
            with open(os.path.join(tmp, "junk.ckpt"), "wb") as f:
                f.write(b"not a checkpoint at all")
            with self.assertRaises(ValueError):
                demogym.load_policy(os.path.join(tmp, "junk.ckpt"))
            others = [e for e in ENV_IDS if e != "Reach-v0"]
            if others:
                with self.assertRaises(ValueError):
                    demogym.load_policy(ckpt, others[0])


if __name__ == "__main__":
    main()
