#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, runs the main job.
#
# Until the sample world and the workbench land, the main job exercises the
# engine end to end: it writes a small CLIP-shaped TorchScript archive (random
# weights, bench/make_clip_archive.py), then `xbt info` and `xbt embed` on the
# bundled images and captions in samples/engine-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
XBT=${XBT_BUILD_DIR:-build}/app/xbt
OUT=out/engine-demo
mkdir -p "$OUT"

MODEL="$OUT/clip-tiny.pt"
[ -f "$MODEL" ] || /usr/bin/python3 bench/make_clip_archive.py --shape tiny --out "$MODEL"

# CLIP's merges file: a clip/open_clip installation has one; so does ../shared.
merges=()
[ -f ../shared/clip/bpe_simple_vocab_16e6.txt.gz ] && merges=(--merges ../shared/clip/bpe_simple_vocab_16e6.txt.gz)

echo "== xbt info"
"$XBT" info --model "$MODEL" "${merges[@]}"
echo
echo "== xbt embed (images)"
"$XBT" embed --model "$MODEL" "${merges[@]}" --images samples/engine-demo/images --out "$OUT/images.npy"
echo
echo "== xbt embed (captions)"
"$XBT" embed --model "$MODEL" "${merges[@]}" --texts samples/engine-demo/captions.txt --out "$OUT/captions.npy"
echo
echo "wrote $OUT/images.npy (+ .txt) and $OUT/captions.npy (+ .txt)"
