# Runs a teacher over a sample list and writes the pack: per-chunk records saved as it goes under OUT.parts/ (resumed on
# a rerun with the same settings), progress on stderr, then the compacted pack (export_pack.core.assemble).
from __future__ import annotations

import hashlib
import json
import pickle
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from . import core, safetensors_io


@dataclass
class Sample:
    load_image: Callable[[], np.ndarray]  # → U8 [H, W, 3]
    question: str
    answer: str | None  # ground truth (None: unlabeled data)
    family: str
    key: str  # a stable id of the sample (its record id or image path), part of the resume fingerprint


def read_llava_json(path: str | Path, image_root: str | Path, family_key: str = "family",
                    loader: Callable[[Path], np.ndarray] | None = None) -> list[Sample]:
    """LLaVA-format conversations: [{"id", "image", "conversations": [{"from": "human", "value": "<image>\\nQ"},
    {"from": "gpt", "value": "A"}, …]}]. The first human/gpt pair is used; "<image>" is removed from the question."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(rows, list):
        raise ValueError(f"{path}: a JSON array of records")
    root = Path(image_root)
    out = []
    for i, r in enumerate(rows):
        conv = r.get("conversations") or []
        q = next((c["value"] for c in conv if c.get("from") == "human"), None)
        a = next((c["value"] for c in conv if c.get("from") == "gpt"), None)
        if q is None or "image" not in r:
            raise ValueError(f"{path}: record {i}: an \"image\" and a human turn in \"conversations\"")
        q = q.replace("<image>", "").strip()
        img_path = root / r["image"]
        out.append(Sample(load_image=(lambda p=img_path: (loader or load_rgb)(p)), question=q, answer=a,
                          family=str(r.get(family_key, "all")), key=str(r.get("id", r["image"]))))
    return out


def load_rgb(path: Path) -> np.ndarray:
    from PIL import Image  # only the real-data path needs Pillow

    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.uint8)


def fingerprint(samples: Sequence[Sample], splits: Sequence[str], opts: core.Options, teacher_name: str) -> str:
    h = hashlib.sha256(json.dumps({"opts": asdict(opts), "teacher": teacher_name, "splits": list(splits),
                                   "keys": [s.key for s in samples]}).encode())
    return h.hexdigest()[:16]


def run_export(teacher: core.Teacher, samples: Sequence[Sample], out: str | Path, opts: core.Options, *, val: int, test: int,
               unlabeled: int, seed: int = 0, chunk: int = 32, license_text: str = "see the source data's license",
               extra: dict[str, str] | None = None, keep_parts: bool = False, log=sys.stderr) -> dict[str, object]:
    """Export `samples` through `teacher` into the pack `out`; resumable (OUT.parts/ holds finished chunks until the pack is
    written; kept with keep_parts). Returns {bytes, samples, computed, seconds, vocab}."""
    out = Path(out)
    parts = out.with_name(out.name + ".parts")
    parts.mkdir(parents=True, exist_ok=True)
    splits = core.assign_splits(len(samples), val, test, unlabeled, seed)
    fp = fingerprint(samples, splits, opts, teacher.name)
    manifest = parts / "manifest.json"
    if manifest.exists():
        old = json.loads(manifest.read_text())
        if old.get("fingerprint") != fp:
            raise ValueError(f"{parts}: holds a different export (settings, samples or teacher changed); delete it or use another --out")
    manifest.write_text(json.dumps({"fingerprint": fp, "samples": len(samples), "chunk": chunk}))
    probe = teacher.score(samples[0].load_image(), samples[0].question, [teacher.special["eos"]])
    d_model = np.asarray(probe.hidden).shape[1]
    proj = core.hidden_projection(d_model, opts.hidden_dim)
    t0 = time.time()
    done = 0
    shown = 0.0
    records: list[dict] = []
    for c0 in range(0, len(samples), chunk):
        f = parts / f"chunk_{c0 // chunk:05d}.pkl"
        if f.exists():
            with f.open("rb") as fh:
                recs = pickle.load(fh)
        else:
            recs = []
            for i in range(c0, min(c0 + chunk, len(samples))):
                s = samples[i]
                recs.append(core.process_sample(teacher, opts, s.load_image(), s.question, s.answer, splits[i], proj))
                done += 1
                now = time.time()
                if now - shown >= 1.0 or i + 1 == len(samples):
                    shown = now
                    rate = done / max(now - t0, 1e-9)
                    left = len(samples) - i - 1
                    print(f"\r[{i + 1}/{len(samples)}] {rate:.2f} samples/s, about {left / rate:.0f} s left", end="", file=log, flush=True)
            tmp = f.with_suffix(".tmp")
            with tmp.open("wb") as fh:
                pickle.dump(recs, fh, protocol=4)
            tmp.replace(f)
        records.extend(recs)
    if done:
        print(file=log)
    tensors, meta = core.assemble(records, splits, [s.family for s in samples], teacher, opts, license_text,
                                  core.hidden_method(d_model, opts.hidden_dim), extra)
    n = safetensors_io.write(out, tensors, meta)
    if not keep_parts:
        for f in parts.iterdir():
            f.unlink()
        parts.rmdir()
    seconds = time.time() - t0
    print(f"wrote {out}: {n} bytes, {len(samples)} samples ({done} computed now), vocabulary {len(json.loads(meta['vocab']))}",
          file=log)
    return {"bytes": n, "samples": len(samples), "computed": done, "seconds": seconds, "vocab": len(json.loads(meta["vocab"]))}
