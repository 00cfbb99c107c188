"""The research API: read-only, published data only, one filter vocabulary with the pages.

Every queryset starts from a ``published()`` method. A page of the incident list is one
query at any page size, in which PostgreSQL also writes each item as JSON
(``incidents.listing``).
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Case, Exists, F, OuterRef, Prefetch, QuerySet, When
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import ModelSerializer
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from incidents import listing, selection
from incidents.changelog import public_corrections
from incidents.filters import BIGINT_MAX, TEXT_MAX, BoundedIntegerField, IncidentFilter, UTCDateTimeField
from incidents.geojson import GEOJSON_FIELDS, GeoJSONRenderer
from incidents.models import (
    Actor,
    ActorRelation,
    Claim,
    Incident,
    IncidentRelation,
    Person,
    PersonAffiliation,
    PersonAlias,
    Source,
    Status,
)
from incidents.pagination import COUNT_LIMIT as KEYSET_COUNT_LIMIT
from incidents.pagination import Count, KeysetPagination
from incidents.renderers import JSONRenderer
from incidents.search import matching_person_ids
from incidents.serializers import (
    ActorDetailSerializer,
    ActorSerializer,
    ClaimSerializer,
    GeoJSONFeatureCollectionSerializer,
    GeoJSONFeatureSerializer,
    IncidentDetailSerializer,
    IncidentListSerializer,
    PersonSerializer,
    RetractionSerializer,
    SourceSerializer,
)


def _utc_datetime(name: str, raw: str) -> datetime.datetime:
    """An ISO 8601 timestamp from the query string, in UTC (naive means UTC); 400 if invalid."""
    try:
        return UTCDateTimeField(required=True).clean(raw.strip())
    except DjangoValidationError as invalid:
        example = "An ISO 8601 timestamp, e.g. 2025-06-13T00:00:00Z."
        raise ValidationError({name: [*invalid.messages, example]}) from None


class SelectionFilterBackend(DjangoFilterBackend):
    """The request's Selection applied to the view's rows: the incidents themselves, or the
    claims, actors or sources of those incidents (``view.select``). It is a DjangoFilterBackend
    for the schema, which documents the IncidentFilter's parameters from it."""

    def get_filterset_class(self, view: Any, queryset: QuerySet | None = None) -> type[IncidentFilter]:
        return IncidentFilter

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        # Only lists are filtered; a record is found by its id (or slug) alone.
        return view.select(queryset, view.selection) if view.action == "list" else queryset


class ReadsOnly:
    """A method the API does not answer (POST, TRACE...) is a 405 whoever asks. DRF checks
    permissions before it looks for the method's handler, which would make it a 403 asking for
    a login that no one needs: the API reads and nothing else."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if getattr(self, request.method.lower(), None) is None:
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class BatchedThrottles:
    """The same throttles, histories and answers as DRF's, in fewer round trips to the cache.

    DRF asks each throttle in turn, and each reads, then writes, its client's history: four
    round trips to Redis for an anonymous request, which the anonymous and the per-user
    throttles both count by its address. Here the histories are read in one round trip and the
    new ones written in one per period. Throttles that are not DRF's own rate throttles (or
    share a key, or a cache) are asked DRF's way."""

    def check_throttles(self, request: Request) -> None:
        throttles = [throttle for throttle in self.get_throttles() if getattr(throttle, "rate", True) is not None]
        if not all(type(throttle).allow_request is SimpleRateThrottle.allow_request for throttle in throttles):
            return super().check_throttles(request)
        counted = []
        for throttle in throttles:
            throttle.key = throttle.get_cache_key(request, self)
            if throttle.key is not None:
                counted.append(throttle)
        if not counted:
            return None
        if len({throttle.key for throttle in counted}) < len(counted) or len({id(t.cache) for t in counted}) > 1:
            return super().check_throttles(request)
        cache = counted[0].cache
        histories = cache.get_many([throttle.key for throttle in counted])
        waits, writes = [], {}
        for throttle in counted:  # SimpleRateThrottle.allow_request, on the history read above
            throttle.history = list(histories.get(throttle.key, []))
            throttle.now = throttle.timer()
            while throttle.history and throttle.history[-1] <= throttle.now - throttle.duration:
                throttle.history.pop()
            if len(throttle.history) >= throttle.num_requests:
                waits.append(throttle.wait())
            else:
                throttle.history.insert(0, throttle.now)
                writes.setdefault(throttle.duration, {})[throttle.key] = throttle.history
        for duration, values in writes.items():
            cache.set_many(values, duration)
        if waits:
            self.throttled(request, max((wait for wait in waits if wait is not None), default=None))
        return None


