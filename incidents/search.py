"""Full-text search: accent- and case-insensitive, ranked, and aware of actor aliases.

The incident's own text is indexed in a generated ``tsvector`` column. Actors are
found by the words of their name or any alias (any language or script), then reach
incidents through the incident–actor link. The editors' search also matches part of a
place name, through the location's trigram index. Accents are folded by
``archive_unaccent``, an immutable SQL function created by a migration, because
the embedded PostgreSQL ships without the ``unaccent`` extension.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import models
from django.db.models import Expression, Q, QuerySet
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


@deconstructible(path="incidents.search.SQLExpression")
class SQLExpression(Expression):
    """A fixed, parameter-free SQL expression (for generated columns)."""

    def __init__(self, sql: str, output_field: models.Field | None = None) -> None:
        super().__init__(output_field=output_field or SearchVectorField())
        self.sql = sql

    def as_sql(self, compiler, connection):
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


class Unaccent(models.Func):
    function = "archive_unaccent"
    output_field = models.TextField()


def web_query(text: str) -> SearchQuery:
    """A web-style query (quotes, OR, -word) over accent-folded text."""
    return SearchQuery(fold(text), search_type="websearch", config="simple")


def matching_actor_ids(text: str) -> QuerySet:
    """Actors whose name or any alias matches the query, in any language or script."""
    from incidents.models import Actor, ActorAlias

    query = web_query(text)
    by_alias = (
        ActorAlias.objects.annotate(document=SearchVector(Unaccent("name"), config="simple"))
        .filter(document=query)
        .values("actor_id")
    )
    return (
        Actor.objects.annotate(document=SearchVector(Unaccent("name"), config="simple"))
        .filter(Q(document=query) | Q(pk__in=by_alias))
        .values("pk")
    )


def search_incidents(queryset: QuerySet, text: str, *, places: bool = False) -> QuerySet:
    """Incidents matching ``text`` in their own words or through an involved actor, ranked.

    The two ways of matching are combined as one ``pk IN (... UNION ...)`` rather than an
    ``OR``: each side then uses its own index (the text search GIN index, the actor link
    index), where an ``OR`` against a subquery would force a scan of every incident.

    The matching actors are read first, in a query of their own: actors are few, and with
    their ids as a list the planner estimates the links they select. Given the subquery
    instead, it guesses half of all links, and at a million incidents answers every search
    with a scan of the whole table.
    """
    from incidents.models import IncidentActor

    query = web_query(text)
    rank = SearchRank(models.F("search_document"), query)
    actor_ids = [row["pk"] for row in matching_actor_ids(text)]
    place = places and len(text.strip()) >= 3
    if not actor_ids and not place:
        # Words only: matched and ranked in one pass over the text index.
        return queryset.filter(search_document=query).annotate(rank=rank)
    incidents = queryset.model._base_manager
    matches = incidents.filter(search_document=query).order_by().values("pk")
    if actor_ids:
        matches = matches.union(IncidentActor.objects.filter(actor_id__in=actor_ids).order_by().values("incident_id"))
    if place:
        # Part of a place name ("Aguel" for Aguelhok), through the location's trigram index.
        matches = matches.union(incidents.filter(location__ilike=text.strip()).order_by().values("pk"))
    return queryset.filter(pk__in=matches).annotate(rank=rank)
