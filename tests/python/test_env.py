"""The Python env for every registered env: what Gymnasium's environment checker
(gymnasium.utils.env_checker.check_env and the passive checker gymnasium.make adds) enforces,
written out so it runs without gymnasium, plus demogym's own contract: exact spaces, errors as
Python exceptions with the C message, state save/restore, the expert, step_many."""

import copy
import inspect
import math
import os
import unittest
import warnings

from common import CLI, ENV_IDS, cli_json, main, np, same_bits

import demogym
from demogym import errors


_SHARED = {}


def tearDownModule():
    for env in _SHARED.values():
        env.close()


class EnvCase(unittest.TestCase):
    """Helpers: an env with options, closed at the end of the test; or one env per id with the
    default options, shared by the tests (compiling a model is the slow part of making an env;
    every test that uses a shared env starts with what it needs: a reset, a seed)."""

    def make(self, env_id, **kw):
        env = demogym.make(env_id, **kw)
        self.addCleanup(env.close)
        return env

    def shared(self, env_id):
        if env_id not in _SHARED:
            _SHARED[env_id] = demogym.make(env_id)
        return _SHARED[env_id]


class TestChecker(EnvCase):
    """What Gymnasium's check_env and its passive checker assert, for every registered env."""

    def test_registry_is_not_empty(self):
        self.assertIn("Reach-v0", ENV_IDS)
        self.assertEqual(ENV_IDS, sorted(ENV_IDS))

    def test_spaces(self):
        # check_action_space / check_observation_space: Box shapes agree with low/high; float64;
        # the bounds are exactly the C spaces' (read independently through `demogym info`)
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                info = cli_json("info", env_id) if CLI else None
                for space, dim in ((env.observation_space, env.obs_dim),
                                   (env.action_space, env.act_dim)):
                    self.assertEqual(space.shape, (dim,))
                    self.assertEqual(space.low.shape, space.shape)
                    self.assertEqual(space.high.shape, space.shape)
                    self.assertEqual(space.dtype, np.float64)
                    self.assertEqual(space.low.dtype, np.float64)
                    self.assertTrue(np.all(space.low <= space.high))
                np.testing.assert_array_equal(env.action_space.low, -np.ones(env.act_dim))
                np.testing.assert_array_equal(env.action_space.high, np.ones(env.act_dim))
                self.assertTrue(np.all(env.observation_space.low == -np.inf))
                self.assertTrue(np.all(env.observation_space.high == np.inf))
                if info:
                    self.assertEqual(info["obs_dim"], env.obs_dim)
                    self.assertEqual(info["act_dim"], env.act_dim)
                    self.assertEqual(info["action_low"], env.action_space.low.tolist())
                    self.assertEqual(info["action_high"], env.action_space.high.tolist())
                    self.assertEqual(info["max_episode_steps"], env.max_episode_steps)
                    self.assertEqual(info["dt"], env.dt)
                    self.assertEqual([(k["name"], k["offset"], k["size"])
                                      for k in info["obs_keys"]], env.obs_keys)

    def test_metadata(self):
        # env_render_passive_checker: render_modes a list of str, render_fps a positive number
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                modes = env.metadata["render_modes"]
                self.assertIsInstance(modes, (list, tuple))
                self.assertTrue(all(isinstance(m, str) for m in modes))
                self.assertIn("rgb_array", modes)
                fps = env.metadata["render_fps"]
                self.assertIsInstance(fps, (int, float))
                self.assertGreater(fps, 0)
                self.assertAlmostEqual(fps, 1.0 / env.dt, places=9)
                self.assertIsNone(env.render_mode)
                self.assertEqual(demogym.DemogymEnv.metadata["render_modes"], modes)

    def test_reset_signature(self):
        # check_reset_seed / check_reset_options: keyword seed and options, both defaulting to None
        sig = inspect.signature(demogym.DemogymEnv.reset)
        self.assertIsNone(sig.parameters["seed"].default)
        self.assertIsNone(sig.parameters["options"].default)
        self.assertNotIn("return_info", sig.parameters)
        self.assertFalse(callable(getattr(demogym.DemogymEnv, "seed", None)))

    def test_reset_return_type(self):
        # check_reset_return_type + env_reset_passive_checker
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                result = env.reset()
                self.assertIsInstance(result, tuple)
                self.assertEqual(len(result), 2)
                obs, info = result
                self.assertIsInstance(obs, np.ndarray)
                self.assertEqual(obs.dtype, env.observation_space.dtype)
                self.assertIn(obs, env.observation_space)
                self.assertIsInstance(info, dict)
                self.assertIs(type(info["success"]), bool)

    def test_reset_seed_determinism(self):
        # check_reset_seed_determinism: reset(123), reset(), reset(123), reset() give obs 1 == 3
        # and 2 == 4 (bit for bit here) and the same np_random state; 456 gives another state
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                obs1, _ = env.reset(seed=123)
                self.assertIn(obs1, env.observation_space)
                self.assertIsNotNone(env.unwrapped._np_random)
                rng1 = copy.deepcopy(env.unwrapped._np_random)
                obs2, _ = env.reset()
                obs3, _ = env.reset(seed=123)
                rng3 = copy.deepcopy(env.unwrapped._np_random)
                obs4, _ = env.reset()
                self.assertTrue(same_bits(obs1, obs3))
                self.assertTrue(same_bits(obs2, obs4))
                self.assertFalse(same_bits(obs1, obs2))
                self.assertEqual(rng1.bit_generator.state, rng3.bit_generator.state)
                obs5, _ = env.reset(seed=456)
                self.assertIn(obs5, env.observation_space)
                self.assertNotEqual(env.unwrapped._np_random.bit_generator.state,
                                    rng1.bit_generator.state)
                self.assertFalse(same_bits(obs5, obs1))

    def test_np_random_is_gymnasium_seeding(self):
        # super().reset(seed=seed) semantics: np_random is PCG64 over SeedSequence(seed)
        env = self.shared("Reach-v0")
        env.reset(seed=7)
        expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(7)))
        self.assertEqual(env.np_random_seed, 7)
        # reset draws the expert's episode seed (one uint64) from np_random
        expected.integers(0, 1 << 64, dtype=np.uint64)
        self.assertEqual(env.np_random.bit_generator.state, expected.bit_generator.state)

    def test_reset_options(self):
        # check_reset_options: options={} is accepted; demogym refuses options it does not know
        env = self.shared("Reach-v0")
        obs, info = env.reset(options={})
        self.assertIn(obs, env.observation_space)
        env.reset(seed=1, options={"expert_seed": 5})
        with self.assertRaises(ValueError) as cm:
            env.reset(options={"bogus": 1})
        self.assertIn("bogus", str(cm.exception))

    def test_step_passive_checks(self):
        # env_step_passive_checker: a 5-tuple, bool flags, a finite float reward, a dict info,
        # an observation of the space's dtype inside the space
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                env.reset(seed=0)
                env.action_space.seed(0)
                for _ in range(5):
                    result = env.step(env.action_space.sample())
                    self.assertIsInstance(result, tuple)
                    self.assertEqual(len(result), 5)
                    obs, reward, terminated, truncated, info = result
                    self.assertIsInstance(obs, np.ndarray)
                    self.assertEqual(obs.dtype, np.float64)
                    self.assertIn(obs, env.observation_space)
                    self.assertIs(type(reward), float)
                    self.assertTrue(math.isfinite(reward))
                    self.assertIs(type(terminated), bool)
                    self.assertIs(type(truncated), bool)
                    self.assertIsInstance(info, dict)
                    for key in ("success", "diverged", "action_clipped"):
                        self.assertIs(type(info[key]), bool)
                    self.assertIs(type(info["elapsed_steps"]), int)
                    if terminated or truncated:
                        env.reset()

    def test_step_determinism(self):
        # check_step_determinism: same seed and action -> same obs, reward, flags, info and the
        # same np_random state; no truncation after one step
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                env.action_space.seed(123)
                action = env.action_space.sample()
                env.reset(seed=123)
                obs0, rew0, term0, trunc0, info0 = env.step(action)
                rng = copy.deepcopy(env.unwrapped._np_random)
                env.reset(seed=123)
                obs1, rew1, term1, trunc1, info1 = env.step(action)
                self.assertEqual(env.unwrapped._np_random.bit_generator.state,
                                 rng.bit_generator.state)
                self.assertTrue(same_bits(obs0, obs1))
                self.assertEqual(rew0, rew1)
                self.assertEqual(term0, term1)
                self.assertIs(trunc0, False)
                self.assertIs(trunc1, False)
                self.assertEqual(info0, info1)

    def test_render(self):
        # env_render_passive_checker: rgb_array gives uint8 (H, W, 3) frames
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.make(env_id, render_mode="rgb_array", render_width=64,
                                render_height=48)
                env.reset(seed=0)
                frame = env.render()
                self.assertIsInstance(frame, np.ndarray)
                self.assertEqual(frame.dtype, np.uint8)
                self.assertEqual(frame.shape, (48, 64, 3))
                self.assertGreater(frame.std(), 5.0)  # a scene, not a blank image
                env.step(np.ones(env.act_dim))
                self.assertFalse(np.array_equal(env.render(), frame))  # the arm moved

    def test_render_without_mode(self):
        env = self.shared("Reach-v0")
        env.reset(seed=0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertIsNone(env.render())
        self.assertTrue(any("render_mode" in str(w.message) for w in caught))
        with self.assertRaises(ValueError) as cm:
            demogym.make("Reach-v0", render_mode="ansi")
        self.assertIn("rgb_array", str(cm.exception))

    @unittest.skipUnless("human" in demogym.RENDER_MODES, "the library has no human rendering")
    def test_human_mode(self):
        # the viewer window draws every reset and step; without a display the env still runs
        # (the library logs why nothing is drawn) and an explicit render() says why
        self.assertIn("human", demogym.DemogymEnv.metadata["render_modes"])
        env = self.make("Reach-v0", render_mode="human")
        self.assertEqual(env.render_mode, "human")
        env.reset(seed=0)
        obs, *_ = env.step(np.zeros(env.act_dim))
        self.assertIn(obs, env.observation_space)
        if not os.environ.get("DISPLAY"):
            with self.assertRaises(RuntimeError) as cm:
                env.render()
            self.assertIn("display", str(cm.exception).lower())

    def test_close_twice(self):
        # check_env: closing a closed env is allowed; using it afterwards is a clear error
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = demogym.make(env_id)
                env.reset(seed=0)
                env.expert_action()
                env.close()
                env.close()
                with self.assertRaises(errors.StateError):
                    env.step(np.zeros(env.act_dim))
                with self.assertRaises(RuntimeError):
                    env.reset()

    def test_context_manager(self):
        with demogym.make("Reach-v0") as env:
            env.reset(seed=0)
        with self.assertRaises(errors.StateError):
            env.reset()

    def test_action_space_sample_is_seeded(self):
        env = self.shared("Reach-v0")
        env.action_space.seed(5)
        a = env.action_space.sample()
        env.action_space.seed(5)
        self.assertTrue(same_bits(a, env.action_space.sample()))
        self.assertIn(a, env.action_space)
        self.assertNotIn(a + 3.0, env.action_space)
        self.assertNotIn(np.zeros(env.act_dim + 1), env.action_space)


class TestErrors(EnvCase):
    """Bad input crosses the boundary as a Python exception with the C message, never a crash,
    and changes nothing."""

    def test_nan_and_inf_actions(self):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                env.reset(seed=0)
                before = env.get_state()
                for bad, word in ((np.nan, "NaN"), (np.inf, "infinite"), (-np.inf, "infinite")):
                    action = np.zeros(env.act_dim)
                    action[1] = bad
                    with self.assertRaises(ValueError) as cm:
                        env.step(action)
                    self.assertIsInstance(cm.exception, errors.InvalidArgumentError)
                    self.assertIn("action[1]", str(cm.exception))
                    self.assertIn(word, str(cm.exception))
                    self.assertTrue(same_bits(env.get_state(), before))
                obs, *_ = env.step(np.zeros(env.act_dim))  # still usable
                self.assertIn(obs, env.observation_space)

    def test_wrong_shape_and_dtype(self):
        env = self.shared("Reach-v0")
        env.reset(seed=0)
        before = env.get_state()
        for bad in (np.zeros(env.act_dim - 1), np.zeros(env.act_dim + 1),
                    np.zeros((1, env.act_dim)), 0.5, []):
            with self.assertRaises(ValueError) as cm:
                env.step(bad)
            self.assertIn(f"({env.act_dim},)", str(cm.exception))
        for bad in (np.array(["a"] * env.act_dim), [None] * env.act_dim,
                    np.zeros(env.act_dim, dtype=complex)):
            with self.assertRaises(TypeError):
                env.step(bad)
        self.assertTrue(same_bits(env.get_state(), before))

    def test_conversions_are_exact(self):
        # lists, float32, ints and strided views are converted once and step like float64
        env = self.shared("Reach-v0")
        base = np.array([0.25, -0.5, 0.125, 1.0])
        env.reset(seed=3)
        ref, *_ = env.step(base)
        strided = np.zeros(2 * env.act_dim)
        strided[::2] = base
        for variant in (base.tolist(), base.astype(np.float32), strided[::2], tuple(base)):
            env.reset(seed=3)
            obs, *_ = env.step(variant)
            self.assertTrue(same_bits(obs, ref))
        env.reset(seed=3)
        ints, *_ = env.step(np.array([0, 1, -1, 0]))
        env.reset(seed=3)
        floats, *_ = env.step(np.array([0.0, 1.0, -1.0, 0.0]))
        self.assertTrue(same_bits(ints, floats))

    def test_clipping(self):
        env = self.shared("Reach-v0")
        env.reset(seed=4)
        big, _, _, _, info = env.step(np.array([3.0, -2.0, 0.5, 9.0]))
        self.assertTrue(info["action_clipped"])
        env.reset(seed=4)
        clipped, _, _, _, info = env.step(np.array([1.0, -1.0, 0.5, 1.0]))
        self.assertFalse(info["action_clipped"])
        self.assertTrue(same_bits(big, clipped))

    def test_unknown_id_lists_known_ids(self):
        with self.assertRaises(LookupError) as cm:
            demogym.make("NoSuchTask-v0")
        self.assertIsInstance(cm.exception, errors.NotFoundError)
        self.assertIn("NoSuchTask-v0", str(cm.exception))
        for env_id in ENV_IDS:
            self.assertIn(env_id, str(cm.exception))

    def test_bad_options(self):
        with self.assertRaises(TypeError) as cm:
            demogym.make("Reach-v0", max_steps=3)
        self.assertIn("max_episode_steps", str(cm.exception))
        for bad in ({"max_episode_steps": 0}, {"max_episode_steps": -2},
                    {"render_width": 0}, {"render_height": 100000},
                    {"render_width": (1 << 32) + 64}, {"max_episode_steps": 1 << 40}):
            with self.assertRaises(ValueError, msg=str(bad)):
                demogym.make("Reach-v0", **bad)
        with self.assertRaises(LookupError) as cm:
            demogym.make("Reach-v0", render_camera="no_such_camera")
        self.assertIn("no_such_camera", str(cm.exception))
        with self.assertRaises(TypeError):
            demogym.make(42)

    def test_bad_seeds(self):
        env = self.shared("Reach-v0")
        for bad in (-1, 1 << 64, True):
            with self.assertRaises(ValueError, msg=repr(bad)):
                env.reset(seed=bad)
        for bad in (1.5, "3"):
            with self.assertRaises(TypeError, msg=repr(bad)):
                env.reset(seed=bad)
        obs_np, _ = env.reset(seed=np.int64(9))  # numpy integers are integers
        obs_py, _ = env.reset(seed=9)
        self.assertTrue(same_bits(obs_np, obs_py))
        env.reset(seed=(1 << 64) - 1)  # the largest seed the C env takes

    def test_step_before_reset_and_after_end(self):
        env = self.make("Reach-v0", max_episode_steps=2)
        with self.assertRaises(RuntimeError) as cm:
            env.step(np.zeros(env.act_dim))
        self.assertIn("reset", str(cm.exception))
        env.reset(seed=0)
        env.step(np.zeros(env.act_dim))
        _, _, _, truncated, _ = env.step(np.zeros(env.act_dim))
        self.assertIs(truncated, True)
        with self.assertRaises(errors.StateError):
            env.step(np.zeros(env.act_dim))

    def test_not_copyable(self):
        env = self.shared("Reach-v0")
        with self.assertRaises(TypeError):
            copy.deepcopy(env)
        with self.assertRaises(TypeError):
            copy.copy(env)


class TestDemogymAdditions(EnvCase):
    """State save/restore, observation keys, the expert, time limits, step_many."""

    def test_state_round_trip(self):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.make(env_id, terminate_on_success=False, max_episode_steps=-1)
                env.reset(seed=11)
                rng = np.random.default_rng(0)
                for _ in range(3):
                    env.step(rng.uniform(-1, 1, env.act_dim))
                state = env.get_state()
                self.assertEqual(state.shape, (env.state_dim,))
                here = env.observe()
                actions = rng.uniform(-1, 1, (6, env.act_dim))
                first = [env.step(a)[0] for a in actions]
                self.assertTrue(same_bits(env.set_state(state), here))
                again = [env.step(a)[0] for a in actions]
                for a, b in zip(first, again):
                    self.assertTrue(same_bits(a, b))
                bad = state.copy()
                bad[3] = np.nan
                after = env.get_state()
                with self.assertRaises(ValueError) as cm:
                    env.set_state(bad)
                self.assertIn("state[3]", str(cm.exception))
                self.assertTrue(same_bits(env.get_state(), after))
                with self.assertRaises(ValueError):
                    env.set_state(state[:-1])

    def test_obs_dict(self):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                obs, _ = env.reset(seed=2)
                parts = env.obs_dict(obs)
                self.assertEqual(list(parts), [k[0] for k in env.obs_keys])
                self.assertTrue(same_bits(np.concatenate(list(parts.values())), obs))
                batch = np.stack([obs, obs])
                self.assertEqual(env.obs_dict(batch)[env.obs_keys[0][0]].shape,
                                 (2, env.obs_keys[0][2]))
                with self.assertRaises(ValueError):
                    env.obs_dict(obs[:-1])

    def test_expert_action(self):
        # the expert is a function of the state (and the episode's expert seed): the same seeds
        # give the same actions, and it solves Reach-v0
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.shared(env_id)
                runs = []
                for _ in range(2):
                    env.reset(seed=21, options={"expert_seed": 4})
                    actions = []
                    for _ in range(15):
                        a = env.expert_action()
                        self.assertIn(a, env.action_space)
                        actions.append(a)
                        _, _, term, trunc, _ = env.step(a)
                        if term or trunc:
                            break
                    runs.append(np.array(actions))
                self.assertTrue(same_bits(runs[0], runs[1]))
        env = self.shared("Reach-v0")
        env.reset(seed=5)
        for _ in range(env.max_episode_steps):
            _, _, term, trunc, info = env.step(env.expert_action())
            if term or trunc:
                break
        self.assertTrue(term and info["success"])

    def test_time_limits(self):
        env = self.make("Reach-v0", max_episode_steps=7, terminate_on_success=False)
        self.assertEqual(env.max_episode_steps, 7)
        env.reset(seed=0)
        flags = [env.step(np.zeros(env.act_dim))[3] for _ in range(7)]
        self.assertEqual(flags, [False] * 6 + [True])
        free = self.make("Reach-v0", max_episode_steps=-1, terminate_on_success=False)
        self.assertEqual(free.max_episode_steps, -1)
        free.reset(seed=0)
        default = demogym.make("Reach-v0").max_episode_steps
        for _ in range(default + 5):
            _, _, term, trunc, _ = free.step(np.zeros(free.act_dim))
            self.assertFalse(term or trunc)

    def test_step_many_matches_step(self):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                env = self.make(env_id, max_episode_steps=30)
                actions = np.random.default_rng(1).uniform(-1.1, 1.1, (39, env.act_dim))
                env.reset(seed=8)
                obs, rew, term, trunc = env.step_many(actions)
                # it stops after the step that ends the episode (the time limit at the latest)
                self.assertLessEqual(len(obs), 30)
                ends = term | trunc
                self.assertTrue(ends[-1] and not ends[:-1].any())
                env.reset(seed=8)
                for k in range(len(obs)):
                    o, r, te, tr, _ = env.step(actions[k])
                    self.assertTrue(same_bits(o, obs[k]))
                    self.assertEqual((r, te, tr), (rew[k], term[k], trunc[k]))
                with self.assertRaises(ValueError):
                    env.step_many(actions[0])

    def test_unwrapped_and_handle(self):
        env = self.shared("Reach-v0")
        self.assertIs(env.unwrapped, env)
        self.assertIsInstance(env.handle, int)
        self.assertIn("Reach-v0", repr(env))
        self.assertEqual(demogym.make("demogym/Reach-v0").env_id, "Reach-v0")


if __name__ == "__main__":
    main()
