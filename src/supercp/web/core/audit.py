"""Writing the panel's audit log (AuditEvent rows; the daemon keeps its own log too)."""

from __future__ import annotations

from typing import Any

from supercp.web.core.authz import CLI_ACTOR, Actor
from supercp.web.core.models import AuditEvent

__all__ = ["CLI_ACTOR", "record", "record_attempt"]


def record(actor: Actor | None, action: str, target: str = "", **details: Any) -> AuditEvent:
    """Append one event; call it inside the transaction of the change it describes.

    ``actor`` None (or the CLI actor) means super-cli, run by root.
    """
    if actor is None or actor.cli:
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


def record_attempt(action: str, target: str, ip: str | None, **details: Any) -> AuditEvent:
    """An event of someone not (yet) known, such as a failed sign-in: no actor, its address."""
    return AuditEvent.objects.create(
        actor=None, actor_name="", ip=ip, action=action, target=target[:200], details=details
    )
