# PyTorch mirror of the lab's student training step and every loss term (DESIGN §2, §3, §5), written from the spec and
# not from tfjs: reads the golden export of scripts/goldenExport.ts, trains each variant, writes the golden JSON the unit test checks.
#
# Developer command (CI has no torch; the JSON it writes is committed): npm run golden
#   = npx tsx scripts/goldenExport.ts && sh tools/golden/run.sh   (run.sh picks .cache/venv/bin/python, else python3)
# One-time venv: /usr/bin/python3 -m venv --system-site-packages .cache/venv && .cache/venv/bin/pip install torch
# Usage: python tools/golden/mirror.py [IN.safetensors] [OUT.json]
# Needs PyTorch >= 2 and numpy; without them it says so and exits 0 (the committed JSON stays).
#
# What is mirrored (shapes: B batch, P image tokens, Lp prompt slots, A answer slots, L = P+Lp+A, T = Lp+A, d width,
# H heads, V vocab, K top-K, dh teacher hidden width; weights are stored [in, out] as the tfjs code multiplies x·W):
#   projector  mlp2x_gelu: feats [B,P,dV] -> Linear(dV,d) -> exact GELU -> Linear(d,d) -> [B,P,d]
#   LM input   [projected image | E[text_ids]] + pos  -> [B,L,d]
#   blocks     pre-LN: x += Wo·attn(LN1 x); x += MLP(LN2 x), LN eps 1e-5 with biased variance; attention keys are
#              causal and <pad> (id 0) text keys are never attended; scores scaled by 1/sqrt(d/H)
#   head       final LN h [B,L,d]; logits at the A answer-predicting positions P+Lp .. L-1 -> [B,A,V] (all L with
#              allPositions); attention answer->image = last layer's probs [B,H,L,L] rows P+Lp.., cols ..P, head mean
#   terms      (DESIGN §3, at one position, then the masked mean over positions; empty mask -> 0)
#              ce       −log softmax(z)[target], ce_mask
#              seq      CE on the teacher's answers, from a forward on [prompt | <bos> | teacher_ans[:A-1]], their mask
#              kd       fkl KL(pt‖ps) | rkl KL(ps‖pt) | jsd β KL(pt‖m) + (1−β) KL(ps‖m), m = β pt + (1−β) ps |
#                       tvd ½Σ|pt − ps| | sfkl KL(pt‖α pt + (1−α) ps) | srkl KL(ps‖(1−α) pt + α ps) |
#                       mse mean_V (zs − zt)², no T; × T² with t2 (not mse); normLogits: (z − mean)/(std_{N−1} + 1e-7)
#                       top-K renorm: both restricted to the K ids, softmax at T; tail (T 1): K+1 buckets, teacher
#                       tail 1 − Σ exp(ẑ − lse), student tail logsumexp of the rest, both logs floored at ln 1e-30;
#                       dense targets with topKMode ≠ dense: the teacher's top-K taken here (torch.topk) first
#                       kd_mask; allPositions: all L positions against the online teacher, mask [1_P | prompt≠<pad> | kd_mask]
#              hidden   φ(h_s) = Linear → GELU → Linear; mse mean_dh (φ(h_s) − h_t)², cosine 1 − cos (norms ≥ 1e-8)
#              affinity ĥ = h/max(‖h‖, 1e-8); S = ĥ_img ĥ_ansᵀ [B,P,A]; Σ (S_s − S_t)² over P × masked answers / (P Σm)
#              attention Σ (A_s − A_t)² over masked answers × P / (P Σm)
#              targets: the pack's cached ones, or the online teacher's outputs (source online / allPositions)
#              total = Σ w·term over w > 0; a weight-0 term is measured when its targets exist (seq: only when w > 0)
#   update     g_all = concat grads (student + φ); n = ‖g_all‖₂; g ← g·c/max(n, c) (NOT torch's clip_grad_norm_,
#              which divides by n + 1e-6); Adam with per-parameter t: m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g²,
#              p ← p − lr·(m/(1−β1ᵗ)) / (sqrt(v/(1−β2ᵗ)) + ε) (the tfjs formula; torch.optim.Adam is the same algebra and
#              is run alongside as a check); lr: linear warmup lr·(s+1)/W for s < W, then cosine to minLrFrac·lr.
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_IN = os.path.join(ROOT, ".cache/golden/golden-tiny.safetensors")
DEFAULT_OUT = os.path.join(ROOT, "src/model/testing/golden-tiny.json")
PAD, BOS, EOS = 0, 1, 2  # special ids (src/core/base/tokenizer.ts: <pad> <bos> <eos> <unk>)
TERMS = ("ce", "seq", "kd", "hidden", "affinity", "attention")  # src/core/kd/terms.ts TERM_NAMES
TAIL_LOG_FLOOR = math.log(1e-30)
NORM_EPS = 1e-8
NORM_LOGITS_EPS = 1e-7
TOL = 1e-4

