"""What the public pages show, prepared from what the views read: facet groups and their
labels, map data, claim groups, schema.org JSON-LD, the citation line and the methodology's
lists. Pure presentation: no visibility decision and no estimate is made here.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, QueryDict
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from incidents import reconcile
from incidents.countries import country_name
from incidents.facets import Count as FacetCount
from incidents.facets import Facets
from incidents.models import (
    CLOCK_TIME_PRECISIONS,
    ActorKind,
    Claim,
    ClaimKind,
    DatePrecision,
    EstimateMethod,
    Grading,
    Incident,
    IncidentRelation,
    LossesOf,
    SourceKind,
    SubEventType,
)
from incidents.vocabulary_labels import vocabulary_label


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


def with_query(url: str, query: str) -> str:
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
        "cells": map_cells(cells or []),
    }


def map_cells(cells: list[tuple[float, float, int]]) -> list[list[Any]]:
    """Density cells as the map script reads them: latitude, longitude, count, and the count in
    words in the reader's language for the circle's tooltip."""
    return [
        [lat, lon, count, ngettext("%(counter)s incident", "%(counter)s incidents", count) % {"counter": count}]
        for lat, lon, count in cells
    ]


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


def facet_group(
    name: str,
    legend: str,
    counts: list[FacetCount],
    query: QueryDict,
    labels: dict[str, str] | None = None,
    translate: Callable[[str], str] | None = None,
) -> FacetGroup:
    """A checkbox group: the counted values, plus any selected value with no result left.

    ``translate`` turns a stored label (an event type's name) into the reader's language."""
    translate = translate or (lambda label: label)
    chosen = selected_values(query, name)
    options = [Option(c.value, translate(c.label), c.count, c.value in chosen) for c in counts]
    listed = {option.value for option in options}
    for value in sorted(chosen - listed):
        options.append(Option(value, translate((labels or {}).get(value, value)), 0, True))
    return FacetGroup(name, legend, options)


def source_kind_options(query: QueryDict) -> list[Option]:
    """The source kinds as checkboxes, ticked as the query string has them (not counted)."""
    chosen = selected_values(query, "source_kind")
    return [Option(value, label, None, value in chosen) for value, label in SourceKind.choices]


def facet_groups(facets: Facets, query: QueryDict) -> list[FacetGroup]:
    """The list page's checkbox groups with their counts (without, when counting took too long)."""
    if not facets.exact:
        return uncounted_groups(query)
    return [
        facet_group(
            "country",
            gettext("Country"),
            facets.countries,
            query,
            {code: country_name(code) for code in selected_values(query, "country")},
        ),
        facet_group("event_type", gettext("Event type"), facets.event_types, query, translate=vocabulary_label),
        facet_group(
            "sub_event_type", gettext("Sub-event type"), facets.sub_event_types, query, translate=vocabulary_label
        ),
        facet_group("grading", gettext("Evidence grading"), facets.gradings, query, dict(Grading.choices)),
        facet_group("actor_kind", gettext("Actor kind"), facets.actor_kinds, query, dict(ActorKind.choices)),
        facet_group("actor", gettext("Actor"), facets.actors, query),
        facet_group("tag", gettext("Tag"), facets.tags, query),
    ]


def uncounted_groups(query: QueryDict) -> list[FacetGroup]:
    """The same choices without counts, for a result set too large to count in time."""

    def group(name: str, legend: str, choices: list[tuple[str, str]]) -> FacetGroup:
        chosen = selected_values(query, name)
        return FacetGroup(name, legend, [Option(v, label, None, v in chosen) for v, label in choices])

    subs = list(SubEventType.objects.select_related("event_type").order_by("event_type__name", "name"))
    event_types = {sub.event_type.slug: vocabulary_label(sub.event_type.name) for sub in subs}
    return [
        group("event_type", gettext("Event type"), list(event_types.items())),
        group("sub_event_type", gettext("Sub-event type"), [(sub.slug, vocabulary_label(sub.name)) for sub in subs]),
        group("grading", gettext("Evidence grading"), Grading.choices),
        group("actor_kind", gettext("Actor kind"), ActorKind.choices),
    ]


# The kinds of claim about no one's losses: their groups are titled by the kind alone.
UNOWNED_KINDS = {ClaimKind.RESPONSIBILITY, ClaimKind.OCCURRENCE, ClaimKind.TERRITORY, ClaimKind.OTHER}


@dataclass
class ClaimGroup:
    """Claims about the same thing (kind and whose losses), to be read side by side; each whole
    claim with the sub-counts that count part of it ("armoured vehicles among them") beneath it."""

    title: str
    entries: list[tuple[Claim, list[Claim]]]
    mixed: bool = False
    kind: str = ""
    anchor: str = ""

    @property
    def claims(self) -> list[Claim]:
        """The whole claims, in order (sub-counts are beneath them, never compared with them)."""
        return [claim for claim, _ in self.entries]

    @functools.cached_property
    def _facts(self) -> list[reconcile.ClaimFacts]:
        return [reconcile.facts_from_claim(c) for c in self.claims]

    @functools.cached_property
    def conflicting(self) -> bool:
        """Whether two credible claims cannot both be true (reconciliation's rule 7); the page
        asks twice per group, for its class and its badge."""
        return reconcile.conflicting_pair(self._facts) is not None

    @functools.cached_property
    def corroborated_by(self) -> int:
        """How many independent claims agree, when two or more do (reports repeating one claim do not count)."""
        return reconcile.corroboration(self._facts)


def claim_groups(claims: list[Claim]) -> list[ClaimGroup]:
    """``claims`` (as ``Incident.objects.for_detail()`` loads them) grouped for the page; a
    sub-count goes beneath its whole, whatever group the whole is in."""
    present = {claim.pk for claim in claims}
    sub_counts: dict[int, list[Claim]] = {}
    for claim in claims:
        if claim.part_of_id in present:
            sub_counts.setdefault(claim.part_of_id, []).append(claim)
    groups: dict[tuple[str, str, int | None], ClaimGroup] = {}
    for claim in claims:
        if claim.part_of_id in present:
            continue
        # Kinds about no one's losses form one group each, whatever whose losses says.
        unowned = claim.kind in UNOWNED_KINDS
        key = (claim.kind, "", None) if unowned else (claim.kind, claim.losses_of, claim.losses_actor_id)
        if key not in groups:
            about = claim.get_kind_display()
            if unowned:
                title = str(about)
            elif claim.losses_of == LossesOf.MIXED:
                # Translators: a group of claims: the kind of claim, then whose losses ("Fatalities: civilians").
                title = gettext("%(kind)s: %(whose)s") % {
                    "kind": about,
                    "whose": str(claim.get_losses_of_display()).lower(),
                }
            else:
                title = gettext("%(kind)s: %(whose)s") % {"kind": about, "whose": claim.losses_label}
            groups[key] = ClaimGroup(
                title=title,
                entries=[],
                mixed=claim.losses_of == LossesOf.MIXED,
                kind=claim.kind,
                anchor=f"claims-{len(groups) + 1}",
            )
        groups[key].entries.append((claim, sub_counts.get(claim.pk, [])))
    return list(groups.values())


@dataclass
class ClaimKindSection:
    """The claim groups of one kind (fatalities, injuries, ...), a stop of the page's navigation."""

    kind: str
    label: str
    groups: list[ClaimGroup]

    @property
    def anchor(self) -> str:
        return f"claims-{self.kind.replace('_', '-')}"


def claims_by_kind(groups: list[ClaimGroup]) -> list[ClaimKindSection]:
    """``groups`` gathered by kind, in the order of the kinds' choices (fatalities first)."""
    labels = dict(ClaimKind.choices)
    sections = {
        kind: ClaimKindSection(kind, str(labels[kind]), [g for g in groups if g.kind == kind])
        for kind in ClaimKind.values
    }
    return [section for section in sections.values() if section.groups]


@dataclass(frozen=True)
class EstimateRow:
    """One line of the incident's per-side table: low, best and high, the high perhaps open ("51+")."""

    label: str
    low: int | None
    best: int | None
    high: int | None
    high_open: bool = False
    note: str = ""
    total: bool = False

    @property
    def has_numbers(self) -> bool:
        return any(v is not None for v in (self.low, self.best, self.high))

    @property
    def notation(self) -> str:
        return figure_notation(self.low, self.best, self.high, self.high_open)


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def figure_notation(low: int | None, best: int | None, high: int | None, high_open: bool = False) -> str:
    """The figures as the pages write them, explained by the legend beside them: "42 (26–42)" is
    the best estimate, then the low and the high; "51+" is a high that is open (a claim gives
    only a lower figure). Empty when there is no figure at all."""
    plus = "+" if high_open else ""
    if best is None:
        if low is None and high is None:
            return ""
        if low is None or high is None or low == high:
            return f"{_number(low if high is None else high)}{plus}"
        return f"{_number(low)}–{_number(high)}{plus}"
    if low is not None and high is not None and low != high:
        return f"{_number(best)} ({_number(low)}–{_number(high)}{plus})"
    return f"{_number(best)}{plus}"


def with_figures(incidents: list[Incident]) -> list[Incident]:
    """``incidents``, each given ``figures``: its total in the pages' notation ("" for none)."""
    for incident in incidents:
        incident.figures = headline_estimate(incident).notation
    return incidents


def headline_estimate(incident: Incident) -> EstimateRow:
    """The incident's total, as the headline, the lists and the table by side all show it."""
    return EstimateRow(
        gettext("All deaths"), *_stored(incident, "fatalities"), high_open=incident.fatalities_high_open, total=True
    )


# How the pages say where the estimate comes from, in plain words (not the editors' jargon).
ESTIMATE_METHOD_TEXT = {
    EstimateMethod.PROPOSAL: _("Editors accepted the figures computed from the claims"),
    EstimateMethod.OVERRIDE: _("Editors set the figures themselves, weighing the claims"),
}


def estimate_method_text(incident: Incident) -> str:
    return str(ESTIMATE_METHOD_TEXT.get(incident.fatalities_method, ""))


def _stored(incident: Incident, prefix: str) -> tuple[int | None, int | None, int | None]:
    return tuple(getattr(incident, f"{prefix}_{bound}") for bound in ("low", "best", "high"))


def _open(incident: Incident, prefix: str, proposed: reconcile.Estimate | None) -> bool:
    """Whether a part's high is open: only the total's openness is stored, so a part is shown open
    when it is still exactly what the proposal gives and the proposal marks its high open."""
    if proposed is None or not proposed.high_open:
        return False
    return _stored(incident, prefix) == (proposed.low, proposed.best, proposed.high)


# The rows of the table by side, in the reader's language (``reconcile.SIDE_LABELS`` names them in English).
SIDE_ROW_LABELS = {
    "deaths_a": _("Side A"),
    "deaths_b": _("Side B"),
    "deaths_civilians": _("Civilians"),
    "deaths_unknown": pgettext_lazy("whose deaths", "Unknown"),
}


def estimate_rows(incident: Incident, proposal: reconcile.Proposal, sides: list[tuple[str, list]]) -> list[EstimateRow]:
    """The stored estimate per side, for civilians, unknown, the total and the injured; empty
    when the editors have set no figure for any part."""
    # Keyed by the stored prefix, not by label: a label is in the reader's language.
    names = {
        reconcile.SIDE_OF[links[0].side]: ", ".join(link.actor.name for link in links) for _, links in sides if links
    }
    proposed = {side.group: side for side in proposal.sides}
    rows = [
        EstimateRow(
            str(SIDE_ROW_LABELS.get(prefix, label)),
            *_stored(incident, prefix),
            high_open=_open(incident, prefix, proposed.get(prefix)),
            note=names.get(prefix, ""),
        )
        for prefix, label in reconcile.SIDE_LABELS.items()
    ]
    injuries = proposal.injuries.total if proposal.injuries else None
    parts = [
        *rows,
        EstimateRow(
            gettext("Injured"), *_stored(incident, "injuries"), high_open=_open(incident, "injuries", injuries)
        ),
    ]
    if not any(row.has_numbers for row in parts):
        return []
    return [*rows, headline_estimate(incident), parts[-1]]


def reported_time(incident: Incident) -> str:
    """The time of day as reported: "at 10:20", "around 10:20", "at dawn", or ""."""
    if not incident.time_precision:
        return ""
    label = incident.get_time_precision_display()
    if incident.time_precision in CLOCK_TIME_PRECISIONS and incident.time_of_day is not None:
        # Translators: the precision of a reported time, then the time: "at 10:20", "around 10:20".
        return gettext("%(precision)s %(time)s") % {
            "precision": str(label).lower(),
            "time": f"{incident.time_of_day:%H:%M}",
        }
    return label[:1].lower() + label[1:]


def related_incidents(incident: Incident, relations: list[IncidentRelation]) -> list[tuple[str, Incident, str]]:
    """(the relation read from ``incident``'s end, the other incident, the note) for each relation."""
    return [(relation.label_from(incident), relation.other_end(incident), relation.note) for relation in relations]


def json_ld_dates(incident: Incident) -> dict[str, str]:
    """startDate and endDate to the precision reported: a week, a month or a year is an ISO 8601
    week ("2025-W29"), month ("2025-10") or year ("2025"), never a span of days."""
    start = incident.start_date
    if incident.date_precision == DatePrecision.WEEK:
        year, week, _ = start.isocalendar()
        return {"startDate": f"{year}-W{week:02d}"}
    if incident.date_precision == DatePrecision.MONTH:
        return {"startDate": f"{start:%Y-%m}"}
    if incident.date_precision == DatePrecision.YEAR:
        return {"startDate": f"{start:%Y}"}
    return {"startDate": start.isoformat(), "endDate": incident.end_date.isoformat()}


def last_public_change(incident: Incident, changes: list[Any], corrections: list[Any]) -> datetime | None:
    """When the public record last changed after publication: its newest logged change or
    approved correction; None when nothing changed since it was published."""
    moments = [change.when for change in changes] + [c.decided_at for c in corrections if c.decided_at]
    return max(moments) if moments else None


def incident_json_ld(incident: Incident, request: HttpRequest, modified: datetime | None = None) -> dict[str, Any]:
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
        **json_ld_dates(incident),
        "eventStatus": "https://schema.org/EventScheduled",
        "location": place,
        "keywords": [incident.event_type.name, incident.sub_event_type.name, *incident.tags],
        "isPartOf": {"@type": "Dataset", "name": settings.ARCHIVE_NAME},
        "dateModified": modified or incident.published_at,
        "datePublished": incident.published_at,
    }


