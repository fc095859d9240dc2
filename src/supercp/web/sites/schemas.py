"""What the sites API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from supercp.protocol import web as rpc
from supercp.protocol.names import ACCOUNT_NAME_PATTERN
from supercp.web.core.schemas import StrictIn
from supercp.web.sites import names, services
from supercp.web.sites.models import Site

# What a caller sends as a name: Unicode is welcome (it is stored in A-label form), so the
# schema states only the length; services.py refuses anything that is not a host name.
HostIn = Annotated[
    str,
    Field(
        min_length=1,
        max_length=rpc.HOSTNAME_MAX,
        description="A host name, Unicode (IDN) or ASCII; stored in A-label (punycode) form.",
    ),
]
PhpIn = Annotated[
    str | None,
    Field(pattern=rpc.PHP_VERSION_PATTERN, description="An installed PHP version; null: static."),
]
NewPhpIn = Annotated[
    str | None,
    Field(
        pattern=rpc.PHP_VERSION_PATTERN,
        description="An installed PHP version; null: a static site (no PHP). Left out: the "
        "server's default version (the `default` of GET /api/v1/sites/php-versions).",
    ),
]
DocrootIn = Annotated[
    str | None,
    Field(
        pattern=rpc.DOCROOT_PATTERN,
        max_length=255,
        description="Relative to the account's home; null: sites/DOMAIN/public.",
    ),
]
AliasesIn = Annotated[list[HostIn], Field(max_length=rpc.MAX_ALIASES)]


class SiteIn(StrictIn):
    domain: HostIn
    # Required for admins and resellers; a customer's site goes into their own account.
    account: Annotated[str, Field(pattern=ACCOUNT_NAME_PATTERN)] | None = None
    aliases: AliasesIn = Field(default_factory=list)
    # Also answer to www.DOMAIN (added to the aliases).
    www: bool = False
    redirect_aliases: bool = False
    # Left out: the server's default (see new_php); null: static.
    php: NewPhpIn = None
    docroot: DocrootIn = None
    # Admins and resellers only; the defaults otherwise.
    limits: rpc.PhpLimits | None = None
    # Also create the domain's DNS zone from the default template (unless a zone covers it).
    create_zone: bool = False

    def new_php(self) -> str | services.Default | None:
        """The PHP version asked for: null is a static site, a body without php the default."""
        return self.php if "php" in self.model_fields_set else services.DEFAULT_PHP


class SitePatch(StrictIn):
    """Only the fields sent change (``php: null`` makes the site static)."""

    aliases: AliasesIn = Field(default_factory=list)
    redirect_aliases: bool = False
    php: PhpIn = None
    docroot: DocrootIn = None
    limits: rpc.PhpLimits = Field(default_factory=rpc.PhpLimits)


class SiteOut(Schema):
    domain: Annotated[str, Field(pattern=rpc.HOSTNAME_PATTERN)]
    # The domain for people: Unicode where it has punycode labels.
    display_domain: str
    aliases: list[str]
    # The aliases for people, in the order of aliases: a client that shows an alias's Unicode
    # form can show its A-label beside it, so look-alike names never look the same.
    display_aliases: list[str]
    redirect_aliases: bool
    account: str
    php: str | None
    # As set: relative to the account's home, null for the default.
    docroot: str | None
    # Absolute, as the daemon made it.
    document_root: str
    state: Literal["active", "suspended"]
    # True when the site answers with the suspension page: it or its account is suspended.
    suspended: bool
    limits: rpc.PhpLimits
    created_at: datetime

    @staticmethod
    def of(site: Site) -> SiteOut:
        aliases = services.aliases_of(site)
        return SiteOut(
            domain=site.domain,
            display_domain=site.display_domain or site.domain,
            aliases=aliases,
            display_aliases=[names.unicode_name(a) for a in aliases],
            redirect_aliases=site.redirect_aliases,
            account=site.account.name,
            php=site.php,
            docroot=site.docroot,
            document_root=site.document_root,
            state="suspended" if site.state == "suspended" else "active",
            suspended=services.is_served_suspended(site),
            limits=site.limits,
            created_at=site.created_at,
        )


class SitePage(Schema):
    items: list[SiteOut]
    total: int
    page: int
    per_page: int


class PhpVersionsOut(Schema):
    # Newest first.
    versions: list[str]
    # What a new site gets when its body has no php: panel.toml's default_php if installed,
    # else the newest; null when no PHP is installed (new sites are then static).
    default: str | None


class LogOut(Schema):
    domain: str
    kind: Literal["access", "error"]
    lines: list[str]
