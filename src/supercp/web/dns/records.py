"""One DNS record as the user types it, checked with dnspython and turned into PowerDNS's row.

Pure functions, no database: ``services.py`` and ``zonefile.py`` call them before anything is
written. Every refusal is a ValidationFailed naming the field (``name``, ``type``,
``content``, ``ttl``) with a stable code.

Forms:
- a record's **name** is relative to the zone (``@`` the apex, ``www``, ``_dmarc``,
  ``*.dev``); a name that ends with a dot, or ends with the zone's own name, is taken as
  absolute and must lie inside the zone;
- **content** is the record's data in master-file syntax, with every name in it absolute
  (``10 mail.example.com``; the trailing dot is optional), except TXT, which may also be
  given as plain text (split into 255-byte strings here);
- PowerDNS's row: the owner name in lower case without the trailing dot, the content with
  names without trailing dots, and for MX and SRV the priority in ``prio`` (the gmysql
  backend puts ``prio`` back in front of the content when it answers).

ALIAS is PowerDNS's own type (65401, in the private range): at its name PowerDNS answers A
and AAAA queries with the target's addresses, looked up through its ``resolver`` at query
time. dnspython has no ALIAS, so this module registers it (data: one absolute name, as
CNAME's) before anything parses a record: ``_parse``, ``rdata`` and the zone-file reader and
writer (``ALIAS target.``, as PowerDNS's own zone files have it) then treat it like any type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.TXT
import dns.rdtypes.nsbase
import idna

from supercp.protocol.errors import ValidationFailed

# What the panel lets users write; SOA is the panel's own (one per zone, serial managed).
TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS", "PTR", "ALIAS")
# PowerDNS's number for ALIAS (what an AXFR without expansion carries).
ALIAS_RDTYPE = 65401
# Types whose priority PowerDNS keeps in the prio column.
PRIO_TYPES = frozenset({"MX", "SRV"})
# An hour is what most providers default to; a minute at least (lower only loads resolvers),
# a week at most (RFC 8767 caps stale data there, and longer is never what someone meant).
TTL_MIN = 60
TTL_MAX = 604_800
DEFAULT_TTL = 3600
# The text of one TXT record: DKIM keys of 4096 bits need about 800, so this is generous;
# PowerDNS's content column holds 64,000.
TXT_MAX = 4096
# A record's content as typed; longer is junk whatever the type.
CONTENT_MAX = 8192
CAA_TAGS = frozenset({"issue", "issuewild", "iodef", "issuemail", "issuevmc"})
_LABEL = re.compile(r"^(?:[a-z0-9_]|[a-z0-9_][a-z0-9_-]{0,61}[a-z0-9_])$")
_HOST_LABEL = re.compile(r"^(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])$")
_IN = dns.rdataclass.IN
# The local part of the SOA's contact address (its first label).
MAILBOX = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}")


class AliasData(dns.rdtypes.nsbase.NSBase):
    """PowerDNS's ALIAS: one target name, written and read like CNAME's."""


def _register_alias() -> None:
    # The type's text is registered before anything makes the number's enum value: dnspython
    # names that value once, when first made, and would print TYPE65401 ever after.
    try:
        dns.rdatatype.from_text("ALIAS")
        return  # registered already (a reloaded module)
    except dns.rdatatype.UnknownRdatatype:
        pass
    dns.rdatatype.register_type(ALIAS_RDTYPE, "ALIAS")  # type: ignore[arg-type]
    dns.rdata.register_type(AliasData, ALIAS_RDTYPE, "ALIAS")
    if dns.rdatatype.to_text(dns.rdatatype.RdataType.make(ALIAS_RDTYPE)) != "ALIAS":
        raise RuntimeError("dnspython names type 65401 otherwise than ALIAS")


_register_alias()


@dataclass(frozen=True)
class Record:
    """A record in PowerDNS's form: absolute lower-case name, no trailing dots anywhere."""

    name: str
    type: str
    content: str
    ttl: int
    # MX and SRV: the priority (PowerDNS's prio column); 0 otherwise.
    prio: int = 0

    @property
    def data(self) -> str:
        """The record's data as in a master file (the priority in front for MX and SRV)."""
        return f"{self.prio} {self.content}" if self.type in PRIO_TYPES else self.content


