"""Pure renderers: a site's plan in, the text of its nginx server block and FPM pool out.

Designed for 10,000 sites in one nginx, where every reload parses every server block (see
docs/daemon.md, "Web sites", for the measurements). What a block holds is what costs:

- Each ``location`` (and each ``if``, which is one too) costs about 25 µs and 7 KB per
  server, so a PHP site has one, the .php regex, and a static site none: ``try_files`` is
  at server level, where requests that no location takes are served. Hidden files and ACME
  challenges need none of their own: the http include's ``$supercp_root`` map sends their
  URIs to an empty directory or to the one ACME directory (``$supercp_static_root`` also
  sends .php URIs there), and ``$supercp_front`` keeps them from falling through to the
  site's front controller. The block only names its document root
  (``set $supercp_docroot``).
- An ``error_log`` file per server costs nginx a lookup in its list of open files (so the
  load grows with the square of the sites: 0.5 s of 1.3 s at 10,000) and a descriptor in
  every process. A site's errors go to one shared file and, tagged, to super-daemon, which
  writes the site's own error log (errorlog.py); a syslog target opens nothing at load.
- No fastcgi_param: the http include holds them once (a location that defines none
  inherits them, already compiled). The access log path and the fastcgi_pass socket end
  with the always-empty ``$supercp_lazy``, which makes nginx resolve them per request: the
  log is opened through ``open_log_file_cache`` instead of held open per site, and the
  socket creates no implicit upstream (nginx finds those by a linear search).

Pools are lean for the same reason: PHP-FPM reads its configuration one byte per read(),
10,000 pools at every reload. What is the same for every site is in one ini per version
(``render_fpm_ini``), and php-fpm's defaults are not repeated.
"""

from __future__ import annotations

from pathlib import Path

from supercp.daemon.web.layout import SitePlan

SUSPENDED_PAGE = "suspended.html"

# Functions that let PHP run programs or signal processes; the site's own code has no
# business with them on shared hosting.
DISABLED_FUNCTIONS = (
    "exec,passthru,shell_exec,system,proc_open,popen,proc_nice,proc_terminate,proc_get_status,"
    "pcntl_exec,pcntl_fork,pcntl_signal,pcntl_signal_dispatch,pcntl_alarm,pcntl_waitpid,"
    "pcntl_wait,pcntl_wexitstatus,pcntl_wifexited,pcntl_wifsignaled,pcntl_wifstopped,"
    "pcntl_wstopsig,pcntl_wtermsig,pcntl_sigprocmask,pcntl_sigwaitinfo,pcntl_sigtimedwait,"
    "pcntl_setpriority,pcntl_getpriority,posix_kill,posix_setuid,posix_setgid,posix_seteuid,"
    "posix_setegid,posix_setsid,posix_setpgid,posix_mkfifo,posix_mknod,dl"
)


def render_fpm_ini() -> str:
    """Settings of every pool of a PHP-FPM version (its conf.d/99-supercp.ini)."""
    return (
        "; GetSuperCP: settings of every PHP-FPM pool of this version, written by\n"
        "; super-daemon (edits are overwritten). Read after php.ini, so these win.\n"
        f"disable_functions = {DISABLED_FUNCTIONS}\n"
        "allow_url_include = Off\n"
    )


def render_fpm_shard(version: str, shard: int, pid: Path, error_log: Path, pools: Path) -> str:
    """The main config of one of our PHP-FPM masters: its own pid file and log, its pools.

    php.ini and conf.d (with render_fpm_ini's file) need no mention: php-fpmX.Y finds them
    where it was built to look, whichever --fpm-config it is given. The candidate check
    renders this too (with paths of its own), so what it validates is this template.
    """
    return (
        f"; GetSuperCP: PHP-FPM {version}, shard {shard}: a master of up to a few hundred\n"
        "; sites' pools. Rendered by super-daemon; edits are overwritten.\n"
        "[global]\n"
        f"pid = {pid}\n"
        f"error_log = {error_log}\n"
        # On a reload (SIGUSR2), running requests get this long to finish.
        "process_control_timeout = 10s\n"
        f"include = {pools}/*.conf\n"
    )


def _header(plan: SitePlan, comment: str) -> str:
    return (
        f"{comment} {plan.domain} (account {plan.account}): rendered by super-daemon from the "
        f"site's record.\n{comment} Edits are overwritten; change the site through the panel.\n"
    )


def _listen() -> list[str]:
    return ["    listen 80;", "    listen [::]:80;"]


def _common(plan: SitePlan, names: list[str]) -> list[str]:
    return [
        *_listen(),
        f"    server_name {' '.join(names)};",
        f"    access_log {plan.access_log}$supercp_lazy;",
        # All sites' errors in one file (a single entry in nginx's open files), and each
        # to super-daemon under the site's tag, for the site's own error log.
        f"    error_log {plan.shared_error_log};",
        f"    error_log syslog:server=unix:{plan.error_socket},tag={plan.log_tag},nohostname;",
    ]


