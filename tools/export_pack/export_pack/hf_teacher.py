# The exporter's teacher for a Hugging Face `LlavaForConditionalGeneration` in a local folder (no hub access): CLIP
# features at the model's vision_feature_layer, the processor's chat template, teacher-forced scoring, greedy answers.
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from .core import Scored


class HFLlavaTeacher:
    """Loads model + processor with local_files_only. torch/transformers are imported here, not at package import.

    - features(): `vision_tower(pixel_values, output_hidden_states=True).hidden_states[config.vision_feature_layer]`
      (the tower on the model in transformers < 4.52, on its inner LlavaModel after),
      CLS dropped when `vision_feature_select_strategy` is "default" (as LlavaModel.get_image_features does before its
      projector): the raw CLIP patch features, not the projected ones.
    - the prompt: `processor.apply_chat_template([{role: user, content: [image, text]}], add_generation_prompt=True)`,
      then `processor(images=…, text=…)`, which expands the image placeholder into one token per patch.
    - score(): one forward over prompt + answer with output_hidden_states (hidden_states[-1] is after the final norm)
      and, when wanted, output_attentions (needs attn_implementation="eager").
    """

    def __init__(self, model_dir: str | Path, device: str | None = None, dtype: str = "auto", attention: bool = True):
        import torch
        from transformers import AutoProcessor, LlavaForConditionalGeneration

        self.torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        td = {"auto": torch.float16 if self.device.startswith("cuda") else torch.float32, "float16": torch.float16,
              "bfloat16": torch.bfloat16, "float32": torch.float32}[dtype]
        kw = {"attn_implementation": "eager"} if attention else {}
        self.model = LlavaForConditionalGeneration.from_pretrained(str(model_dir), torch_dtype=td, local_files_only=True, **kw)
        self.model.to(self.device).eval()
        self.processor = AutoProcessor.from_pretrained(str(model_dir), local_files_only=True)
        self.tok = self.processor.tokenizer
        cfg = self.model.config
        self.layer = cfg.vision_feature_layer
        if not isinstance(self.layer, int):
            raise ValueError(f"{model_dir}: vision_feature_layer {self.layer!r}: one layer expected (a list concatenates layers)")
        self.strategy = cfg.vision_feature_select_strategy
        self.image_token = getattr(cfg, "image_token_id", None)
        if self.image_token is None:
            self.image_token = cfg.image_token_index
        self.with_attention = attention
        self.name = Path(model_dir).name
        self.feature_source = f"vision tower hidden_states[{self.layer}] ({self.strategy}: {'CLS dropped' if self.strategy == 'default' else 'all tokens'})"
        vc = cfg.vision_config
        side = vc.image_size // vc.patch_size
        self.grid = (side, side)
        self.vocab_size = int(self.model.get_output_embeddings().weight.shape[0])
        t = self.tok
        self.special = {"pad": t.pad_token_id, "bos": t.bos_token_id, "eos": t.eos_token_id, "unk": t.unk_token_id}
        self.params = int(sum(p.numel() for p in self.model.parameters()))
        self._cache: tuple[int, dict] | None = None

    def token(self, i: int) -> str:
        return str(self.tok.convert_ids_to_tokens(int(i)))

    def tokenize(self, text: str) -> list[int]:
        return list(self.tok(text, add_special_tokens=False).input_ids)

    def _inputs(self, image: np.ndarray, question: str) -> dict:
        key = hash((image.tobytes(), question))
        if self._cache and self._cache[0] == key:
            return self._cache[1]
        conv = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": question}]}]
        prompt = self.processor.apply_chat_template(conv, add_generation_prompt=True)
        inputs = self.processor(images=image, text=prompt, return_tensors="pt").to(self.device)
        n_img = int((inputs["input_ids"] == self.image_token).sum())
        if n_img != self.grid[0] * self.grid[1]:
            raise ValueError(f"processor: {self.grid[0] * self.grid[1]} image tokens expected in the prompt, got {n_img} "
                             "(a transformers version whose processor expands the image placeholder is needed)")
        self._cache = (key, inputs)
        return inputs

    def _vision_tower(self):
        # transformers < 4.52 keeps it on LlavaForConditionalGeneration; later ones on its inner LlavaModel (.model)
        m = self.model
        tower = getattr(m, "vision_tower", None) or getattr(getattr(m, "model", None), "vision_tower", None)
        if tower is None:
            raise AttributeError(f"{self.name}: no vision_tower on the model or on its .model (transformers layout not known)")
        return tower

    def features(self, image: np.ndarray) -> np.ndarray:
        torch = self.torch
        pv = self.processor.image_processor(images=image, return_tensors="pt")["pixel_values"].to(self.device, self.model.dtype)
        with torch.no_grad():
            hs = self._vision_tower()(pv, output_hidden_states=True).hidden_states[self.layer]
        if self.strategy == "default":
            hs = hs[:, 1:]
        return hs[0].float().cpu().numpy()

    def generate(self, image: np.ndarray, question: str, max_tokens: int) -> list[int]:
        inputs = self._inputs(image, question)
        with self.torch.no_grad():
            out = self.model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False)
        return out[0, inputs["input_ids"].shape[1] :].tolist()

    def score(self, image: np.ndarray, question: str, answer: Sequence[int]) -> Scored:
        torch = self.torch
        inputs = self._inputs(image, question)
        ids = inputs["input_ids"]
        L = ids.shape[1]
        ans = torch.tensor([list(answer)], dtype=ids.dtype, device=ids.device)
        full = torch.cat([ids, ans], dim=1)
        mask = torch.ones_like(full)
        with torch.no_grad():
            out = self.model(input_ids=full, attention_mask=mask, pixel_values=inputs["pixel_values"],
                             output_hidden_states=True, output_attentions=self.with_attention)
        pos = torch.arange(L - 1, L - 1 + len(answer), device=ids.device)  # position p predicts token p + 1
        img_pos = (ids[0] == self.image_token).nonzero()[:, 0]
        h = out.hidden_states[-1][0]
        att = None
        if self.with_attention and out.attentions is not None:
            a = out.attentions[-1][0].float().mean(dim=0)  # [L', L'] head mean, last layer
            att = a[pos][:, img_pos].cpu().numpy()
        return Scored(logits=out.logits[0, pos].float().cpu().numpy(), hidden=h[pos].float().cpu().numpy(),
                      image_hidden=h[img_pos].float().cpu().numpy(), attention=att)
