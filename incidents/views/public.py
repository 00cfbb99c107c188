"""Public pages. Every queryset starts from a ``published()``/``with_public_page()`` method.

Views only wire things together: visibility lives in the QuerySets, estimates in
``reconcile``, counts in ``facets``, the change log in ``changelog``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import DetailView, ListView, TemplateView

from incidents import reconcile
from incidents.changelog import incident_changelog
from incidents.charts import month_histogram
from incidents.facets import Count as FacetCount
from incidents.facets import Facets, country_name, data_stamp, facets_for, holdings
from incidents.filters import ORDERING_CHOICES, TEXT_MAX
from incidents.models import (
    Actor,
    ActorAlias,
    ActorKind,
    ActorRelation,
    Claim,
    ClaimKind,
    DatePrecision,
    EventType,
    GeoPrecision,
    Grading,
    Incident,
    IncidentSource,
    Reliability,
    Side,
    Source,
    SourceKind,
    Stance,
    Status,
    SubEventType,
    Verification,
)
from incidents.pagination import Page, keyset_page
from incidents.search import matching_actor_ids
from incidents.selection import Selection

PAGE_SIZE = 50


# --- helpers shared by the pages -------------------------------------------------------------


def filter_query(query: QueryDict, drop: set[str], **replace: str) -> str:
    """``query`` re-encoded without ``drop`` and with ``replace``d values (for links)."""
    kept = query.copy()
    for name in drop | set(replace):
        kept.pop(name, None)
    for name, value in replace.items():
        if value:
            kept[name] = value
    for name in list(kept):
        if not any(v.strip() for v in kept.getlist(name)):
            kept.pop(name)
    return kept.urlencode()


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def selected_values(query: QueryDict, name: str) -> set[str]:
    return {item.strip() for value in query.getlist(name) for item in value.split(",") if item.strip()}


def map_points(incidents: list[Incident]) -> list[dict[str, Any]]:
    return [
        {
            "id": incident.pk,
            "title": incident.title,
            "date": incident.start_date.isoformat(),
            "lat": incident.latitude,
            "lon": incident.longitude,
            "url": incident.get_absolute_url(),
        }
        for incident in incidents
        if incident.latitude is not None
    ]


def map_data(*, points: list[dict[str, Any]], cells: list[tuple[float, float, int]] | None = None) -> dict[str, Any]:
    return {
        "tiles": settings.ARCHIVE_TILE_URL,
        "attribution": settings.ARCHIVE_TILE_ATTRIBUTION,
        "points": points,
        "cells": [[lat, lon, count] for lat, lon, count in cells or []],
    }


def json_ld(data: dict[str, Any], nonce: str = "") -> SafeString:
    """A schema.org block; <, > and & are escaped so editor text cannot close the script."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    text = text.translate({ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"})
    nonce_attr = format_html(' nonce="{}"', nonce) if nonce else ""
    return format_html('<script type="application/ld+json"{}>{}</script>', nonce_attr, mark_safe(text))


@dataclass
class Option:
    value: str
    label: str
    count: int | None
    checked: bool


@dataclass
class FacetGroup:
    name: str
    legend: str
    options: list[Option]


def facet_group(name: str, legend: str, counts: list, query: QueryDict, labels: dict[str, str] | None = None):
    """A checkbox group: the counted values, plus any selected value with no result left."""
    chosen = selected_values(query, name)
    options = [Option(c.value, c.label, c.count, c.value in chosen) for c in counts]
    listed = {option.value for option in options}
    for value in sorted(chosen - listed):
        options.append(Option(value, (labels or {}).get(value, value), 0, True))
    return FacetGroup(name, legend, options)


# --- pages -------------------------------------------------------------------------------------


class HomeView(TemplateView):
    template_name = "incidents/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        published = Incident.objects.published()
        stamp = data_stamp()  # one read for the counts and the holdings
        facets = facets_for(published, {}, stamp)
        latest = list(
            published.for_list().defer("search_document", "internal_notes").order_by("-start_date", "-id")[:8]
        )
        event_types = facets.event_types
        if not facets.exact:
            # Counting everything took too long: offer the types without their counts.
            event_types = [FacetCount(t.slug, t.name, None) for t in EventType.objects.order_by("name")]
        context.update(
            facets=facets,
            event_types=event_types,
            counts=holdings(stamp, from_snapshot=facets.from_snapshot or not facets.exact),
            latest=latest,
            histogram=month_histogram(facets.months),
            map_data=map_data(points=map_points(latest), cells=facets.cells),
        )
        return context


