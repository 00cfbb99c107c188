"""What a query string selects: the published incidents matching the IncidentFilter, and the
published claims, actors and sources that belong to them. The API and the CSV exports both
ask this module, so the same query string means the same rows everywhere."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet
from django.http import QueryDict

from incidents.filters import IncidentFilter
from incidents.models import Actor, Claim, Incident, Source

# Parameters of the API and the exports that shape the response rather than select rows.
_PRESENTATION_PARAMS = {"order", "cursor", "page_size", "format"}


class InvalidFilterError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Invalid filter parameters.")
        self.errors = errors


def without_blanks(params: Mapping) -> QueryDict:
    """The query string without empty values: ``?event_type=`` means no event-type filter."""
    cleaned = QueryDict(mutable=True)
    items = params.lists() if hasattr(params, "lists") else ((k, [v]) for k, v in params.items())
    for name, values in items:
        values = [value for value in values if value not in ("", None)]
        if values:
            cleaned.setlist(name, values)
    return cleaned


def incident_filter(params: Mapping) -> IncidentFilter:
    """The IncidentFilter over published incidents, validated; raises InvalidFilterError."""
    filterset = IncidentFilter(without_blanks(params), queryset=Incident.objects.published())
    if not filterset.is_valid():
        raise InvalidFilterError({field: [str(e) for e in errors] for field, errors in filterset.errors.items()})
    return filterset


def result_set_params(filterset: IncidentFilter, query: QueryDict) -> dict[str, list[str]]:
    """The parameters of ``query`` that choose rows: what names a result set for its cached
    counts and snapshots (not its order, nor the page)."""
    ignored = _PRESENTATION_PARAMS | {"after", "before"}
    return {name: query.getlist(name) for name in filterset.filters if name in query and name not in ignored}


def filtered_incidents(params: Mapping) -> QuerySet:
    """Published incidents selected by the query string, exactly as on the public list."""
    return incident_filter(params).qs


def selects_rows(params: Mapping) -> bool:
    """Whether the query string chooses rows: a filter with a value, not only an order or a page."""
    return not without_blanks(params).keys().isdisjoint(set(IncidentFilter.base_filters) - _PRESENTATION_PARAMS)


def incident_scope(params: Mapping) -> QuerySet | None:
    """The filtered incidents, or None when the query string filters nothing (everything published)."""
    data = without_blanks(params)
    if not IncidentFilter.names_any_filter(data):
        return None  # nothing to validate either: no FilterSet to build
    filterset = incident_filter(data)
    return filterset.qs if selects_rows(data) else None


def claims_of(scope: QuerySet | None) -> QuerySet:
    claims = Claim.objects.published()
    return claims if scope is None else claims.of_incidents(scope)


def actors_of(scope: QuerySet | None) -> QuerySet:
    actors = Actor.objects.published()
    return actors if scope is None else actors.involved_in(scope)


def sources_of(scope: QuerySet | None) -> QuerySet:
    sources = Source.objects.published()
    return sources if scope is None else sources.cited_by(scope)
