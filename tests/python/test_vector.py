"""The vector env over the C library's batched stepping: Gymnasium's VectorEnv interface, seeding
(env i gets seed + i), next-step and same-step autoreset compared bit for bit with single envs
driven by the rules Gymnasium documents, results independent of the thread count, bad input."""

import copy
import unittest

from common import ENV_IDS, main, np, same_bits

import demogym
from demogym import errors

N = 3
STEPS = 40
LIMIT = 6  # a short time limit, so that autoresets happen often
# the autoreset comparisons run on Reach-v0 and one env with objects (the rules are the vector
# env's, not the task's; test time is what limits the list)
AUTORESET_IDS = ["Reach-v0"] + [e for e in ENV_IDS if e != "Reach-v0"][:1]


def actions_for(vec, rng, k):
    """The k-th batch of actions: the experts' (so episodes succeed) every third step, random
    (some components out of range, to be clipped) otherwise."""
    if k % 3 == 2:
        return vec.expert_actions()
    return rng.uniform(-1.2, 1.2, (vec.num_envs, vec.act_dim))


def reference(env_id, seed, batches, mode):
    """What the vector env must return, from N single envs and Gymnasium's autoreset rules."""
    envs = [demogym.make(env_id, max_episode_steps=LIMIT) for _ in range(N)]
    try:
        first = [e.reset(seed=seed + i) for i, e in enumerate(envs)]
        out = [np.stack([o for o, _ in first])]
        pending = [False] * N
        for actions in batches:
            obs, rew, term, trunc, succ, final = [], [], [], [], [], []
            for i, e in enumerate(envs):
                if mode == "next_step" and pending[i]:
                    o, info = e.reset()
                    r, te, tr = 0.0, False, False
                    pending[i] = False
                else:
                    o, r, te, tr, info = e.step(actions[i])
                    final.append(o if (te or tr) else None)
                    if te or tr:
                        if mode == "next_step":
                            pending[i] = True
                        else:
                            o, info = e.reset()
                obs.append(o)
                rew.append(r)
                term.append(te)
                trunc.append(tr)
                succ.append(info["success"])
            out.append((np.stack(obs), np.array(rew), np.array(term), np.array(trunc),
                        np.array(succ), final))
        return out
    finally:
        for e in envs:
            e.close()


def run_vec(env_id, seed, mode, threads, batches=None):
    """Roll a vector env; return its results and the actions it was given."""
    vec = demogym.make_vec(env_id, N, num_threads=threads, autoreset_mode=mode,
                           max_episode_steps=LIMIT)
    try:
        obs, _ = vec.reset(seed=seed)
        rng = np.random.default_rng(seed)
        results, used = [obs], []
        for k in range(STEPS):
            actions = batches[k] if batches is not None else actions_for(vec, rng, k)
            used.append(actions)
            obs, rew, term, trunc, infos = vec.step(actions)
            results.append((obs, rew, term, trunc, infos))
        return results, used
    finally:
        vec.close()


