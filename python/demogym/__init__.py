"""demogym: MuJoCo manipulation envs with Gymnasium's API, scripted experts, vector envs and
datasets, over the C library libdemogym.so (loaded with ctypes; nothing to compile).

    import demogym
    env = demogym.make("Reach-v0")
    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(env.unwrapped.expert_action())

The library is looked for in $DEMOGYM_LIBRARY, then next to this package, then in the
repository's build/ directory. With gymnasium installed every env is also registered as
"demogym/<id>" (gymnasium.make adds its TimeLimit; the C env then runs without its own limit).
"""

from . import _lib, errors
from ._compat import HAVE_GYMNASIUM
from .env import OPTION_NAMES, RENDER_MODES, DemogymEnv
from .errors import DemogymError
from .policy import Policy, evaluate, expert, load_policy, noisy, seed_derive
from .vector import DemogymVectorEnv, make_vec

__all__ = [
    "make", "make_vec", "env_ids", "DemogymEnv", "DemogymVectorEnv", "Policy", "expert",
    "noisy", "load_policy", "evaluate", "seed_derive", "datasets", "errors", "DemogymError",
    "HAVE_GYMNASIUM", "NAMESPACE", "OPTION_NAMES", "RENDER_MODES", "library_path", "version",
    "set_log_level",
]

NAMESPACE = "demogym"
library_path = _lib.library_path
set_log_level = _lib.set_log_level
__version__ = _lib.text(_lib.lib.dg_version())


def version():
    """The loaded library's version ("MAJOR.MINOR.PATCH")."""
    return __version__


def env_ids():
    """The registered env ids, sorted by name."""
    lib = _lib.lib
    return [_lib.text(lib.dg_env_registry_id(i)) for i in range(lib.dg_env_registry_count())]


def _bare_id(env_id):
    if not isinstance(env_id, str):
        raise TypeError(f"env id must be a str, got {env_id!r}")
    prefix = NAMESPACE + "/"
    return env_id[len(prefix):] if env_id.startswith(prefix) else env_id


def make(env_id, render_mode=None, **options):
    """Make the env registered as env_id ("Reach-v0" or "demogym/Reach-v0").

    render_mode: None or "rgb_array". options: max_episode_steps (None: the task's default,
    -1: no limit), terminate_on_success (default True), render_width, render_height (default
    480), render_camera (a model camera or "free"). An unknown id raises NotFoundError (a
    LookupError) listing the known ids.
    """
    unknown = set(options) - set(OPTION_NAMES)
    if unknown:
        raise TypeError(f"unknown option(s) {sorted(unknown)}; known: {list(OPTION_NAMES)}")
    return DemogymEnv(_bare_id(env_id), render_mode=render_mode, **options)


def _register_with_gymnasium():
    """Register every env as demogym/<id>, with the task's time limit as max_episode_steps.
    gymnasium.make then wraps the env in its TimeLimit and the entry point makes the C env
    without its own limit, so the two never both count; gymnasium.make_vec (vectorization_mode
    "vector_entry_point") passes the limit to the C vector env, which counts it itself."""
    import gymnasium
    for env_id in env_ids():
        full = f"{NAMESPACE}/{env_id}"
        if full in gymnasium.registry:
            continue
        limit = _lib.lib.dg_env_registry_max_episode_steps(env_id.encode())
        spec = dict(id=full, entry_point="demogym.env:gymnasium_entry_point",
                    max_episode_steps=limit if limit > 0 else None, kwargs={"env_id": env_id})
        try:
            gymnasium.register(vector_entry_point="demogym.vector:DemogymVectorEnv", **spec)
        except TypeError:  # a gymnasium without vector entry points (before 0.26)
            gymnasium.register(**spec)


if HAVE_GYMNASIUM:
    _register_with_gymnasium()

from . import datasets  # noqa: E402  (h5py is imported only when a dataset is loaded)
