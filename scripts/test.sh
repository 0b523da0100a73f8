#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
BUILD_DIR=${XBT_BUILD_DIR:-build}
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "${XBT_TEST_JOBS:-2}" "$@"
