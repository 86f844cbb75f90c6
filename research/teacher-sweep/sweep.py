# Research sweep (not shipped): K mini-LLaVA LMs of one shape trained side by side on oracle per-patch features,
# mirroring src/model (pre-LN, GELU, learned pos, mlp2x_gelu projector, init, Adam+warmup-cosine+clip 1).
import argparse, gzip, json, math, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

ap = argparse.ArgumentParser()
ap.add_argument('--task', default='shapes')
ap.add_argument('--d', type=int, default=128)
ap.add_argument('--layers', type=int, default=3)
ap.add_argument('--heads', type=int, default=4)
ap.add_argument('--mlp', type=int, default=4)
ap.add_argument('--batch', type=int, default=64)
ap.add_argument('--steps', type=int, default=12000)
ap.add_argument('--warmup', type=int, default=100)
ap.add_argument('--lrs', default='1e-3,3e-3')
ap.add_argument('--ns', default='48000')
ap.add_argument('--evalevery', type=int, default=1000)
ap.add_argument('--tag', default='x')
ap.add_argument('--maxwall', type=float, default=480)
ap.add_argument('--data', default='/tmp/data')
ap.add_argument('--out', default='/tmp/res')
ap.add_argument('--feats', type=int, default=0)  # 1: real encoder features (exportFeatures.ts) in place of oracle labels
ap.add_argument('--fscales', default='1')  # multipliers on the features, one variant each
a = ap.parse_args()
dev = "cuda" if torch.cuda.is_available() else "cpu"
torch.backends.cuda.matmul.allow_tf32 = True
torch.manual_seed(sum(map(ord, a.tag)))
t_start = time.time()

def load(split):
    meta = json.load(open(f'{a.data}/{a.task}-{split}.json'))
    def rd(ext, dt):
        p = f'{a.data}/{a.task}-{split}.{ext}'
        raw = gzip.open(p + '.gz').read() if os.path.exists(p + '.gz') else open(p, 'rb').read()
        return np.frombuffer(raw, dtype=dt)
    n, P, Lp, A = meta['n'], meta['P'], meta['Lp'], meta['A']
    if a.feats:
        lab = torch.from_numpy(rd('feat', np.int8).astype(np.float32).reshape(n, P, -1) * meta['featScale'])
    else:
        lab = torch.from_numpy(rd('lab', np.int8).astype(np.int64).reshape(n, P, 4))
    prm = torch.from_numpy(rd('prm', np.int16).astype(np.int64).reshape(n, Lp))
    ans = torch.from_numpy(rd('ans', np.int16).astype(np.int64).reshape(n, A))
    fam = torch.from_numpy(rd('fam', np.uint8).astype(np.int64))
    return meta, lab.to(dev), prm.to(dev), ans.to(dev), fam.to(dev)

meta, trL, trP, trA, trF = load('train')
vmeta, vaL, vaP, vaA, vaF = load('val')
P, Lp, A, V = meta['P'], meta['Lp'], meta['A'], meta['V']
nk = 6 if a.task == 'digits' else 5
classes = [7, nk, 3, 11]
dV = 64
def feats_of(lab):  # oracle one-hot features [N, P, dV]
    out = torch.zeros(lab.shape[0], P, dV, device=dev)
    off = 0
    for h, c in enumerate(classes):
        out.scatter_(2, (lab[:, :, h] + off).unsqueeze(-1), 1.0)
        off += c
    return out
trX, vaX = (trL, vaL) if a.feats else (feats_of(trL), feats_of(vaL))
L, T = P + Lp + A, Lp + A
lrs = [float(x) for x in a.lrs.split(',')]
ns = [int(x) for x in a.ns.split(',')]
fss = [float(x) for x in a.fscales.split(',')]
variants = [(lr, n, fs) for n in ns for fs in fss for lr in lrs]
K = len(variants)
d, H, NL, hdim = a.d, a.heads, a.layers, a.d * a.mlp
std, outStd = 1 / math.sqrt(d), 1 / math.sqrt(d) / math.sqrt(2 * max(1, NL))
params = {}
def W(name, shape, s):
    params[name] = (torch.randn(K, *shape, device=dev) * s).requires_grad_()
def Z(name, shape, val=0.0):
    params[name] = torch.full((K, *shape), val, device=dev).requires_grad_()
