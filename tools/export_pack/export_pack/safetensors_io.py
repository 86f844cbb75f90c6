# safetensors for the exporter: write with `safetensors.numpy` when installed, else by hand (8-byte little-endian header
# length, JSON header padded with spaces to 8 bytes, raw little-endian tensor bytes); read back for tests and resume.
from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import numpy as np

DTYPES = {np.dtype(np.uint8): "U8", np.dtype(np.int32): "I32", np.dtype(np.float16): "F16", np.dtype(np.float32): "F32"}
NUMPY = {v: k for k, v in DTYPES.items()}


def to_bytes(tensors: dict[str, np.ndarray], metadata: dict[str, str], use_library: bool = True) -> bytes:
    """One safetensors file as bytes. Tensor names sorted; every metadata value must be a string."""
    for k, v in metadata.items():
        if not isinstance(v, str):
            raise TypeError(f"metadata {k!r}: a string (got {type(v).__name__})")
    arrays = {}
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        if a.dtype not in DTYPES:
            raise TypeError(f"tensor {name!r}: dtype one of U8 I32 F16 F32 (got {a.dtype})")
        arrays[name] = a.astype(a.dtype.newbyteorder("<"), copy=False)
    if use_library:
        try:
            from safetensors.numpy import save  # type: ignore[import-not-found]

            return save(arrays, metadata=metadata)
        except ImportError:
            pass
    header: dict[str, object] = {"__metadata__": metadata}
    offset = 0
    for name in sorted(arrays):
        a = arrays[name]
        header[name] = {"dtype": DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    h += b" " * (-len(h) % 8)
    return b"".join([struct.pack("<Q", len(h)), h] + [arrays[n].tobytes() for n in sorted(arrays)])


def write(path: str | Path, tensors: dict[str, np.ndarray], metadata: dict[str, str], use_library: bool = True) -> int:
    """Write a pack; gzip when the name ends in .gz. Written to a temporary name, then renamed. Returns bytes written."""
    path = Path(path)
    data = to_bytes(tensors, metadata, use_library)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=6, mtime=0)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return len(data)


def read(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Read a (possibly gzipped, detected by magic bytes) safetensors file → (tensors, metadata)."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(raw[base + b : base + end], dtype=NUMPY[e["dtype"]].newbyteorder("<")).reshape(e["shape"])
    return out, meta
