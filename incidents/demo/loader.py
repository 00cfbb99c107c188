"""Load demo specs into the archive, repeatably.

Every record is found again by a stable key (an actor's or a person's slug, an incident's
title and date, a claim's kind, claimant, wording and first report), created in bulk when
missing and saved only when it differs from its spec. A second load therefore writes nothing,
and history (recorded by database triggers for bulk inserts too) only grows when the data
changes. A demo incident is what its spec says: its actor links, sources, claims and citations
that the spec no longer lists are deleted (history keeps them), so a changed seed never leaves
its old claims beside the new ones.

A spec may be a second report of another incident (``merged_into``): it is loaded as an
incident of its own, then merged into the other by ``merging.incident_merge``. From then on
its claims, links and sources belong to the incident it was merged into, and the retracted
duplicate is left as the merge left it.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import models, transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from incidents import merging, services
from incidents.demo.specs import (
    ActorSpec,
    ClaimSpec,
    IncidentRelationSpec,
    IncidentSpec,
    PersonSpec,
    RelationSpec,
    SourceSpec,
)
from incidents.models import (
    Actor,
    ActorAlias,
    ActorRelation,
    Citation,
    Claim,
    Incident,
    IncidentActor,
    IncidentRelation,
    IncidentSource,
    LossesOf,
    Person,
    PersonAffiliation,
    PersonAlias,
    Source,
    Status,
    SubEventType,
)

DEMO_USERNAME = "demo-data"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    def add(self, other: LoadReport) -> None:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted


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


def _acting_reviewer(user: AbstractBaseUser) -> AbstractBaseUser:
    """The demo account as the workflow's services see a reviewer, for this load only.

    The stored account stays inactive and holds no permission, so nobody can act in its name;
    the loader alone writes the demo's editorial steps (a merge) through the services.
    """
    acting = copy.copy(user)
    acting.is_active = True
    acting.is_superuser = True
    return acting


def _save_changes(obj: models.Model, row: dict[str, Any], report: LoadReport) -> None:
    """Save the attributes of ``row`` that differ on ``obj``, moving its version on."""
    model = type(obj)
    changed = [name for name, value in row.items() if getattr(obj, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(obj, name, row[name])
    update_fields = [model._meta.get_field(name.removesuffix("_id")).name for name in changed]
    names = {f.name for f in model._meta.concrete_fields}
    if "version" in names:
        # Editors holding an older copy must see that the record moved on.
        obj.version += 1
        update_fields.append("version")
    if "updated_at" in names:
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    report.updated += 1


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
            _save_changes(obj, row, report)
        found[key] = obj
    if missing:
        model._default_manager.bulk_create(missing)
        report.created += len(missing)
    return found


def _prune(queryset: models.QuerySet, keys: Sequence[str], wanted: set[tuple], report: LoadReport) -> None:
    """Delete the rows of ``queryset`` whose key is not ``wanted`` (through the ORM: history records it)."""
    stale = [pk for pk, *key in queryset.values_list("pk", *keys) if tuple(key) not in wanted]
    if stale:
        deleted, _ = queryset.model._default_manager.filter(pk__in=stale).delete()
        report.deleted += deleted


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


def load_people(people: Iterable[PersonSpec], *, actor_ids: dict[str, int]) -> tuple[dict[str, int], LoadReport]:
    """People with their spellings and affiliations; a person's spellings and ties are those of the spec."""
    report = LoadReport()
    people = list(people)
    by_slug = sync_rows(
        Person,
        ["slug"],
        [
            {
                "slug": p.slug,
                "name": p.name,
                "description": p.description,
                "confidential": p.confidential,
                "internal_notes": p.internal_notes,
            }
            for p in people
        ],
        report,
    )
    person_ids = {slug: obj.pk for (slug,), obj in by_slug.items()}
    aliases = [
        {"person_id": person_ids[p.slug], "name": name, "language": language}
        for p in people
        for name, language in p.aliases
    ]
    sync_rows(PersonAlias, ["person_id", "name"], aliases, report)
    affiliations = [
        {
            "person_id": person_ids[p.slug],
            "actor_id": actor_ids[a.actor],
            "role": a.role,
            "start_date": a.start_date,
            "end_date": a.end_date,
        }
        for p in people
        for a in p.affiliations
    ]
    sync_rows(PersonAffiliation, ["person_id", "actor_id", "role", "start_date"], affiliations, report)
    ids = set(person_ids.values())
    _prune(
        PersonAlias.objects.filter(person__in=ids), ["person_id", "name"], _keys(aliases, "person_id", "name"), report
    )
    _prune(
        PersonAffiliation.objects.filter(person__in=ids),
        ["person_id", "actor_id", "role", "start_date"],
        _keys(affiliations, "person_id", "actor_id", "role", "start_date"),
        report,
    )
    return person_ids, report


