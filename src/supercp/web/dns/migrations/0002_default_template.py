"""The default zone template (templates.DEFAULT_RECORDS as of this migration)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

RECORDS = [
    {"name": "@", "type": "NS", "content": "{ns}", "ttl": None},
    {"name": "@", "type": "A", "content": "{ipv4}", "ttl": None},
    {"name": "@", "type": "AAAA", "content": "{ipv6}", "ttl": None},
    {"name": "www", "type": "A", "content": "{ipv4}", "ttl": None},
    {"name": "www", "type": "AAAA", "content": "{ipv6}", "ttl": None},
    {"name": "mail", "type": "A", "content": "{ipv4}", "ttl": None},
    {"name": "mail", "type": "AAAA", "content": "{ipv6}", "ttl": None},
    {"name": "@", "type": "MX", "content": "10 mail.{zone}", "ttl": None},
    {"name": "@", "type": "TXT", "content": "v=spf1 mx a -all", "ttl": None},
    {"name": "_dmarc", "type": "TXT", "content": "v=DMARC1; p=none", "ttl": None},
]


def create(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    template = apps.get_model("dns", "ZoneTemplate")
    template.objects.get_or_create(
        name="default",
        defaults={
            "description": "Web and mail on this server: NS, A/AAAA for the apex, www and "
            "mail, MX, SPF and DMARC",
            "records": RECORDS,
            "is_default": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("dns", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
