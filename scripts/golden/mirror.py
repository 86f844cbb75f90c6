# PyTorch mirror of the lab's student training step (DESIGN §2, §3, §5), written from the spec and not from tfjs:
# reads the golden export of scripts/goldenExport.ts, trains five steps, writes the golden JSON the unit test checks.
#
# Usage: python scripts/golden/mirror.py [IN.safetensors] [OUT.json]   (npm run golden runs it via run.sh)
# Needs PyTorch >= 2 and numpy; without them it says so and exits 0 (CI has no torch; the JSON is committed).
#
# What is mirrored (shapes: B batch, P image tokens, Lp prompt slots, A answer slots, L = P+Lp+A, T = Lp+A, d width,
# H heads, V vocab; weights are stored [in, out] as the tfjs code multiplies x·W):
#   projector  mlp2x_gelu: feats [B,P,dV] -> Linear(dV,d) -> exact GELU -> Linear(d,d) -> [B,P,d]
#   LM input   [projected image | E[text_ids]] + pos  -> [B,L,d]   (E[ids] is the one-hot·E of the tfjs code)
#   blocks     pre-LN: x += Wo·attn(LN1 x); x += MLP(LN2 x), LN eps 1e-5 with biased variance; attention keys are
#              causal and <pad> (id 0) text keys are never attended; scores scaled by 1/sqrt(d/H)
#   head       final LN, logits at the A answer-predicting positions P+Lp .. L-1 -> [B,A,V]
#   loss       total = w_ce·CE + w_kd·KD; CE = mean over ce_mask of −log softmax(z)[target];
#              KD = mean over kd_mask of T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)) (fkl, t2 on)
#   update     g_all = concat grads; n = ‖g_all‖₂; g ← g·c/max(n, c) (c = clipNorm; NOT torch's clip_grad_norm_,
#              which divides by n + 1e-6); Adam with per-parameter t: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
#              p ← p − lr·(m/(1−β1ᵗ)) / (sqrt(v/(1−β2ᵗ)) + ε), ε = 1e-7 (the tfjs formula; torch.optim.Adam is the
#              same algebra and is run alongside as a check); lr: linear warmup lr·(s+1)/W for s < W, then cosine
#              from lr to minLrFrac·lr over totalSteps − W steps.
import json
import math
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
IN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".cache/golden/golden-tiny.safetensors")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "src/model/testing/golden-tiny.json")
PAD, BOS, EOS = 0, 1, 2  # special ids (src/core/tokenizer.ts: <pad> <bos> <eos> <unk>)

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # no torch here: not an error (CI), the committed JSON stays
    print(f"golden: skipped, PyTorch >= 2 or numpy not importable ({e}); {OUT} left as it is")
    sys.exit(0)
if int(torch.__version__.split(".")[0]) < 2:
    print(f"golden: skipped, PyTorch {torch.__version__} < 2; {OUT} left as it is")
    sys.exit(0)


sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "scripts", "lib"))
from mirror_common import gelu, layer_norm, lm_blocks, lr_at, read_safetensors  # noqa: E402


def forward(p, m, feats, text_ids):
    """feats [B,P,dV], text_ids [B,T] -> answer logits [B,A,V]."""
    B, P, d, H = feats.shape[0], m["P"], m["d"], m["heads"]
    L = P + m["Lp"] + m["A"]
    img = gelu(feats @ p["projector.fc1.w"] + p["projector.fc1.b"]) @ p["projector.fc2.w"] + p["projector.fc2.b"]
    x = torch.cat([img, p["lm.embed"][text_ids]], dim=1) + p["lm.pos"]  # [B,L,d]
    key_pad = torch.cat([torch.zeros(B, P, dtype=torch.bool), text_ids == PAD], dim=1)  # [B,L]
    future = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)  # [L,L] key > query
    blocked = future[None, None] | key_pad[:, None, None, :]  # [B,1,L,L]
    x, _ = lm_blocks(p, m, x, blocked)
    hf = layer_norm(x, p["lm.lnf.g"], p["lm.lnf.b"])
    return hf[:, P + m["Lp"] :, :] @ p["lm.head.w"] + p["lm.head.b"]