class IncidentListView(TemplateView):
    """Search, filters with counts, map, timeline and keyset-paginated results.

    A filter the page cannot apply (a number past its range, an unknown event type) is shown
    in the form with its reason, with no results and a 400, as the API and the CSV answer it.
    """

    template_name = "incidents/incident_list.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.selection = Selection(request.GET)
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=200 if self.selection.is_valid else 400)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query, chosen = self.request.GET, self.selection
        if chosen.is_valid:
            results = chosen.incidents.for_list().defer("search_document", "internal_notes")
            page = keyset_page(results, after=query.get("after"), before=query.get("before"), size=PAGE_SIZE)
            facets = facets_for(chosen.incidents, chosen.result_set_params)
        else:
            page, facets = Page(rows=[], next_cursor=None, previous_cursor=None, is_first=True), Facets(total=0)
        rows_query = chosen.query_string()
        context.update(
            filterset=chosen.filterset,
            form=chosen.filterset.form,
            page=page,
            facets=facets,
            groups=self.facet_groups(facets, query),
            histogram=month_histogram(facets.months),
            timeline_base=chosen.query_string(drop={"date_from", "date_to"}),
            map_data=map_data(points=map_points(page.rows), cells=facets.cells),
            ordering_choices=ORDERING_CHOICES,
            current_order=query.get("order", ""),
            rows_query=rows_query,
            csv_url=_with_query(reverse("export-csv", args=["incidents"]), rows_query),
            api_url=_with_query(reverse("api-incident-list"), rows_query),
            next_url=f"?{chosen.query_string(after=page.next_cursor)}" if page.next_cursor else "",
            previous_url=f"?{chosen.query_string(before=page.previous_cursor)}" if page.previous_cursor else "",
            first_url=f"?{rows_query}" if not page.is_first else "",
            has_filters=bool(chosen.result_set_params),
            country_text=",".join(sorted(selected_values(query, "country"))),
            side_choices=Side.choices,
            source_kinds=[
                Option(value, label, None, value in selected_values(query, "source_kind"))
                for value, label in SourceKind.choices
            ],
        )
        return context

    def facet_groups(self, facets: Facets, query: QueryDict) -> list[FacetGroup]:
        if not facets.exact:
            return self.uncounted_groups(query)
        return [
            facet_group(
                "country",
                "Country",
                facets.countries,
                query,
                {code: country_name(code) for code in selected_values(query, "country")},
            ),
            facet_group("event_type", "Event type", facets.event_types, query),
            facet_group("sub_event_type", "Sub-event type", facets.sub_event_types, query),
            facet_group("grading", "Evidence grading", facets.gradings, query, dict(Grading.choices)),
            facet_group("actor_kind", "Actor kind", facets.actor_kinds, query, dict(ActorKind.choices)),
            facet_group("actor", "Actor", facets.actors, query),
            facet_group("tag", "Tag", facets.tags, query),
        ]

    def uncounted_groups(self, query: QueryDict) -> list[FacetGroup]:
        """The same choices without counts, for a result set too large to count in time."""

        def group(name: str, legend: str, choices: list[tuple[str, str]]) -> FacetGroup:
            chosen = selected_values(query, name)
            return FacetGroup(name, legend, [Option(v, label, None, v in chosen) for v, label in choices])

        subs = list(SubEventType.objects.select_related("event_type").order_by("event_type__name", "name"))
        event_types = {sub.event_type.slug: sub.event_type.name for sub in subs}
        return [
            group("event_type", "Event type", list(event_types.items())),
            group("sub_event_type", "Sub-event type", [(sub.slug, sub.name) for sub in subs]),
            group("grading", "Evidence grading", Grading.choices),
            group("actor_kind", "Actor kind", ActorKind.choices),
        ]


