# PyTorch speed peer of the lab's student CE training step (npm run bench:peer; DESIGN §5 "Speed peers"): the same
# step as the tfjs trainer (scripts/lib/benchTrainer.ts, mode 'ce'), timed on request from scripts/benchPeer.ts.
#
# Usage: python tools/peer/peer_step.py DATA.safetensors   (spawned by scripts/benchPeer.ts; not meant to be run alone)
#   DATA: what benchPeer.ts exported from the tfjs trainer: its initial weights (init.*), its frozen-encoder feature
#   cache and the host batch of all N samples (text ids, targets, masks, cached teacher targets), the optimiser
#   settings and the values of its first steps. Protocol: one JSON line per message on stdin/stdout (logs on stderr):
#     -> (startup)                          <- {"ready": true, "torch", "blas", "threads", "check": {...}}
#     -> {"cmd": "steps", "n", "threads"}   <- {"ms": [n step times in ms]}
#     -> {"cmd": "quit"}                    (exits 0)
#
# The step (adapted from tools/golden/mirror.py, which is the golden test's independent mirror; shapes as there,
# weights [in, out], x·W) does what Trainer.step does for the bench's CE config:
#   batch      B rows of the cached features [N,P,dV] and of the host arrays (the tfjs step gathers and uploads them)
#   forward    projector mlp2x_gelu -> [img | E[ids]] + pos -> pre-LN blocks (causal, <pad> keys masked, exact GELU)
#              -> final LN -> head at the A answer-predicting positions
#   terms      CE (weight 1) on the answer slots; KD fkl, hidden (φ, mse), affinity and attention are computed for the
#              report as the tfjs step does (weight 0: off the gradient path, as in tfjs)
#   update     global-norm clip g·c/max(‖g‖, c), torch.optim.Adam (eps from the export: 1e-7), lr from the schedule
#   read       one host read of the 8 step values (the tfjs step's readStep)
import json
import math
import os
import re
import struct
import sys
import time

PAD = 0  # <pad> (src/core/base/tokenizer.ts)


def log(msg):
    print(f"peer_step: {msg}", file=sys.stderr, flush=True)


try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:
    print(json.dumps({"ready": False, "reason": f"PyTorch or numpy not importable ({e})"}), flush=True)
    sys.exit(0)


sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden"))  # tools/golden/mirror_common.py
from mirror_common import gelu, layer_norm, lm_blocks, lr_at, read_safetensors  # noqa: E402


def forward(p, m, feats, text_ids, causal):
    """feats [B,P,dV], text_ids [B,T] -> (answer logits [B,A,V], hidden [B,L,d], last-layer probs [B,H,L,L])."""
    B, P, d, H = feats.shape[0], m["P"], m["d"], m["heads"]
    L = P + m["Lp"] + m["A"]
    img = gelu(feats @ p["projector.fc1.w"] + p["projector.fc1.b"]) @ p["projector.fc2.w"] + p["projector.fc2.b"]
    x = torch.cat([img, p["lm.embed"][text_ids]], dim=1) + p["lm.pos"]  # [B,L,d]
    key_pad = torch.cat([torch.zeros(B, P, dtype=torch.bool), text_ids == PAD], dim=1)  # [B,L]
    blocked = causal[None, None] | key_pad[:, None, None, :]  # [B,1,L,L]
    x, probs = lm_blocks(p, m, x, blocked)
    hidden = layer_norm(x, p["lm.lnf.g"], p["lm.lnf.b"])
    logits = hidden[:, P + m["Lp"] :, :] @ p["lm.head.w"] + p["lm.head.b"]
    return logits, hidden, probs


def masked_mean(vals, mask):
    n = mask.sum()
    return (vals * mask).sum() / torch.clamp(n, min=1e-30)


def unit(h, eps=1e-8):  # h / max(‖h‖, NORM_EPS) (src/core/kd/kdRef.ts NORM_EPS)
    return h / torch.clamp(h.norm(dim=-1, keepdim=True), min=eps)


