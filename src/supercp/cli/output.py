"""How super-cli speaks: one JSON object with --json, rich tables and spinners otherwise."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from rich.console import Console

from supercp.protocol.errors import SuperCPError

console = Console()
err_console = Console(stderr=True)


def host_name(name: str, display: str) -> str:
    """A name for people: its Unicode form, with its A-label beside it when the two differ.

    Two names may look alike in Unicode (a Cyrillic letter for a Latin one) but never as
    A-labels, so a table that shows the Unicode form alone could show two sites as one.
    """
    return name if display in {"", name} else f"{display} ({name})"


class Output:
    """Per-invocation output mode, set by the global ``--json`` flag."""

    def __init__(self) -> None:
        self.json = False

    def emit(self, value: BaseModel | dict[str, Any] | list[Any] | str) -> None:
        """Print a success object as JSON (machine mode); human commands render themselves."""
        payload = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        if not isinstance(payload, dict):
            payload = {"result": payload}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")

    def error(self, err: SuperCPError) -> None:
        if self.json:
            body: dict[str, Any] = {"code": err.code, "message": err.message}
            if err.field is not None:
                body["field"] = err.field
            sys.stdout.write(json.dumps({"error": body}, ensure_ascii=False) + "\n")
        else:
            where = f" ({err.field})" if err.field else ""
            err_console.print(f"[bold red]error[/]{where}: {err.message}", highlight=False)

    @contextlib.contextmanager
    def progress(self, message: str) -> Iterator[None]:
        """A spinner for anything that may take more than a moment (human mode only)."""
        if self.json or not console.is_terminal:
            yield
            return
        with console.status(message):
            yield


out = Output()
