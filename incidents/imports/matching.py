"""How the names in an imported file become the archive's actors and sources: one place, set-based.

An actor's name in a file is the actor whose name it is (``name``), else the actor with that
alias (``alias``, ``ActorAlias``), else the actor whose name or an alias is spelled alike
(``spelling``): the same letters once case, accents (``archive_unaccent``), punctuation and a
period suffix in ACLED's style ("Military Forces of Mali (2021-)", "(2013-2023)") are set aside.
Only a period is dropped: "Civilians (Mali)" and "Civilians (Niger)" stay two actors. Where two
actors answer at the same level, the older (lower id) is taken, as before.

An outlet named in ACLED's ``source`` column is an existing source with that outlet and nothing
else (no title, author or URL: the outlet as a whole), by name, then by spelling. A new outlet
gets its kind (``vocabulary.source_kind_sql``) from its name where that says it, else from the
``source_scale`` of the rows that name it; its reliability stays F ("cannot be judged") until
an editor grades it.

The engine (``incidents.imports.engine``) calls ``match_actors`` and ``match_sources`` once per
file, after it has listed the file's mentions: each is a few statements over all of the file's
names at once, never a query per row or per name. ``preview`` then reads what the admin's
preview shows: the names matched (to what, how) and new (with their kinds), the rows that look
like incidents already in the archive, and how ACLED's figures become claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from incidents.imports import vocabulary
from incidents.models import ActorKind, SourceKind

# A period suffix in ACLED's style at the end of a name: "(2021-)", "(2013-2023)", "(1990 - )".
_PERIOD = r"\s*\(\s*\d{4}\s*[-–—]\s*(\d{4})?\s*\)\s*$"
# Punctuation and spaces, as one space (ASCII and typographic; letters of any script are kept).
_PUNCTUATION = r"[[:space:][:punct:]–—‐‑’‘“”«»·]+"


def spelling_sql(expression: str) -> str:
    """SQL for the spelling key of ``expression``: folded, without a period suffix or punctuation.

    Falls back to the folded text where nothing would be left (a name that is all punctuation).
    """
    folded = f"archive_unaccent({expression})"
    key = f"btrim(regexp_replace(regexp_replace({folded}, '{_PERIOD}', ''), '{_PUNCTUATION}', ' ', 'g'))"
    return f"coalesce(nullif({key}, ''), {folded})"


# The levels of a match, best first, with how the preview names them.
HOW = {0: "name", 1: "alias", 2: "spelling", 3: "spelling"}

# Every distinct actor name of the file (import_mentions: name, folded = its spelling key),
# matched to the best actor whose name or alias has the same key. One statement for the file.
ACTOR_MATCHES_SQL = f"""
CREATE TEMP TABLE import_actor_matches ON COMMIT DROP AS
WITH names AS MATERIALIZED (
  SELECT name, folded AS key, archive_unaccent(name) AS plain, count(*) AS mentions,
    (array_agg(new_kind ORDER BY line) FILTER (WHERE new_kind IS NOT NULL))[1] AS new_kind
  FROM import_mentions GROUP BY name, folded
),
known AS MATERIALIZED (
  SELECT id AS actor_id, name, false AS is_alias FROM incidents_actor
  UNION ALL SELECT actor_id, name, true FROM incidents_actoralias
),
keyed AS MATERIALIZED (
  SELECT k.*, {spelling_sql("k.name")} AS key FROM known k
)
SELECT DISTINCT ON (n.name) n.name, n.key, n.mentions, n.new_kind, k.actor_id, k.name AS matched_as,
  CASE WHEN k.name = n.name THEN CASE WHEN k.is_alias THEN 1 ELSE 0 END
       WHEN archive_unaccent(k.name) = n.plain THEN 2 ELSE 3 END AS level,
  k.is_alias
FROM names n
LEFT JOIN keyed k ON k.key = n.key
ORDER BY n.name,
  CASE WHEN k.name = n.name THEN CASE WHEN k.is_alias THEN 1 ELSE 0 END
       WHEN archive_unaccent(k.name) = n.plain THEN 2 ELSE 3 END,
  k.is_alias, k.actor_id;

