# The pack-writing core of the exporter (DESIGN §4b, version 2), independent of any model library: splits, patch-grid
# pooling, the fixed hidden projection, top-K + full-vocabulary logsumexp, affinity, attention, vocabulary compaction.
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

import numpy as np

PAD, BOS, EOS, UNK = 0, 1, 2, 3  # the lab's special ids (compacted vocabulary entries 0..3)
SPECIAL_NAMES = ["<pad>", "<bos>", "<eos>", "<unk>"]
SPLIT_CODES = {"labeled": 0, "unlabeled": 1, "val": 2, "test": 3}
HIDDEN_SEED = 0


@dataclass
class Scored:
    """What a teacher returns for one image + question + answer (teacher-forced). A' = len(answer) incl. <eos>."""

    logits: np.ndarray  # [A', V_full] float: the distribution over answer token t, given the prefix answer[:t]
    hidden: np.ndarray  # [A', D] last-layer hidden state (after the final norm) at those positions
    image_hidden: np.ndarray  # [G, D] last-layer hidden state at the G image-token positions (row-major patch grid)
    attention: np.ndarray | None  # [A', G] last-layer attention from those positions to the image tokens, head mean


class Teacher(Protocol):
    """The exporter's view of a teacher. Every id is an original tokenizer id."""

    name: str  # e.g. the model folder's name, written to vocab_source.tokenizer and features.source
    feature_source: str  # e.g. "CLIP vision tower hidden_states[-2], CLS dropped"
    grid: tuple[int, int]  # patch grid (rows, cols) of features() and of image_hidden
    vocab_size: int  # full vocabulary size (logits width)
    special: dict[str, int | None]  # original ids of 'pad', 'bos', 'eos', 'unk' (None where the tokenizer lacks one)
    params: int  # parameter count

    def features(self, image: np.ndarray) -> np.ndarray: ...  # image U8 [H, W, 3] → [rows·cols, dV] float
    def tokenize(self, text: str) -> list[int]: ...  # text → ids, no special tokens
    def token(self, token_id: int) -> str: ...  # id → token string
    def generate(self, image: np.ndarray, question: str, max_tokens: int) -> list[int]: ...  # greedy, ends at <eos> if reached
    def score(self, image: np.ndarray, question: str, answer: Sequence[int]) -> Scored: ...


@dataclass
class Options:
    topk: int = 32  # K, top-K targets per answer slot
    pool: int = 4  # average-pool the patch grid in pool×pool windows (1 = none)
    hidden_dim: int = 256  # width of teacher_hidden after the fixed projection (no projection when D ≤ this)
    max_prompt: int = 32  # Lp, question tokens kept
    max_answer: int = 16  # A, answer slots incl. <eos>
    thumb: int = 64  # thumbnail side in pixels (0 = no thumbnails)
    attention: bool = True  # write teacher_attention when the teacher returns attentions


def assign_splits(n: int, val: int, test: int, unlabeled: int, seed: int) -> list[str]:
    """Split names for n samples: a seeded permutation; the first `val` are val, then `test`, then `unlabeled`, rest labeled."""
    if val + test + unlabeled >= n:
        raise ValueError(f"--val {val} + --test {test} + --unlabeled {unlabeled}: less than the {n} samples (leave some labeled)")
    order = np.random.default_rng(seed).permutation(n)
    out = ["labeled"] * n
    for rank, i in enumerate(order):
        out[i] = "val" if rank < val else "test" if rank < val + test else "unlabeled" if rank < val + test + unlabeled else "labeled"
    return out


