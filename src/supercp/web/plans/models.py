"""A hosting plan: the limits an account gets, or the totals a reseller's accounts share."""

from __future__ import annotations

from django.db import models

from supercp.web.core.models import User

# The counted limits, as Plan's field names: what each module's objects count against.
# None on a plan means unlimited.
COUNTED = (
    "sites",
    "aliases",
    "dns_zones",
    "databases",
    "database_users",
    "mail_domains",
    "mailboxes",
    "mail_aliases",
    "ftp_users",
)
# Limits that are not counts of objects (also None for unlimited).
SIZES = ("disk_mb", "bandwidth_gb", "mailbox_quota_default_mb", "mailbox_quota_max_mb")


class Plan(models.Model):
    """Limits by name; ``owner`` is the reseller who made it, None for the server's plans."""

    name = models.CharField(max_length=64)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="plans"
    )
    # A new account without a plan named gets the server's default plan.
    is_default = models.BooleanField(default=False)
    disk_mb = models.PositiveIntegerField(null=True, blank=True)
    bandwidth_gb = models.PositiveIntegerField(null=True, blank=True)
    sites = models.PositiveIntegerField(null=True, blank=True)
    aliases = models.PositiveIntegerField(null=True, blank=True)
    dns_zones = models.PositiveIntegerField(null=True, blank=True)
    databases = models.PositiveIntegerField(null=True, blank=True)
    database_users = models.PositiveIntegerField(null=True, blank=True)
    mail_domains = models.PositiveIntegerField(null=True, blank=True)
    mailboxes = models.PositiveIntegerField(null=True, blank=True)
    mailbox_quota_default_mb = models.PositiveIntegerField(null=True, blank=True)
    mailbox_quota_max_mb = models.PositiveIntegerField(null=True, blank=True)
    mail_aliases = models.PositiveIntegerField(null=True, blank=True)
    ftp_users = models.PositiveIntegerField(null=True, blank=True)
    # PHP versions its sites may use; empty: every installed one.
    php_versions = models.JSONField(default=list, blank=True)
    # The most PHP-FPM limits (rpc.PhpLimits) a site may have; a new site gets the usual
    # ones, lowered to these.
    php_max_children = models.PositiveSmallIntegerField(default=5)
    php_memory_limit_mb = models.PositiveIntegerField(default=256)
    php_max_execution_time = models.PositiveIntegerField(default=30)
    php_upload_max_mb = models.PositiveIntegerField(default=64)
    # A login shell (and with it SFTP) for the account's Linux user.
    shell_access = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)
        constraints = (
            # One plan of a name per owner; the server's plans (owner NULL) are kept apart by
            # the service, since a UNIQUE index lets NULLs repeat.
            models.UniqueConstraint(fields=("owner", "name"), name="plans_plan_owner_name"),
        )

    def __str__(self) -> str:
        return self.name


class ResellerPlan(models.Model):
    """The totals an admin gave a reseller: a server plan whose limits all the reseller's
    accounts share, and which none of the reseller's own plans may exceed."""

    reseller = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reseller_plan")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="resellers")

    def __str__(self) -> str:
        return f"{self.reseller.username}: {self.plan.name}"
