# Shared pieces of the PyTorch mirrors (scripts/golden/mirror.py, bench/peer/peer_step.py): an independent safetensors
# reader, the lr schedule of src/core/config.ts lrAt, and the exact LayerNorm / GELU of src/model/layers.ts.
import json
import math
import struct

import numpy as np
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
    """src/core/config.ts lrAt: linear warmup, then cosine to minLrFrac·lr."""
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
