from __future__ import annotations

from django.apps import AppConfig


class SitesConfig(AppConfig):
    """Web sites."""

    name = "supercp.web.sites"
    label = "sites"
