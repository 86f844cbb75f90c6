# Tests of the exporter without torch (npm run test:py runs every test under tools/): the hand-written
# safetensors layout, pooling, top-K/lse, splits, vocabulary compaction and top-K re-indexing against the fake teacher, resume.
from __future__ import annotations

import json
import struct
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from export_pack import core, runner, safetensors_io  # noqa: E402
from export_pack.fake_teacher import FakeTeacher, scene  # noqa: E402
from make_fake_pack import fake_samples  # noqa: E402

OPTS = core.Options(topk=8, pool=2, hidden_dim=16, max_prompt=8, max_answer=6, thumb=16)


class SafetensorsTest(unittest.TestCase):
    def test_hand_written_layout(self):
        t = {"b": np.arange(6, dtype=np.int32).reshape(2, 3), "a": np.array([1.5, -2], np.float16), "c": np.zeros(3, np.uint8)}
        raw = safetensors_io.to_bytes(t, {"k": "v"}, use_library=False)
        (n,) = struct.unpack("<Q", raw[:8])
        self.assertEqual(n % 8, 0)
        header = json.loads(raw[8 : 8 + n])
        self.assertEqual(header["__metadata__"], {"k": "v"})
        self.assertEqual(header["a"], {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]})
        self.assertEqual(header["b"], {"dtype": "I32", "shape": [2, 3], "data_offsets": [4, 28]})
        self.assertEqual(len(raw), 8 + n + 31)
        with tempfile.TemporaryDirectory() as d:
            for name in ("x.safetensors", "x.safetensors.gz"):
                safetensors_io.write(Path(d) / name, t, {"k": "v"}, use_library=False)
                back, meta = safetensors_io.read(Path(d) / name)
                self.assertEqual(meta, {"k": "v"})
                for k, v in t.items():
                    np.testing.assert_array_equal(back[k], v)

    def test_rejects_other_dtypes_and_non_string_metadata(self):
        with self.assertRaises(TypeError):
            safetensors_io.to_bytes({"x": np.zeros(2, np.float64)}, {}, use_library=False)
        with self.assertRaises(TypeError):
            safetensors_io.to_bytes({}, {"k": 1}, use_library=False)  # type: ignore[dict-item]


class CoreTest(unittest.TestCase):
    def test_pool_grid_and_attention(self):
        x = np.arange(4 * 4 * 2, dtype=np.float32).reshape(16, 2)  # 4×4 grid, D 2
        p = core.pool_grid(x, (4, 4), 2)
        self.assertEqual(p.shape, (4, 2))
        np.testing.assert_allclose(p[0], x[[0, 1, 4, 5]].mean(axis=0))
        np.testing.assert_allclose(p[3], x[[10, 11, 14, 15]].mean(axis=0))
        a = np.random.default_rng(0).random((3, 16))
        pa = core.pool_attention(a, (4, 4), 2)
        np.testing.assert_allclose(pa.sum(axis=1), a.sum(axis=1))
        np.testing.assert_allclose(pa[:, 1], a[:, [2, 3, 6, 7]].sum(axis=1))
        with self.assertRaises(ValueError):
            core.pool_grid(x, (4, 4), 3)

    def test_topk_lse(self):
        z = np.array([[1.0, 3.0, 2.0, 3.0, -1.0]])
        ids, top, lse = core.topk_lse(z, 3)
        self.assertEqual(ids.tolist(), [[1, 3, 2]])  # ties by lower id
        self.assertEqual(top.tolist(), [[3.0, 3.0, 2.0]])
        self.assertAlmostEqual(float(lse[0]), float(np.log(np.exp(z).sum())), places=12)

    def test_splits(self):
        s = core.assign_splits(20, 3, 2, 5, seed=1)
        self.assertEqual([s.count(k) for k in ("val", "test", "unlabeled", "labeled")], [3, 2, 5, 10])
        self.assertEqual(s, core.assign_splits(20, 3, 2, 5, seed=1))
        with self.assertRaises(ValueError):
            core.assign_splits(5, 3, 2, 0, seed=1)

    def test_hidden_projection_is_fixed(self):
        r1, r2 = core.hidden_projection(64, 16), core.hidden_projection(64, 16)
        np.testing.assert_array_equal(r1, r2)
        self.assertIsNone(core.hidden_projection(16, 16))
        self.assertIn("default_rng(0)", core.hidden_method(64, 16))


