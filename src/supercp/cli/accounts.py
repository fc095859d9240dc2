"""`super-cli account …`: hosting accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from supercp.cli.context import JsonOption, build, client, use_json
from supercp.cli.output import console, out
from supercp.protocol import accounts as api
from supercp.protocol.errors import NotFound

NOLOGIN = "/usr/sbin/nologin"

app = typer.Typer(
    help="Hosting accounts (Linux users managed by GetSuperCP).", no_args_is_help=True
)

Name = Annotated[str, typer.Argument(help="Account name: a-z first, then a-z, 0-9, _ or -.")]


@app.command("create")
def create(
    name: Name,
    shell: Annotated[bool, typer.Option("--shell", help="Give the account a login shell.")] = False,
    json: JsonOption = False,
) -> None:
    """Create a hosting account (or converge an existing managed one)."""
    use_json(json)
    params = build(api.EnsureParams, name=name, login_shell=shell)
    with out.progress(f"Creating account {name}…"), client() as c:
        result = c.invoke(api.ENSURE, params)
    if out.json:
        out.emit(result)
        return
    verb = "Created" if result.created else "Already present:"
    a = result.account
    console.print(f"{verb} account [bold]{a.name}[/] (uid {a.uid}, home {a.home}, shell {a.shell})")


def _set_suspended(name: str, suspended: bool) -> None:
    build(api.EnsureParams, name=name)
    verb = "Suspending" if suspended else "Unsuspending"
    with out.progress(f"{verb} account {name}…"), client() as c:
        current = {a.name: a for a in c.invoke(api.LIST).accounts}.get(name)
        if current is None:
            raise NotFound(f"no account '{name}'", code="not-found", field="name")
        # ensure is a desired-state intent: keep the shell the account has now.
        params = api.EnsureParams(
            name=name, login_shell=current.shell != NOLOGIN, suspended=suspended
        )
        result = c.invoke(api.ENSURE, params)
    if out.json:
        out.emit(result)
    else:
        state = "suspended" if suspended else "active"
        console.print(f"Account [bold]{name}[/] is {state}")


@app.command("suspend")
def suspend(name: Name, json: JsonOption = False) -> None:
    """Suspend an account: no logins, its processes ended."""
    use_json(json)
    _set_suspended(name, True)


@app.command("unsuspend")
def unsuspend(name: Name, json: JsonOption = False) -> None:
    """Lift an account's suspension."""
    use_json(json)
    _set_suspended(name, False)


@app.command("list")
def list_(json: JsonOption = False) -> None:
    """List the hosting accounts."""
    use_json(json)
    with client() as c:
        result = c.invoke(api.LIST)
    if out.json:
        out.emit(result)
        return
    table = Table(
        "Name", "UID", "Home", "Shell", "State", title=f"{len(result.accounts)} account(s)"
    )
    for a in result.accounts:
        state = "[yellow]suspended[/]" if a.suspended else "active"
        table.add_row(a.name, str(a.uid), a.home, a.shell, state)
    console.print(table)


@app.command("delete")
def delete(
    name: Name,
    keep_home: Annotated[
        bool, typer.Option("--keep-home", help="Keep the account's home directory.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Delete a hosting account, its processes and (unless kept) its home."""
    use_json(json)
    params = build(api.RemoveParams, name=name, keep_home=keep_home)
    with out.progress(f"Deleting account {name}…"), client() as c:
        result = c.invoke(api.REMOVE, params)
    if out.json:
        out.emit(result)
    elif result.removed:
        console.print(f"Deleted account [bold]{name}[/]")
    else:
        console.print(f"No account [bold]{name}[/]; nothing to do")
