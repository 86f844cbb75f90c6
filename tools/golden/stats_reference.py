# Reference values for src/core/study/stats.test.ts (issue 28): Welch t, df, two-sided p, 95 % CI, TOST at a 3-point
# margin from scipy.stats; Holm written out as statsmodels defines it. Run: python3 tools/golden/stats_reference.py > src/core/testing/statsGolden.json
import json
from scipy import stats
import numpy as np
cases = [
  ([48.2, 51.0, 45.6, 50.3, 47.7], [44.1, 46.9, 40.2, 45.5, 43.0, 47.2]),
  ([60.1, 58.4, 62.3], [55.0, 57.2, 54.1, 59.9, 52.8, 56.0, 58.3]),
  ([33.0, 35.5, 31.2, 36.8, 34.4, 30.9, 33.3, 35.0], [33.8, 34.9, 32.0, 36.1, 35.2, 31.7, 33.9, 34.6]),
]
out = []
for a, b in cases:
    r = stats.ttest_ind(a, b, equal_var=False)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = float(np.sqrt(va + vb)); df = float((va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1)))
    diff = float(np.mean(a) - np.mean(b)); q = float(stats.t.ppf(0.975, df))
    m = 3.0
    p_lo = float(stats.t.sf((diff + m) / se, df)); p_hi = float(stats.t.cdf((diff - m) / se, df))
    out.append(dict(a=a, b=b, t=float(r.statistic), df=df, p=float(r.pvalue), se=se, diff=diff, ci95=[diff - q * se, diff + q * se], tost3=max(p_lo, p_hi)))
ps = [0.01, 0.04, 0.03, 0.005, 0.2]
# Holm by statsmodels' definition, written out: sort, multiply by (m - rank), running max, cap 1
order = np.argsort(ps); m = len(ps); adj = np.empty(m); run = 0.0
for k, i in enumerate(order):
    run = max(run, min(1.0, (m - k) * ps[i])); adj[i] = run
print(json.dumps(dict(scipy=__import__('scipy').__version__, welch=out, holm=dict(p=ps, adjusted=adj.tolist())), indent=1))
