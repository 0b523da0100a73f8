#!/usr/bin/python3
"""The plain Python CLIP pipeline that `xbt bench embed` is compared against.

PIL decoding + torchvision-style preprocessing (Resize(shorter side, BICUBIC),
CenterCrop, RGB, ToTensor, Normalize), the same TorchScript archive, torch
threads = all cores, images preprocessed one after another in the main process
and embedded in batches. Prints a table in the same shape as xbt's.

Run with Debian's interpreter (/usr/bin/python3): it needs python3-torch and
python3-pil (python3-torchvision is used when installed).
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
from PIL import Image

MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)
EXTS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}


def make_transform(res):
    try:
        from torchvision import transforms as T
        return T.Compose([T.Resize(res, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(res),
                          lambda im: im.convert("RGB"), T.ToTensor(), T.Normalize(MEAN, STD)]), "torchvision"
    except ImportError:
        def transform(im):
            w, h = im.size
            if w <= h:
                size = (res, int(res * h / w))
            else:
                size = (int(res * w / h), res)
            if (w, h) != size:
                im = im.resize(size, Image.BICUBIC)
            w, h = im.size
            left, top = int(round((w - res) / 2.0)), int(round((h - res) / 2.0))
            im = im.crop((left, top, left + res, top + res)).convert("RGB")
            a = np.asarray(im, dtype=np.float32) / 255.0
            a = (a - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
            return torch.from_numpy(a.transpose(2, 0, 1).copy())
        return transform, "PIL + numpy (torchvision not installed)"


def list_images(folder):
    out = []
    for root, _, files in os.walk(folder):
        out += [os.path.join(root, f) for f in files if os.path.splitext(f)[1].lower() in EXTS]
    return sorted(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="TorchScript archive")
    ap.add_argument("--images", required=True, help="image folder")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--resolution", type=int, default=224)
    ap.add_argument("--out", help="write the end-to-end embeddings here (.npy) for drift checks")
    args = ap.parse_args()

    cores = os.cpu_count() or 1
    torch.set_num_threads(cores)
    paths = list_images(args.images)
    if args.limit:
        paths = paths[: args.limit]
    paths = paths * args.passes
    if not paths:
        sys.exit(f"{args.images}: no images")
    model = torch.jit.load(args.model, map_location="cpu").float().eval()
    transform, how = make_transform(args.resolution)

    def embed(batch):
        with torch.no_grad():
            e = model.encode_image(torch.stack(batch)).float()
        return e / e.norm(dim=-1, keepdim=True)

    embed([transform(Image.open(paths[0]))])  # warm-up

    t0 = time.perf_counter()
    tensors = [transform(Image.open(p)) for p in paths]
    decode_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    for b in range(0, len(tensors), args.batch_size):
        embed(tensors[b:b + args.batch_size])
    model_s = time.perf_counter() - t0
    del tensors

    t0 = time.perf_counter()
    rows = []
    for b in range(0, len(paths), args.batch_size):
        rows.append(embed([transform(Image.open(p)) for p in paths[b:b + args.batch_size]]))
    e2e_s = time.perf_counter() - t0
    if args.out:  # one row per photo (the first pass), to compare with xbt embed
        np.save(args.out, torch.cat(rows).numpy().astype(np.float32)[: len(paths) // args.passes])

    n = len(paths)
    blas = "BLAS: " + next((part.split("=")[1] for part in torch.__config__.show().replace(",", " ").split()
                            if part.startswith("BLAS_INFO=")), "unknown")
    print("python reference pipeline")
    print(f"  machine : {cores} cores, torch {torch.__version__}, {torch.get_num_threads()} threads, {blas}")
    print(f"  preprocessing: {how}; images: {n}; batch {args.batch_size}")
    print()
    print("| stage                          | images/s |")
    print("|--------------------------------|---------:|")
    print(f"| decode + preprocess (1 thread) | {n / decode_s:8.2f} |")
    print(f"| model only (ready tensors)     | {n / model_s:8.2f} |")
    print(f"| end to end                     | {n / e2e_s:8.2f} |")


if __name__ == "__main__":
    main()
