"""The role public requests read as (incidents.readmodel): it may read the read model's schema
and nothing else. The schema itself is derived from the editorial tables and is made after
every migration, not by one."""

from django.db import migrations

CREATE_ROLE = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'archive_reader') THEN
    CREATE ROLE archive_reader NOLOGIN;
  END IF;
END $$;
GRANT archive_reader TO CURRENT_USER;
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0025_estimate_method_label")]

    operations = [migrations.RunSQL(CREATE_ROLE, migrations.RunSQL.noop)]
