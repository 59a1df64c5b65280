#!/usr/bin/env bash
# Installs everything Troupe needs on a fresh Debian/Ubuntu machine: nats-server and chromium (apt) and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nats-server >/dev/null 2>&1; then
  echo "installing nats-server with apt-get" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nats-server
fi
# deploy/ is validated in `npm test` with docker-compose (`config`) and kubectl (`kustomize`, client dry run).
missing=""
command -v docker-compose >/dev/null 2>&1 || missing="$missing docker-compose"
command -v kubectl >/dev/null 2>&1 || missing="$missing kubectl"
if [ -n "$missing" ]; then
  echo "installing$missing with apt-get (deploy/ validation)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $missing
fi
# Debian's chromium drives the dashboard's real-browser test (playwright-core, no browser download).
if [ ! -x /usr/bin/chromium ] && [ -z "${TROUPE_CHROMIUM:-}" ]; then
  echo "installing chromium with apt-get (for the dashboard browser test)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium
fi
# `npm ci` installs exactly the committed lock file. Install scripts are denied in package.json
# (`allowScripts`): every native dependency here ships prebuilt binaries in an npm package.
npm ci --no-audit --no-fund
