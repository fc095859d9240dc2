"""A web site as the panel knows it; its server block and PHP pool are the daemon's."""

from __future__ import annotations

from django.db import models

from supercp.protocol import web as rpc
from supercp.web.accounts.models import HostingAccount


class State(models.TextChoices):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Site(models.Model):
    """One site of a hosting account: its names, PHP version, document root and limits."""

    account = models.ForeignKey(HostingAccount, on_delete=models.PROTECT, related_name="sites")
    # The primary name, in A-label form; also a SiteHost row, which keeps it unique server-wide.
    domain = models.CharField(max_length=rpc.HOSTNAME_MAX, unique=True)
    # The domain for people (Unicode where it has punycode labels), kept for searching.
    display_domain = models.CharField(max_length=rpc.HOSTNAME_MAX, default="")
    # True: the aliases answer with a permanent redirect to the domain.
    redirect_aliases = models.BooleanField(default=False)
    # None: a static site without a PHP-FPM pool.
    php = models.CharField(max_length=8, null=True, blank=True)
    # Relative to the account's home; None: the daemon's default (sites/DOMAIN/public).
    docroot = models.CharField(max_length=255, null=True, blank=True)
    # The absolute document root as the daemon reported it at the last apply.
    document_root = models.CharField(max_length=4096, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    max_children = models.PositiveSmallIntegerField(default=5)
    memory_limit_mb = models.PositiveIntegerField(default=256)
    max_execution_time = models.PositiveIntegerField(default=30)
    upload_max_mb = models.PositiveIntegerField(default=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("domain",)

    def __str__(self) -> str:
        return self.domain

    @property
    def limits(self) -> rpc.PhpLimits:
        return rpc.PhpLimits(
            max_children=self.max_children,
            memory_limit_mb=self.memory_limit_mb,
            max_execution_time=self.max_execution_time,
            upload_max_mb=self.upload_max_mb,
        )

    def set_limits(self, limits: rpc.PhpLimits) -> None:
        self.max_children = limits.max_children
        self.memory_limit_mb = limits.memory_limit_mb
        self.max_execution_time = limits.max_execution_time
        self.upload_max_mb = limits.upload_max_mb


class SiteHost(models.Model):
    """A name a site answers to (its domain or an alias); each name exists once on the server."""

    # Unique across primaries and aliases alike: this index is what makes a name the server's once.
    name = models.CharField(max_length=rpc.HOSTNAME_MAX, unique=True)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="hosts")
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ("-is_primary", "name")

    def __str__(self) -> str:
        return self.name
