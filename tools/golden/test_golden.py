# Tests of the golden mirror (npm run test:py): the committed golden JSON is whole and within tolerance (numpy only),
# and, where PyTorch >= 2 is importable, the mirror's term functions against DESIGN §3 written out in numpy float64.
from __future__ import annotations

import json
import math
import sys
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
GOLDEN = ROOT / "src/model/testing/golden-tiny.json"
TERMS = ("ce", "seq", "kd", "hidden", "affinity", "attention")

sys.path.insert(0, str(HERE))
import mirror  # noqa: E402  (imports without torch; MISSING then says why)


class GoldenFileTest(unittest.TestCase):
    """The committed golden-tiny.json, as the unit suite reads it."""

    @classmethod
    def setUpClass(cls):
        cls.g = json.loads(GOLDEN.read_text())

    def test_every_term_weighted_in_some_variant(self):
        vs = self.g["variants"].values()
        for t in TERMS:
            self.assertTrue(any(v["config"]["weights"][t] > 0 for v in vs), f"no variant trains {t}")
        divs = {v["config"]["kd"]["divergence"] for v in vs}
        self.assertEqual(divs, {"fkl", "rkl", "jsd", "tvd", "sfkl", "srkl", "mse"})
        modes = {v["config"]["kd"]["topKMode"] for v in vs}
        self.assertEqual(modes, {"dense", "renorm", "tail"})
        self.assertTrue(any(v["config"]["kd"]["allPositions"] for v in vs))
        self.assertEqual({v["config"]["hiddenMode"] for v in vs}, {"mse", "cosine"})

    def test_tfjs_at_export_within_tolerance(self):
        for name, v in self.g["variants"].items():
            self.assertEqual(len(v["steps"]), len(v["tfjsAtExport"]), name)
            for a, b in zip(v["steps"], v["tfjsAtExport"]):
                for k in ("total", *TERMS, "gradNorm"):
                    self.assertEqual(a[k] is None, b[k] is None, f"{name} step {a['step']} {k}: measured by one side only")
                    if a[k] is not None:
                        self.assertLess(abs(a[k] - b[k]), 1e-4, f"{name} step {a['step']} {k}")
                        self.assertTrue(math.isfinite(a[k]))

    def test_float32_mirror_tracks_float64(self):
        for name, v in self.g["variants"].items():
            for a, b in zip(v["steps"], v["float32"]):
                self.assertLess(abs(a["total"] - b["total"]), 1e-3, name)


def np_logsoftmax(z):
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def np_kl(a, b):
    return float(np.sum(np.where(a > 0, a * (np.log(np.where(a > 0, a, 1)) - np.log(b)), 0)))


@unittest.skipIf(mirror.MISSING, f"needs PyTorch >= 2: {mirror.MISSING}")
class MirrorTermsTest(unittest.TestCase):
    """The mirror's divergences on random rows against DESIGN §3's probabilities written out in numpy."""

    def setUp(self):
        rng = np.random.default_rng(3)
        self.zs, self.zt = rng.normal(0, 2, (5, 9)), rng.normal(0, 2, (5, 9))  # [R,V]

    def run_rows(self, **kd):
        import torch

        opts = {"T": 2.0, "t2": True, "normLogits": False, "beta": 0.3, "alpha": 0.2, **kd}
        return mirror.dense_rows(torch.tensor(self.zs), torch.tensor(self.zt), opts).numpy()

    def test_dense_divergences(self):
        T, b, a = 2.0, 0.3, 0.2
        for div in ("fkl", "rkl", "jsd", "tvd", "sfkl", "srkl", "mse"):
            got = self.run_rows(divergence=div)
            for r in range(len(self.zs)):
                pt, ps = np.exp(np_logsoftmax(self.zt[r] / T)), np.exp(np_logsoftmax(self.zs[r] / T))
                m = b * pt + (1 - b) * ps
                want = {
                    "fkl": np_kl(pt, ps),
                    "rkl": np_kl(ps, pt),
                    "jsd": b * np_kl(pt, m) + (1 - b) * np_kl(ps, m),
                    "tvd": 0.5 * float(np.abs(pt - ps).sum()),
                    "sfkl": np_kl(pt, a * pt + (1 - a) * ps),
                    "srkl": np_kl(ps, (1 - a) * pt + a * ps),
                }.get(div)
                want = float(np.mean((self.zs[r] - self.zt[r]) ** 2)) if div == "mse" else want * T * T
                self.assertAlmostEqual(got[r], want, places=10, msg=div)

    def test_tail_buckets_sum_to_one(self):
        import torch

        zs, zt = torch.tensor(self.zs), torch.tensor(self.zt)
        tz, ids = torch.topk(zt, 3, -1)
        kd = {"divergence": "tvd", "T": 1, "t2": False, "normLogits": False, "topKMode": "tail"}
        got = mirror.topk_rows(zs, ids, tz, torch.logsumexp(zt, -1), kd).numpy()
        for r in range(len(self.zs)):
            pt, ps = np.exp(np_logsoftmax(self.zt[r])), np.exp(np_logsoftmax(self.zs[r]))
            sel = ids[r].numpy()
            rest = np.setdiff1d(np.arange(len(pt)), sel)
            bt = np.append(pt[sel], pt[rest].sum())
            bs = np.append(ps[sel], ps[rest].sum())
            self.assertAlmostEqual(got[r], 0.5 * float(np.abs(bt - bs).sum()), places=10)


if __name__ == "__main__":
    unittest.main()