W('p1w', (dV, d), 1 / math.sqrt(dV)); Z('p1b', (d,))
W('p2w', (d, d), std); Z('p2b', (d,))
W('emb', (V, d), 0.02); W('pos', (L, d), 0.02)
for i in range(NL):
    Z(f'{i}ln1g', (d,), 1.0); Z(f'{i}ln1b', (d,))
    for m in 'qkv':
        W(f'{i}w{m}', (d, d), std); Z(f'{i}b{m}', (d,))
    W(f'{i}wo', (d, d), outStd); Z(f'{i}bo', (d,))
    Z(f'{i}ln2g', (d,), 1.0); Z(f'{i}ln2b', (d,))
    W(f'{i}f1w', (d, hdim), std); Z(f'{i}f1b', (hdim,))
    W(f'{i}f2w', (hdim, d), outStd); Z(f'{i}f2b', (d,))
Z('lnfg', (d,), 1.0); Z('lnfb', (d,))
W('hw', (d, V), std); Z('hb', (V,))
p = params

def lin(x, w, b):  # x [K, ..., n], w [K, n, m], b [K, m]
    sh = x.shape
    y = torch.bmm(x.reshape(K, -1, sh[-1]), w) + b[:, None, :]
    return y.reshape(*sh[:-1], w.shape[-1])
def ln(x, g, b):
    y = F.layer_norm(x, (x.shape[-1],), eps=1e-5)
    return y * g[:, None, None, :] + b[:, None, None, :]
gelu = lambda x: F.gelu(x)
causal = torch.triu(torch.full((L, L), -1e9, device=dev), diagonal=1)
kidx = torch.arange(K, device=dev)

fsT = torch.tensor([fs for _, _, fs in variants], device=dev)
def forward(X, ids):  # X [K,B,P,dV], ids [K,B,T] → logits [K,B,A,V]
    B = X.shape[1]
    X = X * fsT[:, None, None, None]
    img = lin(gelu(lin(X, p['p1w'], p['p1b'])), p['p2w'], p['p2b'])
    txt = p['emb'][kidx[:, None, None], ids]
    x = torch.cat([img, txt], 2) + p['pos'][:, None]
    padk = torch.cat([torch.zeros(K, B, P, device=dev), (ids == 0).float() * -1e9], 2)  # [K,B,L]
    bias = causal[None, None, None] + padk[:, :, None, None, :]  # [K,B,1,L,L]
    dh = d // H
    for i in range(NL):
        h = ln(x, p[f'{i}ln1g'], p[f'{i}ln1b'])
        sp = lambda t: t.reshape(K, B, L, H, dh).transpose(2, 3)
        q = sp(lin(h, p[f'{i}wq'], p[f'{i}bq']) / math.sqrt(dh))
        k = sp(lin(h, p[f'{i}wk'], p[f'{i}bk']))
        v = sp(lin(h, p[f'{i}wv'], p[f'{i}bv']))
        att = torch.softmax(q @ k.transpose(-1, -2) + bias, -1)
        ctx = (att @ v).transpose(2, 3).reshape(K, B, L, d)
        x = x + lin(ctx, p[f'{i}wo'], p[f'{i}bo'])
        h = ln(x, p[f'{i}ln2g'], p[f'{i}ln2b'])
        x = x + lin(gelu(lin(h, p[f'{i}f1w'], p[f'{i}f1b'])), p[f'{i}f2w'], p[f'{i}f2b'])
    x = ln(x, p['lnfg'], p['lnfb'])[:, :, P + Lp:]
    return lin(x, p['hw'], p['hb'])

def text_ids(prm, ans):  # [..., Lp], [..., A] → [..., T]
    bos = torch.ones(*prm.shape[:-1], 1, dtype=prm.dtype, device=dev)
    return torch.cat([prm, bos, ans[..., :A - 1]], -1)
def amask(ans):  # 1 up to and including the first <eos>(2), not <pad>(0)
    m = torch.ones_like(ans, dtype=torch.float32)
    stop = torch.zeros(ans.shape[:-1], dtype=torch.bool, device=dev)
    for t in range(A):
        m[..., t] = (~stop & (ans[..., t] != 0)).float()
        stop = stop | (ans[..., t] == 2) | (ans[..., t] == 0)
    return m

