#!/usr/bin/env bash
# Configures and builds into build/ (Ninja, RelWithDebInfo). Extra arguments go
# to CMake's configure step, e.g. -DXBT_BUILD_GUI=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${XBT_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja "$@"
jobs=${XBT_JOBS:-$(nproc)}
cmake --build "$BUILD_DIR" -j "$jobs"
