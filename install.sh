#!/usr/bin/env bash
# Install or upgrade GetSuperCP on this machine. Run as root from the repository:
#   ./install.sh
# This is the bootstrap: packages, users, directories, the venv, our config files and units.
# The system services are configured by `super-daemon setup` (src/supercp/daemon/setup/);
# the panel's schema and frontend follow. Every step converges: a second run changes only
# what differs and keeps the secrets, an edited /etc/supercp/*.toml and /var/lib/supercp.
# Details: docs/install.md.
set -Eeuo pipefail
shopt -s inherit_errexit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The system's tools, never a pyenv or virtualenv python that happens to be first on PATH.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive
umask 022

ETC_DIR=/etc/supercp
SECRETS_DIR=$ETC_DIR/secrets
LOG_DIR=/var/log/supercp
STATE_DIR=/var/lib/supercp
OPT_DIR=/opt/supercp
VENV=$OPT_DIR/venv
# Stamps, each the hash of what was last done: installed into the venv (kept inside it, so
# a removed venv is rebuilt); the code every site was last rebuilt with (super-cli rebuild;
# setup removes it when it restarts PHP-FPM without systemd); what collectstatic copied.
VENV_STAMP=$VENV/.supercp-install.sha256
REBUILD_STAMP=$STATE_DIR/sites-rebuilt.sha256
STATIC_STAMP=$OPT_DIR/.static.sha256
LOG=$LOG_DIR/install.log
SYSTEM_PYTHON=/usr/bin/python3

PANEL_USER=supercp
PANEL_HOME=$STATE_DIR/panel
DAEMON_GROUP=supercp-daemon
USERS_GROUP=supercp-users
PANEL_CONFIG=$ETC_DIR/panel.toml

START_TIME=$SECONDS
step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2 && exit 1; }

# Run a noisy command with its output in the install log; on failure show that output.
run() {
    local out rc=0
    out=$(mktemp)
    printf '$ %s\n' "$*" >>"$LOG"
    "$@" >"$out" 2>&1 || rc=$?
    cat "$out" >>"$LOG"
    if [[ $rc -ne 0 ]]; then
        printf 'install.sh: failed (exit %d): %s\n' "$rc" "$*" >&2
        tail -n 40 "$out" | sed 's/^/    | /' >&2
        printf '    full log: %s\n' "$LOG" >&2
        rm -f "$out"
        exit "$rc"
    fi
    rm -f "$out"
}

trap 'printf "install.sh: failed at line %s: %s\n    log: %s\n" "$LINENO" "$BASH_COMMAND" "$LOG" >&2' ERR

# Install a file from the repo if its content or mode differs; prints "changed" when it did.
install_file() {
    local mode=$1 src=$2 dest=$3
    if [[ -f $dest ]] && cmp -s "$src" "$dest" && [[ $(stat -c %a "$dest") == "${mode#0}" ]]; then
        return 0
    fi
    install -D -o root -g root -m "$mode" "$src" "$dest"
    echo changed
}

# --- preflight ----------------------------------------------------------------------------

[[ $(id -u) -eq 0 ]] || die "must be run as root (try: sudo ./install.sh)"

# shellcheck source=deploy/os.sh
. "$REPO/deploy/os.sh"
os_detect || exit 1

install -d -o root -g root -m 0750 "$LOG_DIR"
# What is in them (the secrets, the panel's files) is setup's to own (daemon/setup/panel.py).
install -d -o root -g root -m 0755 "$ETC_DIR" "$STATE_DIR" "$OPT_DIR"
touch "$LOG"
chmod 0640 "$LOG"
printf '\n=== install.sh %s from %s on %s\n' "$(date -Is)" "$REPO" "$OS_NAME" >>"$LOG"

INIT=sysv
[[ -d /run/systemd/system ]] && INIT=systemd
step "GetSuperCP installer on $OS_NAME ($INIT)"

# --- packages -----------------------------------------------------------------------------

