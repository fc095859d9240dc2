"""One exception hierarchy for every layer, mapped to JSON-RPC error objects.

JSON-RPC 2.0 reserves -32768..-32000. The five standard codes are used exactly as the
specification says; application errors use -32000..-32099 and always carry a stable
string ``data.code`` that callers switch on (the message is for humans and may change).
"""

from __future__ import annotations

from typing import Any, ClassVar

# Standard JSON-RPC 2.0 codes.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603

# Application codes (-32000..-32099), one per category of failure.
APP_ERROR = -32000
FORBIDDEN = -32001
NOT_FOUND = -32002
CONFLICT = -32003
VALIDATION = -32004
SYSTEM_FAILURE = -32005
TIMEOUT = -32006
UNAVAILABLE = -32007


class SuperCPError(Exception):
    """Base of every error that may cross a process boundary."""

    rpc_code: ClassVar[int] = APP_ERROR
    default_code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.details = details or {}

    def to_data(self) -> dict[str, Any]:
        """The ``data`` member of the JSON-RPC error object."""
        data: dict[str, Any] = {"code": self.code}
        if self.field is not None:
            data["field"] = self.field
        data.update(self.details)
        return data

    def to_error(self) -> dict[str, Any]:
        """The JSON-RPC error object."""
        return {"code": self.rpc_code, "message": self.message, "data": self.to_data()}


class ProtocolError(SuperCPError):
    """A message that breaks JSON-RPC itself (framing, shape, unknown method)."""


class ParseError(ProtocolError):
    rpc_code = PARSE_ERROR
    default_code = "parse-error"


class InvalidRequest(ProtocolError):
    rpc_code = INVALID_REQUEST
    default_code = "invalid-request"


class MethodNotFound(ProtocolError):
    rpc_code = METHOD_NOT_FOUND
    default_code = "method-not-found"


class InvalidParams(ProtocolError):
    """Params that fail the method's schema; ``field`` names the first offender."""

    rpc_code = INVALID_PARAMS
    default_code = "validation"


class InternalError(SuperCPError):
    """A bug on the server side; the details went to its log, not to the caller."""

    rpc_code = INTERNAL_ERROR
    default_code = "internal"


class Forbidden(SuperCPError):
    rpc_code = FORBIDDEN
    default_code = "forbidden"


class NotFound(SuperCPError):
    rpc_code = NOT_FOUND
    default_code = "not-found"


class Conflict(SuperCPError):
    rpc_code = CONFLICT
    default_code = "conflict"


class ValidationFailed(SuperCPError):
    """Input that is well-formed but refused by a business rule (reserved name, …)."""

    rpc_code = VALIDATION
    default_code = "validation"


class SystemFailure(SuperCPError):
    """A system program or service refused the change; message carries its checker's text."""

    rpc_code = SYSTEM_FAILURE
    default_code = "system"


class Timeout(SuperCPError):
    rpc_code = TIMEOUT
    default_code = "timeout"


class Unavailable(SuperCPError):
    """The daemon (or a service it needs) cannot be reached."""

    rpc_code = UNAVAILABLE
    default_code = "unavailable"


_BY_RPC_CODE: dict[int, type[SuperCPError]] = {
    cls.rpc_code: cls
    for cls in (
        ParseError,
        InvalidRequest,
        MethodNotFound,
        InvalidParams,
        InternalError,
        Forbidden,
        NotFound,
        Conflict,
        ValidationFailed,
        SystemFailure,
        Timeout,
        Unavailable,
    )
}


def from_error_object(error: Any) -> SuperCPError:
    """Rebuild the matching exception from a JSON-RPC error object received by a client."""
    if not isinstance(error, dict):
        return InternalError("malformed error object from the daemon")
    rpc_code = error.get("code")
    message = error.get("message")
    data = error.get("data")
    cls = _BY_RPC_CODE.get(rpc_code, SuperCPError) if isinstance(rpc_code, int) else SuperCPError
    details = dict(data) if isinstance(data, dict) else {}
    code = details.pop("code", None)
    field = details.pop("field", None)
    return cls(
        message if isinstance(message, str) else "error",
        code=code if isinstance(code, str) else None,
        field=field if isinstance(field, str) else None,
        details=details,
    )