def masked_mean(vals, mask):
    n = mask.sum()
    return (vals * mask).sum() / n if n > 0 else vals.sum() * 0


def losses(z, cfg, batch):
    """z [B,A,V] student logits -> (total, ce, kd) scalars."""
    T = cfg["kd"]["T"]
    assert cfg["kd"]["divergence"] == "fkl" and cfg["kd"]["topKMode"] == "dense" and not cfg["kd"]["normLogits"]
    ce_rows = -torch.log_softmax(z, -1).gather(-1, batch["targets"].long()[..., None])[..., 0]  # [B,A]
    ce = masked_mean(ce_rows, batch["ce_mask"])
    lt = torch.log_softmax(batch["teacher_logits"] / T, -1)
    ls = torch.log_softmax(z / T, -1)
    kl = (lt.exp() * (lt - ls)).sum(-1) * (T * T if cfg["kd"]["t2"] else 1.0)  # [B,A]
    kd = masked_mean(kl, batch["kd_mask"])
    w = cfg["weights"]
    assert all(w[k] == 0 for k in ("seq", "hidden", "affinity", "attention")), "mirror covers CE + KD only"
    return w["ce"] * ce + w["kd"] * kd, ce, kd


def check_inputs(m, b):
    """The masks and the text layout, re-derived from the targets (DESIGN §2, §4), must equal what was exported."""
    tgt, A, Lp = b["targets"].numpy(), m["A"], m["Lp"]
    want = np.zeros(tgt.shape, np.float32)
    for r in range(tgt.shape[0]):
        for t in range(A):
            if tgt[r, t] == PAD:
                break
            want[r, t] = 1
            if tgt[r, t] == EOS:
                break
    assert (want == b["kd_mask"].numpy()).all(), "kd_mask is not 'answer slots up to and incl. <eos>'"
    ce = b["ce_mask"].numpy()
    assert all((ce[r] == want[r]).all() or (ce[r] == 0).all() for r in range(len(ce))), "ce_mask rows must be kd_mask or 0"
    text = b["text_ids"].numpy()
    assert (text[:, Lp] == BOS).all() and (text[:, Lp + 1 :] == tgt[:, : A - 1]).all(), "text_ids != [prompt|<bos>|targets[:A-1]]"