def _keys(rows: Iterable[dict[str, Any]], *names: str) -> set[tuple]:
    return {tuple(row[name] for name in names) for row in rows}


@dataclass(frozen=True)
class LoadedSources:
    ids: dict[str, int]
    dates: dict[str, datetime.date | None]


def load_sources(sources: Iterable[SourceSpec]) -> tuple[LoadedSources, LoadReport]:
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
    ids = {s.key: found[tuple(row[k] for k in keys)].pk for s, row in zip(sources, rows, strict=True)}
    return LoadedSources(ids=ids, dates={s.key: s.published_on for s in sources}), report


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


def _incident_row(spec: IncidentSpec, sub_type: SubEventType, user: AbstractBaseUser) -> dict[str, Any]:
    published_at = _published_at(spec)
    published_by = user.pk if published_at else None
    return {
        "title": spec.title,
        "start_date": spec.start_date,
        "end_date": spec.end_date or spec.start_date,
        "date_precision": spec.date_precision,
        "time_of_day": spec.time_of_day,
        "time_precision": spec.time_precision,
        "summary": spec.summary,
        **{
            f"{part}_{language}": text
            for language, *texts in spec.translations
            for part, text in zip(("title", "summary"), texts, strict=True)
        },
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
        "published_by_id": published_by,
        "reviewed_by_id": published_by,
        "published_at": published_at,
        "reviewed_at": published_at,
        "retracted_at": _retracted_at(spec),
    }


def _claim_order(claims: Sequence[ClaimSpec]) -> list[list[ClaimSpec]]:
    """The claims in levels: those that are part of no other first, then their sub-counts, and so on."""
    by_key = {c.key: c for c in claims if c.key}
    if len(by_key) != len([c for c in claims if c.key]):
        raise ValueError("Two claims of one demo incident share a key.")

    def depth(claim: ClaimSpec, seen: frozenset[str] = frozenset()) -> int:
        if claim.part_of is None:
            return 0
        if claim.part_of not in by_key or claim.part_of in seen:
            raise ValueError(f"Claim {claim.quote!r}: part of an unknown claim {claim.part_of!r}.")
        return 1 + depth(by_key[claim.part_of], seen | {claim.part_of})

    levels: list[list[ClaimSpec]] = []
    for claim in claims:
        level = depth(claim)
        while len(levels) <= level:
            levels.append([])
        levels[level].append(claim)
    return levels


def _fingerprint(incident_id: int, claim_row: dict[str, Any], source_id: int | None, quote: str) -> tuple:
    return (incident_id, claim_row["kind"], claim_row["claimant_id"], claim_row["quantity_text"], source_id, quote)


class _Ids:
    """The demo's keys resolved to primary keys: actors, people, sources."""

    def __init__(self, actor_ids: dict[str, int], person_ids: dict[str, int], sources: LoadedSources) -> None:
        self.actors = actor_ids
        self.people = person_ids
        self.sources = sources

    def actor(self, slug: str | None) -> int | None:
        return self.actors[slug] if slug else None

    def person(self, slug: str | None) -> int | None:
        return self.people[slug] if slug else None


def _claim_row(incident_id: int, claim: ClaimSpec, ids: _Ids) -> dict[str, Any]:
    if (claim.losses_of == LossesOf.ACTOR) != (claim.losses_actor is not None):
        raise ValueError(f"Claim {claim.quote or claim.quantity_text!r}: name an actor only for its losses.")
    return {
        "incident_id": incident_id,
        "kind": claim.kind,
        "claimant_id": ids.actor(claim.claimant),
        "speaker_id": ids.person(claim.speaker),
        "losses_of": claim.losses_of,
        "losses_actor_id": ids.actor(claim.losses_actor),
        "losses_note": claim.losses_note,
        "quantity_low": claim.low,
        "quantity_high": claim.high,
        "quantity_text": claim.quantity_text,
        "responsible_actor_id": ids.actor(claim.responsible_actor),
        "attribution": claim.attribution,
        "movement": claim.movement,
        "place": claim.place,
        "stance": claim.stance,
        "verification": claim.verification,
        "verification_note": claim.verification_note,
        "internal_notes": claim.internal_notes,
    }


