#!/usr/bin/env bash
# FCT at scale (issue 18): the FCT gallery transform (old -> new, fitted on
# the image pairs' embeddings by both models) trained on 1,000, 4,000 and
# 16,000 pairs, evaluated side by side on the sample world's 1,000-image
# test split, with the reference adapter `xbt` for comparison. Uses the
# workspace of scripts/compatibility_results.sh (run that first: it holds
# the 1,000-pair `fct` and `xbt`); writes the table into docs/compatibility.md
# between the FCT-SCALE markers. A variant already trained (its adapter and
# its line in out/compat/fct-times.tsv) is kept. Not run by CI.
#   bash scripts/fct_scale_results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
XBT=${XBT:-${XBT_BUILD_DIR:-build}/app/xbt}
OUT=out/compat
WS=$OUT/ws
[ -d "$WS/adapters/fct" ] && [ -d "$WS/adapters/xbt" ] || { echo "run scripts/compatibility_results.sh first" >&2; exit 1; }
gen() { [ -f "$OUT/$1/captions.tsv" ] || "$XBT" sample generate --out "$OUT/$1" --split pairs --count "$2" > /dev/null; }
gen pairs-4000 4000
gen pairs-16000 16000
touch "$OUT/fct-times.tsv"
# fct-16000-long: 4x the steps, to tell too little training from too little information.
echo '{"steps": 4000}' > "$OUT/fct-long.json"
# Side information (FCT's extra vector per item, xbt index --side-information):
# for images, for captions, or both. The caption gallery's transform (and what
# captions' side information says) is learnt from the corpus sentences
# (corpus_texts), so those rows train on them too, with a row without side
# information to compare. -nce adds the contrastive term (contrastive_weight 1).
cfg() { echo "$2" > "$OUT/$1.json"; echo "$OUT/$1.json"; }
side_images=$(cfg fct-side-images '{"side_information": "images"}')
texts=$(cfg fct-texts '{"corpus_texts": true}')
texts_captions=$(cfg fct-texts-captions '{"corpus_texts": true, "side_information": "captions"}')
texts_both=$(cfg fct-texts-both '{"corpus_texts": true, "side_information": "both"}')
nce=$(cfg fct-nce '{"contrastive_weight": 1.0}')
texts_both_nce=$(cfg fct-texts-both-nce '{"corpus_texts": true, "side_information": "both", "contrastive_weight": 1.0}')
RUNS=("fct-4000 pairs-4000 {}" "fct-16000 pairs-16000 {}" "fct-16000-long pairs-16000 $OUT/fct-long.json"
      "fct-4000-side pairs-4000 $side_images"
      "fct-4000-texts pairs-4000 $texts" "fct-4000-texts-captions pairs-4000 $texts_captions"
      "fct-4000-texts-both pairs-4000 $texts_both"
      "fct-16000-texts pairs-16000 $texts" "fct-16000-texts-both pairs-16000 $texts_both"
      "fct-4000-nce pairs-4000 $nce" "fct-4000-texts-both-nce pairs-4000 $texts_both_nce")
NAMES=$(printf '%s\n' "${RUNS[@]}" | cut -d' ' -f1 | paste -sd,)
for run in "${RUNS[@]}"; do
  read -r name pairs config <<< "$run"
  # A finished variant is kept (delete its adapter folder to retrain it).
  [ -d "$WS/adapters/$name" ] && grep -q "^$name	" "$OUT/fct-times.tsv" && continue
  [ "$config" = "{}" ] && config="" || config="--config $config --corpus $OUT/corpus/corpus.txt"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$XBT" train --method fct --name "$name" --workspace "$WS" --old sample-old --new sample-new --threads 1 \
    --validation "$OUT/val" --pairs "$OUT/$pairs" $config 2>&1 | tail -n 2
  end=$(date +%s.%N)
  final=$(python3 -c "import json; print(round(json.load(open('$WS/adapters/$name/adapter.json'))['metrics']['fct']['final_loss'], 3))")
  printf '%s\t%.0f s, final training loss %s\n' "$name" "$(echo "$end - $start" | bc)" "$final" >> "$OUT/fct-times.tsv"
done
"$XBT" eval --old sample-old --new sample-new --split "$OUT/test" --workspace "$WS" --threads 1 \
  --adapters "xbt,fct,$NAMES" --out "$OUT/fct-eval" > "$OUT/fct-eval.md"
fct1000=$(python3 -c "import json; print(round(json.load(open('$WS/adapters/fct/adapter.json'))['metrics']['fct']['final_loss'], 3))")
{
  echo "Measured by \`bash scripts/fct_scale_results.sh\` on $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores), CPU, 1 torch thread. \`fct\` is the 1,000-pair fit of the table above (final training loss $fct1000); \`fct-4000\` and \`fct-16000\` the same method and default settings (1,000 steps) on 4,000 and 16,000 pairs, \`fct-16000-long\` on 16,000 pairs with 4,000 steps. Training, embedding the pairs included:"
  echo
  sed 's/^\(.*\)\t\(.*\)$/- `\1`: \2/' "$OUT/fct-times.tsv"
  echo
  sed -n '/^| configuration | T2I R@1 | T2I R@5 | T2I R@10 | I2T R@1 | I2T R@5 | I2T R@10 | RSUM |$/,/^$/p' "$OUT/fct-eval/results.md"
  sed -n '/^Compatibility criterion/,/^$/p' "$OUT/fct-eval/results.md"
  sed -n '/^| configuration | T2I R@1 | T2I R@5 | T2I R@10 | I2T R@1 | I2T R@5 | I2T R@10 | G T2I R@1/,/^$/p' "$OUT/fct-eval/results.md"
} > "$OUT/fct-results.md"
python3 scripts/fill_doc_section.py "$OUT/fct-results.md" docs/compatibility.md FCT-SCALE
echo "wrote docs/compatibility.md (FCT at scale) and $OUT/fct-eval/"
