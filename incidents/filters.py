"""The one filter vocabulary: the same query string selects the same incidents on the
public list, in the API and in every CSV export."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from incidents.keyset import SortKey
from incidents.models import (
    ActorKind,
    Citation,
    EventType,
    Grading,
    Incident,
    IncidentActor,
    IncidentSource,
    Side,
    SourceKind,
    SubEventType,
)
from incidents.search import search_incidents

ORDERING_CHOICES = [
    ("-date", _("Newest first")),
    ("date", _("Oldest first")),
    ("-fatalities", _("Most fatalities first")),
    ("fatalities", _("Fewest fatalities first")),
    ("-modified", _("Recently modified first")),
    ("relevance", _("Best match (with a search)")),
]
ORDERING_FIELDS = {
    "-date": ["-start_date", "-id"],
    "date": ["start_date", "id"],
    "-fatalities": ["-fatalities_best", "-id"],
    "fatalities": ["fatalities_best", "id"],
    "-modified": ["-updated_at", "-id"],
}
DEFAULT_ORDERING = ORDERING_FIELDS["-date"]


# The largest values the columns compared with a filter can hold: PostgreSQL's bigint (ids)
# and integer (figures). A larger number in a query string is a 400, not a query.
BIGINT_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1
# The longest text a filter takes: a search, a name or a slug, never a document.
TEXT_MAX = 500
SIDE_MAX = 200


def order_expressions(ordering: list[str]) -> list[OrderBy]:
    """``ordering`` (field names, ``-`` for descending) as ORDER BY terms, unknown values last."""
    return [SortKey.parse(spec, Incident).order_expression() for spec in ordering]


class RepeatableCSVWidget(django_filters.widgets.CSVWidget):
    """Reads ``?country=ML,BF`` and ``?country=ML&country=BF`` (checkbox lists) alike."""

    def value_from_datadict(self, data: Mapping[str, Any], files: Mapping[str, Any], name: str) -> list[str] | None:
        if hasattr(data, "getlist") and name in data:
            values = [item for value in data.getlist(name) for item in value.split(",")]
            return [value for value in values if value.strip()]
        return super().value_from_datadict(data, files, name)


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Comma-separated values, also accepted as repeated parameters; each at most ``TEXT_MAX`` long."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", RepeatableCSVWidget)
        kwargs.setdefault("max_length", TEXT_MAX)
        super().__init__(*args, **kwargs)


def _whole_number_message(min_value: int, max_value: int) -> str:
    return gettext("A whole number from %(min)s to %(max)s.") % {"min": min_value, "max": max_value}


_whole_number = lazy(_whole_number_message, str)


class BoundedIntegerField(forms.IntegerField):
    """A whole number from ``min_value`` to ``max_value``; any other value is an error naming
    that range (``1.5``, ``1e3``, ``NaN``, a number past 64 bits)."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        # Lazy: filters are declared once, and the message is read in the language of each request.
        message = _whole_number(min_value, max_value)
        self.error_messages["invalid"] = message
        for validator in self.validators:
            if isinstance(validator, MinValueValidator | MaxValueValidator):
                validator.message = message


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within ``min_value``..``max_value``, the column's range by default."""

    field_class = BoundedIntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", INTEGER_MAX)
        super().__init__(*args, **kwargs)


class IntegerInFilter(django_filters.BaseInFilter, IntegerFilter):
    """Comma-separated whole numbers, also accepted as repeated parameters."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", RepeatableCSVWidget)
        super().__init__(*args, **kwargs)


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 timestamp, converted to UTC; one that falls outside years 1 to 9999 once in
    UTC (``9999-12-31T23:59:59-23:59``) is an error rather than a query PostgreSQL refuses."""

    def to_python(self, value: object) -> datetime.datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                gettext("A timestamp between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z once converted to UTC."),
                code="out_of_range",
            ) from None


class UTCDateTimeFilter(django_filters.Filter):
    field_class = UTCDateTimeField


@extend_schema_field(OpenApiTypes.STR)
class SlugMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Chosen by slug in the URL, filtered by primary key in SQL (so the foreign-key index serves)."""

    def get_filter_predicate(self, v: Model | None) -> dict[str, Model | None]:
        # The base class would compare the foreign key column with the slug itself.
        return {self.field_name: v}


def _links_on(side: str) -> QuerySet:
    return IncidentActor.objects.filter(incident=OuterRef("pk"), side=side)


class IncidentFilterForm(forms.Form):
    """The filter's form: checks what one parameter means for another."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("against") and not cleaned.get("actor"):
            self.add_error("against", gettext("'against' names the other side of an 'actor': add actor=<slug>."))
        return cleaned


