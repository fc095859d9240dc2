"""Sites' keys in panel.toml."""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from pydantic import Field

from supercp.protocol.web import PHP_VERSION_PATTERN
from supercp.web.modules import ModuleConfig

DEFAULT_PHP = "SUPERCP_DEFAULT_PHP"


class SitesConfig(ModuleConfig):
    """What differs between machines for web sites."""

    # The PHP version a new site gets when none is asked for; unset or not installed: the
    # newest installed one.
    default_php: Annotated[str, Field(pattern=PHP_VERSION_PATTERN)] | None = None

    def django_settings(self) -> dict[str, object]:
        return {DEFAULT_PHP: self.default_php}


def default_php() -> str | None:
    """panel.toml's default_php (or the tests'); None: the newest installed."""
    value: str | None = getattr(settings, DEFAULT_PHP)
    return value
