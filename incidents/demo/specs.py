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
    TimePrecision,
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
class AffiliationSpec:
    actor: str  # actor slug
    role: str = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


@dataclass(frozen=True)
class PersonSpec:
    """Someone who speaks in the reporting; ``slug`` finds them again."""

    slug: str
    name: str
    description: str = ""
    aliases: tuple[tuple[str, str], ...] = ()  # (spelling, BCP 47 language tag)
    affiliations: tuple[AffiliationSpec, ...] = ()
    confidential: bool = False
    internal_notes: str = ""


@dataclass(frozen=True)
class CitationSpec:
    """One report carrying a claim: the source, and the words as that report gives them."""

    source: str  # source key
    quote: str = ""
    language: str = ""
    translation: str = ""  # the editor's English translation of a quote in another language
    published_on: datetime.date | None = None  # empty: the source's own date
    speaker: str | None = None  # person slug, when this report names someone other than the claim's speaker


def cited(source: str, quote: str = "", **fields: object) -> tuple[CitationSpec]:
    """A claim's one citation, as most claims have."""
    return (CitationSpec(source, quote, **fields),)


@dataclass(frozen=True)
class ClaimSpec:
    """A claim: what a claimant asserted, carried by one or more reports (``citations``).

    A claim is found again by its kind, claimant and wording and by its first citation's
    source and quote; ``key`` names it within its incident so another claim can be ``part_of`` it.
    """

    kind: str
    citations: tuple[CitationSpec, ...]
    key: str = ""
    claimant: str | None = None  # actor slug, when the asserting actor is not the reporting outlet
    speaker: str | None = None  # person slug
    losses_of: str = LossesOf.UNKNOWN
    losses_actor: str | None = None  # actor slug, only when losses_of is an actor
    losses_note: str = ""  # who the losses are, required for several groups at once
    low: int | None = None
    high: int | None = None
    quantity_text: str = ""
    part_of: str | None = None  # the key of the claim whose figure this one counts part of
    responsible_actor: str | None = None  # actor slug, for a responsibility claim
    attribution: str = ""
    movement: str = ""
    place: str = ""
    stance: str = Stance.ASSERTION
    verification: str = Verification.UNVERIFIED
    verification_note: str = ""
    internal_notes: str = ""

    def __post_init__(self) -> None:
        if not self.citations:
            raise ValueError(f"The claim {self.quantity_text or self.kind!r} cites no report.")

    @property
    def quote(self) -> str:
        """The first report's words, which name the claim in messages."""
        return self.citations[0].quote


@dataclass(frozen=True)
class IncidentSpec:
    """An incident; (title, start_date) finds it again on the next load, ``key`` names it in the demo data."""

    title: str
    start_date: datetime.date
    country: str
    sub_event_type: str  # sub-event type slug; the event type follows from it
    key: str = ""
    summary: str = ""
    # (language, title, summary): the editors' translations, shown to readers in that language.
    translations: tuple[tuple[str, str, str], ...] = ()
    end_date: datetime.date | None = None
    date_precision: str = DatePrecision.DAY
    time_of_day: datetime.time | None = None
    time_precision: str = TimePrecision.NONE
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
    # A second report of another incident (its key), merged into it once loaded.
    merged_into: str = ""
    merge_reason: str = ""


@dataclass(frozen=True)
class IncidentRelationSpec:
    """<subject> <kind> <object> between two incidents, named by their keys."""

    subject: str
    kind: str
    object: str
    note: str = ""
