#!/usr/bin/env bash
# Install GetSuperCP on this machine, then lint, type-check and test it. Run as root:
#   ./test.sh [pytest arguments...]
# Stops at the first step that fails. The integration tests need the installed system, which
# is why this runs ./install.sh first.
set -euo pipefail
shopt -s inherit_errexit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$REPO"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

VENV=$REPO/.venv-test
# Records what the test venv was built from; inside it, so a removed venv is rebuilt.
STAMP=$VENV/.supercp-test.sha256

step() { printf '\n==> %s\n' "$*"; }

[[ $(id -u) -eq 0 ]] || {
    echo "test.sh: must be run as root (try: sudo ./test.sh)" >&2
    exit 1
}

step "./install.sh"
./install.sh

# Only the browser tests need a browser, so the installer leaves it out.
step "Chromium for the browser tests"
if dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
    echo "    installed"
else
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null
    echo "    installed now"
fi

# dev.txt includes runtime.txt, so both decide what the venv holds.
venv_hash() {
    {
        /usr/bin/python3 --version
        sha256sum requirements/dev.txt requirements/runtime.txt pyproject.toml
    } | sha256sum | cut -d' ' -f1
}
step "Test venv $VENV"
want=$(venv_hash)
if [[ -x $VENV/bin/python && -f $STAMP && $(cat "$STAMP") == "$want" ]]; then
    echo "    unchanged"
else
    rm -f "$STAMP"
    [[ -x $VENV/bin/python ]] || /usr/bin/python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -r requirements/dev.txt
    # Editable: tests import the working tree, so no reinstall is needed when src/ changes.
    "$VENV/bin/pip" install -q --no-deps -e .
    echo "$want" >"$STAMP"
    echo "    built"
fi

step "ruff check"
"$VENV/bin/ruff" check src tests bench

step "ruff format --check"
"$VENV/bin/ruff" format --check src tests bench

step "mypy"
"$VENV/bin/mypy"
"$VENV/bin/mypy" tests bench

step "frontend: typecheck and unit tests"
deploy/test-frontend.sh /opt/supercp/venv/bin/python

step "pytest"
rc=0
"$VENV/bin/python" -m pytest "$@" || rc=$?
if [[ $rc -eq 5 ]]; then
    echo "test.sh: pytest collected no tests; that counts as a failure" >&2
    exit 1
fi
exit "$rc"
