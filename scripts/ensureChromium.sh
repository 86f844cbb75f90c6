#!/bin/sh
# Before e2e: Debian's Chromium must be at $CHROMIUM_PATH (default /usr/bin/chromium). As root it is installed with
# apt-get; otherwise this stops with the exact command to run. Used by `npm run test:e2e` (and so by `npm test`).
set -e
BIN="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$BIN" ]; then exit 0; fi
if [ -n "$CHROMIUM_PATH" ]; then
  echo "e2e: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file; point it at a Chromium binary or unset it" >&2
  exit 1
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "e2e: /usr/bin/chromium is missing; installing Debian's chromium (apt-get install -y chromium)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  exit 0
fi
echo "e2e needs Debian's Chromium at /usr/bin/chromium. Install it with:" >&2
echo "  sudo apt-get install -y chromium" >&2
echo "(or set CHROMIUM_PATH to a Chromium binary), then run the tests again." >&2
exit 1
