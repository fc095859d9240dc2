"""`super-cli plan …`: hosting plans and resellers' totals, through the panel's service layer.

Like `super-cli account`, these run the panel's service functions in this process (as root,
with the panel's settings), acting as an admin that the audit log records as
"root (super-cli)". A plan's counts and sizes are a number or `unlimited`; `plan update`
changes only the options given, the others keep the plan's values.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from supercp.cli.context import JsonOption, use_json
from supercp.cli.groups import Group
from supercp.cli.output import console, out
from supercp.cli.panel import django_panel

if TYPE_CHECKING:
    from supercp.web.plans.models import Plan

app = typer.Typer(help="Hosting plans: the limits of accounts and resellers.", no_args_is_help=True)

PlanName = Annotated[str, typer.Argument(help="The plan's name.")]
Reseller = Annotated[
    str | None,
    typer.Option("--reseller", help="The plan is this reseller's (none: the server's)."),
]
# Each option is named for the PlanValues field it sets (--dns-zones: dns_zones), which is how
# _given finds them.
Limit = Annotated[str | None, typer.Option(metavar="N|unlimited", help="A number, or unlimited.")]
PhpVersions = Annotated[
    str | None,
    typer.Option(metavar="8.2,8.3", help="The PHP versions its sites may use ('' or all: every)."),
]
PhpSetting = Annotated[int | None, typer.Option(help="The most a site may have.")]
Shell = Annotated[
    bool | None, typer.Option("--shell/--no-shell", help="A login shell (and SFTP) or none.")
]
_NUMBER = re.compile(r"\A-?[0-9]+\Z")


def _limit(field: str, given: str) -> int | None:
    """An option's count or size: None for unlimited; the range is the service's to check."""
    if given.strip().lower() == "unlimited":
        return None
    if not _NUMBER.match(given.strip()):
        from supercp.protocol.errors import ValidationFailed

        option = "--" + field.replace("_", "-")
        raise ValidationFailed(f"{option} is a number or unlimited, not {given!r}", field=field)
    return int(given)


def _versions(given: str) -> tuple[str, ...]:
    if given.strip().lower() in {"", "all"}:
        return ()
    return tuple(v.strip() for v in given.split(",") if v.strip())


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The PlanValues fields that the command's options (its ``locals()``) set, parsed."""
    from dataclasses import fields

    from supercp.web.plans.services import LIMITS, PlanValues

    changes: dict[str, Any] = {}
    for f in fields(PlanValues):
        value = options.get(f.name)
        if f.name == "name" or value is None:
            continue
        if f.name in LIMITS:
            value = _limit(f.name, value)
        elif f.name == "php_versions":
            value = _versions(value)
        changes[f.name] = value
    return changes


def _plan_json(plan: Plan) -> dict[str, Any]:
    from dataclasses import asdict

    from supercp.web.plans.services import PlanValues

    values = asdict(PlanValues.of(plan))
    values["php_versions"] = list(plan.php_versions)
    return {
        **values,
        "reseller": plan.owner.username if plan.owner else None,
        "is_default": plan.is_default,
        "accounts": plan.accounts.count(),
        # The resellers whose totals it is.
        "resellers": sorted(plan.resellers.values_list("reseller__username", flat=True)),
    }


def _shown(value: int | None) -> str:
    return "unlimited" if value is None else str(value)


def _print_plan(shown: dict[str, Any]) -> None:
    from supercp.web.plans.limits import PHP
    from supercp.web.plans.services import LIMITS

    whose = f" of reseller {shown['reseller']}" if shown["reseller"] else ""
    default = " (the default)" if shown["is_default"] else ""
    console.print(f"Plan [bold]{shown['name']}[/]{whose}{default}", highlight=False)
    for limit in LIMITS:
        console.print(f"  {limit}: {_shown(shown[limit])}", highlight=False)
    console.print(f"  php_versions: {', '.join(shown['php_versions']) or 'all'}", highlight=False)
    for key in PHP.values():
        console.print(f"  {key}: {shown[key]}", highlight=False)
    console.print(f"  shell_access: {'yes' if shown['shell_access'] else 'no'}", highlight=False)
    console.print(f"  accounts: {shown['accounts']}", highlight=False)
    if shown["resellers"]:
        console.print(f"  totals of: {', '.join(shown['resellers'])}", highlight=False)


@app.command("list")
def list_(json: JsonOption = False) -> None:
    """List the plans: the server's and every reseller's."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        shown = [_plan_json(p) for p in services.list_plans(Actor.root())]
    if out.json:
        out.emit({"plans": shown})
        return
    # Few columns, so that "unlimited" fits an 80-column terminal; `plan show` has them all.
    table = Table(
        "Name",
        "Reseller",
        "Sites",
        "Zones",
        "Disk MB",
        "Accounts",
        title=f"{len(shown)} plan(s)",
        caption="* the default plan",
    )
    for p in shown:
        table.add_row(
            p["name"] + (" *" if p["is_default"] else ""),
            p["reseller"] or "-",
            _shown(p["sites"]),
            _shown(p["dns_zones"]),
            _shown(p["disk_mb"]),
            str(p["accounts"]),
        )
    console.print(table)


@app.command("show")
def show(name: PlanName, reseller: Reseller = None, json: JsonOption = False) -> None:
    """Show a plan's limits and how many accounts are on it."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        shown = _plan_json(services.get_plan(Actor.root(), name, reseller))
    if out.json:
        out.emit({"plan": shown})
    else:
        _print_plan(shown)


