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
-- Only for the rows that add an incident: a row whose import_key is in the archive updates that one.
CREATE TEMP TABLE import_ids ON COMMIT DROP AS
SELECT line, nextval(pg_get_serial_sequence('incidents_incident', 'id')) AS id
FROM import_actions WHERE action = 'new' ORDER BY line;

ANALYZE import_ids;
ANALYZE import_outlets;
"""
WRITE_SQL = WRITE_SQL.replace("'{withheld_note}'", sql_literal(WITHHELD_NOTE)).replace(
    "{actor_key}", spelling_sql("name")
)

# Each incident column an import writes: (SQL over the resolved row ``r``, the file's columns it comes from).
# A new incident gets every column; an update writes only those whose file columns the file has.
_FIGURES = ("fatalities_low", "fatalities_best", "fatalities_high")
INCIDENT_VALUES: dict[str, tuple[str, tuple[str, ...]]] = {
    "title": ("r.title", ("title",)),
    "summary": ("coalesce(r.summary, '')", ("summary",)),
    "start_date": ("r.start_v", ("start_date",)),
    "end_date": ("coalesce(r.end_v, r.start_v)", ("start_date", "end_date")),
    "date_precision": ("coalesce(r.date_precision_v, 'day')", ("date_precision",)),
    "time_of_day": ("r.time_v", ("time_of_day",)),
    # A time given without saying how it was reported is the time itself ("at"), as in the admin.
    "time_precision": (
        "CASE WHEN r.time_v IS NOT NULL THEN coalesce(r.time_precision_v, 'exact') ELSE coalesce(r.time_precision_v, '') END",
        ("time_of_day", "time_precision"),
    ),
    "country": ("r.country_v", ("country",)),
    "admin1": ("coalesce(r.admin1, '')", ("admin1",)),
    "admin2": ("coalesce(r.admin2, '')", ("admin2",)),
    "location": ("coalesce(r.location, '')", ("location",)),
    "latitude": ("r.latitude_v", ("latitude",)),
    "longitude": ("r.longitude_v", ("longitude",)),
    "geo_precision": ("coalesce(r.geo_precision_v, 'admin1')", ("geo_precision",)),
    "event_type_id": (
        "coalesce(r.event_type_id, (SELECT event_type_id FROM incidents_subeventtype WHERE id = r.sub_event_type_id))",
        ("event_type", "sub_event_type"),
    ),
    "sub_event_type_id": ("r.sub_event_type_id", ("sub_event_type",)),
    "fatalities_low": ("r.low_v", _FIGURES),
    "fatalities_best": ("r.best_v", _FIGURES),
    "fatalities_high": ("r.high_v", _FIGURES),
    "fatalities_method": (
        "CASE WHEN coalesce(r.low_v, r.best_v, r.high_v) IS NOT NULL THEN 'override' ELSE '' END",
        _FIGURES,
    ),
    "fatalities_rationale": (
        "CASE WHEN coalesce(r.low_v, r.best_v, r.high_v) IS NOT NULL "
        "THEN coalesce(r.fatalities_rationale, 'Estimate as given in the imported file.') ELSE '' END",
        (*_FIGURES, "fatalities_rationale"),
    ),
    "grading": ("coalesce(r.grading_v, 'weak')", ("grading",)),
    "tags": (
        """coalesce((SELECT array_agg(tag ORDER BY first) FROM (
      SELECT left(trim(BOTH '-' FROM regexp_replace(lower(u.t), '[^a-z0-9_]+', '-', 'g')), 50) AS tag, min(u.n) AS first
      FROM unnest(regexp_split_to_array(r.tags, '[;,]')) WITH ORDINALITY AS u(t, n)
      GROUP BY 1) AS tags WHERE tag <> ''), '{}')""",
        ("tags",),
    ),
}


def updated_columns(given: set[str], estimate_columns: list[str]) -> dict[str, str]:
    """The incident columns an update writes: those the file's columns ``given`` give; an
    ACLED file's figures become a claim and the estimate follows from it (``estimate_columns``)."""
    return {
        column: expression
        for column, (expression, sources) in INCIDENT_VALUES.items()
        if given & set(sources) and not (estimate_columns and column in _ESTIMATE_OWN)
    }


