"""What the other modules do when an account is suspended, unsuspended or removed.

Each registers one AccountHooks under "accounts" in modules.py, so the accounts' service
needs to know none of them. The hooks run inside the account's transaction, in the order of
MODULES: a hook that raises rolls the account's change back with everything else.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from supercp.web.accounts.models import HostingAccount
from supercp.web.core.authz import Actor
from supercp.web.modules import hooks


@dataclass(frozen=True)
class AccountHooks:
    """A module's part in an account's changes."""

    # After the daemon applied the account's new state (account.state: suspended or
    # active), before the transaction commits.
    state_changed: Callable[[Actor, HostingAccount], None] | None = None
    # Around the daemon's accounts.remove: what runs before its yield runs before the call,
    # what follows only when the call succeeded.
    removing: Callable[[Actor, HostingAccount], AbstractContextManager[None]] | None = None


@functools.cache
def registered() -> tuple[AccountHooks, ...]:
    return tuple(hooks("accounts", AccountHooks))


def state_changed(actor: Actor, account: HostingAccount) -> None:
    for found in registered():
        if found.state_changed is not None:
            found.state_changed(actor, account)


@contextlib.contextmanager
def removing(actor: Actor, account: HostingAccount) -> Iterator[None]:
    """Every module's ``removing`` around the block, the first outermost."""
    with contextlib.ExitStack() as stack:
        for found in registered():
            if found.removing is not None:
                stack.enter_context(found.removing(actor, account))
        yield
