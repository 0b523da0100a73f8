#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, runs the main job.
#
# The main job, until the workbench UI lands: the upgrade story on the bundled
# sample world, headless. It describes the two shipped models (sample-old,
# today's; sample-new, the better one), generates the held-out test split,
# and evaluates old->old, new->new and raw new->old recall, per category,
# writing the report to out/sample-world/eval/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
XBT=${XBT_BUILD_DIR:-build}/app/xbt
OUT=out/sample-world
mkdir -p "$OUT"

for m in sample-old sample-new; do
  echo "== xbt info --model $m"
  "$XBT" info --model "$m"
  echo
done

if [ ! -f "$OUT/test/captions.tsv" ]; then
  echo "== generating the test split (1000 scenes)"
  "$XBT" sample generate --split test --count 1000 --out "$OUT/test"
  echo
fi

echo "== xbt eval --old sample-old --new sample-new"
"$XBT" eval --old sample-old --new sample-new --split "$OUT/test" --out "$OUT/eval"
echo
echo "report: $OUT/eval/results.md (and results.json, recall.csv)"