try:
    import numpy as np
    import torch
    import torch.nn.functional as F  # noqa: F401

    sys.path.insert(0, HERE)
    from mirror_common import gelu, layer_norm, lm_blocks, lr_at, read_safetensors

    MISSING = None if int(torch.__version__.split(".")[0]) >= 2 else f"PyTorch {torch.__version__} < 2"
except ImportError as e:  # no torch here: not an error (CI), the committed JSON stays
    MISSING = f"PyTorch >= 2 or numpy not importable ({e})"


def forward(p, m, feats, text_ids, all_positions=False):
    """feats [B,P,dV], text_ids [B,T] -> dict of logits [B,A,V], logits_all [B,L,V]?, hidden_ans [B,A,d],
    hidden_img [B,P,d], attn [B,A,P]."""
    B, P = feats.shape[0], m["P"]
    L = P + m["Lp"] + m["A"]
    img = gelu(feats @ p["projector.fc1.w"] + p["projector.fc1.b"]) @ p["projector.fc2.w"] + p["projector.fc2.b"]
    x = torch.cat([img, p["lm.embed"][text_ids]], dim=1) + p["lm.pos"]  # [B,L,d]
    key_pad = torch.cat([torch.zeros(B, P, dtype=torch.bool), text_ids == PAD], dim=1)  # [B,L]
    future = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)  # [L,L] key > query
    blocked = future[None, None] | key_pad[:, None, None, :]  # [B,1,L,L]
    x, probs = lm_blocks(p, m, x, blocked)
    hf = layer_norm(x, p["lm.lnf.g"], p["lm.lnf.b"])  # [B,L,d]
    a0 = P + m["Lp"]
    out = {
        "hidden_ans": hf[:, a0:, :],
        "hidden_img": hf[:, :P, :],
        "attn": probs[:, :, a0:, :P].mean(1),  # [B,A,P]
    }
    if all_positions:
        out["logits_all"] = hf @ p["lm.head.w"] + p["lm.head.b"]
        out["logits"] = out["logits_all"][:, a0:, :]
    else:
        out["logits"] = hf[:, a0:, :] @ p["lm.head.w"] + p["lm.head.b"]
    return out


def masked_mean(vals, mask):
    """Σ v·m / Σ m; 0 (not NaN) for an empty mask. vals, mask [...] of one shape."""
    n = mask.sum()
    return (vals * mask).sum() / n if n > 0 else (vals * 0).sum()


def kl(la, lb):
    """KL(a‖b) over the last axis from log-probabilities; entries with a = 0 contribute 0."""
    pa = la.exp()
    return torch.where(pa > 0, pa * (la - lb), torch.zeros_like(pa)).sum(-1)


def log_mix(w1, la, w2, lb):
    """log(w1·e^la + w2·e^lb) per entry (w may be 0)."""
    lw = lambda w: math.log(w) if w > 0 else -math.inf
    return torch.logaddexp(lw(w1) + la, lw(w2) + lb)


def divergence(lt, ls, kd):
    """lt, ls [R,n] teacher / student log-probabilities over the same buckets -> [R], without T²."""
    d = kd["divergence"]
    if d == "fkl":
        return kl(lt, ls)
    if d == "rkl":
        return kl(ls, lt)
    if d == "jsd":
        b = kd["beta"]
        lm = log_mix(b, lt, 1 - b, ls)
        return b * kl(lt, lm) + (1 - b) * kl(ls, lm)
    if d == "tvd":
        return 0.5 * (lt.exp() - ls.exp()).abs().sum(-1)
    if d == "sfkl":
        return kl(lt, log_mix(kd["alpha"], lt, 1 - kd["alpha"], ls))
    if d == "srkl":
        return kl(ls, log_mix(1 - kd["alpha"], lt, kd["alpha"], ls))
    raise ValueError(f"unknown divergence {d}")