class FieldsMixin:
    """``fields=``: the comma-separated names of the fields each record shows (in the record's
    own order, whatever the order asked); a name the record does not have is a 400 naming it.
    Serializers read the choice from their context (``serializers.SelectableFieldsMixin``)."""

    request: Request

    def available_fields(self) -> tuple[str, ...]:
        return tuple(self.get_serializer_class().Meta.fields)

    def fields_errors(self) -> dict[str, list[str]]:
        try:
            self.requested_fields  # noqa: B018
        except ValidationError as invalid:
            return invalid.detail
        return {}

    @functools.cached_property
    def requested_fields(self) -> tuple[str, ...] | None:
        """The fields asked for, or None for all of them (also for a blank ``fields=``)."""
        names = [name.strip() for value in self.request.query_params.getlist("fields", []) for name in value.split(",")]
        names = list(dict.fromkeys(name for name in names if name))
        if not names:
            return None
        available = self.available_fields()
        unknown = [name for name in names if name not in available]
        if unknown:
            raise ValidationError({"fields": [f"Unknown field: {', '.join(unknown)}. Fields: {', '.join(available)}."]})
        return tuple(name for name in available if name in names)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.requested_fields is not None:
            context["fields"] = self.requested_fields
        return context


class ReadOnlyViewSet(ReadsOnly, BatchedThrottles, FieldsMixin, viewsets.ReadOnlyModelViewSet):
    """A public, read-only collection whose list takes the IncidentFilter's parameters.

    Every action names the parameters it reads; any other name is a 400 listing them, so a
    misspelt filter is an error rather than the whole archive.
    """

    pagination_class = KeysetPagination
    filter_backends = [SelectionFilterBackend]
    # The parameters each action reads besides ``format``; the list also reads the filter's.
    action_params: dict[str, frozenset[str]] = {
        "list": selection.API_PAGING_PARAMS | selection.FIELDS_PARAMS,
        "retrieve": selection.FIELDS_PARAMS,
    }

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions and throttles first
        accepted = selection.FORMAT_PARAMS | self.action_params.get(self.action, frozenset())
        if self.action == "list":
            chosen = selection.Selection(request.query_params, accepted=accepted)
            errors = dict(chosen.errors)
            self.__dict__["selection"] = chosen
        else:
            errors = selection.unknown_params(request.query_params, accepted)
        if "fields" in accepted and "fields" not in errors:
            errors.update(self.fields_errors())
        if errors:
            raise ValidationError(errors)

    @functools.cached_property
    def selection(self) -> selection.Selection:
        """The request's query string, validated (a 400 naming each bad parameter); ``initial``
        builds it for a list."""
        accepted = selection.FORMAT_PARAMS | self.action_params["list"]
        chosen = selection.Selection(self.request.query_params, accepted=accepted)
        if not chosen.is_valid:
            raise ValidationError(chosen.errors)
        return chosen

    @staticmethod
    def select(queryset: QuerySet, chosen: selection.Selection) -> QuerySet:
        raise NotImplementedError


_FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "geojson"], description="geojson for RFC 7946 GeoJSON."
)
_ERROR = {"type": "object", "additionalProperties": True}
_THROTTLED = OpenApiResponse(_ERROR, description="Too many requests from this address; retry later.")
_BAD_REQUEST = OpenApiResponse(
    _ERROR, description="An invalid or unknown parameter: each named, with the reason or the accepted names."
)
_NOT_FOUND = OpenApiResponse(_ERROR, description="No such published record.")
# Answered by the HTTP server in front (gunicorn refuses a request line over 4 KB), not by the API.
_TOO_LONG = OpenApiResponse(description="The URL is longer than the server accepts; send fewer or shorter values.")


