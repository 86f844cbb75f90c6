#!/bin/sh
# The full study of issue 15, resumable: shapes (5 seeds), then digits (3 seeds), one student at a time, niced.
# Start: nohup sh study/run-all.sh > /dev/null 2>&1 &   (logs: study/log-<pack>.txt; run files: study/runs/<pack>/)
# A rerun skips every run file that exists; JOBS=2 sh study/run-all.sh trains two at a time.
cd "$(dirname "$0")/.." || exit 1
for pack in shapes digits; do
  nice -n 19 npm run study -- --pack "$pack" --jobs "${JOBS:-1}" >> "study/log-$pack.txt" 2>&1
done