class IncidentDetailView(DetailView):
    template_name = "incidents/incident_detail.html"
    context_object_name = "incident"

    def get_queryset(self):
        return Incident.objects.with_public_page().for_detail()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        incident: Incident = self.object
        if incident.status == Status.RETRACTED:
            return context
        claims = list(incident.claims.all())
        # The prefetched claims feed the proposal: no query per claim.
        proposal = reconcile.propose_for_claims(claims)
        links = list(incident.incident_actors.all())
        context.update(
            claims=claims,
            claim_groups=claim_groups(claims),
            proposal=proposal,
            sides=[(label, [link for link in links if link.side == side]) for side, label in Side.choices],
            sources=[link.source for link in incident.incident_sources.all()],
            changes=incident_changelog(incident),
            country=country_name(incident.country),
            map_data=map_data(points=map_points([incident])),
            json_ld=json_ld(incident_json_ld(incident, self.request), getattr(self.request, "csp_nonce", "")),
            citation=citation(incident, self.request),
            csv_url=f"/export/incidents.csv?id={incident.pk}",
            claims_csv_url=f"/export/claims.csv?id={incident.pk}",
            api_url=f"/api/v1/incidents/{incident.pk}/",
        )
        return context


@dataclass
class ClaimGroup:
    """Claims about the same thing (kind and whose losses), to be read side by side."""

    title: str
    claims: list[Claim]

    @property
    def conflicting(self) -> bool:
        """Two credible claims that cannot both be true (one's low above another's high)."""
        credible = [
            c
            for c in self.claims
            if c.quantity_low is not None and c.verification not in (Verification.REFUTED, Verification.DISPUTED)
        ]
        highs = [c.quantity_high for c in credible if c.quantity_high is not None]
        return bool(credible and highs) and max(c.quantity_low for c in credible) > min(highs)


def claim_groups(claims: list[Claim]) -> list[ClaimGroup]:
    groups: dict[tuple[str, str, int | None], ClaimGroup] = {}
    for claim in claims:
        key = (claim.kind, claim.losses_of, claim.losses_actor_id)
        if key not in groups:
            about = claim.get_kind_display()
            if claim.kind in {ClaimKind.RESPONSIBILITY, ClaimKind.OCCURRENCE, ClaimKind.OTHER}:
                title = about
            else:
                title = f"{about}: {claim.losses_label}"
            groups[key] = ClaimGroup(title=title, claims=[])
        groups[key].claims.append(claim)
    return list(groups.values())


def incident_json_ld(incident: Incident, request) -> dict[str, Any]:
    url = request.build_absolute_uri(incident.get_absolute_url())
    place: dict[str, Any] = {
        "@type": "Place",
        "name": ", ".join(p for p in (incident.location, incident.admin2, incident.admin1) if p),
        "address": {"@type": "PostalAddress", "addressCountry": incident.country, "addressRegion": incident.admin1},
    }
    if incident.latitude is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": incident.latitude, "longitude": incident.longitude}
    return {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": url,
        "url": url,
        "identifier": str(incident.pk),
        "name": incident.title,
        "description": incident.summary,
        "startDate": incident.start_date,
        "endDate": incident.end_date,
        "eventStatus": "https://schema.org/EventScheduled",
        "location": place,
        "keywords": [incident.event_type.name, incident.sub_event_type.name, *incident.tags],
        "isPartOf": {"@type": "Dataset", "name": settings.ARCHIVE_NAME},
        "dateModified": incident.updated_at,
        "datePublished": incident.published_at,
    }


def citation(incident: Incident, request) -> str:
    url = request.build_absolute_uri(incident.get_absolute_url())
    published = f"{incident.published_at:%-d %B %Y}" if incident.published_at else "unpublished"
    return (
        f"{settings.ARCHIVE_NAME}. “{incident.title}”. Incident {incident.pk}, "
        f"published {published}, last updated {incident.updated_at:%-d %B %Y}. {url}"
    )


class ActorListView(ListView):
    template_name = "incidents/actor_list.html"
    context_object_name = "actors"
    paginate_by = 100

    def get_queryset(self):
        actors = Actor.objects.published().prefetch_related(
            Prefetch("aliases", queryset=ActorAlias.objects.order_by("name"))
        )
        kind = self.request.GET.get("kind", "")
        if kind in ActorKind.values:
            actors = actors.filter(kind=kind)
        text = self.request.GET.get("q", "").strip()
        if len(text) > TEXT_MAX:
            raise BadRequest(f"The search 'q' is {len(text):,} characters long; at most {TEXT_MAX} are searched.")
        if text:
            actors = actors.filter(pk__in=matching_actor_ids(text))
        return actors.order_by("name", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            kinds=ActorKind.choices,
            current_kind=self.request.GET.get("kind", ""),
            text=self.request.GET.get("q", ""),
            page_query=filter_query(self.request.GET, drop={"page"}),
        )
        return context