def _docroot(plan: SitePlan, root: str) -> list[str]:
    return [
        # The root is a map of our http include: this, but for hidden paths and ACME.
        f"    set $supercp_docroot {plan.docroot};",
        f"    root {root};",
        # nginx 1.22 loses the access log line of a 404 for a path of two or more segments
        # (it tests the root for the log with the URI still attached, under
        # disable_symlinks): ending the request on a one-segment hidden URI, which the
        # empty directory answers, keeps it. The status stays 404.
        "    error_page 404 /.supercp-none;",
    ]


def _site_server(plan: SitePlan, names: list[str]) -> list[str]:
    lines = ["server {", *_common(plan, names)]
    if plan.suspended:
        # Few sites are suspended: plain locations here, and their certificates still renew.
        return [
            *lines,
            f"    root {plan.pages_dir};",
            f"    error_page 503 /{SUSPENDED_PAGE};",
            f"    location = /{SUSPENDED_PAGE} {{",
            "        internal;",
            "    }",
            "    location ^~ /.well-known/acme-challenge/ {",
            f"        root {plan.acme_root};",
            "        try_files $uri =404;",
            "    }",
            "    location / {",
            "        return 503;",
            "    }",
            "}",
        ]
    if plan.socket is None:
        # No location: a request is served with the server's own settings. A static site
        # never hands out PHP source, even if .php files lie in its docroot:
        # $supercp_static_root is the empty directory for .php URIs too.
        return [
            *lines,
            *_docroot(plan, "$supercp_static_root"),
            "    index index.html index.htm;",
            "    try_files $uri $uri/ =404;",
            "}",
        ]
    return [
        *lines,
        *_docroot(plan, "$supercp_root"),
        "    index index.php index.html index.htm;",
        # At server level, not in a "location /": whatever the .php location does not take
        # is a file, a directory's index or the front controller (for hidden paths and ACME
        # a URI that can only be a 404). try_files keeps the method (POST stays POST).
        "    try_files $uri $uri/ $supercp_front;",
        # Inherits the fastcgi params of our http include: none are repeated here.
        "    location ~ \\.php$ {",
        # A missing script is nginx's 404, not PHP-FPM's "Primary script unknown".
        "        try_files $uri =404;",
        f"        fastcgi_pass unix:{plan.socket}$supercp_lazy;",
        "    }",
        "}",
    ]


def _redirect_server(plan: SitePlan) -> list[str]:
    # No location at all: ACME challenges follow the redirect (as Let's Encrypt does) to the
    # site, which serves them.
    return [
        "server {",
        *_common(plan, list(plan.aliases)),
        f"    return 301 $scheme://{plan.domain}$request_uri;",
        "}",
    ]


def render_vhost(plan: SitePlan) -> str:
    """The site's nginx server block(s): the site, and a redirect for its aliases if asked."""
    redirect = plan.redirect_aliases and bool(plan.aliases) and not plan.suspended
    names = [plan.domain] if redirect else [plan.domain, *plan.aliases]
    lines = _site_server(plan, names)
    if redirect:
        lines += ["", *_redirect_server(plan)]
    return _header(plan, "#") + "\n".join(lines) + "\n"


def render_pool(plan: SitePlan) -> str:
    """The site's PHP-FPM pool: its own user, socket, limits and confinement."""
    if plan.socket is None:
        raise ValueError(f"{plan.domain} is a static site: it has no pool")
    limits = plan.limits
    tmp = plan.tmp_dir
    # Left at php-fpm's defaults: listen.mode 0660 (with owner and group below, only nginx
    # and the account may connect), clear_env yes, pm.process_idle_timeout 10s. The
    # disable_functions and allow_url_include of every pool are in render_fpm_ini's file.
    settings = [
        f"[{plan.domain}]",
        f"user = {plan.account}",
        f"group = {plan.group}",
        f"listen = {plan.socket}",
        f"listen.owner = {plan.account}",
        "listen.group = www-data",
        "pm = ondemand",
        f"pm.max_children = {limits.max_children}",
        "pm.max_requests = 500",
        f"request_terminate_timeout = {limits.max_execution_time + 30}s",
        "security.limit_extensions = .php",
        f"env[TMPDIR] = {tmp}",
        "env[PATH] = /usr/local/bin:/usr/bin:/bin",
        f"php_admin_value[open_basedir] = {plan.home}/:{tmp}/",
        f"php_admin_value[upload_tmp_dir] = {tmp}",
        f"php_admin_value[sys_temp_dir] = {tmp}",
        f"php_admin_value[session.save_path] = {tmp}",
        f"php_admin_value[memory_limit] = {limits.memory_limit_mb}M",
        f"php_admin_value[max_execution_time] = {limits.max_execution_time}",
        f"php_admin_value[upload_max_filesize] = {limits.upload_max_mb}M",
        f"php_admin_value[post_max_size] = {limits.upload_max_mb}M",
    ]
    header = f"; {plan.domain}: rendered by super-daemon; edits are overwritten.\n"
    return header + "\n".join(settings) + "\n"


def render_suspended_page() -> str:
    """The page every request to a suspended site gets (with status 503)."""
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>Site suspended</title></head>\n<body>\n<h1>This site is suspended</h1>\n"
        "<p>Its owner has been notified. Please come back later.</p>\n</body>\n</html>\n"
    )
