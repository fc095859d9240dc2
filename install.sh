#!/usr/bin/env bash
# Install or upgrade GetSuperCP on this machine. Run as root from the repository:
#   ./install.sh
# Every step converges: a second run changes only what differs and keeps the database
# secret, an edited /etc/supercp/daemon.toml and everything under /var/lib/supercp.
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
# Hash of what was last installed into the venv; kept inside it, so a removed venv is rebuilt.
VENV_STAMP=$VENV/.supercp-install.sha256
# Hash of the code, config and service file the running daemon was started with.
DAEMON_STAMP=/run/super-daemon.install.sha256
# The same for the panel (code, config, unit, frontend build, certificate).
PANEL_STAMP=/run/supercp-panel.install.sha256
# The same for the worker (code, config, unit).
WORKER_STAMP=/run/supercp-worker.install.sha256
# The code whose templates every site was last rebuilt with (super-cli rebuild).
REBUILD_STAMP=$STATE_DIR/sites-rebuilt.sha256
# What collectstatic last copied (code and frontend build).
STATIC_STAMP=$OPT_DIR/.static.sha256
LOG=$LOG_DIR/install.log
SYSTEM_PYTHON=/usr/bin/python3

PANEL_USER=supercp
PANEL_HOME=$STATE_DIR/panel
DAEMON_GROUP=supercp-daemon
USERS_GROUP=supercp-users
DB_NAME=supercp
DB_USER=supercp
DB_SECRET=$SECRETS_DIR/mariadb-panel.cnf
# What the panel (user supercp) may read: root:supercp, 0750 and 0640.
PANEL_ETC=$ETC_DIR/panel
PANEL_KEY=$PANEL_ETC/secret_key
PANEL_DB_CNF=$PANEL_ETC/mariadb.cnf
PANEL_CONFIG=$ETC_DIR/panel.toml
# Where the installer makes the panel's self-signed certificate (unless panel.toml names another).
PANEL_TLS_DIR=$PANEL_ETC/tls
# PowerDNS: its database, the login it reads with, and the panel's login that writes zones.
PDNS_DB=powerdns
PDNS_DB_USER=pdns
PDNS_SECRET=$SECRETS_DIR/mariadb-pdns.cnf
DNS_DB_USER=supercp_dns
DNS_SECRET=$SECRETS_DIR/mariadb-dns.cnf
PANEL_DNS_CNF=$PANEL_ETC/mariadb-dns.cnf
PDNS_SCHEMA=/usr/share/pdns-backend-mysql/schema/schema.mysql.sql
PDNS_ETC=/etc/powerdns
# Hash of the configuration the running pdns_server was started with.
PDNS_STAMP=/run/pdns.install.sha256

# --- output -------------------------------------------------------------------------------