def _fields_parameter(serializer: type, *, geojson: bool = False) -> OpenApiParameter:
    """``fields=`` for records of ``serializer``, naming the fields there are."""
    names = ", ".join(f"`{name}`" for name in serializer.Meta.fields)
    geometry = (
        " In GeoJSON a feature keeps its `id` and geometry, and its properties are the fields named." if geojson else ""
    )
    return OpenApiParameter(
        "fields",
        # As long as every name once: a longer value can only repeat or misspell, and the bound keeps
        # a URL with every filter at its longest inside a server's request line (gunicorn: 4,094 bytes).
        {"type": "string", "maxLength": len(",".join(serializer.Meta.fields))},
        description="Only these fields of each record, comma-separated (`fields=id,title`), written in the "
        f"record's own order; any other name is a 400 naming it. Without it, every field. Fields: {names}."
        f"{geometry}",
    )


def _list_schema(serializer: type, summary: str, *, parameters: list | None = None, **kwargs: Any) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[*(parameters or []), _fields_parameter(serializer)],
        responses={200: serializer(many=True), 400: _BAD_REQUEST, 414: _TOO_LONG, 429: _THROTTLED},
        **kwargs,
    )


def _detail_schema(serializer: type, summary: str) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[_fields_parameter(serializer)],
        responses={200: serializer, 400: _BAD_REQUEST, 404: _NOT_FOUND, 414: _TOO_LONG, 429: _THROTTLED},
    )


def _every_published_incident() -> QuerySet:
    """The unfiltered list's rows, in the default order."""
    return selection.Selection({}).incidents


