#!/usr/bin/env bash
# Backfill throughput against `xbt index` with the same model (docs/
# benchmarks.md, "Backfill throughput"). On a copy of the sample workspace
# (bash scripts/run.sh builds out/sample-workspace), REPEATS times each:
#   - xbt index of the sample gallery's image folder with sample-new into a
#     fresh gallery (what a full re-index costs);
#   - xbt backfill of the old gallery 'sample' with sample-new, from an empty
#     new-model store (the same images, read, decoded and embedded again).
# Both do the same work per image: read and decode the file, embed it, embed
# its 5 captions, commit in batches (index also hashes and builds the FAISS
# index; backfill orders the gallery). So the rate compared is the whole
# job's: images / wall-clock seconds of the command, models loading included.
# Prints each run's rates and the medians.
#   [REPEATS=3] [WS=out/sample-workspace] bash bench/run_backfill_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEFAULT_REPEATS=3
# shellcheck source=bench/common.sh
source bench/common.sh
BENCH=out/bench/backfill-ws
rm -rf "$BENCH"
mkdir -p out/bench
cp -r "$WS" "$BENCH"
FOLDER=$("$XBT" galleries --workspace "$BENCH" | awk '$1 == "sample" {print $NF}')

print_machine
echo "images:  $(ls "$FOLDER" | grep -c '\.png$') in $FOLDER; model sample-new; batch 32"
echo
echo "| run | xbt index images/s (wall) | xbt backfill images/s (wall) |"
echo "|---:|---:|---:|"
index_rates=()
backfill_rates=()
N=$(ls "$FOLDER" | grep -c '\.png$')
rate() { awk -v n="$N" -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", n / (b - a)}'; }
for r in $(seq 1 "$REPEATS"); do
  "$XBT" galleries --workspace "$BENCH" --delete bench-index >/dev/null 2>&1 || true
  t0=$(date +%s.%N)
  "$XBT" index "$FOLDER" --model sample-new --captions "$FOLDER/captions.tsv" --workspace "$BENCH" --gallery bench-index >/dev/null
  t1=$(date +%s.%N)
  "$XBT" backfill --workspace "$BENCH" --gallery sample --discard >/dev/null 2>&1 || true
  t2=$(date +%s.%N)
  "$XBT" backfill --workspace "$BENCH" --gallery sample --model sample-new >/dev/null
  t3=$(date +%s.%N)
  i=$(rate "$t0" "$t1")
  b=$(rate "$t2" "$t3")
  echo "| $r | $i | $b |"
  index_rates+=("$i")
  backfill_rates+=("$b")
done
mi=$(median "${index_rates[@]}")
mb=$(median "${backfill_rates[@]}")
echo
echo "median: xbt index $mi images/s, xbt backfill $mb images/s: backfill at $(awk -v b="$mb" -v i="$mi" 'BEGIN {printf "%.0f", 100 * b / i}')% of index (target: at least 90%)"
