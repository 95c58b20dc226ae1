"""Gymnasium when it is importable, and numpy-only stand-ins with the same interface when it is
not: the Env and VectorEnv base classes, the Box space, seeding and batched spaces."""

import numpy as np

try:  # gymnasium is optional: Debian bookworm does not package it
    import gymnasium as _gym
    import gymnasium.spaces as _gym_spaces
    import gymnasium.vector as _gym_vector
    from gymnasium.utils import seeding as _gym_seeding
    from gymnasium.vector.utils import batch_space as _gym_batch_space
    HAVE_GYMNASIUM = True
except ImportError:  # pragma: no cover - depends on the machine
    _gym = None
    HAVE_GYMNASIUM = False

__all__ = ["HAVE_GYMNASIUM", "Env", "VectorEnv", "Box", "np_random", "batch_space",
           "NEXT_STEP", "SAME_STEP"]


def _np_random_fallback(seed=None):
    """A numpy Generator seeded as Gymnasium's seeding.np_random does (PCG64 over a
    SeedSequence); returns (generator, the seed's entropy)."""
    if seed is not None and not (isinstance(seed, int) and not isinstance(seed, bool)
                                 and seed >= 0):
        raise ValueError(f"seed must be a non-negative Python int or None, got {seed!r}")
    seq = np.random.SeedSequence(seed)
    return np.random.Generator(np.random.PCG64(seq)), seq.entropy


class _EnvFallback:
    """The part of gymnasium.Env that demogym's envs rely on, for machines without gymnasium."""

    metadata = {"render_modes": []}
    render_mode = None
    spec = None
    _np_random = None
    _np_random_seed = None

    def reset(self, *, seed=None, options=None):
        """Reseed np_random when a seed is given (what Gymnasium's Env.reset does)."""
        if seed is not None:
            self._np_random, self._np_random_seed = _np_random_fallback(seed)

    @property
    def np_random(self):
        """The env's numpy Generator, made from OS entropy on first use when never seeded."""
        if self._np_random is None:
            self._np_random, self._np_random_seed = _np_random_fallback()
        return self._np_random

    @np_random.setter
    def np_random(self, value):
        self._np_random = value
        self._np_random_seed = -1

    @property
    def np_random_seed(self):
        """The seed np_random was made from (-1 when it was set directly)."""
        if self._np_random_seed is None:
            self._np_random, self._np_random_seed = _np_random_fallback()
        return self._np_random_seed

    @property
    def unwrapped(self):
        """The base env (no wrappers without gymnasium)."""
        return self

    def get_wrapper_attr(self, name):
        """Return the attribute name of the env (as Gymnasium's wrappers do)."""
        return getattr(self, name)

    def close(self):
        """Release resources (nothing in the base class)."""

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()
        return False


class _VectorEnvFallback:
    """The part of gymnasium.vector.VectorEnv that demogym's vector env relies on."""

    metadata = {}
    spec = None
    render_mode = None
    closed = False
    _np_random = None
    _np_random_seed = None

    def reset(self, *, seed=None, options=None):
        """Reseed np_random when a seed is given."""
        if seed is not None:
            self._np_random, self._np_random_seed = _np_random_fallback(seed)

    np_random = _EnvFallback.np_random
    np_random_seed = _EnvFallback.np_random_seed

    @property
    def unwrapped(self):
        """The base vector env."""
        return self

    def close(self, **kwargs):
        """Close once: call close_extras, then mark the env closed."""
        if self.closed:
            return
        self.close_extras(**kwargs)
        self.closed = True

    def close_extras(self, **kwargs):
        """Release the subclass's resources."""

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()
        return False

    def __del__(self):
        if not getattr(self, "closed", True):
            self.close()


