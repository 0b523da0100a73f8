#!/usr/bin/env python3
"""Exports an open_clip model as a TorchScript archive the workbench can load.

    python3 scripts/export_open_clip.py ViT-B-32 --pretrained laion2b_s34b_b79k --out models/vit-b-32-laion

writes into --out:
  <name>.pt    TorchScript archive with encode_image(float[N,3,H,W]) and
               encode_text(int64[N,L]) exported (traced, float32, CPU)
  <name>.json  the sidecar: the model's real input size, mean/std, context length
  bpe_simple_vocab_16e6.txt.gz  CLIP's merges file, copied from open_clip

Needs open_clip (pip install open_clip_torch); it does not run inside the
workbench. The workbench's LibTorch may be older than the PyTorch running this
script (Debian 12: LibTorch 1.13), so the trace avoids operators newer
LibTorch builds do not know: scaled_dot_product_attention (PyTorch 2.0) is
replaced by its plain-math definition while tracing, and nn.MultiheadAttention's
fused fast path is disabled. See docs/models.md.
"""

import argparse
import json
import math
import os
import shutil
import sys
import zipfile

import torch
import torch.nn.functional as F


def math_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, **kwargs):
    """scaled_dot_product_attention spelt with matmul and softmax (eval: no dropout)."""
    if kwargs.get("enable_gqa"):
        raise SystemExit("grouped-query attention is not supported by this exporter")
    l, s = query.size(-2), key.size(-2)
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * scale
    if is_causal:
        causal = torch.ones(l, s, dtype=torch.bool, device=query.device).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    return scores.softmax(dim=-1) @ value


class ClipTowers(torch.nn.Module):
    """The two methods the workbench calls, nothing else."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def encode_image(self, image):
        return self.model.encode_image(image)

    def encode_text(self, text):
        return self.model.encode_text(text)


def find_transform(preprocess, kind):
    for t in getattr(preprocess, "transforms", []):
        if type(t).__name__ == kind:
            return t
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="open_clip model name, e.g. ViT-B-32 (open_clip.list_models())")
    parser.add_argument("--pretrained", required=True, help="open_clip pretrained tag or checkpoint path")
    parser.add_argument("--out", required=True, help="folder to write the archive, sidecar and merges into")
    parser.add_argument("--name", help="archive stem and model name (default: <model>-<pretrained>)")
    args = parser.parse_args()

    import open_clip
    from open_clip import tokenizer as oc_tokenizer

    name = args.name or f"{args.model}-{os.path.basename(args.pretrained)}".replace("/", "-")
    os.makedirs(args.out, exist_ok=True)
    model, _, preprocess = open_clip.create_model_and_transforms(args.model, pretrained=args.pretrained, device="cpu")
    model = model.float().eval()
    tokenize = open_clip.get_tokenizer(args.model)
    # Older open_clip returns its tokenize() function, newer a SimpleTokenizer;
    # anything else (Hugging Face tokenizers) is not CLIP's BPE.
    if not (isinstance(tokenize, oc_tokenizer.SimpleTokenizer) or tokenize is getattr(oc_tokenizer, "tokenize", None)):
        raise SystemExit(f"{args.model} does not use CLIP's BPE tokenizer; the workbench only supports clip-bpe")

    normalize = find_transform(preprocess, "Normalize")
    resize = find_transform(preprocess, "Resize")
    if normalize is None or resize is None or find_transform(preprocess, "CenterCrop") is None:
        raise SystemExit(f"{args.model}: preprocessing is not Resize + CenterCrop + Normalize: {preprocess}")
    if not isinstance(resize.size, int) and len(resize.size) != 1:
        print(f"warning: {args.model} resizes to {resize.size} (not the shorter side); the workbench resizes the "
              "shorter side and centre-crops, as OpenAI's CLIP does", file=sys.stderr)
    image_size = model.visual.image_size
    resolution = image_size if isinstance(image_size, int) else image_size[0]
    if not isinstance(image_size, int) and image_size[0] != image_size[1]:
        raise SystemExit(f"{args.model} takes non-square images {image_size}; the workbench needs square inputs")

    image = torch.randn(2, 3, resolution, resolution)
    text = tokenize(["a photo of a cat", "a diagram"])
    context_length = int(text.shape[1])
    with torch.no_grad():
        expected_image = model.encode_image(image)
        expected_text = model.encode_text(text)

    if hasattr(torch.backends, "mha") and hasattr(torch.backends.mha, "set_fastpath_enabled"):
        torch.backends.mha.set_fastpath_enabled(False)
    original_sdpa = getattr(F, "scaled_dot_product_attention", None)
    if original_sdpa is not None:
        F.scaled_dot_product_attention = math_attention
    try:
        # Traced with gradients enabled: MultiheadAttention's fused fast path
        # (also unknown to older LibTorch) only runs without them.
        traced = torch.jit.trace_module(ClipTowers(model), {"encode_image": image, "encode_text": text},
                                        check_trace=False)
    finally:
        if original_sdpa is not None:
            F.scaled_dot_product_attention = original_sdpa

    archive = os.path.join(args.out, name + ".pt")
    torch.jit.save(traced, archive)
    with zipfile.ZipFile(archive) as z:
        code = b"".join(z.read(n) for n in z.namelist() if "/code/" in n)
    for op in (b"scaled_dot_product_attention", b"_native_multi_head_attention"):
        if op in code:
            raise SystemExit(f"{archive} still calls {op.decode()}; LibTorch 1.13 cannot load it (see docs/models.md)")

    loaded = torch.jit.load(archive)
    with torch.no_grad():
        for got, want, what in ((loaded.encode_image(image[:1]), expected_image[:1], "encode_image"),
                                (loaded.encode_text(text), expected_text, "encode_text")):
            diff = (got - want).abs().max().item()
            if diff > 1e-3:
                raise SystemExit(f"{what} of the exported archive differs from open_clip by {diff}")

    merges = oc_tokenizer.default_bpe()
    shutil.copy(merges, os.path.join(args.out, os.path.basename(merges)))
    sidecar = {
        "name": name,
        "input_resolution": int(resolution),
        "mean": [float(v) for v in normalize.mean],
        "std": [float(v) for v in normalize.std],
        "context_length": context_length,
        "tokenizer": "clip-bpe",
        "merges": os.path.basename(merges),
        "embedding_dim": int(expected_image.shape[1]),
        "exported_with": {"torch": torch.__version__, "open_clip": open_clip.__version__,
                          "model": args.model, "pretrained": args.pretrained},
    }
    with open(os.path.join(args.out, name + ".json"), "w") as f:
        json.dump(sidecar, f, indent=2)
    print(f"wrote {archive} and {name}.json; check it with: xbt info --model {args.out}")


if __name__ == "__main__":
    main()
