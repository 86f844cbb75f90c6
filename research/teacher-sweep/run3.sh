#!/bin/bash
# Device runner, third call: the teacher's recipe on the real stage-0 encoder's features (rescaled to mean patch
# norm 2; exportFeatures.ts output in $1), with multipliers on those features (fs 5 ≈ the unscaled encoder).
set -u
D=${1:-.dev/carry/feat}
mkdir -p /tmp/data /tmp/res
cp $D/* /tmp/data/
nvidia-smi -L
T0=$(date +%s)
S=research/teacher-sweep/sweep.py
python3 $S --feats 1 --task digits --steps 4 --evalevery 2 --lrs 1e-3 --fscales 1,2 --tag smoke --out /tmp/smoke --warmup 2 || { echo SMOKE FAILED; exit 3; }
echo "smoke ok after $(( $(date +%s) - T0 )) s"
MW=${MW:-330}
run() { tag=$1; shift; timeout 400 python3 $S --feats 1 --tag $tag --maxwall $MW --out /tmp/res --evalevery 500 "$@" > /tmp/res/$tag.log 2>&1 & }
run sA --task shapes --layers 4 --heads 8 --steps 3000 --lrs 1e-3 --fscales 0.5,1,2.5,5
run sB --task shapes --layers 4 --heads 8 --steps 3000 --lrs 7e-4,1e-3,1.5e-3,2e-3
run sC --task shapes --layers 4 --heads 8 --steps 5000 --lrs 1e-3,1.5e-3 --fscales 1,0.5
run gA --task digits --layers 3 --heads 4 --steps 4000 --lrs 6e-4 --fscales 0.5,1,2.5,5
run gB --task digits --layers 3 --heads 4 --steps 4000 --lrs 4e-4,6e-4,1e-3,1.5e-3
run gC --task digits --layers 4 --heads 8 --steps 4000 --lrs 6e-4,1e-3 --fscales 1,0.5
run gD --task digits --layers 3 --heads 4 --steps 6000 --lrs 6e-4,1e-3 --fscales 1,0.5
sleep 45; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv; tail -qn 1 /tmp/res/*.log
wait
echo "all done after $(( $(date +%s) - T0 )) s"
cat /tmp/res/*.jsonl > $OUT/all.jsonl
grep -h "done\|stopped\|Error\|error" /tmp/res/*.log
