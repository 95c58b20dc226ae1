"""Shared helpers of the Python binding's tests: the package import, the registered envs, the
demogym command (an independent path into the library), and a unittest runner that exits
non-zero on failure."""

import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if os.path.join(REPO, "python") not in sys.path:
    sys.path.insert(0, os.path.join(REPO, "python"))

import numpy as np  # noqa: E402

import demogym  # noqa: E402

ENV_IDS = demogym.env_ids()
CLI = os.environ.get("DEMOGYM_CLI")


def cli_json(*args):
    """Run the demogym command with --json and return its JSON object (fails on a bad exit)."""
    if not CLI:
        raise unittest.SkipTest("DEMOGYM_CLI is not set (run through CTest)")
    out = subprocess.run([CLI, *args, "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def cli_has(subcommand):
    """Whether the demogym command has a subcommand (it lands with other modules)."""
    if not CLI:
        return False
    out = subprocess.run([CLI, "--help"], capture_output=True, text=True)
    return any(line.split()[:1] == [subcommand] for line in (out.stdout + out.stderr).splitlines())


def same_bits(a, b):
    """Whether two float arrays are identical bit for bit (NaN and -0.0 included)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def main():
    """Run the calling module's tests; exit 1 on failure (CTest reads the status)."""
    print(f"demogym {demogym.version()} from {demogym.library_path}; envs {ENV_IDS}; "
          f"gymnasium {'present' if demogym.HAVE_GYMNASIUM else 'absent'}", flush=True)
    prog = unittest.main(module="__main__", exit=False, verbosity=2)
    result = prog.result
    if not result.wasSuccessful() or result.testsRun == 0:
        sys.exit(1)
    sys.exit(0)
