"""What a query string selects, decided once per request.

A ``Selection`` is built from a request's query string: the IncidentFilter's parameters,
validated, and the published incidents they choose; the claims (and their citations),
actors and sources that belong to those incidents; the parameters that name the result set
(for cached counts) and a query string that carries the same selection to another URL. The public list, the
API, the CSV exports and the facet counts all take one, so the same query string means
the same rows everywhere, and is refused for the same reasons everywhere.

The API and the exports name the other parameters they read (paging, format) and refuse
any name they do not know, so that a misspelt filter is an error rather than the whole
archive. Pages ignore unknown names: a reader's link with a stray parameter still works.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

from django.db.models import QuerySet
from django.http import QueryDict

from incidents.filters import DEFAULT_ORDERING, IncidentFilter, order_expressions
from incidents.models import Actor, Citation, Claim, Incident, Source

FILTER_PARAMS = frozenset(IncidentFilter.base_filters)
# Filter parameters that change how rows are sorted, not which rows there are.
ORDER_PARAMS = frozenset({"order"})
# The API's paging and formats, and the list page's own paging.
API_PAGING_PARAMS = frozenset({"cursor", "page_size"})
FORMAT_PARAMS = frozenset({"format"})
# The API's choice of the fields each record shows (lists and records alike).
FIELDS_PARAMS = frozenset({"fields"})
PAGE_PARAMS = frozenset({"after", "before"})


class InvalidQueryError(ValueError):
    """A query string that selects nothing meaningful: ``errors`` maps each parameter to why."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Invalid query parameters.")
        self.errors = errors


def without_blanks(params: Mapping) -> QueryDict:
    """The query string without empty values: ``?event_type=`` means no event-type filter."""
    cleaned = QueryDict(mutable=True)
    for name, values in _lists(params):
        values = [value for value in values if value not in ("", None)]
        if values:
            cleaned.setlist(name, values)
    return cleaned


def unknown_params(params: Mapping, accepted: Iterable[str]) -> dict[str, list[str]]:
    """An error per parameter of ``params`` not in ``accepted``, naming the accepted ones."""
    accepted = sorted(set(accepted))
    unknown = sorted(set(params) - set(accepted))
    message = f"Unknown parameter. Accepted parameters: {', '.join(accepted)}."
    return {name: [message] for name in unknown}


class Selection:
    """The rows a query string selects, and what else it says (see the module's docstring)."""

    def __init__(self, params: Mapping, *, accepted: Iterable[str] | None = None) -> None:
        """``accepted``: the parameters the caller reads besides the filter's, whose unknown names
        are then errors; None ignores unknown names (pages)."""
        self.errors: dict[str, list[str]] = {}
        if accepted is not None:
            self.errors.update(unknown_params(params, FILTER_PARAMS | set(accepted)))
        self.params = without_blanks({name: values for name, values in _lists(params) if name in FILTER_PARAMS})
        if self.params and not self.filterset.is_valid():
            self.errors.update({name: [str(e) for e in errors] for name, errors in self.filterset.errors.items()})

    @functools.cached_property
    def filterset(self) -> IncidentFilter:
        """The IncidentFilter bound to the filter parameters (also the page's form)."""
        return IncidentFilter(self.params, queryset=Incident.objects.published())

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def validated(self) -> Selection:
        """This selection; raises InvalidQueryError if the query string has an error."""
        if self.errors:
            raise InvalidQueryError(self.errors)
        return self

    # --- the rows ------------------------------------------------------------------------------

    @property
    def incidents(self) -> QuerySet:
        """The published incidents selected, in the order asked for (newest first by default)."""
        self.validated()
        if not self.params:
            # Building a FilterSet deep-copies its filters, a third of an unfiltered API page's time.
            return Incident.objects.published().order_by(*order_expressions(DEFAULT_ORDERING))
        return self.filterset.qs

    @property
    def selects_rows(self) -> bool:
        """Whether a filter chooses rows, rather than only an order."""
        return not self.params.keys().isdisjoint(FILTER_PARAMS - ORDER_PARAMS)

    @property
    def scope(self) -> QuerySet | None:
        """The selected incidents, or None when nothing is filtered (everything published)."""
        return self.incidents if self.selects_rows else None

    def claims(self) -> QuerySet:
        claims = Claim.objects.published()
        return claims if self.scope is None else claims.of_incidents(self.scope)

    def citations(self) -> QuerySet:
        citations = Citation.objects.published()
        return citations if self.scope is None else citations.of_incidents(self.scope)

    def actors(self) -> QuerySet:
        actors = Actor.objects.published()
        return actors if self.scope is None else actors.involved_in(self.scope)

    def sources(self) -> QuerySet:
        sources = Source.objects.published()
        return sources if self.scope is None else sources.cited_by(self.scope)

    # --- what names it -------------------------------------------------------------------------

    @property
    def result_set_params(self) -> dict[str, list[str]]:
        """The parameters that choose rows: what names a result set for its cached counts and
        snapshots (not its order)."""
        return {name: self.params.getlist(name) for name in sorted(self.params) if name not in ORDER_PARAMS}

    def query_string(self, *, drop: Iterable[str] = (), **replace: str) -> str:
        """The filter parameters as a query string, without ``drop`` and with ``replace``d
        values: a link to the same rows on another page, in the API or in a CSV."""
        kept = self.params.copy()
        for name in {*drop, *replace}:
            kept.pop(name, None)
        for name, value in replace.items():
            if value:
                kept[name] = value
        return kept.urlencode()


def _lists(params: Mapping) -> Iterable[tuple[str, list]]:
    """Each name with its values, from a QueryDict or a plain mapping (of values or lists)."""
    if hasattr(params, "lists"):
        return params.lists()
    return ((name, value if isinstance(value, list) else [value]) for name, value in params.items())
