"""Entry point of ``super-cli``: assembles the command groups and maps errors to output."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from supercp import __version__
from supercp.cli import accounts, dns, panel, plans, sites, system
from supercp.cli.context import JsonOption, settings, use_json
from supercp.cli.groups import Group
from supercp.cli.output import out
from supercp.protocol.errors import InternalError, SuperCPError, ValidationFailed

app = typer.Typer(
    name="super-cli",
    help="GetSuperCP administration from the shell.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# In the order `super-cli --help` lists them; a new module adds its groups here.
GROUPS: tuple[Group, ...] = (
    *system.GROUPS,
    *accounts.GROUPS,
    *plans.GROUPS,
    *sites.GROUPS,
    *dns.GROUPS,
    *panel.GROUPS,
)
for group in GROUPS:
    group.mount(app)


def _version(value: bool) -> None:
    if value:
        print(__version__)
        raise typer.Exit()


@app.callback()
def root(
    json: JsonOption = False,
    socket: Annotated[
        Path, typer.Option("--socket", help="super-daemon's socket.", envvar="SUPERCP_SOCKET")
    ] = settings.socket,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """GetSuperCP administration from the shell."""
    use_json(json)
    settings.socket = socket


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Known before parsing, so even a usage error comes out as JSON.
    out.json = "--json" in args
    command = typer.main.get_command(app)
    try:
        command.main(args=args, prog_name="super-cli", standalone_mode=False)
    except SuperCPError as err:
        out.error(err)
        return 1
    except typer.Exit as done:
        return done.exit_code
    except typer.TyperException as err:
        if out.json:
            out.error(ValidationFailed(err.format_message(), code="usage"))
        else:
            show = getattr(err, "show", None)
            if callable(show):
                show()
            else:
                print(f"error: {err.format_message()}", file=sys.stderr)
        return err.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return 130
    except Exception as err:  # the last line of defence: never a traceback in --json mode
        if not out.json:
            raise
        out.error(InternalError(f"{type(err).__name__}: {err}"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
