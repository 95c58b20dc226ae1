"""DemogymVectorEnv: N envs stepped together by the C library's batched vector env (vec_env.h,
a pool of threads), with Gymnasium's VectorEnv interface and its next-step autoreset."""

import ctypes

import numpy as np

from . import _lib
from ._compat import NEXT_STEP, SAME_STEP, Box, VectorEnv, batch_space
from .env import _options_struct, as_float64, c_int_value, check_seed
from .errors import InvalidArgumentError, StateError

__all__ = ["DemogymVectorEnv", "make_vec", "AUTORESET_MODES"]

c_int, c_void_p, c_size_t = ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t
_U64_LIMIT = 1 << 64
AUTORESET_MODES = ("next_step", "same_step")
_HAVE_VEC = _lib.has("dg_vec_make")


class VecOptions(ctypes.Structure):
    _fields_ = [("num_envs", c_int), ("num_threads", c_int), ("autoreset_mode", c_int),
                ("env", _lib.EnvOptions), ("spin_us", c_int)]


if _HAVE_VEC:
    _lib.check_layout({"dg_vec_options": VecOptions})
    P = ctypes.POINTER
    _proto = _lib.proto
    _proto("dg_vec_options_default", None, P(VecOptions))
    _proto("dg_vec_make", c_int, ctypes.c_char_p, P(VecOptions), P(c_void_p))
    _proto("dg_vec_close", None, P(c_void_p))
    for _name in ("dg_vec_num_envs", "dg_vec_num_threads", "dg_vec_autoreset_mode",
                  "dg_vec_obs_dim", "dg_vec_act_dim"):
        _proto(_name, c_int, c_void_p)
    _proto("dg_vec_env_at", c_void_p, c_void_p, c_int)
    _proto("dg_vec_reset", c_int, c_void_p, c_void_p)
    _proto("dg_vec_reset_seeds", c_int, c_void_p, c_void_p, c_size_t)
    _proto("dg_vec_step", c_int, c_void_p, c_void_p, c_size_t)
    for _name in ("dg_vec_obs", "dg_vec_rewards", "dg_vec_terminated", "dg_vec_truncated",
                  "dg_vec_infos", "dg_vec_autoreset_mask", "dg_vec_final_obs",
                  "dg_vec_final_infos"):
        _proto(_name, c_void_p, c_void_p)
    _vec_step = _lib.lib.dg_vec_step

# dg_info as a numpy record, to read the C array of N infos without a Python loop
_INFO_DTYPE = np.dtype({
    "names": [f[0] for f in _lib.Info._fields_],
    "formats": [np.intc] * len(_lib.Info._fields_),
    "offsets": [getattr(_lib.Info, f[0]).offset for f in _lib.Info._fields_],
    "itemsize": ctypes.sizeof(_lib.Info)})


def _autoreset_code(mode):
    """0 (next step) or 1 (same step) from a gymnasium AutoresetMode or its name."""
    name = getattr(mode, "value", mode)
    if isinstance(name, str):
        key = name.replace("_", "").replace("-", "").lower()
        if key == "nextstep":
            return 0
        if key == "samestep":
            return 1
    raise InvalidArgumentError(
        f"autoreset_mode {mode!r} is not supported; use 'next_step' (default) or 'same_step'", 1)


def _array(addr, dtype, shape):
    """A numpy view of C memory owned by the vector env (valid until it is closed)."""
    count = int(np.prod(shape))
    buf = (ctypes.c_char * (count * np.dtype(dtype).itemsize)).from_address(addr)
    return np.frombuffer(buf, dtype=dtype, count=count).reshape(shape)


