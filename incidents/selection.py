"""What a query string selects: the published incidents matching the IncidentFilter, and the
published claims, actors and sources that belong to them. The API and the CSV exports both
ask this module, so the same query string means the same rows everywhere."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import QuerySet

from incidents.filters import IncidentFilter
from incidents.models import Actor, Claim, Incident, Source

# Parameters of the API and the exports that shape the response rather than select rows.
_PRESENTATION_PARAMS = {"order", "cursor", "page_size", "format"}


class InvalidFilterError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Invalid filter parameters.")
        self.errors = errors


def filtered_incidents(params: Mapping) -> QuerySet:
    """Published incidents selected by the query string, exactly as on the public list."""
    filterset = IncidentFilter(params, queryset=Incident.objects.published())
    if not filterset.is_valid():
        raise InvalidFilterError({field: [str(e) for e in errors] for field, errors in filterset.errors.items()})
    return filterset.qs


def incident_scope(params: Mapping) -> QuerySet | None:
    """The filtered incidents, or None when the query string filters nothing (everything published)."""
    filters = set(IncidentFilter.base_filters) - _PRESENTATION_PARAMS
    if not any(params.get(name) not in (None, "") for name in filters):
        return None
    return filtered_incidents(params)


def claims_of(scope: QuerySet | None) -> QuerySet:
    claims = Claim.objects.published()
    return claims if scope is None else claims.of_incidents(scope)


def actors_of(scope: QuerySet | None) -> QuerySet:
    actors = Actor.objects.published()
    return actors if scope is None else actors.involved_in(scope)


def sources_of(scope: QuerySet | None) -> QuerySet:
    sources = Source.objects.published()
    return sources if scope is None else sources.cited_by(scope)
