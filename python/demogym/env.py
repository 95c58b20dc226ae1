"""DemogymEnv: one demogym environment (a C dg_env) as a gymnasium.Env, or as an object with the
same interface when gymnasium is not installed."""

import ctypes
import operator
import warnings

import numpy as np

from . import _lib
from ._compat import Box, Env
from .errors import InvalidArgumentError, StateError

__all__ = ["DemogymEnv", "OPTION_NAMES", "RENDER_MODES", "as_float64", "check_seed",
           "gymnasium_entry_point"]

# "human": the library's viewer window shows every reset and step (needs a display; without one
# the library logs the failure and the env runs on)
RENDER_MODES = ("human", "rgb_array") if _lib.HAVE_HUMAN_RENDER else ("rgb_array",)
_RENDER_CODES = {"rgb_array": 0, "human": 1}
OPTION_NAMES = ("max_episode_steps", "terminate_on_success", "render_width", "render_height",
                "render_camera")
_F64 = np.dtype(np.float64)
_U64_LIMIT = 1 << 64
_lib_step = _lib.lib.dg_env_step
_lib_reset = _lib.lib.dg_env_reset


def as_float64(x, shape, what):
    """Return x as a C-contiguous float64 array of exactly shape, converting (once) when needed;
    raise TypeError for non-numeric data and InvalidArgumentError for a wrong shape."""
    if (type(x) is np.ndarray and x.dtype == _F64 and x.shape == shape and
            x.flags.c_contiguous):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold real numbers (float64), got dtype {arr.dtype}")
    if arr.shape != shape:
        raise InvalidArgumentError(
            f"{what} has shape {arr.shape}; expected shape {shape} (float64)", 1)
    return np.ascontiguousarray(arr, dtype=_F64)


def check_seed(seed):
    """Return seed as a Python int in [0, 2**64), or raise (TypeError / InvalidArgumentError)."""
    try:
        value = operator.index(seed)
    except TypeError:
        raise TypeError(f"seed must be a non-negative integer or None, got {seed!r}") from None
    if isinstance(seed, bool) or not 0 <= value < _U64_LIMIT:
        raise InvalidArgumentError(
            f"seed must be an integer in [0, 2**64), got {seed!r}", 1)
    return value


def c_int_value(value, what):
    """Return value as a Python int that fits a C int, or raise (no silent truncation)."""
    try:
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {value!r}") from None
    if not -(1 << 31) <= v < (1 << 31):
        raise InvalidArgumentError(f"{what}={value} does not fit a C int", 1)
    return v


def _options_struct(max_episode_steps, terminate_on_success, render_width, render_height,
                    render_camera, render_mode=None):
    opt = _lib.EnvOptions()
    _lib.lib.dg_env_options_default(ctypes.byref(opt))
    if render_mode is not None and render_mode not in RENDER_MODES:
        raise InvalidArgumentError(
            f"render_mode {render_mode!r} is not supported; use one of {list(RENDER_MODES)} "
            f"or None", 1)
    if _lib.HAVE_HUMAN_RENDER:
        opt.render_mode = _RENDER_CODES[render_mode or "rgb_array"]
    if max_episode_steps is not None:
        steps = c_int_value(max_episode_steps, "max_episode_steps")
        if steps == 0 or steps < -1:
            raise InvalidArgumentError(
                f"max_episode_steps={max_episode_steps}: use a positive limit, None for the "
                f"task's default or -1 for no limit", 1)
        opt.max_episode_steps = steps
    opt.terminate_on_success = 1 if terminate_on_success else 0
    if render_width is not None:
        opt.render_width = c_int_value(render_width, "render_width")
    if render_height is not None:
        opt.render_height = c_int_value(render_height, "render_height")
    if render_camera is not None:
        if not isinstance(render_camera, str):
            raise TypeError(f"render_camera must be a str, got {render_camera!r}")
        opt.render_camera = render_camera.encode()
    return opt


