# Shared pieces of the PyTorch mirrors (tools/golden/mirror.py, tools/peer/peer_step.py): an independent safetensors
# reader, the lr schedule of src/core/config/config.ts lrAt, the exact LayerNorm / GELU and the LM blocks of src/model/layers.ts.
import json
import math
import struct

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    """Independent reader: 8-byte LE header length, JSON header, raw LE data. Returns (metadata, {name: ndarray})."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    kinds = {"F32": "<f4", "I32": "<i4", "U8": "u1", "F16": "<f2"}
    base = 8 + n
    out = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(raw[base + a : base + b], dtype=kinds[h["dtype"]]).reshape(h["shape"]).copy()
    return meta, out


def lr_at(o, s):
    """src/core/config/config.ts lrAt: linear warmup, then cosine to minLrFrac·lr."""
    if o["warmupSteps"] > 0 and s < o["warmupSteps"]:
        return o["lr"] * (s + 1) / o["warmupSteps"]
    span = max(1, o["totalSteps"] - o["warmupSteps"])
    t = min(1.0, max(0.0, (s - o["warmupSteps"]) / span))
    floor = o["minLrFrac"] * o["lr"]
    return floor + 0.5 * (o["lr"] - floor) * (1 + math.cos(math.pi * t))


def layer_norm(x, g, b):
    return F.layer_norm(x, (x.shape[-1],), g, b, eps=1e-5)


def gelu(x):
    return F.gelu(x)  # exact: x·Φ(x) with erf (approximate='none'), as layers.ts gelu


def lm_blocks(p, m, x, blocked):
    """The LM's pre-LN blocks (src/model/layers.ts block): x [B,L,d], blocked [B,1,L,L] → (x, last layer's probs)."""
    B, L, d = x.shape
    H = m["heads"]
    dh = d // H
    heads = lambda t: t.reshape(B, L, H, dh).transpose(1, 2)  # [B,H,L,dh]
    probs = None
    for i in range(m["layers"]):
        q_ = f"lm.blocks.{i}."
        a = layer_norm(x, p[q_ + "ln1.g"], p[q_ + "ln1.b"])
        q = heads(a @ p[q_ + "attn.wq"] + p[q_ + "attn.bq"])
        k = heads(a @ p[q_ + "attn.wk"] + p[q_ + "attn.bk"])
        v = heads(a @ p[q_ + "attn.wv"] + p[q_ + "attn.bv"])
        s = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
        probs = torch.softmax(s.masked_fill(blocked, float("-inf")), dim=-1)
        ctx = (probs @ v).transpose(1, 2).reshape(B, L, d)
        x = x + ctx @ p[q_ + "attn.wo"] + p[q_ + "attn.bo"]
        h = layer_norm(x, p[q_ + "ln2.g"], p[q_ + "ln2.b"])
        x = x + gelu(h @ p[q_ + "mlp.fc1.w"] + p[q_ + "mlp.fc1.b"]) @ p[q_ + "mlp.fc2.w"] + p[q_ + "mlp.fc2.b"]
    return x, probs
