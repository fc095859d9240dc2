from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Hosting accounts."""

    name = "supercp.web.accounts"
    label = "accounts"
