"""Finding and checking the shared library: DEMOGYM_LIBRARY first, then the package's own
directory, then the repository's build/ next to the package; a clear error saying how to build
it when it is missing; struct layouts checked against the library."""

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from common import REPO, main

import demogym
from demogym import _lib, errors

PACKAGE = os.path.join(REPO, "python", "demogym")
PROBE = "import demogym; print(demogym.library_path); print(len(demogym.env_ids()))"


def run_python(code, pythonpath, library=None):
    """Run code in a fresh interpreter; return (exit status, stdout, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEMOGYM_LIBRARY", "PYTHONPATH")}
    env["PYTHONPATH"] = pythonpath
    if library is not None:
        env["DEMOGYM_LIBRARY"] = library
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr


def copy_package(dest_root):
    """Copy the package (without any library) under dest_root; return its directory."""
    dest = os.path.join(dest_root, "demogym")
    shutil.copytree(PACKAGE, dest, ignore=shutil.ignore_patterns("__pycache__", "*.so*"))
    return dest


class TestLoader(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.real = os.path.realpath(demogym.library_path)

    def test_explicit_path_wins(self):
        root = os.path.join(self.tmp, "repo")
        copy_package(os.path.join(root, "python"))
        os.makedirs(os.path.join(root, "build"))
        with open(os.path.join(root, "build", "libdemogym.so"), "wb") as f:
            f.write(b"not a library")  # would fail to load if it were tried
        rc, out, err = run_python(PROBE, os.path.join(root, "python"), self.real)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split()[0], self.real)

    def test_missing_explicit_path_is_an_error(self):
        rc, _, err = run_python(PROBE, os.path.join(REPO, "python"), "/nonexistent/libdemogym.so")
        self.assertNotEqual(rc, 0)
        self.assertIn("LibraryNotFoundError", err)
        self.assertIn("DEMOGYM_LIBRARY=/nonexistent/libdemogym.so", err)
        self.assertIn("build/libdemogym.so", err)

    def test_package_directory_then_repository_build(self):
        # a library next to the package is found first
        pkg_root = os.path.join(self.tmp, "site")
        pkg = copy_package(pkg_root)
        os.symlink(self.real, os.path.join(pkg, "libdemogym.so"))
        rc, out, err = run_python(PROBE, pkg_root)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split()[0], os.path.join(pkg, "libdemogym.so"))
        # a checkout: python/demogym and build/libdemogym.so side by side
        root = os.path.join(self.tmp, "checkout")
        copy_package(os.path.join(root, "python"))
        os.makedirs(os.path.join(root, "build"))
        os.symlink(self.real, os.path.join(root, "build", "libdemogym.so"))
        rc, out, err = run_python(PROBE, os.path.join(root, "python"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.split()[0], os.path.join(root, "build", "libdemogym.so"))
        self.assertGreaterEqual(int(out.split()[1]), 1)

    def test_missing_library_says_how_to_build(self):
        root = os.path.join(self.tmp, "fresh")
        pkg = copy_package(os.path.join(root, "python"))
        rc, _, err = run_python(PROBE, os.path.join(root, "python"))
        self.assertNotEqual(rc, 0)
        last = err.strip().splitlines()[-1]
        self.assertIn("LibraryNotFoundError", last)
        self.assertIn(os.path.join(pkg, "libdemogym.so"), last)
        self.assertIn(os.path.join(root, "build", "libdemogym.so"), last)
        self.assertIn("sh scripts/build.sh", last)
        self.assertIn("DEMOGYM_LIBRARY", last)

    def test_layout_mismatch_is_detected(self):
        class Shuffled(ctypes.Structure):  # dg_info with two fields swapped
            _fields_ = [("diverged", ctypes.c_int), ("success", ctypes.c_int),
                        ("action_clipped", ctypes.c_int), ("elapsed_steps", ctypes.c_int)]

        class Short(ctypes.Structure):
            _fields_ = [("reward", ctypes.c_double), ("terminated", ctypes.c_int)]

        with self.assertRaises(errors.LibraryMismatchError) as cm:
            _lib.check_layout({"dg_info": Shuffled})
        self.assertIn("dg_info.diverged", str(cm.exception))
        with self.assertRaises(ImportError) as cm:
            _lib.check_layout({"dg_step_result": Short})
        self.assertIn("bytes", str(cm.exception))
        with self.assertRaises(ImportError):
            _lib.check_layout({"dg_no_such_struct": Short})
        _lib.check_layout(_lib._MIRRORS)  # the real mirrors match

    def test_version(self):
        self.assertRegex(demogym.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(demogym.__version__, demogym.version())


if __name__ == "__main__":
    main()