def invalid(message: str, field: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def shown(raw: str) -> str:
    """Input quoted in a message: control characters escaped, and not too long."""
    text = raw.encode("unicode_escape").decode("ascii") if not raw.isprintable() else raw
    return text if len(text) <= 80 else text[:77] + "..."


# --- names --------------------------------------------------------------------------------------


def _label(raw: str, field: str, *, host: bool = False) -> str:
    """One label in A-label form: letters, digits, inner hyphens (and ``_`` unless ``host``)."""
    if raw.isascii():
        label = raw.lower()
    else:
        try:
            label = idna.encode(raw, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            raise invalid(f"'{shown(raw)}' is not a valid label", field, "invalid-name") from None
    if len(label) > 63:
        raise invalid(f"'{shown(raw)}': a label has at most 63 characters", field, "invalid-name")
    if not (_HOST_LABEL if host else _LABEL).match(label):
        allowed = "letters, digits and inner hyphens" + ("" if host else " (or '_')")
        raise invalid(f"'{shown(raw)}': a label has only {allowed}", field, "invalid-name")
    return label


def _join(labels: list[str], raw: str, field: str) -> str:
    name = ".".join(labels)
    # 253 characters of text are the 255 octets of the wire form.
    if len(name) > 253:
        raise invalid(f"'{shown(raw)}' is longer than 253 characters", field, "invalid-name")
    return name


def owner(raw: str, zone: str, field: str = "name") -> str:
    """The absolute owner name of a record named ``raw`` in ``zone`` (see the module doc)."""
    text = raw.strip()
    if text != raw or len(raw) > 1000 or not raw.isprintable():
        raise invalid(f"'{shown(raw)}' is not a valid name", field, "invalid-name")
    if text in ("", "@"):
        return zone
    absolute = text.endswith(".")
    text = text.rstrip(".") if absolute else text
    if not text or ".." in text:
        raise invalid(f"'{shown(raw)}' is not a valid name", field, "invalid-name")
    parts = text.split(".")
    wildcard = parts[0] == "*"
    if any("*" in p for p in parts[1:]) or (not wildcard and "*" in parts[0]):
        raise invalid(
            f"'{shown(raw)}': a wildcard is a whole '*' label, and only the leftmost",
            field,
            "invalid-wildcard",
        )
    labels = (["*"] if wildcard else []) + [
        _label(p, field) for p in (parts[1:] if wildcard else parts)
    ]
    name = ".".join(labels)
    lowered = name.lower()
    inside = lowered == zone or lowered.endswith("." + zone)
    if absolute and not inside:
        raise invalid(f"'{shown(raw)}' is outside the zone {zone}", field, "name-outside-zone")
    full = lowered if inside else f"{lowered}.{zone}"
    return _join(full.split("."), raw, field)


def relative(name: str, zone: str) -> str:
    """``@`` for the apex, else the part of ``name`` before the zone."""
    if name == zone:
        return "@"
    return name[: -(len(zone) + 1)] if name.endswith("." + zone) else name + "."


def target(raw: str, field: str, *, host: bool = True, allow_root: bool = False) -> str:
    """A name in a record's content (absolute; the trailing dot is optional)."""
    text = raw.rstrip(".") if raw != "." else raw
    if text == ".":
        if allow_root:
            return "."
        raise invalid("the root '.' is not a target here", field, "invalid-content")
    if not text or ".." in text or len(raw) > 1000:
        raise invalid(f"'{shown(raw)}' is not a valid host name", field, "invalid-content")
    try:
        labels = [_label(p, field, host=host) for p in text.split(".")]
    except ValidationFailed as err:
        raise invalid(err.message, field, "invalid-content") from None
    if labels[-1].isdigit():
        raise invalid(
            f"'{shown(raw)}': a host name is needed here, not an address", field, "invalid-content"
        )
    if len(labels) < 2:
        raise invalid(
            f"'{shown(raw)}': write the full name, such as mail.example.com",
            field,
            "invalid-content",
        )
    try:
        return _join(labels, raw, field)
    except ValidationFailed as err:
        raise invalid(err.message, field, "invalid-content") from None


# --- content ------------------------------------------------------------------------------------


def ttl(value: int | None, default: int = DEFAULT_TTL, field: str = "ttl") -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not TTL_MIN <= value <= TTL_MAX:
        raise invalid(f"a TTL is {TTL_MIN} to {TTL_MAX} seconds (a week)", field, "invalid-ttl")
    return value


def rdtype(raw: str, field: str = "type", allowed: tuple[str, ...] = TYPES) -> str:
    kind = raw.upper() if raw.isascii() else raw
    if kind not in allowed:
        raise invalid(
            f"'{shown(raw)}' is not a record type the panel writes ({', '.join(allowed)})",
            field,
            "unsupported-type",
        )
    return kind


def _outside_quotes(text: str) -> str:
    """The characters of master-file text that are not inside a quoted string."""
    out: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif not quoted:
            out.append(char)
    return "".join(out)


def _parse(kind: str, text: str, field: str) -> dns.rdata.Rdata:
    # The master-file syntax would take what follows a ';' as a comment and parentheses as
    # line continuation: in one record's data they are never meant, so they are refused.
    if any(c in _outside_quotes(text) for c in ";()") or any(c in text for c in "\r\n\x00"):
        raise invalid(
            f"'{shown(text)}': ';', parentheses and line breaks have no place in {kind} data",
            field,
            "invalid-content",
        )
    try:
        return dns.rdata.from_text(
            _IN, dns.rdatatype.from_text(kind), text, origin=dns.name.root, relativize=False
        )
    except (dns.exception.DNSException, ValueError, UnicodeError) as err:
        raise invalid(
            f"'{shown(text)}' is not valid {kind} data: {err}", field, "invalid-content"
        ) from None


def _txt(raw: str, field: str) -> str:
    """TXT data: quoted strings (master-file syntax), or plain text to split in 255 bytes."""
    if raw.startswith('"'):
        parsed = _parse("TXT", raw, field)
        assert isinstance(parsed, dns.rdtypes.ANY.TXT.TXT)
        chunks = list(parsed.strings)
    else:
        if '"' in raw or "\\" in raw:
            raise invalid(
                "plain TXT text may not hold quotes or backslashes; give the value as "
                'quoted strings instead, such as "say \\"hi\\""',
                field,
                "invalid-txt",
            )
        data = raw.encode("utf-8")
        chunks = [data[i : i + 255] for i in range(0, len(data), 255)] or [b""]
    joined = b"".join(chunks)
    # C0, DEL and (in UTF-8 text) C1: none of them belongs in a record anyone reads.
    text = joined.decode("utf-8", "replace")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise invalid(
            "TXT data may not hold control characters (line breaks, tabs, NUL)",
            field,
            "invalid-txt",
        )
    if len(joined) > TXT_MAX:
        raise invalid(f"TXT data is limited to {TXT_MAX} bytes", field, "invalid-txt")
    record = dns.rdtypes.ANY.TXT.TXT(_IN, dns.rdatatype.TXT, chunks)
    return record.to_text()


def _caa(raw: str, field: str) -> str:
    parsed = _parse("CAA", raw, field)
    tag = parsed.tag.decode("ascii", "replace").lower()  # type: ignore[attr-defined]
    value: bytes = parsed.value  # type: ignore[attr-defined]
    if tag not in CAA_TAGS:
        raise invalid(
            f"CAA tag '{shown(tag)}' is none of {', '.join(sorted(CAA_TAGS))}",
            field,
            "invalid-content",
        )
    if any(b < 0x20 or b >= 0x7F for b in value):
        raise invalid("CAA values are printable ASCII", field, "invalid-content")
    text = value.decode("ascii")
    if tag == "iodef" and not text.startswith(("mailto:", "https://", "http://")):
        raise invalid("a CAA iodef value is a mailto: or https: URL", field, "invalid-content")
    if tag in ("issue", "issuewild"):
        issuer = text.split(";", 1)[0].strip()
        if issuer:
            target(issuer, field, host=True)
    flags: int = parsed.flags  # type: ignore[attr-defined]
    if flags not in (0, 128):
        raise invalid("CAA flags are 0, or 128 (critical)", field, "invalid-content")
    # dnspython writes the value back escaped: a '"' or '\\' in it stays inside the quotes.
    return parsed.replace(tag=tag.encode()).to_text()


def content(kind: str, raw: str, field: str = "content") -> tuple[str, int]:
    """PowerDNS's content (and prio) for data ``raw`` of type ``kind``."""
    if len(raw) > CONTENT_MAX:
        raise invalid(f"content is limited to {CONTENT_MAX} characters", field, "invalid-content")
    if kind != "TXT" and (not raw.isprintable() or raw != raw.strip() or not raw):
        raise invalid(f"'{shown(raw)}' is not valid {kind} data", field, "invalid-content")
    if kind == "TXT":
        return _txt(raw, field), 0
    if kind == "CAA":
        return _caa(raw, field), 0
    parsed = _parse(kind, raw, field)
    if kind in ("A", "AAAA"):
        return parsed.to_text(), 0
    if kind in ("CNAME", "NS", "PTR", "ALIAS"):
        name = parsed.target.to_text().rstrip(".")  # type: ignore[attr-defined]
        # NS and ALIAS targets are hosts whose addresses are looked up: no '_' labels.
        return target(name or ".", field, host=kind in ("NS", "ALIAS")), 0
    if kind == "MX":
        exchange = parsed.exchange.to_text()  # type: ignore[attr-defined]
        preference: int = parsed.preference  # type: ignore[attr-defined]
        host = target(exchange, field, allow_root=True)
        if host == "." and preference != 0:
            raise invalid("a null MX ('.') has preference 0", field, "invalid-content")
        return host, preference
    if kind == "SRV":
        host = target(parsed.target.to_text(), field, allow_root=True)  # type: ignore[attr-defined]
        weight: int = parsed.weight  # type: ignore[attr-defined]
        port: int = parsed.port  # type: ignore[attr-defined]
        return f"{weight} {port} {host}", parsed.priority  # type: ignore[attr-defined]
    raise invalid(f"'{kind}' is not supported", "type", "unsupported-type")


def build(
    zone: str,
    name: str,
    kind: str,
    data: str,
    ttl_value: int | None,
    *,
    default_ttl: int = DEFAULT_TTL,
) -> Record:
    """A record as typed by a user: every field checked, each refusal naming its field."""
    owner_name = owner(name, zone)
    record_type = rdtype(kind)
    text, prio = content(record_type, data)
    record = Record(owner_name, record_type, text, ttl(ttl_value, default_ttl), prio)
    check_record(zone, record)
    return record


def check_record(zone: str, record: Record) -> None:
    """The rules of one record by itself (the zone's rules are in ``check_zone``)."""
    wildcard = record.name.startswith("*.")
    if record.name == zone and record.type == "CNAME":
        raise invalid(
            "the zone's apex cannot be a CNAME (it has the SOA and NS records)",
            "type",
            "cname-conflict",
        )
    if wildcard and record.type == "NS":
        raise invalid("a wildcard cannot be delegated (NS)", "name", "invalid-wildcard")
    if wildcard and record.type == "ALIAS":
        # PowerDNS 4.7 answers a name that such a record covers with no address (verified).
        raise invalid("an ALIAS cannot be a wildcard", "name", "invalid-wildcard")
    if record.type == "ALIAS" and record.content == record.name:
        # PowerDNS would ask its resolver, which asks this server: a loop, SERVFAIL at best.
        raise invalid("an ALIAS cannot point to its own name", "content", "alias-loop")
    if record.type == "SRV" and not re.match(r"^_[a-z0-9-]+\._(tcp|udp|tls|sctp)\.", record.name):
        raise invalid(
            "an SRV record's name is _service._proto, such as _sip._tcp",
            "name",
            "invalid-name",
        )


# --- reading PowerDNS's rows ----------------------------------------------------------------------


def rdata(record: Record) -> dns.rdata.Rdata:
    """The dnspython form of a stored record (names without dots are absolute)."""
    return dns.rdata.from_text(
        _IN,
        dns.rdatatype.from_text(record.type),
        record.data,
        origin=dns.name.root,
        relativize=False,
    )


def data_text(data: dns.rdata.Rdata) -> str:
    """Master-file text of parsed data, every name absolute (for ``content``)."""
    return data.to_text(origin=None, relativize=False)
