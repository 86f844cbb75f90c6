# The complete example of docs/pack-format.md as a test: its Python runs as written (doc_example.py), writes valid
# safetensors, and pack:inspect (the lab's own checks: parsePack + checkPackBuildable) accepts every file it writes.
from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import doc_example  # noqa: E402
from export_pack import safetensors_io  # noqa: E402

TSX = doc_example.ROOT / "node_modules" / "tsx"


class DocExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="doc-example-")
        cls.files = doc_example.run(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_doc_has_the_dense_and_topk_blocks(self):
        self.assertGreaterEqual(len(doc_example.example_blocks()), 2)

    def test_it_writes_safetensors_of_the_pack_dtypes(self):
        for path in self.files:
            self.assertTrue(path.is_file(), f"{path.name} written")
            tensors, meta = safetensors_io.read(path)
            self.assertEqual(meta["format"], "llavadi-lab-pack")
            self.assertTrue(all(isinstance(v, str) for v in meta.values()))
            for name, a in tensors.items():
                self.assertIn(a.dtype, safetensors_io.DTYPES, name)
            self.assertTrue(any(n.startswith("encoder.") for n in tensors))
            self.assertTrue(any(n.startswith("teacher.") for n in tensors))
        dense, gz, topk = self.files
        self.assertEqual(gzip.decompress(gz.read_bytes()), dense.read_bytes())
        t, _ = safetensors_io.read(topk)
        self.assertNotIn("teacher_logits", t)
        self.assertTrue(np.all(np.diff(t["teacher_topk_logits"].astype(np.float32), axis=-1) <= 0))

    @unittest.skipUnless(shutil.which("node") and TSX.is_dir(), "pack:inspect needs node and node_modules (npm ci)")
    def test_pack_inspect_accepts_every_file(self):
        for path in self.files:
            r = subprocess.run(
                ["node", "--import", "tsx", "scripts/packInspect.ts", str(path)],
                cwd=doc_example.ROOT, capture_output=True, text=True, timeout=120,
            )
            self.assertEqual(r.returncode, 0, f"pack:inspect {path.name}: {r.stderr}")
            summary = json.loads(r.stdout)
            self.assertEqual(summary["format"], "llavadi-lab-pack")
            if path.name == "pack.safetensors.gz":  # the output the doc shows under "Checking a pack"
                shown = documented_summary()
                self.assertEqual({k: v for k, v in summary.items() if k != "tensors"}, {k: v for k, v in shown.items() if k != "tensors"})
                for name, info in shown["tensors"].items():
                    self.assertEqual(summary["tensors"][name], info)


def documented_summary() -> dict:
    """The ```json block of the doc's "Checking a pack" section, its `...` line dropped."""
    text = doc_example.DOC.read_text(encoding="utf-8")
    section = text[text.index("## Checking a pack") :]
    block = re.search(r"```json\n(.*?)```", section, flags=re.S).group(1)
    return json.loads(re.sub(r",\n\s*\.\.\.\n", "\n", block))


if __name__ == "__main__":
    unittest.main()
