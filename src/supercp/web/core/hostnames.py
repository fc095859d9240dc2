"""Host names as the user types them, turned into the protocol's form, for every module.

Every name is normalized at the panel's edge, before anything else sees it: IDNA 2008 with
the UTS #46 mapping (so "Bücher.Example" becomes "xn--bcher-kva.example"), then checked
against protocol.web's Hostname rule, the one the daemon applies too. Whatever fails either
step is refused with an error naming the field. A name that becomes a site, an alias or a
zone is also checked by ``claimable``.
"""

from __future__ import annotations

import idna
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from supercp.protocol import web as rpc
from supercp.protocol.errors import ValidationFailed
from supercp.web.core import homographs, suffixes

_HOSTNAME = TypeAdapter(rpc.Hostname)
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


def shown(raw: str) -> str:
    """Input quoted in a message: control characters escaped, and not too long."""
    text = raw.encode("unicode_escape").decode("ascii") if not raw.isprintable() else raw
    return text if len(text) <= 80 else text[:77] + "..."