@app.command("create")
def create(  # noqa: PLR0917 (typer maps each parameter to an argument or option)
    name: PlanName,
    disk_mb: Limit = None,
    bandwidth_gb: Limit = None,
    sites: Limit = None,
    aliases: Limit = None,
    dns_zones: Limit = None,
    databases: Limit = None,
    database_users: Limit = None,
    mail_domains: Limit = None,
    mailboxes: Limit = None,
    mailbox_quota_default_mb: Limit = None,
    mailbox_quota_max_mb: Limit = None,
    mail_aliases: Limit = None,
    ftp_users: Limit = None,
    php_versions: PhpVersions = None,
    php_max_children: PhpSetting = None,
    php_memory_limit_mb: PhpSetting = None,
    php_max_execution_time: PhpSetting = None,
    php_upload_max_mb: PhpSetting = None,
    shell_access: Shell = None,
    is_default: Annotated[
        bool, typer.Option("--default", help="New accounts get this plan when none is named.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Create a server plan; a limit not given is unlimited, a PHP setting the usual one."""
    changes = _given(locals())
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        plan = services.create_plan(
            Actor.root(), services.PlanValues(name, **changes), is_default=is_default
        )
        shown = _plan_json(plan)
    if out.json:
        out.emit({"plan": shown, "created": True})
    else:
        console.print(f"Created plan [bold]{plan.name}[/]", highlight=False)


@app.command("update")
def update(  # noqa: PLR0917 (typer maps each parameter to an argument or option)
    name: PlanName,
    disk_mb: Limit = None,
    bandwidth_gb: Limit = None,
    sites: Limit = None,
    aliases: Limit = None,
    dns_zones: Limit = None,
    databases: Limit = None,
    database_users: Limit = None,
    mail_domains: Limit = None,
    mailboxes: Limit = None,
    mailbox_quota_default_mb: Limit = None,
    mailbox_quota_max_mb: Limit = None,
    mail_aliases: Limit = None,
    ftp_users: Limit = None,
    php_versions: PhpVersions = None,
    php_max_children: PhpSetting = None,
    php_memory_limit_mb: PhpSetting = None,
    php_max_execution_time: PhpSetting = None,
    php_upload_max_mb: PhpSetting = None,
    shell_access: Shell = None,
    rename: Annotated[str | None, typer.Option("--rename", help="A new name for it.")] = None,
    reseller: Reseller = None,
    is_default: Annotated[
        bool, typer.Option("--default", help="Make it the plan new accounts get by default.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Change the limits given (the others stay); refused when an account on it uses more."""
    changes = _given(locals())
    use_json(json)
    with django_panel():
        from dataclasses import replace

        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        root = Actor.root()
        current = services.PlanValues.of(services.get_plan(root, name, reseller))
        wanted = replace(current, **changes, name=rename or current.name)
        plan = services.update_plan(root, name, wanted, reseller=reseller, make_default=is_default)
        shown = _plan_json(plan)
    if out.json:
        out.emit({"plan": shown})
    else:
        renamed = f" (now {plan.name})" if plan.name != name else ""
        console.print(f"Updated plan [bold]{name}[/]{renamed}", highlight=False)


@app.command("delete")
def delete(name: PlanName, reseller: Reseller = None, json: JsonOption = False) -> None:
    """Delete a plan that no account uses, that is no reseller's totals and not the default."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        services.delete_plan(Actor.root(), name, reseller=reseller)
    if out.json:
        out.emit({"plan": name, "reseller": reseller, "deleted": True})
    else:
        console.print(f"Deleted plan [bold]{name}[/]", highlight=False)


@app.command("totals")
def totals(
    reseller: Annotated[str, typer.Argument(help="The reseller's login name.")],
    plan: Annotated[
        str | None, typer.Argument(help="The server plan all its accounts share.")
    ] = None,
    none: Annotated[bool, typer.Option("--none", help="Take its totals away: no limit.")] = False,
    json: JsonOption = False,
) -> None:
    """Give a reseller its totals (PLAN), or take them away (--none)."""
    use_json(json)
    if (plan is None) == (not none):
        from supercp.protocol.errors import ValidationFailed

        raise ValidationFailed("give PLAN, or --none", code="usage")
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.plans import services

        given = services.set_totals(Actor.root(), reseller, plan)
    name = given.name if given is not None else None
    if out.json:
        out.emit({"reseller": reseller, "totals": name})
    elif name is None:
        console.print(f"Reseller [bold]{reseller}[/] has no totals (no limit)", highlight=False)
    else:
        console.print(f"Reseller [bold]{reseller}[/]'s totals: plan {name}", highlight=False)


GROUPS = [Group("plan", app)]
