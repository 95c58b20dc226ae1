#!/bin/sh
# test.sh: install what is missing, build twice (normal, and with AddressSanitizer +
# UndefinedBehaviorSanitizer), and run the whole test suite in both builds.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs="$(nproc)"
export EGL_PLATFORM="${EGL_PLATFORM:-surfaceless}"

echo "== normal build" >&2
sh scripts/build.sh build -DDG_WERROR=ON
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== sanitized build (address + undefined)" >&2
sh scripts/build.sh build-asan -DDG_SANITIZE=ON -DDG_WERROR=ON
ctest --test-dir build-asan --output-on-failure -j "$jobs"
