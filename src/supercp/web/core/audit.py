"""Writing the panel's audit log (AuditEvent rows; the daemon keeps its own log too)."""

from __future__ import annotations

from typing import Any

from supercp.web.core.authz import Actor
from supercp.web.core.models import AuditEvent

# Who acted when there is no panel user: super-cli, run by root.
CLI_ACTOR = "root (super-cli)"


def record(actor: Actor | None, action: str, target: str = "", **details: Any) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it describes."""
    if actor is None:
        return AuditEvent.objects.create(
            actor=None, actor_name=CLI_ACTOR, action=action, target=target, details=details
        )
    if actor.token is not None:
        details = {"token": actor.token, **details}
    return AuditEvent.objects.create(
        actor=actor.user,
        actor_name=actor.user.username,
        ip=actor.ip,
        action=action,
        target=target,
        details=details,
    )