@extend_schema_view(
    list=extend_schema(
        summary="Published incidents",
        description="Filter with the same parameters as /incidents/; `order` sets the sort. "
        "Add `format=geojson` (or use /api/v1/incidents.geojson) for an RFC 7946 FeatureCollection. "
        "One actor against another: `actor_a=<slug>&actor_b=<slug>` for each on the side named, or "
        "`actor=<slug>&against=<slug>` for the two on opposite sides whichever way round. "
        "`count` is how many incidents the filters select: exact up to "
        f"{KEYSET_COUNT_LIMIT:,}, beyond that (or if counting takes too long) the database's estimate, "
        "and then `count_is_estimate` is true.",
        parameters=[_FORMAT_PARAMETER, _fields_parameter(IncidentListSerializer, geojson=True)],
        responses={
            (200, "application/json"): IncidentListSerializer(many=True),
            (200, "application/geo+json"): GeoJSONFeatureCollectionSerializer,
            400: _BAD_REQUEST,
            404: OpenApiResponse(_ERROR, description="Unknown format."),
            414: _TOO_LONG,
            429: _THROTTLED,
        },
    ),
    retrieve=extend_schema(
        summary="One published incident, with actors, claims (each with its citations), sources and related incidents",
        parameters=[_FORMAT_PARAMETER, _fields_parameter(IncidentDetailSerializer, geojson=True)],
        responses={
            (200, "application/json"): IncidentDetailSerializer,
            (200, "application/geo+json"): GeoJSONFeatureSerializer,
            400: _BAD_REQUEST,
            404: _NOT_FOUND,
            414: _TOO_LONG,
            429: _THROTTLED,
        },
    ),
)
class IncidentViewSet(ReadOnlyViewSet):
    action_params = {**ReadOnlyViewSet.action_params, "retracted": selection.API_PAGING_PARAMS | {"since"}}
    renderer_classes = [*api_settings.DEFAULT_RENDERER_CLASSES, GeoJSONRenderer]

    def get_queryset(self) -> QuerySet:
        queryset = Incident.objects.published()
        if self.action == "retrieve":
            return queryset.for_detail().prefetch_related(public_corrections())
        return queryset

    def get_serializer_class(self) -> type[ModelSerializer]:
        if self.action == "retrieve":
            return IncidentDetailSerializer
        if self.action == "retracted":
            return RetractionSerializer
        return IncidentListSerializer

    @staticmethod
    def select(queryset: QuerySet, chosen: selection.Selection) -> QuerySet:
        return chosen.incidents

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = self.get_object()
        relations = IncidentRelation.objects.public_of(incident).order_by("pk")
        context = {**self.get_serializer_context(), "relations": relations}
        if "fields" in context and isinstance(request.accepted_renderer, GeoJSONRenderer):
            context["fields"] = (*context["fields"], *GEOJSON_FIELDS)
        return Response(IncidentDetailSerializer(incident, context=context).data)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if self.selection.params or request.query_params.get(self.paginator.cursor_query_param):
            queryset = self.filter_queryset(self.get_queryset())
            page = self.paginator.page_queryset(queryset, request, keys_only=True)
        else:  # the first page of every published incident, newest first: the same for everyone
            page = self.paginator.shared_first_page(_every_published_incident, request)
        fields = self.requested_fields or listing.LIST_FIELDS
        if isinstance(request.accepted_renderer, GeoJSONRenderer):
            fields = (*fields, *GEOJSON_FIELDS)  # a feature's id and geometry, whatever its properties
        # Unfiltered, the list is every published incident, which the database keeps counted:
        # the count comes with the page, in its statement.
        unfiltered = not self.selection.selects_rows
        rows = self.paginator.take_page(listing.page_items(page, self.paginator.keys, fields, with_total=unfiltered))
        if unfiltered and rows:
            self.paginator.count = Count(rows[0]["total"], is_estimate=False)
        renderer = request.accepted_renderer
        if isinstance(renderer, JSONRenderer) and renderer.places_fragments(request.accepted_media_type):
            items = [orjson.Fragment(listing.item_json(row)) for row in rows]
        else:  # GeoJSON, pretty-printed JSON and the browsable API build their text from objects
            items = [orjson.loads(listing.item_json(row)) for row in rows]
        return self.get_paginated_response(items)

    @extend_schema(
        summary="Retracted incidents, for mirrors to delete",
        responses={200: RetractionSerializer(many=True), 400: _BAD_REQUEST, 414: _TOO_LONG, 429: _THROTTLED},
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, description="Only retractions at or after this time (ISO 8601)."
            )
        ],
        filters=False,
    )
    @action(detail=False, filter_backends=[], renderer_classes=api_settings.DEFAULT_RENDERER_CLASSES)
    def retracted(self, request: Request) -> Response:
        queryset = Incident.objects.retracted().order_by("retracted_at", "id")
        since = request.query_params.get("since")
        if since is not None:
            queryset = queryset.filter(retracted_at__gte=_utc_datetime("since", since))
        # A duplicate names the incident it was merged into while that one has a public page.
        public_merged_into = Case(
            When(merged_into__status__in=[Status.PUBLISHED, Status.RETRACTED], then=F("merged_into_id")), default=None
        )
        queryset = queryset.only("id", "retracted_at", "retraction_notice").annotate(
            public_merged_into=public_merged_into
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RetractionSerializer(page, many=True).data)


@extend_schema_view(
    list=_list_schema(ActorSerializer, "Published actors; with incident filters, those in the matching incidents"),
    retrieve=_detail_schema(ActorDetailSerializer, "One published actor, with aliases and relations"),
)
class ActorViewSet(ReadOnlyViewSet):
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet:
        return Actor.objects.published().prefetch_related("aliases").order_by("id")

    def get_serializer_class(self) -> type[ModelSerializer]:
        return ActorDetailSerializer if self.action == "retrieve" else ActorSerializer

    @staticmethod
    def select(queryset: QuerySet, chosen: selection.Selection) -> QuerySet:
        return queryset if chosen.scope is None else queryset.involved_in(chosen.scope)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = self.get_object()
        relations = ActorRelation.objects.public_of(actor)
        serializer = ActorDetailSerializer(actor, context={**self.get_serializer_context(), "relations": relations})
        return Response(serializer.data)


