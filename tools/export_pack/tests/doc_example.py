# Runs the "complete example" of docs/pack-format.md exactly as written (its ```python blocks, in order, in one
# namespace) in a folder: test_doc_example.py and scripts/docExample.test.ts both run it, so the documented code is tested.
from __future__ import annotations

import importlib.util
import os
import re
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "pack-format.md"
SECTION = "## A complete example in Python"
# What the example writes: the dense pack, its gzip, and the top-K variant of the second block.
OUTPUTS = ("pack.safetensors", "pack.safetensors.gz", "pack-topk.safetensors")


def example_blocks(doc: Path = DOC) -> list[str]:
    """The ```python blocks of the doc's complete-example section (up to the next `## ` heading), in order."""
    text = doc.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    section = text[start : end if end >= 0 else len(text)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def _safetensors_shim() -> None:
    """Without the `safetensors` package, `safetensors.numpy.save_file` is the exporter's hand-written writer."""
    if importlib.util.find_spec("safetensors") is not None:
        return
    sys.path.insert(0, str(ROOT / "tools" / "export_pack"))
    from export_pack import safetensors_io  # noqa: PLC0415

    def save_file(tensors, filename, metadata=None):
        safetensors_io.write(filename, tensors, metadata or {}, use_library=False)

    pkg = types.ModuleType("safetensors")
    sub = types.ModuleType("safetensors.numpy")
    sub.save_file = save_file  # type: ignore[attr-defined]
    pkg.numpy = sub  # type: ignore[attr-defined]
    sys.modules["safetensors"] = pkg
    sys.modules["safetensors.numpy"] = sub


def run(out_dir: str | Path) -> list[Path]:
    """Run the example's blocks with `out_dir` as the working directory; returns the files it wrote."""
    _safetensors_shim()
    blocks = example_blocks()
    if len(blocks) < 2:
        raise AssertionError(f"{DOC}: expected the dense and the top-K example blocks under {SECTION!r}, found {len(blocks)}")
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    cwd = os.getcwd()
    os.chdir(out)
    try:
        ns: dict[str, object] = {"__name__": "doc_example"}
        for i, code in enumerate(blocks):
            exec(compile(code, f"{DOC.name} python block {i + 1}", "exec"), ns)  # noqa: S102 (the doc's own code)
    finally:
        os.chdir(cwd)
    return [out / name for name in OUTPUTS]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 tools/export_pack/tests/doc_example.py OUT_DIR")
    for path in run(sys.argv[1]):
        print(path)
