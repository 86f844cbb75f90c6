# Lanes stacked on one device (issue 32 item 2), the same math in PyTorch, for a lent GPU machine (no browser there):
# the lab's student CE step for L lanes run one lane after another vs stacked along a leading axis (torch.func.vmap
# over the lanes' parameters, one kernel per op for every lane); checks that both give the same losses and prints
# kernels and ms per race step for each lane count.
#
# Usage: python tools/gpu/stacked_lanes.py [--device cuda|cpu] [--lanes 1,4] [--steps 20] [--batch 32] [--out FILE]
#   writes FILE (default $OUT/gpu-lanes.json when $OUT is set, else bench/results/gpu-lanes.json).
# The model is the lab's student preset on the shapes pack (src/model/configs.ts STUDENT_PRESET; pack dims P 9, Lp 13,
# A 4, V 57, dV 64): projector mlp2x_gelu, pre-LN causal blocks (tools/golden/mirror_common.py lm_blocks), CE on the
# answer slots, global-norm clip 1, Adam (eps 1e-7) — each lane with its own init and batches, as a race of lanes
# whose configs differ. Random data: the check is stacked vs unstacked, the figure is the dispatch count and time.
import argparse
import json
import math
import os
import sys
import time

import torch
from torch.func import functional_call, grad_and_value, vmap  # noqa: F401  (functional_call kept for readers)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden"))
from mirror_common import gelu, layer_norm, lm_blocks  # noqa: E402

M = {"d": 64, "layers": 2, "heads": 2, "mlpRatio": 4, "P": 9, "Lp": 13, "A": 4, "vocabSize": 57, "dV": 64}
PAD = 0


def init_params(seed, device):
    """One lane's parameters ([in, out] weights, std 1/√fan_in as src/model/layers.ts)."""
    g = torch.Generator().manual_seed(seed)
    d, V, dV, h = M["d"], M["vocabSize"], M["dV"], M["d"] * M["mlpRatio"]
    L = M["P"] + M["Lp"] + M["A"]
    n = lambda *s: torch.randn(*s, generator=g) / math.sqrt(s[0])
    p = {"projector.fc1.w": n(dV, d), "projector.fc1.b": torch.zeros(d), "projector.fc2.w": n(d, d),
         "projector.fc2.b": torch.zeros(d), "lm.embed": n(V, d), "lm.pos": n(L, d) * 0.1,
         "lm.lnf.g": torch.ones(d), "lm.lnf.b": torch.zeros(d), "lm.head.w": n(d, V), "lm.head.b": torch.zeros(V)}
    for i in range(M["layers"]):
        q = f"lm.blocks.{i}."
        p.update({q + "ln1.g": torch.ones(d), q + "ln1.b": torch.zeros(d), q + "ln2.g": torch.ones(d),
                  q + "ln2.b": torch.zeros(d), q + "mlp.fc1.w": n(d, h), q + "mlp.fc1.b": torch.zeros(h),
                  q + "mlp.fc2.w": n(h, d), q + "mlp.fc2.b": torch.zeros(d)})
        for k in "qkvo":
            p[q + f"attn.w{k}"] = n(d, d)
            p[q + f"attn.b{k}"] = torch.zeros(d)
    return {k: v.to(device) for k, v in p.items()}


def make_batches(seed, steps, B, device):
    """Random features, prompts and answers for `steps` steps of one lane: feats [S,B,P,dV], text [S,B,T], target [S,B,A]."""
    g = torch.Generator().manual_seed(seed)
    P, Lp, A, V, dV = M["P"], M["Lp"], M["A"], M["vocabSize"], M["dV"]
    feats = torch.randn(steps, B, P, dV, generator=g)
    ans = torch.randint(4, V, (steps, B, A), generator=g)
    ans[..., -1] = 2  # <eos>
    prompt = torch.randint(4, V, (steps, B, Lp), generator=g)
    prompt[..., Lp - 3 :] = PAD  # right-padded prompts: <pad> is masked as a key
    text = torch.cat([prompt, torch.ones(steps, B, 1, dtype=torch.long), ans[..., :-1]], dim=-1)
    return feats.to(device), text.to(device), ans.to(device)


def loss_fn(p, feats, text, target):
    """CE on the answer slots of one lane's batch (what Trainer.step minimises with weights ce 1, the rest 0)."""
    B, P = feats.shape[0], M["P"]
    L = P + M["Lp"] + M["A"]
    img = gelu(feats @ p["projector.fc1.w"] + p["projector.fc1.b"]) @ p["projector.fc2.w"] + p["projector.fc2.b"]
    x = torch.cat([img, p["lm.embed"][text]], dim=1) + p["lm.pos"]
    causal = torch.triu(torch.ones(L, L, dtype=torch.bool, device=feats.device), diagonal=1)
    key_pad = torch.cat([torch.zeros(B, P, dtype=torch.bool, device=feats.device), text == PAD], dim=1)
    x, _ = lm_blocks(p, M, x, causal[None, None] | key_pad[:, None, None, :])
    h = layer_norm(x, p["lm.lnf.g"], p["lm.lnf.b"])[:, P + M["Lp"] :, :]
    logits = h @ p["lm.head.w"] + p["lm.head.b"]
    return torch.nn.functional.cross_entropy(logits.reshape(-1, M["vocabSize"]), target.reshape(-1))


