#!/usr/bin/env bash
# Retrains the built-in sample models from their recipes and ships them into
# samples/<model>/, recording in samples/MANIFEST.md the SHA-256 of each file,
# the command, how long it took and on what machine. Not run by CI (CI tests
# use tiny configurations); each of sample-new and the three compatible ones
# takes ~30 minutes on 2 cores. The compatible models (sample-new-bct, -bt2,
# -oca) need sample-old, and bt2/oca also sample-new, trained first.
#   bash scripts/train_sample_models.sh [sample-old] [sample-new] [sample-new-bct] ...
set -euo pipefail
cd "$(dirname "$0")/.."
XBT=${XBT:-${XBT_BUILD_DIR:-build}/app/xbt}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(sample-old sample-new sample-new-bct sample-new-bt2 sample-new-oca)
mkdir -p out/train
for m in "${models[@]}"; do
  rm -rf "out/train/$m"
  start=$(date +%s)
  "$XBT" train-base --config "samples/$m.json" --out "out/train/$m" --log-every 50 2>&1 | tee "out/train/$m.log"
  end=$(date +%s)
  mkdir -p "samples/$m"
  cp "out/train/$m"/{sample-model.json,vocabulary.txt,weights.pt} "samples/$m/"
  echo "$((end - start))" > "out/train/$m.seconds"
done

# A model not retrained now keeps its section of the current manifest.
previous_section() {
  [ -f samples/MANIFEST.md ] || return 0
  awk -v h="## $1" '$0 == h {on = 1; next} /^## / {on = 0} on' samples/MANIFEST.md | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
old_sections=$(mktemp -d)
for m in sample-old sample-new sample-new-bct sample-new-bt2 sample-new-oca; do
  previous_section "$m" > "$old_sections/$m"
done

{
  echo "# Shipped sample models"
  echo
  echo "Written by \`scripts/train_sample_models.sh\`. Retraining reproduces a model of"
  echo "the same quality (recall within a point or two on the test split), not the"
  echo "same bytes."
  for m in sample-old sample-new sample-new-bct sample-new-bt2 sample-new-oca; do
    [ -f "samples/$m/weights.pt" ] || continue
    echo
    echo "## $m"
    if [ ! -f "out/train/$m.log" ] && [ -s "$old_sections/$m" ]; then
      cat "$old_sections/$m"
      continue
    fi
    echo
    echo "- command: \`xbt train-base --config samples/$m.json --out samples/$m\`"
    if [ -f "out/train/$m.seconds" ]; then
      echo "- training time: $(cat "out/train/$m.seconds") s on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) cores), CPU"
    fi
    [ -f "out/train/$m.log" ] && echo "- result: $(grep '^trained' "out/train/$m.log" | tail -n1)"
    echo "- files (SHA-256):"
    for f in sample-model.json vocabulary.txt weights.pt; do
      echo "  - \`$f\` $(sha256sum "samples/$m/$f" | cut -d' ' -f1)"
    done
  done
} > samples/MANIFEST.md
echo "wrote samples/MANIFEST.md"
