from __future__ import annotations

from django.apps import AppConfig


class PlansConfig(AppConfig):
    """Hosting plans: the limits of each account, and of each reseller's accounts together."""

    name = "supercp.web.plans"
    label = "plans"
