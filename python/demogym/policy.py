"""Policies through the C library (scripted experts, exploration noise, trained checkpoints) and
their evaluation in simulation by the library's own rollout driver."""

import ctypes
import os
import threading

import numpy as np

from . import _lib
from .env import DemogymEnv, as_float64, check_seed
from .errors import InvalidArgumentError, StateError

__all__ = ["Policy", "expert", "noisy", "load_policy", "evaluate", "seed_derive"]


def seed_derive(base, stream, index):
    """dg_seed_derive: the seed of episode index in stream of a run seeded with base (the C
    rollout driver resets episode i's env with seed_derive(S, 0, i) and its policy with
    seed_derive(S, 1, i))."""
    return _lib.lib.dg_seed_derive(check_seed(base), check_seed(stream), check_seed(index))


def _env_handle(env):
    """The dg_env* behind a DemogymEnv or a Gymnasium wrapper of one."""
    base = getattr(env, "unwrapped", env)
    if not isinstance(base, DemogymEnv):
        raise TypeError(f"expected a demogym env (demogym.make or gymnasium.make('demogym/...')), "
                        f"got {type(env).__name__}")
    return base, base.handle


class Policy:
    """A C dg_policy: reset(seed) then act(obs, env) -> action in [-1, 1]^A (float64)."""

    def __init__(self, handle, env_id=None):
        self._h = handle
        self.env_id = env_id
        self._label_dim = None

    @property
    def handle(self):
        """The C dg_policy* as an integer address."""
        if not self._h:
            raise StateError("the policy is closed", 4)
        return self._h

    @property
    def name(self):
        """The policy's label (e.g. "expert" or a checkpoint's file name)."""
        return _lib.text(_lib.lib.dg_policy_name(self.handle))

    @property
    def kind(self):
        """The policy class ("expert", "noisy", "mse", ...)."""
        return _lib.text(_lib.lib.dg_policy_kind(self.handle))

    def reset(self, seed):
        """Start an episode; seed fixes every random choice the policy makes in it."""
        _lib.check(_lib.lib.dg_policy_reset(self.handle, check_seed(seed)))

    def act(self, obs, env):
        """Return the action (float64, (act_dim,)) for observation obs in env (a demogym env;
        experts read its state, learned policies only obs)."""
        base, h = _env_handle(env)
        o = as_float64(obs, (base.obs_dim,), f"the observation of {base.env_id}")
        action = np.empty(base.act_dim)
        _lib.check(_lib.lib.dg_policy_act(self.handle, o.ctypes.data, h, action.ctypes.data))
        self._label_dim = base.act_dim
        return action

    def label(self):
        """The clean label of the last action: before exploration noise for a noisy policy, the
        action itself otherwise."""
        if self._label_dim is None:
            raise StateError(f"policy {self.name} has not acted yet", 4)
        out = np.empty(self._label_dim)
        _lib.check(_lib.lib.dg_policy_label(self.handle, out.ctypes.data))
        return out

    def evaluate(self, env_id=None, episodes=10, seed=0, **env_options):
        """Roll the policy out with the library's driver; see demogym.evaluate."""
        return evaluate(self, env_id or self.env_id, episodes=episodes, seed=seed, **env_options)

    def close(self):
        """Free the policy; closing twice is fine."""
        if getattr(self, "_h", None):
            p = ctypes.c_void_p(self._h)
            self._h = None
            _lib.lib.dg_policy_close(ctypes.byref(p))

    def _take(self):
        """Give up ownership of the handle (for wrappers that take it over)."""
        h = self.handle
        self._h = None
        return h

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()
        return False

    def __repr__(self):
        if not self._h:
            return "Policy(closed)"
        return f"Policy({self.name!r}, kind={self.kind!r}, env={self.env_id!r})"


def expert(env_id):
    """The scripted expert of env_id as a Policy (state-based: it reads the env it acts in)."""
    if not isinstance(env_id, str):
        raise TypeError(f"env id must be a str, got {env_id!r}")
    p = ctypes.c_void_p()
    _lib.check(_lib.lib.dg_policy_make_expert(env_id.encode(), ctypes.byref(p)))
    return Policy(p.value, env_id)


def noisy(inner, noise=0.0, epsilon=0.0):
    """Wrap inner (which this takes over and closes) so its actions get Gaussian noise of
    standard deviation noise, or with probability epsilon a uniform random action."""
    if not isinstance(inner, Policy):
        raise TypeError(f"noisy() wraps a demogym Policy, got {type(inner).__name__}")
    env_id = inner.env_id
    p = ctypes.c_void_p()
    _lib.check(_lib.lib.dg_policy_make_noisy(inner._take(), float(noise), float(epsilon),
                                             ctypes.byref(p)))
    return Policy(p.value, env_id)


