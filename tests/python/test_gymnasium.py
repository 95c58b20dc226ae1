"""With gymnasium importable: Gymnasium's own check_env on every registered env, registration as
demogym/<id> with the task's time limit counted once (gymnasium's TimeLimit, the C env without
its own), and gymnasium.make_vec through demogym's vector entry point. Without gymnasium (Debian
bookworm does not package it): the numpy-only stand-ins are what the package uses."""

import unittest
import warnings

from common import ENV_IDS, main, np

import demogym
from demogym import _compat

try:
    import gymnasium
except ImportError:
    gymnasium = None


@unittest.skipIf(gymnasium is None, "gymnasium is not importable here (Debian bookworm has no "
                                     "python3-gymnasium); test_env.py pins its checks instead")
class TestWithGymnasium(unittest.TestCase):

    def test_check_env(self):
        from gymnasium.utils.env_checker import check_env
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = gymnasium.make(f"demogym/{env_id}")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # infinite observation bounds are expected
                    check_env(env.unwrapped)
                self.assertIsInstance(env.unwrapped, gymnasium.Env)
                self.assertIsInstance(env.observation_space, gymnasium.spaces.Box)
                env.close()

    def test_time_limit_counts_once(self):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                spec = gymnasium.spec(f"demogym/{env_id}")
                default = demogym.make(env_id).max_episode_steps
                self.assertEqual(spec.max_episode_steps, default)
                env = gymnasium.make(f"demogym/{env_id}", max_episode_steps=5,
                                     terminate_on_success=False)
                self.assertEqual(env.unwrapped.max_episode_steps, -1)  # the C env has none
                env.reset(seed=0)
                flags = [env.step(np.zeros(env.action_space.shape))[3] for _ in range(5)]
                self.assertEqual(flags, [False] * 4 + [True])
                env.close()

    def test_make_vec(self):
        vec = gymnasium.make_vec("demogym/Reach-v0", num_envs=2,
                                 vectorization_mode="vector_entry_point")
        self.assertIsInstance(vec.unwrapped, demogym.DemogymVectorEnv)
        self.assertEqual(vec.unwrapped.max_episode_steps,
                         gymnasium.spec("demogym/Reach-v0").max_episode_steps)
        obs, _ = vec.reset(seed=0)
        self.assertEqual(obs.shape[0], 2)
        vec.close()


class TestWithoutGymnasium(unittest.TestCase):

    @unittest.skipIf(gymnasium is not None, "gymnasium is importable")
    def test_stand_ins(self):
        self.assertFalse(demogym.HAVE_GYMNASIUM)
        env = demogym.make("Reach-v0")
        self.addCleanup(env.close)
        self.assertIsInstance(env, _compat._EnvFallback)
        self.assertIsInstance(env.observation_space, _compat._BoxFallback)
        vec = demogym.make_vec("Reach-v0", 2)
        self.addCleanup(vec.close)
        self.assertIsInstance(vec, _compat._VectorEnvFallback)
        self.assertEqual(vec.metadata["autoreset_mode"], "NextStep")

    def test_box_semantics(self):
        # Gymnasium's Box: contains checks shape, castable dtype and bounds; sample is seeded and
        # draws uniform, exponential or normal values by the bounds on each side
        box = _compat._BoxFallback(np.array([-1.0, 0.0, -np.inf, -np.inf]),
                                   np.array([1.0, np.inf, 2.0, np.inf]), seed=3)
        self.assertEqual(box.shape, (4,))
        self.assertFalse(box.is_bounded())
        self.assertTrue(_compat._BoxFallback(-1.0, 1.0, shape=(2,)).is_bounded())
        x = box.sample()
        self.assertIn(x, box)
        self.assertEqual(x.dtype, np.float64)
        self.assertTrue(-1 <= x[0] <= 1 and x[1] >= 0 and x[2] <= 2)
        box.seed(3)
        self.assertTrue(np.array_equal(box.sample(), x))
        self.assertNotIn(np.array([2.0, 0.0, 0.0, 0.0]), box)
        self.assertNotIn(np.array([0.0, -1.0, 0.0, 0.0]), box)
        self.assertNotIn(np.zeros(3), box)
        self.assertNotIn(np.array([np.nan, 0.0, 0.0, 0.0]), box)
        self.assertNotIn(np.zeros(4, dtype=complex), box)
        self.assertIn([0.0, 1.0, 1.0, 5.0], box)
        with self.assertRaises(ValueError):
            _compat._BoxFallback(np.ones(2), np.zeros(2))
        batched = _compat._batch_space_fallback(box, 3)
        self.assertEqual(batched.shape, (3, 4))
        self.assertTrue(np.array_equal(batched.low[2], box.low))

    def test_seeding(self):
        rng, entropy = _compat._np_random_fallback(5)
        self.assertEqual(entropy, 5)
        ref = np.random.Generator(np.random.PCG64(np.random.SeedSequence(5)))
        self.assertEqual(rng.random(), ref.random())
        for bad in (-1, 1.5, "5"):
            with self.assertRaises(ValueError):
                _compat._np_random_fallback(bad)


if __name__ == "__main__":
    main()
