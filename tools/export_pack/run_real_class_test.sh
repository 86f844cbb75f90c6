#!/bin/sh
# Issue 17 item 4 in one call on a machine with torch + transformers (no internet needed): OUT=... sh tools/export_pack/run_real_class_test.sh
# PYTHON=... picks the interpreter (default python3). Writes $OUT/real-class.safetensors.gz, real-class.json, real-class.log.
OUT="${OUT:-out}"; PY="${PYTHON:-python3}"; mkdir -p "$OUT"; rc=0
OUT="$OUT" "$PY" tools/export_pack/real_class_test.py > "$OUT/real-class.log" 2>&1 || rc=$?; tail -c 6000 "$OUT/real-class.log"; exit $rc
