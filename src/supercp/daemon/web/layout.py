"""Where a site's files live: every path derives from the daemon's config and the domain."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from supercp.daemon.config import DaemonConfig
from supercp.protocol.web import PhpLimits, Site, SiteSpec, default_docroot

# File names hold the domain where it fits; NAME_MAX is 255 and atomic_write's temp name
# adds 14 characters, so long domains are cut and made unique by a hash.
_STEM_MAX = 200
# Group of nginx's workers: the socket's and the site directories' group.
WEB_GROUP = "www-data"


def digest(domain: str) -> str:
    """A short, stable hash of the domain (socket names must fit in sun_path's 108 bytes)."""
    return hashlib.sha256(domain.encode()).hexdigest()[:16]


def log_tag(domain: str) -> str:
    """The site's tag on the errors nginx sends the daemon (syslog tags: [A-Za-z0-9_]{1,32})."""
    return f"s{digest(domain)}"


class FpmMaster(NamedTuple):
    """One PHP-FPM master: Debian's of a version (``shard`` None) or our shard of it."""

    version: str
    shard: int | None = None

    def __str__(self) -> str:
        """ "8.2" for Debian's, "8.2-3" for our shard 3 (its systemd instance's name)."""
        return self.version if self.shard is None else f"{self.version}-{self.shard}"


def stem(domain: str) -> str:
    """The domain as a file name stem, at most 200 characters."""
    if len(domain) <= _STEM_MAX:
        return domain
    return f"{domain[: _STEM_MAX - 17]}-{digest(domain)}"


@dataclass(frozen=True, slots=True)
class SitePlan:
    """Everything the renderers need about one site, with absolute paths (no I/O)."""

    domain: str
    aliases: tuple[str, ...]
    redirect_aliases: bool
    suspended: bool
    account: str
    group: str
    home: Path
    docroot: Path
    site_dir: Path
    tmp_dir: Path
    php: str | None
    socket: Path | None
    limits: PhpLimits
    access_log: Path
    error_log: Path
    # nginx sends the site's errors to the daemon's socket under this tag (errorlog.py).
    log_tag: str
    error_socket: Path
    shared_error_log: Path
    acme_root: Path
    pages_dir: Path


class WebLayout:
    """Paths of the web module under the configured root."""

    def __init__(self, config: DaemonConfig) -> None:
        hp = config.host_path
        self.config = config
        self.nginx_conf = hp("/etc/nginx/nginx.conf")
        # http-level settings shared by every site (installed by super-daemon setup).
        self.nginx_http = hp("/etc/nginx/supercp/http.conf")
        self.vhost_dir = hp("/etc/nginx/supercp/sites")
        # nginx's default server; ours serves the entries of entries_dir (default_server.py).
        self.default_server = hp("/etc/nginx/supercp/default-server.conf")
        self.nginx_pid = hp("/run/nginx.pid")
        self.log_dir = hp("/var/log/nginx/supercp")
        # Every site's errors as nginx wrote them; the daemon copies each to its site's log.
        self.shared_error_log = hp("/var/log/nginx/supercp-sites.error.log")
        self.error_socket = hp("/run/supercp-nginx-errors.sock")
        self.records_dir = hp(config.state_dir) / "sites"
        self.acme_root = hp(config.state_dir) / "acme"
        self.pages_dir = hp(config.state_dir) / "web"
        # Where hidden paths are looked up: always empty (setup/templates/http.conf's map).
        self.empty_dir = self.pages_dir / "empty"
        # New sites the default server serves until nginx's reload loads their block.
        self.entries_dir = self.pages_dir / "new"
        # Pools set aside because their user is gone (fpm.PhpFpm.set_aside_orphans).
        self.orphaned_pools = self.pages_dir / "orphaned-pools"
        self.php_run = hp("/run/php")
        self.var_log = hp("/var/log")
        self.home_root = hp(config.home_root)
        self.sbin = hp("/usr/sbin")

    def vhost(self, domain: str) -> Path:
        return self.vhost_dir / f"{stem(domain)}.conf"

    def entry(self, name: str) -> Path:
        """The default server's entry of a host name (default_server.py)."""
        return self.entries_dir / name

    def acme_challenges(self) -> Path:
        """Every site's /.well-known/acme-challenge/ (http.conf maps the URI to acme_root)."""
        return self.acme_root / ".well-known" / "acme-challenge"

    def record(self, domain: str) -> Path:
        return self.records_dir / f"{stem(domain)}.json"

    def log(self, domain: str, kind: str) -> Path:
        return self.log_dir / f"{stem(domain)}.{kind}.log"

    def fpm_dir(self, version: str) -> Path:
        return self.config.host_path(f"/etc/php/{version}/fpm")

    def fpm_ini(self, version: str) -> Path:
        # Read after php.ini (conf.d in name order), so its settings win over Debian's.
        return self.fpm_dir(version) / "conf.d" / "99-supercp.ini"

    def fpm_binary(self, version: str) -> Path:
        return self.sbin / f"php-fpm{version}"

    def fpm_pid(self, version: str) -> Path:
        return self.php_run / f"php{version}-fpm.pid"

    def legacy_pools(self, version: str) -> Path:
        """Debian's pool.d, where our pools were before shards (and the admin's still are)."""
        return self.fpm_dir(version) / "pool.d"

    def shards_dir(self, version: str) -> Path:
        return self.fpm_dir(version) / "supercp"

    def shard_dir(self, version: str, shard: int) -> Path:
        return self.shards_dir(version) / str(shard)

    def shard_conf(self, version: str, shard: int) -> Path:
        return self.shards_dir(version) / f"{shard}.conf"

    def shard_pid(self, version: str, shard: int) -> Path:
        return self.php_run / f"supercp-{version}-{shard}.pid"

    def shard_log(self, version: str, shard: int) -> Path:
        return self.var_log / f"php{version}-fpm-supercp-{shard}.log"

    def pool(self, version: str, domain: str, shard: int | None = None) -> Path:
        """The site's pool in its shard; ``shard=None``: where it was in Debian's pool.d."""
        if shard is None:
            # The "supercp." prefix keeps our pools apart from the admin's own (www.conf).
            return self.legacy_pools(version) / f"supercp.{stem(domain)}.conf"
        return self.shard_dir(version, shard) / f"{stem(domain)}.conf"

    def socket(self, version: str, domain: str, shard: int | None = None) -> Path:
        # The shard is in the name: moving a pool to another master gives it a new socket,
        # so nginx switches over between the two reloads instead of racing for one path.
        if shard is None:
            return self.php_run / f"supercp-{version}-{digest(domain)}.sock"
        return self.php_run / f"supercp-{version}-{shard}-{digest(domain)}.sock"

    def site(self, spec: SiteSpec) -> Site:
        """The result form of a spec, with the absolute document root (as the host sees
        it: without the configured root prefix)."""
        docroot = (
            self.config.home_root / spec.account / (spec.docroot or default_docroot(spec.domain))
        )
        return Site(
            domain=spec.domain,
            account=spec.account,
            aliases=list(spec.aliases),
            redirect_aliases=spec.redirect_aliases,
            php=spec.php,
            docroot=str(docroot),
            suspended=spec.suspended,
            limits=spec.limits,
        )

    def plan(self, spec: SiteSpec, group: str, shard: int | None = None) -> SitePlan:
        """The site's plan: the spec plus every path derived from it."""
        home = self.home_root / spec.account
        site_dir = home / "sites" / spec.domain
        return SitePlan(
            domain=spec.domain,
            aliases=tuple(spec.aliases),
            redirect_aliases=spec.redirect_aliases,
            suspended=spec.suspended,
            account=spec.account,
            group=group,
            home=home,
            docroot=home / (spec.docroot or default_docroot(spec.domain)),
            site_dir=site_dir,
            tmp_dir=site_dir / "tmp",
            php=spec.php,
            socket=self.socket(spec.php, spec.domain, shard) if spec.php else None,
            limits=spec.limits,
            access_log=self.log(spec.domain, "access"),
            error_log=self.log(spec.domain, "error"),
            log_tag=log_tag(spec.domain),
            error_socket=self.error_socket,
            shared_error_log=self.shared_error_log,
            acme_root=self.acme_root,
            pages_dir=self.pages_dir,
        )
