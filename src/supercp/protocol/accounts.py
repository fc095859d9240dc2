"""Namespace ``accounts``: hosting accounts, each a Linux user the daemon created."""

from __future__ import annotations

from pydantic import Field

from supercp.protocol.models import Result, Spec, Strict
from supercp.protocol.names import AccountName


class EnsureParams(Strict):
    """Desired state of one hosting account."""

    name: AccountName
    # Hosting accounts get no login shell unless asked (SFTP/SSH access is opt-in).
    login_shell: bool = False
    # A suspended account cannot log in (its expiry date is in the past) and runs nothing.
    suspended: bool = False
    # Create only: a user of that name already on the system is a Conflict ("account-exists")
    # rather than an account to converge (the panel's create, which must not adopt one).
    create_only: bool = False


class RemoveParams(Strict):
    """The account to remove; its home goes too unless kept."""

    name: AccountName
    keep_home: bool = False


class ListParams(Strict):
    """Which accounts to list: every managed one, or only these names (an unknown or
    unmanaged name is left out)."""

    names: list[AccountName] | None = Field(default=None, max_length=1000)


class Account(Result):
    """A managed hosting account as it exists on the system."""

    name: str
    uid: int
    group: str
    home: str
    shell: str
    suspended: bool


class EnsureResult(Result):
    """The account after the call; ``created`` tells whether this call made it."""

    account: Account
    created: bool


class RemoveResult(Result):
    """``removed`` is false when the account was already absent."""

    name: str
    removed: bool


class DiskUsageParams(Strict):
    """The account whose home to measure."""

    name: AccountName


class DiskUsage(Result):
    """What an account's home holds on disk: allocated bytes (a file with holes counts what
    it takes, a hard link once) and the entries counted; ``complete`` false when the walk
    stopped at its time limit, so the figures are at least this much."""

    name: str
    bytes: int
    entries: int
    complete: bool


class AccountList(Result):
    """The managed accounts asked for, by name."""

    accounts: list[Account]


ENSURE: Spec[EnsureParams, EnsureResult] = Spec(
    "accounts.ensure",
    EnsureParams,
    EnsureResult,
    "Create or converge a hosting account (shell, suspension, home).",
)
REMOVE: Spec[RemoveParams, RemoveResult] = Spec(
    "accounts.remove", RemoveParams, RemoveResult, "Remove a hosting account the daemon manages."
)
LIST: Spec[ListParams, AccountList] = Spec(
    "accounts.list", ListParams, AccountList, "List the hosting accounts the daemon manages."
)
DISK_USAGE: Spec[DiskUsageParams, DiskUsage] = Spec(
    "accounts.disk_usage",
    DiskUsageParams,
    DiskUsage,
    "Measure the disk a hosting account's home uses (kernel quotas are not relied on).",
)
