"""`super-cli admin …` and `super-cli api-token …`: the panel's users, straight in its database.

These run the panel's Django code in this process (as root, with the production settings),
through the same service functions the panel uses; Django is imported only when one of
them runs, so the daemon commands stay quick.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Annotated

import typer

from supercp.cli.context import JsonOption, use_json
from supercp.cli.groups import Group
from supercp.cli.output import console, out
from supercp.protocol.errors import Unavailable

admin_app = typer.Typer(help="Panel administrators.", no_args_is_help=True)
token_app = typer.Typer(help="REST API tokens.", no_args_is_help=True)

SETTINGS = "supercp.web.config.settings"


@contextlib.contextmanager
def django_panel() -> Iterator[None]:
    """Django set up with the production settings; its failures as ours."""
    import django
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    # Always the panel's settings, whatever the caller's environment says (the file they read
    # is $SUPERCP_PANEL_CONFIG); only a process that configured Django already (the tests)
    # keeps its own.
    if not settings.configured:
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS

    try:
        django.setup()
    except (ImproperlyConfigured, OSError, ValueError) as err:
        raise Unavailable(f"cannot load the panel's settings: {err}", code="panel-config") from err
    try:
        yield
    except DatabaseError as err:
        raise Unavailable(f"the panel's database failed: {err}", code="panel-database") from err


@admin_app.command("create")
def admin_create(
    name: Annotated[str, typer.Argument(help="Login name of the new admin.")],
    email: Annotated[str, typer.Option("--email", help="The admin's e-mail address.")] = "",
    if_none: Annotated[
        bool,
        typer.Option("--if-none", help="Only while the panel has no admin (the installer's way)."),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Create a panel admin and print a generated one-time password (shown once)."""
    use_json(json)
    with django_panel():
        from supercp.web.core import services

        if if_none and services.any_admin():
            if out.json:
                out.emit({"name": None})
            else:
                console.print("The panel has an admin already; none created.")
            return
        user, password = services.create_admin(name, email)
    if out.json:
        out.emit({"name": user.username, "role": user.role, "password": password})
        return
    console.print(f"Created admin [bold]{user.username}[/]")
    console.print(f"One-time password: [bold]{password}[/]  (shown once; change it after login)")


@admin_app.command("reset-password")
def admin_reset_password(
    name: Annotated[str, typer.Argument(help="Login name (any role).")],
    json: JsonOption = False,
) -> None:
    """Give a panel login a new generated password (shown once); its API tokens are revoked
    and its sessions end."""
    use_json(json)
    with django_panel():
        from supercp.web.core import services

        done = services.reset_password(name)
    user = done.user
    if out.json:
        out.emit(
            {
                "name": user.username,
                "role": user.role,
                "password": done.password,
                "tokens_revoked": done.tokens_revoked,
                "sessions_ended": done.sessions_ended,
            }
        )
        return
    console.print(
        f"New password for [bold]{user.username}[/] ({user.role}): [bold]{done.password}[/]"
    )
    console.print(
        f"Revoked {_count(done.tokens_revoked, 'API token')} and ended "
        f"{_count(done.sessions_ended, 'session')}."
    )


@admin_app.command("unlock")
def admin_unlock(
    name: Annotated[str, typer.Argument(help="Login name (any role).")],
    json: JsonOption = False,
) -> None:
    """Lift the sign-in lock that failed attempts put on a login (audited as auth.unlock)."""
    use_json(json)
    with django_panel():
        from supercp.web.core import security

        was_locked = security.unlock(name)
    if out.json:
        out.emit({"name": name, "was_locked": was_locked})
        return
    if was_locked:
        console.print(f"Unlocked [bold]{name}[/]: it may sign in again.")
    else:
        console.print(f"[bold]{name}[/] was not locked; its failed attempts count from now.")


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="The login the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "super-cli",
    read_only: Annotated[
        bool, typer.Option("--read-only", help="The token may read but change nothing.")
    ] = False,
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="Stop working after N days.", min=1)
    ] = None,
    json: JsonOption = False,
) -> None:
    """Create an API token for a user and print it (shown once; only its hash is kept)."""
    use_json(json)
    with django_panel():
        from supercp.web.core import services

        new = services.create_token_for(user, name, read_only=read_only, expires_days=expires_days)
    t = new.token
    if out.json:
        out.emit(
            {
                "id": t.public_id,
                "user": user,
                "name": t.name,
                "read_only": t.read_only,
                "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                "token": new.plaintext,
            }
        )
        return
    kind = "read-only token" if t.read_only else "token"
    until = f", expires {t.expires_at:%Y-%m-%d}" if t.expires_at else ""
    console.print(f"Created {kind} [bold]{t.public_id}[/] for {user}{until}")
    console.print(f"Token (shown once): [bold]{new.plaintext}[/]")


# The panel's own objects: their commands call no daemon method.
GROUPS = [Group("admin", admin_app), Group("api-token", token_app)]
