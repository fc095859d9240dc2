# shellcheck shell=bash disable=SC2034  # sourced: the variables are used by install.sh
# Everything the installer knows about particular operating systems lives here, so that
# supporting another release means editing this one file. Sourced by install.sh; defines
# variables and functions only and changes nothing on the system.
#
# Sets:
#   OS_ID, OS_VERSION, OS_NAME   from /etc/os-release
#   OS_PHP_VERSION               PHP version that the release's php-fpm package installs
#   OS_PACKAGES                  array of apt packages the panel needs
#   OS_SERVICES                  array of service names the panel manages (php-fpm added at
#                                run time by os_php_fpm_services, see below)
#   OS_INIT_D                    where init scripts go (without systemd)
#   OS_NOLOGIN                   the shell of users who may not log in
# Exports, for `super-daemon setup` (daemon/setup/machine.py reads every one; the daemon's
# own run-time paths are in its layouts):
#   OS_NGINX_CONF_D, OS_NGINX_DEFAULT_SITE(_TARGET), OS_NGINX_DEFAULTS, OS_MARIADB_CONF_D,
#   OS_MARIADB_SOCKET, OS_PDNS_DIR, OS_PDNS_SCHEMA, OS_PDNS_USER, OS_LOGROTATE_D,
#   OS_SYSTEMD_UNIT_DIR, OS_RESOLV_CONF
# Defines:
#   os_detect, os_php_fpm_services

os_detect() {
    if [[ ! -r /etc/os-release ]]; then
        echo "cannot read /etc/os-release: unknown operating system" >&2
        return 1
    fi
    # Read in a subshell so os-release's variables do not leak into the installer.
    local id version name
    id=$(. /etc/os-release && echo "${ID:-}")
    version=$(. /etc/os-release && echo "${VERSION_ID:-}")
    name=$(. /etc/os-release && echo "${PRETTY_NAME:-$id $version}")
    OS_ID=$id
    OS_VERSION=$version
    OS_NAME=$name

    case "$OS_ID:$OS_VERSION" in
        debian:12)
            OS_PHP_VERSION=8.2
            ;;
        debian:13)
            # Goal, not yet tried: trixie ships PHP 8.4, Dovecot 2.4 (new config syntax, for
            # the mail module) and PowerDNS 4.9.
            OS_PHP_VERSION=8.4
            ;;
        ubuntu:24.04)
            # Goal, not yet tried: pure-ftpd-mysql is in universe, and systemd-resolved's stub
            # listener holds 127.0.0.53:53, which the DNS module will have to keep pdns off.
            OS_PHP_VERSION=8.3
            ;;
        *)
            echo "unsupported operating system: $OS_NAME ($OS_ID $OS_VERSION)" >&2
            echo "GetSuperCP supports Debian 12; Debian 13 and Ubuntu 24.04 are planned." >&2
            return 1
            ;;
    esac

    # The package names are the same on every supported release; the metapackage php-fpm
    # pulls in the release's own phpX.Y-fpm.
    OS_PACKAGES=(
        python3 python3-venv
        mariadb-server mariadb-client
        nginx php-fpm
        # PowerDNS on MariaDB (launch=gmysql); dig, for whoever checks its answers.
        pdns-server pdns-backend-mysql bind9-dnsutils
        openssl ca-certificates logrotate
        # The Public Suffix List: customers may not take co.uk or github.io as a site or zone.
        publicsuffix
        # Build the panel's MariaDB driver (mysqlclient) and ICU binding (PyICU, for the
        # look-alike name checks), which PyPI ships as source only.
        pkg-config libmariadb-dev python3-dev gcc libicu-dev g++
    )
    # Mail (Postfix, Dovecot), FTP (Pure-FTPd) and the firewall (nftables) come with the
    # modules that configure them: on package defaults they would listen for, and log in,
    # the machine's users.
    OS_SERVICES=(nginx mariadb pdns)
    OS_INIT_D=/etc/init.d
    OS_NOLOGIN=/usr/sbin/nologin

    export OS_NGINX_CONF_D=/etc/nginx/conf.d
    export OS_NGINX_DEFAULT_SITE=/etc/nginx/sites-enabled/default
    export OS_NGINX_DEFAULT_SITE_TARGET=/etc/nginx/sites-available/default
    export OS_NGINX_DEFAULTS=/etc/default/nginx
    export OS_MARIADB_CONF_D=/etc/mysql/mariadb.conf.d
    export OS_MARIADB_SOCKET=/run/mysqld/mysqld.sock
    export OS_PDNS_DIR=/etc/powerdns
    export OS_PDNS_SCHEMA=/usr/share/pdns-backend-mysql/schema/schema.mysql.sql
    export OS_PDNS_USER=pdns
    export OS_LOGROTATE_D=/etc/logrotate.d
    export OS_SYSTEMD_UNIT_DIR=/etc/systemd/system
    export OS_RESOLV_CONF=/etc/resolv.conf
}

# Print the service name of every installed php-fpm (php8.2-fpm, ...), one per line. Several
# versions can be installed side by side; each runs its own pool.
os_php_fpm_services() {
    local bin
    for bin in /usr/sbin/php-fpm[0-9]*.[0-9]*; do
        [[ -x $bin ]] || continue
        echo "php${bin#/usr/sbin/php-fpm}-fpm"
    done
}
