#!/usr/bin/env bash
# Measures the shipped sample models on the sample world's test split and
# writes the table into docs/sample-world.md (between the RESULTS markers):
#   bash scripts/sample_world_results.sh [COUNT]     (default 1000 test scenes)
set -euo pipefail
cd "$(dirname "$0")/.."
XBT=${XBT:-${XBT_BUILD_DIR:-build}/app/xbt}
COUNT=${1:-1000}
OUT=out/sample-world-results
rm -rf "$OUT"
"$XBT" sample generate --split test --count "$COUNT" --out "$OUT/test" >/dev/null
"$XBT" eval --old sample-old --new sample-new --split "$OUT/test" --out "$OUT/eval" >/dev/null

doc=docs/sample-world.md
{
  sed -n '1,/<!-- RESULTS BEGIN -->/p' "$doc"
  echo
  echo "Measured with \`bash scripts/sample_world_results.sh\` ($(date -u +%Y-%m-%d), $COUNT test scenes, seed 1):"
  echo
  cat "$OUT/eval/results.md"
  echo
  sed -n '/<!-- RESULTS END -->/,$p' "$doc"
} > "$doc.new"
mv "$doc.new" "$doc"
echo "updated $doc"
