"""The first step of an apply: what one site's spec changes, decided before anything is written.

Planning only reads: the rendered files are compared with what is on disk, and the result
(a ``SiteChange``) never changes afterwards. What the later steps make of it (the record it
replaced, the error that stopped it) is kept apart, in its ``Applying``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from supercp.daemon.web.layout import FpmMaster, SitePlan, WebLayout
from supercp.daemon.web.records import Record
from supercp.daemon.web.render import render_pool, render_vhost
from supercp.daemon.web.server_files import differs
from supercp.daemon.web.site_dirs import Owner
from supercp.protocol.errors import SuperCPError
from supercp.protocol.web import SiteSpec


class File(NamedTuple):
    """A file a change wants: its bytes, or None for "absent"."""

    path: Path
    data: bytes | None


@dataclass(frozen=True, eq=False, slots=True)
class SiteChange:
    """What applying one spec changes: the files to write, where, and for whom.

    ``changed`` is False when everything matches and is committed: only the directories
    are made sure of. ``new_vhost``: no server block of the domain was on disk, so nginx
    never served it (the commit treats such a site apart).
    """

    spec: SiteSpec
    plan: SitePlan
    owner: Owner
    # The PHP-FPM shard of the site's pool (in spec.php's version); None without one.
    shard: int | None
    changed: bool
    vhost: File | None = None
    new_vhost: bool = False
    # Pools by master: those that appear (or change), those that go.
    pools_up: Mapping[FpmMaster, File] = field(default_factory=dict)
    pools_down: Mapping[FpmMaster, File] = field(default_factory=dict)


@dataclass(eq=False, slots=True)
class Applying:
    """A planned site on its way through the later steps: what became of its change."""

    change: SiteChange
    # The site's record before this apply, once the record step has written its own.
    replaced: Record | None = None
    error: SuperCPError | None = None


def plan_change(
    layout: WebLayout,
    spec: SiteSpec,
    *,
    plan: SitePlan,
    owner: Owner,
    shard: int | None,
    current: Record | None,
    shards: Mapping[str, Sequence[int]],
    running: Callable[[FpmMaster], bool],
) -> SiteChange:
    """The site's files that differ from the disk (or all of them after a cut-short change).

    ``current`` is the site's record, ``shards`` the shards of every installed PHP version,
    ``running`` whether a master runs.
    """
    # A record not yet committed means a change was cut short (a crash): its files may be
    # on disk but not loaded, so they are committed again even where they match.
    force = current is None or not current.committed
    changed = force
    vhost, new_vhost = None, False
    vhost_path = layout.vhost(plan.domain)
    text = render_vhost(plan).encode()
    if force or differs(vhost_path, text):
        vhost, new_vhost = File(vhost_path, text), not vhost_path.exists()
        changed = True
    live = plan.socket is not None and not plan.suspended
    wanted = FpmMaster(plan.php, shard) if live and plan.php is not None else None
    # Where the site's pool may be: in Debian's pool.d (before shards), in the shard of its
    # record; after a crash (not committed) in any shard, which costs more stats.
    places = [FpmMaster(v) for v in shards]
    if force:
        places += [FpmMaster(v, k) for v, ks in shards.items() for k in ks]
    elif current is not None and (placed := current.placed()) is not None:
        places.append(FpmMaster(*placed))
    if wanted is not None:
        places.append(wanted)
    up: dict[FpmMaster, File] = {}
    down: dict[FpmMaster, File] = {}
    for master in dict.fromkeys(places):
        path = layout.pool(master.version, plan.domain, master.shard)
        if master == wanted:
            assert plan.socket is not None
            pool = render_pool(plan).encode()
            # A missing socket: PHP-FPM has not loaded the pool (drift, or a master that
            # died): reload it, which starts a shard's master that does not run.
            lost = not plan.socket.exists() or (master.shard is not None and not running(master))
            if force or lost or differs(path, pool):
                up[master] = File(path, pool)
                changed = True
        elif path.exists() or (
            force and layout.socket(master.version, plan.domain, master.shard).exists()
        ):
            down[master] = File(path, None)
            changed = True
    return SiteChange(spec, plan, owner, shard, changed, vhost, new_vhost, up, down)
