"""State shared by the commands of one invocation: output mode and the daemon client."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from supercp.cli.output import out
from supercp.protocol.client import DEFAULT_SOCKET, DaemonClient
from supercp.protocol.models import invalid_params

M = TypeVar("M", bound=BaseModel)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON object on stdout (for scripts).")
]


class Settings:
    socket: Path = DEFAULT_SOCKET


settings = Settings()


def use_json(flag: bool) -> None:
    """Commands accept --json after their name too (`super-cli account list --json`)."""
    if flag:
        out.json = True


def client() -> DaemonClient:
    return DaemonClient(settings.socket)


def build(model: type[M], **fields: object) -> M:
    """Validate CLI input with the same schema the daemon uses, before anything is sent."""
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        raise invalid_params(err) from None
