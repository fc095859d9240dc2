"""Base models for method params and results: strict, unknown fields rejected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from supercp.protocol.errors import InvalidParams


class Strict(BaseModel):
    """Params models: unknown fields are an error, values are never coerced across types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Result(BaseModel):
    """Result models: the daemon builds them, clients validate them leniently on read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Strict):
    """Methods that take no params accept an absent, empty object or empty array."""


P = TypeVar("P", bound=BaseModel)
R = TypeVar("R")


@dataclass(frozen=True)
class Spec(Generic[P, R]):
    """A method of the daemon's API: its name, param model and result type."""

    name: str
    params: type[P]
    result: Any  # a type that pydantic.TypeAdapter accepts; R is its Python type
    summary: str


def invalid_params(err: ValidationError) -> InvalidParams:
    """Turn pydantic's report into -32602 naming the offending field (never echoing input)."""
    errors = [
        {
            "field": ".".join(str(p) for p in e["loc"]) or None,
            "message": e["msg"] if e["type"] != "extra_forbidden" else "unknown field",
            "type": e["type"],
        }
        for e in err.errors(include_url=False, include_input=False, include_context=False)
    ]
    first = errors[0]
    return InvalidParams(
        f"Invalid params: {first['field'] or 'params'}: {first['message']}",
        field=first["field"],
        details={"errors": errors},
    )
