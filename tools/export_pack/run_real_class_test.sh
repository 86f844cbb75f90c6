#!/bin/sh
# Issue 17 item 4 in one call on a lent GPU machine (torch + transformers, no internet): OUT=... sh tools/export_pack/run_real_class_test.sh
OUT="${OUT:-out}"; mkdir -p "$OUT"; rc=0; OUT="$OUT" python3 tools/export_pack/real_class_test.py > "$OUT/real-class.log" 2>&1 || rc=$?; tail -c 6000 "$OUT/real-class.log"; exit $rc