def norm_logits(z):
    """(z − mean) / (std + 1e-7) over the last axis, std with Bessel's correction."""
    c = z - z.mean(-1, keepdim=True)
    std = torch.sqrt((c * c).sum(-1, keepdim=True) / max(z.shape[-1] - 1, 1))
    return c / (std + NORM_LOGITS_EPS)


def dense_rows(zs, zt, kd):
    """zs, zt [R,V] student / teacher logits -> [R] (DESIGN §3 dense)."""
    if kd["normLogits"]:
        zs, zt = norm_logits(zs), norm_logits(zt)
    if kd["divergence"] == "mse":
        return ((zs - zt) ** 2).mean(-1)
    T = kd["T"]
    d = divergence(torch.log_softmax(zt / T, -1), torch.log_softmax(zs / T, -1), kd)
    return d * (T * T) if kd["t2"] else d


def topk_rows(zs, ids, tz, lse, kd):
    """zs [R,V]; ids [R,K] teacher ids; tz [R,K] their raw logits; lse [R] teacher's full logsumexp -> [R]."""
    mode, T = kd["topKMode"], kd["T"]
    assert kd["divergence"] != "mse" and not kd["normLogits"], "top-K takes no mse / normLogits"
    if mode == "renorm":
        d = divergence(torch.log_softmax(tz / T, -1), torch.log_softmax(zs.gather(-1, ids) / T, -1), kd)
        return d * (T * T) if kd["t2"] else d
    assert mode == "tail" and T == 1, "tail needs T = 1"
    lt = tz - lse[:, None]  # [R,K]
    t_tail = torch.clamp_min(-torch.expm1(torch.logsumexp(lt, -1)), 0)  # [R]
    lt_tail = torch.clamp_min(torch.log(t_tail), TAIL_LOG_FLOOR)
    ls_full = torch.log_softmax(zs, -1)  # [R,V]
    chosen = torch.zeros_like(ls_full, dtype=torch.bool).scatter(-1, ids, True)
    ls_tail = torch.clamp_min(torch.logsumexp(ls_full.masked_fill(chosen, -math.inf), -1), TAIL_LOG_FLOOR)
    lt_b = torch.cat([lt, lt_tail[:, None]], -1)
    ls_b = torch.cat([ls_full.gather(-1, ids), ls_tail[:, None]], -1)
    return divergence(lt_b, ls_b, kd)


def unit(h):
    return h / torch.clamp_min(h.norm(dim=-1, keepdim=True), NORM_EPS)


def answer_mask(ans):
    """[B,A] ids -> 1 on slots up to and incl. <eos>, stopping at <pad> (DESIGN §2)."""
    out = torch.zeros(ans.shape, dtype=torch.float64)
    for r in range(ans.shape[0]):
        for t in range(ans.shape[1]):
            if ans[r, t] == PAD:
                break
            out[r, t] = 1
            if ans[r, t] == EOS:
                break
    return out


def text_of(prompt, ans):
    """[prompt | <bos> | ans[:A-1]]: prompt [B,Lp], ans [B,A] -> [B,Lp+A]."""
    return torch.cat([prompt, torch.full((ans.shape[0], 1), BOS, dtype=ans.dtype), ans[:, :-1]], 1)


