"""The table of the shared cache (rate limits, cached national figures).

Django creates a database cache's table with `createcachetable`, a command nobody runs:
doing it here means `migrate` makes it, so `make run`, every deployment and every test
database have it, on SQLite and PostgreSQL. The name is fixed (maillage.core.cache.TABLE)
and does not depend on CACHES, so switching to Redis and back never leaves it missing.
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "maillage_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_accounts"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table, elidable=False),
    ]
