#!/usr/bin/python3
"""Writes a CLIP-shaped TorchScript archive with random weights, for benchmarks.

The architecture follows openai/CLIP model.py (ViT image tower with class token
and ln_pre/ln_post/proj; causal text transformer read at the end token), so
that speed is that of the real model of the same shape. Weights are random:
speed does not depend on them.
"""
import argparse

import torch
from torch import nn

SHAPES = {
    # name: (embed, image res, patch, vision width, vision layers, text width, text layers)
    "ViT-B-32": (512, 224, 32, 768, 12, 512, 12),
    "ViT-B-16": (512, 224, 16, 768, 12, 512, 12),
    "tiny": (64, 224, 32, 128, 2, 128, 2),
}


class Block(nn.Module):
    def __init__(self, width, heads, causal_len=0):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, width * 4), nn.GELU(), nn.Linear(width * 4, width))
        mask = torch.empty(causal_len, causal_len).fill_(float("-inf")).triu_(1) if causal_len else torch.zeros(0, 0)
        self.register_buffer("mask", mask)

    def forward(self, x):
        h = self.ln_1(x)
        if self.mask.numel() > 0:
            x = x + self.attn(h, h, h, need_weights=False, attn_mask=self.mask)[0]
        else:
            x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Clip(nn.Module):
    def __init__(self, embed, res, patch, vw, vl, tw, tl, context=77, vocab=49408):
        super().__init__()
        self.input_resolution = res
        self.context_length = context
        self.conv1 = nn.Conv2d(3, vw, patch, patch, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(vw) * vw ** -0.5)
        self.positional_embedding = nn.Parameter(torch.randn((res // patch) ** 2 + 1, vw) * vw ** -0.5)
        self.ln_pre = nn.LayerNorm(vw)
        self.visual_blocks = nn.Sequential(*[Block(vw, vw // 64) for _ in range(vl)])
        self.ln_post = nn.LayerNorm(vw)
        self.visual_proj = nn.Parameter(torch.randn(vw, embed) * vw ** -0.5)
        self.token_embedding = nn.Embedding(vocab, tw)
        self.text_positional = nn.Parameter(torch.randn(context, tw) * 0.01)
        self.text_blocks = nn.Sequential(*[Block(tw, tw // 64, context) for _ in range(tl)])
        self.ln_final = nn.LayerNorm(tw)
        self.text_projection = nn.Parameter(torch.randn(tw, embed) * tw ** -0.5)

    @torch.jit.export
    def encode_image(self, image: torch.Tensor) -> torch.Tensor:
        x = self.conv1(image).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype).expand(x.shape[0], 1, x.shape[-1])
        x = torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x).permute(1, 0, 2)
        x = self.visual_blocks(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.visual_proj

    @torch.jit.export
    def encode_text(self, text: torch.Tensor) -> torch.Tensor:
        x = self.token_embedding(text) + self.text_positional
        x = self.text_blocks(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection

    def forward(self, image: torch.Tensor, text: torch.Tensor):
        return self.encode_image(image), self.encode_text(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=sorted(SHAPES), default="ViT-B-32")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = Clip(*SHAPES[args.shape]).eval()
    torch.jit.save(torch.jit.script(model), args.out)
    print(f"wrote {args.out} ({args.shape} shape, random weights)")


if __name__ == "__main__":
    main()
