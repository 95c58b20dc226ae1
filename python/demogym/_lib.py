"""Loading libdemogym.so with ctypes: where it is looked for, the C prototypes, the struct
mirrors (checked against the loaded library's own layout), and C status codes as exceptions."""

import ctypes
import logging
import os

from . import errors

__all__ = ["lib", "library_path", "check", "raise_status", "search_paths"]

_LIBNAME = "libdemogym.so"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_REPO_DIR = os.path.dirname(os.path.dirname(_PACKAGE_DIR))


def search_paths():
    """The places the library is looked for, in order: DEMOGYM_LIBRARY, the package's own
    directory, the repository's build/ next to the package."""
    paths = []
    explicit = os.environ.get("DEMOGYM_LIBRARY")
    if explicit:
        paths.append(explicit)
    paths.append(os.path.join(_PACKAGE_DIR, _LIBNAME))
    paths.append(os.path.join(_REPO_DIR, "build", _LIBNAME))
    return paths


def _load():
    explicit = os.environ.get("DEMOGYM_LIBRARY")
    if explicit:
        # an explicit path is a promise: a wrong one is an error, not a reason to look elsewhere
        if not os.path.isfile(explicit):
            raise errors.LibraryNotFoundError(
                f"DEMOGYM_LIBRARY={explicit} does not name a file; point it at the "
                f"libdemogym.so that CMake built (e.g. build/{_LIBNAME}) or unset it")
        return ctypes.CDLL(explicit), explicit
    tried = []
    for path in search_paths():
        tried.append(path)
        if os.path.isfile(path):
            return ctypes.CDLL(path), path
    raise errors.LibraryNotFoundError(
        "cannot find the demogym shared library; looked in: " + ", ".join(tried) +
        f". Build it from the repository root with `sh scripts/build.sh` (which writes "
        f"build/{_LIBNAME}), or set DEMOGYM_LIBRARY to the path of a {_LIBNAME}")


lib, library_path = _load()

# --- struct mirrors ------------------------------------------------------------------------

c_int, c_double, c_char_p = ctypes.c_int, ctypes.c_double, ctypes.c_char_p
c_void_p, c_uint64, c_long = ctypes.c_void_p, ctypes.c_uint64, ctypes.c_long
P = ctypes.POINTER


# dg_env_options gained render_mode (human rendering): mirror what the loaded library has
lib.dg_py_layout.restype = c_long
lib.dg_py_layout.argtypes = [c_char_p, c_char_p]
HAVE_HUMAN_RENDER = lib.dg_py_layout(b"dg_env_options", b"render_mode") >= 0


class EnvOptions(ctypes.Structure):
    _fields_ = [("max_episode_steps", c_int), ("terminate_on_success", c_int),
                ("render_width", c_int), ("render_height", c_int), ("render_camera", c_char_p)] + \
        ([("render_mode", c_int)] if HAVE_HUMAN_RENDER else [])


class Box(ctypes.Structure):
    _fields_ = [("dim", c_int), ("low", P(c_double)), ("high", P(c_double))]


class ObsKey(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("offset", c_int), ("size", c_int)]


class Info(ctypes.Structure):
    _fields_ = [("success", c_int), ("diverged", c_int), ("action_clipped", c_int),
                ("elapsed_steps", c_int)]


class StepResult(ctypes.Structure):
    _fields_ = [("reward", c_double), ("terminated", c_int), ("truncated", c_int),
                ("info", Info)]


class EpisodeStats(ctypes.Structure):
    _fields_ = [("index", c_int), ("seed", c_uint64), ("success", c_int), ("length", c_int),
                ("ret", c_double), ("terminated", c_int), ("truncated", c_int),
                ("diverged", c_int)]


class RolloutSummary(ctypes.Structure):
    _fields_ = [("episodes", c_int), ("successes", c_int), ("success_rate", c_double),
                ("ci95_lo", c_double), ("ci95_hi", c_double), ("mean_return", c_double),
                ("std_return", c_double), ("mean_length", c_double), ("total_steps", c_long)]


class RolloutOptions(ctypes.Structure):
    _fields_ = [("episodes", c_int), ("seed", c_uint64), ("first_episode", c_int),
                ("taps", c_void_p), ("ntaps", c_int), ("stop", P(c_int))]


# the C names of the mirrored structs, whose layout the library reports through dg_py_layout
_MIRRORS = {
    "dg_env_options": EnvOptions, "dg_box": Box, "dg_obs_key": ObsKey, "dg_info": Info,
    "dg_step_result": StepResult, "dg_episode_stats": EpisodeStats,
    "dg_rollout_summary": RolloutSummary, "dg_rollout_options": RolloutOptions,
}

# --- prototypes ----------------------------------------------------------------------------
# pointers to arrays are passed as plain addresses (c_void_p), which is the cheapest conversion