@extend_schema_view(
    list=_list_schema(SourceSerializer, "Published sources; confidential ones show only their kind"),
    retrieve=_detail_schema(SourceSerializer, "One published source"),
)
class SourceViewSet(ReadOnlyViewSet):
    serializer_class = SourceSerializer

    def get_queryset(self) -> QuerySet:
        return Source.objects.published().order_by("id")

    @staticmethod
    def select(queryset: QuerySet, chosen: selection.Selection) -> QuerySet:
        return queryset if chosen.scope is None else queryset.cited_by(chosen.scope)


@extend_schema_view(
    list=_list_schema(
        ClaimSerializer,
        "Claims about published incidents",
        parameters=[
            OpenApiParameter(
                "incident",
                {"type": "integer", "minimum": 1, "maximum": BIGINT_MAX},
                description="Only this incident's claims.",
            )
        ],
    ),
    retrieve=_detail_schema(ClaimSerializer, "One claim about a published incident"),
)
class ClaimViewSet(ReadOnlyViewSet):
    serializer_class = ClaimSerializer
    action_params = {
        **ReadOnlyViewSet.action_params,
        "list": selection.API_PAGING_PARAMS | selection.FIELDS_PARAMS | {"incident"},
    }

    def get_queryset(self) -> QuerySet:
        queryset = Claim.objects.published().for_list().order_by("id")
        incident = self.request.query_params.get("incident")
        if incident is not None and self.action == "list":
            try:
                incident_id = BoundedIntegerField(min_value=1, max_value=BIGINT_MAX).clean(incident)
            except DjangoValidationError as invalid:
                raise ValidationError({"incident": invalid.messages}) from None
            queryset = queryset.filter(incident_id=incident_id)
        return queryset

    @staticmethod
    def select(queryset: QuerySet, chosen: selection.Selection) -> QuerySet:
        return queryset if chosen.scope is None else queryset.of_incidents(chosen.scope)


@extend_schema_view(
    list=_list_schema(
        PersonSerializer,
        "People who speak in published claims",
        description="`q` finds people by the words of their name or of any other spelling, whatever the "
        "accents and case. A person whose identity is protected is never listed.",
        parameters=[OpenApiParameter("q", {"type": "string", "maxLength": TEXT_MAX}, description="Words of a name.")],
        filters=False,
    ),
    retrieve=_detail_schema(PersonSerializer, "One person who speaks in published claims"),
)
class PersonViewSet(ReadsOnly, BatchedThrottles, FieldsMixin, viewsets.ReadOnlyModelViewSet):
    """People, searched by name. The incident filters do not apply: ``q`` here is words of a name.
    Like the other collections, it refuses any parameter it does not read."""

    serializer_class = PersonSerializer
    pagination_class = KeysetPagination
    lookup_field = "slug"
    filter_backends = []
    action_params = {
        "list": selection.API_PAGING_PARAMS | selection.FIELDS_PARAMS | {"q"},
        "retrieve": selection.FIELDS_PARAMS,
    }

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, permissions and throttles first
        accepted = selection.FORMAT_PARAMS | self.action_params.get(self.action, frozenset())
        errors = selection.unknown_params(request.query_params, accepted)
        text = request.query_params.get("q", "") if self.action == "list" else ""
        if len(text) > TEXT_MAX:
            errors["q"] = [f"At most {TEXT_MAX} characters are searched."]
        if "fields" in accepted and "fields" not in errors:
            errors.update(self.fields_errors())
        if errors:
            raise ValidationError(errors)

    def get_queryset(self) -> QuerySet:
        # An affiliation shows only when its actor is public too: it would reveal the actor.
        public_actor = Actor.objects.published().filter(pk=OuterRef("actor_id"))
        affiliations = (
            PersonAffiliation.objects.filter(Exists(public_actor)).select_related("actor").order_by("start_date", "pk")
        )
        people = Person.objects.public().prefetch_related(
            Prefetch("aliases", queryset=PersonAlias.objects.order_by("name")),
            Prefetch("affiliations", queryset=affiliations),
        )
        text = self.request.query_params.get("q", "").strip()
        if text and self.action == "list":
            people = people.filter(pk__in=matching_person_ids(text))
        return people.order_by("id")