def _load_claims(
    owned: Sequence[tuple[Incident, IncidentSpec]], *, ids: _Ids, report: LoadReport
) -> dict[int, set[int]]:
    """Load the claims and citations of each (incident, spec); return the claims each incident keeps."""
    incident_ids = {incident.pk for incident, _ in owned}
    existing: dict[tuple, Claim] = {}
    first_cited = Prefetch("citations", queryset=Citation.objects.order_by("pk"), to_attr="ordered_citations")
    for obj in Claim.objects.filter(incident__in=incident_ids).prefetch_related(first_cited):
        first = obj.ordered_citations[0] if obj.ordered_citations else None
        row = {"kind": obj.kind, "claimant_id": obj.claimant_id, "quantity_text": obj.quantity_text}
        key = _fingerprint(obj.incident_id, row, first.source_id if first else None, first.quote if first else "")
        existing.setdefault(key, obj)

    kept: dict[int, set[int]] = {pk: set() for pk in incident_ids}
    wholes: dict[tuple[int, str], Claim] = {}  # keyed claims, for their sub-counts
    seen: set[tuple] = set()
    citation_rows: list[dict[str, Any]] = []
    levels: list[list[tuple[Incident, ClaimSpec]]] = []
    for incident, spec in owned:
        for depth, claims in enumerate(_claim_order(spec.claims)):
            while len(levels) <= depth:
                levels.append([])
            levels[depth].extend((incident, claim) for claim in claims)

    for level in levels:
        loaded: list[tuple[Incident, ClaimSpec, Claim]] = []
        for incident, claim in level:
            row = _claim_row(incident.pk, claim, ids)
            row["part_of_id"] = wholes[incident.pk, claim.part_of].pk if claim.part_of else None
            first = claim.citations[0]
            key = _fingerprint(incident.pk, row, ids.sources.ids[first.source], first.quote)
            if key in seen:
                raise ValueError(f"Two claims of {incident.title!r} read alike: {claim.quote!r}.")
            seen.add(key)
            obj = existing.get(key)
            if obj is None:
                obj = Claim(**row)
            else:
                _save_changes(obj, row, report)
            loaded.append((incident, claim, obj))
        missing = [obj for _, _, obj in loaded if obj.pk is None]
        Claim.objects.bulk_create(missing)
        report.created += len(missing)
        for incident, claim, obj in loaded:
            kept[incident.pk].add(obj.pk)
            if claim.key:
                wholes[incident.pk, claim.key] = obj
            for citation in claim.citations:
                citation_rows.append(
                    {
                        "claim_id": obj.pk,
                        "source_id": ids.sources.ids[citation.source],
                        "quote": citation.quote,
                        "language": citation.language,
                        "translation": citation.translation,
                        "published_on": citation.published_on or ids.sources.dates[citation.source],
                        "speaker_id": ids.person(citation.speaker),
                    }
                )
    sync_rows(Citation, ["claim_id", "source_id"], citation_rows, report)
    kept_ids = {pk for pks in kept.values() for pk in pks}
    _prune(
        Citation.objects.filter(claim__in=kept_ids),
        ["claim_id", "source_id"],
        _keys(citation_rows, "claim_id", "source_id"),
        report,
    )
    return kept