class IncidentFilter(django_filters.FilterSet):
    id = IntegerInFilter(
        field_name="id",
        label=_("Incident id"),
        help_text="Incident ids, comma-separated (12,40).",
        min_value=1,
        max_value=BIGINT_MAX,
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=TEXT_MAX,
        label=_("Search"),
        help_text="Words in the title, place or summary, or an actor's name or alias in any language.",
    )
    date_from = django_filters.DateFilter(
        field_name="end_date",
        lookup_expr="gte",
        label=_("From"),
        help_text="Incidents ending on or after (YYYY-MM-DD).",
    )
    date_to = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label=_("To"), help_text="Incidents starting on or before."
    )
    country = CharInFilter(
        method="filter_country",
        label=_("Country"),
        help_text="ISO 3166-1 alpha-2 codes, comma-separated (ML,BF).",
        validators=[RegexValidator(r"^\s*[A-Za-z]{2}\s*$", _("An ISO 3166-1 alpha-2 country code such as ML or BF."))],
    )
    admin1 = django_filters.CharFilter(
        field_name="admin1", lookup_expr="iexact", label=_("Region (admin1)"), max_length=TEXT_MAX
    )
    event_type = SlugMultipleChoiceFilter(
        field_name="event_type",
        to_field_name="slug",
        queryset=EventType.objects.all(),
        label=_("Event type"),
        help_text="Event type slug, e.g. battles.",
    )
    sub_event_type = SlugMultipleChoiceFilter(
        field_name="sub_event_type",
        to_field_name="slug",
        queryset=SubEventType.objects.all(),
        label=_("Sub-event type"),
        help_text="Sub-event type slug, e.g. armed-clash.",
    )
    actor = CharInFilter(method="filter_actor", label=_("Actor"), help_text="Actor slug(s); with 'side', on that side.")
    actor_kind = django_filters.MultipleChoiceFilter(
        choices=ActorKind.choices, method="filter_actor_kind", label=_("Actor kind")
    )
    side = django_filters.ChoiceFilter(
        choices=Side.choices,
        method="filter_noop",
        label=_("Side"),
        help_text="Narrows 'actor' and 'actor_kind' to actors on this side.",
    )
    # A few slugs each (an actor's slug is at most 200 characters): with every filter at its longest,
    # a URL still fits a server's request line.
    actor_a = CharInFilter(
        method="filter_actor_a",
        max_length=SIDE_MAX,
        label=_("Actor on side A"),
        help_text="Actor slug(s) on side A; with actor_b, incidents of these actors against those.",
    )
    actor_b = CharInFilter(
        method="filter_actor_b", max_length=SIDE_MAX, label=_("Actor on side B"), help_text="Actor slug(s) on side B."
    )
    against = CharInFilter(
        method="filter_against",
        max_length=SIDE_MAX,
        label=_("Against"),
        help_text="Actor slug(s) on the side opposite an 'actor', whichever side each is on "
        "(with 'side', the 'actor' is on that side). Needs 'actor'.",
    )
    fatalities_min = IntegerFilter(field_name="fatalities_best", lookup_expr="gte", label=_("Fatalities at least"))
    fatalities_max = IntegerFilter(field_name="fatalities_best", lookup_expr="lte", label=_("Fatalities at most"))
    grading = django_filters.MultipleChoiceFilter(choices=Grading.choices, label=_("Evidence grading"))
    contested = django_filters.BooleanFilter(
        field_name="contested", label=_("Contested only"), help_text="true for incidents whose claims disagree."
    )
    source_kind = django_filters.MultipleChoiceFilter(
        choices=SourceKind.choices, method="filter_source_kind", label=_("Source kind")
    )
    tag = CharInFilter(field_name="tags", method="filter_tag", label=_("Tag"), help_text="Tags, comma-separated.")
    modified_since = UTCDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Modified since"),
        help_text="ISO 8601 timestamp, for incremental sync.",
    )
    order = django_filters.ChoiceFilter(choices=ORDERING_CHOICES, method="filter_noop", label=_("Sort"))

    class Meta:
        model = Incident
        fields: list[str] = []
        form = IncidentFilterForm

    # --- filters that need more than a lookup ---------------------------------------------

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset  # applied together with another filter, or in filter_queryset()

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return search_incidents(queryset, value) if value else queryset

    def filter_country(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(country__in=[code.strip().upper() for code in value if code.strip()])

    def _side_links(self) -> QuerySet:
        links = IncidentActor.objects.filter(incident=OuterRef("pk"))
        side = self.form.cleaned_data.get("side")
        return links.filter(side=side) if side else links

    def filter_actor(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(Exists(self._side_links().filter(actor__slug__in=value)))

    def filter_actor_a(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(Exists(_links_on(Side.A).filter(actor__slug__in=value)))

    def filter_actor_b(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(Exists(_links_on(Side.B).filter(actor__slug__in=value)))

    def filter_against(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        """An 'actor' on one side and one of ``value`` on the other, in either orientation."""
        actors = self.form.cleaned_data.get("actor") or []
        opposite = IncidentActor.objects.filter(incident=OuterRef(OuterRef("pk")), actor__slug__in=value).exclude(
            side=OuterRef("side")
        )
        return queryset.filter(Exists(self._side_links().filter(actor__slug__in=actors).filter(Exists(opposite))))

    def filter_actor_kind(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(Exists(self._side_links().filter(actor__kind__in=value)))

    def filter_source_kind(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        cited = IncidentSource.objects.filter(incident=OuterRef("pk"), source__kind__in=value)
        claimed = Citation.objects.filter(claim__incident=OuterRef("pk"), source__kind__in=value)
        return queryset.filter(Exists(cited) | Exists(claimed))

    def filter_tag(self, queryset: QuerySet, name: str, value: list[str]) -> QuerySet:
        return queryset.filter(tags__contains=[tag.strip().lower() for tag in value if tag.strip()])

    def ordering(self) -> list[str]:
        """The fields the results are sorted by; the last one is unique, so pages are stable."""
        order = self.form.cleaned_data.get("order") or ""
        if order == "relevance" and self.form.cleaned_data.get("q"):
            return ["-rank", "-id"]
        return ORDERING_FIELDS.get(order, DEFAULT_ORDERING)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset).order_by(*order_expressions(self.ordering()))

    @classmethod
    def names_any_filter(cls, data: Mapping) -> bool:
        """Whether ``data`` has a parameter of this FilterSet; without one it selects everything, newest first."""
        return not data.keys().isdisjoint(cls.base_filters)
