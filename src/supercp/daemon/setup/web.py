"""Setup of web hosting: nginx's include of the sites, PHP-FPM's global settings, limits."""

from __future__ import annotations

import os
import resource
from pathlib import Path

from supercp.daemon.setup.apply import SetupFailed, Swap, Wanted, check_with, converge
from supercp.daemon.setup.machine import Machine, template
from supercp.daemon.system.services import ServiceManager
from supercp.daemon.web.layout import WEB_GROUP, WebLayout

# Open files: PHP-FPM's master holds one listening socket per pool, nginx's workers a syslog
# socket per site that logged an error. Both start with their init system's limit.
FILES_LIMIT = 524288
# Marks our line in nginx's defaults file (sysv), so a new limit replaces it.
_ULIMIT_MARK = "# GetSuperCP: one error log per site, two while nginx reloads"
_LIMITS_DROP_IN = "supercp-open-files.conf"


def _report(m: Machine, changed: list[Path]) -> None:
    for path in changed:
        m.note(f"wrote {path}" if path.exists() else f"removed {path}")


def php_versions(m: Machine) -> list[str]:
    """Every installed PHP-FPM version (each has its master and pool.d)."""
    return ServiceManager(m.config.root, m.runner).php_versions()


def _dirs(m: Machine, layout: WebLayout) -> None:
    # Logs are in a root-owned directory (no customer may plant a link there): nginx's workers
    # append to the access logs, super-daemon to the error logs.
    wanted = [
        (layout.nginx_http.parent, 0o755, 0),
        (layout.vhost_dir, 0o755, 0),
        (layout.log_dir, 0o750, m.ids.group(WEB_GROUP)),
        (layout.records_dir, 0o700, 0),
        (layout.acme_root, 0o755, 0),
        (layout.acme_root / ".well-known", 0o755, 0),
        (layout.acme_challenges(), 0o755, 0),
        (layout.pages_dir, 0o755, 0),
        (layout.empty_dir, 0o755, 0),
    ]
    for path, mode, gid in wanted:
        path.mkdir(parents=True, exist_ok=True)
        st = path.stat()
        if (st.st_mode & 0o7777, st.st_uid, st.st_gid) != (mode, 0, gid):
            os.chown(path, 0, gid)
            path.chmod(mode)


def _default_site(m: Machine, layout: WebLayout) -> list[Wanted]:
    """Unknown host names get our default server instead of Debian's welcome page, unless an
    admin made the default site their own (a file rather than the package's link)."""
    site = m.path(m.os.nginx_default_site)
    target = m.path(m.os.nginx_default_site_target)
    ours = Wanted(layout.default_server, template("default-server.conf"))
    if site.is_symlink():
        # The package's link is absolute, a system path: followed under the root prefix.
        link = Path(os.readlink(site))
        points_to = m.path(link) if link.is_absolute() else site.parent / link
        if Path(os.path.realpath(points_to)) == Path(os.path.realpath(target)):
            return [Wanted(site, None), ours]
    if not site.exists() and not site.is_symlink():
        return [ours]
    return []


def _limits(m: Machine, versions: list[str]) -> list[Wanted]:
    if m.init.systemd:
        drop_in = template("open-files.conf")
        units = ["nginx", "supercp-php-fpm@", *(f"php{v}-fpm" for v in versions)]
        unit_dir = m.path(m.os.systemd_unit_dir)
        return [Wanted(unit_dir / f"{u}.service.d" / _LIMITS_DROP_IN, drop_in) for u in units]
    # Debian's nginx init script applies ULIMIT from its defaults file; the limit cannot
    # exceed the hard limit this machine gives root (containers often cap it).
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    limit = FILES_LIMIT if hard == resource.RLIM_INFINITY else min(hard, FILES_LIMIT)
    defaults = m.path(m.os.nginx_defaults)
    try:
        lines = defaults.read_text().splitlines()
    except FileNotFoundError:
        lines = []
    kept = [line for line in lines if not line.endswith(_ULIMIT_MARK)]
    text = "\n".join([*kept, f'ULIMIT="-n {limit}" {_ULIMIT_MARK}']) + "\n"
    return [Wanted(defaults, text.encode())]


async def setup_web(m: Machine) -> None:
    """Converge nginx's and PHP-FPM's settings of ours, then have both running."""
    m.step("Web hosting (nginx and PHP-FPM)")
    layout = WebLayout(m.config)
    versions = php_versions(m)
    if not versions:
        raise SetupFailed("no php-fpm is installed (package php-fpm)")
    _dirs(m, layout)
    fpm_units = [f"php{v}-fpm" for v in versions]
    global_conf = template("supercp-global.conf")
    limits = _limits(m, versions)
    wanted = [
        Wanted(layout.nginx_http, template("http.conf")),
        Wanted(m.path(m.os.nginx_conf_d) / "supercp.conf", template("supercp.conf")),
        *_default_site(m, layout),
        *(Wanted(layout.legacy_pools(v) / "supercp-global.conf", global_conf) for v in versions),
        *limits,
    ]

    async def check() -> str | None:
        problems = [await check_with(m.runner, ["nginx", "-t", "-q"])]
        for v in versions:
            problems.append(await check_with(m.runner, [str(layout.fpm_binary(v)), "-t"]))
        return "\n".join(p for p in problems if p) or None

    async def reload(changed: list[Path]) -> None:
        _report(m, changed)
        if set(changed) & {w.path for w in limits}:
            # A new limit needs a new master: restart, not reload.
            await m.init.daemon_reload()
            await m.init.reload_running(["nginx", *fpm_units], "restart")
            m.note("open-file limit of nginx and PHP-FPM set; restarted them")
            if not m.init.systemd:
                # Debian's init script stops every php-fpm process, the daemon's shard masters
                # too: the sites' rebuild after setup starts them again.
                m.rebuild_stamp.unlink(missing_ok=True)
        else:
            await m.init.reload_running(["nginx", *fpm_units])
            m.note("reloaded nginx and PHP-FPM")

    changed = await converge("nginx and PHP-FPM", wanted, check=check, reload=reload)
    if not changed:
        m.note("nginx and PHP-FPM settings unchanged")
    rotation = Swap([Wanted(m.path(m.os.logrotate_d) / "supercp-sites", template("supercp-sites"))])
    for path in rotation.apply():
        m.note(f"wrote {path}")
    for unit in ["nginx", *fpm_units]:
        if await m.init.ensure_running(unit):
            m.note(f"started {unit}")
