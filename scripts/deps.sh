#!/bin/sh
# deps.sh: install the Debian bookworm packages demogym needs (listed in scripts/deps/*.txt, one
# file per area), only those that are missing. Needs root (or sudo) when something is missing.
set -eu
cd "$(dirname "$0")"

PACKAGES=$(cat deps/*.txt | sed 's/#.*//' | tr -s ' \n' '\n' | sed '/^$/d' | sort -u)
missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps: run as root or install sudo" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# try with the package lists as they are, refresh them only if that fails
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null; then
  $SUDO apt-get update -q >/dev/null
  $SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
