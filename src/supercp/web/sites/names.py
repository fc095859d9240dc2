"""A site's fields as the user types them, turned into the protocol's form: its aliases, PHP
version and document root; host names through core/hostnames.py (whose functions sites'
callers find here too), each refused with an error naming the field.
"""

from __future__ import annotations

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from supercp.protocol import web as rpc
from supercp.protocol.errors import ValidationFailed
from supercp.web.core.hostnames import claimable, hostname, shown, unicode_name

__all__ = ["aliases", "claimable", "docroot", "hostname", "php_version", "shown", "unicode_name"]

_PHP = TypeAdapter(rpc.PhpVersion)
_DOCROOT = TypeAdapter(rpc.DocRoot)


def aliases(raw: list[str], domain: str) -> list[str]:
    """The aliases in A-label form, each once, without the domain itself, sorted."""
    if len(raw) > rpc.MAX_ALIASES:
        raise ValidationFailed(f"a site has at most {rpc.MAX_ALIASES} aliases", field="aliases")
    found = {hostname(a, "aliases") for a in raw}
    if domain in found:
        raise ValidationFailed(
            f"{domain} is the site's domain; it cannot be an alias too", field="aliases"
        )
    return sorted(found)


def php_version(raw: str | None) -> str | None:
    if raw is None:
        return None
    try:
        return _PHP.validate_python(raw)
    except PydanticError:
        raise ValidationFailed(
            f"'{shown(raw)}' is not a PHP version (such as 8.2)", field="php"
        ) from None


def docroot(raw: str | None) -> str | None:
    """A document root relative to the account's home; "" and None mean the default."""
    if raw is None or raw == "":
        return None
    try:
        return _DOCROOT.validate_python(raw)
    except PydanticError:
        raise ValidationFailed(
            "the document root is a path inside the account's home, such as "
            "sites/example.com/public: letters, digits, '.', '_' and '-', no '..' or "
            "leading '/'",
            field="docroot",
        ) from None
