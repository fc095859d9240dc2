from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs: long operations run by the worker, with progress the pages show."""

    name = "supercp.web.jobs"
    label = "jobs"
