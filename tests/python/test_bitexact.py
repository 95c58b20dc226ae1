"""1,000 steps (250 for envs other than Reach-v0 and PickPlace-v0) of every registered env through
the Python binding, compared bit for bit with the same seed and actions stepped by a separate C program (tests/python/dump_rollout.c, linked
statically, run in its own process): observations, rewards, flags, the resets that follow each
episode's end, and the final full state."""

import os
import subprocess
import tempfile
import unittest

from common import ENV_IDS, main, np, same_bits

import demogym

STEPS = 1000  # for Reach-v0 and PickPlace-v0; the other envs run SHORT steps (test time)
SHORT = 250
LIMIT = 60  # a time limit of 60 steps, so that every run crosses several episode ends
DUMP = os.environ.get("DEMOGYM_DUMP")


def python_rollout(env_id, seed, actions):
    """The records dump_rollout.c writes, produced through the binding."""
    env = demogym.make(env_id, max_episode_steps=LIMIT)
    try:
        nan = np.full(env.obs_dim, np.nan)
        obs, _ = env.reset(seed=seed)
        out = [obs]
        for a in actions:
            obs, reward, terminated, truncated, info = env.step(a)
            out += [obs, np.array([reward, terminated, truncated, info["success"]], dtype=float)]
            if terminated or truncated:
                out.append(env.reset()[0])  # no seed: the C env continues its generator
            else:
                out.append(nan)
        out.append(env.get_state())
        return np.concatenate(out), env.obs_dim
    finally:
        env.close()


class TestBitExact(unittest.TestCase):

    def test_python_equals_c(self):
        if not DUMP:
            self.fail("DEMOGYM_DUMP is not set: run this test through CTest, which builds "
                      "dg_py_dump and passes its path")
        for k, env_id in enumerate(ENV_IDS):
            with self.subTest(env=env_id), tempfile.TemporaryDirectory() as tmp:
                seed = 1000 + k
                steps = STEPS if env_id in ("Reach-v0", "PickPlace-v0") else SHORT
                env = demogym.make(env_id)
                ad = env.act_dim
                env.close()
                # actions in [-1.3, 1.3]: some components clipped, and stretches of exact
                # zeros and box corners; episodes end (mostly by the time limit) and are reset
                rng = np.random.default_rng(seed)
                actions = rng.uniform(-1.3, 1.3, (steps, ad))
                actions[100:150] = 0.0
                actions[200:220] = np.sign(rng.uniform(-1, 1, (20, ad)))
                path_in = os.path.join(tmp, "actions.bin")
                path_out = os.path.join(tmp, "c.bin")
                actions.tofile(path_in)
                subprocess.run([DUMP, env_id, str(seed), str(LIMIT), path_in, path_out],
                               check=True)
                c_side = np.fromfile(path_out, dtype=np.float64)
                py_side, od = python_rollout(env_id, seed, actions)
                self.assertEqual(c_side.shape, py_side.shape)
                if not same_bits(c_side, py_side):
                    diff = np.flatnonzero(c_side.view(np.uint64) != py_side.view(np.uint64))
                    self.fail(f"{env_id}: {len(diff)} values differ, first at index {diff[0]}")
                # the comparison covered episode ends and resets
                per_step = 2 * od + 4
                flags = c_side[od:od + steps * per_step].reshape(steps, per_step)[:, od:od + 4]
                self.assertGreaterEqual(int((flags[:, 1] + flags[:, 2] > 0).sum()), steps // LIMIT)


if __name__ == "__main__":
    main()
