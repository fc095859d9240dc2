"""Panel users with roles, the append-only audit log, and hashed API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models

from supercp.protocol.errors import Forbidden


class Role(models.TextChoices):
    ADMIN = "admin"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class User(AbstractUser):
    """A panel login: an admin, a reseller, or the customer of one hosting account."""

    # Indexed for the dashboard's count of resellers among every customer's login.
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.CUSTOMER, db_index=True
    )
    # The reseller who owns this customer; null for admins, resellers and the admin's own
    # customers.
    reseller = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        limit_choices_to={"role": Role.RESELLER},
    )
    # Hosting accounts a reseller may own; null means no limit.
    max_accounts = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
            # Only customers belong to a reseller.
            models.CheckConstraint(
                condition=models.Q(reseller__isnull=True) | models.Q(role=Role.CUSTOMER),
                name="user_reseller_only_for_customers",
            ),
        ]


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    """Audit rows are never rewritten or removed by the panel."""

    def update(self, **kwargs: Any) -> int:
        raise Forbidden("the audit log is append-only", code="audit-append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise Forbidden("the audit log is append-only", code="audit-append-only")


class AuditEvent(models.Model):
    """One thing someone did (or tried) in the panel; append-only."""

    time = models.DateTimeField(auto_now_add=True, db_index=True)
    # Null for the CLI (root) and after the acting user was deleted; actor_name keeps who.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("-time", "-id")
        # The sign-in throttle counts recent failures per account name and per address.
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["target", "time"], name="audit_target_time"),
            models.Index(fields=["ip", "time"], name="audit_ip_time"),
        ]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise Forbidden("the audit log is append-only", code="audit-append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise Forbidden("the audit log is append-only", code="audit-append-only")


class ApiToken(models.Model):
    """A bearer token for the REST API; only the SHA-256 of its secret is stored."""

    # The part of the token before its secret, used to find the row (not secret itself).
    public_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name} ({self.public_id})"