_ESTIMATE_OWN = {*_FIGURES, "fatalities_method", "fatalities_rationale"}


def insert_incident_rows(estimate_columns: list[str]) -> str:
    """INSERT ... SELECT of the new incidents; with ``estimate_columns`` (an ACLED file), the
    estimate is the archive's proposal from the row's claim, from ``import_estimates``."""
    values = {column: expression for column, (expression, _) in INCIDENT_VALUES.items()}
    join = ""
    if estimate_columns:
        for column in _ESTIMATE_OWN:
            values.pop(column)
        values |= {column: f"e.{quote_name(column)}" for column in estimate_columns}
        join = "JOIN import_estimates e ON e.figure = coalesce(r.acled_v, -1)"
    values |= {
        "contested": values.get("contested", "false"),
        "status": "'draft'",
        "retraction_notice": "''",
        "internal_notes": "''",
        "import_key": "coalesce(r.import_key, '')",
        "created_by_id": "%(user)s",
        "last_edited_by_id": "%(user)s",
        "created_at": "now()",
        "updated_at": "now()",
        "version": "1",
    }
    columns = ", ".join(quote_name(c) for c in ["id", *values])
    return (
        f"INSERT INTO incidents_incident ({columns})\nSELECT i.id, {', '.join(values.values())}\n"
        f"FROM import_resolved r JOIN import_ids i ON i.line = r.line {join}"
    )


INSERT_INCIDENT_ROWS = insert_incident_rows([])

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

# ACLED's figure for an event is ACLED's claim: carried by ACLED (a source, %(acled)s), naming the
# outlets ACLED coded it from. ``r.acled_v`` is NULL for a 0 that the notes do not state (engine).
_ACLED_CLAIM_VALUES = """'fatalities', 'unknown', '', r.acled_v, r.acled_v, r.acled_v || ' (ACLED)', '', '', '', 'assertion',
  'unverified', 'ACLED''s fatality count for event ' || substr(r.import_key, 7)
  || coalesce(', coded from: ' || r.source_names || '.', '.'), '', 1, now(), now()"""
_CLAIM_COLUMNS = """kind, losses_of, losses_note, quantity_low, quantity_high, quantity_text,
  attribution, movement, place, stance, verification, verification_note, internal_notes, version, created_at,
  updated_at"""
# Which claims are ACLED's (also those of imports before ACLED was a source of its own).
IS_ACLED_CLAIM = "c.kind = 'fatalities' AND c.verification_note LIKE 'ACLED''s fatality count for event %%'"

INSERT_ACLED_CLAIMS = f"""
INSERT INTO incidents_claim (incident_id, {_CLAIM_COLUMNS})
SELECT i.id, {_ACLED_CLAIM_VALUES}
FROM import_resolved r
JOIN import_ids i ON i.line = r.line
WHERE r.acled_v IS NOT NULL
"""

INSERT_ACLED_CITATIONS = """
INSERT INTO incidents_citation (claim_id, source_id, quote, language, translation, published_on, version, created_at,
  updated_at)
SELECT c.id, %(acled)s, '', '', '', NULL, 1, now(), now()
FROM incidents_claim c
JOIN import_ids i ON i.id = c.incident_id
"""

INSERT_ACLED_SOURCE_LINKS = """
INSERT INTO incidents_incidentsource (incident_id, source_id, note)
SELECT i.id, %(acled)s, 'ACLED''s coding of the event.'
FROM import_ids i
"""

# --- Rows that update an incident in the archive (``import_targets``: the line, the incident written:
# the draft itself or a correction's draft copy). Few rows, so the row triggers write their history.


