#!/bin/sh
# Rewrites the verdict tables of docs/findings.md (between its "tables" markers) from the run files of both packs:
# `sh scripts/findingsTables.sh` (rebuilds study/<pack>.json too, like `npm run study -- --pack NAME --summary`).
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp)
for pack in shapes digits; do
  npm run --silent study -- --pack "$pack" --summary --markdown 2>/dev/null | sed -n '/^[a-z]*, [0-9]* steps/,$p' >> "$tmp" || exit 1
  echo >> "$tmp"
done
node -e '
const fs = require("fs");
const [doc, tables] = [fs.readFileSync("docs/findings.md", "utf8"), fs.readFileSync(process.argv[1], "utf8").trim()];
const re = /(<!-- tables: begin[^>]*-->\n)[\s\S]*?(<!-- tables: end -->)/;
if (!re.test(doc)) { console.error("docs/findings.md: the tables markers are missing"); process.exit(1); }
fs.writeFileSync("docs/findings.md", doc.replace(re, (_, a, b) => `${a}${tables}\n${b}`));
' "$tmp"
rm -f "$tmp"
# the fair study's tables (issue 28), between the "fair" markers
fair=$(mktemp)
for pack in shapes hues digits; do
  npm run --silent study -- --fair --pack "$pack" --summary --markdown 2>/dev/null >> "$fair" || exit 1
  echo >> "$fair"
done
node -e '
const fs = require("fs");
const [doc, tables] = [fs.readFileSync("docs/findings.md", "utf8"), fs.readFileSync(process.argv[1], "utf8").trim()];
const re = /(<!-- fair: begin[^>]*-->\n)[\s\S]*?(<!-- fair: end -->)/;
if (!re.test(doc)) { console.error("docs/findings.md: the fair markers are missing"); process.exit(1); }
fs.writeFileSync("docs/findings.md", doc.replace(re, (_, a, b) => `${a}${tables}\n${b}`));
' "$fair"
rm -f "$fair"
