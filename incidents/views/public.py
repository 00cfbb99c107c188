"""Public pages. Every queryset starts from a ``published()``/``with_public_page()`` method.

Views only wire things together: visibility lives in the QuerySets, the query string's
meaning in ``selection``, estimates in ``reconcile``, counts in ``facets``, the change log
in ``changelog``, and what a page shows of them in ``presenters``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
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
            with_figures(page.rows)
            facets = facets_for(chosen.incidents, chosen.result_set_params)
        else:
            page, facets = Page(rows=[], next_cursor=None, previous_cursor=None, is_first=True), Facets(total=0)
        rows_query = chosen.query_string()
        context.update(
            filterset=chosen.filterset,
            form=chosen.filterset.form,
            page=page,
            facets=facets,
            groups=facet_groups(facets, query),
            histogram=month_histogram(facets.months),
            timeline_base=chosen.query_string(drop={"date_from", "date_to"}),
            map_data=map_data(points=map_points(page.rows), cells=facets.cells),
            ordering_choices=ORDERING_CHOICES,
            current_order=query.get("order", ""),
            rows_query=rows_query,
            csv_url=with_query(reverse("export-csv", args=["incidents"]), rows_query),
            api_url=with_query(reverse("api-incident-list"), rows_query),
            next_url=f"?{chosen.query_string(after=page.next_cursor)}" if page.next_cursor else "",
            previous_url=f"?{chosen.query_string(before=page.previous_cursor)}" if page.previous_cursor else "",
            first_url=f"?{rows_query}" if not page.is_first else "",
            has_filters=bool(chosen.result_set_params),
            country_text=",".join(sorted(selected_values(query, "country"))),
            side_choices=Side.choices,
            source_kinds=source_kind_options(query),
        )
        return context


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
