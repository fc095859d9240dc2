"""A new site served before nginx's reload: its entries in the default server's directory.

nginx reloads by parsing every server block, so a reload takes longer the more sites there
are (docs/daemon.md has the figures). A site nginx never served does not wait for that:
once its PHP-FPM pool is up, the daemon makes ``<state_dir>/web/new/<domain>/``, and
nginx's default server (the server of host names no block has,
daemon/setup/templates/default-server.conf) serves the host name from it at once, as the site's own
block will: the same document root, pool, hidden paths, ACME directory and
access log. When the reload that loads the block is done the entry goes; from then on the
block answers the name and the default server never sees it.

A site has an entry per name: its domain, and each alias. An entry holds:

- ``access.log``, a hard link of the site's access log (the names of an alias's entry and
  of the log differ, and long domains have a hashed log name): nginx opens a log whose path
  holds a variable with ``O_NOFOLLOW``, so a symlink would not do. Where the state
  directory and the logs are on different file systems, a file of its own, whose lines are
  added to the site's log when the entry goes.
- ``root``: a link to the document root. It is the account's (``lchown``): nginx tests the
  root of every request it logs with ``disable_symlinks if_not_owner``, which follows a
  link only to a file of the link's owner.
- for a PHP site, ``php.sock``, a link to the pool's socket, and ``php``, an empty file
  the default server tests (nginx's ``-e`` opens what it tests, which a socket refuses).
- for an alias that redirects, ``to-apex`` (www.example.com to example.com) or ``to-www``
  (the other way round): the default server has no other way to learn where to. A site
  with another alias that redirects has no entries: it waits for its block.

The directory and everything the entries hold are root's but the ``root`` link: nobody
else can add, change or remove one. An entry is built under a name no host name can have
(a leading dot) and renamed into place, so nginx sees a whole entry or none.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from supercp.daemon.web import server_files
from supercp.daemon.web.layout import SitePlan, WebLayout

log = logging.getLogger(__name__)

_TEMP_PREFIX = ".tmp-"


def available(layout: WebLayout) -> bool:
    """Whether nginx's default server is ours and serves the entries (setup puts it
    there unless the admin made Debian's default site their own)."""
    try:
        text = layout.default_server.read_text()
    except OSError:
        return False
    return f"{layout.config.state_dir}/web/new/" in text


def _redirect_mark(plan: SitePlan, alias: str) -> str | None:
    if alias == f"www.{plan.domain}":
        return "to-apex"
    if plan.domain == f"www.{alias}":
        return "to-www"
    return None


def eligible(plan: SitePlan) -> bool:
    """A site the default server can serve as its block will: not suspended (that block
    serves a page of its own), and no alias that redirects other than the www. form."""
    if plan.suspended:
        return False
    if plan.redirect_aliases:
        return all(_redirect_mark(plan, alias) is not None for alias in plan.aliases)
    return True


def open_entries(layout: WebLayout, plan: SitePlan, uid: int) -> None:
    """Make (or replace) the entries of the site's names."""
    layout.entries_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
    log = os.stat(plan.access_log)
    for name in (plan.domain, *plan.aliases):
        mark = _redirect_mark(plan, name) if plan.redirect_aliases else None
        temp = layout.entries_dir / f"{_TEMP_PREFIX}{name}"
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir(mode=0o755)
        _log_file(plan.access_log, temp / "access.log", log)
        root = temp / "root"
        root.symlink_to(plan.docroot)
        os.lchown(root, uid, -1)
        if mark is not None:
            (temp / mark).touch(mode=0o644)
        elif plan.socket is not None:
            (temp / "php.sock").symlink_to(plan.socket)
            (temp / "php").touch(mode=0o644)
        _remove(layout.entry(name))
        temp.rename(layout.entry(name))


def _log_file(log: Path, path: Path, st: os.stat_result) -> None:
    try:
        os.link(log, path)
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
        server_files.ensure_log(path, st.st_uid, st.st_gid)


def _keep_lines(entry: Path, log: Path) -> None:
    """A log file of the entry's own: its lines go to the site's log."""
    path = entry / "access.log"
    try:
        st, target = os.stat(path, follow_symlinks=False), os.stat(log)
    except FileNotFoundError:
        return
    if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino) or st.st_size == 0:
        return
    with open(path, "rb") as src, open(log, "ab") as dst:
        shutil.copyfileobj(src, dst)


def _remove(entry: Path) -> None:
    if os.path.lexists(entry):
        shutil.rmtree(entry, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()  # not a directory: nothing the daemon made, but in its way


def close_entries(layout: WebLayout, names: Iterable[str], log: Path | None = None) -> None:
    """Remove the entries of these names, where there are any; the lines of an entry's own
    log go to ``log`` (the site's access log) first."""
    for name in names:
        entry = layout.entry(name)
        if log is not None and os.path.isdir(entry):
            with contextlib.suppress(OSError):
                _keep_lines(entry, log)
        _remove(entry)


def entries(layout: WebLayout) -> list[str]:
    """The domains that have an entry."""
    try:
        names = os.listdir(layout.entries_dir)
    except FileNotFoundError:
        return []
    return sorted(n for n in names if not n.startswith("."))


def sweep(layout: WebLayout, keep: set[str]) -> None:
    """At start: drop half-built entries, and every entry whose name is not in ``keep``."""
    try:
        names = os.listdir(layout.entries_dir)
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(_TEMP_PREFIX) or name not in keep:
            log.info("removing the default server's entry %s", name)
            _remove(layout.entries_dir / name)
