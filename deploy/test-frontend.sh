#!/usr/bin/env bash
# Type-check the panel's frontend and run its unit tests (vitest) with the Node.js of
# PYTHON's environment (see node.sh). Installs frontend/node_modules from the lock file
# first when it is missing or older than the lock file (node.sh's npm_ci_if_stale).
#
#   deploy/test-frontend.sh PYTHON
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 PYTHON" >&2
    exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deploy/node.sh
. "$repo/deploy/node.sh"
find_node "$1"

cd "$repo/frontend"
npm_ci_if_stale
# api.gen.ts must be what openapi-typescript makes of the committed OpenAPI document
# (tests/web/test_api_types.py checks that document against the code).
if ! npm run --silent --workspace=api-types check >/dev/null; then
    echo "frontend: src/api.gen.ts is stale; run deploy/api-types.sh $1" >&2
    exit 1
fi
npm run --silent typecheck
npm test --silent
