# Runs the TRL half of every golden recipe (src/store/testing/recipes/*.txt) against an installed TRL: the import, the
# GKDConfig(...) call, and GKDTrainer's keywords, so every emitted keyword is one that TRL itself accepts.
# Run: PYTHON=.cache/venv/bin/python; $PYTHON tools/check_trl_recipes.py   (needs trl + transformers; not in CI)
from __future__ import annotations

import inspect
import re
import sys
import tempfile
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "src/store/testing/recipes"


def trl_part(text: str) -> str:
    i = text.index("# TRL (")
    return text[i:]


def main() -> int:
    import trl

    failures = 0
    files = sorted(GOLDEN.glob("*.txt"))
    if not files:
        print(f"no golden recipes under {GOLDEN}", file=sys.stderr)
        return 1
    out = tempfile.mkdtemp(prefix="gkd-")
    for f in files:
        code = trl_part(f.read_text())
        trainer_line = next(l for l in code.splitlines() if l.startswith("trainer = GKDTrainer("))
        body = "\n".join(l for l in code.splitlines() if not l.startswith("trainer = ")).replace('"<output dir>"', repr(out))
        # this check runs on a CPU machine: SFTConfig (GKDConfig's base) defaults to bf16, which needs a GPU
        body = body.replace("args = GKDConfig(", "args = GKDConfig(use_cpu=True, bf16=False,", 1)
        env: dict = {}
        try:
            exec(compile(body, str(f), "exec"), env)  # noqa: S102 - our own golden files
            args, trainer_cls = env["args"], env["GKDTrainer"]
            want = dict(re.findall(r"^    (beta|lmbda|temperature|seq_kd)=(.+),$", code, re.M))
            got = {k: getattr(args, k) for k in want}
            for k, v in want.items():
                if repr(got[k]) != repr(eval(v)):  # noqa: S307
                    raise AssertionError(f"{k}: GKDConfig holds {got[k]!r}, the recipe says {v}")
            params = inspect.signature(trainer_cls.__init__).parameters
            kws = re.findall(r"(\w+)=", trainer_line)
            missing = [k for k in kws if k not in params]
            if missing:
                raise AssertionError(f"GKDTrainer takes no {missing}")
            print(f"ok   {f.name}: {type(args).__module__}.{type(args).__name__}({', '.join(f'{k}={got[k]!r}' for k in want)}); GKDTrainer({', '.join(kws)})")
        except Exception as e:  # noqa: BLE001 - report every preset
            failures += 1
            print(f"FAIL {f.name}: {type(e).__name__}: {e}")
    print(f"trl {trl.__version__}: {len(files) - failures} of {len(files)} recipes run")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
