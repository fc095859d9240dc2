"""Many sites at once, a batch per ``web.site.apply_many`` call (one validation and one
reload per batch): the accounts' hooks (suspension re-applies an account's sites; deletion
drops their rows, and the daemon removes them with the account) and ``super-cli rebuild``,
which re-applies every site from the database.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db.models import QuerySet

from supercp.protocol import web as rpc
from supercp.protocol.errors import Forbidden, SystemFailure
from supercp.web.accounts.hooks import AccountHooks
from supercp.web.accounts.models import HostingAccount
from supercp.web.core import audit, daemon
from supercp.web.core.authz import Actor, require_writable
from supercp.web.plans import limits as plan_limits
from supercp.web.plans.models import Plan
from supercp.web.plans.usage import Usage
from supercp.web.sites.models import Site, SiteHost
from supercp.web.sites.services import get_site, spec_of, with_related

# Sites per web.site.apply_many call.
REBUILD_BATCH = 500
# apply_many calls a rebuild keeps in flight: calls that overlap share the daemon's
# validations and reloads, which cost the same for one site or thousands.
REBUILD_CALLS = 4


# --- hooks of the accounts' service (accounts/hooks.py) -----------------------------------------


def apply_account_sites(actor: Actor, account: HostingAccount) -> None:
    """Re-apply an account's sites after its state changed (call in that transaction)."""
    sites = list(with_related(Site.objects.filter(account=account)))
    for start in range(0, len(sites), REBUILD_BATCH):
        batch = sites[start : start + REBUILD_BATCH]
        for item in _apply_many(batch):
            if item.error is not None:
                raise SystemFailure(f"{item.domain}: {item.error.message}", code=item.error.code)


@contextlib.contextmanager
def removing_account_sites(actor: Actor, account: HostingAccount) -> Iterator[None]:
    """Drop an account's sites with the account (around the daemon's ``accounts.remove``,
    in the account's transaction).

    The daemon takes them off nginx and PHP-FPM itself when it removes the account, all in
    one reload: one ``web.site.remove`` each waited for a reload of its own (about a second
    each at 10,000 sites), with the account's row locked. Their files go with the home, or
    stay with it when it is kept.
    """
    domains = list(Site.objects.filter(account=account).values_list("domain", flat=True))
    for domain in domains:
        audit.record(actor, "site.delete", domain, account_deleted=account.name)
    Site.objects.filter(account=account).delete()
    yield


ACCOUNT_HOOKS = AccountHooks(state_changed=apply_account_sites, removing=removing_account_sites)


# --- the plans' hooks (plans/usage.py) ------------------------------------------------------------


def _sites_of(accounts: QuerySet[HostingAccount]) -> int:
    return Site.objects.filter(account__in=accounts).count()


def _aliases_of(accounts: QuerySet[HostingAccount]) -> int:
    return SiteHost.objects.filter(site__account__in=accounts, is_primary=False).count()


def follow_plan(actor: Actor, account: HostingAccount) -> None:
    """Lower each site's PHP limits to what the account's new plan allows, and re-apply the
    sites that changed (in the plan change's transaction: a refusal undoes it)."""
    most = plan_limits.php_limits(account.plan).model_dump()
    lowered = []
    for site in with_related(Site.objects.filter(account=account)):
        limits = site.limits.model_dump()
        within = {key: min(value, most[key]) for key, value in limits.items()}
        if within != limits:
            site.set_limits(rpc.PhpLimits(**within))
            site.save(update_fields=list(within))
            lowered.append(site)
    for start in range(0, len(lowered), REBUILD_BATCH):
        for item in _apply_many(lowered[start : start + REBUILD_BATCH]):
            if item.error is not None:
                raise SystemFailure(f"{item.domain}: {item.error.message}", code=item.error.code)


def _beyond(account: HostingAccount, plan: Plan) -> list[str]:
    """A site on a PHP version the plan does not offer (its limits are lowered instead)."""
    if not plan.php_versions:
        return []
    sites = Site.objects.filter(account=account, php__isnull=False)
    return ["php_versions"] if sites.exclude(php__in=plan.php_versions).exists() else []


PLAN_USAGE = Usage(
    counters={"sites": _sites_of, "aliases": _aliases_of},
    plan_changed=follow_plan,
    beyond=_beyond,
)


# --- rebuild ------------------------------------------------------------------------------------


@dataclass
class RebuildProgress:
    """How far a rebuild is: sites done of total, and the ones that failed so far."""

    total: int
    done: int = 0
    changed: int = 0
    failed: list[rpc.ApplyItem] = field(default_factory=list)


def _call_apply_many(params: rpc.ApplyManyParams) -> list[rpc.ApplyItem]:
    # No database here: it runs in the rebuild's threads, each with its own daemon client.
    with daemon.client() as c:
        return c.invoke(rpc.SITE_APPLY_MANY, params).results


def _apply_many(sites: list[Site]) -> list[rpc.ApplyItem]:
    return _note_docroots(sites, _call_apply_many(_params(sites)))


def _params(sites: list[Site]) -> rpc.ApplyManyParams:
    return rpc.ApplyManyParams(sites=[spec_of(s) for s in sites])


def _note_docroots(sites: list[Site], results: list[rpc.ApplyItem]) -> list[rpc.ApplyItem]:
    """Store the absolute document roots the daemon answered where they moved."""
    by_domain = {s.domain: s for s in sites}
    moved: list[Site] = []
    for item in results:
        site = by_domain.get(item.domain)
        if site is not None and item.site is not None and site.document_root != item.site.docroot:
            site.document_root = item.site.docroot
            moved.append(site)
    if moved:
        Site.objects.bulk_update(moved, ["document_root"])
    return results


def rebuild(
    actor: Actor, domain: str | None = None, batch: int = REBUILD_BATCH
) -> Iterator[RebuildProgress]:
    """Re-apply every site in the database (or one), ``REBUILD_CALLS`` batches at a time;
    yields progress as each batch is answered, in order."""
    require_writable(actor)
    if not actor.is_admin:
        raise Forbidden("only administrators rebuild the sites", code="forbidden")
    sites = Site.objects.order_by("pk")
    if domain is not None:
        sites = sites.filter(pk=get_site(actor, domain).pk)
    progress = RebuildProgress(total=sites.count())
    audit.record(actor, "site.rebuild", domain or "", sites=progress.total)
    yield progress
    # The database is read and written here only; the threads just wait on the daemon.
    pending: deque[tuple[list[Site], Future[list[rpc.ApplyItem]]]] = deque()
    last, more = 0, True
    with ThreadPoolExecutor(REBUILD_CALLS, thread_name_prefix="rebuild") as pool:
        while True:
            while more and len(pending) < REBUILD_CALLS:
                chunk = list(with_related(sites.filter(pk__gt=last))[:batch])
                if not chunk:
                    more = False
                    break
                last = chunk[-1].pk
                pending.append((chunk, pool.submit(_call_apply_many, _params(chunk))))
            if not pending:
                return
            chunk, future = pending.popleft()
            for item in _note_docroots(chunk, future.result()):
                progress.done += 1
                progress.changed += int(item.changed)
                if item.error is not None:
                    progress.failed.append(item)
            yield progress
