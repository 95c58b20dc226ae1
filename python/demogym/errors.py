"""The exceptions demogym raises: one per C status code (dg_status in demogym/common.h), each also
a subclass of the matching built-in exception, so `except ValueError` catches a NaN action."""

__all__ = [
    "DemogymError", "InvalidArgumentError", "OutOfMemoryError", "NotFoundError", "StateError",
    "MujocoError", "DemogymIOError", "FormatError", "UnsupportedError", "RenderError",
    "Interrupted", "LibraryNotFoundError", "LibraryMismatchError", "for_status",
]


class DemogymError(Exception):
    """A failure reported by the demogym library; `status` is its dg_status code."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class InvalidArgumentError(DemogymError, ValueError):
    """DG_ERR_INVALID: a bad argument (NaN action, wrong shape, bad option)."""


class OutOfMemoryError(DemogymError, MemoryError):
    """DG_ERR_NOMEM: an allocation failed."""


class NotFoundError(DemogymError, LookupError):
    """DG_ERR_NOTFOUND: an unknown env id, key, camera or file."""


class StateError(DemogymError, RuntimeError):
    """DG_ERR_STATE: the call is not allowed now (step before reset, after the episode ended,
    or on a closed env)."""


class MujocoError(DemogymError, RuntimeError):
    """DG_ERR_MUJOCO: MuJoCo reported an error."""


class DemogymIOError(DemogymError, OSError):
    """DG_ERR_IO: reading or writing a file failed."""


class FormatError(DemogymError, ValueError):
    """DG_ERR_FORMAT: a file is corrupt, truncated or of an unsupported format version."""


class UnsupportedError(DemogymError, NotImplementedError):
    """DG_ERR_UNSUPPORTED: not available in this build or on this machine."""


class RenderError(DemogymError, RuntimeError):
    """DG_ERR_RENDER: no OpenGL context could be made, or rendering failed."""


class Interrupted(KeyboardInterrupt):
    """DG_ERR_INTERRUPTED: a long call was stopped on request (Ctrl-C). A KeyboardInterrupt, not
    an Exception, so that `except Exception` does not swallow Ctrl-C."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


class LibraryNotFoundError(DemogymError, ImportError):
    """libdemogym.so could not be found; the message says where it was looked for."""


class LibraryMismatchError(DemogymError, ImportError):
    """The loaded libdemogym.so and this Python package come from different versions."""


_BY_STATUS = {
    1: InvalidArgumentError, 2: OutOfMemoryError, 3: NotFoundError, 4: StateError,
    5: MujocoError, 6: DemogymIOError, 7: FormatError, 8: UnsupportedError, 9: RenderError,
    10: Interrupted,
}


def for_status(status):
    """Return the exception class for a dg_status code (DemogymError for unknown codes)."""
    return _BY_STATUS.get(status, DemogymError)
