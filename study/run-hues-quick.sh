#!/bin/sh
# Issue 27's quick study on the hues pack: CE (a), CE + tuned fKL (b: ×3, T 4, T²) and CE + fKL ×1 at T 1 (d), 5 seeds,
# the lab's default 1,500 steps, once from scratch and once from the pack's pretrained student — two processes, one per
# core. Writes study/quick-hues-scratch.json and study/quick-hues-pretrained.json (logs: study/log-hues-quick-*.txt).
cd "$(dirname "$0")/.." || exit 1
for init in scratch pretrained; do
  npm run --silent study -- --quick --pack hues --only a,b,d --seeds 5 --init "$init" --out "study/quick-hues-$init.json" > "study/log-hues-quick-$init.txt" 2>&1 &
done
wait
