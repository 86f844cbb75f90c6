# A small deterministic teacher in numpy that drives the exporter in tests (no torch): a 500-token vocabulary, an 8×8
# patch grid, logits that are a seeded function of image, question and answer prefix, hidden states and attentions.
from __future__ import annotations

import zlib
from typing import Sequence

import numpy as np

from .core import Scored


def _seed(*parts: object) -> int:
    return zlib.crc32(repr(parts).encode()) & 0xFFFFFFFF


class FakeTeacher:
    """Logits are multiples of 1/64 in [−8, 8], exactly representable in float16, so a test of the tail bucket measures the
    exporter's re-indexing and not float16 rounding. <eos> (id 2) grows likelier with each answer token."""

    name = "fake-teacher"
    feature_source = "fake patch encoder (mean colour of each 4×4 patch @ W[3, 16])"
    grid = (8, 8)
    params = 12345

    def __init__(self, vocab_size: int = 500, d_model: int = 48, attention: bool = True):
        self.vocab_size = vocab_size
        self.d_model = d_model
        self.with_attention = attention
        self.special: dict[str, int | None] = {"pad": None, "bos": 1, "eos": 2, "unk": 0}
        self.w = np.random.default_rng(7).standard_normal((3, 16)).astype(np.float32)

    def token(self, i: int) -> str:
        return {0: "<unk>", 1: "<s>", 2: "</s>"}.get(i, f"▁w{i}")

    def tokenize(self, text: str) -> list[int]:
        return [3 + zlib.crc32(w.encode()) % (self.vocab_size - 3) for w in text.lower().split()]

    def features(self, image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        r, c = self.grid
        patches = image[: h // r * r, : w // c * c].reshape(r, h // r, c, w // c, -1).mean(axis=(1, 3)) / 255.0  # [r, c, 3]
        return patches.reshape(r * c, -1)[:, :3] @ self.w  # [64, 16]

    def _key(self, image: np.ndarray) -> int:
        return int(image.astype(np.int64).sum()) % 100003

    def _logits(self, image: np.ndarray, question: str, prefix: Sequence[int]) -> np.ndarray:
        rng = np.random.default_rng(_seed(self._key(image), question, tuple(int(t) for t in prefix)))
        z = rng.normal(0.0, 2.0, self.vocab_size)
        z[2] += 1.5 * len(prefix) - 1.0  # <eos> likelier as the answer grows
        z[1] = -8.0  # <s> never next
        return np.clip(np.round(z * 64) / 64, -8, 8)

    def generate(self, image: np.ndarray, question: str, max_tokens: int) -> list[int]:
        out: list[int] = []
        for _ in range(max_tokens):
            t = int(np.argmax(self._logits(image, question, out)))
            out.append(t)
            if t == 2:
                break
        return out

    def score(self, image: np.ndarray, question: str, answer: Sequence[int]) -> Scored:
        n = len(answer)
        logits = np.stack([self._logits(image, question, answer[:t]) for t in range(n)])  # [n, V]
        rng = np.random.default_rng(_seed("h", self._key(image), question, tuple(int(t) for t in answer)))
        G = self.grid[0] * self.grid[1]
        att = None
        if self.with_attention:
            a = np.exp(rng.normal(0, 1, (n, G)))
            att = 0.5 * a / a.sum(axis=1, keepdims=True)  # half the mass on image tokens
        return Scored(logits=logits, hidden=rng.standard_normal((n, self.d_model)),
                      image_hidden=rng.standard_normal((G, self.d_model)), attention=att)

    def full_logits(self, image: np.ndarray, question: str, answer: Sequence[int]) -> np.ndarray:
        """[len(answer), V]: the whole distribution per answer slot, for tests that check what a pack keeps of it."""
        return self.score(image, question, answer).logits


def scene(i: int, side: int = 32) -> np.ndarray:
    """A simple generated scene: a coloured square on a grey background, position and colour from i. U8 [side, side, 3]."""
    rng = np.random.default_rng(1000 + i)
    img = np.full((side, side, 3), 96, np.uint8)
    s = side // 4
    y, x = rng.integers(0, side - s, 2)
    img[y : y + s, x : x + s] = rng.integers(0, 256, 3, dtype=np.uint8)
    return img
