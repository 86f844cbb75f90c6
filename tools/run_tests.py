# The one Python test entry (npm run test:py): every test_*.py under tools/, each folder discovered as its own top
# level (the folders are not packages). Tests that need PyTorch skip themselves where it is not importable.
from __future__ import annotations

import sys
import unittest
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
SKIP = {"__pycache__", "node_modules", ".venv", "fixtures"}


def test_dirs() -> list[Path]:
    """Folders under tools/ holding test_*.py files, sorted; a file name may appear once in the whole tree."""
    files = sorted(p for p in TOOLS.rglob("test_*.py") if not SKIP & set(p.relative_to(TOOLS).parts))
    seen: dict[str, Path] = {}
    for f in files:
        if f.name in seen:
            sys.exit(f"run_tests: {f} and {seen[f.name]} share a module name; rename one")
        seen[f.name] = f
    return sorted({f.parent for f in files})


def main() -> int:
    suite = unittest.TestSuite()
    for d in test_dirs():
        suite.addTests(unittest.defaultTestLoader.discover(str(d), pattern="test_*.py", top_level_dir=str(d)))
    print(f"run_tests: {suite.countTestCases()} tests in {', '.join(str(d.relative_to(TOOLS.parent)) for d in test_dirs())}")
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
