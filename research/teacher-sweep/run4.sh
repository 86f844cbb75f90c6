#!/bin/bash
# Device runner, fourth call: smaller feature norms (fs 0.25 = mean patch norm 0.5) and the shapes LM shape.
set -u
D=${1:-.dev/carry/feat}
mkdir -p /tmp/data /tmp/res
cp $D/* /tmp/data/
T0=$(date +%s)
S=research/teacher-sweep/sweep.py
MW=${MW:-300}
run() { tag=$1; shift; timeout 360 python3 $S --feats 1 --tag $tag --maxwall $MW --out /tmp/res --evalevery 500 "$@" > /tmp/res/$tag.log 2>&1 & }
run s1 --task shapes --layers 3 --heads 4 --steps 4000 --lrs 6e-4,1e-3 --fscales 0.5,0.25
run s2 --task shapes --layers 4 --heads 8 --steps 3000 --lrs 1e-3,1.5e-3 --fscales 0.5,0.25
run s3 --task shapes --layers 3 --heads 8 --steps 4000 --lrs 6e-4,1e-3 --fscales 0.5,0.25
run s4 --task shapes --layers 4 --heads 8 --steps 3000 --lrs 7e-4,1e-3 --fscales 0.5,0.125
run g1 --task digits --layers 3 --heads 4 --steps 4000 --lrs 6e-4,1e-3 --fscales 0.5,0.25
run g2 --task digits --layers 3 --heads 4 --steps 4000 --lrs 6e-4,8e-4 --fscales 0.125,0.5
wait
echo "all done after $(( $(date +%s) - T0 )) s"
cat /tmp/res/*.jsonl > $OUT/all.jsonl
grep -h "done\|stopped\|Error\|error" /tmp/res/*.log
