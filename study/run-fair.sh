#!/bin/sh
# The fair study of issue 28 (src/core/study/tuning.ts, DESIGN §6c), resumable: every stage of every pack in a fixed order —
# shapes' ce-vs-kd conditions (the race's bands), hues' grids; shapes' paper conditions, second stage and finals; hues' rest;
# digits. A rerun skips every run file. Run it from a clean checkout of one commit (a git worktree), so that the code
# that trains does not change under it: each run file records that commit.
# Start: git worktree add --detach ../study-tree HEAD && (cd ../study-tree && ln -s ../main/node_modules node_modules
#        && JOBS=2 nohup sh study/run-fair.sh > /dev/null 2>&1 &); logs: study/log-fair-<pack>.txt; copy run files back.
cd "$(dirname "$0")/.." || exit 1
J="${JOBS:-2}"
stage() { nice -n 10 npm run study -- --fair --pack "$1" --stage "$2" --jobs "$J" $3 >> "study/log-fair-$1.txt" 2>&1; }
# issue 28 item 4: the three first-study runs that predate the lab's wasm kernels (no "kernels" field), re-run in place
for c in rich-ce rich-fkl rich-fkl5; do
  grep -q '"kernels"' "study/runs/shapes/$c-s1.json" || nice -n 10 npm run --silent study -- --pack shapes --condition "$c" --seed 1 --overwrite >> study/log-fair-shapes.txt 2>&1
done
# the ce-vs-kd race's two conditions first: their val curves are the race's study bands (issue 29)
stage shapes paper "--only rich-ce,rich-fkl5"
stage hues tune
stage shapes paper
stage shapes tune2
stage shapes best
stage hues tune2
stage hues paper
stage hues best
stage digits tune
stage digits tune2
stage digits paper
stage digits best