def run(meta, t, dtype):
    m, cfg = json.loads(meta["model"]), json.loads(meta["config"])
    o = cfg["optim"]
    names = sorted(k[len("init.") :] for k in t if k.startswith("init."))
    p = {n: torch.tensor(t["init." + n], dtype=dtype, requires_grad=True) for n in names}
    ref = {n: torch.tensor(t["init." + n], dtype=dtype, requires_grad=True) for n in names}  # torch.optim.Adam twin
    opt = torch.optim.Adam(list(ref.values()), lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
    state = {n: (torch.zeros_like(p[n]), torch.zeros_like(p[n])) for n in names}
    rows, worst_twin = [], 0.0
    for s in range(int(meta["steps"])):
        pre = f"step.{s}."
        b = {k[len(pre) :]: torch.from_numpy(v) for k, v in t.items() if k.startswith(pre)}
        check_inputs(m, b)
        b = {k: (v.to(dtype) if v.is_floating_point() else v.long()) for k, v in b.items()}
        lr = lr_at(o, s)
        total, ce, kd = losses(forward(p, m, b["features"], b["text_ids"]), cfg, b)
        grads = torch.autograd.grad(total, [p[n] for n in names])
        norm = torch.sqrt(sum((g * g).sum() for g in grads))
        c = o["clipNorm"]
        scale = c / torch.maximum(norm, torch.tensor(c, dtype=dtype)) if c > 0 else torch.tensor(1.0, dtype=dtype)
        with torch.no_grad():
            for n, g in zip(names, grads):
                g = g * scale
                mm, vv = state[n]
                mm.mul_(o["beta1"]).add_(g * (1 - o["beta1"]))
                vv.mul_(o["beta2"]).add_(g * g * (1 - o["beta2"]))
                m_hat = mm / (1 - o["beta1"] ** (s + 1))
                v_hat = vv / (1 - o["beta2"] ** (s + 1))
                p[n].sub_(lr * m_hat / (torch.sqrt(v_hat) + o["epsilon"]))
        # The twin: same gradients through torch.optim.Adam (no weight decay, no amsgrad), lr set per step.
        total2, _, _ = losses(forward(ref, m, b["features"], b["text_ids"]), cfg, b)
        opt.zero_grad()
        total2.backward()
        with torch.no_grad():
            n2 = torch.sqrt(sum((r.grad * r.grad).sum() for r in ref.values()))
            for r in ref.values():
                r.grad.mul_(c / max(n2.item(), c))
        for gr in opt.param_groups:
            gr["lr"] = lr
        opt.step()
        # attn.bk is left out: softmax ignores a shift shared by all keys, so its gradient is 0 in exact arithmetic and
        # Adam turns float32 roundoff (|g| ~ 1e-8, near ε) into updates of either sign; the output never depends on it.
        worst_twin = max(worst_twin, max((p[n] - ref[n]).abs().max().item() for n in names if not n.endswith("attn.bk")))
        rows.append({"step": s, "lr": lr, "total": total.item(), "ce": ce.item(), "kd": kd.item(),
                     "gradNorm": norm.item(), "clipScale": scale.item()})
    return rows, worst_twin


def main():
    if not os.path.exists(IN):
        print(f"golden: {IN} not found; run `npx tsx scripts/goldenExport.ts` first", file=sys.stderr)
        sys.exit(1)
    meta, t = read_safetensors(IN)
    assert meta.get("format") == "llavadi-lab-golden" and meta.get("version") == "1", "not a golden export"
    torch.manual_seed(0)  # nothing random is drawn; set anyway
    f64, twin64 = run(meta, t, torch.float64)
    f32, twin32 = run(meta, t, torch.float32)
    tfjs = json.loads(meta["tfjs"])
    keys = ("total", "ce", "kd", "gradNorm")
    diff = [max(abs(a[k] - b[k]) for k in keys) for a, b in zip(f64, tfjs)]
    sums = {k: [float(np.sum(v, dtype=np.float64)), float(np.sum(np.abs(v), dtype=np.float64))] for k, v in sorted(t.items())}
    out = {
        "about": "Five training steps of the golden tiny student (src/model/testing/golden.ts) computed by the PyTorch "
        "mirror scripts/golden/mirror.py from the tfjs export's initial weights and inputs. Regenerate: npm run golden.",
        "produced": {"by": "npm run golden (npx tsx scripts/goldenExport.ts --backend cpu; python scripts/golden/mirror.py)",
                     "torch": torch.__version__, "numpy": np.__version__, "dtype": "float64", "exportBackend": meta["backend"]},
        "model": json.loads(meta["model"]),
        "config": json.loads(meta["config"]),
        "steps": f64,
        "float32": f32,
        "tfjsAtExport": tfjs,
        "maxAbsDiffTfjsVsTorch": diff,
        "torchOptimAdamTwinMaxParamDiff": {"float64": twin64, "float32": twin32,
                                            "note": "hand Adam vs torch.optim.Adam(eps=1e-7) on the same gradients; "
                                            "attn.bk excluded (its gradient is 0 in exact arithmetic)"},
        "inputs": sums,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"golden: wrote {OUT} (torch {torch.__version__}, float64)")
    for a, b, d in zip(f64, tfjs, diff):
        print(f"  step {a['step']}: torch total {a['total']:.7f} |g| {a['gradNorm']:.7f}  tfjs total {b['total']:.7f}  max|diff| {d:.2e}")
    print(f"  torch.optim.Adam twin: max |param diff| float64 {twin64:.1e}, float32 {twin32:.1e}")
    if max(diff) > 1e-4:
        print("golden: tfjs and PyTorch differ by more than 1e-4", file=sys.stderr)
        sys.exit(2)


main()
