"""The table of the database cache (archive.settings: production without REDIS_URL).

The same table ``manage.py createcachetable`` would create for the cache location
``archive_cache``, created here so that a fresh ``migrate`` is enough; IF NOT EXISTS
leaves a table created by that command alone.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0012_history_insert_pause"),
    ]

    operations = [
        migrations.RunSQL(
            sql=[
                """
                CREATE TABLE IF NOT EXISTS "archive_cache" (
                    "cache_key" varchar(255) NOT NULL PRIMARY KEY,
                    "value" text NOT NULL,
                    "expires" timestamp with time zone NOT NULL
                )
                """,
                'CREATE INDEX IF NOT EXISTS "archive_cache_expires" ON "archive_cache" ("expires")',
            ],
            reverse_sql=['DROP TABLE IF EXISTS "archive_cache"'],
        ),
    ]
