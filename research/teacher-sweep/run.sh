#!/bin/bash
# Device runner for the recipe sweep: smoke test, then 10 processes side by side, results to $OUT.
set -u
cd "$(dirname "$0")"  # beside this script: sweep.py and data/ (exportData.ts output; train files gzipped)
mkdir -p /tmp/data /tmp/res
cp data/* /tmp/data/
nvidia-smi -L
T0=$(date +%s)
python3 sweep.py --task shapes --steps 4 --evalevery 2 --lrs 1e-3 --ns 1000,2000 --tag smoke --out /tmp/smoke --warmup 2 || { echo SMOKE FAILED; exit 3; }
echo "smoke ok after $(( $(date +%s) - T0 )) s"
MW=${MW:-430}
run() { tag=$1; shift; timeout 540 python3 sweep.py --tag $tag --maxwall $MW --out /tmp/res "$@" > /tmp/res/$tag.log 2>&1 & }
G8="--lrs 1e-3,2e-3,3e-3,5e-3 --ns 48000,192000"
run s_d128L3H4 --task shapes --d 128 --layers 3 --heads 4 --steps 5000 --evalevery 500 $G8
run s_d128L4H8 --task shapes --d 128 --layers 4 --heads 8 --steps 5000 --evalevery 500 $G8
run s_d128L2H4 --task shapes --d 128 --layers 2 --heads 4 --steps 5000 --evalevery 500 $G8
run s_d128L3H8 --task shapes --d 128 --layers 3 --heads 8 --steps 5000 --evalevery 500 $G8
run s_long --task shapes --d 128 --layers 3 --heads 4 --steps 15000 --evalevery 1000 --lrs 1e-3,3e-3 --ns 48000,192000
run s_d192L3H6 --task shapes --d 192 --layers 3 --heads 6 --steps 5000 --evalevery 500 --lrs 1e-3,2e-3,3e-3 --ns 192000
run s_b128 --task shapes --d 128 --layers 3 --heads 4 --batch 128 --steps 3000 --evalevery 500 --lrs 2e-3,4e-3,6e-3 --ns 192000
run g_d128L3H4 --task digits --d 128 --layers 3 --heads 4 --steps 5000 --evalevery 500 $G8
run g_d128L4H8 --task digits --d 128 --layers 4 --heads 8 --steps 5000 --evalevery 500 $G8
run g_long --task digits --d 128 --layers 3 --heads 4 --steps 15000 --evalevery 1000 --lrs 1e-3,3e-3 --ns 48000,192000
sleep 60; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv; tail -n 2 /tmp/res/*.log
wait
echo "all done after $(( $(date +%s) - T0 )) s"
cat /tmp/res/*.jsonl > $OUT/all.jsonl
tar czf $OUT/logs.tgz -C /tmp/res .
grep -h "done\|stopped\|Error\|error" /tmp/res/*.log
