"""`super-cli site …` and `super-cli rebuild`: web sites, through the panel's service layer.

Like `super-cli account`, these run the panel's service functions in this process (as root,
with the panel's settings), acting as an admin that the audit log records as
"root (super-cli)"; the panel's rules (a name once on the server, the PHP versions installed)
apply, and the panel's database and the system stay in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from supercp.cli.context import JsonOption, use_json
from supercp.cli.groups import Group
from supercp.cli.output import console, err_console, host_name, out
from supercp.cli.panel import django_panel

if TYPE_CHECKING:
    from supercp.web.sites.models import Site
    from supercp.web.sites.services import Default

app = typer.Typer(
    help="Web sites (an nginx server block and a PHP-FPM pool each).", no_args_is_help=True
)

Domain = Annotated[str, typer.Argument(help="The site's domain (Unicode names are welcome).")]


def _json(site: Site) -> dict[str, Any]:
    """A site as --json prints it: the same fields as the REST API's."""
    from supercp.web.sites.schemas import SiteOut

    return SiteOut.of(site).model_dump(mode="json")


def _aliases(site: Site) -> str:
    from supercp.web.sites import names, services

    return ", ".join(host_name(a, names.unicode_name(a)) for a in services.aliases_of(site))


def _print(site: Site) -> None:
    rows = [
        ("Domain", host_name(site.domain, site.display_domain)),
        ("Account", site.account.name),
        ("Aliases", _aliases(site) or "-"),
        ("Aliases redirect", "yes" if site.redirect_aliases else "no"),
        ("PHP", site.php or "none (static)"),
        ("Document root", site.document_root or "-"),
        ("State", site.state + (" (account suspended)" if _account_only(site) else "")),
    ]
    for term, value in rows:
        console.print(f"[bold]{term:<17}[/] {value}", highlight=False)


def _account_only(site: Site) -> bool:
    from supercp.web.sites import services

    return services.is_served_suspended(site) and site.state == "active"


def _php_choice(raw: str | None) -> str | Default | None:
    """--php as create_site takes it: left out is the server's default, "none" static."""
    from supercp.web.sites import services

    if raw is None:
        return services.DEFAULT_PHP
    return None if raw.lower() == "none" else raw


