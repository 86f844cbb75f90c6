# Issue 17 item 4, for a machine with torch + transformers (no internet): a tiny random LlavaForConditionalGeneration
# (CLIP vision + Llama text, 2 layers each, a word-level tokenizer built here), a few hundred generated scenes, one export.
# Run: sh tools/export_pack/run_real_class_test.sh   (writes $OUT/real-class.safetensors.gz and $OUT/real-class.log)
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_pack import core, runner  # noqa: E402

COLORS = {"red": (220, 40, 40), "green": (40, 180, 60), "blue": (40, 80, 220), "yellow": (230, 210, 40)}
SIDE = 64  # image side; CLIP patch 8 → an 8×8 grid, pooled 2×2 → P 16
TEMPLATE = ("{% for m in messages %}{% if m['role'] == 'user' %}USER: {% for c in m['content'] %}"
            "{% if c['type'] == 'image' %}<image>\n{% elif c['type'] == 'text' %}{{ c['text'] }}{% endif %}{% endfor %}"
            "{% elif m['role'] == 'assistant' %} ASSISTANT: {% for c in m['content'] %}{{ c['text'] }}{% endfor %}</s>"
            "{% endif %}{% endfor %}{% if add_generation_prompt %} ASSISTANT:{% endif %}")


def scenes(n: int, rng: np.random.Generator) -> list[dict]:
    """n scenes: a coloured square on grey; questions about its colour or side, with answers."""
    out = []
    names = list(COLORS)
    for i in range(n):
        img = np.full((SIDE, SIDE, 3), 110, np.uint8)
        color = names[rng.integers(len(names))]
        s = int(rng.integers(12, 24))
        x = int(rng.integers(0, SIDE - s))
        y = int(rng.integers(0, SIDE - s))
        img[y : y + s, x : x + s] = COLORS[color]
        if i % 2 == 0:
            q, a, fam = "what color is the square ?", color, "color"
        else:
            q, a, fam = "is the square on the left or the right ?", "left" if x + s / 2 < SIDE / 2 else "right", "side"
        out.append({"image": img, "question": q, "answer": a, "family": fam, "id": f"scene-{i}"})
    return out


def build_model(folder: Path, texts: list[str]) -> None:
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (CLIPImageProcessor, CLIPVisionConfig, LlamaConfig, LlavaConfig, LlavaForConditionalGeneration,
                              LlavaProcessor, PreTrainedTokenizerFast)

    torch.manual_seed(0)
    specials = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
    words = sorted({w for t in texts + ["USER : ASSISTANT :"] for w in t.split()})
    vocab = {w: i for i, w in enumerate(specials + [w for w in words if w not in specials])}
    tk = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>")
    tok.add_tokens(["<image>"], special_tokens=True)
    image_id = tok.convert_tokens_to_ids("<image>")
    vision = CLIPVisionConfig(image_size=SIDE, patch_size=8, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                              num_attention_heads=2, projection_dim=32)
    text = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                       num_key_value_heads=4, max_position_embeddings=256, bos_token_id=tok.bos_token_id,
                       eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    cfg = LlavaConfig(vision_config=vision, text_config=text, image_token_index=image_id, vision_feature_layer=-2,
                      vision_feature_select_strategy="default")
    model = LlavaForConditionalGeneration(cfg)
    model.save_pretrained(folder)
    ip_args = dict(size={"shortest_edge": SIDE}, crop_size={"height": SIDE, "width": SIDE})
    try:
        ip = CLIPImageProcessor(**ip_args)
    except ImportError:  # transformers 5: CLIPImageProcessor needs torchvision; its PIL twin does not
        from transformers import CLIPImageProcessorPil

        ip = CLIPImageProcessorPil(**ip_args)
    proc = LlavaProcessor(image_processor=ip, tokenizer=tok, patch_size=8, vision_feature_select_strategy="default",
                          chat_template=TEMPLATE, num_additional_image_tokens=1)
    proc.save_pretrained(folder)


def main() -> int:
    out = Path(os.environ.get("OUT", "out"))
    out.mkdir(parents=True, exist_ok=True)
    n = int(os.environ.get("SCENES", "300"))
    rng = np.random.default_rng(0)
    data = scenes(n, rng)
    model_dir = out / "tiny-llava"
    t0 = time.time()
    build_model(model_dir, [d["question"] + " " + d["answer"] for d in data])
    from export_pack.hf_teacher import HFLlavaTeacher

    teacher = HFLlavaTeacher(model_dir, attention=True)
    samples = [runner.Sample(load_image=lambda d=d: d["image"], question=d["question"], answer=d["answer"], family=d["family"],
                             key=d["id"]) for d in data]
    opts = core.Options(topk=16, pool=2, hidden_dim=32, max_prompt=16, max_answer=4, thumb=32)
    pack = out / "real-class.safetensors.gz"
    info = runner.run_export(teacher, samples, pack, opts, val=50, test=25, unlabeled=75, seed=0, chunk=64,
                             license_text="synthetic scenes and a randomly initialised model (no third-party content)",
                             extra={"export": json.dumps({"tool": "tools/export_pack/real_class_test.py", "scenes": n})})
    info["build_and_export_seconds"] = round(time.time() - t0, 2)
    import torch
    import transformers

    info.update(torch=torch.__version__, transformers=transformers.__version__, device=teacher.device,
                grid=list(teacher.grid), vocab_size=teacher.vocab_size, params=teacher.params)
    (out / "real-class.json").write_text(json.dumps(info, indent=2))
    print(json.dumps(info))
    for f in model_dir.iterdir():  # the model is not brought back; the pack and the log are
        f.unlink()
    model_dir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
