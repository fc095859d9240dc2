"""A hosting account as the panel knows it; the Linux user itself is the daemon's."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from supercp.protocol.names import ACCOUNT_NAME_PATTERN
from supercp.web.core.models import User

# The protocol's pattern uses `$` as end of text (pydantic's regex); Python's `$` would also
# accept a trailing newline, so anchor with \A and \Z here.
NAME_REGEX = r"\A" + ACCOUNT_NAME_PATTERN.removeprefix("^").removesuffix("$") + r"\Z"


class State(models.TextChoices):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class HostingAccount(models.Model):
    """A customer's hosting account: their login and their Linux user share its name."""

    name = models.CharField(
        max_length=32,
        unique=True,
        validators=[RegexValidator(NAME_REGEX, "not a valid account name", "invalid-name")],
    )
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="hosting_account")
    # The reseller who owns the account; null when the admins manage it directly.
    reseller = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reseller_accounts",
    )
    # Indexed for the dashboard's count of suspended accounts, which otherwise read every row.
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.ACTIVE, db_index=True
    )
    # Its limits (plans/). PROTECT: a plan in use is never deleted under its accounts.
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="accounts")
    # Desired state sent with every accounts.ensure, so suspending keeps the shell as it is.
    login_shell = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class AccountTotal(models.Model):
    """How many hosting accounts there are: the admins' list total, without a COUNT(*).

    One row (id 1), written only by the MariaDB triggers of migration 0002 on every INSERT and
    DELETE of a HostingAccount, in the transaction of that change: exact whatever wrote the
    rows (services, bulk_create, SQL), and rolled back with them.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    count = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.count)
