#!/usr/bin/env bash
# Issue 17's numbers on the sample world: each adapter of the workspace of
# scripts/compatibility_results.sh (run that first) re-ranked at K = 10 and
# 50, and the backfill curve of the recommended adapter (orders random,
# uncertainty and queries; raw and validation-calibrated score mixing), on
# the 1,000-image test split; writes the tables into docs/compatibility.md
# between the UPGRADE-PATHS markers. The query log of the "queries" order is
# 1,000 corpus sentences the adapters were not evaluated on (never the test
# captions). Not run by CI.
#   bash scripts/upgrade_paths_results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
XBT=${XBT:-${XBT_BUILD_DIR:-build}/app/xbt}
OUT=out/compat
WS=$OUT/ws
[ -d "$WS/adapters/xbt" ] || { echo "run scripts/compatibility_results.sh first" >&2; exit 1; }
tail -n 1000 "$OUT/corpus/corpus.txt" > "$OUT/query-log.txt"
"$XBT" eval --old sample-old --new sample-new --split "$OUT/test" --workspace "$WS" --threads 1 \
  --adapters procrustes,slerp,xbt --rerank 10,50 --backfill-curve --queries "$OUT/query-log.txt" \
  --out "$OUT/paths-eval" > "$OUT/paths-eval.md"
{
  echo "Measured by \`bash scripts/upgrade_paths_results.sh\` on $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores), CPU, 1 torch thread; the 1,000-image test split, where both models embedded everything (re-embedding is simulated with the new model's own embeddings of the split)."
  echo
  sed -n '/^| configuration | T2I R@1 | T2I R@5/,/^$/p' "$OUT/paths-eval/results.md"
  sed -n '/^Backfill curve/,/^$/p' "$OUT/paths-eval/results.md"
  sed -n '/^| order | mix/,/^$/p' "$OUT/paths-eval/results.md"
  sed -n '/^Upgrade paths/,/^$/p' "$OUT/paths-eval/results.md"
  sed -n '/^| path | T2I R@1/,/^$/p' "$OUT/paths-eval/results.md"
} > "$OUT/paths-results.md"
python3 scripts/fill_doc_section.py "$OUT/paths-results.md" docs/compatibility.md UPGRADE-PATHS
echo "wrote docs/compatibility.md (upgrade paths) and $OUT/paths-eval/"
