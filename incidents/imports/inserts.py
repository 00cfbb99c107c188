"""The SQL that writes a checked import: INSERT ... SELECT from the engine's temporary tables.

``WRITE_SQL`` creates the actors the file introduces, finds or creates its sources, and draws
the new incidents' ids; then each ``INSERT_*`` statement writes one table, wrapped by
``with_history`` so that it also writes the history events of its rows.
"""

# ruff: noqa: E501 (SQL reads best one clause per line)
from __future__ import annotations

from django.apps import apps

from incidents.imports.matching import spelling_sql
from incidents.sql import quote_name, sql_literal

# The internal note of the confidential stand-in for a source that a file names as withheld.
WITHHELD_NOTE = "Stands in for a source whose identity the imported file withheld (named by its kind only)."

WRITE_SQL = """
WITH created AS (
INSERT INTO incidents_actor (name, slug, kind, country, description, internal_notes, version, created_at, updated_at)
SELECT n.name,
  left(coalesce(nullif(trim(BOTH '-' FROM regexp_replace(n.folded, '[^a-z0-9]+', '-', 'g')), ''), 'actor'), 180)
    || '-' || substr(md5(n.folded), 1, 8),
  n.kind, '', '', 'Created by a bulk import.', 1, now(), now()
FROM (
  SELECT DISTINCT ON (m.folded) m.name, m.folded, m.new_kind AS kind
  FROM import_mentions m
  WHERE m.folded NOT IN (SELECT folded FROM import_known_actors) AND m.new_kind IS NOT NULL
  ORDER BY m.folded, m.line
) AS n
RETURNING id, name
)
INSERT INTO import_known_actors (folded, actor_id) SELECT {actor_key}, id FROM created;

-- Each row's outlets, once: without duplicates, in the order the file gives them.
CREATE TEMP TABLE import_source_names ON COMMIT DROP AS
WITH n AS MATERIALIZED (
  SELECT r.line, btrim(u.name) AS name, min(u.position) AS position
  FROM import_resolved r, unnest(string_to_array(r.source_names, ';')) WITH ORDINALITY AS u(name, position)
  WHERE r.source_names IS NOT NULL AND btrim(u.name) <> ''
  GROUP BY r.line, btrim(u.name)
), folded AS MATERIALIZED (  -- folding costs, and a file names the same outlets over and over
  SELECT name, archive_unaccent(left(name, 200)) AS folded FROM (SELECT DISTINCT name FROM n) AS distinct_names
)
SELECT n.line, n.name, n.position, f.folded FROM n JOIN folded f ON f.name = n.name;

ANALYZE import_source_names;

CREATE TEMP TABLE import_outlets ON COMMIT DROP AS
SELECT DISTINCT ON (folded) left(name, 200) AS name, name AS label, folded, NULL::bigint AS source_id
FROM import_source_names
ORDER BY folded, name;

-- A name as the exports write a confidential source ("Local source, identity withheld") is not
-- an outlet of that name: it stands for a source of that kind that the file does not identify.
-- Such names share one confidential stand-in per kind, never one of the archive's own
-- confidential sources, whose identities a file cannot tell apart.
UPDATE import_outlets o SET source_id = s.id
FROM import_withheld w
JOIN (
  SELECT kind, min(id) AS id FROM incidents_source WHERE confidential AND internal_notes = '{withheld_note}' GROUP BY kind
) AS s ON s.kind = w.kind
WHERE w.label = lower(o.name);

WITH created AS (
  INSERT INTO incidents_source (kind, outlet, title, author, url, archived_url, language, reliability,
                                confidential, internal_notes, version, created_at, updated_at)
  SELECT DISTINCT w.kind, '', '', '', '', '', '', 'F', true, '{withheld_note}', 1, now(), now()
  FROM import_outlets o JOIN import_withheld w ON w.label = lower(o.name)
  WHERE o.source_id IS NULL
  RETURNING id, kind
)
UPDATE import_outlets o SET source_id = created.id
FROM created JOIN import_withheld w ON w.kind = created.kind
WHERE o.source_id IS NULL AND w.label = lower(o.name);

-- A name as the exports write a named source ("outlet — author — title", Source.label) is
-- that source, so that an export imports again without copies of its sources.
UPDATE import_outlets o SET source_id = s.id
FROM (
  SELECT concat_ws(' — ', nullif(outlet, ''), nullif(author, ''), nullif(title, '')) AS label, min(id) AS id
  FROM incidents_source
  WHERE NOT confidential
  GROUP BY 1
) AS s
WHERE o.source_id IS NULL AND s.label = o.label;

-- An outlet as a whole (a source with no title, author or URL), found by the checks in one pass.
UPDATE import_outlets o SET source_id = m.source_id
FROM import_outlet_matches m  -- incidents.imports.matching: by outlet name, then spelling
WHERE o.source_id IS NULL AND m.name = o.label AND m.source_id IS NOT NULL;

WITH created AS (
  INSERT INTO incidents_source (kind, outlet, title, author, url, archived_url, language, reliability,
                                confidential, internal_notes, version, created_at, updated_at)
  SELECT coalesce((SELECT new_kind FROM import_outlet_matches m WHERE m.name = o.label), 'other'), o.name, '', '', '', '',
         '', 'F', false, 'Created by an import from the outlet''s name alone.', 1, now(), now()
  FROM import_outlets o WHERE o.source_id IS NULL
  RETURNING id, outlet
)
UPDATE import_outlets o SET source_id = created.id FROM created WHERE created.outlet = o.name;

-- The new incidents' ids, drawn only now that the file will be written (a preview draws none).
CREATE TEMP TABLE import_ids ON COMMIT DROP AS
SELECT line, nextval(pg_get_serial_sequence('incidents_incident', 'id')) AS id FROM import_resolved ORDER BY line;

ANALYZE import_ids;
ANALYZE import_outlets;
"""
WRITE_SQL = WRITE_SQL.replace("'{withheld_note}'", sql_literal(WITHHELD_NOTE)).replace(
    "{actor_key}", spelling_sql("name")
)

