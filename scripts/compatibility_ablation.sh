#!/usr/bin/env bash
# The XBT ablation on the sample world: noise on/off, 0/250/1000/4000 stage-2
# pairs, 0/3,000/16,000 unlabelled images, LoRA vs the feature adapter, corpus size, interpolation with the old
# query (off / linear / spherical), each stage-2 term aligning with the stored
# gallery, the image map (off / on / alone, unmixed), and Procrustes without interpolation (SLERP's alignment alone). Trains each variant into the
# workspace of scripts/compatibility_results.sh (run that first: it holds the
# data, the cached embeddings and the reference `xbt` and `xbt-stage1`
# adapters), evaluates them side by side on the test split and writes the
# table into docs/compatibility.md between the ABLATION markers. Not run by CI.
#   bash scripts/compatibility_ablation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
XBT=${XBT:-${XBT_BUILD_DIR:-build}/app/xbt}
OUT=out/compat
WS=$OUT/ws
[ -d "$WS/adapters/xbt" ] && [ -d "$WS/adapters/xbt-stage1" ] && [ -d "$OUT/unlabeled-3000" ] ||
  { echo "run scripts/compatibility_results.sh first" >&2; exit 1; }
gen() { [ -f "$OUT/$1/captions.tsv" ] || "$XBT" sample generate --out "$OUT/$1" --split pairs --count "$2" > /dev/null; }
gen pairs-250 250
gen pairs-4000 4000
head -n 5000 "$OUT/corpus/corpus.txt" > "$OUT/corpus-5000.txt"
[ -f "$OUT/corpus-80000/corpus.txt" ] ||
  "$XBT" sample generate --out "$OUT/corpus-80000" --split corpus --count 80000 --texts-only > /dev/null
echo '{"sigma": 0.0}' > "$OUT/no-noise.json"
echo '{"image_adapter": "feature"}' > "$OUT/feature.json"
echo '{"interpolate": 1}' > "$OUT/interp-off.json"
echo '{"interpolation": "linear"}' > "$OUT/interp-linear.json"
echo '{"interpolation": "spherical"}' > "$OUT/interp-spherical.json"
echo '{"gallery_image_weight": 0}' > "$OUT/no-gallery-image.json"
echo '{"gallery_text_weight": 1}' > "$OUT/gallery-text.json"
echo '{"gallery_image_weight": 0, "interpolate": 1, "image_map": "off"}' > "$OUT/published.json"
echo '{"image_map": "off"}' > "$OUT/image-map-off.json"
echo '{"image_map": "on"}' > "$OUT/image-map-on.json"
echo '{"image_map": "on", "image_map_share_grid": [1]}' > "$OUT/image-map-alone.json"
echo '{"unlabeled_captions": 3}' > "$OUT/unlabeled-k3.json"

