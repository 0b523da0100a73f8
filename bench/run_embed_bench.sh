#!/usr/bin/env bash
# The embedding benchmark behind docs/benchmarks.md: xbt (exact and fast
# decode) against the plain Python pipeline, same archive, same photos.
#   [LIMIT=N] [PASSES=P] bash bench/run_embed_bench.sh   (N photos, default 24, each P times, default 3)
# Needs the bench packages (scripts/setup.sh --bench) and a built xbt.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${LIMIT:-24}
PASSES=${PASSES:-3}
OUT=out/bench
XBT=${XBT:-build/app/xbt}
mkdir -p "$OUT/photos"

bash scripts/setup.sh --bench >/dev/null
[ -x "$XBT" ] || bash scripts/build.sh >/dev/null

# A ViT-B/32-shaped CLIP archive (random weights: speed does not depend on them).
MODEL="$OUT/vit-b-32-shaped.pt"
[ -f "$MODEL" ] || /usr/bin/python3 bench/make_clip_archive.py --shape ViT-B-32 --out "$MODEL"

# Real photos: the largest JPEG of each Plasma wallpaper (2560x1600 to 5120x2880).
rm -f "$OUT"/photos/*
for d in /usr/share/wallpapers/*/contents/images; do
  f=$(ls -S "$d"/*.jpg 2>/dev/null | head -n1 || true)
  [ -n "$f" ] && ln -sf "$f" "$OUT/photos/$(basename "$(dirname "$(dirname "$d")")").jpg"
done
LC_ALL=C ls "$OUT"/photos | head -n "$LIMIT" | sed "s|^|$PWD/$OUT/photos/|" > "$OUT/photos.txt"

MERGES=${MERGES:-../shared/clip/bpe_simple_vocab_16e6.txt.gz}
echo "== xbt, exact decode"
"$XBT" bench embed --model "$MODEL" --merges "$MERGES" --images "$OUT/photos.txt" --passes "$PASSES"
echo
echo "== xbt, fast decode"
"$XBT" bench embed --model "$MODEL" --merges "$MERGES" --images "$OUT/photos.txt" --passes "$PASSES" --fast-decode
echo
echo "== Python reference (PIL + torchvision)"
/usr/bin/python3 bench/reference_pipeline.py --model "$MODEL" --images "$OUT/photos" --limit "$LIMIT" --passes "$PASSES" --out "$OUT/python.npy"
echo
echo "== agreement with the Python pipeline, and fast-decode drift (cosine per photo)"
"$XBT" embed --model "$MODEL" --merges "$MERGES" --images "$OUT/photos.txt" --out "$OUT/exact.npy" 2>/dev/null
"$XBT" embed --model "$MODEL" --merges "$MERGES" --images "$OUT/photos.txt" --out "$OUT/fast.npy" --fast-decode 2>/dev/null
/usr/bin/python3 - "$OUT/exact.npy" "$OUT/fast.npy" "$OUT/python.npy" <<'PY'
import sys, numpy as np
exact, fast, python = (np.load(p) for p in sys.argv[1:4])
for name, a, b in [("xbt exact vs Python", exact, python), ("xbt fast vs exact", fast, exact)]:
    cos = (a * b).sum(1)
    print(f"{name:22s}: {len(cos)} photos, min cosine {cos.min():.6f}, mean {cos.mean():.6f}, "
          f"max abs diff {np.abs(a - b).max():.2e}")
PY