def terms(p, phi, teacher, m, mt, cfg, b):
    """One batch: every measurable term (None where it is not measured) and the weighted total."""
    kd, w = cfg["kd"], cfg["weights"]
    A, V, P, Lp = m["A"], m["vocabSize"], m["P"], m["Lp"]
    L = P + Lp + A
    feats, text = b["features"], b["text_ids"]
    B = feats.shape[0]
    online = kd["source"] == "online" or kd["allPositions"]
    all_pos = kd["allPositions"]
    s = forward(p, m, feats, text, all_pos)
    t = forward(teacher, mt, feats, text, all_pos) if online else None
    if t is not None:
        t = {k: v.detach() for k, v in t.items()}  # the teacher is a constant
    ans_mask = b["kd_mask"]  # [B,A]
    out = {k: None for k in TERMS}
    out["ce"] = masked_mean(-torch.log_softmax(s["logits"], -1).gather(-1, b["targets"][..., None])[..., 0], b["ce_mask"])
    if w["seq"] > 0 and "teacher_ans" in b:
        ta = b["teacher_ans"]
        z2 = forward(p, m, feats, text_of(text[:, :Lp], ta))["logits"]
        out["seq"] = masked_mean(-torch.log_softmax(z2, -1).gather(-1, ta[..., None])[..., 0], answer_mask(ta))
    zs = s["logits"].reshape(B * A, V)
    if all_pos:
        extra = kd.get("extraPositions", "image+prompt")
        img = torch.ones(B, P, dtype=torch.float64) if extra != "prompt" else torch.zeros(B, P, dtype=torch.float64)
        pm = (text[:, :Lp] != PAD).double() if extra != "image" else torch.zeros(B, Lp, dtype=torch.float64)
        mask = torch.cat([img, pm, ans_mask], 1).reshape(B * L)
        rows = dense_rows(s["logits_all"].reshape(B * L, V), t["logits_all"].reshape(B * L, V), kd)
        out["kd"] = masked_mean(rows, mask)
    elif t is not None:
        out["kd"] = masked_mean(dense_rows(zs, t["logits"].reshape(B * A, V), kd), ans_mask.reshape(-1))
    elif "teacher_logits" in b:
        zt = b["teacher_logits"].reshape(B * A, V)
        if kd["topKMode"] == "dense":
            rows = dense_rows(zs, zt, kd)
        else:
            k = min(kd["topK"], V)
            tz, ids = torch.topk(zt, k, -1)
            rows = topk_rows(zs, ids, tz, torch.logsumexp(zt, -1), kd)
        out["kd"] = masked_mean(rows, ans_mask.reshape(-1))
    elif "topk_ids" in b and kd["topKMode"] != "dense":
        K = b["topk_ids"].shape[-1]
        rows = topk_rows(zs, b["topk_ids"].reshape(B * A, K), b["topk_logits"].reshape(B * A, K), b["topk_lse"].reshape(-1), kd)
        out["kd"] = masked_mean(rows, ans_mask.reshape(-1))
    ht = t["hidden_ans"] if t is not None else b.get("hidden")
    if phi and ht is not None:
        hs = gelu(s["hidden_ans"] @ phi["phi.fc1.w"] + phi["phi.fc1.b"]) @ phi["phi.fc2.w"] + phi["phi.fc2.b"]  # [B,A,dh]
        if cfg["hiddenMode"] == "mse":
            rows = ((hs - ht) ** 2).mean(-1)
        else:
            den = torch.clamp_min(hs.norm(dim=-1), NORM_EPS) * torch.clamp_min(ht.norm(dim=-1), NORM_EPS)
            rows = 1 - (hs * ht).sum(-1) / den
        out["hidden"] = masked_mean(rows, ans_mask)
    n = ans_mask.sum() * P
    St = unit(t["hidden_img"]) @ unit(t["hidden_ans"]).transpose(1, 2) if t is not None else b.get("affinity")
    if St is not None:
        Ss = unit(s["hidden_img"]) @ unit(s["hidden_ans"]).transpose(1, 2)  # [B,P,A]
        sq = ((Ss - St) ** 2 * ans_mask[:, None, :]).sum()
        out["affinity"] = sq / n if n > 0 else sq * 0
    At = t["attn"] if t is not None else b.get("attention")
    if At is not None:
        sq = ((s["attn"] - At) ** 2 * ans_mask[:, :, None]).sum()
        out["attention"] = sq / n if n > 0 else sq * 0
    total = None
    for k in TERMS:
        if out[k] is not None and w[k] > 0:
            part = w[k] * out[k]
            total = part if total is None else total + part
    return total, out


def check_inputs(m, b):
    """The masks and the text layout, re-derived from the targets (DESIGN §2, §4), must equal what was exported."""
    tgt, A, Lp = b["targets"], m["A"], m["Lp"]
    want = answer_mask(tgt).numpy()
    assert (want == b["kd_mask"].numpy()).all(), "kd_mask is not 'answer slots up to and incl. <eos>'"
    ce = b["ce_mask"].numpy()
    assert all((ce[r] == want[r]).all() or (ce[r] == 0).all() for r in range(len(ce))), "ce_mask rows must be kd_mask or 0"
    text = b["text_ids"]
    assert (text_of(text[:, :Lp], tgt) == text).all(), "text_ids != [prompt|<bos>|targets[:A-1]]"


