#!/bin/sh
# Issue 17 item 4 in one call on a lent GPU machine (torch + transformers, no internet): OUT=... sh tools/export_pack/run_real_class_test.sh
set -eu
OUT="${OUT:-out}"; mkdir -p "$OUT"; python3 tools/export_pack/real_class_test.py 2>&1 | tee "$OUT/real-class.log"