class DemogymEnv(Env):
    """A demogym environment with Gymnasium's API.

    Actions are float64 vectors in [-1, 1]^A (out-of-range components are clipped by the
    library and reported in info["action_clipped"]; NaN or Inf raises ValueError and changes
    nothing). Observations are fresh float64 arrays, the concatenation of named keys
    (obs_dict() splits them). reset(seed=s) seeds np_random and the C env with s, so an episode
    is fixed bit for bit by s; reset() continues both generators. One thread at a time.
    """

    metadata = {"render_modes": list(RENDER_MODES), "render_fps": 20}

    def __init__(self, env_id, render_mode=None, *, max_episode_steps=None,
                 terminate_on_success=True, render_width=None, render_height=None,
                 render_camera=None):
        self._h = None
        self._expert = None
        if not isinstance(env_id, str):
            raise TypeError(f"env id must be a str, got {env_id!r}")
        opt = _options_struct(max_episode_steps, terminate_on_success, render_width,
                              render_height, render_camera, render_mode)
        handle = ctypes.c_void_p()
        _lib.check(_lib.lib.dg_env_make(env_id.encode(), ctypes.byref(opt), ctypes.byref(handle)))
        self._h = handle.value
        lib, h = _lib.lib, self._h

        self.render_mode = render_mode
        self.env_id = _lib.text(lib.dg_env_id(h))
        self.version = lib.dg_env_version(h)
        self.obs_dim = lib.dg_env_obs_dim(h)
        self.act_dim = lib.dg_env_act_dim(h)
        self.state_dim = lib.dg_env_state_dim(h)
        self.dt = lib.dg_env_dt(h)
        self.max_episode_steps = lib.dg_env_max_episode_steps(h)  # -1: no limit in the C env
        self.terminate_on_success = bool(terminate_on_success)
        w, hh = ctypes.c_int(), ctypes.c_int()
        lib.dg_env_render_size(h, ctypes.byref(w), ctypes.byref(hh))
        self.render_size = (w.value, hh.value)  # (width, height)
        self.metadata = {"render_modes": list(RENDER_MODES),
                         "render_fps": lib.dg_env_render_fps(h)}
        self.obs_keys = []
        for i in range(lib.dg_env_obs_key_count(h)):
            k = lib.dg_env_obs_key(h, i).contents
            self.obs_keys.append((_lib.text(k.name), k.offset, k.size))
        self.observation_space = self._box(lib.dg_env_observation_space(h))
        self.action_space = self._box(lib.dg_env_action_space(h))

        self._obs_shape = (self.obs_dim,)
        self._act_shape = (self.act_dim,)
        self._res = _lib.StepResult()
        self._res_addr = ctypes.addressof(self._res)
        self._act_buf = np.zeros(self._act_shape)
        self._act_addr = self._act_buf.ctypes.data
        self._obs_buf = np.zeros(self._obs_shape)
        self._obs_addr = self._obs_buf.ctypes.data
        self._info = _lib.Info()
        self._info_addr = ctypes.addressof(self._info)
        self._seed = ctypes.c_uint64()
        self._seed_addr = ctypes.addressof(self._seed)
        self._expert_seed = None
        self._expert_pending = False

    @staticmethod
    def _box(cbox):
        low = np.ctypeslib.as_array(cbox.low, (cbox.dim,)).copy()
        high = np.ctypeslib.as_array(cbox.high, (cbox.dim,)).copy()
        return Box(low=low, high=high, dtype=np.float64)

    def _handle(self):
        if not self._h:
            raise StateError(f"the {self.__class__.__name__} is closed", 4)
        return self._h

    # --- Gymnasium's API ----------------------------------------------------------------

    def reset(self, *, seed=None, options=None):
        """Start an episode; return (obs, info).

        seed: reseeds np_random and the C env's generator (an int in [0, 2**64)); None continues
        them. options: None or a dict with "expert_seed" (the seed of the scripted expert's
        per-episode choices; default: drawn from np_random).
        """
        h = self._handle()
        if seed is not None:
            seed = check_seed(seed)
        super().reset(seed=seed)
        expert_seed = None
        if options:
            unknown = set(options) - {"expert_seed"}
            if unknown:
                raise InvalidArgumentError(
                    f"unknown reset option(s) {sorted(unknown)}; known: ['expert_seed']", 1)
            if options.get("expert_seed") is not None:
                expert_seed = check_seed(options["expert_seed"])
        obs = np.empty(self._obs_shape)
        if seed is not None:
            self._seed.value = seed
            rc = _lib_reset(h, self._seed_addr, obs.ctypes.data, self._info_addr)
        else:
            rc = _lib_reset(h, None, obs.ctypes.data, self._info_addr)
        if rc:
            _lib.raise_status(rc)
        # the expert's per-episode seed, drawn at every reset so np_random advances identically
        drawn = int(self.np_random.integers(0, _U64_LIMIT, dtype=np.uint64))
        self._expert_seed = expert_seed if expert_seed is not None else drawn
        self._expert_pending = True
        i = self._info
        return obs, {"success": bool(i.success), "diverged": bool(i.diverged),
                     "action_clipped": bool(i.action_clipped), "elapsed_steps": i.elapsed_steps}

    def step(self, action):
        """Advance one control step; return (obs, reward, terminated, truncated, info) with a
        Python float reward, Python bools, and info holding success, diverged, action_clipped
        and elapsed_steps."""
        h = self._h
        if not h:
            self._handle()
        # the action is copied into a buffer whose address is known (cheaper than asking numpy
        # for the address of the caller's array); the observation lands in another and is
        # returned as a fresh copy
        if type(action) is np.ndarray and action.shape == self._act_shape and \
                action.dtype.kind in "biuf":
            self._act_buf[:] = action
        else:
            self._act_buf[:] = as_float64(action, self._act_shape, f"the action of {self.env_id}")
        rc = _lib_step(h, self._act_addr, self._obs_addr, self._res_addr)
        if rc:
            _lib.raise_status(rc)
        obs = self._obs_buf.copy()
        r = self._res
        i = r.info
        return obs, r.reward, r.terminated != 0, r.truncated != 0, {
            "success": i.success != 0, "diverged": i.diverged != 0,
            "action_clipped": i.action_clipped != 0, "elapsed_steps": i.elapsed_steps}

    def render(self):
        """Return the current frame as a uint8 array (height, width, 3) in rgb_array mode; in
        human mode draw the window and return None; None (with a warning) when the env was made
        without a render mode."""
        h = self._handle()
        if self.render_mode is None:
            warnings.warn(f"{self.env_id}: render() called without a render_mode; make the env "
                          f"with render_mode='rgb_array'", stacklevel=2)
            return None
        if self.render_mode == "human":
            _lib.check(_lib.lib.dg_env_render(h, None))
            return None
        w, hh = self.render_size
        frame = np.empty((hh, w, 3), dtype=np.uint8)
        _lib.check(_lib.lib.dg_env_render(h, frame.ctypes.data))
        return frame

    def close(self):
        """Free the C env and the expert; closing twice is fine."""
        if getattr(self, "_expert", None):
            p = ctypes.c_void_p(self._expert)
            _lib.lib.dg_policy_close(ctypes.byref(p))
            self._expert = None
        if getattr(self, "_h", None):
            h = ctypes.c_void_p(self._h)
            self._h = None
            _lib.lib.dg_env_close(ctypes.byref(h))

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may already be gone
            pass

    def __deepcopy__(self, memo):
        raise TypeError(f"{self.__class__.__name__} owns a C simulation and cannot be copied; "
                        f"make another env and copy the state with get_state()/set_state()")

    __copy__ = __deepcopy__

    def __reduce__(self):
        raise TypeError(f"{self.__class__.__name__} cannot be pickled; pickle its id and "
                        f"options and make it anew")

    def __repr__(self):
        state = "closed" if not self._h else f"obs_dim={self.obs_dim}, act_dim={self.act_dim}"
        return f"DemogymEnv({getattr(self, 'env_id', '?')}, {state})"

    __str__ = __repr__

    # --- demogym's additions --------------------------------------------------------------

    @property
    def handle(self):
        """The C dg_env* as an integer address (for ctypes users)."""
        return self._handle()

    def obs_dict(self, obs):
        """Split an observation (or a batch, keys along the last axis) into {key: view}."""
        obs = np.asarray(obs)
        if obs.shape[-1:] != self._obs_shape:
            raise InvalidArgumentError(
                f"observation has shape {obs.shape}; expected (..., {self.obs_dim})", 1)
        return {name: obs[..., off:off + size] for name, off, size in self.obs_keys}

    def observe(self):
        """Return the current observation without stepping."""
        obs = np.empty(self._obs_shape)
        _lib.check(_lib.lib.dg_env_observe(self._handle(), obs.ctypes.data))
        return obs

    def is_success(self):
        """The task's success test in the current state."""
        return bool(_lib.lib.dg_env_is_success(self._handle()))

    def get_state(self):
        """Return the full simulation state (float64, (state_dim,)): time, qpos, qvel, act,
        warm start, ctrl, mocap poses. set_state() with it reproduces the future exactly."""
        state = np.empty(self.state_dim)
        _lib.check(_lib.lib.dg_env_get_state(self._handle(), state.ctypes.data))
        return state

    def set_state(self, state):
        """Restore a state from get_state() and return the matching observation; the episode
        continues from there. A non-finite state raises ValueError and changes nothing."""
        h = self._handle()
        s = as_float64(state, (self.state_dim,), f"the state of {self.env_id}")
        obs = np.empty(self._obs_shape)
        _lib.check(_lib.lib.dg_env_set_state(h, s.ctypes.data, obs.ctypes.data))
        return obs

    def expert_action(self):
        """The scripted expert's action in the current state (float64, (act_dim,)), e.g. to
        relabel the states a learner visits (DAgger). Its per-episode choices are seeded at each
        reset (reset option "expert_seed", default drawn from np_random)."""
        h = self._handle()
        if self._expert is None:
            p = ctypes.c_void_p()
            _lib.check(_lib.lib.dg_policy_make_expert(self.env_id.encode(), ctypes.byref(p)))
            self._expert = p.value
        if self._expert_pending:
            _lib.check(_lib.lib.dg_policy_reset(self._expert, self._expert_seed))
            self._expert_pending = False
        obs = np.empty(self._obs_shape)
        _lib.check(_lib.lib.dg_env_observe(h, obs.ctypes.data))
        action = np.empty(self._act_shape)
        _lib.check(_lib.lib.dg_policy_act(self._expert, obs.ctypes.data, h, action.ctypes.data))
        return action

    def step_many(self, actions):
        """Apply a sequence of actions ((n, act_dim)) in one C call, stopping after the step that
        ends the episode; return (obs (k, obs_dim), rewards (k,), terminated (k,) bool,
        truncated (k,) bool) for the k <= n steps taken."""
        h = self._handle()
        acts = np.asarray(actions)
        if acts.ndim != 2:
            raise InvalidArgumentError(
                f"actions has shape {acts.shape}; expected (n, {self.act_dim})", 1)
        acts = as_float64(acts, (acts.shape[0], self.act_dim), f"the actions of {self.env_id}")
        n = acts.shape[0]
        obs = np.empty((n, self.obs_dim))
        rewards = np.empty(n)
        term = np.zeros(n, dtype=np.uint8)
        trunc = np.zeros(n, dtype=np.uint8)
        done = ctypes.c_int()
        rc = _lib.lib.dg_env_step_many(h, n, acts.ctypes.data, obs.ctypes.data,
                                       rewards.ctypes.data, term.ctypes.data, trunc.ctypes.data,
                                       ctypes.byref(done))
        if rc:
            _lib.raise_status(rc)
        k = done.value
        return obs[:k], rewards[:k], term[:k].astype(bool), trunc[:k].astype(bool)


def gymnasium_entry_point(env_id, render_mode=None, max_episode_steps=-1, **options):
    """gymnasium.make's entry point for "demogym/<id>": the C env without its own time limit
    (max_episode_steps=-1), since gymnasium.make wraps it in a TimeLimit of the registered
    max_episode_steps; counting in both would truncate twice."""
    return DemogymEnv(env_id, render_mode=render_mode, max_episode_steps=max_episode_steps,
                      **options)


gymnasium_entry_point.metadata = DemogymEnv.metadata