def run(meta, t, v, dtype):
    """Train variant v (its tensors t) in dtype; returns (rows, worst |param diff| against torch.optim.Adam)."""
    m, mt, cfg = json.loads(meta["model"]), json.loads(meta["teacherModel"]), v["config"]
    o = cfg["optim"]
    assert cfg["stage1Steps"] == 0 and cfg["onPolicy"]["lambda"] == 0, "the mirror covers stage 2, off-policy"
    pre = v["name"] + "/"
    mine = {k[len(pre) :]: a for k, a in t.items() if k.startswith(pre)}
    names = sorted(k[len("init.") :] for k in mine if k.startswith("init."))
    phi_names = sorted(k for k in mine if k.startswith("phi."))
    mk = lambda a: torch.tensor(a, dtype=dtype, requires_grad=True)
    p = {n: mk(mine["init." + n]) for n in names}
    phi = {n: mk(mine[n]) for n in phi_names}
    teacher = {k[len("teacher.") :]: torch.tensor(a, dtype=dtype) for k, a in mine.items() if k.startswith("teacher.")}
    ref_p = {n: mk(mine["init." + n]) for n in names}  # the torch.optim.Adam twin
    ref_phi = {n: mk(mine[n]) for n in phi_names}
    named = [*p.values(), *phi.values()]
    twin = [*ref_p.values(), *ref_phi.values()]
    keys = names + phi_names
    opt = torch.optim.Adam(twin, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
    state = [(torch.zeros_like(x), torch.zeros_like(x)) for x in named]
    c = o["clipNorm"]
    rows, worst_twin = [], 0.0
    for s in range(v["steps"]):
        sp = f"step.{s}."
        b = {k[len(sp) :]: torch.from_numpy(a) for k, a in mine.items() if k.startswith(sp)}
        b = {k: (x.to(dtype) if x.is_floating_point() else x.long()) for k, x in b.items()}
        check_inputs(m, b)
        lr = lr_at(o, s)
        total, vals = terms(p, phi, teacher, m, mt, cfg, b)
        grads = torch.autograd.grad(total, named, allow_unused=True)
        grads = [g if g is not None else torch.zeros_like(x) for g, x in zip(grads, named)]
        norm = torch.sqrt(sum((g * g).sum() for g in grads))
        scale = c / torch.maximum(norm, torch.tensor(c, dtype=dtype)) if c > 0 else torch.tensor(1.0, dtype=dtype)
        with torch.no_grad():
            for x, g, (mm, vv) in zip(named, grads, state):
                g = g * scale
                mm.mul_(o["beta1"]).add_(g * (1 - o["beta1"]))
                vv.mul_(o["beta2"]).add_(g * g * (1 - o["beta2"]))
                m_hat = mm / (1 - o["beta1"] ** (s + 1))
                v_hat = vv / (1 - o["beta2"] ** (s + 1))
                x.sub_(lr * m_hat / (torch.sqrt(v_hat) + o["epsilon"]))
        # The twin: same loss through autograd's backward and torch.optim.Adam (no weight decay, no amsgrad).
        total2, _ = terms(ref_p, ref_phi, teacher, m, mt, cfg, b)
        opt.zero_grad()
        total2.backward()
        with torch.no_grad():
            n2 = torch.sqrt(sum((r.grad * r.grad).sum() for r in twin if r.grad is not None))
            for r in twin:
                if r.grad is not None:
                    r.grad.mul_(c / max(n2.item(), c))
        for gr in opt.param_groups:
            gr["lr"] = lr
        opt.step()
        # attn.bk is left out: softmax ignores a shift shared by all keys, so its gradient is 0 in exact arithmetic and
        # Adam turns roundoff (|g| near ε) into updates of either sign; the output never depends on it.
        worst_twin = max(worst_twin, max((x - r).abs().max().item() for k, x, r in zip(keys, named, twin) if not k.endswith("attn.bk")))
        row = {"step": s, "lr": lr, "total": total.item()}
        row.update({k: (None if vals[k] is None else vals[k].item()) for k in TERMS})
        row["gradNorm"] = norm.item()
        rows.append(row)
    return rows, worst_twin


def diff_rows(a_rows, b_rows):
    """Per step: max |a − b| over the values both have; inf where one measured a value the other did not."""
    out = []
    for a, b in zip(a_rows, b_rows):
        d = 0.0
        for k in ("total", *TERMS, "gradNorm"):
            if (a[k] is None) != (b[k] is None):
                d = math.inf
            elif a[k] is not None:
                d = max(d, abs(a[k] - b[k]))
        out.append(d)
    return out


def main():
    IN = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_IN
    OUT = sys.argv[2] if len(sys.argv) > 2 else DEFAULT_OUT
    if MISSING:
        print(f"golden: skipped, {MISSING}; {OUT} left as it is")
        sys.exit(0)
    if not os.path.exists(IN):
        print(f"golden: {IN} not found; run `npx tsx scripts/goldenExport.ts` first", file=sys.stderr)
        sys.exit(1)
    meta, t = read_safetensors(IN)
    assert meta.get("format") == "llavadi-lab-golden" and meta.get("version") == "2", "not a version-2 golden export"
    torch.manual_seed(0)  # nothing random is drawn; set anyway
    variants, worst = {}, 0.0
    for v in json.loads(meta["variants"]):
        f64, twin64 = run(meta, t, v, torch.float64)
        f32, twin32 = run(meta, t, v, torch.float32)
        diff = diff_rows(f64, v["tfjs"])
        worst = max(worst, *diff)
        pre = v["name"] + "/"
        sums = {k[len(pre) :]: [float(np.sum(a, dtype=np.float64)), float(np.sum(np.abs(a), dtype=np.float64))]
                for k, a in sorted(t.items()) if k.startswith(pre)}
        variants[v["name"]] = {
            "targets": v["targets"],
            "teacher": v["teacher"],
            "config": v["config"],
            "steps": f64,
            "float32": f32,
            "tfjsAtExport": v["tfjs"],
            "maxAbsDiffTfjsVsTorch": diff,
            "torchOptimAdamTwinMaxParamDiff": {"float64": twin64, "float32": twin32},
            "inputs": sums,
        }
        print(f"golden: {v['name']}: max |tfjs − torch| per step {' '.join(f'{d:.1e}' for d in diff)}; Adam twin {twin64:.1e}")
    per_term = {}
    for k in ("total", *TERMS, "gradNorm"):
        ds = [abs(a[k] - b[k]) for v in variants.values() for a, b in zip(v["steps"], v["tfjsAtExport"]) if a[k] is not None and b[k] is not None]
        per_term[k] = {"maxAbsDiff": max(ds) if ds else None, "values": len(ds)}
    out = {
        "about": "Training steps of the golden tiny student, one run per term variant (src/model/testing/golden.ts), computed "
        "by the PyTorch mirror tools/golden/mirror.py in float64 from the tfjs export's initial weights and inputs. "
        "A term is null where it is not measured. Regenerate (developer command, needs torch in .cache/venv): npm run golden.",
        "produced": {"by": "npm run golden (npx tsx scripts/goldenExport.ts --backend cpu; sh tools/golden/run.sh)",
                     "torch": torch.__version__, "numpy": np.__version__, "dtype": "float64", "exportBackend": meta["backend"]},
        "model": json.loads(meta["model"]),
        "teacherModel": json.loads(meta["teacherModel"]),
        "maxAbsDiffTfjsVsTorchPerValue": per_term,
        "adamTwinNote": "hand Adam vs torch.optim.Adam(eps=1e-7) on the same loss; attn.bk excluded (its gradient is 0 in exact arithmetic)",
        "variants": variants,
    }
    text = json.dumps(out, indent=1)
    # Number arrays ([Σx, Σ|x|] sums, shapes) on one line each: the file stays diffable without 8,000 lines.
    text = re.sub(r"\[\s*([-0-9.eE+,\s]+?)\s*\]", lambda mt: "[" + ", ".join(mt.group(1).split()).replace(",,", ",") + "]", text)
    with open(OUT, "w") as f:
        f.write(text + "\n")
    print(f"golden: wrote {OUT} (torch {torch.__version__}, float64, {len(variants)} variants)")
    for k, d in per_term.items():
        print(f"  {k:9s} max |tfjs − torch| {d['maxAbsDiff']:.2e} over {d['values']} values" if d["maxAbsDiff"] is not None else f"  {k}: none")
    if worst > TOL:
        print(f"golden: tfjs and PyTorch differ by more than {TOL} (or measure different terms)", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
