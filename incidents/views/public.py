"""Public pages. Every queryset starts from a ``published()``/``with_public_page()`` method.

Views only wire things together: visibility lives in the QuerySets, the query string's
meaning in ``selection``, estimates in ``reconcile``, counts in ``facets``, the change log
in ``changelog``, and what a page shows of them in ``presenters``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.generic import DetailView, ListView, TemplateView

from incidents import reconcile
from incidents.changelog import incident_changelog, public_corrections
from incidents.charts import month_histogram
from incidents.countries import country_name
from incidents.facets import Count as FacetCount
from incidents.facets import Facets, data_stamp, facets_for, holdings
from incidents.filters import ORDERING_CHOICES, TEXT_MAX
from incidents.models import (
    INCIDENT_RELATION_INVERSE_LABELS,
    Actor,
    ActorAlias,
    ActorKind,
    ActorRelation,
    Attribution,
    Citation,
    Claim,
    ClaimKind,
    DatePrecision,
    EventType,
    GeoPrecision,
    Grading,
    Incident,
    IncidentRelation,
    IncidentRelationKind,
    IncidentSource,
    LossesOf,
    Movement,
    Person,
    PersonAffiliation,
    PersonAlias,
    Reliability,
    Side,
    Source,
    SourceKind,
    Stance,
    Status,
    SubEventType,
    TimePrecision,
    Verification,
)
from incidents.pagination import Page, keyset_page
from incidents.presenters import (
    GRADING_NOTES,
    citation,
    claim_groups,
    claims_by_kind,
    estimate_method_text,
    estimate_rows,
    facet_groups,
    filter_query,
    headline_estimate,
    incident_json_ld,
    json_ld,
    last_public_change,
    map_cells,
    map_data,
    map_points,
    reconciliation_rules,
    related_incidents,
    reported_time,
    selected_values,
    source_kind_options,
    with_figures,
    with_query,
)
from incidents.search import matching_actor_ids
from incidents.selection import Selection

PAGE_SIZE = 50


def _citations() -> Prefetch:
    """A claim's reports, with who carried them and who speaks in them."""
    return Prefetch("citations", queryset=Citation.objects.select_related("source", "speaker").order_by("pk"))


# --- helpers shared by the pages -------------------------------------------------------------


# How long a browser or a shared cache may keep a result set's counts. The server's own cache
# is keyed on the public data stamp, so it is never stale; a copy kept elsewhere may lag a
# publication by this long.
FACETS_MAX_AGE = 120
# The list page with its counts rendered in place, for a reader without JavaScript.
COUNTS_PARAM = "counts"


def facet_panel(chosen: Selection, query: QueryDict, facets: Facets | None) -> dict[str, Any]:
    """What the list page shows of a result set's counts: the filters with their counts, the
    total and the timeline; while they are being counted (``facets`` None), the filters'
    choices without counts, which work without them."""
    counted = facets or Facets(total=0, exact=False)
    return {
        "facets": facets,
        "form": chosen.filterset.form,
        "groups": facet_groups(counted, query),
        "histogram": month_histogram(counted.months),
        "timeline_base": chosen.query_string(drop={"date_from", "date_to"}),
        "country_text": ",".join(sorted(selected_values(query, "country"))),
    }


# --- pages -------------------------------------------------------------------------------------