C=$OUT/corpus/corpus.txt
P=$OUT/pairs
U=$OUT/unlabeled
# name | what changes against the reference `xbt` | corpus | pairs | settings (--config) | method (default xbt)
# | unlabelled images (default $U, "none": without)
runs=(
  "abl-interp-off|interpolation off (a = 1: the adapter alone)|$C|$P|$OUT/interp-off.json"
  "abl-interp-linear|linear interpolation only|$C|$P|$OUT/interp-linear.json"
  "abl-interp-spherical|spherical interpolation only|$C|$P|$OUT/interp-spherical.json"
  "abl-no-gallery-image|no caption -> stored old image term (so no unlabelled images either: they feed only that term)|$C|$P|$OUT/no-gallery-image.json||none"
  "abl-gallery-text|plus the image -> stored old caption term (gallery_text_weight 1)|$C|$P|$OUT/gallery-text.json"
  "abl-image-map-off|no image map: image queries through phi and the LoRA-adapted tower|$C|$P|$OUT/image-map-off.json"
  "abl-image-map-on|image map always (image_map on; its share still chosen on validation)|$C|$P|$OUT/image-map-on.json"
  "abl-image-map-alone|image map alone: not mixed with phi and the LoRA-adapted tower (image_map_share_grid [1])|$C|$P|$OUT/image-map-alone.json"
  "abl-published|published stage 2: no gallery term, no unlabelled images, no image map, interpolation off|$C|$P|$OUT/published.json||none"
  "abl-procrustes-off|procrustes, interpolation off (SLERP's alignment alone)|$C|$P|$OUT/interp-off.json|procrustes|none"
  "abl-no-noise|noise off (sigma 0)|$C|$P|$OUT/no-noise.json"
  "abl-unlabeled-off|no unlabelled images (1,000 labelled pairs only)|$C|$P|||none"
  "abl-unlabeled-3000|3,000 unlabelled images instead of 16,000|$C|$P|||$OUT/unlabeled-3000"
  "abl-unlabeled-k3|3 pseudo captions per unlabelled image (unlabeled_captions 3)|$C|$P|$OUT/unlabeled-k3.json"
  "abl-pairs-250|250 stage-2 pairs|$C|$OUT/pairs-250|"
  "abl-pairs-4000|4000 stage-2 pairs|$C|$OUT/pairs-4000|"
  "abl-pairs-4000-only|4000 stage-2 pairs, no unlabelled images|$C|$OUT/pairs-4000|||none"
  "abl-feature|feature adapter instead of LoRA|$C|$P|$OUT/feature.json"
  "abl-corpus-5000|5,000-sentence corpus|$OUT/corpus-5000.txt|$P|"
  "abl-corpus-80000|80,000-sentence corpus|$OUT/corpus-80000/corpus.txt|$P|"
)
touch "$OUT/ablation-times.tsv"
for run in "${runs[@]}"; do
  IFS='|' read -r name what corpus pairs config method unlabeled <<< "$run"
  # A finished variant is kept (delete its adapter folder to retrain it).
  [ -d "$WS/adapters/$name" ] && grep -q "^$name	" "$OUT/ablation-times.tsv" && continue
  args=(--workspace "$WS" --old sample-old --new sample-new --threads 1 --validation "$OUT/val"
        --corpus "$corpus" --pairs "$pairs")
  [ -z "$config" ] || args+=(--config "$config")
  [ "${unlabeled:-$U}" = none ] || args+=(--unlabeled "${unlabeled:-$U}")
  start=$(date +%s.%N)
  "$XBT" train --method "${method:-xbt}" --name "$name" "${args[@]}" 2>&1 | tail -n 4
  end=$(date +%s.%N)
  # A retrained variant replaces its old line (one line per variant).
  grep -v "^$name	" "$OUT/ablation-times.tsv" > "$OUT/ablation-times.tsv.new" || true
  printf '%s\t%s\t%.0f\n' "$name" "$what" "$(echo "$end - $start" | bc)" >> "$OUT/ablation-times.tsv.new"
  mv "$OUT/ablation-times.tsv.new" "$OUT/ablation-times.tsv"
done
names=xbt,xbt-stage1,slerp,procrustes$(printf ',%s' $(cut -f1 "$OUT/ablation-times.tsv"))
"$XBT" eval --old sample-old --new sample-new --split "$OUT/test" --workspace "$WS" --adapters "$names" \
  --threads 1 --out "$OUT/ablation-eval" > "$OUT/ablation-eval.md"

python3 - "$OUT" docs/compatibility.md <<'PY'
import json, sys
out, doc_path = sys.argv[1], sys.argv[2]
r = json.load(open(f"{out}/ablation-eval/results.json"))
what = {"xbt": "reference: noise auto, 1,000 pairs and 16,000 unlabelled images, LoRA, 20,000 scenes, caption -> stored image term, image map auto, interpolation auto",
        "xbt-stage1": "0 stage-2 pairs (stage 1 only)",
        "slerp": "slerp: procrustes + spherical interpolation (training-free)",
        "procrustes": "procrustes, interpolation auto"}
