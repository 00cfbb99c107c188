"""Full-text search: accent- and case-insensitive, ranked, and aware of actor aliases.

Incidents are matched against their search document (``incidents.search_document``).
Actors, and people, are found by the words of their name or any alias (any language, script
or transliteration); actors then reach incidents through the incident–actor link. The
editors' search also matches part of a place name, through the location's trigram index.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import models
from django.db.models import Q, QuerySet

from incidents.models import Actor, ActorAlias, IncidentActor, Person, PersonAlias
from incidents.search_document import fold


class Unaccent(models.Func):
    function = "archive_unaccent"
    output_field = models.TextField()


def web_query(text: str) -> SearchQuery:
    """A web-style query (quotes, OR, -word) over accent-folded text."""
    return SearchQuery(fold(text), search_type="websearch", config="simple")


def _matching_names(model: type[models.Model], alias_model: type[models.Model], owner: str, text: str) -> QuerySet:
    """The ids of ``model`` rows whose name, or the name of any of their ``alias_model`` rows
    (linked through ``owner``), has the words of the query, folded alike."""
    query = web_query(text)
    by_alias = (
        alias_model.objects.annotate(document=SearchVector(Unaccent("name"), config="simple"))
        .filter(document=query)
        .values(f"{owner}_id")
    )
    return (
        model.objects.annotate(document=SearchVector(Unaccent("name"), config="simple"))
        .filter(Q(document=query) | Q(pk__in=by_alias))
        .values("pk")
    )


def matching_actor_ids(text: str) -> QuerySet:
    """Actors whose name or any alias matches the query, in any language or script."""
    return _matching_names(Actor, ActorAlias, "actor", text)


def matching_person_ids(text: str) -> QuerySet:
    """People whose name or any other spelling matches the query, in any language or script."""
    return _matching_names(Person, PersonAlias, "person", text)


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