@app.command("create")
def create(  # noqa: PLR0917 (typer maps each parameter to an option)
    domain: Domain,
    account: Annotated[str, typer.Option("--account", help="The hosting account.")],
    php: Annotated[
        str | None,
        typer.Option(
            "--php",
            help="PHP version (such as 8.2), or none for a static site. Default: the "
            "server's default version (panel.toml's default_php, else the newest installed).",
        ),
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", help="Another name of the site (repeatable).")
    ] = None,
    www: Annotated[bool, typer.Option("--www", help="Also answer to www.DOMAIN.")] = False,
    redirect: Annotated[
        bool, typer.Option("--redirect", help="Aliases redirect to the domain.")
    ] = False,
    docroot: Annotated[
        str | None,
        typer.Option("--docroot", help="Relative to the home; default sites/DOMAIN/public."),
    ] = None,
    zone: Annotated[
        bool, typer.Option("--zone", help="Also create the domain's DNS zone (default template).")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Create a site: its directories, PHP-FPM pool and nginx server block."""
    use_json(json)
    with out.progress(f"Creating site {domain}…"), django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.sites import services

        site = services.create_site(
            Actor.root(),
            services.NewSite(
                domain=domain,
                account=account,
                aliases=list(alias or []),
                www=www,
                redirect_aliases=redirect,
                php=_php_choice(php),
                docroot=docroot,
                create_zone=zone,
            ),
        )
        if out.json:
            out.emit({"site": _json(site), "created": True})
            return
        console.print(f"Created site [bold]{host_name(site.domain, site.display_domain)}[/]")
        _print(site)


@app.command("list")
def list_(
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account's sites.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """List the sites."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.sites import services

        sites = services.all_sites(Actor.root(), account)
        if out.json:
            out.emit({"sites": [_json(s) for s in sites]})
            return
        table = Table("Domain", "Account", "Aliases", "PHP", "State", title=f"{len(sites)} site(s)")
        for s in sites:
            state = "[yellow]suspended[/]" if services.is_served_suspended(s) else "active"
            table.add_row(
                host_name(s.domain, s.display_domain),
                s.account.name,
                _aliases(s) or "-",
                s.php or "static",
                state,
            )
        console.print(table)


@app.command("show")
def show(domain: Domain, json: JsonOption = False) -> None:
    """Show one site."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.sites import services

        site = services.get_site(Actor.root(), domain)
        if out.json:
            out.emit({"site": _json(site)})
            return
        _print(site)


def _set_suspended(domain: str, suspended: bool) -> None:
    verb = "Suspending" if suspended else "Unsuspending"
    with out.progress(f"{verb} site {domain}…"), django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.sites import services

        change = services.suspend_site if suspended else services.unsuspend_site
        site = change(Actor.root(), domain)
        if out.json:
            out.emit({"site": _json(site)})
            return
        console.print(f"Site [bold]{site.domain}[/] is {site.state}")


@app.command("suspend")
def suspend(domain: Domain, json: JsonOption = False) -> None:
    """Suspend a site: it answers with the suspension page, its PHP stops."""
    use_json(json)
    _set_suspended(domain, True)


@app.command("unsuspend")
def unsuspend(domain: Domain, json: JsonOption = False) -> None:
    """Serve a suspended site again."""
    use_json(json)
    _set_suspended(domain, False)


@app.command("delete")
def delete(
    domain: Domain,
    remove_files: Annotated[
        bool, typer.Option("--remove-files", help="Delete the site's files as well.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Delete a site: its server block and pool (and its files with --remove-files)."""
    use_json(json)
    with out.progress(f"Deleting site {domain}…"), django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.sites import services

        result = services.delete_site(Actor.root(), domain, remove_files=remove_files)
    if out.json:
        out.emit(result)
    else:
        console.print(f"Deleted site [bold]{result.domain}[/]")


def rebuild(
    site: Annotated[str | None, typer.Option("--site", help="Only this site (its domain).")] = None,
    json: JsonOption = False,
) -> None:
    """Re-apply every site from the panel's database (drift repair, new templates)."""
    use_json(json)
    with django_panel():
        from supercp.web.core.authz import Actor
        from supercp.web.sites import bulk

        last = None
        for progress in bulk.rebuild(Actor.root(), site):
            last = progress
            # Progress goes to stderr in both modes, so stdout stays one JSON object.
            err_console.print(
                f"rebuild: {progress.done}/{progress.total} sites"
                f" ({progress.changed} changed, {len(progress.failed)} failed)",
                highlight=False,
            )
    assert last is not None
    failed = [
        {"domain": f.domain, "code": f.error.code, "message": f.error.message}
        for f in last.failed
        if f.error is not None
    ]
    if out.json:
        out.emit(
            {
                "total": last.total,
                "applied": last.done - len(failed),
                "changed": last.changed,
                "failed": failed,
            }
        )
    else:
        for f in failed:
            console.print(f"[red]{f['domain']}[/]: {f['message']}", highlight=False)
        console.print(
            f"Rebuilt {last.done - len(failed)} of {last.total} sites ({last.changed} changed)"
        )
    if failed:
        raise typer.Exit(1)


GROUPS = [
    Group(
        "site",
        app,
        reaches={
            "web.site.apply": "site create",
            "web.site.apply_many": "rebuild",
            "web.site.remove": "site delete",
            "web.php.versions": "site create",
        },
        not_offered={
            "web.site.suspend": "`site suspend` applies the site as suspended, as the panel does",
            "web.site.unsuspend": "`site unsuspend` applies the site, as the panel does",
            "web.site.list": "`site list` shows the panel's sites; this one is for scripts",
            "web.site.logs": "the panel's site page shows the logs; no command yet",
        },
        top={"rebuild": rebuild},
    )
]
