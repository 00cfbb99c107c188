"""The public change log of an incident: its approved corrections, and every change in detail.

A correction is approved by a reviewer who did not write it (``incidents.corrections``); the
public reads its date and the reason its editor wrote, never who wrote or approved it nor the
diff kept with it (the diff may name a protected source). Open, rejected and withdrawn
corrections are the editors' own.

Every change to an incident and its claims is recorded by pghistory triggers. The public
sees what changed after publication, field by field, and never who changed it: only
fields that are themselves public are compared, long texts are reported as "revised",
and links to sources or actors are reported without naming them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q
from django.utils.translation import gettext

from incidents.columns import CITATIONS, CLAIMS, INCIDENTS, ChangeLog, Table
from incidents.models import Citation, Claim, Correction, Incident, Status

# Where ``public_corrections()`` puts an incident's approved corrections.
PUBLIC_CORRECTIONS = "public_corrections"


def public_corrections() -> Prefetch:
    """Each incident's approved corrections, oldest first, as ``incident.public_corrections`` (one
    query for any number of incidents). Only what the public reads is loaded: never the diff."""
    corrections = Correction.objects.public().only("id", "incident_id", "decided_at", "reason")
    return Prefetch("corrections", queryset=corrections.order_by("decided_at", "pk"), to_attr=PUBLIC_CORRECTIONS)


def _logged(table: Table) -> list[tuple[models.Field, ChangeLog]]:
    """The fields the change log compares, with how it tells a change (incidents.columns), in the model's order."""
    return [(field, column.changelog) for column, field in table.fields_of(c for c in table.columns if c.changelog)]


INCIDENT_FIELDS = _logged(INCIDENTS)
CLAIM_FIELDS = _logged(CLAIMS)
CITATION_FIELDS = _logged(CITATIONS)


@dataclass(frozen=True)
class Change:
    when: datetime
    subject: str
    description: str


def _display(field: models.Field, value: Any) -> str:
    if value is None or value == "" or value == []:
        return gettext("none")
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _differences(fields: list[tuple[models.Field, ChangeLog]], old: Any, new: Any) -> list[str]:
    described = []
    for field, log in fields:
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before == after:
            continue
        if log.values:
            described.append(
                gettext("%(field)s: %(before)s → %(after)s")
                % {"field": log.label, "before": _display(field, before), "after": _display(field, after)}
            )
        else:
            described.append(gettext("%(field)s revised") % {"field": log.label})
    return described


def _sentence(parts: list[str]) -> str:
    text = gettext("; ").join(parts)
    return gettext("%(changes)s.") % {"changes": text[:1].upper() + text[1:]}


def _changes(events: Iterable[Any], since: datetime) -> Iterable[tuple[Any, Any | None]]:
    """(event, previous snapshot of the same row) for each event after ``since``."""
    previous: dict[int, Any] = {}
    for event in events:
        before = previous.get(event.pgh_obj_id)
        previous[event.pgh_obj_id] = event
        if event.pgh_created_at > since:
            yield event, before


def incident_changelog(incident: Incident) -> list[Change]:
    """Changes made to ``incident``, its claims and the reports carrying them since it was first
    published (3 queries). A report is never named here: its source may be protected. A claim
    that a correction added, or that came with a duplicate merged into this incident, is added
    when it came over.

    Publication is the first recorded version whose status is published; edits in the same
    transaction (an import that creates and publishes at once) share its timestamp and are
    part of the first published version, not corrections.
    """
    if incident.published_at is None:
        return []
    incident_events = list(_event_model(Incident).objects.filter(pgh_obj_id=incident.pk).order_by("pgh_id"))
    # A claim's events elsewhere too (in a correction's draft, in a duplicate merged into this
    # one): they tell a claim that came over from one that was always here.
    here = Claim.objects.filter(incident=incident).values("pk")
    claim_events = list(
        _event_model(Claim).objects.filter(Q(incident_id=incident.pk) | Q(pgh_obj_id__in=here)).order_by("pgh_id")
    )
    ours = {event.pgh_obj_id for event in claim_events if event.incident_id == incident.pk}
    reports_here = Citation.objects.filter(claim__incident=incident).values("pk")
    citation_events = (
        _event_model(Citation).objects.filter(Q(claim_id__in=ours) | Q(pgh_obj_id__in=reports_here)).order_by("pgh_id")
    )
    published = [event.pgh_created_at for event in incident_events if event.status == Status.PUBLISHED]
    since = min(published) if published else incident.published_at
    changes: list[Change] = []
    for event, before in _changes(incident_events, since):
        if before is None:
            continue
        described = _differences(INCIDENT_FIELDS, before, event)
        if described:
            changes.append(Change(event.pgh_created_at, gettext("Incident"), _sentence(described)))
    new_or_withdrawn: set[int] = set()
    for event, before in _changes(claim_events, since):
        if event.incident_id != incident.pk:
            continue
        subject = gettext("Claim %(id)s") % {"id": event.pgh_obj_id}
        came_over = before is not None and before.incident_id != incident.pk
        if event.pgh_label in ("insert", "delete") or came_over:
            new_or_withdrawn.add(event.pgh_obj_id)
        if event.pgh_label == "insert" or came_over:
            about = _display(Claim._meta.get_field("kind"), event.kind).lower()
            if event.quantity_text:
                added = gettext("Claim added about %(kind)s: “%(wording)s”.") % {
                    "kind": about,
                    "wording": event.quantity_text,
                }
            else:
                added = gettext("Claim added about %(kind)s.") % {"kind": about}
            changes.append(Change(event.pgh_created_at, subject, added))
        elif event.pgh_label == "delete":
            changes.append(Change(event.pgh_created_at, subject, gettext("Claim withdrawn.")))
        elif before is not None:
            described = _differences(CLAIM_FIELDS, before, event)
            if described:
                changes.append(Change(event.pgh_created_at, subject, _sentence(described)))
    # A new or withdrawn claim's reports come and go with it: "Claim added" says it.
    for event, before in _changes(citation_events, since):
        if event.claim_id not in ours or event.claim_id in new_or_withdrawn:
            continue
        subject = gettext("Claim %(id)s") % {"id": event.claim_id}
        if event.pgh_label == "insert" or (before is not None and before.claim_id != event.claim_id):
            changes.append(Change(event.pgh_created_at, subject, gettext("Another report carrying the claim added.")))
        elif event.pgh_label == "delete":
            changes.append(Change(event.pgh_created_at, subject, gettext("A report carrying the claim withdrawn.")))
        elif before is not None:
            described = _differences(CITATION_FIELDS, before, event)
            if described:
                changes.append(
                    Change(
                        event.pgh_created_at,
                        subject,
                        gettext("Report: %(changes)s") % {"changes": _sentence(described)},
                    )
                )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes


def _event_model(model: type[models.Model]) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")
