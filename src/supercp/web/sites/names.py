"""Host names and the other site fields as the user types them, turned into the protocol's form.

Every name is normalized here, at the panel's edge, before anything else sees it: IDNA 2008
with the UTS #46 mapping (so "Bücher.Example" becomes "xn--bcher-kva.example"), then checked
against protocol.web's Hostname rule, the one the daemon applies too. Whatever fails either
step is refused with an error naming the field.
"""

from __future__ import annotations

import idna
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from supercp.protocol import web as rpc
from supercp.protocol.errors import ValidationFailed
from supercp.web.sites import homographs, suffixes

_HOSTNAME = TypeAdapter(rpc.Hostname)
_PHP = TypeAdapter(rpc.PhpVersion)
_DOCROOT = TypeAdapter(rpc.DocRoot)
# Generous for a Unicode name (whose A-label form must still fit 253), and short enough that
# nothing costly is done with junk.
MAX_INPUT = 1000


def hostname(raw: str, field: str = "domain") -> str:
    """``raw`` in A-label form, or ValidationFailed naming ``field``."""
    refusal = ValidationFailed(
        f"'{shown(raw)}' is not a valid host name (such as example.com)",
        code="invalid-hostname",
        field=field,
    )
    if not raw or len(raw) > MAX_INPUT or not raw.isprintable() or raw != raw.strip():
        raise refusal
    try:
        ascii_name = idna.encode(raw, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise refusal from None
    try:
        return _HOSTNAME.validate_python(ascii_name)
    except PydanticError:
        raise refusal from None


def claimable(name: str, field: str, *, admin: bool) -> str:
    """``name``, unless it could pass for another name (homographs.py: for anyone), or is a
    public suffix and the actor no administrator (suffixes.py).

    Only new names are checked here: a site or zone made before keeps being found by its
    name (``hostname``), so it can still be changed or removed.
    """
    why = homographs.lookalike(name)
    if why is not None:
        raise ValidationFailed(
            f"'{shown(unicode_name(name))}' ({name}) could be mistaken for another name: {why}",
            code="lookalike-name",
            field=field,
        )
    if not admin and suffixes.is_public_suffix(name):
        raise ValidationFailed(
            f"'{shown(name)}' is a public suffix (as co.uk is): only the names below it can "
            "be a site or a zone here",
            code="public-suffix",
            field=field,
        )
    return name


def unicode_name(name: str) -> str:
    """The display form of an A-label name (itself when it has no punycode label)."""
    if "xn--" not in name:
        return name
    try:
        return idna.decode(name)
    except (idna.IDNAError, UnicodeError):
        return name


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


def shown(raw: str) -> str:
    """Input quoted in a message: control characters escaped, and not too long."""
    text = raw.encode("unicode_escape").decode("ascii") if not raw.isprintable() else raw
    return text if len(text) <= 80 else text[:77] + "..."