class TestVector(unittest.TestCase):

    def make_vec(self, env_id="Reach-v0", n=N, **kw):
        vec = demogym.make_vec(env_id, n, **kw)
        self.addCleanup(vec.close)
        return vec

    def test_interface(self):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                vec = self.make_vec(env_id, num_threads=2)
                single = demogym.make(env_id)
                self.addCleanup(single.close)
                self.assertEqual(vec.num_envs, N)
                self.assertEqual(vec.num_threads, 2)
                for batched, one in ((vec.observation_space, vec.single_observation_space),
                                     (vec.action_space, vec.single_action_space)):
                    self.assertEqual(batched.shape, (N,) + one.shape)
                    self.assertEqual(batched.dtype, np.float64)
                    self.assertTrue(same_bits(batched.low[1], one.low))
                    self.assertTrue(same_bits(batched.high[2], one.high))
                self.assertTrue(same_bits(vec.single_observation_space.low,
                                          single.observation_space.low))
                self.assertTrue(same_bits(vec.single_action_space.high,
                                          single.action_space.high))
                self.assertIn(str(getattr(vec.metadata["autoreset_mode"], "value",
                                          vec.metadata["autoreset_mode"])), ("NextStep",))
                self.assertEqual(vec.metadata["render_fps"], single.metadata["render_fps"])
                self.assertIs(vec.unwrapped, vec)
                obs, infos = vec.reset(seed=0)
                self.assertEqual(obs.shape, (N, single.obs_dim))
                self.assertEqual(obs.dtype, np.float64)
                self.assertIn(obs, vec.observation_space)
                for key in ("success", "diverged", "action_clipped", "elapsed_steps"):
                    self.assertEqual(infos[key].shape, (N,))
                    self.assertTrue(infos["_" + key].all())
                vec.action_space.seed(1)
                obs, rew, term, trunc, infos = vec.step(vec.action_space.sample())
                self.assertEqual(rew.dtype, np.float64)
                self.assertEqual(term.dtype, np.bool_)
                self.assertEqual(trunc.dtype, np.bool_)
                self.assertEqual((rew.shape, term.shape, trunc.shape), ((N,), (N,), (N,)))
                self.assertIsInstance(infos, dict)

    def test_reset_seeds_like_single_envs(self):
        for env_id in ENV_IDS:
            with self.subTest(env=env_id):
                vec = self.make_vec(env_id)
                obs, _ = vec.reset(seed=40)
                listed, _ = vec.reset(seed=[40, 41, 42])
                self.assertTrue(same_bits(obs, listed))
                env = demogym.make(env_id)
                for i in range(N):
                    self.assertTrue(same_bits(env.reset(seed=40 + i)[0], obs[i]))
                env.close()
                again, _ = vec.reset(seed=40)
                self.assertTrue(same_bits(again, obs))
                self.assertFalse(same_bits(vec.reset()[0], obs))  # continues the generators

    def test_next_step_autoreset_matches_single_envs(self):
        for env_id in AUTORESET_IDS:
            with self.subTest(env=env_id):
                got, batches = run_vec(env_id, 7, "next_step", 2)
                want = reference(env_id, 7, batches, "next_step")
                self.assertTrue(same_bits(got[0], want[0]))
                resets = 0
                for k in range(1, STEPS + 1):
                    obs, rew, term, trunc, infos = got[k]
                    wobs, wrew, wterm, wtrunc, wsucc, _ = want[k]
                    self.assertTrue(same_bits(obs, wobs), f"step {k}")
                    self.assertTrue(same_bits(rew, wrew), f"step {k}")
                    np.testing.assert_array_equal(term, wterm)
                    np.testing.assert_array_equal(trunc, wtrunc)
                    np.testing.assert_array_equal(infos["success"], wsucc)
                    if k > 1:  # the step after an end resets: reward 0, flags False
                        ended = got[k - 1][2] | got[k - 1][3]
                        resets += int(ended.sum())
                        self.assertTrue(np.all(rew[ended] == 0.0))
                        self.assertFalse(np.any(term[ended] | trunc[ended]))
                        self.assertTrue(np.all(infos["elapsed_steps"][ended] == 0))
                self.assertGreater(resets, N)

    def test_same_step_autoreset_matches_single_envs(self):
        for env_id in AUTORESET_IDS:
            with self.subTest(env=env_id):
                got, batches = run_vec(env_id, 9, "same_step", 1)
                want = reference(env_id, 9, batches, "same_step")
                ends = 0
                for k in range(1, STEPS + 1):
                    obs, rew, term, trunc, infos = got[k]
                    wobs, wrew, wterm, wtrunc, wsucc, wfinal = want[k]
                    self.assertTrue(same_bits(obs, wobs), f"step {k}")
                    self.assertTrue(same_bits(rew, wrew), f"step {k}")
                    np.testing.assert_array_equal(term, wterm)
                    np.testing.assert_array_equal(trunc, wtrunc)
                    ended = term | trunc
                    if ended.any():
                        ends += int(ended.sum())
                        np.testing.assert_array_equal(infos["_final_obs"], ended)
                        for i in np.flatnonzero(ended):
                            self.assertTrue(same_bits(infos["final_obs"][i], wfinal[i]))
                        self.assertTrue(infos["final_info"]["_success"][ended].all())
                    else:
                        self.assertNotIn("final_obs", infos)
                self.assertGreater(ends, N)

    def test_thread_count_does_not_change_results(self):
        one, batches = run_vec("Reach-v0", 3, "next_step", 1)
        two, _ = run_vec("Reach-v0", 3, "next_step", 2, batches)
        three, _ = run_vec("Reach-v0", 3, "next_step", 3, batches)
        for a, b, c in zip(one[1:], two[1:], three[1:]):
            for x, y, z in zip(a[:4], b[:4], c[:4]):
                self.assertTrue(same_bits(x, y) and same_bits(x, z))

    def test_results_are_copies(self):
        vec = self.make_vec()
        obs0, _ = vec.reset(seed=0)
        keep = obs0.copy()
        obs1, *_ = vec.step(np.zeros((N, vec.act_dim)))
        self.assertTrue(same_bits(obs0, keep))
        self.assertFalse(same_bits(obs0, obs1))

    def test_bad_input(self):
        vec = self.make_vec()
        with self.assertRaises(RuntimeError):
            vec.step(np.zeros((N, vec.act_dim)))  # before reset
        vec.reset(seed=0)
        before = vec.get_states()
        actions = np.zeros((N, vec.act_dim))
        actions[2, 1] = np.nan
        with self.assertRaises(ValueError) as cm:
            vec.step(actions)
        self.assertIn("env 2", str(cm.exception))
        self.assertIn("action[1]", str(cm.exception))
        self.assertTrue(same_bits(vec.get_states(), before))  # nothing stepped
        for bad in (np.zeros((N - 1, vec.act_dim)), np.zeros(N * vec.act_dim)):
            with self.assertRaises(ValueError) as cm:
                vec.step(bad)
            self.assertIn(f"({N}, {vec.act_dim})", str(cm.exception))
        with self.assertRaises(ValueError):
            vec.reset(seed=[1, 2])
        with self.assertRaises(ValueError):
            vec.reset(options={"reset_mask": [True] * N})
        with self.assertRaises(ValueError):
            demogym.make_vec("Reach-v0", 0)
        with self.assertRaises(ValueError):
            demogym.make_vec("Reach-v0", 2, autoreset_mode="disabled")
        with self.assertRaises(ValueError):
            demogym.make_vec("Reach-v0", 2, render_mode="human")
        with self.assertRaises(LookupError):
            demogym.make_vec("NoSuchTask-v0", 2)
        with self.assertRaises(TypeError):
            copy.deepcopy(vec)

    def test_close_twice(self):
        vec = demogym.make_vec("Reach-v0", 2)
        vec.reset(seed=0)
        vec.expert_actions()
        vec.close()
        vec.close()
        self.assertTrue(vec.closed)
        with self.assertRaises(errors.StateError):
            vec.step(np.zeros((2, 4)))

    def test_render(self):
        vec = self.make_vec(n=2, render_mode="rgb_array", render_width=32, render_height=24)
        vec.reset(seed=0)
        frames = vec.render()
        self.assertEqual(len(frames), 2)
        for f in frames:
            self.assertEqual((f.shape, f.dtype), ((24, 32, 3), np.uint8))
        self.assertFalse(np.array_equal(frames[0], frames[1]))  # different targets

    def test_experts_solve_reach(self):
        vec = self.make_vec(n=4, num_threads=2)
        vec.reset(seed=100)
        solved = np.zeros(4, dtype=bool)
        for _ in range(40):
            _, _, term, _, infos = vec.step(vec.expert_actions())
            solved |= term & infos["success"]
        self.assertTrue(solved.all())


if __name__ == "__main__":
    main()
