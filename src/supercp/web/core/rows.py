"""Rows read by written-out SQL, for the few queries every API request runs.

Building a query through the ORM (cloning the queryset, resolving lookups, compiling the SQL)
cost more than running it: about a third of a short API request's time. The token check and
the accounts list therefore send fixed SQL, built once per process from the models' own
table and column names, and turn the columns into Python values as the ORM would for the
field types they read (``converter``). Their tests compare them with the ORM's answer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)
Convert = Callable[[Any], Any]


def quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def table(model: type[models.Model]) -> str:
    return quote(model._meta.db_table)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field), f"{model}.{name} is not a field with a column"
    return found


def column(model: type[models.Model], field: str, alias: str) -> str:
    """``alias.`column``` of ``model``'s field called ``field``."""
    name = _field(model, field).column
    assert name is not None
    return f"{alias}.{quote(name)}"


def _aware(raw: datetime | None) -> datetime | None:
    # runtime/mysql.py reads DATETIME columns as aware UTC datetimes. A connection without
    # its converters gives naive ones, in UTC too (backend/base.py allows no other zone).
    return raw if raw is None or raw.tzinfo is not None else raw.replace(tzinfo=UTC)


def _bool(raw: int | None) -> bool | None:
    return None if raw is None else bool(raw)


def _same(raw: Any) -> Any:
    return raw


def converter(model: type[models.Model], field: str) -> Convert:
    """What turns the column MySQLdb returns into the field's value, as the ORM does.

    Only the types these queries read; any other type is refused when the query is built.
    """
    return _converter(_field(model, field))


def _converter(field: models.Field[Any, Any]) -> Convert:
    if isinstance(field, models.DateTimeField):
        return _aware
    if isinstance(field, models.BooleanField):
        return _bool
    if isinstance(field, (models.CharField, models.TextField, models.IntegerField)):
        return _same
    if isinstance(field, (models.AutoField, models.ForeignKey)):
        return _same
    raise TypeError(f"{field} has a type rows.py cannot convert")


class Loader(Generic[M]):
    """Model instances from the columns ``select`` names, as if the ORM had loaded them."""

    def __init__(self, model: type[M], alias: str) -> None:
        self.model = model
        loaded = list(model._meta.concrete_fields)
        self.select = ", ".join(column(model, f.name, alias) for f in loaded)
        self.width = len(loaded)
        self._names = [f.attname for f in loaded]
        self._convert = [_converter(f) for f in loaded]

    def load(self, raw: Sequence[Any]) -> M:
        values = [convert(v) for convert, v in zip(self._convert, raw, strict=True)]
        return self.model.from_db(connection.alias, self._names, values)