def adam_update(p, g, m, v, t, lr=1e-3, b1=0.9, b2=0.999, eps=1e-7, clip=1.0, lane_dims=0):
    """Global-norm clip (per lane: the norm sums every axis but the first `lane_dims`) and Adam, in place."""
    sq = sum((gi * gi).sum(dim=tuple(range(lane_dims, gi.dim()))) for gi in g.values())
    scale = clip / torch.clamp(torch.sqrt(sq), min=clip)
    for k in p:
        gk = g[k] * (scale.reshape(scale.shape + (1,) * (g[k].dim() - lane_dims)) if lane_dims else scale)
        m[k].mul_(b1).add_(gk, alpha=1 - b1)
        v[k].mul_(b2).addcmul_(gk, gk, value=1 - b2)
        mh, vh = m[k] / (1 - b1**t), v[k] / (1 - b2**t)
        p[k].sub_(lr * mh / (torch.sqrt(vh) + eps))


def per_lane(lanes, data, steps, device):
    """Each lane stepped on its own (what the lab does today): losses [steps][lanes], ms per race step."""
    params = [init_params(100 + i, device) for i in range(lanes)]
    opt = [({k: torch.zeros_like(v) for k, v in p.items()}, {k: torch.zeros_like(v) for k, v in p.items()}) for p in params]
    step = grad_and_value(loss_fn)
    losses, ms = [], []
    for s in range(steps):
        sync(device)
        t0 = time.perf_counter()
        row = []
        for i, p in enumerate(params):
            g, loss = step(p, data[i][0][s], data[i][1][s], data[i][2][s])
            with torch.no_grad():
                adam_update(p, g, opt[i][0], opt[i][1], s + 1)
            row.append(loss)
        row = torch.stack(row).tolist()  # the one read per race step
        ms.append((time.perf_counter() - t0) * 1000)
        losses.append(row)
    return losses, ms


def stacked(lanes, data, steps, device):
    """Every lane in one stacked step: parameters [lanes, …], vmap over the lanes: losses, ms per race step."""
    per = [init_params(100 + i, device) for i in range(lanes)]
    p = {k: torch.stack([q[k] for q in per]) for k in per[0]}
    m = {k: torch.zeros_like(v) for k, v in p.items()}
    v2 = {k: torch.zeros_like(v) for k, v in p.items()}
    feats = torch.stack([d[0] for d in data], 1)  # [S, lanes, B, P, dV]
    text = torch.stack([d[1] for d in data], 1)
    target = torch.stack([d[2] for d in data], 1)
    step = vmap(grad_and_value(loss_fn))
    losses, ms = [], []
    for s in range(steps):
        sync(device)
        t0 = time.perf_counter()
        g, loss = step(p, feats[s], text[s], target[s])
        with torch.no_grad():
            adam_update(p, g, m, v2, s + 1, lane_dims=1)
        row = loss.tolist()
        ms.append((time.perf_counter() - t0) * 1000)
        losses.append(row)
    return losses, ms


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def kernels_per_step(fn, lanes, data, device):
    """Device kernels (CUDA) or ops (CPU) of one race step, counted with torch.profiler over 3 steps after 2."""
    from torch.profiler import ProfilerActivity, profile

    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device == "cuda" else [])
    fn(lanes, data, 2, device)
    with profile(activities=acts) as prof:
        fn(lanes, data, 3, device)
    if device == "cuda":
        n = sum(1 for e in prof.events() if e.device_type.name == "CUDA")
    else:
        n = sum(1 for e in prof.events() if e.name.startswith("aten::") and e.cpu_parent is None)
    return n / 3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--lanes", default="1,4")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--out", default=os.path.join(os.environ["OUT"], "gpu-lanes.json") if os.environ.get("OUT") else "bench/results/gpu-lanes.json")
    a = ap.parse_args()
    torch.manual_seed(0)
    dev = a.device
    rows = {}
    for n in [int(x) for x in a.lanes.split(",")]:
        data = [make_batches(200 + i, a.steps, a.batch, dev) for i in range(n)]
        lu, mu = per_lane(n, data, a.steps, dev)
        ls, msx = stacked(n, data, a.steps, dev)
        rel = max(abs(x - y) / max(abs(x), 1e-12) for r1, r2 in zip(lu, ls) for x, y in zip(r1, r2))
        med = lambda xs: sorted(xs[2:])[len(xs[2:]) // 2]
        rows[str(n)] = {
            "lossesMaxRelDiff": rel,
            "sameWithin1e-5": rel <= 1e-5,
            "msPerRaceStep": {"perLane": round(med(mu), 3), "stacked": round(med(msx), 3)},
            "kernelsPerRaceStep": {"perLane": kernels_per_step(per_lane, n, data, dev),
                                   "stacked": kernels_per_step(stacked, n, data, dev)},
        }
        r = rows[str(n)]
        print(f"{n} lane(s) on {dev}: losses stacked vs per lane max rel diff {rel:.2e}; ms/race step per lane "
              f"{r['msPerRaceStep']['perLane']} vs stacked {r['msPerRaceStep']['stacked']}; kernels per lane "
              f"{r['kernelsPerRaceStep']['perLane']:.0f} vs stacked {r['kernelsPerRaceStep']['stacked']:.0f}", flush=True)
    first = rows[min(rows, key=int)]["kernelsPerRaceStep"]["stacked"]
    for r in rows.values():
        r["stackedKernelsVsOneLane"] = round(r["kernelsPerRaceStep"]["stacked"] / first, 3)
    out = {"device": dev, "gpu": torch.cuda.get_device_name(0) if dev == "cuda" else None, "torch": torch.__version__,
           "batch": a.batch, "steps": a.steps, "model": M, "lanes": rows,
           "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=2)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
