"""`super-cli daemon …` and `super-cli system …`."""

from __future__ import annotations

import typer
from rich.table import Table

from supercp.cli.context import JsonOption, client, use_json
from supercp.cli.groups import Group
from supercp.cli.output import console, out
from supercp.protocol import system as api

daemon_app = typer.Typer(help="The super-daemon itself.", no_args_is_help=True)
system_app = typer.Typer(help="Facts about this server.", no_args_is_help=True)


@daemon_app.command("ping")
def ping(json: JsonOption = False) -> None:
    """Check that super-daemon answers."""
    use_json(json)
    with client() as c:
        answer = c.invoke(api.PING)
    if out.json:
        out.emit(answer)
    else:
        console.print(f"super-daemon answered: [bold green]{answer}[/]")


@daemon_app.command("describe")
def describe(json: JsonOption = False) -> None:
    """List the daemon's methods, who may call them, and (with --json) their schemas."""
    use_json(json)
    with client() as c:
        description = c.invoke(api.DESCRIBE)
    if out.json:
        out.emit(description)
        return
    table = Table("Method", "Callers", "Summary", title=f"super-daemon {description.version}")
    for m in description.methods:
        table.add_row(m.name, ", ".join(m.callers), m.summary)
    console.print(table)


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


@system_app.command("info")
def info(json: JsonOption = False) -> None:
    """Host, OS, load, memory, disks and the state of every managed service."""
    use_json(json)
    with out.progress("Asking super-daemon…"), client() as c:
        facts = c.invoke(api.INFO)
    if out.json:
        out.emit(facts)
        return
    host = Table(show_header=False, title="Server")
    days, rest = divmod(int(facts.uptime_seconds), 86400)
    host.add_row("Hostname", facts.hostname)
    host.add_row("OS", facts.os.pretty_name)
    host.add_row("Kernel", facts.kernel)
    host.add_row("Uptime", f"{days} d {rest // 3600} h {rest % 3600 // 60} min")
    host.add_row("Load", " ".join(f"{x:.2f}" for x in facts.load))
    host.add_row("Memory", f"{_size(facts.memory.available)} free of {_size(facts.memory.total)}")
    host.add_row("super-daemon", facts.daemon_version)
    console.print(host)
    disks = Table("Mount", "Size", "Used", "Free", title="Disks")
    for d in facts.disks:
        disks.add_row(d.mount, _size(d.total), _size(d.used), _size(d.free))
    console.print(disks)
    services = Table("Service", "Unit", "Version", "State", title="Services")
    colours = {"running": "green", "stopped": "yellow", "failed": "red"}
    for s in facts.services:
        colour = colours.get(s.state, "dim")
        services.add_row(s.name, s.unit, s.version or "-", f"[{colour}]{s.state}[/]")
    console.print(services)


GROUPS = [
    Group(
        "daemon",
        daemon_app,
        reaches={"system.ping": "daemon ping", "system.describe": "daemon describe"},
    ),
    Group(
        "system",
        system_app,
        reaches={"system.info": "system info"},
        not_offered={
            # super-cli has no services group; these stay for root's scripts on the socket.
            "services.status": "`system info` shows every managed service's state",
            "services.reload": "no command yet: `systemctl reload` from a shell",
            "services.restart": "no command yet: `systemctl restart` from a shell",
        },
    ),
]
