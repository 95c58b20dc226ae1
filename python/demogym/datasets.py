"""Reading demonstration datasets (HDF5 in robomimic's layout, as `demogym record` writes them)
into numpy arrays with h5py: `demogym.datasets.load(path)`.

    ds = demogym.datasets.load("reach.hdf5")
    ep = ds[0]                      # the first demo (demo_0)
    ep.obs["eef_pos"], ep.actions   # (T, 3), (T, A) float64 arrays
    flat = ds.samples()             # every transition, observations flattened in the env's order
"""

import json
import os
import re

import numpy as np

from .errors import FormatError, NotFoundError

__all__ = ["load", "Dataset", "Episode", "Samples"]

_DEMO = re.compile(r"^demo_(\d+)$")
# per-demo datasets besides obs/ and next_obs/ (robomimic's, then demogym's additions)
_ARRAYS = ("actions", "rewards", "dones", "states")
_LABELS = "dg_labels"  # the clean expert labels, when the recorder stored them
FORMAT_VERSION = 1  # the newest data/dg_format_version this reader knows (recorder.h)


def _h5py():
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise ImportError("demogym.datasets needs h5py: install Debian's python3-h5py "
                          "(apt-get install python3-h5py)") from e
    return h5py


def _plain(value):
    """An HDF5 attribute as a plain Python value (bytes decoded, 0-d arrays unwrapped)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SO":
            return [_plain(v) for v in value.tolist()]
        return value.item() if value.shape == () else value
    if isinstance(value, np.generic):
        return value.item()
    return value


def _names(value):
    """A list of names from a dataset of byte strings, or from a JSON list of names or of
    {"name": ...} objects (the recorder's dg_obs_keys)."""
    value = _plain(value)
    if isinstance(value, str):
        parsed = json.loads(value)
        if not isinstance(parsed, list):
            raise ValueError("not a JSON list")
        return [str(v["name"]) if isinstance(v, dict) else str(v) for v in parsed]
    return [v.decode() if isinstance(v, bytes) else str(v) for v in value]


class Episode:
    """One demo: obs / next_obs ({key: (T, size)} float64), actions (T, A), rewards (T,),
    dones (T,), states (T, state_dim) or None, labels (T, A) (the clean expert labels; the
    actions when none are stored), and attrs (the demo's attributes: num_samples, dg_seed,
    dg_success, dg_source, ...)."""

    def __init__(self, name, obs, next_obs, arrays, labels, attrs, obs_keys):
        self.name = name
        self.obs = obs
        self.next_obs = next_obs
        self.actions = arrays["actions"]
        self.rewards = arrays.get("rewards")
        self.dones = arrays.get("dones")
        self.states = arrays.get("states")
        self.labels = labels if labels is not None else self.actions
        self.attrs = attrs
        self.obs_keys = obs_keys

    def __len__(self):
        return len(self.actions)

    def _attr(self, name):
        return self.attrs.get("dg_" + name, self.attrs.get(name))

    @property
    def success(self):
        """The demo's success flag (None when the file does not say)."""
        value = self._attr("success")
        return None if value is None else bool(value)

    @property
    def seed(self):
        """The seed the demo's env was reset with (None when the file does not say)."""
        value = self._attr("seed")
        return None if value is None else int(value)

    @property
    def source(self):
        """Where the demo came from ("expert", "dagger:<k>", "human"; None when unknown)."""
        return self._attr("source")

    def obs_flat(self, next_obs=False):
        """The observations as one (T, obs_dim) array, keys concatenated in the env's order."""
        src = self.next_obs if next_obs else self.obs
        return np.concatenate([src[k].reshape(len(self), -1) for k in self.obs_keys], axis=1)

    def __repr__(self):
        return f"Episode({self.name}, steps={len(self)}, keys={self.obs_keys})"


class Samples:
    """Every transition of a dataset's demos as flat arrays (the form learners train on):
    obs, next_obs (n, obs_dim), actions, labels (n, A), rewards, dones (n,), demo and step
    (n,) int, demo_start (ndemos + 1,)."""

    def __init__(self, episodes):
        self.obs = np.concatenate([e.obs_flat() for e in episodes])
        self.next_obs = np.concatenate([e.obs_flat(next_obs=True) for e in episodes])
        self.actions = np.concatenate([e.actions for e in episodes])
        self.labels = np.concatenate([e.labels for e in episodes])
        self.rewards = np.concatenate([e.rewards for e in episodes])
        self.dones = np.concatenate([e.dones for e in episodes])
        self.demo = np.concatenate([np.full(len(e), i) for i, e in enumerate(episodes)])
        self.step = np.concatenate([np.arange(len(e)) for e in episodes])
        self.demo_start = np.concatenate([[0], np.cumsum([len(e) for e in episodes])])

    def __len__(self):
        return len(self.actions)


class Dataset:
    """A loaded dataset: a sequence of Episodes (demo_0, demo_1, ... in integer order, or those
    a filter key names), with env_name, env_args (dict), attrs (the data group's attributes),
    filter_keys ({name: [demo names]}) and obs_keys (the observation keys in the env's order)."""

    def __init__(self, path, episodes, attrs, env_args, filter_keys, obs_keys):
        self.path = path
        self.episodes = episodes
        self.attrs = attrs
        self.env_args = env_args
        self.env_name = env_args.get("env_name")
        self.filter_keys = filter_keys
        self.obs_keys = obs_keys

    def __len__(self):
        return len(self.episodes)

    def __iter__(self):
        return iter(self.episodes)

    def __getitem__(self, key):
        """An episode by position or by demo name ("demo_3")."""
        if isinstance(key, str):
            for e in self.episodes:
                if e.name == key:
                    return e
            raise NotFoundError(f"{self.path} has no demo {key!r} (in this selection)", 3)
        return self.episodes[key]

    @property
    def total(self):
        """The number of transitions over the loaded episodes."""
        return sum(len(e) for e in self.episodes)

    def samples(self):
        """Every transition as flat arrays (a Samples)."""
        if not self.episodes:
            raise FormatError(f"{self.path}: no demos to take samples from", 7)
        return Samples(self.episodes)

    def __repr__(self):
        return f"Dataset({self.path!r}, env={self.env_name!r}, demos={len(self)})"


def _env_key_order(env_name, file_keys):
    """The env's observation key order from the library, when the env is registered there and
    its keys are the file's; None otherwise."""
    if not env_name:
        return None
    try:
        from . import env as _env
        e = _env.DemogymEnv(env_name)
    except Exception:  # library missing, or env not registered: fall back to the file
        return None
    try:
        keys = [name for name, _, _ in e.obs_keys]
    finally:
        e.close()
    return keys if set(keys) == set(file_keys) else None


def load(path, filter_key=None):
    """Load the demos of the dataset at path (every demo, or those mask/<filter_key> names)
    into memory as numpy arrays; return a Dataset.

    Raises FileNotFoundError for a missing file, FormatError (a ValueError) for a file that is
    not HDF5 or lacks robomimic's layout, NotFoundError (a LookupError) for an unknown filter
    key.
    """
    h5py = _h5py()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no dataset at {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise FormatError(f"{path} is not a readable HDF5 file ({e})", 7) from None
    with f:
        if "data" not in f or not isinstance(f["data"], h5py.Group):
            raise FormatError(f"{path} has no 'data' group: not a dataset in robomimic's layout",
                              7)
        data = f["data"]
        attrs = {k: _plain(v) for k, v in data.attrs.items()}
        env_args = {}
        if "env_args" in attrs:
            try:
                env_args = json.loads(attrs["env_args"])
            except (TypeError, ValueError):
                raise FormatError(f"{path}: data.attrs['env_args'] is not JSON", 7) from None
        filter_keys = {}
        if "mask" in f:
            for name, dset in f["mask"].items():
                filter_keys[name] = _names(dset[()])
        demos = sorted((n for n in data if _DEMO.match(n)), key=lambda n: int(n[5:]))
        if filter_key is not None:
            if filter_key not in filter_keys:
                raise NotFoundError(f"{path} has no filter key {filter_key!r}; it has "
                                    f"{sorted(filter_keys)}", 3)
            chosen = set(filter_keys[filter_key])
            missing = chosen - set(demos)
            if missing:
                raise FormatError(f"{path}: mask/{filter_key} names missing demos "
                                  f"{sorted(missing)}", 7)
            demos = [d for d in demos if d in chosen]

        version = attrs.get("dg_format_version")
        if version is not None and not (isinstance(version, int) and
                                        1 <= version <= FORMAT_VERSION):
            raise FormatError(f"{path}: dataset format version {version!r} is not one this "
                              f"reader knows (1..{FORMAT_VERSION}); update demogym", 7)
        # the observation key order: the file's record of it, else the env's, else the file's
        obs_keys = None
        if "dg_obs_keys" in attrs:
            try:
                obs_keys = _names(attrs["dg_obs_keys"])
            except (ValueError, KeyError, TypeError):
                raise FormatError(f"{path}: data.attrs['dg_obs_keys'] is malformed", 7) from None
        episodes = []
        for name in demos:
            g = data[name]
            for part in ("obs", "actions"):
                if part not in g:
                    raise FormatError(f"{path}: data/{name} has no '{part}'", 7)
            obs = {k: np.asarray(v[()], dtype=np.float64) for k, v in g["obs"].items()}
            next_obs = {k: np.asarray(v[()], dtype=np.float64)
                        for k, v in g["next_obs"].items()} if "next_obs" in g else {}
            if obs_keys is None:
                obs_keys = _env_key_order(env_args.get("env_name"), list(obs)) or list(obs)
            if set(obs) != set(obs_keys):
                raise FormatError(f"{path}: data/{name}/obs has keys {sorted(obs)}, expected "
                                  f"{sorted(obs_keys)}", 7)
            arrays = {k: np.asarray(g[k][()]) for k in _ARRAYS if k in g}
            arrays["actions"] = arrays["actions"].astype(np.float64, copy=False)
            n = len(arrays["actions"])
            for k, v in list(obs.items()) + list(next_obs.items()) + list(arrays.items()):
                if len(v) != n:
                    raise FormatError(f"{path}: data/{name}/{k} has {len(v)} rows, actions has "
                                      f"{n}", 7)
            labels = np.asarray(g[_LABELS][()], dtype=np.float64) if _LABELS in g else None
            if labels is not None and labels.shape != arrays["actions"].shape:
                raise FormatError(f"{path}: data/{name}/{_LABELS} has shape {labels.shape}, "
                                  f"actions {arrays['actions'].shape}", 7)
            demo_attrs = {k: _plain(v) for k, v in g.attrs.items()}
            episodes.append(Episode(name, obs, next_obs, arrays, labels, demo_attrs, obs_keys))
        return Dataset(path, episodes, attrs, env_args, filter_keys, obs_keys or [])