step "System packages"
missing=()
for pkg in "${OS_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    note "all ${#OS_PACKAGES[@]} packages already installed"
else
    note "installing: ${missing[*]}"
    run apt-get update -q
    # confold: keep a config an admin (or a later module) changed when a package upgrades.
    run apt-get install -y -q --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        "${missing[@]}"
fi
mapfile -t PHP_FPM_SERVICES < <(os_php_fpm_services)
[[ " ${PHP_FPM_SERVICES[*]} " == *" php$OS_PHP_VERSION-fpm "* ]] ||
    die "php$OS_PHP_VERSION-fpm is not installed (found: ${PHP_FPM_SERVICES[*]:-none})"
MANAGED_SERVICES=("${OS_SERVICES[@]}" "${PHP_FPM_SERVICES[@]}")

# launch=gmysql only (daemon/setup/pdns.py): Debian's bind backend goes.
if [[ $(dpkg-query -W -f='${db:Status-Status}' pdns-backend-bind 2>/dev/null || true) == installed ]]; then
    run apt-get purge -y -q pdns-backend-bind && note "purged pdns-backend-bind"
fi

# --- users and groups ---------------------------------------------------------------------

step "Users and groups"
for group in "$DAEMON_GROUP" "$USERS_GROUP"; do
    if ! getent group "$group" >/dev/null; then
        run groupadd --system "$group"
        note "created group $group"
    fi
done
if ! getent passwd "$PANEL_USER" >/dev/null; then
    run useradd --system --home-dir "$PANEL_HOME" --no-create-home \
        --shell "$OS_NOLOGIN" --user-group --groups "$DAEMON_GROUP" \
        --comment "GetSuperCP panel" "$PANEL_USER"
    note "created user $PANEL_USER"
fi
# Converge an existing user too: its own group plus the daemon's socket group, nothing else.
IFS=: read -r _ _ _ _ _ home shell < <(getent passwd "$PANEL_USER")
groups=$(id -nG "$PANEL_USER")
if [[ $home != "$PANEL_HOME" || $shell != "$OS_NOLOGIN" ||
    $groups != "$PANEL_USER $DAEMON_GROUP" ]]; then
    run usermod --home "$PANEL_HOME" --shell "$OS_NOLOGIN" --groups "$DAEMON_GROUP" \
        "$PANEL_USER"
    note "reset $PANEL_USER's home, shell and groups"
fi
note "$(id "$PANEL_USER")"

# --- Python application -------------------------------------------------------------------

step "Python application in $VENV"
# Fingerprint of everything that ends up in the venv. Bytecode and build metadata are left
# out: tests and editable installs create them in src/ without changing the code.
source_hash() {
    (
        cd "$REPO"
        "$SYSTEM_PYTHON" --version
        find src -type f ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*.egg-info/*' \
            -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
        sha256sum requirements/runtime.txt requirements/frontend.txt pyproject.toml
    ) | sha256sum | cut -d' ' -f1
}
CODE_HASH=$(source_hash)
if [[ -x $VENV/bin/python && -f $VENV_STAMP && $(cat "$VENV_STAMP") == "$CODE_HASH" ]]; then
    note "unchanged since the last install"
else
    if [[ ! -x $VENV/bin/python ]] || ! "$VENV/bin/python" -c '' 2>/dev/null; then
        run "$SYSTEM_PYTHON" -m venv --clear "$VENV"
        note "created venv from $SYSTEM_PYTHON"
    fi
    rm -f "$VENV_STAMP"
    run "$VENV/bin/pip" install -q -r "$REPO/requirements/runtime.txt"
    # Node for building the frontend (deploy/build-frontend.sh); not used at run time.
    run "$VENV/bin/pip" install -q -r "$REPO/requirements/frontend.txt"
    # Build from a copy: pip builds in the source tree, and this run is root's, so build
    # output must not land in the (possibly non-root) checkout.
    build=$(mktemp -d)
    cp -r "$REPO/pyproject.toml" "$REPO/src" "$REPO/README.md" "$build/"
    find "$build/src" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
    run "$VENV/bin/pip" install -q --no-deps --force-reinstall "$build"
    rm -rf "$build"
    echo "$CODE_HASH" >"$VENV_STAMP"
    version=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("supercp"))')
    note "installed supercp $version"
fi
for tool in super-daemon super-cli super-panel; do
    [[ -x $VENV/bin/$tool ]] || die "$VENV/bin/$tool is missing after install"
    ln -sfn "$VENV/bin/$tool" "/usr/local/sbin/$tool"
done

# --- configuration ------------------------------------------------------------------------

step "Configuration in $ETC_DIR"
for kind in daemon panel; do
    install -o root -g root -m 0644 "$REPO/deploy/config/$kind.toml" "$ETC_DIR/$kind.toml.dist"
    if [[ -e $ETC_DIR/$kind.toml ]]; then
        note "kept existing $kind.toml (defaults in $kind.toml.dist)"
    else
        install -o root -g root -m 0644 "$REPO/deploy/config/$kind.toml" "$ETC_DIR/$kind.toml"
        note "wrote $kind.toml"
    fi
done
# Load the files the way the daemon and the panel do, before either uses them (the .dist
# files too: a broken template is ours); print what the installer needs as shell variables.
config_error=$(mktemp)
if ! settings=$("$VENV/bin/python" - "$ETC_DIR" 2>"$config_error" <<'EOF'
import shlex, sys
from pathlib import Path
from supercp.daemon.config import load_config as load_daemon
from supercp.web.config.panel import load_config as load_panel
etc = Path(sys.argv[1])
for name in ("daemon.toml.dist", "panel.toml.dist", "daemon.toml", "panel.toml"):
    print(f"# checking {etc / name}", file=sys.stderr)
    (load_daemon if name.startswith("daemon") else load_panel)(etc / name)
panel = load_panel(etc / "panel.toml")
print(f"SOCKET={shlex.quote(str(load_daemon(etc / 'daemon.toml').socket))}")
for key in ("port", "tls_certificate", "tls_key", "frontend_dir", "static_root"):
    print(f"PANEL_{key.upper()}={shlex.quote(str(getattr(panel, key)))}")
EOF
); then
    cat "$config_error" >>"$LOG"
    grep -v '^ *For further information' "$config_error" | tail -n 4 | sed 's/^/    | /' >&2
    die "a config file in $ETC_DIR is invalid; compare it with its .dist (details in $LOG)"
fi
rm -f "$config_error"
eval "$settings"
[[ $(install_file 0644 "$REPO/deploy/logrotate/supercp" "$OS_LOGROTATE_D/supercp") ]] &&
    note "installed $OS_LOGROTATE_D/supercp"


# --- units --------------------------------------------------------------------------------

step "Units ($INIT)"
# Init scripts of ours carry this line; only those may be replaced on upgrade.
OUR_INIT_MARK="Installed by GetSuperCP's install.sh"
# Where our unit (systemd) or init script (otherwise) for service $1 lives in the repo.
unit_source() {
    if [[ $INIT == systemd ]]; then echo "$REPO/deploy/systemd/$1.service"; else echo "$REPO/deploy/init.d/$1"; fi
}
if [[ $INIT == systemd ]]; then
    # super-daemon enables and starts an instance per shard of the sites' PHP-FPM pools.
    units=(super-daemon supercp-panel supercp-worker supercp-php-fpm@)
    changed=
    for svc in "${units[@]}"; do
        [[ $(install_file 0644 "$(unit_source "$svc")" "$OS_SYSTEMD_UNIT_DIR/$svc.service") ]] &&
            changed=1 && note "installed $svc.service"
    done
    [[ -z $changed ]] || run systemctl daemon-reload
    run systemctl enable super-daemon supercp-panel supercp-worker pdns
else
    for svc in super-daemon supercp-panel supercp-worker; do
        [[ $(install_file 0755 "$(unit_source "$svc")" "$OS_INIT_D/$svc") ]] &&
            note "installed $OS_INIT_D/$svc"
        run update-rc.d "$svc" defaults
    done
    # pdns's package ships only a systemd unit on Debian 12: ours stands in, unless the
    # package brings an init script of its own.
    if [[ ! -e $OS_INIT_D/pdns ]] || grep -qF "$OUR_INIT_MARK" "$OS_INIT_D/pdns"; then
        [[ $(install_file 0755 "$REPO/deploy/init.d/pdns" "$OS_INIT_D/pdns") ]] &&
            note "pdns: installed fallback $OS_INIT_D/pdns"
        run update-rc.d pdns defaults
    fi
fi

# --- system services ----------------------------------------------------------------------

# nginx, PHP-FPM, MariaDB (the panel's database and logins), PowerDNS and the panel's secrets,
# each rendered, checked, swapped and reloaded, or put back (docs/install.md). Its lines show.
printf '$ super-daemon setup\n' >>"$LOG"
"$VENV/bin/super-daemon" setup --panel-certificate "$PANEL_TLS_CERTIFICATE" \
    --panel-key "$PANEL_TLS_KEY" 2>&1 | tee -a "$LOG" ||
    die "super-daemon setup failed; the services keep their previous configuration"

# --- panel --------------------------------------------------------------------------------

step "Panel database schema"
# Django as the panel runs it: production settings, this machine's panel.toml.
# From /, so nothing in the checkout can shadow an installed module.
panel_django() (
    cd / && SUPERCP_PANEL_CONFIG=$PANEL_CONFIG DJANGO_SETTINGS_MODULE=supercp.web.config.settings "$@"
)
# As root, who owns schema changes; a no-op when every migration is applied.
run panel_django "$VENV/bin/python" -m django migrate --noinput
# As the panel's user: proves it can read its config, key and login, and reach the database.
run panel_django runuser -u "$PANEL_USER" -- "$VENV/bin/python" -m django check \
    --database default
note "migrations applied; $PANEL_USER loads the settings and reaches the database"

step "Panel frontend in $PANEL_FRONTEND_DIR"
# The script skips the build when the sources and Node are those of the last build.
run "$REPO/deploy/build-frontend.sh" "$VENV/bin/python" "$PANEL_FRONTEND_DIR"
note "$(tail -n 1 "$LOG")"
MANIFEST=$PANEL_FRONTEND_DIR/.vite/manifest.json
[[ -s $MANIFEST ]] || die "the frontend build left no $MANIFEST"
FRONTEND_HASH=$(sha256sum "$MANIFEST" | cut -d' ' -f1)
STATIC_HASH=$(echo "$CODE_HASH $FRONTEND_HASH" | sha256sum | cut -d' ' -f1)
if [[ -d $PANEL_STATIC_ROOT && -f $STATIC_STAMP && $(cat "$STATIC_STAMP") == "$STATIC_HASH" ]]; then
    note "static files in $PANEL_STATIC_ROOT unchanged"
else
    install -d -o root -g root -m 0755 "$PANEL_STATIC_ROOT"
    # The frontend and Django's own static files, in the one directory the panel serves.
    run panel_django "$VENV/bin/python" -m django collectstatic --noinput --clear
    echo "$STATIC_HASH" >"$STATIC_STAMP"
    note "collected static files into $PANEL_STATIC_ROOT"
fi

# --- our own services ---------------------------------------------------------------------

# Run verb $2 (status, start, restart) of service $1 through the init system.
service_do() {
    if [[ $INIT == systemd ]]; then
        if [[ $2 == status ]]; then systemctl is-active --quiet "$1"; else systemctl "$2" "$1"; fi
    else
        service "$1" "$2"
    fi
}
# Start service $1, or restart it when what it runs (the hash of files $4...) differs from
# what it was started with (kept in stamp file $2); $3 says what a change means.
converge_service() {
    local svc=$1 stamp=$2 what=$3 hash
    shift 3
    hash=$({ echo "$CODE_HASH"; cat "$@"; } | sha256sum | cut -d' ' -f1)
    if ! service_do "$svc" status >/dev/null 2>&1; then
        run service_do "$svc" start
        note "$svc: started"
    elif [[ ! -f $stamp || $(cat "$stamp") != "$hash" ]]; then
        run service_do "$svc" restart
        note "$svc: restarted ($what changed)"
    else
        note "$svc: running, unchanged"
    fi
    echo "$hash" >"$stamp"
}

step "Our services ($INIT)"
converge_service super-daemon /run/super-daemon.install.sha256 "code, config or unit" \
    "$ETC_DIR/daemon.toml" "$(unit_source super-daemon)"
for _ in $(seq 100); do [[ -S $SOCKET ]] && break || sleep 0.1; done
[[ -S $SOCKET ]] || die "$SOCKET did not appear within 10 s (see $LOG_DIR/daemon.log)"
ping=$(super-cli --json daemon ping 2>>"$LOG") || die "super-cli --json daemon ping failed (see $LOG)"
note "super-daemon answers on $(stat -c '%n (%a %U:%G)' "$SOCKET"): $ping"

# uvicorn reads the certificate and Django the frontend's manifest only at start.
converge_service supercp-panel /run/supercp-panel.install.sha256 "code, config, frontend or certificate" \
    "$PANEL_CONFIG" "$(unit_source supercp-panel)" "$MANIFEST" "$PANEL_TLS_CERTIFICATE" \
    "$PANEL_TLS_KEY"
answer=$(panel_django super-panel wait 30 2>&1) || die "$answer (see $LOG_DIR/panel.log)"
note "$answer"

# A restart waits for the job in hand to finish.
converge_service supercp-worker /run/supercp-worker.install.sha256 "code, config or unit" \
    "$PANEL_CONFIG" "$(unit_source supercp-worker)"

# --- the panel's first data ---------------------------------------------------------------

# The first admin, only while the panel has none. Its password is shown once at the end and
# written nowhere: super-cli's output is captured here, not logged.
ADMIN_PASSWORD=
if created=$(cd / && super-cli --json admin create admin --if-none 2>>"$LOG"); then
    ADMIN_PASSWORD=$(printf '%s' "$created" |
        "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin).get("password") or "")')
    [[ -z $ADMIN_PASSWORD ]] || note "created the first admin, admin (password below)"
else
    note "could not create the first admin; run: super-cli admin create NAME"
fi
unset created
# New zones' A and AAAA records point at this server, until an admin sets them.
if set_now=$(cd / && super-cli --json dns defaults --if-unset --this-server 2>>"$LOG"); then
    [[ $set_now == *'"changed": []'* || $set_now == *'"changed":[]'* ]] ||
        note "DNS: new zones' A/AAAA records point at this server"
else
    note "could not set the DNS defaults; see super-cli dns defaults --help"
fi

# New code may render sites differently (a template fixed or hardened): re-apply every site
# once per code change, as super-cli rebuild does; unchanged files cost nothing.
if [[ ! -f $REBUILD_STAMP || $(cat "$REBUILD_STAMP") != "$CODE_HASH" ]]; then
    if rebuilt=$(cd / && super-cli --json rebuild 2>>"$LOG"); then
        echo "$CODE_HASH" >"$REBUILD_STAMP"
        note "sites re-applied with this version's templates: $rebuilt"
    else
        note "re-applying the sites failed: $rebuilt (see $LOG; retry: super-cli rebuild)"
    fi
fi

# --- summary ------------------------------------------------------------------------------

printf '\nGetSuperCP is installed (%ss).\n' "$((SECONDS - START_TIME))"
printf '  config:   %s/daemon.toml, %s (secrets in %s); code: %s\n' "$ETC_DIR" "$PANEL_CONFIG" \
    "$SECRETS_DIR" "$VENV"
printf '  logs:     %s (install, daemon, panel, worker; audit.jsonl); socket: %s\n' "$LOG_DIR" \
    "$SOCKET"
status="service super-daemon status (supercp-panel, supercp-worker)"
[[ $INIT == sysv ]] || status="systemctl status super-daemon supercp-panel supercp-worker"
printf '  service:  %s\n' "$status"
printf '  services: %s\n' "${MANAGED_SERVICES[*]}"
printf '  panel:    https://%s:%s\n' "$(timeout 5 hostname -f 2>/dev/null || hostname)" "$PANEL_PORT"
if [[ -n $ADMIN_PASSWORD ]]; then
    printf '\n  First admin: admin\n  One-time password: %s\n' "$ADMIN_PASSWORD"
    printf '  (shown this once and stored nowhere in clear; change it under Security)\n'
fi