def update_incident_rows(columns: dict[str, str]) -> str:
    assignments = "".join(f"{quote_name(column)} = {expression}, " for column, expression in columns.items())
    return (
        f"UPDATE incidents_incident AS i SET {assignments}last_edited_by_id = %(user)s, updated_at = now(), "
        "version = i.version + 1 FROM import_resolved r JOIN import_targets t ON t.line = r.line WHERE i.id = t.id"
    )


# The actors the file names for each updated incident: a link changes role, or is added; links
# the file does not name stay (an editor may have added them).
_TARGET_MENTIONS = """(
  SELECT DISTINCT ON (t.id, k.actor_id, m.side) t.id, k.actor_id, m.side, m.role
  FROM import_mentions m
  JOIN import_targets t ON t.line = m.line
  JOIN import_known_actors k ON k.folded = m.folded
  ORDER BY t.id, k.actor_id, m.side, m.role = 'primary' DESC
)"""
UPDATE_ACTOR_LINKS = f"""
UPDATE incidents_incidentactor l SET role = m.role, version = l.version + 1
FROM {_TARGET_MENTIONS} AS m
WHERE l.incident_id = m.id AND l.actor_id = m.actor_id AND l.side = m.side AND l.role <> m.role;
INSERT INTO incidents_incidentactor (incident_id, actor_id, side, role, note)
SELECT m.id, m.actor_id, m.side, m.role, ''
FROM {_TARGET_MENTIONS} AS m
WHERE NOT EXISTS (
  SELECT 1 FROM incidents_incidentactor l WHERE l.incident_id = m.id AND l.actor_id = m.actor_id AND l.side = m.side
);
"""

UPDATE_SOURCE_LINKS = """
INSERT INTO incidents_incidentsource (incident_id, source_id, note)
SELECT DISTINCT t.id, o.source_id, coalesce(left(r.source_note, 300), '')
FROM import_source_names n
JOIN import_targets t ON t.line = n.line
JOIN import_resolved r ON r.line = n.line
JOIN import_outlets o ON o.folded = n.folded
ON CONFLICT (incident_id, source_id) DO NOTHING
"""

UPDATE_ACLED_CLAIMS = f"""
UPDATE incidents_claim c SET quantity_low = r.acled_v, quantity_high = r.acled_v, quantity_text = r.acled_v || ' (ACLED)',
  verification_note = 'ACLED''s fatality count for event ' || substr(r.import_key, 7)
    || coalesce(', coded from: ' || r.source_names || '.', '.'),
  version = c.version + 1, updated_at = now()
FROM import_resolved r JOIN import_targets t ON t.line = r.line
WHERE c.incident_id = t.id AND {IS_ACLED_CLAIM} AND r.acled_v IS NOT NULL
  AND c.quantity_low IS DISTINCT FROM r.acled_v;
DELETE FROM incidents_claim c USING import_resolved r JOIN import_targets t ON t.line = r.line
WHERE c.incident_id = t.id AND {IS_ACLED_CLAIM} AND r.acled_v IS NULL;
WITH inserted AS (
  INSERT INTO incidents_claim (incident_id, {_CLAIM_COLUMNS})
  SELECT t.id, {_ACLED_CLAIM_VALUES}
  FROM import_resolved r JOIN import_targets t ON t.line = r.line
  WHERE r.acled_v IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM incidents_claim c WHERE c.incident_id = t.id AND {IS_ACLED_CLAIM})
  RETURNING id
)
INSERT INTO incidents_citation (claim_id, source_id, quote, language, translation, published_on, version, created_at,
  updated_at)
SELECT id, %(acled)s, '', '', '', NULL, 1, now(), now() FROM inserted;
INSERT INTO incidents_incidentsource (incident_id, source_id, note)
SELECT t.id, %(acled)s, 'ACLED''s coding of the event.' FROM import_targets t
ON CONFLICT (incident_id, source_id) DO NOTHING;
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
