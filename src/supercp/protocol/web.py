"""Namespace ``web``: web sites, each an nginx server block plus (for PHP) its own FPM pool.

The caller names a site by its domain and says what it wants (account, aliases, PHP version,
document root relative to the account's home, limits, suspension). The daemon derives every
path from these validated fields and renders every file from its own templates.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from supercp.protocol.models import NoParams, Result, Spec, Strict
from supercp.protocol.names import AccountName

# A host name in its ASCII (A-label) form: lower case, dot-separated labels of 1-63 letters,
# digits and inner hyphens, at least two labels, the last one starting with a letter. The
# panel and CLI turn Unicode names into this form (IDNA 2008) before anything else sees them.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME_PATTERN = rf"^(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?$"
HOSTNAME_MAX = 253
Hostname = Annotated[
    str, StringConstraints(pattern=HOSTNAME_PATTERN, min_length=3, max_length=HOSTNAME_MAX)
]

# "8.2", "7.4": the daemon further checks that this version's PHP-FPM is installed.
PHP_VERSION_PATTERN = r"^[5-9]\.[0-9]{1,2}$"
PhpVersion = Annotated[str, StringConstraints(pattern=PHP_VERSION_PATTERN)]

# A document root relative to the account's home: up to 8 segments of letters, digits, dot,
# underscore and hyphen, each starting with a letter or digit (so no "..", no hidden names,
# no absolute paths, no empty segments).
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
DOCROOT_PATTERN = rf"^{_SEGMENT}(?:/{_SEGMENT}){{0,7}}$"
DocRoot = Annotated[str, StringConstraints(pattern=DOCROOT_PATTERN, max_length=255)]

MAX_ALIASES = 50
LogKind = Literal["access", "error"]


def default_docroot(domain: str) -> str:
    """Where a site's files live when the caller does not say: ``sites/DOMAIN/public``."""
    return f"sites/{domain}/public"


class PhpLimits(Strict):
    """Per-site PHP-FPM limits (ondemand pool)."""

    max_children: int = Field(default=5, ge=1, le=64)
    memory_limit_mb: int = Field(default=256, ge=16, le=4096)
    max_execution_time: int = Field(default=30, ge=1, le=3600)
    upload_max_mb: int = Field(default=64, ge=1, le=4096)


class SiteSpec(Strict):
    """Desired state of one site; ``web.site.apply`` converges the system to it."""

    domain: Hostname
    account: AccountName
    # Other names the site answers to (the ``www.`` form is one like any other).
    aliases: list[Hostname] = Field(default_factory=list, max_length=MAX_ALIASES)
    # True: aliases answer with a permanent redirect to the domain; False: they serve the site.
    redirect_aliases: bool = False
    # None: a static site, no PHP-FPM pool.
    php: PhpVersion | None = None
    # Relative to the account's home; None means ``default_docroot(domain)``.
    docroot: DocRoot | None = None
    # A suspended site answers every request with the suspension page and runs no PHP.
    suspended: bool = False
    limits: PhpLimits = Field(default_factory=PhpLimits)


class Site(Result):
    """A site as the daemon applied it, with the absolute paths it derived."""

    domain: str
    account: str
    aliases: list[str]
    redirect_aliases: bool
    php: str | None
    docroot: str  # absolute
    suspended: bool
    limits: PhpLimits


class ApplyResult(Result):
    """The site after the call; ``changed`` is false when nothing had to be rewritten."""

    site: Site
    changed: bool


class ApplyManyParams(Strict):
    """Many sites at once (rebuild): validated and reloaded together, answered per site."""

    sites: list[SiteSpec] = Field(min_length=1, max_length=1000)


class ItemError(Result):
    """Why one site of a batch failed: the error object's code, message and field."""

    code: str
    message: str
    field: str | None = None


class ApplyItem(Result):
    """One site's outcome in a batch: ``site`` when it applied, ``error`` when it did not."""

    domain: str
    site: Site | None = None
    changed: bool = False
    error: ItemError | None = None


class ApplyManyResult(Result):
    """Outcomes in the order of the request."""

    results: list[ApplyItem]


class DomainParams(Strict):
    """One site, by its primary domain."""

    domain: Hostname


class RemoveParams(Strict):
    """The site to remove; its files under the account's home stay unless asked."""

    domain: Hostname
    remove_files: bool = False


class RemoveResult(Result):
    """``removed`` is false when the daemon had no such site."""

    domain: str
    removed: bool


class SiteList(Result):
    """Every site the daemon has applied, by domain."""

    sites: list[Site]


class LogParams(Strict):
    """The last lines of a site's access or error log."""

    domain: Hostname
    kind: LogKind = "access"
    lines: int = Field(default=100, ge=1, le=1000)


class LogTail(Result):
    """Oldest line first; empty when the log does not exist yet."""

    domain: str
    kind: LogKind
    lines: list[str]


class PhpVersions(Result):
    """The PHP-FPM versions installed on this server, newest first."""

    versions: list[str]
    default: str | None


SITE_APPLY: Spec[SiteSpec, ApplyResult] = Spec(
    "web.site.apply",
    SiteSpec,
    ApplyResult,
    "Create or converge a site: directories, PHP-FPM pool, nginx server block.",
)
SITE_APPLY_MANY: Spec[ApplyManyParams, ApplyManyResult] = Spec(
    "web.site.apply_many",
    ApplyManyParams,
    ApplyManyResult,
    "Apply many sites with one validation and one reload per service.",
)
SITE_REMOVE: Spec[RemoveParams, RemoveResult] = Spec(
    "web.site.remove", RemoveParams, RemoveResult, "Remove a site's pool and server block."
)
SITE_SUSPEND: Spec[DomainParams, ApplyResult] = Spec(
    "web.site.suspend", DomainParams, ApplyResult, "Serve the suspension page; stop its PHP."
)
SITE_UNSUSPEND: Spec[DomainParams, ApplyResult] = Spec(
    "web.site.unsuspend", DomainParams, ApplyResult, "Serve a suspended site again."
)
SITE_LIST: Spec[NoParams, SiteList] = Spec(
    "web.site.list", NoParams, SiteList, "List the sites the daemon has applied."
)
SITE_LOGS: Spec[LogParams, LogTail] = Spec(
    "web.site.logs", LogParams, LogTail, "The tail of a site's access or error log."
)
PHP_VERSIONS: Spec[NoParams, PhpVersions] = Spec(
    "web.php.versions", NoParams, PhpVersions, "The installed PHP-FPM versions."
)