class Peer:
    def __init__(self, meta, t):
        self.m = json.loads(meta["model"])
        self.o = json.loads(meta["optim"])
        self.w = json.loads(meta["weights"])
        self.B = int(meta["batch"])
        assert all(self.w[k] == 0 for k in ("seq", "kd", "hidden", "affinity", "attention")), "peer mirrors the CE step"
        kd = json.loads(meta["kd"])
        assert kd["divergence"] == "fkl" and kd["topKMode"] == "dense" and kd["T"] == 1 and not kd["normLogits"]
        assert json.loads(meta["hiddenMode"]) == "mse"
        self.t = t
        self.check_steps = json.loads(meta["check"])
        m = self.m
        L = m["P"] + m["Lp"] + m["A"]
        self.causal = torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)
        self.features = torch.from_numpy(t["features"])  # the trainer's cache [N,P,dV]
        self.N = self.features.shape[0]
        self.pool = np.asarray(json.loads(meta["pool"]), dtype=np.int64)  # the labeled rows the tfjs iterator draws
        self.order_rng = np.random.default_rng(11)
        self.order, self.cursor = self.order_rng.permutation(self.pool), 0
        self.reset()

    def reset(self):
        """Fresh parameters from the tfjs init, a fresh optimiser and step counter."""
        names = sorted(k[len("init.") :] for k in self.t if k.startswith("init."))
        self.p = {n: torch.tensor(self.t["init." + n], requires_grad=True) for n in names}
        self.model_names = [n for n in names if not n.startswith("phi.")]
        o = self.o
        self.opt = torch.optim.Adam([self.p[n] for n in self.model_names], lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["epsilon"])
        self.step_no = 0

    def next_batch(self):
        if self.cursor + self.B > len(self.order):
            self.order, self.cursor = self.order_rng.permutation(self.pool), 0
        idx = self.order[self.cursor : self.cursor + self.B]
        self.cursor += self.B
        return idx

    def step(self, idx):
        """One training step on rows idx; returns the 8 values (total, ce, seq, kd, hidden, affinity, attention, gradNorm)."""
        m, t, p = self.m, self.t, self.p
        B, A, V, P = len(idx), m["A"], m["vocabSize"], m["P"]
        R = B * A
        ti = torch.from_numpy(idx)
        feats = self.features.index_select(0, ti)  # tf.gather on the cache
        text = torch.from_numpy(t["text"][idx]).long()
        kd_ids = torch.from_numpy(t["kd_ids"][idx]).long().reshape(R)
        ce_mask = torch.from_numpy(t["ce_mask"][idx]).reshape(R)
        kd_mask = torch.from_numpy(t["kd_mask"][idx])  # [B,A]
        zt = torch.from_numpy(t["teacher_logits"][idx]).reshape(R, V)
        ht = torch.from_numpy(t["teacher_hidden"][idx])
        st = torch.from_numpy(t["teacher_affinity"][idx])
        at = torch.from_numpy(t["teacher_attention"][idx])
        logits, hidden, probs = forward(p, m, feats, text, self.causal)
        zs = logits.reshape(R, V)
        ls = torch.log_softmax(zs, -1)
        ce = masked_mean(-ls.gather(-1, kd_ids[:, None])[:, 0], ce_mask)
        kmask = kd_mask.reshape(R)
        # Reported terms (weight 0): computed as the tfjs step computes them, off the gradient path of the total.
        lt = torch.log_softmax(zt, -1)
        kd = masked_mean((lt.exp() * (lt - ls)).sum(-1), kmask)
        h_ans, h_img = hidden[:, P + m["Lp"] :, :], hidden[:, :P, :]
        hs = gelu(h_ans @ p["phi.fc1.w"] + p["phi.fc1.b"]) @ p["phi.fc2.w"] + p["phi.fc2.b"]
        hid = masked_mean(((hs - ht) ** 2).mean(-1).reshape(R), kmask)
        ss = unit(h_img) @ unit(h_ans).transpose(1, 2)  # [B,P,A]
        aff = (((ss - st) ** 2) * kd_mask[:, None, :]).sum() / torch.clamp(kd_mask.sum() * P, min=1e-30)
        att_s = probs.mean(1)[:, P + m["Lp"] :, :P]  # [B,A,P]
        att = (((att_s - at) ** 2) * kd_mask[:, :, None]).sum() / torch.clamp(kd_mask.sum() * P, min=1e-30)
        total = self.w["ce"] * ce
        self.opt.zero_grad(set_to_none=True)
        total.backward()
        with torch.no_grad():
            grads = [p[n].grad for n in self.model_names]
            norm = torch.sqrt(torch.stack([(g * g).sum() for g in grads]).sum())
            c = self.o["clipNorm"]
            if c > 0:
                scale = c / torch.clamp(norm, min=c)
                for g in grads:
                    g.mul_(scale)
        for gr in self.opt.param_groups:
            gr["lr"] = lr_at(self.o, self.step_no)
        self.opt.step()
        self.step_no += 1
        nan = torch.tensor(float("nan"))
        vals = torch.stack([total.detach(), ce.detach(), nan, kd.detach(), hid.detach(), aff.detach(), att.detach(), norm])
        return vals.tolist()  # the one host read

    def check(self):
        """Replay the tfjs trainer's first steps (same init, same batches): the values must agree to float32 roundoff."""
        names = ["total", "ce", "seq", "kd", "hidden", "affinity", "attention", "gradNorm"]
        worst = 0.0
        rows = []
        for s in self.check_steps:
            got = self.step(np.asarray(s["batch"], dtype=np.int64))
            diff = {}
            for k, g in zip(names, got):
                want = s["values"][k]
                if want is None or (isinstance(want, float) and math.isnan(want)) or math.isnan(g):
                    continue
                diff[k] = abs(g - want)
            worst = max(worst, max(diff.values()))
            rows.append({"step": s["step"], "torch": {k: (None if math.isnan(g) else g) for k, g in zip(names, got)},
                         "absDiff": diff, "maxAbsDiff": max(diff.values())})
        self.reset()  # timing starts again from the init
        return {"steps": rows, "maxAbsDiff": worst, "ok": worst < 1e-3}

    def timed(self, n, threads):
        torch.set_num_threads(threads)
        ms = []
        for _ in range(n):
            idx = self.next_batch()
            t0 = time.perf_counter()
            self.step(idx)
            ms.append((time.perf_counter() - t0) * 1000)
        return ms


def blas_info():
    m = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


def main():
    if len(sys.argv) < 2:
        print("usage: python tools/peer/peer_step.py DATA.safetensors", file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    meta, t = read_safetensors(sys.argv[1])
    assert meta.get("format") == "llavadi-lab-peer" and meta.get("version") == "1", "not a bench:peer export"
    peer = Peer(meta, t)
    chk = peer.check()
    log(f"check vs tfjs's first {len(chk['steps'])} steps: max |diff| {chk['maxAbsDiff']:.2e}")
    for r in chk["steps"]:
        log(f"  step {r['step']}: " + " ".join(f"{k} {v:.1e}" for k, v in r["absDiff"].items()))
    print(json.dumps({"ready": True, "torch": torch.__version__, "blas": blas_info(), "threads": torch.get_num_threads(),
                      "numpy": np.__version__, "check": chk}), flush=True)
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        msg = json.loads(line)
        if msg["cmd"] == "quit":
            return
        if msg["cmd"] == "steps":
            print(json.dumps({"ms": peer.timed(int(msg["n"]), int(msg.get("threads", 1)))}), flush=True)
        else:
            print(json.dumps({"error": f"unknown cmd {msg['cmd']}"}), flush=True)


main()
