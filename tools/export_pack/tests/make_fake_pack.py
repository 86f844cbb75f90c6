# Writes a pack from the numpy fake teacher (used by the unit suite: src/model/exportedPack.test.ts) and, beside it,
# full_tail.json: the tail mass 1 − Σ_topK p per [sample][answer slot] computed from the fake teacher's full distribution.
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from export_pack import core, runner  # noqa: E402
from export_pack.fake_teacher import FakeTeacher, scene  # noqa: E402

COLORS = ["red", "green", "blue", "white"]


def fake_samples(n: int) -> list[runner.Sample]:
    out = []
    for i in range(n):
        fam = "color" if i % 2 == 0 else "where"
        q = "what color is the square" if fam == "color" else "where is the square"
        a = COLORS[i % 4] if fam == "color" else ("left" if i % 3 else "right")
        out.append(runner.Sample(load_image=lambda i=i: scene(i), question=q, answer=a, family=fam, key=f"scene-{i}"))
    return out


def main(out_dir: str, n: int = 48) -> None:
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    teacher = FakeTeacher()
    samples = fake_samples(n)
    opts = core.Options(topk=8, pool=2, hidden_dim=16, max_prompt=8, max_answer=6, thumb=16)
    pack = d / "fake.safetensors.gz"
    runner.run_export(teacher, samples, pack, opts, val=8, test=4, unlabeled=12, seed=3, chunk=16, license_text="synthetic test data")
    splits = core.assign_splits(n, 8, 4, 12, 3)
    tails = []
    for i, s in enumerate(samples):
        img = s.load_image()
        truth = core.end_with_eos(teacher.tokenize(s.answer), 2, opts.max_answer) if splits[i] != "unlabeled" else None
        kd = truth or core.end_with_eos(teacher.generate(img, s.question, opts.max_answer), 2, opts.max_answer)
        z = teacher.full_logits(img, s.question, kd).astype(np.float64)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        top = np.sort(p, axis=1)[:, ::-1][:, : opts.topk].sum(axis=1)
        tails.append([float(1 - x) for x in top])
    (d / "full_tail.json").write_text(json.dumps(tails))


if __name__ == "__main__":
    main(sys.argv[1], *(int(x) for x in sys.argv[2:3]))
