from django.db import migrations

# How many published incidents each day has, kept by the database whatever writes the incidents
# (statement-level, so a bulk import updates each day once). A script asking ACLED's read API for
# page N of every published incident finds where the page starts from these few thousand rows
# instead of reading the sort keys of every incident before it.
PUBLISHED_DAYS = """
CREATE TABLE incidents_published_day (
    day date PRIMARY KEY,
    incidents integer NOT NULL CHECK (incidents >= 0)
);

INSERT INTO incidents_published_day (day, incidents)
SELECT start_date, count(*) FROM incidents_incident WHERE status = 'published' GROUP BY start_date;

CREATE FUNCTION incidents_count_published_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The days already counted change by their difference; a day counted for the first time
    -- (always by a positive number) is added.
    WITH changes AS (
        SELECT day, sum(delta) AS delta FROM (
            SELECT start_date AS day, -1 AS delta FROM old_incidents WHERE status = 'published'
            UNION ALL
            SELECT start_date, 1 FROM new_incidents WHERE status = 'published'
        ) AS moves
        GROUP BY day HAVING sum(delta) <> 0
    ), counted AS (
        UPDATE incidents_published_day AS days SET incidents = days.incidents + changes.delta
        FROM changes WHERE days.day = changes.day
        RETURNING days.day
    )
    INSERT INTO incidents_published_day AS days (day, incidents)
    SELECT day, delta FROM changes WHERE day NOT IN (SELECT day FROM counted)
    ON CONFLICT (day) DO UPDATE SET incidents = days.incidents + EXCLUDED.incidents;
    RETURN NULL;
END $$;

CREATE FUNCTION incidents_count_published_days_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incidents_published_day AS counted (day, incidents)
    SELECT start_date, count(*) FROM new_incidents WHERE status = 'published' GROUP BY start_date
    ON CONFLICT (day) DO UPDATE SET incidents = counted.incidents + EXCLUDED.incidents;
    RETURN NULL;
END $$;

CREATE FUNCTION incidents_count_published_days_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incidents_published_day AS counted SET incidents = counted.incidents - gone.incidents
    FROM (SELECT start_date, count(*) AS incidents FROM old_incidents WHERE status = 'published' GROUP BY start_date)
        AS gone
    WHERE counted.day = gone.start_date;
    RETURN NULL;
END $$;

CREATE FUNCTION incidents_count_published_days_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM incidents_published_day;
    RETURN NULL;
END $$;

CREATE TRIGGER incidents_truncated_count_published_days AFTER TRUNCATE ON incidents_incident
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_count_published_days_truncated();
CREATE TRIGGER incidents_inserted_count_published_days AFTER INSERT ON incidents_incident
    REFERENCING NEW TABLE AS new_incidents
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_count_published_days_inserted();
CREATE TRIGGER incidents_deleted_count_published_days AFTER DELETE ON incidents_incident
    REFERENCING OLD TABLE AS old_incidents
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_count_published_days_deleted();
CREATE TRIGGER incidents_updated_count_published_days AFTER UPDATE ON incidents_incident
    REFERENCING OLD TABLE AS old_incidents NEW TABLE AS new_incidents
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_count_published_days();
"""

DROP_PUBLISHED_DAYS = """
DROP TRIGGER incidents_truncated_count_published_days ON incidents_incident;
DROP TRIGGER incidents_inserted_count_published_days ON incidents_incident;
DROP TRIGGER incidents_deleted_count_published_days ON incidents_incident;
DROP TRIGGER incidents_updated_count_published_days ON incidents_incident;
DROP FUNCTION incidents_count_published_days();
DROP FUNCTION incidents_count_published_days_inserted();
DROP FUNCTION incidents_count_published_days_deleted();
DROP FUNCTION incidents_count_published_days_truncated();
DROP TABLE incidents_published_day;
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0023_incident_translations")]

    operations = [migrations.RunSQL(PUBLISHED_DAYS, DROP_PUBLISHED_DAYS)]
