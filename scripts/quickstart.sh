#!/usr/bin/env bash
# One command from a fresh clone: install everything, then run the demo task end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npm run demo