class _BoxFallback:
    """A Box space of float64 values compatible with gymnasium.spaces.Box: low, high, shape,
    dtype, contains (also `in`), sample (from the space's own seeded generator), seed."""

    def __init__(self, low, high, shape=None, dtype=np.float64, seed=None):
        self.dtype = np.dtype(dtype)
        if shape is None:
            shape = np.shape(low) if np.ndim(low) else np.shape(high)
        self.shape = tuple(int(s) for s in shape)
        self.low = np.full(self.shape, low, dtype=self.dtype) if np.ndim(low) == 0 else \
            np.array(low, dtype=self.dtype).reshape(self.shape)
        self.high = np.full(self.shape, high, dtype=self.dtype) if np.ndim(high) == 0 else \
            np.array(high, dtype=self.dtype).reshape(self.shape)
        if np.any(self.low > self.high):
            raise ValueError("Box: some low bounds are above their high bounds")
        self.bounded_below = self.low > -np.inf
        self.bounded_above = self.high < np.inf
        self._np_random = None
        if seed is not None:
            self.seed(seed)

    @property
    def np_random(self):
        """The space's generator (seeded from OS entropy on first use unless seeded)."""
        if self._np_random is None:
            self.seed()
        return self._np_random

    def seed(self, seed=None):
        """Seed the space's generator; return [seed]."""
        self._np_random, entropy = _np_random_fallback(seed)
        return [seed if seed is not None else entropy]

    def is_bounded(self, manner="both"):
        """Whether the box is bounded below, above or both."""
        below, above = bool(np.all(self.bounded_below)), bool(np.all(self.bounded_above))
        if manner == "both":
            return below and above
        if manner == "below":
            return below
        if manner == "above":
            return above
        raise ValueError(f"manner is not in {{'below', 'above', 'both'}}, actual value: {manner}")

    def contains(self, x):
        """Whether x has this shape, a dtype castable to this dtype, and lies within bounds."""
        if not isinstance(x, np.ndarray):
            try:
                x = np.asarray(x, dtype=self.dtype)
            except (ValueError, TypeError):
                return False
        return bool(np.can_cast(x.dtype, self.dtype) and x.shape == self.shape and
                    np.all(x >= self.low) and np.all(x <= self.high))

    def __contains__(self, x):
        return self.contains(x)

    def sample(self):
        """A random element: uniform where bounded, exponential where bounded on one side,
        normal where unbounded (as Gymnasium's Box samples)."""
        rng = self.np_random
        out = np.empty(self.shape, dtype=self.dtype)
        both = self.bounded_below & self.bounded_above
        lower = self.bounded_below & ~self.bounded_above
        upper = ~self.bounded_below & self.bounded_above
        free = ~self.bounded_below & ~self.bounded_above
        out[free] = rng.normal(size=free[free].shape)
        out[lower] = rng.exponential(size=lower[lower].shape) + self.low[lower]
        out[upper] = self.high[upper] - rng.exponential(size=upper[upper].shape)
        out[both] = rng.uniform(low=self.low[both], high=self.high[both], size=both[both].shape)
        return out

    def __eq__(self, other):
        return (isinstance(other, _BoxFallback) and self.shape == other.shape and
                self.dtype == other.dtype and np.array_equal(self.low, other.low) and
                np.array_equal(self.high, other.high))

    def __repr__(self):
        return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"


def _batch_space_fallback(space, n):
    """The space of n stacked elements of a Box (shape (n, *shape))."""
    low = np.broadcast_to(space.low, (n,) + space.shape).copy()
    high = np.broadcast_to(space.high, (n,) + space.shape).copy()
    return _BoxFallback(low, high, dtype=space.dtype)


if HAVE_GYMNASIUM:
    Env = _gym.Env
    VectorEnv = _gym_vector.VectorEnv
    Box = _gym_spaces.Box
    batch_space = _gym_batch_space

    def np_random(seed=None):
        """Gymnasium's seeding.np_random."""
        return _gym_seeding.np_random(seed)

    _mode = getattr(_gym_vector, "AutoresetMode", None)
    NEXT_STEP = _mode.NEXT_STEP if _mode is not None else "NextStep"
    SAME_STEP = _mode.SAME_STEP if _mode is not None else "SameStep"
else:
    Env = _EnvFallback
    VectorEnv = _VectorEnvFallback
    Box = _BoxFallback
    batch_space = _batch_space_fallback
    np_random = _np_random_fallback
    NEXT_STEP = "NextStep"
    SAME_STEP = "SameStep"
