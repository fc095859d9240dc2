# Every account gets a plan: the accounts made before plans existed go on the server's
# default plan (unlimited, as they were), made here if there is none.

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def onto_the_default_plan(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Plan = apps.get_model("plans", "Plan")
    HostingAccount = apps.get_model("accounts", "HostingAccount")
    plan = Plan.objects.filter(is_default=True).first()
    if plan is None:
        # As much as the daemon takes (protocol/web.py's PhpLimits), as before plans.
        plan = Plan.objects.create(
            name="Unlimited",
            is_default=True,
            shell_access=True,
            php_max_children=64,
            php_memory_limit_mb=4096,
            php_max_execution_time=3600,
            php_upload_max_mb=4096,
        )
    HostingAccount.objects.filter(plan__isnull=True).update(plan=plan)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_dashboard_count_indexes"),
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="hostingaccount",
            name="plan",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accounts",
                to="plans.plan",
            ),
        ),
        migrations.RunPython(onto_the_default_plan, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="hostingaccount",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="accounts",
                to="plans.plan",
            ),
        ),
    ]