def _load_checkpoint(path, env_id):
    """A trained policy from a checkpoint through the learners' API (bc.h)."""
    if not _lib.has("dg_bc_load"):
        raise NotImplementedError(
            f"{_lib.library_path} cannot load checkpoints (it has no dg_bc_load); rebuild it "
            f"with the learners module")
    P = ctypes.POINTER
    load = _lib.proto("dg_bc_load", ctypes.c_int, ctypes.c_char_p, P(ctypes.c_void_p))
    model_env = _lib.proto("dg_bc_model_env", ctypes.c_char_p, ctypes.c_void_p)
    make = _lib.proto("dg_bc_policy_make", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p,
                      ctypes.c_char_p, P(ctypes.c_void_p))
    close = _lib.proto("dg_bc_model_close", None, P(ctypes.c_void_p))
    model = ctypes.c_void_p()
    _lib.check(load(os.fsencode(path), ctypes.byref(model)))
    try:
        trained_in = _lib.text(model_env(model)) or None
        p = ctypes.c_void_p()
        _lib.check(make(model, env_id.encode() if env_id else None,
                        os.fsencode(os.path.basename(path)), ctypes.byref(p)))
    finally:
        close(ctypes.byref(model))
    return Policy(p.value, env_id or trained_in)


def load_policy(path, env_id=None):
    """Load a policy: "expert" (with env_id) for the scripted expert, or a checkpoint file
    written by `demogym train`, which then acts through the C library. With env_id, a
    checkpoint trained in another env is refused (ValueError)."""
    if isinstance(path, str) and path == "expert":
        if env_id is None:
            raise InvalidArgumentError("load_policy('expert') needs env_id, e.g. 'Reach-v0'", 1)
        return expert(env_id)
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no checkpoint at {path} (or pass 'expert' with an env id)")
    return _load_checkpoint(path, env_id)


def evaluate(policy, env_id, episodes=10, seed=0, **env_options):
    """Roll policy out for episodes episodes of env_id with the C rollout driver (episode i
    resets the env with seed_derive(seed, 0, i) and the policy with seed_derive(seed, 1, i),
    as `demogym eval` does); return a dict with the keys of `demogym eval --json` plus
    "per_episode" (a list of dicts). Ctrl-C stops it after the current step."""
    if not isinstance(policy, Policy):
        raise TypeError(f"evaluate() takes a demogym Policy, got {type(policy).__name__}")
    episodes = int(episodes)
    if episodes < 1:
        raise InvalidArgumentError(f"episodes must be >= 1, got {episodes}", 1)
    env = DemogymEnv(env_id, **env_options)
    handed_over = False  # once the worker thread owns the env, it closes it
    try:
        if env.max_episode_steps < 0:
            raise InvalidArgumentError(
                "evaluate() needs a time limit: leave max_episode_steps at its default or set "
                "a positive one", 1)
        opt = _lib.RolloutOptions()
        _lib.lib.dg_rollout_options_default(ctypes.byref(opt))
        opt.episodes = episodes
        opt.seed = check_seed(seed)
        stop = ctypes.c_int(0)
        opt.stop = ctypes.pointer(stop)
        stats = (_lib.EpisodeStats * episodes)()
        summary = _lib.RolloutSummary()
        env_h, policy_h, env_name, policy_name = env.handle, policy.handle, env.env_id, policy.name
        result = {}

        # the rollout runs in a worker thread, so that Ctrl-C reaches Python and sets the stop
        # flag. The worker owns the env until the C call has returned (an interrupt landing
        # anywhere here can never free it under the running rollout); completion is signalled
        # by events, since Thread.join interrupted by Ctrl-C may report a running thread dead
        began, done = threading.Event(), threading.Event()

        def run():
            began.set()
            try:
                if not stop.value:
                    rc = _lib.lib.dg_rollout_run(env_h, policy_h, ctypes.byref(opt), stats,
                                                 ctypes.byref(summary))
                    result["rc"] = rc
                    if rc:
                        result["msg"] = _lib.last_message(rc)
            finally:
                env.close()
                done.set()

        worker = threading.Thread(target=run, name="demogym-evaluate")
        handed_over = True
        interrupt = None
        try:
            worker.start()
            while not done.wait(0.05):
                pass
        except KeyboardInterrupt as e:
            interrupt = e
            stop.value = 1  # the rollout ends after its current step
            # a worker that has not begun sees the flag and touches nothing
            while began.is_set() and not done.is_set():
                try:
                    done.wait(0.05)
                except KeyboardInterrupt:
                    pass
        if result.get("rc"):  # demogym.errors.Interrupted (a KeyboardInterrupt) after Ctrl-C
            _lib.raise_status(result["rc"], result.get("msg"))
        if interrupt is not None:
            raise interrupt
        per = [{"index": s.index, "seed": s.seed, "success": bool(s.success),
                "length": s.length, "return": s.ret, "terminated": bool(s.terminated),
                "truncated": bool(s.truncated), "diverged": bool(s.diverged)}
               for s in stats[:summary.episodes]]
        return {"env": env_name, "policy": policy_name, "episodes": summary.episodes,
                "success_rate": summary.success_rate,
                "success_ci95": [summary.ci95_lo, summary.ci95_hi],
                "mean_return": summary.mean_return, "mean_length": summary.mean_length,
                "per_episode": per}
    finally:
        if not handed_over:
            env.close()
