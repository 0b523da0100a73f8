#!/usr/bin/env bash
# Evaluates the shipped compatible models (sample-new-bct, -bt2, -oca; see
# scripts/train_sample_models.sh) against sample-old on the sample world's
# 1,000-image test split, next to the independently trained sample-new and,
# when scripts/compatibility_results.sh has trained them, the adapters. Writes
# the tables into docs/compatibility.md (COMPATIBLE-RESULTS markers) and the
# full evaluation into out/compat/compatible-eval/. Not run by CI.
#   [ADAPTERS=none|all|a,b] bash scripts/compatible_models_results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
XBT=${XBT:-${XBT_BUILD_DIR:-build}/app/xbt}
OUT=out/compat
mkdir -p "$OUT"
[ -f "$OUT/test/captions.tsv" ] || "$XBT" sample generate --out "$OUT/test" --split test --count 1000
# ADAPTERS=none|all|a,b,... overrides the default (all of the workspace's, when it has some).
adapters=none
if [ -d "$OUT/ws/adapters" ] && find "$OUT/ws/adapters" -mindepth 1 -maxdepth 1 -not -name '.*' | grep -q .; then
  adapters=all
fi
adapters=${ADAPTERS:-$adapters}
"$XBT" eval --old sample-old --new sample-new --compare sample-new-bct,sample-new-bt2,sample-new-oca \
  --split "$OUT/test" --workspace "$OUT/ws" --adapters "$adapters" --threads 1 \
  --out "$OUT/compatible-eval" > "$OUT/compatible-eval.md"

{
  echo "Measured by \`bash scripts/compatible_models_results.sh\` on $(date -u +%Y-%m-%d), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores), CPU, 1 torch thread; adapters: $adapters."
  echo
  cat "$OUT/compatible-eval.md"
  echo
  echo "Training (samples/MANIFEST.md):"
  echo
  echo "| model | recipe epochs | training |"
  echo "|---|---:|---|"
  for m in sample-new sample-new-bct sample-new-bt2 sample-new-oca; do
    epochs=$(python3 -c "import json,sys; print(json.load(open('samples/$m.json'))['training']['epochs'])")
    time=$(awk -v h="## $m" '$0 == h {on = 1; next} /^## / {on = 0} on && /training time/' samples/MANIFEST.md | sed 's/^- training time: //')
    echo "| \`$m\` | $epochs | ${time:-not trained} |"
  done
} > "$OUT/compatible-results.md"

python3 scripts/fill_doc_section.py "$OUT/compatible-results.md" docs/compatibility.md COMPATIBLE-RESULTS
echo "wrote docs/compatibility.md and $OUT/compatible-eval/"