INSERT_INCIDENT_ROWS = """
INSERT INTO incidents_incident (
  id, title, summary, start_date, end_date, date_precision, time_of_day, time_precision, country, admin1, admin2, location,
  latitude, longitude, geo_precision, event_type_id, sub_event_type_id, fatalities_low, fatalities_best,
  fatalities_high, fatalities_method, fatalities_rationale, contested, grading, tags, status, retraction_notice,
  internal_notes, import_key, created_by_id, last_edited_by_id, created_at, updated_at, version)
SELECT i.id, r.title, coalesce(r.summary, ''), r.start_v, coalesce(r.end_v, r.start_v),
  coalesce(r.date_precision_v, 'day'), r.time_v,
  -- A time given without saying how it was reported is the time itself ("at"), as in the admin.
  CASE WHEN r.time_v IS NOT NULL THEN coalesce(r.time_precision_v, 'exact') ELSE coalesce(r.time_precision_v, '') END,
  r.country_v, coalesce(r.admin1, ''), coalesce(r.admin2, ''),
  coalesce(r.location, ''), r.latitude_v, r.longitude_v, coalesce(r.geo_precision_v, 'admin1'),
  coalesce(r.event_type_id, (SELECT event_type_id FROM incidents_subeventtype WHERE id = r.sub_event_type_id)),
  r.sub_event_type_id, r.low_v, r.best_v, r.high_v,
  CASE WHEN coalesce(r.low_v, r.best_v, r.high_v) IS NOT NULL THEN 'override' ELSE '' END,
  CASE WHEN coalesce(r.low_v, r.best_v, r.high_v) IS NOT NULL
       THEN coalesce(r.fatalities_rationale, 'Estimate as given in the imported file.') ELSE '' END,
  false, coalesce(r.grading_v, 'weak'),
  coalesce((SELECT array_agg(tag ORDER BY first) FROM (
      SELECT left(trim(BOTH '-' FROM regexp_replace(lower(u.t), '[^a-z0-9_]+', '-', 'g')), 50) AS tag, min(u.n) AS first
      FROM unnest(regexp_split_to_array(r.tags, '[;,]')) WITH ORDINALITY AS u(t, n)
      GROUP BY 1) AS tags WHERE tag <> ''), '{}'),
  'draft', '', '', coalesce(r.import_key, ''), %(user)s, %(user)s, now(), now(), 1
FROM import_resolved r JOIN import_ids i ON i.line = r.line
"""

