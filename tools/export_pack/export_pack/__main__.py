# CLI: `python -m export_pack --model DIR --data FILE --image-root DIR --out PACK [...]` (run from tools/export_pack, or
# with it on PYTHONPATH): a LLaVADI Lab pack, version 2, from a local Hugging Face LlavaForConditionalGeneration.
from __future__ import annotations

import argparse
import json
import sys

from . import core, runner


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m export_pack", description=__doc__ or "Export a LLaVADI Lab features pack (version 2).")
    p.add_argument("--model", required=True, help="local folder of a LlavaForConditionalGeneration + its processor (no hub access)")
    p.add_argument("--data", required=True, help="LLaVA-format conversation JSON: [{id, image, conversations: [human, gpt, …]}]")
    p.add_argument("--image-root", required=True, help="folder the records' \"image\" paths are relative to")
    p.add_argument("--out", required=True, help="the pack to write (.safetensors or .safetensors.gz)")
    p.add_argument("--topk", type=int, default=32, help="K top-K targets per answer slot (default 32)")
    p.add_argument("--pool", type=int, default=4, help="average-pool the patch grid in POOL×POOL windows (default 4: 24×24 → 6×6)")
    p.add_argument("--hidden-dim", type=int, default=256, help="width of teacher_hidden after the fixed random projection (default 256)")
    p.add_argument("--max-samples", type=int, default=None, help="use the first N records only")
    p.add_argument("--max-prompt", type=int, default=32, help="question tokens kept, Lp (default 32)")
    p.add_argument("--max-answer", type=int, default=16, help="answer slots incl. <eos>, A (default 16)")
    p.add_argument("--val", type=int, default=None, help="val samples (default: 10%% of N, at most 500)")
    p.add_argument("--test", type=int, default=None, help="test samples (default: 10%% of N, at most 500)")
    p.add_argument("--unlabeled", type=int, default=0, help="training samples whose ground truth is dropped (the teacher answers them)")
    p.add_argument("--family-key", default="family", help="record field naming the question family (default \"family\"; absent → \"all\")")
    p.add_argument("--thumb", type=int, default=64, help="thumbnail side in pixels (0: no thumbnails)")
    p.add_argument("--no-attention", action="store_true", help="skip teacher_attention (attentions need the slower eager attention)")
    p.add_argument("--seed", type=int, default=0, help="split assignment seed")
    p.add_argument("--chunk", type=int, default=32, help="samples per resume chunk (OUT.parts/)")
    p.add_argument("--keep-parts", action="store_true", help="keep OUT.parts/ after the pack is written")
    p.add_argument("--device", default=None, help="torch device (default cuda when available)")
    p.add_argument("--dtype", default="auto", choices=["auto", "float16", "bfloat16", "float32"])
    p.add_argument("--license", default="see the source data's and the model's licenses", help="metadata.license text")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    a = parse(sys.argv[1:] if argv is None else argv)
    samples = runner.read_llava_json(a.data, a.image_root, a.family_key)
    if a.max_samples is not None:
        samples = samples[: a.max_samples]
    n = len(samples)
    val = a.val if a.val is not None else min(500, n // 10)
    test = a.test if a.test is not None else min(500, n // 10)
    from .hf_teacher import HFLlavaTeacher  # torch + transformers only here

    teacher = HFLlavaTeacher(a.model, device=a.device, dtype=a.dtype, attention=not a.no_attention)
    opts = core.Options(topk=a.topk, pool=a.pool, hidden_dim=a.hidden_dim, max_prompt=a.max_prompt, max_answer=a.max_answer,
                        thumb=a.thumb, attention=not a.no_attention)
    extra = {"export": json.dumps({"tool": "tools/export_pack", "model": teacher.name, "data": str(a.data), "samples": n,
                                   "topk": a.topk, "pool": a.pool, "hidden_dim": a.hidden_dim, "seed": a.seed})}
    info = runner.run_export(teacher, samples, a.out, opts, val=val, test=test, unlabeled=a.unlabeled, seed=a.seed, chunk=a.chunk,
                             license_text=a.license, extra=extra, keep_parts=a.keep_parts)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