class ActorDetailView(DetailView):
    template_name = "incidents/actor_detail.html"
    context_object_name = "actor"

    def get_queryset(self):
        return Actor.objects.published().prefetch_related(
            Prefetch("aliases", queryset=ActorAlias.objects.order_by("language", "name"))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor: Actor = self.object
        relations = list(
            ActorRelation.objects.filter(Q(subject=actor) | Q(object=actor))
            .select_related("subject", "object")
            .order_by("start_date", "pk")
        )
        # Only relations whose other end is itself public.
        others = {r.object_id if r.subject_id == actor.pk else r.subject_id for r in relations}
        public = set(Actor.objects.published().filter(pk__in=others).values_list("pk", flat=True)) if others else set()
        relations = [r for r in relations if (r.object_id if r.subject_id == actor.pk else r.subject_id) in public]
        # The same result set as /incidents/?actor=<slug>, so the counts are cached once for both.
        chosen = Selection({"actor": actor.slug}).validated()
        facets = facets_for(chosen.incidents, chosen.result_set_params)
        recent = list(chosen.incidents.for_list().defer("search_document", "internal_notes")[:20])
        # Newest recorded first: the primary key order needs no sort over every claim.
        claims = list(
            Claim.objects.published()
            .filter(claimant=actor)
            .select_related("incident", "source", "losses_actor")
            .order_by("-pk")[:50]
        )
        context.update(
            relations=relations,
            histogram=month_histogram(facets.months),
            facets=facets,
            timeline_base=f"actor={actor.slug}",
            recent=recent,
            claims=claims,
            country=country_name(actor.country) if actor.country else "",
            incidents_url=f"{reverse('incident-list')}?actor={actor.slug}",
        )
        return context


class SourceDetailView(DetailView):
    template_name = "incidents/source_detail.html"
    context_object_name = "source"

    def get_queryset(self):
        return Source.objects.published()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source: Source = self.object
        context["claims"] = list(
            Claim.objects.published()
            .filter(source=source)
            .select_related("incident", "claimant", "losses_actor")
            .order_by("-incident__start_date", "incident_id", "pk")[:200]
        )
        context["incidents"] = list(
            Incident.objects.published()
            .filter(
                pk__in=IncidentSource.objects.filter(source=source)
                .values("incident_id")
                .union(Claim.objects.filter(source=source).values("incident_id"))
            )
            .only("id", "title", "start_date", "country")
            .order_by("-start_date", "-id")[:200]
        )
        return context


GRADING_NOTES = {
    Grading.CONFIRMED: "The incident and its main figures are established by independent, credible sources "
    "or acknowledged by the party responsible.",
    Grading.FAIR: "Two or more credible sources report the incident and broadly agree on what happened.",
    Grading.WEAK: "A single source, or sources that cannot be checked, report the incident.",
    Grading.CONTESTED: "Credible sources disagree on what happened or who is responsible.",
    Grading.DISCOUNTED: "The archive judges the reports unreliable or refuted; the record is kept for transparency.",
}


class MethodologyView(TemplateView):
    template_name = "incidents/methodology.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            rules=reconciliation_rules(),
            gradings=[(value, label, GRADING_NOTES[value]) for value, label in Grading.choices],
            date_precisions=DatePrecision.choices,
            geo_precisions=GeoPrecision.choices,
            verifications=Verification.choices,
            stances=Stance.choices,
            reliabilities=Reliability.choices,
            source_kinds=SourceKind.choices,
            claim_kinds=ClaimKind.choices,
            actor_kinds=ActorKind.choices,
            event_types=EventType.objects.prefetch_related(
                Prefetch("sub_event_types", queryset=SubEventType.objects.order_by("name"))
            ).order_by("name"),
        )
        return context


def reconciliation_rules() -> list[str]:
    """The numbered rules of ``incidents.reconcile``'s docstring, one string per rule."""
    doc = reconcile.__doc__ or ""
    rules: list[str] = []
    for line in doc.splitlines():
        stripped = line.strip()
        match = re.match(r"^\d+\.\s+(.*)", stripped)
        if match:
            rules.append(match.group(1))
        elif rules and stripped:
            rules[-1] += " " + stripped
        elif rules and not stripped:
            break
    return rules
