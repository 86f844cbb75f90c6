#!/bin/sh
# The full study of issue 15, resumable: the planned seeds (shapes 5, digits 3), then rounds of extra seeds for every
# comparison whose SE is above 2 points (digits first, up to 10 seeds: it has few such comparisons left; then shapes up
# to 25), niced. A rerun skips every run file.
# Start: nohup sh study/run-all.sh > /dev/null 2>&1 &   (logs: study/log-<pack>.txt; run files: study/runs/<pack>/)
# JOBS=2 sh study/run-all.sh trains two at a time.
cd "$(dirname "$0")/.." || exit 1
for pack in shapes digits; do
  nice -n 19 npm run study -- --pack "$pack" --jobs "${JOBS:-1}" >> "study/log-$pack.txt" 2>&1
done
nice -n 19 npm run study -- --pack digits --jobs "${JOBS:-1}" --max-seeds 10 >> study/log-digits.txt 2>&1
nice -n 19 npm run study -- --pack shapes --jobs "${JOBS:-1}" --max-seeds 25 >> study/log-shapes.txt 2>&1
