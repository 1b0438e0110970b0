#!/usr/bin/env bash
# `npm test`: every suite, in the order a failure is cheapest to find.
# On a fresh Debian machine as root it first installs the real clients the end-to-end suites use.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
if [ ! -d node_modules ]; then npm ci; fi

echo "== build"; npm run --silent build
echo "== typecheck (sources, tests and the web app)"; npm run --silent typecheck
echo "== lint"; npm run --silent lint
echo "== import directions"; npm run --silent deps:check
echo "== tests: unit, integration, end-to-end"
npx vitest run "$@"
