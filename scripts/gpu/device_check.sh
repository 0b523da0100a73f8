#!/usr/bin/env bash
# Runs ON a lent GPU machine (CUDA, CMake, ninja, PyTorch's CUDA LibTorch; no
# Qt, FAISS or OpenCV): builds the engine and the `xbt` CLI against the CUDA
# LibTorch and the dependencies packed by scripts/gpu/pack_deps.sh, checks that
# models and training run on the GPU, and times them. Output: $OUT/summary.txt
# (plus the best text-tower variant's model files). Stops starting new work
# once DEADLINE seconds (default 420) have passed.
#   device run, carry [".gpu"]: bash scripts/gpu/device_check.sh
set -uo pipefail
OUT=${OUT:-out/gpu}
DEADLINE=${DEADLINE:-420}
mkdir -p "$OUT"
S=$OUT/summary.txt
T0=$(date +%s)
log() { echo "== [$(( $(date +%s) - T0 )) s] $*" | tee -a "$S"; }
late() { [ $(( $(date +%s) - T0 )) -gt "$DEADLINE" ]; }
timed() {  # timed LABEL CMD...: runs, appends the last lines and the wall time
  local label=$1; shift
  local a=$(date +%s.%N)
  "$@" > /tmp/step.log 2>&1; local rc=$?
  local b=$(date +%s.%N)
  tail -n "${TAIL:-6}" /tmp/step.log >> "$S"
  printf '%s\t%s s\trc=%d\n' "$label" "$(awk "BEGIN{printf \"%.1f\", $b - $a}")" "$rc" | tee -a "$S" >> "$OUT/times.tsv"
  return $rc
}

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$S"
log "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) x $(nproc); $(g++ --version | head -1); $(cmake --version | head -1)"
if [ -z "${XBT:-}" ]; then
mkdir -p /tmp/deps && tar -C /tmp/deps -xJf "${DEPS_TAR:-.gpu/deps.tar.xz}"
DEPS=/tmp/deps/deps/usr
export LD_LIBRARY_PATH=$DEPS/lib/x86_64-linux-gnu
TORCH_PREFIX=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
log "torch $(python3 -c 'import torch; print(torch.__version__, torch.version.cuda)')"
cmake -S . -B /tmp/build -G Ninja -DXBT_BUILD_GUI=OFF -DXBT_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$DEPS" -Dfaiss_DIR=$DEPS/lib/x86_64-linux-gnu/cmake/faiss -DBLA_VENDOR=Generic > "$OUT/configure.log" 2>&1 ||
  { tail -n 60 "$OUT/configure.log"; exit 1; }
log "configured"
if ! ninja -C /tmp/build -j "$(nproc)" -k 0 xbt > "$OUT/build.log" 2>&1; then
  grep -E -A6 "error|FAILED" "$OUT/build.log" | head -n 150; exit 1
fi
rm -f "$OUT/configure.log" "$OUT/build.log"
log "built"
fi
X=${XBT:-/tmp/build/app/xbt}
DEV=${DEVICE:-cuda}
TAIL=12 timed "info sample-new on cuda" $X info --model sample-new --device $DEV
python3 -c 'import torch; print("torch cxx11 abi:", torch._C._GLIBCXX_USE_CXX11_ABI)' >> "$S"
if [ -n "${DEBUG_CHECKPOINT:-}" ]; then
  # Where does the second checkpoint save crash? (cuda-gdb debugs host code too.)
  small=(--config samples/sample-new.json --train-count 640 --val-count 32 --epochs 1 --batch-size 64
         --checkpoint-every 2 --log-every 1)
  timeout 120 cuda-gdb -q -batch -ex run -ex bt --args $X train-base "${small[@]}" --out /tmp/dbg --device cuda \
    > /tmp/gdb.log 2>&1
  grep -v "^\[New Thread\|^\[Thread\|^\[Detaching" /tmp/gdb.log | tail -n 45 >> "$S"
  TAIL=4 timed "cpu checkpoint repro" $X train-base "${small[@]}" --out /tmp/dbg-cpu --device cpu
