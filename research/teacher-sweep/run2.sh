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
MW=${MW:-200}
run() { tag=$1; shift; timeout 540 python3 sweep.py --tag $tag --maxwall $MW --out /tmp/res "$@" > /tmp/res/$tag.log 2>&1 & }
G4="--lrs 5e-4,7e-4,1e-3,1.5e-3 --ns 48000 --evalevery 500"
run a_sL4H8_3k --task shapes --d 128 --layers 4 --heads 8 --steps 3000 $G4
run b_sL4H8_4k --task shapes --d 128 --layers 4 --heads 8 --steps 4000 $G4
run c_sL3H4_4k --task shapes --d 128 --layers 3 --heads 4 --steps 4000 $G4
run g_sL3H8_4k --task shapes --d 128 --layers 3 --heads 8 --steps 4000 $G4
run d_gL4H8_3k --task digits --d 128 --layers 4 --heads 8 --steps 3000 $G4
run e_gL4H8_4k --task digits --d 128 --layers 4 --heads 8 --steps 4000 $G4
run f_gL3H4_4k --task digits --d 128 --layers 3 --heads 4 --steps 4000 $G4
run h_gL3H8_4k --task digits --d 128 --layers 3 --heads 8 --steps 4000 $G4
wait
echo "all done after $(( $(date +%s) - T0 )) s"
cat /tmp/res/*.jsonl > $OUT/all.jsonl
grep -h "done\|stopped\|Error\|error" /tmp/res/*.log
