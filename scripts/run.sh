#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, runs the main job.
#
# The main job is `xbt demo` on the bundled sample workspace (out/sample-workspace):
# the first run builds it (sample world, a gallery indexed with sample-old, the
# sample-new reference gallery, the default XBT adapter); then, with a display,
# the workbench opens on it; with none, the same pipeline runs headless and
# writes the evaluation report to out/sample-workspace/results/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
XBT=${XBT_BUILD_DIR:-build}/app/xbt

for m in sample-old sample-new; do
  echo "== xbt info --model $m"
  "$XBT" info --model "$m"
  echo
done

echo "== xbt demo --workspace out/sample-workspace $*"
exec "$XBT" demo --workspace out/sample-workspace "$@"
