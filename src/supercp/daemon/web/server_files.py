"""The web module's files outside the accounts' homes, besides each site's block and pool:
the sweep of files no record vouches for (at start), each PHP version's ini, each shard's
main config, the suspension page, the empty and ACME directories, the sites' logs (made,
and their tails read)."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from supercp.daemon.system.files import atomic_write
from supercp.daemon.web.fpm import fpm_shards, php_versions
from supercp.daemon.web.layout import FpmMaster, WebLayout
from supercp.daemon.web.render import (
    SUSPENDED_PAGE,
    render_fpm_ini,
    render_fpm_shard,
    render_suspended_page,
)

log = logging.getLogger(__name__)

# How much of a log the tail reads at most, from its end.
_TAIL_BYTES = 1 << 20


def sweep(layout: WebLayout, wanted: set[str]) -> None:
    """Delete server blocks and pools (in pool.d and in every shard) whose stem is not in
    ``wanted`` (left by a bug or by hand), and temp files a crash left behind."""
    found = [(p, p.name.removesuffix(".conf")) for p in listing(layout.vhost_dir)]
    temps = [layout.vhost_dir, layout.records_dir]
    for version in php_versions(layout):
        pools = listing(layout.legacy_pools(version))
        found += [
            (p, p.name[len("supercp.") : -len(".conf")])
            for p in pools
            if p.name.startswith("supercp.")
        ]
        for shard in fpm_shards(layout, version):
            directory = layout.shard_dir(version, shard)
            found += [(p, p.name.removesuffix(".conf")) for p in listing(directory)]
            temps.append(directory)
        temps.append(layout.shards_dir(version))
    for path, name in found:
        if name not in wanted:
            log.warning("removing %s: no site record names it", path)
            path.unlink(missing_ok=True)
    # Nothing is being written at start.
    for directory in temps:
        for path in listing(directory, ".tmp"):
            path.unlink(missing_ok=True)
    _sweep_acme(layout)


def _sweep_acme(layout: WebLayout) -> None:
    """The per-site ACME directories of before every site shared one (a root-owned tree)."""
    try:
        entries = list(os.scandir(layout.acme_root))
    except FileNotFoundError:
        return
    for entry in entries:
        if entry.name != ".well-known" and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


def ensure_pages(layout: WebLayout) -> None:
    """The suspension page, the empty directory of hidden paths, the ACME directory."""
    page = layout.pages_dir / SUSPENDED_PAGE
    text = render_suspended_page().encode()
    if differs(page, text):
        layout.pages_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
        atomic_write(page, text, mode=0o644)
    layout.empty_dir.mkdir(mode=0o755, exist_ok=True)
    layout.acme_challenges().mkdir(mode=0o755, parents=True, exist_ok=True)


def ensure_fpm_ini(layout: WebLayout, versions: set[str]) -> None:
    """Put each version's ini in place before its first pool (a version installed later
    gets it too). Changing it changes the fingerprint: checked whole, then."""
    text = render_fpm_ini().encode()
    for version in sorted(versions):
        path = layout.fpm_ini(version)
        if differs(path, text):
            path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            atomic_write(path, text, mode=0o644)


def ensure_shard_confs(layout: WebLayout, masters: Iterable[FpmMaster]) -> None:
    """Each shard's directory and main config, before its pools go in. The template is the
    one the candidate check ran; a changed one changes the shard's fingerprint, so its next
    batch is checked whole."""
    for version, shard in sorted(set(masters), key=str):
        if shard is None:
            continue
        directory = layout.shard_dir(version, shard)
        directory.mkdir(mode=0o755, parents=True, exist_ok=True)
        path = layout.shard_conf(version, shard)
        text = render_fpm_shard(
            version,
            shard,
            layout.shard_pid(version, shard),
            layout.shard_log(version, shard),
            directory,
        ).encode()
        if differs(path, text):
            atomic_write(path, text, mode=0o644)


def listing(directory: Path, suffix: str = ".conf") -> list[Path]:
    try:
        return [directory / n for n in os.listdir(directory) if n.endswith(suffix)]
    except FileNotFoundError:
        return []


def differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except FileNotFoundError:
        return True


def ensure_log(path: Path, uid: int, gid: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o640)
    try:
        st = os.fstat(fd)
        if (st.st_uid, st.st_gid) != (uid, gid):
            os.fchown(fd, uid, gid)
    finally:
        os.close(fd)


def tail(path: Path, lines: int) -> list[str]:
    """The last ``lines`` lines of a log, reading at most 1 MiB from its end."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return []
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fd).st_size
        start = max(0, size - _TAIL_BYTES)
        fh.seek(start)
        data = fh.read(_TAIL_BYTES)
    text = data.decode("utf-8", "replace").splitlines()
    if start > 0 and text:
        text = text[1:]  # the first line was cut
    return text[-lines:]
