#!/usr/bin/env bash
# The gallery benchmark behind docs/benchmarks.md ("Gallery search"):
#   1. xbt bench search: search latency, insertion time and bytes per item at
#      10k, 100k and 1M random 128-d vectors, against a bare FAISS flat index;
#   2. xbt index of real photos (the largest JPEG of each Plasma wallpaper,
#      each linked COPIES times) with the shipped sample-old model and with a
#      ViT-B/32-shaped CLIP archive: images/s as xbt index reports it.
#   [SIZES=10000,100000,1000000] [COPIES=3] bash bench/run_gallery_bench.sh
# Needs the bench packages (scripts/setup.sh --bench) and a built xbt.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=${SIZES:-10000,100000,1000000}
COPIES=${COPIES:-3}
OUT=out/bench
XBT=${XBT:-build/app/xbt}
MERGES=${MERGES:-../shared/clip/bpe_simple_vocab_16e6.txt.gz}

bash scripts/setup.sh --bench >/dev/null
[ -x "$XBT" ] || bash scripts/build.sh >/dev/null

echo "== xbt bench search (FAISS threads: all cores)"
"$XBT" bench search --sizes "$SIZES"
echo
# One thread: per-query OpenMP regions stall when another process holds a
# core, so on a shared machine this is the steadier latency.
echo "== xbt bench search (FAISS threads: 1)"
OMP_NUM_THREADS=1 "$XBT" bench search --sizes "$SIZES"
echo

# Real photos: the largest JPEG of each Plasma wallpaper (2560x1600 to 5120x2880).
PHOTOS="$OUT/gallery-photos"
rm -rf "$PHOTOS"
mkdir -p "$PHOTOS"
for d in /usr/share/wallpapers/*/contents/images; do
  f=$(ls -S "$d"/*.jpg 2>/dev/null | head -n1 || true)
  [ -n "$f" ] || continue
  for c in $(seq 1 "$COPIES"); do
    ln -sf "$f" "$PHOTOS/$(basename "$(dirname "$(dirname "$d")")")-$c.jpg"
  done
done
echo "photos: $(ls "$PHOTOS" | wc -l) files ($COPIES links to each wallpaper's largest JPEG)"

# A ViT-B/32-shaped CLIP archive (random weights: speed does not depend on them).
MODEL="$OUT/vit-b-32-shaped.pt"
[ -f "$MODEL" ] || /usr/bin/python3 bench/make_clip_archive.py --shape ViT-B-32 --out "$MODEL"

WS=$(mktemp -d)
trap 'rm -rf "$WS"' EXIT
echo
echo "== xbt index, sample-old"
"$XBT" index "$PHOTOS" --model sample-old --workspace "$WS" --gallery sample-old
echo
echo "== xbt index, ViT-B/32-shaped archive"
"$XBT" index "$PHOTOS" --model "$MODEL" --merges "$MERGES" --workspace "$WS" --gallery vit-b-32