-- What the engine joins the mentions to: each spelling key of the file, and its actor.
CREATE TEMP TABLE import_known_actors ON COMMIT DROP AS
SELECT DISTINCT ON (key) key AS folded, actor_id
FROM import_actor_matches WHERE actor_id IS NOT NULL
ORDER BY key, level, is_alias, actor_id;
"""


def match_actors(cursor: Any) -> None:
    """Resolve every actor name the file gives (the engine's ``import_mentions``) at once.

    Creates ``import_actor_matches`` (one row per distinct name: the actor, the level, the name
    or alias matched) and ``import_known_actors`` (spelling key → actor) that the engine's
    checks and writes join to; the mentions' ``folded`` column must be ``spelling_sql(name)``.
    """
    cursor.execute(ACTOR_MATCHES_SQL)


def _source_names_sql(scales: bool) -> str:
    scale = "nullif(btrim(s.source_scale), '')" if scales else "NULL::text"
    return f"""
CREATE TEMP TABLE import_outlet_matches ON COMMIT DROP AS
WITH n AS MATERIALIZED (
  SELECT btrim(u.name) AS name, {scale} AS scale
  FROM import_resolved r
  JOIN import_staging s ON s.line = r.line,
  unnest(string_to_array(r.source_names, ';')) AS u(name)
  WHERE r.source_names IS NOT NULL AND btrim(u.name) <> ''
),
outlets AS MATERIALIZED (
  SELECT name, {spelling_sql("name")} AS key, count(*) AS mentions,
    -- The parts of ACLED's source_scale ("National-International") of every row naming the outlet.
    array_remove(array_agg(DISTINCT btrim(lower(part))), NULL) AS scales
  FROM n LEFT JOIN LATERAL unnest(string_to_array(n.scale, '-')) AS p(part) ON true
  GROUP BY name
),
known AS MATERIALIZED (
  SELECT id AS source_id, outlet, kind, {spelling_sql("outlet")} AS key FROM incidents_source
  WHERE title = '' AND url = '' AND author = '' AND NOT confidential AND outlet <> ''
)
SELECT DISTINCT ON (o.name) o.name, o.key, o.mentions, k.source_id, k.outlet AS matched_as, k.kind AS matched_kind,
  CASE WHEN k.source_id IS NULL THEN NULL WHEN k.outlet = o.name THEN 'name' ELSE 'spelling' END AS how,
  {vocabulary.source_kind_sql("o.name", "o.key", "o.scales")} AS new_kind
FROM outlets o
LEFT JOIN known k ON k.key = o.key
ORDER BY o.name, k.outlet = o.name DESC, k.source_id;
"""


def match_sources(cursor: Any, *, scales: bool) -> None:
    """Resolve every outlet the file names (its ``source_names``) to an outlet source, or a new one's kind.

    Creates ``import_outlet_matches`` (outlet as written → source id or NULL, how, the kind a new
    one gets). ``scales``: the file has ACLED's ``source_scale`` column.
    """
    cursor.execute(_source_names_sql(scales))


# --- What the preview shows ------------------------------------------------------------------------

PREVIEW_LIMIT = 200


@dataclass
class ImportPreview:
    """What an import will find and create, for the admin's preview."""

    actors: list[dict[str, Any]] = field(
        default_factory=list
    )  # name, mentions, actor_id, actor, how, matched_as, new_kind
    sources: list[dict[str, Any]] = field(default_factory=list)  # name, mentions, source_id, source, how, new_kind
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # line, incident_id, title, start_date, actors
    duplicate_rows: int = 0
    figures: list[dict[str, Any]] = field(default_factory=list)  # what, rows, example line
    actors_total: int = 0
    sources_total: int = 0

    @property
    def unknown_actors(self) -> list[dict[str, Any]]:
        return [actor for actor in self.actors if actor["actor_id"] is None]


# Rows that look like incidents already in the archive: same country, start date within a day,
# an actor in common (one the file's names matched). Row by row through the incidents' (country,
# start date) index, each candidate's actors through its own: a plain join of the file's rows
# with every incident of their countries and actors costs seconds per thousand rows.
DUPLICATES_SQL = """
CREATE TEMP TABLE import_mine ON COMMIT DROP AS
SELECT DISTINCT m.line, k.actor_id FROM import_mentions m JOIN import_known_actors k ON k.folded = m.folded;
CREATE INDEX ON import_mine (line, actor_id);
ANALYZE import_mine;
CREATE TEMP TABLE import_duplicates ON COMMIT DROP AS
SELECT r.line, i.id AS incident_id, i.title, i.start_date, i.status, x.actors
FROM import_resolved r
CROSS JOIN LATERAL (
  SELECT i.id, i.title, i.start_date, i.status FROM incidents_incident i
  WHERE i.country = r.country_v AND i.start_date BETWEEN r.start_v - 1 AND r.start_v + 1
    AND (r.import_key IS NULL OR i.import_key <> r.import_key)
) i
CROSS JOIN LATERAL (
  SELECT array_agg(DISTINCT a.name ORDER BY a.name) AS actors
  FROM incidents_incidentactor ia JOIN incidents_actor a ON a.id = ia.actor_id
  WHERE ia.incident_id = i.id
    AND EXISTS (SELECT 1 FROM import_mine mine WHERE mine.line = r.line AND mine.actor_id = ia.actor_id)
) x
WHERE r.start_v IS NOT NULL AND r.country_v IS NOT NULL AND x.actors IS NOT NULL;
DROP TABLE import_mine;
"""


def preview(cursor: Any, file_format: str) -> ImportPreview:
    """What the checked file will match and create, read from the engine's temporary tables."""
    result = ImportPreview()
    kinds = dict(ActorKind.choices)
    cursor.execute(
        "SELECT m.name, m.mentions, m.actor_id, a.name, m.level, m.matched_as, m.new_kind, count(*) OVER () "
        "FROM import_actor_matches m LEFT JOIN incidents_actor a ON a.id = m.actor_id "
        "ORDER BY m.actor_id IS NOT NULL, m.mentions DESC, m.name LIMIT %s",
        [PREVIEW_LIMIT],
    )
    for name, mentions, actor_id, actor, level, matched_as, new_kind, total in cursor.fetchall():
        result.actors_total = total
        result.actors.append(
            {
                "name": name,
                "mentions": mentions,
                "actor_id": actor_id,
                "actor": actor,
                "how": HOW.get(level) if actor_id else None,
                "matched_as": matched_as if actor_id and matched_as != actor else "",
                "new_kind": kinds.get(new_kind, "") if not actor_id else "",
            }
        )
    source_kinds = dict(SourceKind.choices)
    cursor.execute(
        "SELECT name, mentions, source_id, matched_as, how, new_kind, count(*) OVER () FROM import_outlet_matches "
        "ORDER BY source_id IS NOT NULL, mentions DESC, name LIMIT %s",
        [PREVIEW_LIMIT],
    )
    for name, mentions, source_id, matched_as, how, new_kind, total in cursor.fetchall():
        result.sources_total = total
        result.sources.append(
            {
                "name": name,
                "mentions": mentions,
                "source_id": source_id,
                "source": matched_as,
                "how": how,
                "new_kind": source_kinds.get(new_kind, new_kind) if source_id is None else "",
            }
        )
    cursor.execute(DUPLICATES_SQL)
    cursor.execute("SELECT count(DISTINCT line) FROM import_duplicates")
    result.duplicate_rows = cursor.fetchone()[0]
    cursor.execute(
        "SELECT line, incident_id, title, start_date, status, actors FROM import_duplicates "
        "ORDER BY line, incident_id LIMIT %s",
        [PREVIEW_LIMIT],
    )
    result.duplicates = [
        dict(zip(("line", "incident_id", "title", "start_date", "status", "actors"), row, strict=True))
        for row in cursor.fetchall()
    ]
    cursor.execute("DROP TABLE import_duplicates")
    if file_format == "acled":
        result.figures = _acled_figures(cursor)
    return result


def _acled_figures(cursor: Any) -> list[dict[str, Any]]:
    """How the file's ``fatalities`` become claims and estimates, by case, with the rows of each.

    The engine has decided already (``acled_v``: the figure ACLED's claim gives, none where a 0
    reports nothing, ``vocabulary.ACLED_EXPLICIT_ZERO``); this only counts its decisions.
    """
    cursor.execute(
        """
        SELECT CASE WHEN r.acled_v > 0 THEN 'figure' WHEN r.acled_v = 0 THEN 'explicit_zero' ELSE 'no_figure' END
               AS what, count(*), min(r.line)
        FROM import_resolved r GROUP BY 1 ORDER BY 1
        """
    )
    return [
        {"what": what, "text": vocabulary.ACLED_FIGURE_WORDING[what], "rows": rows, "first": first}
        for what, rows, first in cursor.fetchall()
    ]