fi
echo '{"checkpoint_every": 0}' > /tmp/nock.json
X="stdbuf -oL $X"

# Compatibility adapter training on the GPU (issue: per-stage times).
D=${DATA:-/tmp/data}
$X sample generate --out $D/test --split test --count 1000 > /dev/null
$X sample generate --out $D/val --split val --count 500 > /dev/null
$X sample generate --out $D/pairs --split pairs --count 1000 > /dev/null
$X sample generate --out $D/corpus --split corpus --count 20000 --texts-only > /dev/null
log "data generated"
common=(--workspace /tmp/ws --old sample-old --new sample-new --device $DEV --corpus $D/corpus/corpus.txt
        --validation $D/val --pairs $D/pairs --log-every 100 ${NO_CHECKPOINTS:+--config /tmp/nock.json})
if [ -z "${SKIP_ADAPTERS:-}" ]; then
TAIL=14 timed "train xbt (full, first: embeds corpus + pairs)" $X train --method xbt --name xbt "${common[@]}"
[ -n "${SKIP_AGAIN:-}" ] || TAIL=8 timed "train xbt again (cached embeddings)" $X train --method xbt --name xbt2 --restart "${common[@]}"
TAIL=6 timed "train xbt-stage1" $X train --method xbt-stage1 --name s1 "${common[@]}"
TAIL=6 timed "train fct" $X train --method fct --name fct "${common[@]}"
TAIL=30 timed "eval (GPU embedding, 4 adapters)" $X eval --old sample-old --new sample-new --split $D/test \
  --workspace /tmp/ws --device $DEV --bootstrap 200 --out /tmp/eval-adapters
cp /tmp/eval-adapters/results.md "$OUT/adapters-results.md" 2>/dev/null
fi

# Text-tower variants of sample-new (word order): full recipe on the GPU.
variant() {  # name block pooling causal positional_init
  python3 - "$@" <<'PY'
import json, sys
n, b, p, c, pi = sys.argv[1:]
j = json.load(open("samples/sample-new.json"))
j["text"].update(block=b, pooling=p, causal=(c == "true"), positional_init=float(pi))
json.dump(j, open(f"/tmp/{n}.json", "w"), indent=2)
PY
}
variant baseline post-norm end false 0.02
variant prenorm-mean pre-norm mean false 0.5
variant prenorm-causal pre-norm end true 0.5
variant postnorm-pos post-norm mean false 0.5
best=""; bestScore=-1
for v in baseline prenorm-mean prenorm-causal postnorm-pos; do
  late && { log "deadline: skipping variant $v"; continue; }
  TAIL=3 timed "train-base sample-new variant $v" $X train-base --config /tmp/$v.json --out /tmp/m/$v --device $DEV --log-every 400 ${NO_CHECKPOINTS:+--checkpoint-every 0} ${VARIANT_ARGS:-} || continue
  TAIL=0 timed "eval variant $v" $X eval --old sample-old --new /tmp/m/$v --split $D/test --device $DEV --bootstrap 0 --out /tmp/e/$v
  { echo "### variant $v"; sed -n '/^| configuration/,/^$/p;/^| category/,/^$/p' /tmp/e/$v/results.md; } >> "$S"
  score=$(awk -F'|' '/^\| category/{for (i = 1; i <= NF; i++) if ($i ~ /new->new` T2I/) c = i}
                     /^\| (binding|relation) /{s += $c} END{print s + 0}' /tmp/e/$v/results.md)
  if awk "BEGIN{exit !($score > $bestScore)}"; then best=$v; bestScore=$score; fi
done
if [ -n "$best" ]; then
  log "best variant on binding+relation new->new T2I R@1: $best ($bestScore)"
  cp /tmp/m/$best/weights.pt "$OUT/best-weights.pt"; cp /tmp/m/$best/sample-model.json "$OUT/best-sample-model.json"
fi
log "done"
