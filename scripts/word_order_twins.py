#!/usr/bin/env python3
"""Word-order twin check for a model on a sample-world split.

The generator writes binding and relation scenes as twin pairs on
consecutive rows (scene i and i+1 share their words; only the binding of
attributes or the direction differs). For each twin pair this measures how
often a caption scores its own image above its twin's (50% = the model
cannot tell them apart), where the top-1 image of a caption lands (itself,
its twin, another scene), and how close the twins embed on each side.

Developer tool (Debian's python3-numpy), not used by the product:

  xbt embed --model M --images SPLIT --out E_img.npy
  cut -f2 SPLIT/captions.tsv > texts.txt && xbt embed --model M --texts texts.txt --out E_txt.npy
  python3 scripts/word_order_twins.py SPLIT E        (reads E_img.npy, E_txt.npy)
"""
import collections
import sys

import numpy as np


def main(split, prefix):
    rows = [line.rstrip("\n").split("\t") for line in open(split + "/captions.tsv", encoding="utf-8")]
    images = sorted({r[0] for r in rows})
    index = {p: i for i, p in enumerate(images)}
    caption_image = np.array([index[r[0]] for r in rows])
    category = {index[r[0]]: (r[2] if len(r) > 2 else "") for r in rows}
    captions = collections.defaultdict(list)
    for j, r in enumerate(rows):
        captions[index[r[0]]].append(j)

    twin = {}
    i = 0
    while i < len(images) - 1:
        if category[i] in ("binding", "relation") and category[i + 1] == category[i]:
            twin[i], twin[i + 1] = i + 1, i
            i += 2
        else:
            i += 1

    img = np.load(prefix + "_img.npy")
    txt = np.load(prefix + "_txt.npy")
    if img.shape[0] != len(images) or txt.shape[0] != len(rows):
        sys.exit(f"{prefix}_img.npy / _txt.npy: expected {len(images)} images and {len(rows)} captions, "
                 f"got {img.shape[0]} and {txt.shape[0]}")
    img /= np.linalg.norm(img, axis=1, keepdims=True)
    txt /= np.linalg.norm(txt, axis=1, keepdims=True)
    scores = txt @ img.T

    print("| category | twin pairs | own image above twin | top-1 own / twin / other | image twin cos | caption twin cos |")
    print("|---|---:|---:|---|---:|---:|")
    for c in ("binding", "relation"):
        wins, n, top_own, top_twin, image_cos, text_cos = [], 0, 0, 0, [], []
        for a, b in twin.items():
            if category[a] != c:
                continue
            image_cos.append(img[a] @ img[b])
            for k, j in enumerate(captions[a]):
                wins.append(scores[j, a] > scores[j, b])
                top = scores[j].argmax()
                top_own += top == a
                top_twin += top == b
                n += 1
                if k < len(captions[b]):
                    text_cos.append(txt[j] @ txt[captions[b][k]])
        if n == 0:
            continue
        print(f"| {c} | {len(image_cos) // 2} | {100 * np.mean(wins):.1f}% | "
              f"{100 * top_own / n:.1f} / {100 * top_twin / n:.1f} / {100 * (n - top_own - top_twin) / n:.1f} | "
              f"{np.mean(image_cos):.3f} | {np.mean(text_cos):.4f} |")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