class PackTest(unittest.TestCase):
    """One export from the fake teacher, checked against the teacher's full distributions."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.teacher = FakeTeacher()
        cls.samples = fake_samples(40)
        cls.out = Path(cls.dir.name) / "fake.safetensors"
        cls.info = runner.run_export(cls.teacher, cls.samples, cls.out, OPTS, val=8, test=4, unlabeled=10, seed=3, chunk=16,
                                     log=open("/dev/null", "w"))
        cls.t, cls.meta = safetensors_io.read(cls.out)
        cls.splits = core.assign_splits(40, 8, 4, 10, 3)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_metadata(self):
        m = self.meta
        self.assertEqual(m["version"], "2")
        self.assertNotIn("encoder", m)
        feats = json.loads(m["features"])
        self.assertEqual((feats["P"], feats["dV"], feats["pooling"]), (16, 16, "avg 2x2 of 8x8"))
        self.assertEqual(self.t["image_features"].shape, (40, 16, 16))
        self.assertEqual(json.loads(m["teacher"])["config"], None)
        self.assertEqual(json.loads(m["targets"]), {"kind": "topk", "k": 8, "positions": "answer"})
        self.assertFalse(any(k.startswith(("teacher.", "encoder.")) for k in self.t))

    def test_vocabulary_compaction(self):
        vocab = json.loads(self.meta["vocab"])
        src = json.loads(self.meta["vocab_source"])
        ids = src["ids"]
        self.assertEqual(vocab[:4], ["<pad>", "<bos>", "<eos>", "<unk>"])
        self.assertEqual(ids[:4], [-1, 1, 2, 0])  # the fake tokenizer has no pad
        self.assertEqual(len(ids), len(vocab))
        self.assertEqual(len(set(vocab)), len(vocab))
        self.assertEqual(src["size"], self.teacher.vocab_size)
        self.assertLess(len(vocab), self.teacher.vocab_size)
        for i in range(4, len(vocab)):
            self.assertEqual(vocab[i], self.teacher.token(ids[i]))
        # Every original id the samples use is in the vocabulary: prompts decode back to the teacher's tokens.
        for n, s in enumerate(self.samples):
            want = self.teacher.tokenize(s.question)[: OPTS.max_prompt]
            got = [ids[c] for c in self.t["prompt_ids"][n] if c != 0]
            self.assertEqual(got, want)

    def test_answers_and_kd_ids(self):
        ids = json.loads(self.meta["vocab_source"])["ids"]
        for n, s in enumerate(self.samples):
            kd = [ids[c] for c in self.t["kd_ids"][n] if c != 0]
            ans = [ids[c] for c in self.t["answer_ids"][n] if c != 0]
            self.assertEqual(kd[-1], 2)  # ends with <eos>
            if self.splits[n] == "unlabeled":
                self.assertEqual(ans, [])
                self.assertEqual(self.t["kd_ids"][n].tolist(), self.t["teacher_answer_ids"][n].tolist())
            else:
                self.assertEqual(kd, ans)
                self.assertEqual(ans, core.end_with_eos(self.teacher.tokenize(s.answer), 2, OPTS.max_answer))

    def test_topk_reindexing_and_tail_against_the_full_distribution(self):
        ids = np.array(json.loads(self.meta["vocab_source"])["ids"])
        worst = 0.0
        for n, s in enumerate(self.samples):
            kd = [int(ids[c]) for c in self.t["kd_ids"][n] if c != 0]
            z = self.teacher.full_logits(s.load_image(), s.question, kd)  # [A', V]
            for a in range(len(kd)):
                top_orig = ids[self.t["teacher_topk_ids"][n, a]]
                want = np.argsort(-z[a], kind="stable")[: OPTS.topk]
                self.assertEqual(top_orig.tolist(), want.tolist())
                np.testing.assert_array_equal(self.t["teacher_topk_logits"][n, a].astype(np.float64), z[a, want])
                lse = float(np.log(np.exp(z[a] - z[a].max()).sum()) + z[a].max())
                self.assertAlmostEqual(float(self.t["teacher_lse"][n, a]), lse, places=4)
                tail_pack = 1 - np.exp(self.t["teacher_topk_logits"][n, a].astype(np.float64) - float(self.t["teacher_lse"][n, a])).sum()
                p = np.exp(z[a] - lse)
                tail_full = 1 - np.sort(p)[::-1][: OPTS.topk].sum()
                worst = max(worst, abs(tail_pack - tail_full))
            self.assertTrue(np.all(self.t["teacher_topk_ids"][n, len(kd):] == 0))
        self.assertLess(worst, 1e-4)

    def test_affinity_attention_hidden_shapes(self):
        self.assertEqual(self.t["teacher_affinity"].shape, (40, 16, 6))
        self.assertEqual(self.t["teacher_attention"].shape, (40, 6, 16))
        self.assertEqual(self.t["teacher_hidden"].shape, (40, 6, 16))
        self.assertEqual(json.loads(self.meta["hidden"])["d"], 16)
        self.assertTrue(np.all(np.abs(self.t["teacher_affinity"].astype(np.float32)) <= 1.001))
        att = self.t["teacher_attention"].astype(np.float32).sum(axis=2)
        used = self.t["kd_ids"] != 0
        np.testing.assert_allclose(att[used], 0.5, atol=2e-3)  # the fake teacher puts half its mass on image tokens

    def test_resume_gives_the_same_pack(self):
        out = Path(self.dir.name) / "resume.safetensors"
        log = open("/dev/null", "w")
        first = runner.run_export(self.teacher, self.samples, out, OPTS, val=8, test=4, unlabeled=10, seed=3, chunk=16, keep_parts=True, log=log)
        again = runner.run_export(self.teacher, self.samples, out, OPTS, val=8, test=4, unlabeled=10, seed=3, chunk=16, keep_parts=True, log=log)
        self.assertEqual((first["computed"], again["computed"]), (40, 0))
        self.assertEqual(out.read_bytes(), self.out.read_bytes())
        (out.with_name(out.name + ".parts") / "chunk_00001.pkl").unlink()  # a crash mid-run: one chunk missing
        third = runner.run_export(self.teacher, self.samples, out, OPTS, val=8, test=4, unlabeled=10, seed=3, chunk=16, keep_parts=True, log=log)
        self.assertEqual(third["computed"], 16)
        self.assertEqual(out.read_bytes(), self.out.read_bytes())
        with self.assertRaises(ValueError):
            runner.run_export(self.teacher, self.samples, out, core.Options(topk=4), val=8, test=4, unlabeled=10, seed=3, log=log)


class LlavaJsonTest(unittest.TestCase):
    def test_reads_conversations(self):
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "data.json"
            f.write_text(json.dumps([{"id": "x1", "image": "a.png", "family": "count",
                                      "conversations": [{"from": "human", "value": "<image>\nHow many?"}, {"from": "gpt", "value": "Two."}]}]))
            s = runner.read_llava_json(f, d, loader=lambda p: scene(0))
            self.assertEqual((s[0].question, s[0].answer, s[0].family, s[0].key), ("How many?", "Two.", "count", "x1"))
            self.assertEqual(s[0].load_image().shape, (32, 32, 3))


if __name__ == "__main__":
    unittest.main()
