"""JSON-RPC 2.0 message parsing and building, exactly as the specification says.

Nothing here does I/O: ``parse_message`` turns one framed line into request items (or
raises the error that the whole line deserves), and the ``*_response`` helpers build the
objects that go back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from supercp.protocol.errors import InvalidRequest, ParseError, SuperCPError

Id = str | int | float | None
Params = dict[str, Any] | list[Any] | None


@dataclass(slots=True, frozen=True)
class Request:
    """A well-formed request; ``notification`` is true when the id member was absent."""

    method: str
    params: Params
    id: Id
    notification: bool


@dataclass(slots=True, frozen=True)
class Invalid:
    """A batch member or single message that is not a valid Request object."""

    error: SuperCPError
    id: Id = None


Item = Request | Invalid


def parse_json(line: bytes) -> Any:
    """Decode one line as strict UTF-8 JSON (RFC 8259: no NaN, no BOM), or raise ParseError.

    orjson validates UTF-8 itself, refuses lone surrogates, and caps nesting at 1024.
    """
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as err:
        raise ParseError(f"Parse error: {str(err).split(':')[0]}") from err


def _valid_id(value: Any) -> bool:
    # bool is a subclass of int in Python but not a JSON number.
    return value is None or (isinstance(value, str | int | float) and not isinstance(value, bool))


def parse_item(obj: Any) -> Item:
    """Validate one Request object."""
    if not isinstance(obj, dict):
        return Invalid(InvalidRequest("Invalid Request: expected an object"))
    has_id = "id" in obj
    rid = obj.get("id")
    if has_id and not _valid_id(rid):
        return Invalid(InvalidRequest("Invalid Request: id must be a string, number or null"))
    # Once the id is known to be valid it is echoed back, so the caller can match the error.
    echo = rid if has_id else None
    if obj.get("jsonrpc") != "2.0":
        return Invalid(InvalidRequest('Invalid Request: jsonrpc must be exactly "2.0"'), echo)
    method = obj.get("method")
    if not isinstance(method, str):
        return Invalid(InvalidRequest("Invalid Request: method must be a string"), echo)
    params = obj.get("params")
    if "params" in obj and not isinstance(params, dict | list):
        return Invalid(
            InvalidRequest("Invalid Request: params must be an array or an object"), echo
        )
    return Request(method=method, params=params, id=rid, notification=not has_id)


def parse_message(line: bytes) -> Item | list[Item]:
    """Parse one framed line: a single item, or the items of a non-empty batch.

    Raises ParseError for invalid JSON and InvalidRequest for an empty batch (the
    specification answers both with one error object, not an array).
    """
    obj = parse_json(line)
    if isinstance(obj, list):
        if not obj:
            raise InvalidRequest("Invalid Request: empty batch")
        return [parse_item(member) for member in obj]
    return parse_item(obj)


def result_response(rid: Id, result: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "result": result, "id": rid}


def error_response(rid: Id, error: SuperCPError) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": error.to_error(), "id": rid}


def request_object(method: str, params: Params, rid: Id, *, notification: bool = False) -> Any:
    """Build a request (or, with ``notification``, a notification) object for clients."""
    msg: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        msg["params"] = params
    if not notification:
        msg["id"] = rid
    return msg