def load_incidents(
    specs: Sequence[IncidentSpec],
    *,
    actor_ids: dict[str, int],
    sources: LoadedSources,
    person_ids: dict[str, int] | None = None,
    relations: Iterable[IncidentRelationSpec] = (),
    user: AbstractBaseUser,
) -> tuple[list[Incident], LoadReport]:
    """Load incidents with their actor links, sources, claims and relations, merge the second
    reports into the incidents they duplicate, then accept the proposals."""
    report = LoadReport()
    ids = _Ids(actor_ids, person_ids or {}, sources)
    sub_types = {s.slug: s for s in SubEventType.objects.all()}
    titles = {spec.title for spec in specs}
    merged = {(i.title, i.start_date): i for i in Incident.objects.filter(title__in=titles, merged_into__isnull=False)}
    incidents = sync_rows(
        Incident,
        ["title", "start_date"],
        [
            _incident_row(spec, sub_types[spec.sub_event_type], user)
            for spec in specs
            if (spec.title, spec.start_date) not in merged
        ],
        report,
    )
    incidents.update(merged)
    ordered = [incidents[(spec.title, spec.start_date)] for spec in specs]
    by_key = {spec.key: incident for spec, incident in zip(specs, ordered, strict=True) if spec.key}

    # Whose rows each spec describes: its own incident's, or, once merged, the demo incident it went
    # into (an incident merged into one of the editors' own is left as the merge left it).
    owned: list[tuple[Incident, IncidentSpec]] = []
    for spec, incident in zip(specs, ordered, strict=True):
        if incident.merged_into_id is None:
            owned.append((incident, spec))
    demo = {incident.pk: incident for incident, _ in owned}
    for spec, incident in zip(specs, ordered, strict=True):
        if incident.merged_into_id in demo:
            owned.append((demo[incident.merged_into_id], spec))

    link_rows: dict[tuple, dict[str, Any]] = {}
    source_rows: dict[tuple, dict[str, Any]] = {}
    for incident, spec in owned:
        # The incident's own spec comes first: what a merge skipped because the incident had it wins.
        for link in spec.actors:
            row = {
                "incident_id": incident.pk,
                "actor_id": actor_ids[link.actor],
                "side": link.side,
                "role": link.role,
                "note": link.note,
            }
            link_rows.setdefault((incident.pk, row["actor_id"], link.side), row)
        for key, note in spec.sources:
            row = {"incident_id": incident.pk, "source_id": sources.ids[key], "note": note}
            source_rows.setdefault((incident.pk, row["source_id"]), row)
    sync_rows(IncidentActor, ["incident_id", "actor_id", "side"], list(link_rows.values()), report)
    sync_rows(IncidentSource, ["incident_id", "source_id"], list(source_rows.values()), report)
    kept = _load_claims(owned, ids=ids, report=report)

    owners = {incident.pk for incident, _ in owned}
    _prune(
        IncidentActor.objects.filter(incident__in=owners), ["incident_id", "actor_id", "side"], set(link_rows), report
    )
    _prune(IncidentSource.objects.filter(incident__in=owners), ["incident_id", "source_id"], set(source_rows), report)
    _prune(
        Claim.objects.filter(incident__in=owners),
        ["incident_id", "pk"],
        {(incident, pk) for incident, pks in kept.items() for pk in pks},
        report,
    )

    sync_rows(
        IncidentRelation,
        ["subject_id", "kind", "object_id"],
        [
            {"subject_id": by_key[r.subject].pk, "kind": r.kind, "object_id": by_key[r.object].pk, "note": r.note}
            for r in relations
        ],
        report,
    )

    for spec, incident in zip(specs, ordered, strict=True):
        if spec.merged_into and incident.merged_into_id is None:
            into = by_key[spec.merged_into]
            merging.incident_merge(duplicate=incident, into=into, user=_acting_reviewer(user), reason=spec.merge_reason)
            report.updated += 1

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
    each with the estimate that accepting the proposal sets. Merged duplicates are left alone."""
    fields = list(dict.fromkeys([*services.ESTIMATE_FIELDS, "estimate_stale"]))
    stored = {
        row.pop("pk"): row
        for row in Incident.objects.filter(pk__in=[i.pk for i in incidents], merged_into__isnull=True).values(
            "pk", *fields
        )
    }
    stale = []
    for incident in incidents:
        if incident.pk not in stored:
            continue
        # The proposal as editors are shown it: from the claims and the sides of the incident's actors.
        proposal = services.incident_proposal(incident=incident)
        estimate = {"estimate_stale": False, **services.proposal_estimate(proposal)}
        if {name: stored[incident.pk][name] for name in estimate} != estimate:
            stale.append((incident, estimate))
    return stale


def load_all(
    *,
    actors: Iterable[ActorSpec],
    relations: Iterable[RelationSpec],
    sources: Iterable[SourceSpec],
    incidents: Sequence[IncidentSpec],
    people: Iterable[PersonSpec] = (),
    incident_relations: Iterable[IncidentRelationSpec] = (),
    user: AbstractBaseUser,
) -> LoadReport:
    with transaction.atomic():
        actor_ids, report = load_actors(actors, relations)
        loaded_sources, source_report = load_sources(sources)
        report.add(source_report)
        person_ids, people_report = load_people(people, actor_ids=actor_ids)
        report.add(people_report)
        _, incident_report = load_incidents(
            incidents,
            actor_ids=actor_ids,
            sources=loaded_sources,
            person_ids=person_ids,
            relations=incident_relations,
            user=user,
        )
        report.add(incident_report)
    return report
