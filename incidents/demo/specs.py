"""Plain descriptions of demo records, keyed by stable identifiers so loading is repeatable.

The seed story and the sample are written as these specs; ``incidents.demo.loader``
turns them into rows through the ORM (so history is recorded) without duplicating them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from incidents.models import (
    DatePrecision,
    GeoPrecision,
    Grading,
    LossesOf,
    Reliability,
    Role,
    Stance,
    Status,
    Verification,
)


@dataclass(frozen=True)
class ActorSpec:
    slug: str
    name: str
    kind: str
    country: str = ""
    description: str = ""
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, BCP 47 language tag)
    internal_notes: str = ""


@dataclass(frozen=True)
class RelationSpec:
    subject: str  # actor slug
    kind: str
    object: str  # actor slug
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    note: str = ""


@dataclass(frozen=True)
class SourceSpec:
    """A source; ``key`` names it within the demo data, (kind, outlet, title, published_on) finds it."""

    key: str
    kind: str
    outlet: str = ""
    title: str = ""
    author: str = ""
    url: str = ""
    published_on: datetime.date | None = None
    language: str = ""
    reliability: str = Reliability.F
    confidential: bool = False
    internal_notes: str = ""


@dataclass(frozen=True)
class LinkSpec:
    actor: str  # actor slug
    side: str
    role: str = Role.PRIMARY
    note: str = ""


@dataclass(frozen=True)
class ClaimSpec:
    source: str  # source key
    kind: str
    claimant: str | None = None  # actor slug, when the asserting actor is not the source itself
    losses_of: str = LossesOf.UNKNOWN
    losses_actor: str | None = None  # actor slug, only when losses_of is an actor
    low: int | None = None
    high: int | None = None
    quantity_text: str = ""
    quote: str = ""
    stance: str = Stance.ASSERTION
    verification: str = Verification.UNVERIFIED
    verification_note: str = ""
    internal_notes: str = ""


@dataclass(frozen=True)
class IncidentSpec:
    """An incident; (title, start_date) finds it again on the next load."""

    title: str
    start_date: datetime.date
    country: str
    sub_event_type: str  # sub-event type slug; the event type follows from it
    summary: str = ""
    end_date: datetime.date | None = None
    date_precision: str = DatePrecision.DAY
    time_of_day: datetime.time | None = None
    admin1: str = ""
    admin2: str = ""
    location: str = ""
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str = GeoPrecision.ADMIN1
    grading: str = Grading.WEAK
    tags: tuple[str, ...] = ()
    status: str = Status.PUBLISHED
    retraction_notice: str = ""
    internal_notes: str = ""
    actors: tuple[LinkSpec, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (source key, public note)
    claims: tuple[ClaimSpec, ...] = field(default_factory=tuple)
    accept_proposal: bool = True
