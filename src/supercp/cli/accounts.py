"""`super-cli account …`: hosting accounts, through the panel's service layer.

Each command runs the panel's service functions in this process (as root, with the panel's
settings, like `super-cli admin`), acting as an admin that the audit log records as
"root (super-cli)". So the panel's database and the system stay in step: an account made
here has its customer login in the panel, and the panel's rules (reserved names, reseller
limits) apply. The daemon is reached at the socket panel.toml names.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from supercp.cli.context import JsonOption, build, use_json
from supercp.cli.groups import Group
from supercp.cli.output import console, out
from supercp.cli.panel import django_panel
from supercp.protocol import accounts as api

app = typer.Typer(
    help="Hosting accounts (a panel login and a Linux user each).", no_args_is_help=True
)

Name = Annotated[str, typer.Argument(help="Account name: a-z first, then a-z, 0-9, _ or -.")]


def _system(name: str) -> api.Account:
    """The Linux side of an account the panel knows, as the daemon reports it."""
    from supercp.protocol.errors import NotFound
    from supercp.web.accounts import services
    from supercp.web.core.authz import Actor

    found = services.system_account(Actor.root(), name)
    if found is None:
        raise NotFound(f"the system has no user '{name}'", field="name")
    return found


@app.command("create")
def create(  # noqa: PLR0917 (typer maps each parameter to an argument or option)
    name: Name,
    email: Annotated[str, typer.Option("--email", help="The customer's e-mail address.")] = "",
    reseller: Annotated[
        str | None, typer.Option("--reseller", help="The reseller who will own the account.")
    ] = None,
    shell: Annotated[bool, typer.Option("--shell", help="Give the account a login shell.")] = False,
    plan: Annotated[
        str | None, typer.Option("--plan", help="Its plan (default: the server's default plan).")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Create a hosting account and its panel login (prints a one-time password)."""
    use_json(json)
    # The daemon's own schema first, so a bad name is refused before anything is touched.
    build(api.EnsureParams, name=name, login_shell=shell)
    with out.progress(f"Creating account {name}…"), django_panel():
        from supercp.web.accounts import services
        from supercp.web.core.authz import Actor
        from supercp.web.core.services import generate_password

        password = generate_password()
        made = services.create_account(
            Actor.root(), name, email, password, reseller=reseller, login_shell=shell, plan=plan
        )
        account = _system(name)
    if out.json:
        out.emit(
            {
                "account": account.model_dump(mode="json"),
                "created": True,
                "password": password,
                "plan": made.plan.name,
            }
        )
        return
    console.print(
        f"Created account [bold]{account.name}[/] "
        f"(uid {account.uid}, home {account.home}, shell {account.shell}, plan {made.plan.name})"
    )
    console.print(f"Panel login {name}, one-time password: [bold]{password}[/]  (shown once)")


def _set_suspended(name: str, suspended: bool) -> None:
    build(api.EnsureParams, name=name)
    verb = "Suspending" if suspended else "Unsuspending"
    with out.progress(f"{verb} account {name}…"), django_panel():
        from supercp.web.accounts import services
        from supercp.web.core.authz import Actor

        change = services.suspend_account if suspended else services.unsuspend_account
        change(Actor.root(), name)
        account = _system(name)
    if out.json:
        out.emit(api.EnsureResult(account=account, created=False))
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
    """List the hosting accounts with their Linux users."""
    use_json(json)
    with django_panel():
        from supercp.web.accounts import services
        from supercp.web.core.authz import Actor

        root = Actor.root()
        accounts = services.all_accounts(root)
        system = services.system_accounts(root)
    rows: list[dict[str, Any]] = []
    for a in accounts:
        facts = system.get(a.name)
        rows.append(
            {
                # The daemon's fields, as before; null where the system lacks the user.
                "name": a.name,
                "uid": facts.uid if facts else None,
                "group": facts.group if facts else None,
                "home": facts.home if facts else None,
                "shell": facts.shell if facts else None,
                "suspended": facts.suspended if facts else a.state == "suspended",
                # What the panel adds.
                "email": a.user.email,
                "reseller": a.reseller.username if a.reseller else None,
                "state": a.state,
            }
        )
    if out.json:
        out.emit({"accounts": rows})
        return
    table = Table(
        "Name", "UID", "Home", "Shell", "State", "Reseller", title=f"{len(rows)} account(s)"
    )
    for r in rows:
        state = "[yellow]suspended[/]" if r["state"] == "suspended" else "active"
        if r["uid"] is None:
            state += " [red](no Linux user)[/]"
        table.add_row(
            r["name"],
            str(r["uid"] if r["uid"] is not None else "-"),
            r["home"] or "-",
            r["shell"] or "-",
            state,
            r["reseller"] or "-",
        )
    console.print(table)


@app.command("delete")
def delete(
    name: Name,
    keep_home: Annotated[
        bool, typer.Option("--keep-home", help="Keep the account's home directory.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Delete a hosting account: its Linux user, processes, home (unless kept) and login."""
    use_json(json)
    build(api.RemoveParams, name=name, keep_home=keep_home)
    with out.progress(f"Deleting account {name}…"), django_panel():
        from supercp.web.accounts import services
        from supercp.web.core.authz import Actor

        result = services.delete_account(Actor.root(), name, keep_home=keep_home)
    if out.json:
        out.emit(result)
    else:
        console.print(f"Deleted account [bold]{name}[/]")


@app.command("plan")
def set_plan(
    name: Name,
    plan: Annotated[str, typer.Argument(help="The plan to move it to, at once.")],
    reseller: Annotated[
        str | None,
        typer.Option("--reseller", help="The plan is this reseller's (default: the server's)."),
    ] = None,
    json: JsonOption = False,
) -> None:
    """Move an account to another plan; refused when it uses more than that plan allows."""
    use_json(json)
    with out.progress(f"Moving account {name} to plan {plan}…"), django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        moved = services.set_plan(Actor.root(), name, plan, reseller=reseller)
        owner = moved.owner.username if moved.owner else None
    if out.json:
        out.emit({"account": name, "plan": moved.name, "reseller": owner})
    else:
        console.print(f"Account [bold]{name}[/] is on plan [bold]{moved.name}[/]", highlight=False)


@app.command("usage")
def show_usage(name: Name, json: JsonOption = False) -> None:
    """Show what an account uses of its plan's limits."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        on, rows = services.usage_of(Actor.root(), name)
        plan_name = on.name
    if out.json:
        out.emit(
            {
                "account": name,
                "plan": plan_name,
                "limits": [{"limit": r.limit, "allowed": r.allowed, "used": r.used} for r in rows],
            }
        )
        return
    table = Table("Limit", "Allowed", "Used", title=f"{name} on plan {plan_name}")
    for r in rows:
        table.add_row(
            r.limit.replace("_", " "),
            "unlimited" if r.allowed is None else str(r.allowed),
            # None: no module counts it yet.
            "—" if r.used is None else str(r.used),
        )
    console.print(table)


GROUPS = [
    Group(
        "account",
        app,
        reaches={
            "accounts.ensure": "account create",
            "accounts.remove": "account delete",
            "accounts.list": "account list",
            # Through the plans' usage_of, which asks the daemon for the home's size.
            "accounts.disk_usage": "account usage",
        },
    )
]