INSERT_ACTOR_LINKS = """
INSERT INTO incidents_incidentactor (incident_id, actor_id, side, role, note)
SELECT DISTINCT ON (r.id, k.actor_id, m.side) r.id, k.actor_id, m.side, m.role, ''
FROM import_mentions m
JOIN import_ids r ON r.line = m.line
JOIN import_known_actors k ON k.folded = m.folded
ORDER BY r.id, k.actor_id, m.side, m.role = 'primary' DESC
"""

INSERT_SOURCE_LINKS = """
INSERT INTO incidents_incidentsource (incident_id, source_id, note)
SELECT DISTINCT i.id, o.source_id, coalesce(left(r.source_note, 300), '')
FROM import_source_names n
JOIN import_ids i ON i.line = n.line
JOIN import_resolved r ON r.line = n.line
JOIN import_outlets o ON o.folded = n.folded
"""

INSERT_ACLED_CLAIMS = """
INSERT INTO incidents_claim (incident_id, kind, losses_of, losses_note, quantity_low, quantity_high, quantity_text,
  attribution, movement, place, stance, verification, verification_note, internal_notes, version, created_at,
  updated_at)
SELECT i.id, 'fatalities', 'unknown', '', r.best_v, r.best_v, r.best_v || ' (ACLED)', '', '', '', 'assertion',
  'unverified', 'ACLED''s fatality count for event ' || substr(r.import_key, 7) || ', coded from: '
  || n.names || '.', '', 1, now(), now()
FROM import_resolved r
JOIN import_ids i ON i.line = r.line
JOIN (SELECT line, string_agg(name, '; ' ORDER BY position) AS names FROM import_source_names GROUP BY line) AS n
  ON n.line = r.line
WHERE r.acled_fatalities IS NOT NULL AND r.best_v IS NOT NULL
"""

# The report carrying each ACLED claim: the first outlet its row names (the new incidents have one claim each).
INSERT_ACLED_CITATIONS = """
INSERT INTO incidents_citation (claim_id, source_id, quote, language, translation, published_on, version, created_at,
  updated_at)
SELECT c.id, o.source_id, '', '', '', NULL, 1, now(), now()
FROM incidents_claim c
JOIN import_ids i ON i.id = c.incident_id
JOIN (
  SELECT line, (array_agg(folded ORDER BY position))[1] AS first FROM import_source_names GROUP BY line
) AS n ON n.line = i.line
JOIN import_outlets o ON o.folded = n.first
"""


def with_history(model: type, insert: str) -> str:
    """``insert`` (an INSERT ... SELECT into ``model``'s table) that also writes pghistory's insert
    events for the rows it inserts, from its RETURNING rows: no second read of the table."""
    event_model = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    tracked = [f.column for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")]
    columns = ", ".join(quote_name(c) for c in tracked)
    return (
        f"WITH inserted AS ({insert} RETURNING {columns}), "
        f"context AS (SELECT _pgh_attach_context() AS id) "
        f"INSERT INTO {quote_name(event_model._meta.db_table)} ({columns}, pgh_context_id, pgh_created_at, pgh_label, "
        f"pgh_obj_id) SELECT {columns}, (SELECT id FROM context), NOW(), 'insert', id FROM inserted"
    )
