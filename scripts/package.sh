#!/usr/bin/env bash
# The README's package command: installs what is missing, builds, and makes the
# Debian package with CPack (packaging/Packaging.cmake). Prints the .deb's path.
# Extra arguments go to CMake's configure step, as for scripts/build.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh "$@"
BUILD_DIR=${XBT_BUILD_DIR:-build}
out="$BUILD_DIR/package"
rm -f "$out"/*.deb
cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$out"
rm -rf "$out/_CPack_Packages"  # the staging copy; the .deb is all that is needed
deb=$(realpath "$out"/*.deb)
echo
echo "package: $deb"
echo "install: sudo apt install $deb"
