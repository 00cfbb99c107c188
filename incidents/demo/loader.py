"""Load demo specs into the archive, repeatably.

Every record is found again by a stable key (an actor's slug, an incident's title and
date, a claim's source, kind and wording), created in bulk when missing and saved only
when it differs from its spec. A second load therefore writes nothing, and history
(recorded by database triggers for bulk inserts too) only grows when the data changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from incidents import services
from incidents.demo.specs import ActorSpec, IncidentSpec, RelationSpec, SourceSpec
from incidents.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Claim,
    Incident,
    IncidentActor,
    IncidentSource,
    LossesOf,
    Source,
    Status,
    SubEventType,
)
from incidents.reconcile import propose_for_claims

DEMO_USERNAME = "demo-data"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0

    def add(self, other: LoadReport) -> None:
        self.created += other.created
        self.updated += other.updated


def demo_user() -> User:
    """The account the demo data is attributed to; it cannot log in."""
    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"first_name": "Demo", "last_name": "data", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def sync_rows(
    model: type[models.Model],
    keys: Sequence[str],
    rows: Sequence[dict[str, Any]],
    report: LoadReport,
    *,
    update: bool = True,
) -> dict[tuple, models.Model]:
    """Create the rows that are missing (in bulk) and update those that differ; return all by key.

    ``rows`` map attribute names (``source_id`` rather than ``source``) to values; ``keys``
    name the attributes that identify a row. With ``update=False`` existing rows are kept as they are.
    """
    if not rows:
        return {}

    def key_of(values: dict[str, Any]) -> tuple:
        return tuple(values[k] for k in keys)

    first_values = {row[keys[0]] for row in rows}
    existing = {key_of(vars(obj)): obj for obj in model._default_manager.filter(**{f"{keys[0]}__in": first_values})}

    found: dict[tuple, models.Model] = {}
    seen: dict[tuple, dict[str, Any]] = {}
    missing: list[models.Model] = []
    for row in rows:
        key = key_of(row)
        if key in seen:
            # Two incidents may cite the same item (one communiqué about two attacks): one row.
            if seen[key] != row:
                raise ValueError(f"Two different demo {model._meta.verbose_name_plural} share the key {key!r}.")
            continue
        seen[key] = row
        obj = existing.get(key)
        if obj is None:
            obj = model(**row)
            missing.append(obj)
        elif update:
            changed = [name for name, value in row.items() if getattr(obj, name) != value]
            if changed:
                for name in changed:
                    setattr(obj, name, row[name])
                update_fields = [model._meta.get_field(name.removesuffix("_id")).name for name in changed]
                if any(f.name == "version" for f in model._meta.concrete_fields):
                    # Editors holding an older copy must see that the record moved on.
                    obj.version += 1
                    update_fields.append("version")
                if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                    update_fields.append("updated_at")
                obj.save(update_fields=update_fields)
                report.updated += 1
        found[key] = obj
    if missing:
        model._default_manager.bulk_create(missing)
        report.created += len(missing)
    return found


def load_actors(
    actors: Iterable[ActorSpec], relations: Iterable[RelationSpec] = (), *, update: bool = True
) -> tuple[dict[str, int], LoadReport]:
    report = LoadReport()
    actors = list(actors)
    by_slug = sync_rows(
        Actor,
        ["slug"],
        [
            {
                "slug": a.slug,
                "name": a.name,
                "kind": a.kind,
                "country": a.country,
                "description": a.description,
                "internal_notes": a.internal_notes,
            }
            for a in actors
        ],
        report,
        update=update,
    )
    actor_ids = {slug: obj.pk for (slug,), obj in by_slug.items()}
    sync_rows(
        ActorAlias,
        ["actor_id", "name"],
        [
            {"actor_id": actor_ids[a.slug], "name": name, "language": language}
            for a in actors
            for name, language in a.aliases
        ],
        report,
        update=update,
    )
    relations = list(relations)
    known_ids = actor_ids | {
        a.slug: a.pk
        for a in Actor.objects.filter(slug__in={r.subject for r in relations} | {r.object for r in relations})
    }
    sync_rows(
        ActorRelation,
        ["subject_id", "kind", "object_id", "start_date"],
        [
            {
                "subject_id": known_ids[r.subject],
                "kind": r.kind,
                "object_id": known_ids[r.object],
                "start_date": r.start_date,
                "end_date": r.end_date,
                "note": r.note,
            }
            for r in relations
        ],
        report,
        update=update,
    )
    return actor_ids, report


def load_sources(sources: Iterable[SourceSpec]) -> tuple[dict[str, int], LoadReport]:
    report = LoadReport()
    sources = list(sources)
    keys = ["title", "outlet", "kind", "published_on"]
    rows = [
        {
            "title": s.title,
            "outlet": s.outlet,
            "kind": s.kind,
            "published_on": s.published_on,
            "author": s.author,
            "url": s.url,
            "language": s.language,
            "reliability": s.reliability,
            "confidential": s.confidential,
            "internal_notes": s.internal_notes,
        }
        for s in sources
    ]
    found = sync_rows(Source, keys, rows, report)
    return {s.key: found[tuple(row[k] for k in keys)].pk for s, row in zip(sources, rows, strict=True)}, report


def _published_at(spec: IncidentSpec) -> datetime.datetime | None:
    """A fixed publication time, two days after the incident, so reloading changes nothing."""
    if spec.status not in (Status.PUBLISHED, Status.RETRACTED):
        return None
    day = (spec.end_date or spec.start_date) + datetime.timedelta(days=2)
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC)


def _retracted_at(spec: IncidentSpec) -> datetime.datetime | None:
    if spec.status != Status.RETRACTED:
        return None
    day = (spec.end_date or spec.start_date) + datetime.timedelta(days=30)
    return datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=datetime.UTC)


def load_incidents(
    specs: Sequence[IncidentSpec],
    *,
    actor_ids: dict[str, int],
    source_ids: dict[str, int],
    user: AbstractBaseUser,
) -> tuple[list[Incident], LoadReport]:
    """Load incidents with their actor links, sources and claims, then accept the proposals."""
    report = LoadReport()
    sub_types = {s.slug: s for s in SubEventType.objects.all()}
    published_by = {Status.PUBLISHED: user.pk, Status.RETRACTED: user.pk}
    incident_rows = []
    for spec in specs:
        sub_type = sub_types[spec.sub_event_type]
        published_at = _published_at(spec)
        incident_rows.append(
            {
                "title": spec.title,
                "start_date": spec.start_date,
                "end_date": spec.end_date or spec.start_date,
                "date_precision": spec.date_precision,
                "time_of_day": spec.time_of_day,
                "summary": spec.summary,
                "country": spec.country,
                "admin1": spec.admin1,
                "admin2": spec.admin2,
                "location": spec.location,
                "latitude": spec.latitude,
                "longitude": spec.longitude,
                "geo_precision": spec.geo_precision,
                "event_type_id": sub_type.event_type_id,
                "sub_event_type_id": sub_type.pk,
                "grading": spec.grading,
                "tags": list(spec.tags),
                "status": spec.status,
                "retraction_notice": spec.retraction_notice,
                "internal_notes": spec.internal_notes,
                "created_by_id": user.pk,
                "published_by_id": published_by.get(spec.status),
                "reviewed_by_id": published_by.get(spec.status),
                "published_at": published_at,
                "reviewed_at": published_at,
                "retracted_at": _retracted_at(spec),
            }
        )
    incidents = sync_rows(Incident, ["title", "start_date"], incident_rows, report)
    ordered = [incidents[(spec.title, spec.start_date)] for spec in specs]

    link_rows, source_rows, claim_rows = [], [], []
    for spec, incident in zip(specs, ordered, strict=True):
        for link in spec.actors:
            link_rows.append(
                {
                    "incident_id": incident.pk,
                    "actor_id": actor_ids[link.actor],
                    "side": link.side,
                    "role": link.role,
                    "note": link.note,
                }
            )
        for key, note in spec.sources:
            source_rows.append({"incident_id": incident.pk, "source_id": source_ids[key], "note": note})
        for claim in spec.claims:
            if (claim.losses_of == LossesOf.ACTOR) != (claim.losses_actor is not None):
                raise ValueError(f"Claim {claim.quote or claim.quantity_text!r}: name an actor only for its losses.")
            claim_rows.append(
                {
                    "incident_id": incident.pk,
                    "source_id": source_ids[claim.source],
                    "kind": claim.kind,
                    "quantity_text": claim.quantity_text,
                    "quote": claim.quote,
                    "claimant_id": actor_ids[claim.claimant] if claim.claimant else None,
                    "losses_of": claim.losses_of,
                    "losses_actor_id": actor_ids[claim.losses_actor] if claim.losses_actor else None,
                    "quantity_low": claim.low,
                    "quantity_high": claim.high,
                    "stance": claim.stance,
                    "verification": claim.verification,
                    "verification_note": claim.verification_note,
                    "internal_notes": claim.internal_notes,
                }
            )
    sync_rows(IncidentActor, ["incident_id", "actor_id", "side"], link_rows, report)
    sync_rows(IncidentSource, ["incident_id", "source_id"], source_rows, report)
    sync_rows(Claim, ["incident_id", "source_id", "kind", "quantity_text", "quote"], claim_rows, report)

    wanted = [incident for spec, incident in zip(specs, ordered, strict=True) if spec.accept_proposal]
    for incident, estimate in _stale_estimates(wanted):
        # The demo account cannot log in and holds no permission, so the accepted proposal is
        # written here, as the rest of the demo's rows are, not through incident_accept_proposal.
        Incident.objects.filter(pk=incident.pk).update(
            **estimate, last_edited_by=user, version=F("version") + 1, updated_at=timezone.now()
        )
        report.updated += 1
    return ordered, report


def _stale_estimates(incidents: Sequence[Incident]) -> list[tuple[Incident, dict[str, Any]]]:
    """The incidents whose stored estimate is not (or no longer) the proposal from their claims,
    each with the estimate that accepting the proposal sets."""
    claims: dict[int, list[Claim]] = {incident.pk: [] for incident in incidents}
    for claim in Claim.objects.filter(incident__in=claims).select_related("claimant", "losses_actor", "source"):
        claims[claim.incident_id].append(claim)
    stored = {
        row.pop("pk"): row for row in Incident.objects.filter(pk__in=claims).values("pk", *services.ESTIMATE_FIELDS)
    }
    stale = []
    for incident in incidents:
        estimate = services.proposal_estimate(propose_for_claims(claims[incident.pk]))
        if stored[incident.pk] != estimate:
            stale.append((incident, estimate))
    return stale


def load_all(
    *,
    actors: Iterable[ActorSpec],
    relations: Iterable[RelationSpec],
    sources: Iterable[SourceSpec],
    incidents: Sequence[IncidentSpec],
    user: AbstractBaseUser,
) -> LoadReport:
    with transaction.atomic():
        actor_ids, report = load_actors(actors, relations)
        source_ids, source_report = load_sources(sources)
        report.add(source_report)
        _, incident_report = load_incidents(incidents, actor_ids=actor_ids, source_ids=source_ids, user=user)
        report.add(incident_report)
    return report