def _proto(name, restype, *argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


_proto("dg_strerror", c_char_p, c_int)
_proto("dg_last_errmsg", c_char_p)
_proto("dg_version", c_char_p)
_proto("dg_log_set", None, c_void_p, c_void_p, c_int)
_proto("dg_seed_derive", c_uint64, c_uint64, c_uint64, c_uint64)
_proto("dg_py_layout", c_long, c_char_p, c_char_p)

_proto("dg_env_options_default", None, P(EnvOptions))
_proto("dg_env_registry_count", c_int)
_proto("dg_env_registry_id", c_char_p, c_int)
_proto("dg_env_make", c_int, c_char_p, P(EnvOptions), P(c_void_p))
_proto("dg_env_close", None, P(c_void_p))
_proto("dg_env_errmsg", c_char_p, c_void_p)
_proto("dg_env_id", c_char_p, c_void_p)
_proto("dg_env_version", c_int, c_void_p)
_proto("dg_env_obs_dim", c_int, c_void_p)
_proto("dg_env_act_dim", c_int, c_void_p)
_proto("dg_env_state_dim", c_int, c_void_p)
_proto("dg_env_max_episode_steps", c_int, c_void_p)
_proto("dg_env_dt", c_double, c_void_p)
_proto("dg_env_render_fps", c_double, c_void_p)
_proto("dg_env_observation_space", Box, c_void_p)
_proto("dg_env_action_space", Box, c_void_p)
_proto("dg_env_obs_key_count", c_int, c_void_p)
_proto("dg_env_obs_key", P(ObsKey), c_void_p, c_int)
_proto("dg_env_reset", c_int, c_void_p, c_void_p, c_void_p, c_void_p)
_proto("dg_env_step", c_int, c_void_p, c_void_p, c_void_p, c_void_p)
_proto("dg_env_step_many", c_int, c_void_p, c_int, c_void_p, c_void_p, c_void_p, c_void_p,
       c_void_p, P(c_int))
_proto("dg_env_get_state", c_int, c_void_p, c_void_p)
_proto("dg_env_set_state", c_int, c_void_p, c_void_p, c_void_p)
_proto("dg_env_observe", c_int, c_void_p, c_void_p)
_proto("dg_env_is_success", c_int, c_void_p)
_proto("dg_env_render", c_int, c_void_p, c_void_p)
_proto("dg_env_render_size", None, c_void_p, P(c_int), P(c_int))

_proto("dg_policy_make_expert", c_int, c_char_p, P(c_void_p))
_proto("dg_policy_make_noisy", c_int, c_void_p, c_double, c_double, P(c_void_p))
_proto("dg_policy_reset", c_int, c_void_p, c_uint64)
_proto("dg_policy_act", c_int, c_void_p, c_void_p, c_void_p, c_void_p)
_proto("dg_policy_label", c_int, c_void_p, c_void_p)
_proto("dg_policy_close", None, P(c_void_p))
_proto("dg_policy_name", c_char_p, c_void_p)
_proto("dg_policy_kind", c_char_p, c_void_p)

_proto("dg_rollout_options_default", None, P(RolloutOptions))
_proto("dg_rollout_run", c_int, c_void_p, c_void_p, P(RolloutOptions), P(EpisodeStats),
       P(RolloutSummary))


def has(name):
    """Return True when the loaded library exports the C function name."""
    try:
        getattr(lib, name)
        return True
    except AttributeError:
        return False


def proto(name, restype, *argtypes):
    """Declare and return the C function name (for modules whose API may be absent)."""
    return _proto(name, restype, *argtypes)


def check_layout(mirrors):
    """Compare ctypes mirrors {c_name: Structure} with the library's own sizes and offsets;
    raise LibraryMismatchError naming the first difference."""
    for cname, struct in mirrors.items():
        size = lib.dg_py_layout(cname.encode(), None)
        if size < 0:
            raise errors.LibraryMismatchError(
                f"{library_path} does not describe struct {cname}; it is older than this "
                f"binding: rebuild the library (sh scripts/build.sh)")
        if size != ctypes.sizeof(struct):
            raise errors.LibraryMismatchError(
                f"struct {cname} is {size} bytes in {library_path} but {ctypes.sizeof(struct)} "
                f"in the Python binding: the binding and the library come from different "
                f"versions of demogym")
        for field in struct._fields_:
            off = lib.dg_py_layout(cname.encode(), field[0].encode())
            if off != getattr(struct, field[0]).offset:
                raise errors.LibraryMismatchError(
                    f"{cname}.{field[0]} is at offset {off} in {library_path} but at "
                    f"{getattr(struct, field[0]).offset} in the Python binding: the binding and "
                    f"the library come from different versions of demogym")


check_layout(_MIRRORS)

# --- errors ----------------------------------------------------------------------------------


def last_message(status):
    """The detail of the last failure in this thread, or the status's fixed text."""
    msg = lib.dg_last_errmsg()
    if msg:
        return msg.decode("utf-8", "replace")
    return lib.dg_strerror(status).decode()


def raise_status(status, message=None):
    """Raise the exception class that matches a dg_status, with the C message."""
    raise errors.for_status(status)(message if message is not None else last_message(status),
                                    status)


def check(status):
    """Raise for a nonzero status (reading the C message of this thread); return None."""
    if status:
        raise_status(status)


# --- logging -----------------------------------------------------------------------------------
# the library prints nothing; its messages go to the "demogym" logger

_LOG_FN = ctypes.CFUNCTYPE(None, c_void_p, c_int, c_char_p)
_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR}
logger = logging.getLogger("demogym")


def _forward_log(user, level, msg):
    logger.log(_LEVELS.get(level, logging.ERROR), "%s", msg.decode("utf-8", "replace"))


_log_callback = _LOG_FN(_forward_log)  # kept alive for the life of the process
lib.dg_log_set(ctypes.cast(_log_callback, c_void_p), None, 2)


def set_log_level(level):
    """Forward the library's messages at or above level (a logging level) to the "demogym"
    logger (default: warnings)."""
    c_level = 0 if level <= logging.DEBUG else 1 if level <= logging.INFO else \
        2 if level <= logging.WARNING else 3
    lib.dg_log_set(ctypes.cast(_log_callback, c_void_p), None, c_level)


def text(ptr):
    """Decode a C string (None stays None)."""
    return ptr.decode("utf-8", "replace") if ptr is not None else None
