#!/bin/sh
# Run the PyTorch mirror (tools/golden/mirror.py) with the project venv's python (.cache/venv) or python3.
# Without python, or (inside mirror.py) without PyTorch >= 2, it says so and exits 0: the committed JSON stays.
cd "$(dirname "$0")/../.." || exit 1
if [ -x .cache/venv/bin/python ]; then PY=.cache/venv/bin/python
elif command -v python3 >/dev/null 2>&1; then PY=python3
else echo "golden: skipped, no python3 (PyTorch >= 2 needed); src/model/testing/golden-tiny.json left as it is"; exit 0
fi
exec "$PY" tools/golden/mirror.py "$@"