def pool_grid(x: np.ndarray, grid: tuple[int, int], pool: int) -> np.ndarray:
    """x [rows·cols, D] (row-major) → [(rows/pool)·(cols/pool), D]: the mean over each pool×pool window."""
    r, c = grid
    if x.shape[0] != r * c:
        raise ValueError(f"features: {r}×{c} = {r * c} patches expected, got {x.shape[0]}")
    if r % pool or c % pool:
        raise ValueError(f"--pool {pool}: must divide the patch grid {r}×{c}")
    d = x.shape[1]
    return x.reshape(r // pool, pool, c // pool, pool, d).mean(axis=(1, 3)).reshape(-1, d)


def pool_attention(a: np.ndarray, grid: tuple[int, int], pool: int) -> np.ndarray:
    """a [A', rows·cols] → [A', P]: the attention mass on each pool×pool window (a sum, so rows keep their total)."""
    r, c = grid
    n = a.shape[0]
    return a.reshape(n, r // pool, pool, c // pool, pool).sum(axis=(2, 4)).reshape(n, -1)


def hidden_projection(d_in: int, d_out: int) -> np.ndarray | None:
    """The fixed projection of teacher_hidden: R [d_in, d_out] = default_rng(0).standard_normal / √d_out; None if d_in ≤ d_out."""
    if d_in <= d_out:
        return None
    return (np.random.default_rng(HIDDEN_SEED).standard_normal((d_in, d_out)) / math.sqrt(d_out)).astype(np.float32)


def hidden_method(d_in: int, d_out: int) -> str:
    if d_in <= d_out:
        return f"identity: the teacher's last hidden state after the final norm (width {d_in})"
    return (f"h @ R with R[{d_in}, {d_out}] = numpy.random.default_rng({HIDDEN_SEED}).standard_normal(({d_in}, {d_out})) / sqrt({d_out}), "
            "h the last hidden state after the final norm (a random projection: norms and angles kept in expectation)")


def topk_lse(logits: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """logits [A', V] → top-K ids [A', K] (descending by logit; ties by lower id), their logits [A', K], lse [A'] (float64 sum)."""
    z = logits.astype(np.float64)
    k = min(k, z.shape[1])
    ids = np.argsort(-z, axis=1, kind="stable")[:, :k]  # a full stable sort: ties at the K-th place go to the lower id
    m = z.max(axis=1, keepdims=True)
    lse = (m[:, 0] + np.log(np.exp(z - m).sum(axis=1)))
    return ids.astype(np.int64), np.take_along_axis(z, ids, axis=1), lse


def unit_rows(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)


def resize_nearest(image: np.ndarray, side: int) -> np.ndarray:
    """U8 [H, W, C] → U8 [side, side, 3] by nearest-neighbour sampling (display thumbnails only)."""
    if image.ndim == 2:
        image = image[:, :, None]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    h, w = image.shape[:2]
    ys = (np.arange(side) * h // side).clip(0, h - 1)
    xs = (np.arange(side) * w // side).clip(0, w - 1)
    return np.ascontiguousarray(image[ys][:, xs, :3]).astype(np.uint8)


def end_with_eos(ids: Sequence[int], eos: int, max_len: int) -> list[int]:
    """Cut at the first <eos>, keep at most max_len − 1 tokens, and end with <eos>."""
    out = []
    for t in ids:
        if t == eos:
            break
        out.append(int(t))
    return out[: max_len - 1] + [eos]


def process_sample(teacher: Teacher, opts: Options, image: np.ndarray, question: str, answer: str | None, split: str,
                   proj: np.ndarray | None) -> dict[str, Any]:
    """One sample's record in original ids: pooled features, thumbnail, prompt, answers, top-K targets, hidden, affinity, attention."""
    eos = teacher.special["eos"]
    if eos is None:
        raise ValueError("teacher: the tokenizer has no <eos> token")
    A, K = opts.max_answer, opts.topk
    feats = pool_grid(np.asarray(teacher.features(image), dtype=np.float32), teacher.grid, opts.pool)
    prompt = teacher.tokenize(question)[: opts.max_prompt]
    teacher_ans = end_with_eos(teacher.generate(image, question, A), eos, A)
    truth = end_with_eos(teacher.tokenize(answer), eos, A) if (answer is not None and split != "unlabeled") else None
    kd = truth if truth is not None else teacher_ans
    s = teacher.score(image, question, kd)
    n = len(kd)
    ids, top, lse = topk_lse(np.asarray(s.logits)[:n], K)
    h = np.asarray(s.hidden, dtype=np.float32)[:n]
    img = pool_grid(np.asarray(s.image_hidden, dtype=np.float32), teacher.grid, opts.pool)
    affinity = unit_rows(img) @ unit_rows(h).T  # [P, A']
    rec: dict[str, Any] = {
        "features": feats.astype(np.float16),
        "prompt": prompt, "answer": truth, "teacher_answer": teacher_ans, "kd": kd,
        "topk_ids": ids, "topk_logits": top.astype(np.float32), "lse": lse.astype(np.float32),
        "hidden": (h @ proj if proj is not None else h).astype(np.float32),
        "affinity": affinity.astype(np.float32),
        "attention": None,
    }
    if opts.attention and s.attention is not None:
        rec["attention"] = pool_attention(np.asarray(s.attention, dtype=np.float32)[:n], teacher.grid, opts.pool)
    if opts.thumb > 0:
        rec["thumb"] = resize_nearest(image, opts.thumb)
    return rec


def compact_vocab(records: Sequence[dict[str, Any]], teacher: Teacher) -> tuple[list[str], list[int], dict[int, int]]:
    """The compacted vocabulary: the lab's 4 specials, then every original id that occurs or is a top-K id, ascending.
    Returns (token strings, original id per entry (−1 where the tokenizer lacks that special), original → compacted)."""
    ids_orig: list[int] = [-1, -1, -1, -1]
    remap: dict[int, int] = {}
    for name, slot in (("eos", EOS), ("unk", UNK), ("bos", BOS), ("pad", PAD)):  # eos first: a shared id keeps its eos role
        o = teacher.special.get(name)
        if o is not None and o not in remap:
            ids_orig[slot] = o
            remap[o] = slot
    used: set[int] = set()
    for r in records:
        for key in ("prompt", "answer", "teacher_answer", "kd"):
            if r[key] is not None:
                used.update(int(t) for t in r[key])
        used.update(int(t) for t in np.asarray(r["topk_ids"]).ravel())
    vocab = list(SPECIAL_NAMES)
    seen = set(vocab)
    for o in sorted(used - set(remap)):
        tok = teacher.token(o)
        if tok in seen:
            tok = f"{tok}#{o}"  # keep entries unique (the reader rejects duplicates)
        seen.add(tok)
        remap[o] = len(vocab)
        vocab.append(tok)
        ids_orig.append(o)
    return vocab, ids_orig, remap


def assemble(records: Sequence[dict[str, Any]], splits: Sequence[str], families: Sequence[str], teacher: Teacher,
             opts: Options, license_text: str, hidden_how: str, extra: dict[str, str] | None = None) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every sample's record → the pack's tensors and metadata (version 2, features pack, compacted vocabulary)."""
    N, A, K, Lp = len(records), opts.max_answer, opts.topk, opts.max_prompt
    vocab, ids_orig, remap = compact_vocab(records, teacher)
    unk = UNK
    c = np.vectorize(lambda o: remap.get(int(o), unk), otypes=[np.int32])
    fam_names = sorted(set(families))
    if len(fam_names) > 256:
        raise ValueError(f"families: at most 256 (the family tensor is U8), got {len(fam_names)}")
    P, dV = records[0]["features"].shape
    K = records[0]["topk_ids"].shape[1]
    dh = records[0]["hidden"].shape[1]

    def ids_row(seq: Sequence[int] | None, width: int) -> np.ndarray:
        row = np.full(width, PAD, np.int32)
        if seq:
            row[: len(seq)] = c(np.asarray(seq[:width]))
        return row

    t: dict[str, np.ndarray] = {
        "image_features": np.stack([r["features"] for r in records]).astype(np.float16),  # [N, P, dV]
        "split": np.array([SPLIT_CODES[s] for s in splits], np.uint8),
        "family": np.array([fam_names.index(f) for f in families], np.uint8),
        "prompt_ids": np.stack([ids_row(r["prompt"], Lp) for r in records]),
        "answer_ids": np.stack([ids_row(r["answer"], A) for r in records]),
        "teacher_answer_ids": np.stack([ids_row(r["teacher_answer"], A) for r in records]),
        "kd_ids": np.stack([ids_row(r["kd"], A) for r in records]),
    }
    topk_ids = np.zeros((N, A, K), np.int32)
    topk_logits = np.zeros((N, A, K), np.float32)
    lse = np.zeros((N, A), np.float32)
    hidden = np.zeros((N, A, dh), np.float32)
    affinity = np.zeros((N, P, A), np.float32)
    has_att = all(r["attention"] is not None for r in records)
    attention = np.zeros((N, A, P), np.float32)
    for i, r in enumerate(records):
        n = len(r["kd"])
        topk_ids[i, :n] = c(r["topk_ids"])
        topk_logits[i, :n] = r["topk_logits"]
        lse[i, :n] = r["lse"]
        hidden[i, :n] = r["hidden"]
        affinity[i, :, :n] = r["affinity"]
        if has_att:
            attention[i, :n] = r["attention"]
    t.update(teacher_topk_ids=topk_ids, teacher_topk_logits=topk_logits.astype(np.float16), teacher_lse=lse,
             teacher_hidden=hidden.astype(np.float16), teacher_affinity=affinity.astype(np.float16))
    if has_att:
        t["teacher_attention"] = attention.astype(np.float16)
    thumbs = "thumb" in records[0]
    if thumbs:
        t["images"] = np.stack([r["thumb"] for r in records])
    acc = accuracy(t, fam_names)
    rows, cols = teacher.grid[0] // opts.pool, teacher.grid[1] // opts.pool
    pooling = "none" if opts.pool == 1 else f"avg {opts.pool}x{opts.pool} of {teacher.grid[0]}x{teacher.grid[1]}"
    meta = {
        "format": "llavadi-lab-pack",
        "version": "2",
        "vocab": json.dumps(vocab, ensure_ascii=False),
        "vocab_source": json.dumps({"tokenizer": teacher.name, "ids": ids_orig, "size": teacher.vocab_size}),
        "families": json.dumps(fam_names),
        "targets": json.dumps({"kind": "topk", "k": K, "positions": "answer"}),
        "features": json.dumps({"source": f"{teacher.name}: {teacher.feature_source}", "P": P, "dV": dV, "pooling": pooling,
                                "grid": {"rows": rows, "cols": cols}}),
        "teacher": json.dumps({"config": None, "params": int(teacher.params), "accuracy": acc["perFamily"], "trainedSteps": 0, "seed": 0}),
        "hidden": json.dumps({"d": dh, "method": hidden_how}),
        "license": license_text,
        "teacher_overall_accuracy": json.dumps(acc["overall"]),
    }
    if thumbs:
        side = records[0]["thumb"].shape[0]
        meta["image"] = json.dumps({"height": side, "width": side, "channels": 3})
    meta.update(extra or {})
    return t, meta


def accuracy(t: dict[str, np.ndarray], fam_names: Sequence[str]) -> dict[str, Any]:
    """Teacher exact match on val (its greedy answer = the ground truth up to <eos>), percent per family and overall."""
    val = np.nonzero(t["split"] == SPLIT_CODES["val"])[0]
    right = {f: [0, 0] for f in fam_names}
    for i in val:
        f = fam_names[t["family"][i]]
        right[f][1] += 1
        right[f][0] += int(np.array_equal(t["teacher_answer_ids"][i], t["answer_ids"][i]))
    per = {f: round(100 * r / n, 2) for f, (r, n) in right.items() if n > 0}
    total = sum(n for _, n in right.values())
    overall = round(100 * sum(r for r, _ in right.values()) / total, 2) if total else None
    return {"perFamily": per, "overall": overall}