class HomeView(TemplateView):
    template_name = "incidents/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        published = Incident.objects.published()
        stamp = data_stamp()  # one read for the counts and the holdings
        facets = facets_for(published, {}, stamp)
        latest = with_figures(
            list(published.for_list().defer("search_document", "internal_notes").order_by("-start_date", "-id")[:8])
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
    """Search, filters, map, timeline and keyset-paginated results; the counts come after.

    The page reads its rows and nothing it would have to count: the filters' counts, the
    total, the timeline and the map's density come from ``IncidentFacetsView``, which the
    page's script fetches once the rows are shown (or in place, with ``?counts=1``, for a
    reader without JavaScript).

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
        rows_query = chosen.query_string()
        facets, facets_url = None, ""
        if chosen.is_valid:
            results = chosen.incidents.for_list().defer("search_document", "internal_notes")
            page = keyset_page(results, after=query.get("after"), before=query.get("before"), size=PAGE_SIZE)
            with_figures(page.rows)
            if COUNTS_PARAM in query:
                facets = facets_for(chosen.incidents, chosen.result_set_params)
            else:
                facets_url = with_query(reverse("incident-facets"), rows_query)
        else:
            page, facets = Page(rows=[], next_cursor=None, previous_cursor=None, is_first=True), Facets(total=0)
        context.update(facet_panel(chosen, query, facets))
        context.update(
            filterset=chosen.filterset,
            page=page,
            facets_url=facets_url,
            counts_url=f"?{filter_query(query, set(), **{COUNTS_PARAM: '1'})}",
            counts_in_place=COUNTS_PARAM in query,
            map_data=map_data(points=map_points(page.rows), cells=facets.cells if facets else []),
            ordering_choices=ORDERING_CHOICES,
            current_order=query.get("order", ""),
            rows_query=rows_query,
            csv_url=with_query(reverse("export-csv", args=["incidents"]), rows_query),
            api_url=with_query(reverse("api-incident-list"), rows_query),
            next_url=f"?{chosen.query_string(after=page.next_cursor)}" if page.next_cursor else "",
            previous_url=f"?{chosen.query_string(before=page.previous_cursor)}" if page.previous_cursor else "",
            first_url=f"?{rows_query}" if not page.is_first else "",
            has_filters=bool(chosen.result_set_params),
            side_choices=Side.choices,
            source_kinds=source_kind_options(query),
        )
        return context


class IncidentFacetsView(TemplateView):
    """The list page's counts for the result set its query string selects: an HTML fragment
    of the filters with their counts, the total, the timeline and the map's density cells,
    which static/js/facets.js puts in their places on the page.

    The query string is read as the page reads it (``Selection``; a 400 with the reasons when
    it cannot be applied). The counts are ``facets_for``'s, cached there under the result
    set's name and the data stamp; the response may be kept for ``FACETS_MAX_AGE`` seconds,
    per language (the locale middleware adds ``Vary: Accept-Language, Cookie``).
    """

    template_name = "incidents/incident_facets.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        chosen = Selection(request.GET)
        if not chosen.is_valid:
            context = {"form": chosen.filterset.form}
            return render(request, "incidents/partials/_filter_errors.html", context, status=400)
        facets = facets_for(chosen.incidents, chosen.result_set_params)
        response = self.render_to_response(
            {**facet_panel(chosen, request.GET, facets), "cells": map_cells(facets.cells)}
        )
        patch_cache_control(response, public=True, max_age=FACETS_MAX_AGE)
        return response


class IncidentDetailView(DetailView):
    template_name = "incidents/incident_detail.html"
    context_object_name = "incident"

    def get_queryset(self) -> QuerySet[Incident]:
        return Incident.objects.with_public_page().for_detail().prefetch_related(public_corrections())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        target = self.object.merged_into_id
        if target is not None and Incident.objects.with_public_page().filter(pk=target).exists():
            # A merged duplicate's id lives on as a permanent pointer to the incident it joined,
            # while that incident has a public page; otherwise the duplicate's notice stands.
            return HttpResponsePermanentRedirect(reverse("incident-detail", kwargs={"pk": target}))
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        incident: Incident = self.object
        # Newest first, as the change log reads; a retracted incident's notice is corrected too.
        context["corrections"] = incident.public_corrections[::-1]
        if incident.status == Status.RETRACTED:
            return context
        claims = list(incident.claims.all())
        links = list(incident.incident_actors.all())
        # The prefetched claims and links feed the proposal: no query per claim.
        proposal = reconcile.propose_for_claims(claims, [(link.actor_id, link.side) for link in links])
        sides = [(label, [link for link in links if link.side == side]) for side, label in Side.choices]
        groups = claim_groups(claims)
        changes = incident_changelog(incident)
        updated = last_public_change(incident, changes, context["corrections"])
        context.update(
            claims=claims,
            claim_groups=groups,
            claim_sections=claims_by_kind(groups),
            proposal=proposal,
            sides=sides,
            headline=headline_estimate(incident),
            estimate_method=estimate_method_text(incident),
            estimate_rows=estimate_rows(incident, proposal, sides),
            reported_time=reported_time(incident),
            related=related_incidents(incident, list(IncidentRelation.objects.public_of(incident).order_by("pk"))),
            sources=[link.source for link in incident.incident_sources.all()],
            changes=changes,
            updated=updated,
            country=country_name(incident.country),
            map_data=map_data(points=map_points([incident])),
            json_ld=json_ld(incident_json_ld(incident, self.request, updated), getattr(self.request, "csp_nonce", "")),
            citation=citation(incident, self.request, updated),
            csv_url=with_query(reverse("export-csv", args=["incidents"]), f"id={incident.pk}"),
            claims_csv_url=with_query(reverse("export-csv", args=["claims"]), f"id={incident.pk}"),
            api_url=reverse("api-incident-detail", args=[incident.pk]),
        )
        return context


class ActorListView(ListView):
    template_name = "incidents/actor_list.html"
    context_object_name = "actors"
    paginate_by = 100

    def get_queryset(self) -> QuerySet[Actor]:
        actors = Actor.objects.published().prefetch_related(
            Prefetch("aliases", queryset=ActorAlias.objects.order_by("name"))
        )
        kind = self.request.GET.get("kind", "")
        if kind in ActorKind.values:
            actors = actors.filter(kind=kind)
        text = self.request.GET.get("q", "").strip()
        if len(text) > TEXT_MAX:
            raise BadRequest(
                gettext("The search 'q' is %(length)s characters long; at most %(limit)s are searched.")
                % {"length": f"{len(text):,}", "limit": TEXT_MAX}
            )
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

    def get_queryset(self) -> QuerySet[Actor]:
        return Actor.objects.published().prefetch_related(
            Prefetch("aliases", queryset=ActorAlias.objects.order_by("language", "name"))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        actor: Actor = self.object
        relations = list(ActorRelation.objects.public_of(actor).order_by("start_date", "pk"))
        # The same result set as /incidents/?actor=<slug>, so the counts are cached once for both.
        chosen = Selection({"actor": actor.slug}).validated()
        facets = facets_for(chosen.incidents, chosen.result_set_params)
        recent = with_figures(list(chosen.incidents.for_list().defer("search_document", "internal_notes")[:20]))
        # Newest recorded first: the primary key order needs no sort over every claim.
        claims = list(
            Claim.objects.published()
            .filter(claimant=actor)
            .select_related("incident", "losses_actor", "speaker")
            .prefetch_related(_citations())
            .order_by("-pk")[:50]
        )
        context.update(
            relations=relations,
            histogram=month_histogram(facets.months),
            facets=facets,
            timeline_base=chosen.query_string(),
            recent=recent,
            claims=claims,
            country=country_name(actor.country) if actor.country else "",
            incidents_url=with_query(reverse("incident-list"), chosen.query_string()),
        )
        return context


class SourceListView(TemplateView):
    """Published sources, newest entered first, a page at a time (keyset: no count, no offset).

    A confidential source is listed by its public label only. It is never found by the words
    it withholds (its outlet or title), and the order does not follow its withheld date.
    """

    template_name = "incidents/source_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET
        sources = Source.objects.published()
        kind = query.get("kind", "")
        if kind in SourceKind.values:
            sources = sources.filter(kind=kind)
        text = query.get("q", "").strip()
        if len(text) > TEXT_MAX:
            raise BadRequest(
                gettext("The search 'q' is %(length)s characters long; at most %(limit)s are searched.")
                % {"length": f"{len(text):,}", "limit": TEXT_MAX}
            )
        if text:
            sources = sources.matching_public_text(text)
        columns = ("id", "kind", "confidential", "outlet", "title", "author", "published_on", "language", "reliability")
        page = keyset_page(
            sources.only(*columns).order_by("-pk"), after=query.get("after"), before=query.get("before"), size=PAGE_SIZE
        )
        context.update(
            page=page,
            kinds=SourceKind.choices,
            current_kind=kind,
            text=text,
            next_url=f"?{filter_query(query, {'after', 'before'}, after=page.next_cursor)}" if page.next_cursor else "",
            previous_url=(
                f"?{filter_query(query, {'after', 'before'}, before=page.previous_cursor)}"
                if page.previous_cursor
                else ""
            ),
        )
        return context


class SourceDetailView(DetailView):
    template_name = "incidents/source_detail.html"
    context_object_name = "source"

    def get_queryset(self) -> QuerySet[Source]:
        return Source.objects.published()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        source: Source = self.object
        # The claims it carries, through its citations: what this report said of each.
        context["citations"] = list(
            Citation.objects.published()
            .filter(source=source)
            .select_related("claim__incident", "claim__claimant", "claim__losses_actor", "claim__speaker", "speaker")
            .order_by("-claim__incident__start_date", "claim__incident_id", "claim_id")[:200]
        )
        context["incidents"] = list(
            Incident.objects.published()
            .filter(
                pk__in=IncidentSource.objects.filter(source=source)
                .values("incident_id")
                .union(Citation.objects.filter(source=source).values("claim__incident_id"))
            )
            .only("id", "title", "text_language", "title_en", "title_fr", "title_ar", "start_date", "country")
            .order_by("-start_date", "-id")[:200]
        )
        return context


class PersonDetailView(DetailView):
    """Someone who speaks in published reporting; a confidential person has no page."""

    template_name = "incidents/person_detail.html"
    context_object_name = "person"

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.public().prefetch_related(
            Prefetch("aliases", queryset=PersonAlias.objects.order_by("language", "name"))
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person: Person = self.object
        context["affiliations"] = list(
            PersonAffiliation.objects.filter(person=person, actor__in=Actor.objects.published())
            .select_related("actor")
            .order_by("start_date", "pk")
        )
        # The claims they make, and the claims a report quotes them in, each with its reports.
        context["claims"] = list(
            Claim.objects.published()
            .filter(Q(speaker=person) | Q(pk__in=Citation.objects.filter(speaker=person).values("claim_id")))
            .select_related("incident", "claimant", "losses_actor", "speaker")
            .prefetch_related(_citations())
            .order_by("-incident__start_date", "incident_id", "pk")[:200]
        )
        return context


class MethodologyView(TemplateView):
    template_name = "incidents/methodology.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            rules=reconciliation_rules(),
            gradings=[(value, label, GRADING_NOTES[value]) for value, label in Grading.choices],
            date_precisions=DatePrecision.choices,
            time_precisions=[(value, label) for value, label in TimePrecision.choices if value],
            losses_of=LossesOf.choices,
            attributions=Attribution.choices,
            movements=Movement.choices,
            relation_kinds=[
                (label, INCIDENT_RELATION_INVERSE_LABELS[IncidentRelationKind(value)])
                for value, label in IncidentRelationKind.choices
            ],
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
