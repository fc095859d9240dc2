"""Methods the daemon serves: each binds a protocol Spec to a handler and a caller policy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from supercp.daemon.roles import Role
from supercp.protocol.errors import InvalidParams
from supercp.protocol.models import Spec, invalid_params

if TYPE_CHECKING:
    from supercp.daemon.context import Context

P = TypeVar("P", bound=BaseModel)
R = TypeVar("R")


@dataclass(frozen=True)
class Method(Generic[P, R]):
    """A served method: contract, implementation, who may call it, what it locks."""

    spec: Spec[P, R]
    handler: Callable[[Context, P], Awaitable[R]]
    callers: frozenset[Role]
    # The object a call touches ("account:alice"); calls on one object run one at a time.
    lock: Callable[[P], str | None] | None = None
    # Set for methods that answer from memory at once: called synchronously, no task.
    inline: Callable[[Context, P], R] | None = None
    result_adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)
    _no_params: P | None = field(init=False, repr=False, compare=False, default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "result_adapter", TypeAdapter(self.spec.result))
        if not self.spec.params.model_fields:
            # Methods without params share one instance instead of validating {} per call.
            object.__setattr__(self, "_no_params", self.spec.params())

    @property
    def name(self) -> str:
        return self.spec.name

    def parse_params(self, raw: dict[str, Any] | list[Any] | None) -> P:
        """Validate raw params against the spec; by-position arrays map to field order."""
        model = self.spec.params
        if not raw and self._no_params is not None:
            return self._no_params
        if raw is None:
            raw = {}
        elif isinstance(raw, list):
            names = list(model.model_fields)
            if len(raw) > len(names):
                raise InvalidParams(
                    f"Invalid params: {self.name} takes at most {len(names)} positional params"
                )
            raw = dict(zip(names, raw, strict=False))
        try:
            return model.model_validate(raw)
        except ValidationError as err:
            raise invalid_params(err) from None

    def dump_result(self, value: R) -> Any:
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        if type(value) is str:
            return value
        return self.result_adapter.dump_python(value, mode="json")


def bind(
    spec: Spec[P, R],
    *,
    callers: frozenset[Role],
    lock: Callable[[P], str | None] | None = None,
) -> Callable[[Callable[[Context, P], Awaitable[R]]], Method[P, R]]:
    """Decorator that turns a handler function into a Method for its module's METHODS list."""

    def wrap(handler: Callable[[Context, P], Awaitable[R]]) -> Method[P, R]:
        return Method(spec=spec, handler=handler, callers=callers, lock=lock)

    return wrap


def bind_inline(
    spec: Spec[P, R], *, callers: frozenset[Role]
) -> Callable[[Callable[[Context, P], R]], Method[P, R]]:
    """Like ``bind``, for synchronous handlers that never wait (no I/O, no lock)."""

    def wrap(handler: Callable[[Context, P], R]) -> Method[P, R]:
        async def run(ctx: Context, params: P) -> R:
            return handler(ctx, params)

        return Method(spec=spec, handler=run, callers=callers, inline=handler)

    return wrap


class Registry:
    """Every served method by name; built once from the handler modules' METHODS lists."""

    def __init__(self, methods: Iterable[Method[Any, Any]]) -> None:
        self._methods: dict[str, Method[Any, Any]] = {}
        for method in methods:
            if method.name in self._methods:
                raise ValueError(f"method {method.name} registered twice")
            self._methods[method.name] = method

    def get(self, name: str) -> Method[Any, Any] | None:
        return self._methods.get(name)

    def __iter__(self) -> Any:
        return iter(sorted(self._methods.values(), key=lambda m: m.name))
