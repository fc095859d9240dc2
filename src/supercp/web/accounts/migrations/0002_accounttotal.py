"""AccountTotal and the triggers that keep it; see models.AccountTotal.

Triggers rather than code in services.py, so that every way of writing accounts keeps the
total (bulk_create in the benchmark's seeding, the tests' fixtures, a DBA's SQL). Creating a
trigger needs the TRIGGER privilege, part of the panel's ALL on its database.
"""

from django.db import migrations, models

FORWARD = (
    """CREATE TRIGGER accounts_total_insert AFTER INSERT ON accounts_hostingaccount
    FOR EACH ROW INSERT INTO accounts_accounttotal (id, count) VALUES (1, 1)
    ON DUPLICATE KEY UPDATE count = count + 1""",
    """CREATE TRIGGER accounts_total_delete AFTER DELETE ON accounts_hostingaccount
    FOR EACH ROW UPDATE accounts_accounttotal SET count = count - 1 WHERE id = 1""",
    # After the triggers, so that no account written meanwhile is missed.
    """INSERT INTO accounts_accounttotal (id, count)
    SELECT 1, COUNT(*) FROM accounts_hostingaccount
    ON DUPLICATE KEY UPDATE count = VALUES(count)""",
)
BACKWARD = (
    "DROP TRIGGER IF EXISTS accounts_total_insert",
    "DROP TRIGGER IF EXISTS accounts_total_delete",
)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="AccountTotal",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("count", models.BigIntegerField()),
            ],
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
