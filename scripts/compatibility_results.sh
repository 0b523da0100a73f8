#!/usr/bin/env bash
# Trains every compatibility method between the shipped sample models and
# evaluates them side by side on the sample world's test split; writes the
# table into docs/compatibility.md (between the RESULTS markers) and the full
# evaluation (charts, report) into out/compat/eval/. Not run by CI.
#   bash scripts/compatibility_results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
XBT=${XBT:-${XBT_BUILD_DIR:-build}/app/xbt}
OUT=out/compat
WS=$OUT/ws
mkdir -p "$OUT"
gen() { [ -f "$OUT/$1/${3:-captions.tsv}" ] || "$XBT" sample generate --out "$OUT/$1" --split "$1" --count "$2" ${4:-}; }
gen test 1000
gen val 500
gen pairs 1000
gen corpus 20000 corpus.txt --texts-only
# Unlabelled images for xbt (--unlabeled): 16,000 more pairs-split scenes
# whose captions are never read, linked into a folder of their own (the
# first 1,000 of the 17,000 are the pairs split's images, left out).
[ -f "$OUT/pairs-17000/captions.tsv" ] ||
  "$XBT" sample generate --out "$OUT/pairs-17000" --split pairs --count 17000 > /dev/null
unlabeled() {  # folder, first image, count
  [ -d "$OUT/$1" ] && [ "$(ls "$OUT/$1" | wc -l)" -eq "$3" ] && return
  rm -rf "${OUT:?}/$1" && mkdir -p "$OUT/$1"
  for i in $(seq "$2" $(($2 + $3 - 1))); do ln -s "../pairs-17000/$(printf %06d.png "$i")" "$OUT/$1/"; done
}
unlabeled unlabeled 1000 16000
unlabeled unlabeled-3000 1000 3000

common=(--workspace "$WS" --old sample-old --new sample-new --threads 1 --corpus "$OUT/corpus/corpus.txt"
        --validation "$OUT/val")
: > "$OUT/times.tsv"
for method in lstsq procrustes slerp xbt-stage1 xbt fct; do
  start=$(date +%s.%N)
  extra=()
  [ "$method" != xbt ] || extra=(--unlabeled "$OUT/unlabeled")
  "$XBT" train --method "$method" --name "$method" "${common[@]}" --pairs "$OUT/pairs" "${extra[@]}" 2>&1 | tail -n 4
  end=$(date +%s.%N)
  printf '%s\t%.0f\n' "$method" "$(echo "$end - $start" | bc)" >> "$OUT/times.tsv"
done
"$XBT" eval --old sample-old --new sample-new --split "$OUT/test" --workspace "$WS" --threads 1 \
  --adapters lstsq,procrustes,slerp,xbt-stage1,xbt,fct --ceiling --out "$OUT/eval" > "$OUT/eval.md"

{
  echo "Measured by \`bash scripts/compatibility_results.sh\` on $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores), CPU, 1 torch thread."
  echo "Data: 1,000 image-text pairs (stage 2, FCT, image pairs of the closed forms), 16,000 unlabelled images (xbt's stage 2, \`--unlabeled\`), a 20,000-scene text corpus, the 500-scene val split for validation, the 1,000-image test split for these numbers."
  echo
  cat "$OUT/eval.md"
  echo
  echo "Training time per method (seconds, including embedding the data the first time it is needed):"
  echo
  echo "| method | seconds |"
  echo "|---|---:|"
  awk -F'\t' '{print "| " $1 " | " $2 " |"}' "$OUT/times.tsv"
} > "$OUT/results.md"

python3 scripts/fill_doc_section.py "$OUT/results.md" docs/compatibility.md RESULTS
echo "wrote docs/compatibility.md and $OUT/eval/"