START_TIME=$SECONDS
step() { printf '==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}

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

on_error() {
    printf 'install.sh: failed at line %s: %s\n' "$1" "$2" >&2
    printf '    log: %s\n' "$LOG" >&2
}
trap 'on_error "$LINENO" "$BASH_COMMAND"' ERR

# Install a file from the repo if its content or mode differs; prints "changed" when it did.
install_file() {
    local mode=$1 src=$2 dest=$3
    if [[ -f $dest ]] && cmp -s "$src" "$dest" && [[ $(stat -c %a "$dest") == "${mode#0}" ]]; then
        return 0
    fi
    install -D -o root -g root -m "$mode" "$src" "$dest"
    echo changed
}

# Write stdin to file $3, owned by root and group $1 with mode $2, if its content, group or mode
# differ, through a temporary file in the same directory so readers never see half of it;
# prints "changed" if it wrote.
write_file() {
    local group=$1 mode=$2 dest=$3 tmp
    tmp=$(mktemp "$(dirname "$dest")/.$(basename "$dest").XXXXXX")
    chown "root:$group" "$tmp"
    chmod "$mode" "$tmp"
    cat >"$tmp"
    if [[ -f $dest ]] && cmp -s "$tmp" "$dest" &&
        [[ $(stat -c '%U:%G %a' "$dest") == "root:$group ${mode#0}" ]]; then
        rm -f "$tmp"
        return 0
    fi
    mv "$tmp" "$dest"
    echo changed
}

# Write stdin to a file of the panel's (0640 root:supercp); see write_file.
write_panel_file() {
    write_file "$PANEL_USER" 0640 "$1"
}

# Set `password` to the password of MariaDB user $2 kept in the option file $1 (in secrets/),
# generating it there the first time; $3 says whose login it is, $4 for which database.
load_db_password() {
    local file=$1 user=$2 who=$3 db=$4 tmp
    if [[ ! -s $file ]]; then
        # Generated once per install; hex so it needs no quoting in SQL or the option file.
        password=$(openssl rand -hex 24)
        tmp=$(mktemp "$SECRETS_DIR/.$(basename "$file").XXXXXX")
        chmod 0600 "$tmp"
        cat >"$tmp" <<EOF
# MariaDB login of $who (user $user, database $db). Written by install.sh.
[client]
user=$user
password=$password
EOF
        mv "$tmp" "$file"
        note "generated $who's database password in $file"
    fi
    password=$(sed -n 's/^password=//p' "$file")
    [[ $password =~ ^[0-9a-f]{16,}$ ]] || die "$file holds no usable password"
}

# Copy MariaDB user $3's login (password $4, kept in $2) to the panel's file $1, which the
# panel's user can read (secrets/ stays root's alone); $5 says whose login it is. Then prove
# that the panel logs in with it to database $6.
copy_panel_login() {
    local copy=$1 secret=$2 user=$3 password=$4 who=$5 db=$6
    [[ $(
        write_panel_file "$copy" <<EOF
# MariaDB login of $who, readable by $PANEL_USER. Copied by install.sh from
# $secret: change the password there, then re-run install.sh.
[client]
user=$user
password=$password
EOF
    ) ]] && note "wrote $copy"
    mariadb --defaults-file="$copy" --protocol=socket -e 'SELECT 1' "$db" >/dev/null \
        2>>"$LOG" || die "the panel cannot log in to MariaDB with $copy"
}

# --- preflight ----------------------------------------------------------------------------

[[ $(id -u) -eq 0 ]] || die "must be run as root (try: sudo ./install.sh)"

# shellcheck source=deploy/os.sh
. "$REPO/deploy/os.sh"
os_detect || exit 1

install -d -o root -g root -m 0750 "$LOG_DIR"
touch "$LOG"
chmod 0640 "$LOG"
printf '\n=== install.sh %s from %s on %s\n' "$(date -Is)" "$REPO" "$OS_NAME" >>"$LOG"

if [[ -d /run/systemd/system ]]; then
    INIT=systemd
else
    INIT=sysv
fi
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
    # postfix asks its configuration type and mail name on first install; answer up front.
    mailname=$(timeout 5 hostname -f 2>/dev/null || true)
    [[ -n $mailname ]] || mailname=$(hostname)
    run debconf-set-selections <<EOF
postfix postfix/main_mailer_type select Internet Site
postfix postfix/mailname string $mailname
EOF
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

# Until the certificates module issues real ones, postfix and dovecot run on the system's
# self-signed "snakeoil" pair. ssl-cert makes it when first installed and dovecot links it on
# its first install; a machine image that dropped the pair (as this one) starts without it,
# and dovecot then refuses to start. Put back what the packages would have made.
SNAKEOIL_CERT=/etc/ssl/certs/ssl-cert-snakeoil.pem
SNAKEOIL_KEY=/etc/ssl/private/ssl-cert-snakeoil.key
if [[ ! -e $SNAKEOIL_CERT || ! -e $SNAKEOIL_KEY ]]; then
    run make-ssl-cert generate-default-snakeoil --force-overwrite
    note "generated the self-signed snakeoil certificate"
fi
if [[ ! -e /etc/dovecot/private/dovecot.pem && ! -L /etc/dovecot/private/dovecot.pem &&
    ! -e /etc/dovecot/private/dovecot.key && ! -L /etc/dovecot/private/dovecot.key ]]; then
    ln -s "$SNAKEOIL_CERT" /etc/dovecot/private/dovecot.pem
    ln -s "$SNAKEOIL_KEY" /etc/dovecot/private/dovecot.key
    note "linked dovecot's certificate to the snakeoil pair"
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
        --shell /usr/sbin/nologin --user-group --groups "$DAEMON_GROUP" \
        --comment "GetSuperCP panel" "$PANEL_USER"
    note "created user $PANEL_USER"
fi
# Converge an existing user too: its own group plus the daemon's socket group, nothing else.
IFS=: read -r _ _ _ _ _ home shell < <(getent passwd "$PANEL_USER")
groups=$(id -nG "$PANEL_USER")
if [[ $home != "$PANEL_HOME" || $shell != /usr/sbin/nologin ||
    $groups != "$PANEL_USER $DAEMON_GROUP" ]]; then
    run usermod --home "$PANEL_HOME" --shell /usr/sbin/nologin --groups "$DAEMON_GROUP" \
        "$PANEL_USER"
    note "reset $PANEL_USER's home, shell and groups"
fi
note "$(id "$PANEL_USER")"

# --- directories --------------------------------------------------------------------------

step "Directories"
install -d -o root -g root -m 0755 "$ETC_DIR" "$STATE_DIR" "$OPT_DIR"
install -d -o root -g root -m 0700 "$SECRETS_DIR"
install -d -o root -g root -m 0750 "$LOG_DIR"
install -d -o "$PANEL_USER" -g "$PANEL_USER" -m 0750 "$PANEL_HOME"
# Secrets are root's alone, whoever created them.
find "$SECRETS_DIR" -type f ! -perm 0600 -exec chmod 0600 {} +
find "$SECRETS_DIR" -type f ! -user root -exec chown root:root {} +
# The panel's own secrets (its key, its database login): root writes, supercp reads.
install -d -o root -g "$PANEL_USER" -m 0750 "$PANEL_ETC"
find "$PANEL_ETC" -type f ! -perm 0640 -exec chmod 0640 {} +
find "$PANEL_ETC" -type f \( ! -user root -o ! -group "$PANEL_USER" \) \
    -exec chown "root:$PANEL_USER" {} +

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
    cp -r "$REPO/pyproject.toml" "$REPO/src" "$build/"
    for extra in README.md LICENSE LICENSE.txt; do
        [[ -e $REPO/$extra ]] && cp "$REPO/$extra" "$build/"
    done
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
install -o root -g root -m 0644 "$REPO/deploy/config/daemon.toml" "$ETC_DIR/daemon.toml.dist"
if [[ ! -e $ETC_DIR/daemon.toml ]]; then
    install -o root -g root -m 0644 "$REPO/deploy/config/daemon.toml" "$ETC_DIR/daemon.toml"
    note "wrote daemon.toml"
else
    note "kept existing daemon.toml (defaults in daemon.toml.dist)"
fi
install -o root -g root -m 0644 "$REPO/deploy/config/panel.toml" "$ETC_DIR/panel.toml.dist"
if [[ ! -e $PANEL_CONFIG ]]; then
    install -o root -g root -m 0644 "$REPO/deploy/config/panel.toml" "$PANEL_CONFIG"
    note "wrote panel.toml"
else
    note "kept existing panel.toml (defaults in panel.toml.dist)"
fi
# Check the files the way the daemon and the panel read them, before either uses them.
# $1: daemon or panel, $2: the file. Prints the daemon's socket.
check_config() {
    "$VENV/bin/python" - "$1" "$2" <<'EOF'
import sys
from pathlib import Path

from supercp.daemon.config import load_config as load_daemon
from supercp.web.config.panel import load_config as load_panel

path = Path(sys.argv[2])
print(load_daemon(path).socket if sys.argv[1] == "daemon" else load_panel(path).daemon_socket)
EOF
}
config_error=$(mktemp)
for kind in daemon panel; do
    check_config "$kind" "$ETC_DIR/$kind.toml.dist" >/dev/null 2>"$config_error" || {
        cat "$config_error" >>"$LOG"
        die "the shipped $kind.toml template is invalid (details in $LOG)"
    }
    check_config "$kind" "$ETC_DIR/$kind.toml" >/dev/null 2>"$config_error" || {
        cat "$config_error" >>"$LOG"
        grep -v '^ *For further information' "$config_error" | tail -n 3 | sed 's/^/    | /' >&2
        die "$ETC_DIR/$kind.toml is invalid; compare it with $kind.toml.dist (details in $LOG)"
    }
done
SOCKET=$(check_config daemon "$ETC_DIR/daemon.toml")
rm -f "$config_error"
[[ $(install_file 0644 "$REPO/deploy/logrotate/supercp" /etc/logrotate.d/supercp) ]] &&
    note "installed /etc/logrotate.d/supercp"
# The panel's settings the installer needs, as PANEL_<KEY>=value lines (shell-quoted).
panel_settings() {
    "$VENV/bin/python" - "$PANEL_CONFIG" <<'EOF'
import shlex
import sys
from pathlib import Path

from supercp.web.config.panel import load_config

config = load_config(Path(sys.argv[1]))
for key in ("listen_address", "port", "tls_certificate", "tls_key", "frontend_dir", "static_root"):
    print(f"PANEL_{key.upper()}={shlex.quote(str(getattr(config, key)))}")
EOF
}
eval "$(panel_settings)"

# --- services -----------------------------------------------------------------------------

# Init scripts of ours carry this line; only those may be replaced on upgrade.
OUR_INIT_MARK="Installed by GetSuperCP's install.sh"

# Without systemd, a service whose package ships only a unit (pdns on Debian 12) gets our
# fallback script from deploy/init.d/.
ensure_init_script() {
    local svc=$1 script=/etc/init.d/$1 fallback=$REPO/deploy/init.d/$1
    if [[ -e $script ]] && ! grep -qF "$OUR_INIT_MARK" "$script"; then
        return 0 # the package's own
    fi
    [[ -f $fallback ]] || die "$svc has no init script, and PID 1 is not systemd"
    if [[ $(install_file 0755 "$fallback" "$script") ]]; then
        note "$svc: installed fallback $script"
    fi
    run update-rc.d "$svc" defaults
}

# Start a service unless it runs already; fail with its output if it will not start.
ensure_running() {
    local svc=$1
    if [[ $INIT == systemd ]]; then
        run systemctl enable --now "$svc"
        systemctl is-active --quiet "$svc" || die "$svc did not start (journalctl -u $svc)"
        note "$svc: running"
    else
        ensure_init_script "$svc"
        if service "$svc" status >/dev/null 2>&1; then
            note "$svc: running"
            return 0
        fi
        run service "$svc" start
        service "$svc" status >/dev/null 2>&1 || die "$svc did not start (see $LOG)"
        note "$svc: started"
    fi
}

# --- web hosting --------------------------------------------------------------------------

step "Web hosting (nginx and PHP-FPM)"
# Sites: nginx server blocks and PHP-FPM pools that super-daemon renders (docs/daemon.md).
NGINX_SUPERCP=/etc/nginx/supercp
install -d -o root -g root -m 0755 "$NGINX_SUPERCP" "$NGINX_SUPERCP/sites"
# Logs are in a root-owned directory (no customer may plant a link there): nginx's workers
# append to the access logs, super-daemon to the error logs (nginx sends it each site's errors).
install -d -o root -g www-data -m 0750 /var/log/nginx/supercp
install -d -o root -g root -m 0700 "$STATE_DIR/sites"
# ACME challenges of every site, and the empty directory hidden paths are looked up in
# (deploy/nginx/http.conf).
install -d -o root -g root -m 0755 "$STATE_DIR/acme" "$STATE_DIR/acme/.well-known" \
    "$STATE_DIR/acme/.well-known/acme-challenge" "$STATE_DIR/web" "$STATE_DIR/web/empty"
web_changed=
[[ $(install_file 0644 "$REPO/deploy/nginx/http.conf" "$NGINX_SUPERCP/http.conf") ]] &&
    web_changed=1
[[ $(install_file 0644 "$REPO/deploy/nginx/supercp.conf" /etc/nginx/conf.d/supercp.conf) ]] &&
    web_changed=1
# Unknown host names get our 404 server instead of Debian's welcome page, unless an admin
# made the default site their own (a file rather than the package's link).
if [[ -L /etc/nginx/sites-enabled/default &&
    $(readlink -f /etc/nginx/sites-enabled/default) == /etc/nginx/sites-available/default ]]; then
    rm -f /etc/nginx/sites-enabled/default
    note "disabled Debian's default nginx site"
    web_changed=1
fi
if [[ ! -e /etc/nginx/sites-enabled/default ]]; then
    [[ $(install_file 0644 "$REPO/deploy/nginx/default-server.conf" \
        "$NGINX_SUPERCP/default-server.conf") ]] && web_changed=1
fi
for svc in "${PHP_FPM_SERVICES[@]}"; do
    version=${svc#php}
    version=${version%-fpm}
    [[ $(install_file 0644 "$REPO/deploy/php/supercp-global.conf" \
        "/etc/php/$version/fpm/pool.d/supercp-global.conf") ]] && web_changed=1
done
[[ $(install_file 0644 "$REPO/deploy/logrotate/supercp-sites" /etc/logrotate.d/supercp-sites) ]] &&
    note "installed /etc/logrotate.d/supercp-sites"
# Open files: PHP-FPM's master holds one listening socket per pool, nginx's workers a syslog
# socket per site that logged an error. Both start with their init system's limit.
FILES_LIMIT=524288
limits_changed=
if [[ $INIT == systemd ]]; then
    # Our PHP-FPM masters (shards of the sites' pools, docs/daemon.md): super-daemon enables
    # and starts an instance per shard; without systemd it runs them itself. A changed unit
    # or limit reaches them at their next start: no restart of any master here.
    fpm_unit_changed=
    [[ $(install_file 0644 "$REPO/deploy/systemd/supercp-php-fpm@.service" \
        /etc/systemd/system/supercp-php-fpm@.service) ]] && fpm_unit_changed=1
    [[ $(install_file 0644 "$REPO/deploy/systemd/open-files.conf" \
        /etc/systemd/system/supercp-php-fpm@.service.d/supercp-open-files.conf) ]] &&
        fpm_unit_changed=1
    for unit in nginx "${PHP_FPM_SERVICES[@]}"; do
        [[ $(install_file 0644 "$REPO/deploy/systemd/open-files.conf" \
            "/etc/systemd/system/$unit.service.d/supercp-open-files.conf") ]] && limits_changed=1
    done
    [[ -n $limits_changed$fpm_unit_changed ]] && run systemctl daemon-reload
else
    # Debian's nginx init script applies ULIMIT from /etc/default/nginx; the limit cannot
    # exceed the hard limit this machine gives root (containers often cap it).
    hard=$(ulimit -Hn)
    [[ $hard == unlimited || $hard -gt $FILES_LIMIT ]] && hard=$FILES_LIMIT
    marker="# GetSuperCP: one error log per site, two while nginx reloads"
    want="ULIMIT=\"-n $hard\" $marker"
    if ! grep -qxF -- "$want" /etc/default/nginx 2>/dev/null; then
        touch /etc/default/nginx
        sed -i "/$marker\$/d" /etc/default/nginx
        echo "$want" >>/etc/default/nginx
        limits_changed=1
    fi
fi
if [[ -n $limits_changed ]]; then
    # A new limit needs a new master: restart, not reload.
    for svc in nginx "${PHP_FPM_SERVICES[@]}"; do
        if service "$svc" status >/dev/null 2>&1; then
            run service "$svc" restart
        fi
    done
    note "open-file limit of nginx and PHP-FPM set; restarted them"
    # Debian's init script stops every php-fpmX.Y process, super-daemon's shard masters too:
    # the rebuild below starts them again (a site whose socket is gone is applied again).
    [[ $INIT == systemd ]] || rm -f "$REBUILD_STAMP"
fi
run nginx -t -q
if [[ -n $web_changed ]]; then
    for svc in nginx "${PHP_FPM_SERVICES[@]}"; do
        if service "$svc" status >/dev/null 2>&1; then
            run service "$svc" reload
        fi
    done
    note "installed the http-level include and the default server; reloaded nginx and PHP-FPM"
else
    note "nginx and PHP-FPM settings unchanged"
fi

step "Managed services"
for svc in "${MANAGED_SERVICES[@]}"; do
    # pdns needs its database and configuration first: see the PowerDNS step.
    [[ $svc == pdns ]] && continue
    ensure_running "$svc"
done

# --- MariaDB ------------------------------------------------------------------------------

step "MariaDB database $DB_NAME"
# Connections: the panel holds one per request thread (deploy/mariadb/60-supercp.cnf says why).
if [[ $(install_file 0644 "$REPO/deploy/mariadb/60-supercp.cnf" \
    /etc/mysql/mariadb.conf.d/60-supercp.cnf) ]]; then
    note "installed /etc/mysql/mariadb.conf.d/60-supercp.cnf"
fi
want_connections=$(sed -n 's/^max_connections = //p' "$REPO/deploy/mariadb/60-supercp.cnf")
have_connections=$(mariadb --protocol=socket -u root -N -e 'SELECT @@max_connections' 2>>"$LOG")
if ((have_connections < want_connections)); then
    # Takes effect now; the file keeps it across restarts.
    mariadb --protocol=socket -u root -e "SET GLOBAL max_connections = $want_connections" \
        2>>"$LOG" || die "could not raise MariaDB's max_connections (see $LOG)"
    note "MariaDB max_connections: $have_connections -> $want_connections"
fi
load_db_password "$DB_SECRET" "$DB_USER" "the panel" "$DB_NAME"
# Root logs in through the unix socket (Debian's default). The SQL goes in on stdin, so the
# password appears neither in the process list nor in the log.
mariadb --protocol=socket -u root 2>>"$LOG" <<EOF || die "MariaDB setup failed (see $LOG)"
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$password';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
EOF
copy_panel_login "$PANEL_DB_CNF" "$DB_SECRET" "$DB_USER" "$password" "the panel" "$DB_NAME"
unset password
note "database and user converged; panel login works"

# --- panel --------------------------------------------------------------------------------

step "Panel database schema"
if [[ ! -s $PANEL_KEY ]]; then
    # Generated once: a new key would end every session.
    openssl rand -hex 32 | write_panel_file "$PANEL_KEY" >/dev/null
    note "generated the panel's secret key in $PANEL_KEY"
fi
# Django as the panel runs it: production settings, this machine's panel.toml.
# From /, so nothing in the checkout can shadow an installed module.
panel_django() (
    cd /
    export SUPERCP_PANEL_CONFIG=$PANEL_CONFIG DJANGO_SETTINGS_MODULE=supercp.web.config.settings
    "$@"
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

step "Panel TLS certificate"
if [[ -s $PANEL_TLS_CERTIFICATE && -s $PANEL_TLS_KEY ]]; then
    note "using $PANEL_TLS_CERTIFICATE"
elif [[ $PANEL_TLS_CERTIFICATE == "$PANEL_TLS_DIR"/* && $PANEL_TLS_KEY == "$PANEL_TLS_DIR"/* ]]; then
    # Made once, for this machine's name and its loopback addresses, until a real one is
    # configured in panel.toml.
    install -d -o root -g "$PANEL_USER" -m 0750 "$PANEL_TLS_DIR"
    tls_host=$(timeout 5 hostname -f 2>/dev/null || true)
    [[ -n $tls_host ]] || tls_host=$(hostname)
    tls_tmp=$(mktemp -d "$PANEL_TLS_DIR/.new.XXXXXX")
    run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 3650 \
        -nodes -subj "/CN=$tls_host" \
        -addext "subjectAltName=DNS:$tls_host,IP:127.0.0.1,IP:::1" \
        -keyout "$tls_tmp/key" -out "$tls_tmp/crt"
    chown "root:$PANEL_USER" "$tls_tmp/key" "$tls_tmp/crt"
    chmod 0640 "$tls_tmp/key" "$tls_tmp/crt"
    mv "$tls_tmp/key" "$PANEL_TLS_KEY"
    mv "$tls_tmp/crt" "$PANEL_TLS_CERTIFICATE"
    rmdir "$tls_tmp"
    note "made a self-signed certificate for $tls_host, 127.0.0.1 and ::1"
else
    die "panel.toml names $PANEL_TLS_CERTIFICATE and $PANEL_TLS_KEY; both must exist"
fi
runuser -u "$PANEL_USER" -- test -r "$PANEL_TLS_CERTIFICATE" ||
    die "$PANEL_USER cannot read $PANEL_TLS_CERTIFICATE"
runuser -u "$PANEL_USER" -- test -r "$PANEL_TLS_KEY" || die "$PANEL_USER cannot read $PANEL_TLS_KEY"

# --- our own services ---------------------------------------------------------------------

# Where our unit (systemd) or init script (otherwise) for service $1 lives in the repo.
unit_source() {
    if [[ $INIT == systemd ]]; then
        echo "$REPO/deploy/systemd/$1.service"
    else
        echo "$REPO/deploy/init.d/$1"
    fi
}

# Install (when changed) and enable our service $1.
install_unit() {
    local svc=$1 src
    src=$(unit_source "$svc")
    if [[ $INIT == systemd ]]; then
        if [[ $(install_file 0644 "$src" "/etc/systemd/system/$svc.service") ]]; then
            run systemctl daemon-reload
            note "installed $svc.service"
        fi
        run systemctl enable "$svc"
    else
        [[ $(install_file 0755 "$src" "/etc/init.d/$svc") ]] &&
            note "installed /etc/init.d/$svc"
        run update-rc.d "$svc" defaults
    fi
}

# Start service $1, or restart it when hash $2 (what it runs) differs from the one it was
# started with (kept in stamp file $3); $4 says what a change means, for the output.
converge_service() {
    local svc=$1 hash=$2 stamp=$3 what=$4
    local -a status start restart
    if [[ $INIT == systemd ]]; then
        status=(systemctl is-active --quiet "$svc")
        start=(systemctl start "$svc")
        restart=(systemctl restart "$svc")
    else
        status=(service "$svc" status)
        start=(service "$svc" start)
        restart=(service "$svc" restart)
    fi
    if ! "${status[@]}" >/dev/null 2>&1; then
        run "${start[@]}"
        note "started"
    elif [[ ! -f $stamp || $(cat "$stamp") != "$hash" ]]; then
        run "${restart[@]}"
        note "restarted ($what changed)"
    else
        note "running, unchanged"
    fi
    echo "$hash" >"$stamp"
}

# --- PowerDNS -----------------------------------------------------------------------------

step "PowerDNS (gmysql, database $PDNS_DB)"
# launch=gmysql only: the bind backend (Debian's default) goes, with its config in pdns.d/.
bind_status=$(dpkg-query -W -f='${db:Status-Status}' pdns-backend-bind 2>/dev/null || true)
if [[ -n $bind_status && $bind_status != not-installed ]]; then
    run apt-get purge -y -q pdns-backend-bind
    note "purged pdns-backend-bind"
fi
rm -f "$PDNS_ETC/pdns.d/bind.conf"
# Debian's schema (latin1 tables: names are A-labels, and utf8mb4 would overflow its indexes),
# loaded once into an empty database; later runs leave the tables, and so the zones, alone.
mariadb --protocol=socket -u root 2>>"$LOG" <<EOF || die "MariaDB setup of $PDNS_DB failed (see $LOG)"
CREATE DATABASE IF NOT EXISTS \`$PDNS_DB\` CHARACTER SET latin1 COLLATE latin1_swedish_ci;
EOF
tables=$(mariadb --protocol=socket -u root -N -B -e "SELECT COUNT(*) FROM information_schema.tables
    WHERE table_schema = '$PDNS_DB' AND table_name = 'domains'" 2>>"$LOG") ||
    die "cannot read $PDNS_DB's tables (see $LOG)"
if [[ $tables == 0 ]]; then
    [[ -r $PDNS_SCHEMA ]] || die "$PDNS_SCHEMA is missing (package pdns-backend-mysql)"
    mariadb --protocol=socket -u root "$PDNS_DB" <"$PDNS_SCHEMA" 2>>"$LOG" ||
        die "loading $PDNS_SCHEMA into $PDNS_DB failed (see $LOG)"
    note "loaded PowerDNS's schema into $PDNS_DB"
fi
# pdns: what pdns_server, and pdnsutil (run by super-daemon as root with the same config), read
# and write. Nothing else: zones, records and their metadata are the panel's to write.
load_db_password "$PDNS_SECRET" "$PDNS_DB_USER" "PowerDNS" "$PDNS_DB"
pdns_password=$password
# supercp_dns: the panel's login for PowerDNS's tables, rows only (no schema changes).
load_db_password "$DNS_SECRET" "$DNS_DB_USER" "the panel (DNS)" "$PDNS_DB"
dns_password=$password
mariadb --protocol=socket -u root 2>>"$LOG" <<EOF || die "MariaDB users of $PDNS_DB failed (see $LOG)"
CREATE USER IF NOT EXISTS '$PDNS_DB_USER'@'localhost' IDENTIFIED BY '$pdns_password';
ALTER USER '$PDNS_DB_USER'@'localhost' IDENTIFIED BY '$pdns_password';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$PDNS_DB_USER'@'localhost';
GRANT SELECT ON \`$PDNS_DB\`.* TO '$PDNS_DB_USER'@'localhost';
-- The primary records the serial it sent NOTIFY for; a secondary zone's last check.
GRANT UPDATE (notified_serial, last_check) ON \`$PDNS_DB\`.domains TO '$PDNS_DB_USER'@'localhost';
-- Rectify: ordername and auth of each record, plus the empty non-terminals it adds and drops
-- (rows of type NULL, e.g. _domainkey under selector._domainkey).
GRANT INSERT, DELETE, UPDATE (ordername, auth) ON \`$PDNS_DB\`.records
    TO '$PDNS_DB_USER'@'localhost';
-- secure-zone, disable-dnssec and key rollovers: the keys, and the metadata disable-dnssec
-- clears (NSEC3PARAM, PRESIGNED).
GRANT INSERT, UPDATE, DELETE ON \`$PDNS_DB\`.cryptokeys TO '$PDNS_DB_USER'@'localhost';
GRANT INSERT, UPDATE, DELETE ON \`$PDNS_DB\`.domainmetadata TO '$PDNS_DB_USER'@'localhost';
CREATE USER IF NOT EXISTS '$DNS_DB_USER'@'localhost' IDENTIFIED BY '$dns_password';
ALTER USER '$DNS_DB_USER'@'localhost' IDENTIFIED BY '$dns_password';
REVOKE ALL PRIVILEGES, GRANT OPTION FROM '$DNS_DB_USER'@'localhost';
GRANT SELECT, INSERT, UPDATE, DELETE ON \`$PDNS_DB\`.* TO '$DNS_DB_USER'@'localhost';
EOF
copy_panel_login "$PANEL_DNS_CNF" "$DNS_SECRET" "$DNS_DB_USER" "$dns_password" \
    "the panel for PowerDNS's tables" "$PDNS_DB"
# Our configuration, whole: pdns.conf, and the backend's login (readable by pdns_server, which
# runs as pdns). The password is put in by bash, never on a command line.
install_file 0644 "$REPO/deploy/pdns/pdns.conf" "$PDNS_ETC/pdns.conf" >/dev/null
gmysql=$(<"$REPO/deploy/pdns/gmysql.conf")
printf '%s\n' "${gmysql//@PASSWORD@/$pdns_password}" |
    write_file pdns 0640 "$PDNS_ETC/pdns.d/gmysql.conf" >/dev/null
unset password pdns_password dns_password gmysql
# ALIAS records need a resolver that is not PowerDNS itself: the machine's first nameserver,
# unless that is on the loopback, where port 53 is pdns_server's own (local-address 0.0.0.0
# takes 127.0.0.53 too, so systemd-resolved's stub cannot be it either).
pdns_resolver=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)
alias_off=
if [[ -z $pdns_resolver ]]; then
    alias_off="/etc/resolv.conf names no nameserver"
elif [[ $pdns_resolver =~ ^(127\.|0\.0\.0\.0$|::1$|::$|::ffff:127\.) ]]; then
    alias_off="the nameserver $pdns_resolver is on the loopback, where port 53 is PowerDNS's own"
elif [[ $pdns_resolver =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
    :
elif [[ $pdns_resolver =~ ^[0-9A-Fa-f:]+$ ]]; then
    pdns_resolver="[$pdns_resolver]:53"
else
    alias_off="the nameserver $pdns_resolver is no address PowerDNS can use"
fi
if [[ -z $alias_off ]]; then
    resolver_conf=$(<"$REPO/deploy/pdns/supercp-resolver.conf")
    printf '%s\n' "${resolver_conf//@RESOLVER@/$pdns_resolver}" |
        write_file root 0644 "$PDNS_ETC/pdns.d/supercp-resolver.conf" >/dev/null
    note "ALIAS records resolve through $pdns_resolver"
else
    rm -f "$PDNS_ETC/pdns.d/supercp-resolver.conf"
    note "ALIAS records answer no addresses: $alias_off (see docs/dns.md)"
fi
if [[ $INIT == systemd ]]; then
    run systemctl enable pdns
else
    ensure_init_script pdns
fi
# Restart only when what pdns_server reads at start differs from what it was started with.
PDNS_HASH=$(
    find "$PDNS_ETC/pdns.conf" "$PDNS_ETC/pdns.d" -type f -print0 | LC_ALL=C sort -z |
        xargs -0 cat | sha256sum | cut -d' ' -f1
)
converge_service pdns "$PDNS_HASH" "$PDNS_STAMP" "configuration"
pdns_control rping >/dev/null 2>>"$LOG" || die "pdns does not answer on its control socket (see $LOG)"
pdnsutil list-all-zones >/dev/null 2>>"$LOG" || die "pdnsutil cannot read $PDNS_DB (see $LOG)"
note "PowerDNS answers on port 53 from $PDNS_DB; the panel's login works"

# --- super-daemon -------------------------------------------------------------------------

step "super-daemon ($INIT)"
install_unit super-daemon
SERVICE_FILE=$(unit_source super-daemon)

# Restart only when what the daemon runs differs from what it was started with.
DAEMON_HASH=$(
    {
        echo "$CODE_HASH"
        sha256sum "$ETC_DIR/daemon.toml" "$SERVICE_FILE" | cut -d' ' -f1
    } | sha256sum | cut -d' ' -f1
)
converge_service super-daemon "$DAEMON_HASH" "$DAEMON_STAMP" "code, config or unit"

# --- health check -------------------------------------------------------------------------

step "Health check"
for _ in $(seq 100); do
    [[ -S $SOCKET ]] && break
    sleep 0.1
done
[[ -S $SOCKET ]] || die "$SOCKET did not appear within 10 s (see $LOG_DIR/daemon.log)"
note "socket: $(stat -c '%n %a %U:%G' "$SOCKET")"
ping=$(super-cli --json daemon ping 2>>"$LOG") ||
    die "super-cli --json daemon ping failed (see $LOG)"
note "super-cli --json daemon ping: $ping"

# --- panel service ------------------------------------------------------------------------

step "Panel ($INIT)"
install_unit supercp-panel
PANEL_SERVICE_FILE=$(unit_source supercp-panel)
# Restart only when what the panel runs differs from what it was started with; uvicorn reads
# the certificate and Django the frontend's manifest only at start.
PANEL_HASH=$(
    {
        echo "$CODE_HASH $FRONTEND_HASH"
        cat "$PANEL_CONFIG" "$PANEL_SERVICE_FILE" "$PANEL_TLS_CERTIFICATE" "$PANEL_TLS_KEY" |
            sha256sum | cut -d' ' -f1
    } | sha256sum | cut -d' ' -f1
)
converge_service supercp-panel "$PANEL_HASH" "$PANEL_STAMP" \
    "code, config, frontend or certificate"

case $PANEL_LISTEN_ADDRESS in
    0.0.0.0 | ::) probe_host=127.0.0.1 ;;
    *:*) probe_host="[$PANEL_LISTEN_ADDRESS]" ;;
    *) probe_host=$PANEL_LISTEN_ADDRESS ;;
esac
PROBE_URL=https://$probe_host:$PANEL_PORT/login
# The certificate may be self-signed: this checks that the panel answers, not who it is.
panel_answers() {
    "$VENV/bin/python" - "$PROBE_URL" <<'EOF'
import ssl
import sys
import urllib.request

context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
try:
    with urllib.request.urlopen(sys.argv[1], context=context, timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
EOF
}
answered=
for _ in $(seq 60); do
    if panel_answers; then
        answered=1
        break
    fi
    sleep 0.5
done
if [[ -z $answered ]]; then
    if [[ $INIT == systemd ]]; then
        die "$PROBE_URL did not answer within 30 s (journalctl -u supercp-panel)"
    fi
    die "$PROBE_URL did not answer within 30 s (see $LOG_DIR/panel.log)"
fi
note "$PROBE_URL answers"

# --- worker -------------------------------------------------------------------------------

step "Worker ($INIT)"
install_unit supercp-worker
WORKER_SERVICE_FILE=$(unit_source supercp-worker)
# Restart only when what the worker runs differs from what it was started with. A restart
# waits for the job in hand to finish.
WORKER_HASH=$(
    {
        echo "$CODE_HASH"
        cat "$PANEL_CONFIG" "$WORKER_SERVICE_FILE" | sha256sum | cut -d' ' -f1
    } | sha256sum | cut -d' ' -f1
)
converge_service supercp-worker "$WORKER_HASH" "$WORKER_STAMP" "code, config or unit"

# The first admin, only while the panel has none. The password is shown once at the end and
# written nowhere: super-cli's output is captured here, not logged.
ADMIN_PASSWORD=
if ! panel_django "$VENV/bin/python" -c '
import django
django.setup()
from supercp.web.core.services import any_admin
raise SystemExit(0 if any_admin() else 1)' 2>>"$LOG"; then
    if created=$(cd / && super-cli --json admin create admin 2>>"$LOG"); then
        ADMIN_PASSWORD=$(printf '%s' "$created" |
            "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["password"])')
        note "created the first admin, admin (password below)"
    else
        note "could not create the first admin; run: super-cli admin create NAME"
    fi
fi
unset created

# New zones' A and AAAA records point at this server: the addresses the routing table picks
# for outside traffic (a route lookup of documentation addresses sends nothing). Only while
# no admin has set them; behind NAT that is the inner address, which an admin then changes
# (DNS settings, or super-cli dns defaults --ipv4).
dns_defaults=()
if command -v ip >/dev/null; then
    ipv4=$(ip -4 route get 192.0.2.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
    ipv6=$(ip -6 route get 2001:db8::1 2>/dev/null | sed -n 's/.* src \([0-9a-f:]*\).*/\1/p')
    [[ -n $ipv4 ]] && dns_defaults+=(--ipv4 "$ipv4")
    # Link-local and unique local (fc00::/7) addresses reach nobody outside.
    [[ $ipv6 == fe80:* || $ipv6 == f[cd]* ]] && ipv6=
    [[ -n $ipv6 ]] && dns_defaults+=(--ipv6 "$ipv6")
fi
if [[ ${#dns_defaults[@]} -gt 0 ]]; then
    if set_now=$(cd / && super-cli --json dns defaults --if-unset "${dns_defaults[@]}" 2>>"$LOG"); then
        [[ $set_now == *'"changed": []'* || $set_now == *'"changed":[]'* ]] ||
            note "DNS: new zones' A/AAAA records point at ${ipv4:-no IPv4} and ${ipv6:-no IPv6}"
    else
        note "could not set the DNS defaults; see super-cli dns defaults --help"
    fi
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
printf '  config:   %s/daemon.toml, %s (secrets in %s)\n' "$ETC_DIR" "$PANEL_CONFIG" \
    "$SECRETS_DIR"
printf '  code:     %s\n' "$VENV"
printf '  logs:     %s (install.log, daemon.log, panel.log, worker.log, audit.jsonl)\n' "$LOG_DIR"
printf '  socket:   %s\n' "$SOCKET"
if [[ $INIT == systemd ]]; then
    printf '  service:  systemctl status super-daemon supercp-panel supercp-worker\n'
else
    printf '  service:  service super-daemon status; service supercp-panel status;'
    printf ' service supercp-worker status\n'
fi
printf '  services: %s\n' "${MANAGED_SERVICES[*]}"
panel_host=$(timeout 5 hostname -f 2>/dev/null || hostname)
printf '  panel:    https://%s:%s (here: https://127.0.0.1:%s)\n' "$panel_host" "$PANEL_PORT" \
    "$PANEL_PORT"
if [[ -n $ADMIN_PASSWORD ]]; then
    printf '\n  First admin: admin\n  One-time password: %s\n' "$ADMIN_PASSWORD"
    printf '  (shown this once and stored nowhere in clear; change it under Security)\n'
fi
