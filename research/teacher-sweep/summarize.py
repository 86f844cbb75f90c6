# Prints the last evaluation of every (process, lr, n) of the teacher-recipe sweep: python3 summarize.py results-*.jsonl
import json, sys
last = {}
for f in sys.argv[1:]:
    for line in open(f):
        r = json.loads(line.replace('NaN', 'null'))
        last[(r['tag'], r['lr'], r['n'])] = r
for (tag, lr, n), r in sorted(last.items()):
    fams = ' '.join(f'{k} {v:.0f}' for k, v in r['fam'].items())
    print(f"{r['task']:6s} d{r['d']} L{r['layers']} H{r['heads']} b{r['batch']:<3d} lr {lr:.1e} n {n:6d} "
          f"step {r['step']:5d}/{r['steps']:<5d} overall {r['overall']:5.1f}  {fams}")