for line in open(f"{out}/ablation-times.tsv"):
    name, w, _ = line.rstrip("\n").split("\t")
    what[name] = w
def seconds(name):  # as the adapter recorded it: training only, data embedding excluded when cached
    try:
        return f'{json.load(open(f"{out}/ws/adapters/{name}/adapter.json"))["training_seconds"]:.0f}'
    except (OSError, KeyError):
        return ""
by_adapter = {c.get("adapter"): c for c in r["configurations"]}
verdicts = {c["adapter"]: c for c in r["compatibility"]}
abbrev = {"pass": "pass", "fail": "fail", "within noise": "noise"}
rows = ["| variant | what changes | interpolation (texts / images) | T2I R@1 | T2I R@5 | T2I R@10 | I2T R@1 | I2T R@5 | I2T R@10 | criterion T2I (1/5/10) | criterion I2T (1/5/10) | G T2I R@1 | G I2T R@1 | flips T2I@1 | flips I2T@1 | train s |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|"]
def interpolation(name):
    try:
        q = json.load(open(f"{out}/ws/adapters/{name}/adapter.json"))["interpolation"]
    except (OSError, KeyError):
        return ""
    side = lambda s: ("off" if s["weight"] >= 1 else f'{s["kind"][:3]} {s["weight"]:g}')
    return f'{side(q["texts"])} / {side(q["images"])}'
def flips(c, d):
    f = c.get("negative_flips", {}).get(d)
    return f'{100 * f["R@1"]:.1f}' if f else ""
old = by_adapter[None] if None in by_adapter else r["configurations"][0]
for name in ["xbt", "xbt-stage1", "slerp", "procrustes"] + [n for n in what if n not in ("xbt", "xbt-stage1", "slerp", "procrustes")]:
    c, v = by_adapter.get(name), verdicts.get(name)
    if not c or not v:
        continue
    t, i2t = c["text_to_image"], c["image_to_text"]
    crit = lambda d: "/".join(abbrev[d["criterion"][k]] for k in ("R@1", "R@5", "R@10"))
    rows.append(f"| `{name}` | {what[name]} | {interpolation(name)} | " + " | ".join(f"{100 * t[k]:.1f}" for k in ("R@1", "R@5", "R@10")) + " | "
                + " | ".join(f"{100 * i2t[k]:.1f}" for k in ("R@1", "R@5", "R@10"))
                + f" | {crit(v['text_to_image'])} | {crit(v['image_to_text'])} | "
                + f"{v['text_to_image']['gain_recovery']['R@1']:.2f} | {v['image_to_text']['gain_recovery']['R@1']:.2f} | "
                + f"{flips(c, 'text_to_image')} | {flips(c, 'image_to_text')} | {seconds(name)} |")
oo = r["configurations"][0]
header = (f"Measured by `bash scripts/compatibility_ablation.sh` on {r['date'][:10]} (CPU, 1 torch thread; test split, "
          f"{oo['text_to_image']['queries']} captions / {oo['image_to_text']['queries']} images). "
          f"`old->old` for reference: T2I R@1 {100 * oo['text_to_image']['R@1']:.1f}, I2T R@1 {100 * oo['image_to_text']['R@1']:.1f}. "
          "Criterion per K: pass, fail, or noise (the 95% intervals overlap). Training seconds as each adapter recorded them (`training_seconds`).")
table = header + "\n\n" + "\n".join(rows) + "\n"
doc = open(doc_path).read()
start, end = "<!-- ABLATION -->", "<!-- /ABLATION -->"
i, j = doc.index(start) + len(start), doc.index(end)
open(doc_path, "w").write(doc[:i] + "\n" + table + "\n" + doc[j:])
print(table)
PY
echo "wrote docs/compatibility.md (ablation) and $OUT/ablation-eval/"
