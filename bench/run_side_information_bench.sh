#!/usr/bin/env bash
# What storing FCT's side information costs at indexing time (docs/
# benchmarks.md, "Side information"). On the sample workspace's image folder
# (bash scripts/run.sh builds out/sample-workspace), REPEATS times each, with
# the gallery's model sample-old:
#   - xbt index into a fresh gallery (images and captions);
#   - the same with --side-information;
#   - the first gallery indexed again with --side-information: nothing to
#     embed, only its items' side information to add (files read again).
# Rates are the whole command's: images / wall-clock seconds, models loading
# included. Also prints what the side information adds to the database.
#   [REPEATS=5] [WS=out/sample-workspace] bash bench/run_side_information_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DEFAULT_REPEATS=5
# shellcheck source=bench/common.sh
source bench/common.sh
FOLDER=$("$XBT" galleries --workspace "$WS" | awk '$1 == "sample" {print $NF}')
BENCH=out/bench/side-information-ws
N=$(ls "$FOLDER" | grep -c '\.png$')

print_machine
echo "images:  $N in $FOLDER, with their captions; model sample-old; batch 32"
echo
echo "| run | xbt index images/s | with --side-information images/s | side information added afterwards images/s |"
echo "|---:|---:|---:|---:|"
# The database's size with its write-ahead log folded in.
bytes() { sqlite3 "$BENCH/galleries/$1/gallery.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null; stat -c %s "$BENCH/galleries/$1/gallery.sqlite"; }
rate() { awk -v n="$N" -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", n / (b - a)}'; }
plain=(); side=(); later=()
for r in $(seq 1 "$REPEATS"); do
  rm -rf "$BENCH"
  t0=$(date +%s.%N)
  "$XBT" index "$FOLDER" --model sample-old --captions "$FOLDER/captions.tsv" --workspace "$BENCH" --gallery plain >/dev/null
  t1=$(date +%s.%N)
  plain_bytes=$(bytes plain)
  t1=$(date +%s.%N)
  "$XBT" index "$FOLDER" --model sample-old --captions "$FOLDER/captions.tsv" --workspace "$BENCH" --gallery side \
    --side-information >/dev/null
  t2=$(date +%s.%N)
  "$XBT" index "$FOLDER" --model sample-old --workspace "$BENCH" --gallery plain --side-information >/dev/null
  t3=$(date +%s.%N)
  p=$(rate "$t0" "$t1"); s=$(rate "$t1" "$t2"); l=$(rate "$t2" "$t3")
  echo "| $r | $p | $s | $l |"
  plain+=("$p"); side+=("$s"); later+=("$l")
done
mp=$(median "${plain[@]}"); ms=$(median "${side[@]}"); ml=$(median "${later[@]}")
echo
echo "median: index $mp, with side information $ms images/s: $(awk -v s="$ms" -v p="$mp" 'BEGIN {printf "%.2f", 1000 / s - 1000 / p}') ms more per image (bound: at most 1 ms); added to an indexed gallery $ml images/s"
echo "database: $plain_bytes bytes without side information, $(bytes side) bytes with it"
