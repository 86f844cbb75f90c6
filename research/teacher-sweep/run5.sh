#!/bin/bash
# Device runner, fifth call: can the *student* preset (d64 L2 H2, batch 32) learn the task, and from how much data
# and how many steps? Real features at the shipped packs' scale (shapes F 0.125 = norm 0.25; digits F 0.5 = norm 1).
set -u
D=${1:-.dev/carry/feat}
mkdir -p /tmp/data /tmp/res5
cp $D/* /tmp/data/
T0=$(date +%s)
S=research/teacher-sweep/sweep.py
MW=${MW:-230}
run() { tag=$1; shift; timeout 290 python3 $S --feats 1 --tag $tag --maxwall $MW --out /tmp/res5 "$@" > /tmp/res5/$tag.log 2>&1 & }
ST="--d 64 --layers 2 --heads 2 --batch 32 --warmup 20"
run t1 --task shapes $ST --steps 600 --evalevery 300 --lrs 1e-3,3e-3 --ns 500,3500 --fscales 0.125
run t2 --task shapes $ST --steps 3000 --evalevery 500 --lrs 1e-3,3e-3 --ns 500,3500 --fscales 0.125
run t3 --task shapes $ST --steps 10000 --evalevery 1000 --lrs 1e-3,3e-3 --ns 3500,48000 --fscales 0.125
run t4 --task digits $ST --steps 600 --evalevery 300 --lrs 1e-3,3e-3 --ns 500,2500 --fscales 0.5
run t5 --task digits $ST --steps 3000 --evalevery 500 --lrs 1e-3,3e-3 --ns 500,2500 --fscales 0.5
run t6 --task shapes --d 128 --layers 3 --heads 4 --batch 32 --warmup 20 --steps 600 --evalevery 300 --lrs 1e-3,3e-3 --ns 500,3500 --fscales 0.125
run t7 --task shapes $ST --steps 600 --evalevery 300 --lrs 1e-3,3e-3 --ns 3500 --fscales 0.5,5
wait
echo "all done after $(( $(date +%s) - T0 )) s"
cat /tmp/res5/*.jsonl > $OUT/all.jsonl
grep -h "done\|stopped\|Error\|error" /tmp/res5/*.log