class DemogymVectorEnv(VectorEnv):
    """num_envs envs of one id, stepped by num_threads threads in C (results do not depend on
    the thread count). reset(seed=S) resets env i with seed S + i (or seed=[s_0, ..., s_N-1]).
    With next-step autoreset (the default), the step after an env's episode ended ignores its
    action, resets it and returns its reset observation with reward 0 and both flags False.
    With same-step autoreset, an ended env is reset at once and infos carry "final_obs" and
    "final_info" (with the "_final_obs"/"_final_info" masks), as Gymnasium's vector envs do.
    Infos are dicts of arrays: success, diverged, action_clipped, elapsed_steps, each with its
    "_key" mask. Arrays returned are copies the caller keeps."""

    def __init__(self, env_id, num_envs=1, *, num_threads=1, autoreset_mode=NEXT_STEP,
                 render_mode=None, max_episode_steps=None, terminate_on_success=True,
                 render_width=None, render_height=None, render_camera=None):
        self._v = None
        self.closed = False
        if not _HAVE_VEC:
            raise NotImplementedError(
                f"{_lib.library_path} has no vector env (dg_vec_make); rebuild the library")
        if render_mode not in (None, "rgb_array"):
            raise InvalidArgumentError(
                f"render_mode {render_mode!r} is not supported by the vector env; use "
                f"'rgb_array' or None", 1)
        if not isinstance(env_id, str):
            raise TypeError(f"env id must be a str, got {env_id!r}")
        prefix = "demogym/"
        env_id = env_id[len(prefix):] if env_id.startswith(prefix) else env_id
        opt = VecOptions()
        _lib.lib.dg_vec_options_default(ctypes.byref(opt))
        opt.num_envs = c_int_value(num_envs, "num_envs")
        opt.num_threads = c_int_value(num_threads, "num_threads")
        opt.autoreset_mode = _autoreset_code(autoreset_mode)
        opt.env = _options_struct(max_episode_steps, terminate_on_success, render_width,
                                  render_height, render_camera)
        handle = c_void_p()
        _lib.check(_lib.lib.dg_vec_make(env_id.encode(), ctypes.byref(opt), ctypes.byref(handle)))
        self._v = handle.value
        lib, v = _lib.lib, self._v

        self.env_id = env_id
        self.render_mode = render_mode
        self.num_envs = lib.dg_vec_num_envs(v)
        self.num_threads = lib.dg_vec_num_threads(v)
        self.autoreset_mode = AUTORESET_MODES[lib.dg_vec_autoreset_mode(v)]
        self.obs_dim = lib.dg_vec_obs_dim(v)
        self.act_dim = lib.dg_vec_act_dim(v)
        first = lib.dg_vec_env_at(v, 0)
        self.max_episode_steps = lib.dg_env_max_episode_steps(first)
        self.dt = lib.dg_env_dt(first)
        w, hh = c_int(), c_int()
        lib.dg_env_render_size(first, ctypes.byref(w), ctypes.byref(hh))
        self.render_size = (w.value, hh.value)
        self.obs_keys = []
        for i in range(lib.dg_env_obs_key_count(first)):
            k = lib.dg_env_obs_key(first, i).contents
            self.obs_keys.append((_lib.text(k.name), k.offset, k.size))
        mode = SAME_STEP if self.autoreset_mode == "same_step" else NEXT_STEP
        self.metadata = {"render_modes": ["rgb_array"],
                         "render_fps": lib.dg_env_render_fps(first), "autoreset_mode": mode}
        self.single_observation_space = self._box(lib.dg_env_observation_space(first))
        self.single_action_space = self._box(lib.dg_env_action_space(first))
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)

        # the C buffers, wrapped once; their addresses are fixed until close
        n, od = self.num_envs, self.obs_dim
        self._obs = _array(lib.dg_vec_obs(v), np.float64, (n, od))
        self._rewards = _array(lib.dg_vec_rewards(v), np.float64, (n,))
        self._term = _array(lib.dg_vec_terminated(v), np.uint8, (n,))
        self._trunc = _array(lib.dg_vec_truncated(v), np.uint8, (n,))
        self._infos = _array(lib.dg_vec_infos(v), _INFO_DTYPE, (n,))
        self._mask = _array(lib.dg_vec_autoreset_mask(v), np.uint8, (n,))
        self._final_obs = _array(lib.dg_vec_final_obs(v), np.float64, (n, od))
        self._final_infos = _array(lib.dg_vec_final_infos(v), _INFO_DTYPE, (n,))
        self._act_shape = (n, self.act_dim)
        self._nact = n * self.act_dim
        self._experts = None
        self._expert_seeds = np.zeros(n, dtype=np.uint64)
        self._expert_pending = np.zeros(n, dtype=bool)
        self._was_reset = False

    @staticmethod
    def _box(cbox):
        low = np.ctypeslib.as_array(cbox.low, (cbox.dim,)).copy()
        high = np.ctypeslib.as_array(cbox.high, (cbox.dim,)).copy()
        return Box(low=low, high=high, dtype=np.float64)

    def _handle(self):
        if not self._v:
            raise StateError("the DemogymVectorEnv is closed", 4)
        return self._v

    def _info_dict(self, infos):
        n = self.num_envs
        out = {}
        for name in ("success", "diverged", "action_clipped"):
            out[name] = infos[name] != 0
            out["_" + name] = np.ones(n, dtype=bool)
        out["elapsed_steps"] = infos["elapsed_steps"].astype(np.int64)
        out["_elapsed_steps"] = np.ones(n, dtype=bool)
        return out

    def _draw_expert_seeds(self, which):
        # every new episode draws its expert seed from np_random, in env order
        k = int(np.count_nonzero(which))
        if k:
            self._expert_seeds[which] = self.np_random.integers(0, _U64_LIMIT, size=k,
                                                                dtype=np.uint64)
            self._expert_pending[which] = True

    def reset(self, *, seed=None, options=None):
        """Reset every env; return (obs (N, obs_dim), infos). seed: an int S (env i gets S + i),
        a list of N ints, or None (each env continues its generator)."""
        v = self._handle()
        if options:
            raise InvalidArgumentError(
                f"unknown reset option(s) {sorted(options)}; the vector env takes none", 1)
        if seed is None:
            super().reset(seed=None)
            _lib.check(_lib.lib.dg_vec_reset(v, None))
        elif isinstance(seed, (list, tuple, np.ndarray)):
            seeds = [check_seed(s) for s in seed]
            if len(seeds) != self.num_envs:
                raise InvalidArgumentError(
                    f"got {len(seeds)} seeds for {self.num_envs} envs", 1)
            super().reset(seed=None)
            seq = np.random.SeedSequence(seeds)
            self.np_random = np.random.Generator(np.random.PCG64(seq))
            arr = np.array(seeds, dtype=np.uint64)
            _lib.check(_lib.lib.dg_vec_reset_seeds(v, arr.ctypes.data, len(seeds)))
        else:
            s = check_seed(seed)
            if s + self.num_envs - 1 >= _U64_LIMIT:
                raise InvalidArgumentError(
                    f"seed {s} + {self.num_envs - 1} overflows 64 bits", 1)
            super().reset(seed=s)
            cs = ctypes.c_uint64(s)
            _lib.check(_lib.lib.dg_vec_reset(v, ctypes.byref(cs)))
        self._was_reset = True
        self._draw_expert_seeds(np.ones(self.num_envs, dtype=bool))
        return self._obs.copy(), self._info_dict(self._infos)

    def step(self, actions):
        """Step every env with its row of actions ((N, act_dim) float64); return (obs, rewards,
        terminations, truncations, infos) as arrays over the envs."""
        v = self._v
        if not v:
            self._handle()
        a = actions
        if not (type(a) is np.ndarray and a.dtype == np.float64 and a.shape == self._act_shape
                and a.flags.c_contiguous):
            a = as_float64(actions, self._act_shape, f"the actions of {self.env_id} x "
                                                     f"{self.num_envs}")
        starting = self._mask != 0  # next-step mode: these envs are reset by this step
        rc = _vec_step(v, a.ctypes.data, self._nact)
        if rc:
            _lib.raise_status(rc)
        term = self._term != 0
        trunc = self._trunc != 0
        infos = self._info_dict(self._infos)
        if self.autoreset_mode == "same_step":
            ended = term | trunc
            self._draw_expert_seeds(ended)
            if ended.any():
                final_obs = np.zeros_like(self._final_obs)
                final_obs[ended] = self._final_obs[ended]
                final = self._info_dict(self._final_infos)
                for key in list(final):
                    if not key.startswith("_"):
                        final["_" + key] = ended.copy()
                infos["final_obs"] = final_obs
                infos["_final_obs"] = ended.copy()
                infos["final_info"] = final
                infos["_final_info"] = ended.copy()
        else:
            self._draw_expert_seeds(starting)
        return self._obs.copy(), self._rewards.copy(), term, trunc, infos

    @property
    def autoreset_mask(self):
        """Next-step mode: which envs the next step resets (their episode has ended)."""
        self._handle()
        return self._mask != 0

    def obs_dict(self, obs):
        """Split a batch of observations into {key: view (N, size)}."""
        obs = np.asarray(obs)
        return {name: obs[..., off:off + size] for name, off, size in self.obs_keys}

    def env_handle(self, i):
        """The C dg_env* of env i (read-only use: experts, rendering, get_state)."""
        h = _lib.lib.dg_vec_env_at(self._handle(), c_int_value(i, "env index"))
        if not h:
            raise InvalidArgumentError(f"env index {i} is outside 0..{self.num_envs - 1}", 1)
        return h

    def get_states(self):
        """The full simulation state of every env ((N, state_dim))."""
        first = self.env_handle(0)
        out = np.empty((self.num_envs, _lib.lib.dg_env_state_dim(first)))
        for i in range(self.num_envs):
            _lib.check(_lib.lib.dg_env_get_state(self.env_handle(i), out[i].ctypes.data))
        return out

    def expert_actions(self):
        """The scripted expert's action for every env in its current state ((N, act_dim)); the
        experts' per-episode choices are seeded from np_random at each env's episode start."""
        v = self._handle()
        if not self._was_reset:
            raise StateError("reset the vector env before asking its experts", 4)
        lib = _lib.lib
        if self._experts is None:
            experts = []
            try:
                for _ in range(self.num_envs):
                    p = c_void_p()
                    _lib.check(lib.dg_policy_make_expert(self.env_id.encode(), ctypes.byref(p)))
                    experts.append(p.value)
            except Exception:
                for h in experts:
                    lib.dg_policy_close(ctypes.byref(c_void_p(h)))
                raise
            self._experts = experts
        out = np.empty(self._act_shape)
        for i in range(self.num_envs):
            if self._expert_pending[i]:
                _lib.check(lib.dg_policy_reset(self._experts[i], int(self._expert_seeds[i])))
                self._expert_pending[i] = False
            env = lib.dg_vec_env_at(v, i)
            _lib.check(lib.dg_policy_act(self._experts[i], self._obs[i].ctypes.data, env,
                                         out[i].ctypes.data))
        return out

    def render(self):
        """A tuple of the envs' frames (uint8 (height, width, 3) each) in rgb_array mode."""
        self._handle()
        if self.render_mode is None:
            return None
        w, hh = self.render_size
        frames = []
        for i in range(self.num_envs):
            frame = np.empty((hh, w, 3), dtype=np.uint8)
            _lib.check(_lib.lib.dg_env_render(self.env_handle(i), frame.ctypes.data))
            frames.append(frame)
        return tuple(frames)

    def close_extras(self, **kwargs):
        """Free the experts, the C vector env, its envs and its threads."""
        if getattr(self, "_experts", None):
            for h in self._experts:
                _lib.lib.dg_policy_close(ctypes.byref(c_void_p(h)))
            self._experts = None
        if getattr(self, "_v", None):
            # drop the views of C memory before it is freed
            for name in ("_obs", "_rewards", "_term", "_trunc", "_infos", "_mask", "_final_obs",
                         "_final_infos"):
                setattr(self, name, None)
            h = c_void_p(self._v)
            self._v = None
            _lib.lib.dg_vec_close(ctypes.byref(h))

    def close(self, **kwargs):
        """Close once; closing again is fine."""
        if getattr(self, "closed", False) and not getattr(self, "_v", None):
            return
        self.close_extras(**kwargs)
        self.closed = True

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __deepcopy__(self, memo):
        raise TypeError("DemogymVectorEnv owns C simulations and cannot be copied")

    __copy__ = __deepcopy__

    def __reduce__(self):
        raise TypeError("DemogymVectorEnv cannot be pickled; make it anew from its id")

    def __repr__(self):
        if not self._v:
            return "DemogymVectorEnv(closed)"
        return (f"DemogymVectorEnv({self.env_id}, num_envs={self.num_envs}, "
                f"num_threads={self.num_threads}, autoreset_mode={self.autoreset_mode})")


def make_vec(env_id, num_envs=1, *, num_threads=1, autoreset_mode="next_step", render_mode=None,
             **options):
    """Make a DemogymVectorEnv of num_envs copies of env_id stepped by num_threads threads (0:
    one per CPU); options as for demogym.make."""
    from .env import OPTION_NAMES
    unknown = set(options) - set(OPTION_NAMES)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}; known: {list(OPTION_NAMES)}")
    return DemogymVectorEnv(env_id, num_envs, num_threads=num_threads,
                            autoreset_mode=autoreset_mode, render_mode=render_mode, **options)
