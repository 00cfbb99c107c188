"""What full-text search reads: the incident's search document and the folding of accents.

The incident's own text is indexed in a generated ``tsvector`` column, written by PostgreSQL
from ``SEARCH_DOCUMENT_SQL``. Accents are folded by ``archive_unaccent``, an immutable SQL
function created by a migration, because the embedded PostgreSQL ships without the
``unaccent`` extension; ``fold`` does the same in Python. The queries that read the
document are in ``incidents.search``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Expression
from django.utils.deconstruct import deconstructible

# Letters folded by archive_unaccent() after lower-casing; typographic apostrophes become spaces.
_ACCENTED = "àáâãäåāăąçćčďđèéêëēĕėęěìíîïĩīĭįñńňòóôõöøōŏőùúûüũūŭůűųýÿźżžœæßł’‘`´"
_PLAIN = "aaaaaaaaacccddeeeeeeeeeiiiiiiiinnnooooooooouuuuuuuuuuyyzzzoasl    "
assert len(_ACCENTED) == len(_PLAIN)

# Text with none of the folded characters is its lower case: translate() costs fifteen times
# lower() and would change nothing there. Two tests come first, cheapest first: ASCII without a
# backtick (bytes equal characters, which tells ASCII only in a UTF-8 database; any other
# encoding keeps the plain form), then a regular expression of the folded characters (a twentieth
# of translate()'s cost on the "outlet — author" labels of sources). Neither form is STRICT, so
# the planner inlines it, also into the generated search column.
_FOLD_SQL = f"translate(lower(value), '{_ACCENTED}', '{_PLAIN}')"
_FAST_FOLD_SQL = (
    f"CASE WHEN octet_length(value) = char_length(value) AND strpos(value, '`') = 0 THEN lower(value) "
    f"WHEN lower(value) !~ '[{_ACCENTED}]' THEN lower(value) ELSE {_FOLD_SQL} END"
)
# archive_unaccent() as the latest migration that creates it runs it. Migrations keep their own
# copy of the text, so a change here takes a new migration that runs the new text.
UNACCENT_FUNCTION_SQL = f"""
DO $do$ BEGIN
  EXECUTE format(
    'CREATE OR REPLACE FUNCTION archive_unaccent(value text) RETURNS text '
    'LANGUAGE sql IMMUTABLE PARALLEL SAFE CALLED ON NULL INPUT AS %L',
    'SELECT ' || CASE WHEN getdatabaseencoding() = 'UTF8' THEN $fold${_FAST_FOLD_SQL}$fold$
                      ELSE $fold${_FOLD_SQL}$fold$ END);
END $do$;
"""

SEARCH_DOCUMENT_SQL = (
    "setweight(to_tsvector('simple'::regconfig, archive_unaccent(coalesce(title, ''))), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, archive_unaccent("
    "coalesce(location, '') || ' ' || coalesce(admin1, '') || ' ' || coalesce(admin2, ''))), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, archive_unaccent(coalesce(summary, ''))), 'C')"
)


@deconstructible(path="incidents.search_document.SQLExpression")
class SQLExpression(Expression):
    """A fixed, parameter-free SQL expression (for generated columns)."""

    def __init__(self, sql: str, output_field: models.Field | None = None) -> None:
        super().__init__(output_field=output_field or SearchVectorField())
        self.sql = sql

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        return self.sql, []

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SQLExpression) and other.sql == self.sql

    def __hash__(self) -> int:
        return hash(self.sql)


def TsvectorField(sql: str) -> models.GeneratedField:  # noqa: N802 (reads like a field class)
    return models.GeneratedField(
        expression=SQLExpression(sql),
        output_field=SearchVectorField(),
        db_persist=True,
        editable=False,
    )


_FOLD = str.maketrans(_ACCENTED, _PLAIN)


def fold(text: str) -> str:
    """The same folding as the SQL function archive_unaccent(), done in Python."""
    return text.lower().translate(_FOLD)