def citation(incident: Incident, request: HttpRequest, updated: datetime | None = None) -> str:
    """The line to cite the page by; "last updated" only when the public record changed since
    it was published (the date of that change, not of an edit the public never saw)."""
    url = request.build_absolute_uri(incident.get_absolute_url())
    values = {"archive": settings.ARCHIVE_NAME, "title": incident.title, "id": incident.pk, "url": url}
    if incident.published_at is None:
        return gettext("%(archive)s. “%(title)s”. Incident %(id)s, unpublished. %(url)s") % values
    values["published"] = date_format(incident.published_at, "DATE_FORMAT")
    if updated is None:
        return gettext("%(archive)s. “%(title)s”. Incident %(id)s, published %(published)s. %(url)s") % values
    values["updated"] = date_format(updated, "DATE_FORMAT")
    return (
        gettext("%(archive)s. “%(title)s”. Incident %(id)s, published %(published)s, last updated %(updated)s. %(url)s")
        % values
    )


GRADING_NOTES = {
    Grading.CONFIRMED: _(
        "The incident and its main figures are established by independent, credible sources "
        "or acknowledged by the party responsible."
    ),
    Grading.FAIR: _("Two or more credible sources report the incident and broadly agree on what happened."),
    Grading.WEAK: _("A single source, or sources that cannot be checked, report the incident."),
    Grading.CONTESTED: _("Credible sources disagree on what happened or who is responsible."),
    Grading.DISCOUNTED: _("The archive judges the reports unreliable or refuted; the record is kept for transparency."),
}


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