nT = torch.tensor([n for _, n, _ in variants], device=dev, dtype=torch.float32)
mom = {k: torch.zeros_like(v) for k, v in p.items()}
vel = {k: torch.zeros_like(v) for k, v in p.items()}
b1, b2, eps = 0.9, 0.999, 1e-7
fams = meta['families']
os.makedirs(a.out, exist_ok=True)
outf = open(f'{a.out}/{a.tag}.jsonl', 'a')

@torch.no_grad()
def evaluate(step, ce_ema):
    Nv = vaX.shape[0]
    correct = torch.zeros(K, Nv, device=dev)
    for s in range(0, Nv, 500):
        X = vaX[s:s + 500][None].expand(K, -1, -1, -1)
        ans = vaA[s:s + 500]
        ids = text_ids(vaP[s:s + 500], ans)[None].expand(K, -1, -1)
        pred = forward(X, ids).argmax(-1)  # [K,B,A]
        m = amask(ans)[None]
        ok = ((pred == ans[None]) | (m == 0)).all(-1)
        correct[:, s:s + 500] = ok.float()
    for k, (lr, n, fs) in enumerate(variants):
        pf = {f: round(100 * correct[k][vaF == j].mean().item(), 1) for j, f in enumerate(fams)}
        rec = dict(tag=a.tag, task=a.task, d=d, layers=NL, heads=H, batch=a.batch, steps=a.steps, lr=lr, n=n, fs=fs, feats=a.feats, step=step,
                   overall=round(100 * correct[k].mean().item(), 2), fam=pf, ce=round(ce_ema[k], 4), wall=round(time.time() - t_start, 1))
        outf.write(json.dumps(rec) + '\n'); outf.flush()
        print(json.dumps(rec), flush=True)

ce_ema = [float('nan')] * K
t0 = time.time()
step = 0
for step in range(1, a.steps + 1):
    idx = (torch.rand(K, a.batch, device=dev) * nT[:, None]).long()
    X, prm, ans = trX[idx], trP[idx], trA[idx]
    ids = text_ids(prm, ans)
    logits = forward(X, ids)
    ce = F.cross_entropy(logits.reshape(-1, V), ans.reshape(-1), reduction='none').reshape(K, a.batch, A)
    m = amask(ans)
    lossk = (ce * m).sum((1, 2)) / m.sum((1, 2))
    grads = torch.autograd.grad(lossk.sum(), list(p.values()))
    with torch.no_grad():
        sq = sum(g.pow(2).reshape(K, -1).sum(1) for g in grads)
        scale = 1.0 / torch.clamp(sq.sqrt(), min=1.0)
        s0 = step - 1
        lrk = []
        for lr, _, _ in variants:
            if s0 < a.warmup: lrk.append(lr * (s0 + 1) / a.warmup)
            else:
                t = min(1.0, (s0 - a.warmup) / max(1, a.steps - a.warmup))
                fl = 0.05 * lr
                lrk.append(fl + 0.5 * (lr - fl) * (1 + math.cos(math.pi * t)))
        lrt = torch.tensor(lrk, device=dev)
        c1, c2 = 1 - b1 ** step, 1 - b2 ** step
        for (name, w), g in zip(p.items(), grads):
            sh = (K,) + (1,) * (w.dim() - 1)
            g = g * scale.view(sh)
            mom[name].mul_(b1).add_(g, alpha=1 - b1)
            vel[name].mul_(b2).addcmul_(g, g, value=1 - b2)
            w.sub_(lrt.view(sh) * (mom[name] / c1) / ((vel[name] / c2).sqrt() + eps))
    if step % 50 == 0:
        lv = lossk.detach().cpu().tolist()
        ce_ema = [x if math.isnan(e) else 0.9 * e + 0.1 * x for e, x in zip(ce_ema, lv)]
    if step % a.evalevery == 0 or step == a.steps:
        evaluate(step, ce_ema)
    if time.time() - t_start > a.maxwall:
        evaluate(step, ce_ema)
        print(f'{a.tag}: stopped by maxwall at step {step}', flush=True)
        break
print(f'{a.tag}: done {step} steps in {time.time() - t0:.0f}s ({(time.time() - t0) / max(1, step) * 1000:.1f} ms/step)', flush=True)
